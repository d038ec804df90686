/* manyargs: calls many(1, 2, ..., 9) once. The C ABI passes the first six
 * integer arguments in registers and the rest on the stack (7, 8, 9), for
 * sargN. */
__attribute__((noinline)) long many(long a, long b, long c, long d, long e,
				    long f, long g, long h, long i)
{
	return a + b + c + d + e + f + g + h + i;
}

int main(void)
{
	return many(1, 2, 3, 4, 5, 6, 7, 8, 9) == 45 ? 0 : 1;
}
