/*
 * libFuzzer harness for the binary reader (binary/, golang/): one input
 * is a whole file image, as a crafted binary in a traced container would
 * be. It is written to a memfd and opened through /proc/self/fd, the way
 * gotrace opens any file, then asked everything the compiler and the
 * runtime ask: the function table and names, symbols of every address
 * (pclntab of each version, inline tree, line tables), build info and
 * version, runtime offsets, type descriptors, DWARF parameters and types
 * (Go and C), USDT notes, return sites and prologues (x86 decoding).
 *
 * The binary is opened outside the cache and freed after each input, so
 * a long run does not grow. Work per input is bounded (at most MAXF
 * functions are examined in depth) so a large seed still runs quickly.
 * Any crash, sanitizer report or hang is a bug: the reader must refuse a
 * bad file with an error, never read outside it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "binary/bin_impl.h"

#define MAXF 48

struct walk {
	struct bin *b;
	int n;
};

static int visit(const struct bin_func *f, void *arg)
{
	struct walk *w = arg;
	struct bin_frame fr[8];
	const struct bin_param *ps;
	uint64_t *sites = NULL, site;
	char err[256];
	int n;

	bin_symbolize(w->b, f->addr, fr, 8);
	bin_symbolize(w->b, f->addr + f->size / 2, fr, 8);
	bin_func_containing(w->b, f->addr + 1, &(struct bin_func){ 0 });
	bin_go_sp_delta(w->b, f->addr + f->size / 3);
	if (w->n++ >= MAXF)
		return 0;	/* keep going through names, cheaply */
	n = bin_func_params(w->b, f->name, &ps, err, sizeof(err));
	for (int i = 0; i < n; i++) {
		int ints = 0, floats = 0;

		if (ps[i].gotype)
			bin_go_regs(ps[i].gotype, &ints, &floats);
	}
	bin_c_params(w->b, f->name, &ps, err, sizeof(err));
	if (f->size && f->size < 65536) {
		struct bin_exits x = { 0 };

		if (bin_ret_sites(w->b, f->addr, f->size, &sites, err, sizeof(err)) > 0)
			free(sites);
		if (!bin_func_exits(w->b, f->addr, f->size, &x, err, sizeof(err)))
			bin_exits_free(&x);
		bin_insn_boundary(w->b, f->addr, f->size, f->addr + 1, err, sizeof(err));
	}
	if (bin_is_go(w->b))
		bin_go_body_site(w->b, f, true, &site, err, sizeof(err));
	return 0;
}

static void exercise(struct bin *b)
{
	struct walk w = { b, 0 };
	struct go_offsets o;
	struct bin_frame fr[8];
	struct bin_inline_site *is = NULL;
	struct usdt_probe *up = NULL;
	char **names = NULL, err[256], buf[256];
	uint64_t a, s, *ranges = NULL;
	int n, count;

	bin_build_id(b, buf, sizeof(buf));
	bin_nfuncs(b);
	bin_is_stripped(b);
	bin_arch(b);
	bin_func_match(b, "*", visit, &w);
	bin_func_match(b, "main.*", NULL, NULL);
	bin_func_find(b, "main.main", &(struct bin_func){ 0 });
	bin_data_symbol(b, "main.counter", &a, &s, err, sizeof(err));
	for (uint64_t v = 0x400000; v < 0x500000; v += 0x1003)
		bin_symbolize(b, v, fr, 8);
	if ((n = bin_usdt_probes(b, &up)) > 0)
		bin_usdt_free(up, n);
	bin_c_dwarf_type(b, "struct gnode");
	if (!bin_is_go(b))
		return;
	bin_go_pclntab_format(b);
	bin_go_nfuncs(b);
	bin_go_text_start(b);
	bin_go_version(b);
	bin_go_minor(b);
	bin_go_offsets(b, &o, err, sizeof(err));
	bin_go_tls_g_offset(b);
	free(ranges);
	bin_go_frameless(b, &ranges);
	free(ranges);
	if ((n = bin_go_inline_sites(b, "main.*", true, &is, err, sizeof(err))) > 0)
		free(is);
	if ((n = bin_go_inlined_names(b, "*", &names, err, sizeof(err))) > 0)
		free(names);
	bin_go_ntypelinks(b);
	bin_go_has_types(b);
	bin_go_named_type(b, "net/http", "Request", &count);
	bin_go_named_type(b, NULL, "*main.T", &count);
	bin_go_type_suggest(b, "main.Pair", buf, sizeof(buf));
	bin_go_dwarf_type(b, "main.Pair");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	struct bin *b;
	int fd = memfd_create("fuzz-reader", MFD_CLOEXEC);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	b = bin_open_uncached(path);
	if (b) {
		exercise(b);
		bin_free(b);
	}
	close(fd);
	return 0;
}
