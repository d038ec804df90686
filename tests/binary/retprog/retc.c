/*
 * C target for tests/binary/test_retsites.c, built with gcc -O2: functions
 * with several returns, a 0xc3 byte inside an immediate, a switch that may
 * become a jump table, and a tail call, so the RET finder is checked
 * against objdump on compiler output that is not Go's.
 */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) int classify(int x)
{
	if (x < 0)
		return -1;
	if (x == 0xc3c3)	/* c3 bytes in an immediate */
		return 0xc3;
	if (x & 1)
		return x * 3;
	return x / 2;
}

__attribute__((noinline)) int pick(int k)
{
	switch (k) {
	case 0: return 11;
	case 1: return classify(k) + 5;
	case 2: return 23;
	case 3: return 31;
	case 4: return 47;
	case 5: return 53;
	case 6: return 61;
	default: return 0;
	}
}

__attribute__((noinline)) int tail(int x)
{
	if (x > 100)
		return classify(x - 1);	/* tail call at -O2: jmp classify */
	return x;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000, sum = 0;

	for (int i = 0; i < n; i++)
		sum += classify(i - 3) + pick(i % 9) + tail(i);
	printf("classify calls: %d\nsum %d\n", n, sum);
	return 0;
}
