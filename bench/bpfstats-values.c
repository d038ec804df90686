/*
 * bpfstats-values.c: the C twin of bpfstats-values.go, for bpftrace's side
 * of bench/bpfstats --values. Two threads hand requests (four paths) to
 * handle() in a loop; bpftrace reads r->url->path through C struct casts:
 * the same three reads as r.URL.Path in Go (the URL pointer, the path
 * pointer, the bytes).
 */
#include <pthread.h>
#include <string.h>

struct url {
	const char *scheme, *host, *path;
};

struct request {
	const char *method;
	struct url *url;
};

static struct url urls[4] = {
	{ "http", "localhost", "/api/users" },
	{ "http", "localhost", "/static/js/app.min.js" },
	{ "http", "localhost", "/" },
	{ "http", "localhost", "/api/orders/2026/11/30" },
};
static struct request reqs[4] = {
	{ "GET", &urls[0] }, { "GET", &urls[1] }, { "GET", &urls[2] }, { "GET", &urls[3] },
};

__attribute__((noinline)) int handle(struct request *r)
{
	int n = (int)strlen(r->url->path);

	__asm__ volatile("" : : : "memory");
	return n;
}

static void *loop(void *arg)
{
	long n = 0;

	(void)arg;
	for (unsigned i = 0;; i++)
		n += handle(&reqs[i % 4]);
	return (void *)n;
}

int main(void)
{
	pthread_t t;

	pthread_create(&t, NULL, loop, NULL);
	loop(NULL);
	return 0;
}
