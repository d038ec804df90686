/*
 * AST construction helpers and the `-d ast` dump.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser/ast.h"

static const char *const kind_names[] = {
	[N_INT] = "int", [N_STR] = "string", [N_IDENT] = "builtin",
	[N_CALL] = "call", [N_MAP] = "map", [N_VAR] = "variable",
	[N_POSPARAM] = "positional", [N_POSCOUNT] = "$#", [N_FIELD] = "field",
	[N_TUPLE] = "tuple", [N_CAST] = "cast", [N_TERNARY] = "?:",
	[N_NEG] = "-", [N_NOT] = "!", [N_BITNOT] = "~", [N_PREINC] = "++ (pre)",
	[N_PREDEC] = "-- (pre)", [N_POSTINC] = "++ (post)",
	[N_POSTDEC] = "-- (post)", [N_INDEX] = ".N", [N_SUBSCRIPT] = "[]",
	[N_DEREF] = "* (deref)", [N_GOREAD] = "go read", [N_GOSTR] = "go string",
	[N_SIZEOF] = "sizeof", [N_OFFSETOF] = "offsetof", [N_ADD] = "+", [N_SUB] = "-", [N_MUL] = "*",
	[N_DIV] = "/", [N_MOD] = "%", [N_BAND] = "&", [N_BOR] = "|",
	[N_BXOR] = "^", [N_SHL] = "<<", [N_SHR] = ">>", [N_LAND] = "&&",
	[N_LOR] = "||", [N_EQ] = "==", [N_NE] = "!=", [N_LT] = "<",
	[N_LE] = "<=", [N_GT] = ">", [N_GE] = ">=", [N_ASSIGN] = "=",
	[N_EXPR_STMT] = "expr", [N_IF] = "if", [N_UNROLL] = "unroll",
	[N_WHILE] = "while", [N_BREAK] = "break", [N_CONTINUE] = "continue",
	[N_FOR] = "for", [N_LET] = "let", [N_CONFIG] = "config",
	[N_RETURN] = "return", [N_PROBE] = "probe",
};
_Static_assert(sizeof(kind_names) / sizeof(kind_names[0]) == N_PROBE + 1,
	       "kind_names must name every node kind");

const char *node_kind_name(enum node_kind k)
{
	return kind_names[k];
}

struct node *node_new(enum node_kind kind, const struct loc *loc)
{
	struct node *n = calloc(1, sizeof(*n));

	if (!n)
		abort(); /* out of memory while parsing: nothing sane to do */
	n->kind = kind;
	if (loc)
		n->loc = *loc;
	n->async_id = -1;
	return n;
}

struct node *node_binop(enum node_kind kind, struct node *l, struct node *r,
			const struct loc *loc)
{
	struct node *n = node_new(kind, loc);

	n->lhs = l;
	n->rhs = r;
	return n;
}

struct node *node_append(struct node *list, struct node *n)
{
	struct node *p;

	if (!list)
		return n;
	/* The parser appends statements one at a time: walking from the
	 * head each time made a 10,000-statement probe quadratic. */
	for (p = list->tail ? list->tail : list; p->next; p = p->next)
		;
	p->next = n;
	for (p = n && n->tail ? n->tail : n; p && p->next; p = p->next)
		;
	list->tail = p ? p : list->tail;
	return list;
}

int node_count(const struct node *list)
{
	int n = 0;

	for (; list; list = list->next)
		n++;
	return n;
}

static struct node *copy_list(const struct node *list);

/* Deep copy of a node and everything under it (not its siblings). Each
 * program gets its own copy of its probe's body. */
struct node *node_copy(const struct node *n)
{
	struct node *c;

	if (!n)
		return NULL;
	c = node_new(n->kind, &n->loc);
	*c = *n;
	c->next = NULL;
	c->str = n->str ? strdup(n->str) : NULL;
	c->lhs = node_copy(n->lhs);
	c->rhs = node_copy(n->rhs);
	c->cond = node_copy(n->cond);
	c->args = copy_list(n->args);
	c->body = copy_list(n->body);
	c->els = copy_list(n->els);
	return c;
}

/* With a tail pointer: node_append() walks the list, which made copying
 * a probe of N statements cost N^2/2 steps. */
static struct node *copy_list(const struct node *list)
{
	struct node *head = NULL, **tail = &head;

	for (; list; list = list->next) {
		*tail = node_copy(list);
		tail = &(*tail)->next;
	}
	return head;
}

struct depth_item {
	const struct node *n;
	int depth;
};

static void push(struct depth_item **st, size_t *len, size_t *cap,
		 const struct node *n, int depth)
{
	if (*len == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		*st = realloc(*st, *cap * sizeof(**st));
		if (!*st)
			abort();
	}
	(*st)[(*len)++] = (struct depth_item){ n, depth };
}

/* Sema, codegen and node_copy() recurse over the tree, one C stack frame
 * or more per level. Bison's stack bounds nesting made of brackets, but
 * not a chain like 1 + 1 + ... + 1, which it parses left-recursively into
 * a tree as deep as the chain is long; 50,000 terms overflowed an 8 MB
 * stack. So the depth is checked here, without recursion. */
const struct node *ast_too_deep(const struct node *probes, int max)
{
	struct depth_item *st = NULL, it;
	size_t len = 0, cap = 0;
	const struct node *bad = NULL;

	for (const struct node *p = probes; p; p = p->next)
		push(&st, &len, &cap, p, 1);
	while (len && !bad) {
		it = st[--len];
		if (it.depth > max) {
			bad = it.n;
			break;
		}
		const struct node *one[] = { it.n->lhs, it.n->rhs, it.n->cond };
		const struct node *lists[] = { it.n->args, it.n->body, it.n->els };
		for (int i = 0; i < 3; i++) {
			if (one[i])
				push(&st, &len, &cap, one[i], it.depth + 1);
			for (const struct node *k = lists[i]; k; k = k->next)
				push(&st, &len, &cap, k, it.depth + 1);
		}
	}
	free(st);
	return bad;
}

static void dump(const struct node *n, int depth, FILE *f);

static void dump_list(const struct node *n, int depth, FILE *f)
{
	for (; n; n = n->next)
		dump(n, depth, f);
}

static void dump(const struct node *n, int depth, FILE *f)
{
	fprintf(f, "%*s%s", depth * 2, "", kind_names[n->kind]);
	if (n->kind == N_INT || n->kind == N_POSPARAM || n->kind == N_UNROLL ||
	    n->kind == N_INDEX)
		fprintf(f, " %lld", (long long)n->ival);
	if (n->str)
		fprintf(f, n->kind == N_STR ? " \"%s\"" : " %s", n->str);
	if (n->kind == N_PROBE)
		for (struct probe_spec *s = n->specs; s; s = s->next)
			fprintf(f, " %s", s->text);
	fprintf(f, "\n");
	if (n->cond)
		dump(n->cond, depth + 1, f);
	dump_list(n->args, depth + 1, f);
	if (n->lhs)
		dump(n->lhs, depth + 1, f);
	if (n->rhs)
		dump(n->rhs, depth + 1, f);
	dump_list(n->body, depth + 1, f);
	if (n->els) {
		fprintf(f, "%*selse\n", depth * 2, "");
		dump_list(n->els, depth + 1, f);
	}
}

void ast_dump(const struct program *p, FILE *f)
{
	fprintf(f, "Program\n");
	dump_list(p->probes, 1, f);
}
