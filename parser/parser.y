/*
 * The grammar: bpftrace's language.
 *
 *   program   = ("config" "=" "{" (IDENT "=" value ";")* "}")? cdef* probe+
 *   cdef      = C struct, union, enum or typedef definition, up to its ';'
 *               (a struct, union or enum: or its closing brace)
 *               (one token: sema/cdefs.c parses it)
 *   probe     = spec ("," spec)* ("/" expr "/")? block
 *   block     = "{" stmts "}"
 *   stmt      = expr | lvalue "=" expr | lvalue op"=" expr | "return"
 *             | "if" "(" expr ")" block ("else" (block | if))?
 *             | "unroll" "(" (INT | POSPARAM) ")" block | "while" "(" expr ")" block
 *             | "break" | "continue"
 *             | "for" "(" VAR ":" (expr | expr ".." expr) ")" block
 *             | "let" VAR (":" TYPE)? ("=" expr)?
 *   expr      = C expression precedence, from ?: down to unary and postfix
 *   ctype     = TYPE "*"* | ("struct" | "union") IDENT "*"*
 *               (in casts, sizeof(ctype) and offsetof(ctype, IDENT ("." IDENT)*))
 *
 * Each rule only builds nodes; meaning is sema's job. `x op= y` becomes
 * `x = x op y` here, so later passes see one kind of assignment.
 */
%code requires {
#include "parser/ast.h"
typedef void *yyscan_t;
}

%code {
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "parser/lex_extra.h"

int yylex(YYSTYPE *lval, struct loc *lloc, yyscan_t scanner);
static void yyerror(struct loc *l, yyscan_t scanner, struct program *prog,
		    const char *msg);
static struct node *compound(enum node_kind op, struct node *lv, struct node *rhs,
			     const struct loc *l);
static char *cat3(const char *a, const char *b, const char *c);
}

%define api.pure full
%define api.location.type {struct loc}
%define parse.error verbose
%locations
%param {yyscan_t scanner}
%parse-param {struct program *prog}
%expect 0
%initial-action { @$ = (struct loc){ 1, 0, 1, 0 }; }

/* `@m[k]` is a map with a key, never @m indexed: after a map name, '['
 * shifts into the map rule (MAP's lower precedence says so). */
%precedence MAP
%precedence '['


%union {
	int64_t num;
	char *str;
	struct node *node;
	struct probe_spec *spec;
	struct cdef *cdef;
}

%token <str> SPEC "attach point" IDENT "identifier" MAP "map" VAR "variable"
%token <str> STRING "string" TYPE "type name" CDEF "C definition"
%token <num> INT "integer" POSPARAM "positional parameter"
%token POSCOUNT "$#" PRED_BEGIN "'/'" PRED_END "end of predicate"
%token IF "if" ELSE "else" UNROLL "unroll" RETURN "return" WHILE "while"
%token BREAK "break" CONTINUE "continue" FOR "for" LET "let" CONFIG "config"
%token DOTDOT ".." STRUCT "struct" UNION "union"
%token EQ "==" NE "!=" LE "<=" GE ">=" SHL "<<" SHR ">>" LAND "&&" LOR "||"
%token INC "++" DEC "--" ARROW "->"
%token ADD_ASSIGN "+=" SUB_ASSIGN "-=" MUL_ASSIGN "*=" DIV_ASSIGN "/="
%token MOD_ASSIGN "%=" AND_ASSIGN "&=" OR_ASSIGN "|=" XOR_ASSIGN "^="
%token SHL_ASSIGN "<<=" SHR_ASSIGN ">>="
%token BAD_CHAR "invalid character" BAD_STRING "unterminated string"
%token BAD_COMMENT "unterminated comment" BAD_CDEF "C definition without its ';'"

%type <node> probes probe pred block stmts stmt_list stmt block_stmt else_opt expr ternary
%type <node> lor land bor bxor band eq rel shift add mul unary postfix primary
%type <node> map lvalue exprs args config config_items config_item config_value var
%type <spec> specs
%type <str> ctype members
%type <cdef> cdefs
%type <num> op_assign

%%

program:	config cdefs probes	{ prog->config = $1; prog->cdefs = $2; prog->probes = $3; }
	;

cdefs:		%empty			{ $$ = NULL; }
	|	cdefs CDEF		{ struct cdef *d = calloc(1, sizeof(*d)), **p = &$1;
					  d->text = $2; d->loc = @2;
					  while (*p) p = &(*p)->next;
					  *p = d; $$ = $1; }
	;
/* config = { max_map_keys = 100; ... }, before the probes (newer bpftrace) */
config:		%empty			{ $$ = NULL; }
	|	CONFIG '=' '{' config_items '}' { $$ = $4; }
	;

config_items:	%empty			{ $$ = NULL; }
	|	config_item		{ $$ = $1; }
	|	config_item ';' config_items { $$ = node_append($1, $3); }
	;

config_item:	IDENT '=' config_value	{ $$ = node_new(N_CONFIG, &@1); $$->str = $1; $$->lhs = $3; }
	;

config_value:	INT			{ $$ = node_new(N_INT, &@1); $$->ival = $1; }
	|	STRING			{ $$ = node_new(N_STR, &@1); $$->str = $1; }
	|	IDENT			{ $$ = node_new(N_STR, &@1); $$->str = $1; }
	;

probes:		probe			{ $$ = $1; }
	|	probes probe		{ $$ = node_append($1, $2); }
	;

probe:		specs pred block	{ $$ = node_new(N_PROBE, &@1); $$->specs = $1;
					  $$->cond = $2; $$->body = $3; }
	;

specs:		SPEC			{ $$ = calloc(1, sizeof(*$$)); $$->text = $1; $$->loc = @1; }
	|	specs ',' SPEC		{ struct probe_spec *s = calloc(1, sizeof(*s)), *p = $1;
					  s->text = $3; s->loc = @3;
					  while (p->next) p = p->next;
					  p->next = s; $$ = $1; }
	;

pred:		%empty			{ $$ = NULL; }
	|	PRED_BEGIN expr PRED_END { $$ = $2; }
	;

block:		'{' stmts '}'		{ $$ = $2; }
	;

/* Left recursive, so that a long block does not grow bison's stack: the
 * stack then only grows with nesting. */
stmts:		stmt_list		{ $$ = $1; }
	|	stmt_list stmt		{ $$ = node_append($1, $2); }
	;

stmt_list:	%empty			{ $$ = NULL; }
	|	stmt_list stmt ';'	{ $$ = node_append($1, $2); }
	|	stmt_list block_stmt	{ $$ = node_append($1, $2); }
	|	stmt_list ';'		{ $$ = $1; }
	;

block_stmt:	IF '(' expr ')' block else_opt
					{ $$ = node_new(N_IF, &@1); $$->cond = $3;
					  $$->body = $5; $$->els = $6; }
	|	UNROLL '(' INT ')' block { $$ = node_new(N_UNROLL, &@1); $$->ival = $3;
					  $$->body = $5; }
	|	UNROLL '(' POSPARAM ')' block { $$ = node_new(N_UNROLL, &@1);
					  $$->cond = node_new(N_POSPARAM, &@3);
					  $$->cond->ival = $3; $$->body = $5; }
	|	WHILE '(' expr ')' block { $$ = node_new(N_WHILE, &@1); $$->cond = $3;
					  $$->body = $5; }
	|	FOR '(' var ':' expr ')' block
					{ $$ = node_new(N_FOR, &@1); $$->lhs = $3;
					  $$->rhs = $5; $$->body = $7; }
	|	FOR '(' var ':' expr DOTDOT expr ')' block
					{ $$ = node_new(N_FOR, &@1); $$->lhs = $3;
					  $$->args = node_append($5, $7); $$->body = $9; }
	;

var:		VAR			{ $$ = node_new(N_VAR, &@1); $$->str = $1; }
	;

else_opt:	%empty			{ $$ = NULL; }
	|	ELSE block		{ $$ = $2; }
	|	ELSE block_stmt		{ $$ = $2; }
	;

stmt:		expr			{ $$ = node_new(N_EXPR_STMT, &@1); $$->lhs = $1; }
	|	lvalue '=' expr		{ $$ = node_binop(N_ASSIGN, $1, $3, &@2); }
	|	lvalue op_assign expr	{ $$ = compound((enum node_kind)$2, $1, $3, &@2); }
	|	RETURN			{ $$ = node_new(N_RETURN, &@1); }
	|	BREAK			{ $$ = node_new(N_BREAK, &@1); }
	|	CONTINUE		{ $$ = node_new(N_CONTINUE, &@1); }
	|	LET var			{ $$ = node_new(N_LET, &@1); $$->lhs = $2; }
	|	LET var ':' TYPE	{ $$ = node_new(N_LET, &@1); $$->lhs = $2; $$->str = $4; }
	|	LET var '=' expr	{ $$ = node_binop(N_ASSIGN, $2, $4, &@3); }
	|	LET var ':' TYPE '=' expr
					{ struct node *c = node_new(N_CAST, &@4);
					  c->str = $4; c->lhs = $6;
					  $$ = node_binop(N_ASSIGN, $2, c, &@5); }
	;

op_assign:	ADD_ASSIGN { $$ = N_ADD; } | SUB_ASSIGN { $$ = N_SUB; }
	|	MUL_ASSIGN { $$ = N_MUL; } | DIV_ASSIGN { $$ = N_DIV; }
	|	MOD_ASSIGN { $$ = N_MOD; } | AND_ASSIGN { $$ = N_BAND; }
	|	OR_ASSIGN { $$ = N_BOR; } | XOR_ASSIGN { $$ = N_BXOR; }
	|	SHL_ASSIGN { $$ = N_SHL; } | SHR_ASSIGN { $$ = N_SHR; }
	;

lvalue:		map			{ $$ = $1; }
	|	VAR			{ $$ = node_new(N_VAR, &@1); $$->str = $1; }
	;

map:		MAP %prec MAP		{ $$ = node_new(N_MAP, &@1); $$->str = $1; }
	|	MAP '[' exprs ']'	{ $$ = node_new(N_MAP, &@$); $$->str = $1; $$->args = $3; }
	;

exprs:		expr			{ $$ = $1; }
	|	exprs ',' expr		{ $$ = node_append($1, $3); }
	;

args:		%empty			{ $$ = NULL; }
	|	exprs			{ $$ = $1; }
	;

expr:		ternary			{ $$ = $1; }
	;

ternary:	lor			{ $$ = $1; }
	|	lor '?' expr ':' ternary { $$ = node_new(N_TERNARY, &@2); $$->cond = $1;
					  $$->lhs = $3; $$->rhs = $5; }
	;

lor:		land | lor LOR land	{ $$ = node_binop(N_LOR, $1, $3, &@2); } ;
land:		bor | land LAND bor	{ $$ = node_binop(N_LAND, $1, $3, &@2); } ;
bor:		bxor | bor '|' bxor	{ $$ = node_binop(N_BOR, $1, $3, &@2); } ;
bxor:		band | bxor '^' band	{ $$ = node_binop(N_BXOR, $1, $3, &@2); } ;
band:		eq | band '&' eq	{ $$ = node_binop(N_BAND, $1, $3, &@2); } ;

eq:		rel
	|	eq EQ rel		{ $$ = node_binop(N_EQ, $1, $3, &@2); }
	|	eq NE rel		{ $$ = node_binop(N_NE, $1, $3, &@2); }
	;

rel:		shift
	|	rel '<' shift		{ $$ = node_binop(N_LT, $1, $3, &@2); }
	|	rel '>' shift		{ $$ = node_binop(N_GT, $1, $3, &@2); }
	|	rel LE shift		{ $$ = node_binop(N_LE, $1, $3, &@2); }
	|	rel GE shift		{ $$ = node_binop(N_GE, $1, $3, &@2); }
	;

shift:		add
	|	shift SHL add		{ $$ = node_binop(N_SHL, $1, $3, &@2); }
	|	shift SHR add		{ $$ = node_binop(N_SHR, $1, $3, &@2); }
	;

add:		mul
	|	add '+' mul		{ $$ = node_binop(N_ADD, $1, $3, &@2); }
	|	add '-' mul		{ $$ = node_binop(N_SUB, $1, $3, &@2); }
	;

mul:		unary
	|	mul '*' unary		{ $$ = node_binop(N_MUL, $1, $3, &@2); }
	|	mul '/' unary		{ $$ = node_binop(N_DIV, $1, $3, &@2); }
	|	mul '%' unary		{ $$ = node_binop(N_MOD, $1, $3, &@2); }
	;

unary:		postfix
	|	'-' unary		{ $$ = node_new(N_NEG, &@1); $$->lhs = $2; }
	|	'*' unary		{ $$ = node_new(N_DEREF, &@1); $$->lhs = $2; }
	|	'!' unary		{ $$ = node_new(N_NOT, &@1); $$->lhs = $2; }
	|	'~' unary		{ $$ = node_new(N_BITNOT, &@1); $$->lhs = $2; }
	|	INC lvalue		{ $$ = node_new(N_PREINC, &@$); $$->lhs = $2; }
	|	DEC lvalue		{ $$ = node_new(N_PREDEC, &@$); $$->lhs = $2; }
	|	'(' ctype ')' unary	{ $$ = node_new(N_CAST, &@$); $$->str = $2; $$->lhs = $4; }
	;

/* A member path of offsetof(): "a", "a.b". */
members:	IDENT			{ $$ = $1; }
	|	members '.' IDENT	{ $$ = cat3($1, ".", $3); }
	;

/* A type as written, in one string with single spaces: "struct foo *". */
ctype:		TYPE			{ $$ = $1; }
	|	STRUCT IDENT		{ $$ = cat3("struct", " ", $2); }
	|	UNION IDENT		{ $$ = cat3("union", " ", $2); }
	|	ctype '*'		{ $$ = cat3($1, strchr($1, '*') ? "*" : " *", ""); }
	;

postfix:	primary
	|	lvalue INC		{ $$ = node_new(N_POSTINC, &@$); $$->lhs = $1; }
	|	lvalue DEC		{ $$ = node_new(N_POSTDEC, &@$); $$->lhs = $1; }
	|	postfix '.' INT		{ $$ = node_new(N_INDEX, &@$); $$->lhs = $1; $$->ival = $3; }
	|	postfix '.' IDENT	{ $$ = node_new(N_FIELD, &@$); $$->lhs = $1; $$->str = $3; }
	|	postfix ARROW IDENT	{ $$ = node_new(N_FIELD, &@$); $$->lhs = $1; $$->str = $3;
					  $$->arrow = true; }
	|	postfix '[' expr ']'	{ $$ = node_new(N_SUBSCRIPT, &@$); $$->lhs = $1; $$->rhs = $3; }
	;

primary:	INT			{ $$ = node_new(N_INT, &@1); $$->ival = $1; }
	|	STRING			{ $$ = node_new(N_STR, &@1); $$->str = $1; }
	|	IDENT			{ $$ = node_new(N_IDENT, &@1); $$->str = $1; }
	|	IDENT '(' args ')'	{ $$ = node_new(N_CALL, &@$); $$->str = $1; $$->args = $3; }
	|	IDENT '(' ctype ',' members ')'
					{ $$ = node_new(N_OFFSETOF, &@$); $$->str = $3;
					  $$->args = node_new(N_STR, &@5); $$->args->str = $5;
					  if (strcmp($1, "offsetof") != 0)
						  diag_error(&@1, "a type name can only be given to "
							     "sizeof() and offsetof()"); }
	|	IDENT '(' ctype ')'	{ $$ = node_new(N_SIZEOF, &@$); $$->str = $3;
					  if (strcmp($1, "sizeof") != 0)
						  diag_error(&@1, "a type name can only be given to sizeof()"); }
	|	lvalue			{ $$ = $1; }
	|	POSPARAM		{ $$ = node_new(N_POSPARAM, &@1); $$->ival = $1; }
	|	POSCOUNT		{ $$ = node_new(N_POSCOUNT, &@1); }
	|	'(' expr ')'		{ $$ = $2; }
	|	'(' expr ',' exprs ')'	{ $$ = node_new(N_TUPLE, &@$); $$->args = node_append($2, $4); }
	;

%%

static char *cat3(const char *a, const char *b, const char *c)
{
	char *s = malloc(strlen(a) + strlen(b) + strlen(c) + 1);

	strcpy(s, a);
	strcat(s, b);
	return strcat(s, c);
}

static struct node *compound(enum node_kind op, struct node *lv, struct node *rhs,
			     const struct loc *l)
{
	struct node *bin = node_binop(op, node_copy(lv), rhs, l);
	struct node *n = node_binop(N_ASSIGN, lv, bin, l);

	n->ival = 1; /* compound: the target is also read, as an integer */
	return n;
}

#include "lexer.h"

static void yyerror(struct loc *l, yyscan_t scanner, struct program *prog,
		    const char *msg)
{
	struct lex_extra *x = yyget_extra(scanner);
	const char *p = msg;

	(void)prog;
	if (strcmp(p, "memory exhausted") == 0) {
		/* Bison's stack (YYMAXDEPTH entries) holds one entry per
		 * open bracket, operator or statement being nested. */
		diag_error(l, "the program nests too deeply here (parser stack exhausted)");
		return;
	}
	if (strncmp(p, "syntax error, ", 14) == 0)
		p += 14;
	if (strstr(p, "unexpected end of file") && x->depth > 0 &&
	    x->depth <= LEX_MAX_DEPTH) {
		int d = x->depth - 1;
		diag_error(l, "%s (to close '{' at line %d)", p, x->open_line[d]);
		return;
	}
	diag_error(l, "%s", p);
}

/* Deep enough for any program written by hand, shallow enough for the
 * recursion in later passes, even in a build with AddressSanitizer. */
#define MAX_DEPTH 1000

int parse_program(const char *text, struct program *out)
{
	const struct node *deep;
	struct lex_extra extra = { 0 };
	yyscan_t scanner;
	YY_BUFFER_STATE buf;
	char *copy = strdup(text);
	int rc;

	memset(out, 0, sizeof(*out));
	if (!copy)
		return -ENOMEM;
	if (pp_run(&extra.pp, copy)) {
		free(copy);
		return -EINVAL;
	}
	if (yylex_init_extra(&extra, &scanner)) {
		free(copy);
		return -ENOMEM;
	}
	buf = yy_scan_string(copy, scanner);
	free(copy);
	rc = yyparse(scanner, out);
	yy_delete_buffer(buf, scanner);
	yylex_destroy(scanner);
	free(extra.cbuf);
	if (rc != 0 || diag_errors() > 0)
		return -EINVAL;
	if (!out->probes) {
		diag_error(NULL, "the program has no probes");
		return -EINVAL;
	}
	deep = ast_too_deep(out->probes, MAX_DEPTH);
	if (deep) {
		diag_error(&deep->loc, "the program nests more than %d levels deep here "
			   "(a chain of operators counts one level per operator)",
			   MAX_DEPTH);
		return -EINVAL;
	}
	return 0;
}
