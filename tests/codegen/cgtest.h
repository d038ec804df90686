/*
 * Shared scaffolding for the codegen module tests: a libbpf print callback
 * that records warnings (a BTF problem shows up only as a libbpf warning,
 * since libbpf falls back to loading without BTF), check macros, and
 * open/load of an emitted object. Test programs include this once.
 */
#ifndef GOTRACE_TEST_CGTEST_H
#define GOTRACE_TEST_CGTEST_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "codegen/module.h"
#include "tests/check.h"

static int bad_warnings;
static int quiet;          /* a failure is expected: count nothing, print nothing */

/* Warnings mentioning BTF or a failure count as test failures; debug
 * output is shown only with CGTEST_VERBOSE set. */
static int print_cb(enum libbpf_print_level lvl, const char *fmt, va_list ap)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	if (quiet || (lvl == LIBBPF_DEBUG && !getenv("CGTEST_VERBOSE")))
		return 0;
	fputs(line, stderr);
	if (lvl == LIBBPF_WARN &&
	    (strstr(line, "BTF") || strstr(line, "fail") || strstr(line, "Fail")))
		bad_warnings++;
	return 0;
}

static inline void cgtest_init(void)
{
	libbpf_set_print(print_cb);
}

/* Emit module `m` and open + load it; NULL on failure (reported). The
 * object file is handed back in *out and *outlen when out is not NULL. */
static inline struct bpf_object *cgtest_load(struct cg_module *m, const char *name,
					     void **out, size_t *outlen)
{
	char err[512] = "";
	void *buf = NULL;
	size_t len = 0;
	struct bpf_object *obj;
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = name);

	if (cgm_emit(m, &buf, &len, err, sizeof(err))) {
		CHECK(0, "%s: emit: %s", name, err);
		return NULL;
	}
	obj = bpf_object__open_mem(buf, len, &oo);
	if (out) {
		*out = buf;
		*outlen = len;
	} else {
		free(buf);
	}
	if (!obj) {
		CHECK(0, "%s: bpf_object__open_mem failed", name);
		return NULL;
	}
	if (bpf_object__load(obj)) {
		CHECK(0, "%s: bpf_object__load failed", name);
		bpf_object__close(obj);
		return NULL;
	}
	return obj;
}

/* The kernel accepted the program's BTF (func_info is dropped silently by
 * libbpf when it does not). */
static inline void cgtest_check_prog_btf(struct bpf_program *p)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	CHECK(!bpf_prog_get_info_by_fd(bpf_program__fd(p), &info, &len),
	      "prog info");
	CHECK(info.btf_id != 0, "prog '%s' loaded without BTF",
	      bpf_program__name(p));
	CHECK(info.nr_func_info == 1, "prog '%s': %u func_info records",
	      bpf_program__name(p), info.nr_func_info);
}

#endif
