/*
 * cpp: a C++ target for demangled names (uprobe wildcards, -l, stacks).
 *
 * Usage: cpp [N]
 * Calls ns::twice(int) N times (default 2), ns::twice(double) once, and
 * ns::Counter::add(int) N times from ns::Counter::run(). Writes nothing.
 */
#include <cstdlib>

namespace ns {
__attribute__((noinline)) int twice(int x) { __asm__ volatile("" ::: "memory"); return 2 * x; }
__attribute__((noinline)) double twice(double x) { __asm__ volatile("" ::: "memory"); return 2 * x; }

struct Counter {
	long total = 0;
	__attribute__((noinline)) long add(int n) { __asm__ volatile("" ::: "memory"); return total += n; }
	__attribute__((noinline)) void run(int n) { for (int i = 1; i <= n; i++) add(i); }
};
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2;
	ns::Counter c;
	long sum = 0;

	for (int i = 1; i <= n; i++)
		sum += ns::twice(i);
	sum += (long)ns::twice(1.5);
	c.run(n);
	return sum + c.total == 0;
}
