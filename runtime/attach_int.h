/*
 * Shared between the attach*.c files only: the attach state and the
 * helpers each probe kind uses to record links and report failures.
 */
#ifndef GOTRACE_ATTACH_INT_H
#define GOTRACE_ATTACH_INT_H

#include <stddef.h>

#include "runtime/attach.h"

struct bpf_link;

struct attach_state {
	struct bpf_link **links;
	int nlinks, cap;
	int next;		/* detach_all(): next link to destroy */
};

const char *attach_kind_name(enum attach_kind k);
int attach_state_add(struct attach_state *st, struct bpf_link *link);
int attach_fail(const struct attach_point *pt, int err, char *buf, size_t len,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* attach_perf.c: AT_INTERVAL and AT_PROFILE. */
int attach_perf(struct attach_state *st, struct bpf_program *prog,
		const struct attach_point *pt, char *err, size_t errlen);

#endif
