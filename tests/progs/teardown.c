/*
 * teardown: a target for the teardown tests. Calls f0..f99 every 10 ms,
 * forever, except f49, which is never called and starts with int3: the
 * kernel refuses a uprobe there (x86 does not probe a trap instruction)
 * once the binary is mapped, so probes on f0..f99 of a running teardown
 * fail to attach at the 50th function.
 */
#include <time.h>

#define NOINLINE __attribute__((noinline))
#define F(n) NOINLINE int f##n(int x) { return x + n; }
#define F10(t) F(t##0) F(t##1) F(t##2) F(t##3) F(t##4) \
	       F(t##5) F(t##6) F(t##7) F(t##8) F(t##9)
#define C(n) s += f##n(s);
#define C10(t) C(t##0) C(t##1) C(t##2) C(t##3) C(t##4) \
	       C(t##5) C(t##6) C(t##7) C(t##8) C(t##9)

F(0) F(1) F(2) F(3) F(4) F(5) F(6) F(7) F(8) F(9)
F10(1) F10(2) F10(3) F(40) F(41) F(42) F(43) F(44) F(45) F(46) F(47) F(48)
F10(5) F10(6) F10(7) F10(8) F10(9)

__asm__(".text\n.globl f49\n.type f49, @function\nf49:\n\tint3\n\tret\n"
	".size f49, .-f49\n");

volatile int sink;

int main(void)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	for (;;) {
		int s = 0;

		C(0) C(1) C(2) C(3) C(4) C(5) C(6) C(7) C(8) C(9)
		C10(1) C10(2) C10(3) C(40) C(41) C(42) C(43) C(44) C(45)
		C(46) C(47) C(48) C10(5) C10(6) C10(7) C10(8) C10(9)
		sink = s;
		nanosleep(&ts, 0);
	}
}
