/*
 * The output formats, and the entry points that hand a record to the
 * format of the stream it goes to. A new format is one more struct
 * out_ops (out_text.c is the model), one row here and its name in
 * enum out_format.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>

#include "common/diag.h"
#include "runtime/out_int.h"

/* ORDER OUT_FORMAT */
static const struct {
	const char *name;
	const struct out_ops *ops;
} formats[] = {
	[OUT_TEXT] = { "text", &out_text_ops },
	[OUT_JSON] = { "json", &out_json_ops },
	[OUT_FOLDED] = { "folded", &out_folded_ops },
};
_Static_assert(sizeof(formats) / sizeof(formats[0]) == OUT__COUNT,
	       "every output format needs a row");

int out_format_parse(const char *name, enum out_format *f)
{
	for (int i = 0; i < OUT__COUNT; i++) {
		if (strcmp(formats[i].name, name) == 0) {
			*f = (enum out_format)i;
			return 0;
		}
	}
	return -EINVAL;
}

const struct out_ops *out_ops_of(const struct out *o)
{
	return (unsigned)o->format < OUT__COUNT ? formats[o->format].ops : &out_text_ops;
}

void out_printf(struct out *o, const char *fmt, const struct gt_type *args,
		int nargs, const uint8_t *data)
{
	out_ops_of(o)->printf(o, fmt, args, nargs, data);
}

void out_value(struct out *o, const struct gt_type *t, const uint8_t *data)
{
	out_ops_of(o)->value(o, t, data);
}

/* time(): strftime of the local time now; no newline is added beyond
 * what the format holds. */
void out_time(struct out *o, const char *fmt)
{
	char buf[1024];
	time_t now = time(NULL);
	struct tm tm;
	size_t n;

	localtime_r(&now, &tm);
	n = strftime(buf, sizeof(buf), fmt ? fmt : "%H:%M:%S\n", &tm);
	out_ops_of(o)->time(o, buf, n);
}

void out_attached(struct out *o, int nprobes)
{
	out_ops_of(o)->attached(o, nprobes);
	/* -f json writes it to stdout: a reader waits for it. */
	fflush(o->f);
}

void out_notice(struct out *o, const struct out_notice *n)
{
	/* Lost events and faulted reads are facts about the output, kept
	 * under --no-warnings (as bpftrace keeps its lost-events line). */
	bool warning = n->kind != NOTICE_LOST_EVENTS && n->kind != NOTICE_FAULTS;

	if (warning && !diag_warnings_on())
		return;
	out_ops_of(o)->notice(o, n);
}

/* 12034 -> "12,034": counts in warnings are read, not parsed. */
static const char *grouped(uint64_t v, char *buf, size_t len)
{
	char digits[32];
	int n = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v), o = 0;

	for (int i = 0; i < n && (size_t)o + 2 < len; i++) {
		if (i && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = 0;
	return buf;
}

void out_helper_error(struct out *o, const char *helper, int retcode, const struct loc *loc)
{
	out_ops_of(o)->helper_error(o, helper, retcode, loc);
}

void out_notice_text(const struct out_notice *n, char *buf, size_t len)
{
	char count[32], limit[32];

	grouped(n->count, count, sizeof(count));
	grouped(n->limit, limit, sizeof(limit));
	switch (n->kind) {
	case NOTICE_LOST_EVENTS:
		snprintf(buf, len, "%llu events lost: the ring buffer was full",
			 (unsigned long long)n->count);
		break;
	case NOTICE_FAULTS:
		snprintf(buf, len, "%llu memory reads faulted and gave 0",
			 (unsigned long long)n->count);
		break;
	case NOTICE_MAP_FULL:
		snprintf(buf, len, "warning: %s: %s update%s dropped%s, map full at %s keys "
			 "(raise with BPFTRACE_MAP_KEYS_MAX)", n->what, count,
			 n->count == 1 ? "" : "s", n->total ? " in all" : "", limit);
		break;
	case NOTICE_STRINGS_CUT:
		snprintf(buf, len, "warning: %s Go string%s longer than go_str()'s bound %s "
			 "cut (the bound goes up to 255: go_str(n, max))", count,
			 n->count == 1 ? "" : "s", n->count == 1 ? "was" : "were");
		break;
	case NOTICE_PIDS_REUSED:
		snprintf(buf, len, "warning: %s time%s a process ID changed program while "
			 "traced (reused by a new process, or exec): stacks are symbolized "
			 "by process ID, so one recorded before may show the later "
			 "program's functions", count, n->count == 1 ? "" : "s");
		break;
	case NOTICE_PIDS_GONE:
		/* The map is read at a stack's first key in an aggregation or
		 * a map of integers, or else when the stack is printed:
		 * whichever came after the exit. */
		snprintf(buf, len, "warning: stacks of %s process%s show addresses: "
			 "%s exited before gotrace could read %s memory map%s (print "
			 "with interval while %s)", count, n->count == 1 ? "" : "es",
			 n->count == 1 ? "it" : "they", n->count == 1 ? "its" : "their",
			 n->count == 1 ? "" : "s",
			 n->count == 1 ? "it runs" : "they run");
		break;
	case NOTICE_STACKS_LOST:
		snprintf(buf, len, "warning: %s %s stack%s not kept, stack store full at "
			 "%s stacks (raise with BPFTRACE_MAP_KEYS_MAX): they print as "
			 "empty stacks", count, n->what, n->count == 1 ? "" : "s", limit);
		break;
	}
}

void out_exit_header(struct out *o)
{
	out_ops_of(o)->exit_header(o);
}
