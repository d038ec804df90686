/*
 * Checks of the statements user space carries out for the program:
 * join(), cat(), system(), and signal(), which the kernel sends. system()
 * and signal() act on the machine, so, as in bpftrace, they need --unsafe.
 * Their rows are in sema/builtins.c.
 */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "sema/sema_int.h"

static int need_unsafe(struct sema *s, struct node *n)
{
	if (s->opts->unsafe)
		return 0;
	return sema_error(s, &n->loc, "%s() is an unsafe function being used in safe mode",
			  n->func->name);
}

/* join(argv[, delim]): argv is a pointer to a NULL-terminated array of
 * strings; user space prints the first ones joined by delim. */
int sema_check_join(struct sema *s, struct node *n)
{
	struct node *arr = n->args, *delim = arr->next;

	if (sema_int_arg(s, arr, "join()'s array"))
		return -EINVAL;
	if (delim && delim->kind != N_STR)
		return sema_error(s, &delim->loc, "join(): the delimiter must be a string literal");
	n->async_id = sema_add_async(s, AS_JOIN, delim ? delim->str : " ", NULL, -1);
	if (s->final)
		s->plan->async[n->async_id].size = PLAN_JOIN_ARGS * PLAN_JOIN_ARGSIZE;
	return 0;
}

/* cat(fmt, ...) and system(fmt, ...): a printf format naming a file, or
 * a shell command, formatted in user space as printf's is. */
int sema_check_cat(struct sema *s, struct node *n)
{
	struct node *fmt = n->args;

	if (n->func->id == FN_SYSTEM && need_unsafe(s, n))
		return -EINVAL;
	if (fmt->kind != N_STR)
		return sema_error(s, &fmt->loc, "%s: the format must be a string literal",
				  n->func->name);
	if (sema_check_format(s, n, fmt->str, fmt->next))
		return -EINVAL;
	n->async_id = sema_add_async(s, n->func->id == FN_SYSTEM ? AS_SYSTEM : AS_CAT,
				     fmt->str, fmt->next, -1);
	return 0;
}

static const struct { const char *name; int num; } signals[] = {
	{ "SIGABRT", SIGABRT }, { "SIGALRM", SIGALRM }, { "SIGBUS", SIGBUS },
	{ "SIGCHLD", SIGCHLD }, { "SIGCONT", SIGCONT }, { "SIGFPE", SIGFPE },
	{ "SIGHUP", SIGHUP }, { "SIGILL", SIGILL }, { "SIGINT", SIGINT },
	{ "SIGKILL", SIGKILL }, { "SIGPIPE", SIGPIPE }, { "SIGPOLL", SIGPOLL },
	{ "SIGQUIT", SIGQUIT }, { "SIGSEGV", SIGSEGV }, { "SIGSTOP", SIGSTOP },
	{ "SIGSYS", SIGSYS }, { "SIGTERM", SIGTERM }, { "SIGTRAP", SIGTRAP },
	{ "SIGTSTP", SIGTSTP }, { "SIGTTIN", SIGTTIN }, { "SIGTTOU", SIGTTOU },
	{ "SIGURG", SIGURG }, { "SIGUSR1", SIGUSR1 }, { "SIGUSR2", SIGUSR2 },
	{ "SIGVTALRM", SIGVTALRM }, { "SIGWINCH", SIGWINCH }, { "SIGXCPU", SIGXCPU },
	{ "SIGXFSZ", SIGXFSZ },
};

/* "KILL", "sigkill" or "SIGKILL" as kill(1) takes them; -1 if unknown. */
static int signal_num(const char *name)
{
	char up[32] = "SIG";
	size_t off = toupper((unsigned char)name[0]) == 'S' ? 0 : 3;

	for (size_t i = 0; name[i] && off + i < sizeof(up) - 1; i++)
		up[off + i] = (char)toupper((unsigned char)name[i]);
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (strcmp(signals[i].name, up) == 0)
			return signals[i].num;
	return -1;
}

/* signal(sig): a name or a number, sent to the current task. */
int sema_check_signal(struct sema *s, struct node *n)
{
	struct node *a = n->args;
	int num;

	if (need_unsafe(s, n))
		return -EINVAL;
	if (a->kind == N_STR) {
		if ((num = signal_num(a->str)) < 1)
			return sema_error(s, &n->loc, "%s is not a valid signal", a->str);
		a->kind = N_INT;
		a->ival = num;
		a->type = gt_int(false);
		return 0;
	}
	if (a->kind == N_INT && (a->ival < 1 || a->ival > 64))
		return sema_error(s, &n->loc, "%lld is not a valid signal, allowed range: [1,64]",
				  (long long)a->ival);
	if (a->type.kind != GT_INT)
		return sema_error(s, &n->loc, "signal only accepts string literals or integers");
	return 0;
}
