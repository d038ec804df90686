/*
 * The abstract syntax tree.
 *
 * One struct node for every kind, as in chibicc: the fields a kind uses
 * are listed next to it. Lists (arguments, map keys, statements, probes)
 * are chained through `next`. Every node carries its source range, so any
 * later pass can point at it. Sema fills in `type` and the resolved
 * `builtin`/`func`/`map`/`var` fields; codegen reads them.
 */
#ifndef GOTRACE_AST_H
#define GOTRACE_AST_H

#include <stdint.h>
#include <stdio.h>

#include "common/diag.h"
#include "common/types.h"

enum node_kind {
	/* expressions */
	N_INT,		/* 42                        ival */
	N_STR,		/* "text"                    str */
	N_IDENT,	/* pid, comm, arg0 ...       str (a builtin) */
	N_CALL,		/* count(), printf(...)      str, args */
	N_MAP,		/* @name, @name[k1, k2]      str, args (keys) */
	N_VAR,		/* $name                     str */
	N_POSPARAM,	/* $1                        ival */
	N_POSCOUNT,	/* $#                        */
	N_FIELD,	/* x.name, x->name           lhs, str; ival: a tracepoint
			   field's index, or a Go field's offset */
	N_TUPLE,	/* (a, b)                    args */
	N_CAST,		/* (uint32)x                 str (type), lhs */
	N_TERNARY,	/* c ? a : b                 cond, lhs, rhs */
	N_NEG,		/* -x                        lhs */
	N_NOT,		/* !x                        lhs */
	N_BITNOT,	/* ~x                        lhs */
	N_PREINC,	/* ++x                       lhs (map or var) */
	N_PREDEC,	/* --x */
	N_POSTINC,	/* x++ */
	N_POSTDEC,	/* x-- */
	N_INDEX,	/* $t.1: tuple element       lhs, ival */
	N_SUBSCRIPT,	/* x[i]: Go string, slice or array element   lhs, rhs */
	N_DEREF,	/* *p: what a Go pointer points at           lhs */
	N_GOREAD,	/* a Go value read from user memory (sema)   lhs: the
			   address; type says what is read */
	N_GOSTR,	/* a Go string's bytes (sema)                lhs: the string */
	N_SIZEOF,	/* sizeof(uint32)            str (type) */
	N_OFFSETOF,	/* offsetof(struct s, a.b)   str (type), args: N_STR
			   "a.b" */
	/* binary operators: lhs OP rhs */
	N_ADD,		/* + (ival 1: a C pointer's offset, scaled by sema) */
	N_SUB,		/* - */
	N_MUL,		/* * */
	N_DIV,		/* / */
	N_MOD,		/* % */
	N_BAND,		/* & */
	N_BOR,		/* | */
	N_BXOR,		/* ^ */
	N_SHL,		/* << */
	N_SHR,		/* >> */
	N_LAND,		/* && */
	N_LOR,		/* || */
	N_EQ,		/* == */
	N_NE,		/* != */
	N_LT,		/* < */
	N_LE,		/* <= */
	N_GT,		/* > */
	N_GE,		/* >= */
	/* statements */
	N_ASSIGN,	/* lhs = rhs; lhs is N_MAP or N_VAR. `x op= y` is
			   parsed as x = x op y, with ival 1 */
	N_EXPR_STMT,	/* lhs; */
	N_IF,		/* if (cond) { body } else { els } */
	N_UNROLL,	/* unroll (ival) { body } */
	N_WHILE,	/* while (cond) { body } */
	N_BREAK,	/* break; */
	N_CONTINUE,	/* continue; */
	N_FOR,		/* for ($v : @m) { body }: lhs var, rhs map; or
			   for ($v : a..b) { body }: lhs var, args a, b */
	N_LET,		/* let $v; let $v: T;        lhs var, str T or NULL */
	N_CONFIG,	/* KEY = value in config = { }: str KEY, lhs value */
	N_RETURN,	/* return; */
	/* top level */
	N_PROBE,	/* specs /cond/ { body } */
};

/* One attach point of a probe, as written: "uprobe:/bin/x:main.f+4". */
struct probe_spec {
	struct loc loc;
	char *text;		/* as written */
	struct probe_spec *next;
};

struct builtin;
struct func;
struct map_info;
struct var_info;

struct node {
	enum node_kind kind;
	struct loc loc;
	struct node *next;
	struct node *tail;	/* a list's head: a node at or before its end,
				   so that node_append() need not walk it all */

	int64_t ival;
	char *str;
	struct node *lhs, *rhs, *cond;
	struct node *args;	/* call arguments, map keys, tuple elements */
	struct node *body, *els;
	struct probe_spec *specs; /* N_PROBE */

	/* filled in by sema */
	struct gt_type type;
	const struct builtin *builtin;	/* N_IDENT */
	const struct func *func;	/* N_CALL */
	struct map_info *map;		/* N_MAP */
	struct var_info *var;		/* N_VAR */
	int async_id;			/* N_CALL of printf, exit, ...: ring-buffer id */
	bool arrow;			/* N_FIELD: written x->name, not x.name */
};

/* A C definition at the top of a program, as written:
 * "struct foo { int a; };" (sema/ctypes.c parses it). */
struct cdef {
	struct loc loc;
	char *text;
	struct cdef *next;
};

struct program {
	struct cdef *cdefs;	/* in program order */
	struct node *probes;	/* N_PROBE list */
	struct node *config;	/* N_CONFIG list of `config = { ... }` */
};

struct node *node_new(enum node_kind kind, const struct loc *loc);
struct node *node_binop(enum node_kind kind, struct node *l, struct node *r,
			const struct loc *loc);
struct node *node_append(struct node *list, struct node *n);
int node_count(const struct node *list);
struct node *node_copy(const struct node *n);
/* A node nested deeper than max levels, or NULL. */
const struct node *ast_too_deep(const struct node *probes, int max);
const char *node_kind_name(enum node_kind k);
void ast_dump(const struct program *p, FILE *f);

/* Parse `text`. Returns 0 and fills *out, or -EINVAL after printing
 * diagnostics. */
int parse_program(const char *text, struct program *out);

#endif
