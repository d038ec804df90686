/*
 * Where a Go binary keeps g in thread-local storage (linux/amd64).
 *
 * Go stores the current g at a fixed offset from the thread pointer
 * (fsbase). Internally linked binaries, PIE and dynamically linked cgo
 * binaries use fsbase-8; a statically linked cgo binary shares the static
 * TLS block with glibc and uses another slot (fs:-0x58 with Debian 12's
 * glibc). The runtime's own first instruction says which:
 *
 *   runtime.stackcheck:  64 48 8b 04 25 <disp32>   mov %fs:disp32, %rax
 *
 * PIE binaries load the offset through a register instead; they use -8.
 */
#include <string.h>

#include "binary/bin_impl.h"
#include "binary/binary.h"

#define DEFAULT_TLS_G (-8)

int bin_go_tls_g_offset(struct bin *b)
{
	static const uint8_t mov_fs[] = { 0x64, 0x48, 0x8b, 0x04, 0x25 };
	static const char *const names[] = { "runtime.stackcheck.abi0",
					      "runtime.stackcheck" };
	struct bin_func f;
	const uint8_t *code;
	int32_t disp;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (bin_func_find(b, names[i], &f) != 0)
			continue;
		code = bin_at_vaddr(b, f.addr, sizeof(mov_fs) + 4);
		if (!code || memcmp(code, mov_fs, sizeof(mov_fs)) != 0)
			return DEFAULT_TLS_G;
		memcpy(&disp, code + sizeof(mov_fs), 4);
		return disp;
	}
	return DEFAULT_TLS_G;
}
