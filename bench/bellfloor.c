// SPDX-License-Identifier: GPL-2.0-or-later
/* bench/bellfloor.c - the floor of a one-CPU ping-pong through a switch
 * woken by pipe doorbells: three bare processes, no frames, no library
 *
 *   bellfloor [-n N] [-c CPU] [-s | -2]
 *
 * ping writes a byte to the middle and waits with poll() + read(); the
 * middle waits in epoll_wait() on two pipes and passes each byte on (read,
 * write); pong waits in a blocking read() and answers with a write: the
 * same system calls and wake-ups per round trip as the rings with pipe
 * doorbells (docs/fastpath.md section 6) and nothing else. All three are
 * pinned to CPU (default 0). With -s the middle calls setsid() first, as
 * `vde_switch -d` does: with sched_autogroup it is then a scheduling group
 * of its own, the set-up of bench/fastpath.sh without FG=1. With -2 there
 * is no middle: ping writes straight to pong, the floor of a path on which
 * clients wake each other without the switch (docs/fastpath.md section
 * 10). Prints "mode=rtt impl=floor len=64 pings=N median_us=... p99_us=..."
 * (impl=floor2 with -2) like bench/libbench (len is nominal: no frame
 * travels), for bench/fastpath.sh.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The middle: every byte from ping goes to pong and back. */
static void middle(int from_ping, int to_pong, int from_pong, int to_ping)
{
	struct epoll_event ev = { .events = EPOLLIN }, out[2];
	int ep = epoll_create1(EPOLL_CLOEXEC), n, k;
	char b[64];

	ev.data.fd = from_ping;
	epoll_ctl(ep, EPOLL_CTL_ADD, from_ping, &ev);
	ev.data.fd = from_pong;
	epoll_ctl(ep, EPOLL_CTL_ADD, from_pong, &ev);
	for (;;) {
		n = epoll_wait(ep, out, 2, -1);
		for (k = 0; k < n; k++) {
			ssize_t r = read(out[k].data.fd, b, sizeof(b));

			if (r <= 0)
				_exit(0);
			if (write(out[k].data.fd == from_ping ? to_pong : to_ping, b, 1) != 1)
				_exit(0);
		}
	}
}

int main(int argc, char **argv)
{
	int a[2], b[2], c[2], d[2], opt, cpu = 0, sid = 0, two = 0;
	uint32_t n = 20000, warm = 1000, i;
	uint64_t *rtt;
	cpu_set_t set;
	pid_t mid = -1, pong;
	const char *impl;
	char x = 1, buf[64];

	while ((opt = getopt(argc, argv, "n:c:s2")) != -1) {
		if (opt == 'n')
			n = (uint32_t)strtoul(optarg, NULL, 10);
		else if (opt == 'c')
			cpu = atoi(optarg);
		else if (opt == 's')
			sid = 1;
		else if (opt == '2')
			two = 1;
		else {
			fprintf(stderr, "usage: bellfloor [-n N] [-c CPU] [-s | -2]\n");
			return 1;
		}
	}
	rtt = calloc(n ? n : 1, sizeof(*rtt));
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	/* a: ping -> middle, b: middle -> pong, c: pong -> middle, d: middle -> ping */
	if (!rtt || sched_setaffinity(0, sizeof(set), &set) || pipe2(a, O_NONBLOCK) || pipe(b) ||
	    pipe2(c, O_NONBLOCK) || pipe2(d, O_NONBLOCK)) {
		perror("bellfloor");
		return 1;
	}
	impl = two ? "floor2" : "floor";
	if (!two) {
		mid = fork();
		if (mid == 0) {
			if (sid && setsid() < 0)
				_exit(1);
			middle(a[0], b[1], c[0], d[1]);
		}
	}
	pong = fork();
	if (pong == 0) {	/* without a middle: from ping's pipe, to ping's */
		int in = two ? a[0] : b[0], out = two ? d[1] : c[1];

		if (two)	/* a is non-blocking for the middle's sake */
			fcntl(in, F_SETFL, 0);
		while (read(in, buf, 1) == 1 && write(out, &x, 1) == 1)
			;
		_exit(0);
	}
	for (i = 0; i < n + warm; i++) {
		struct pollfd p = { .fd = d[0], .events = POLLIN };
		uint64_t t = now_ns();

		if (write(a[1], &x, 1) != 1 || poll(&p, 1, 1000) != 1 || read(d[0], buf, 64) < 1)
			break;
		if (i >= warm)
			rtt[i - warm] = now_ns() - t;
	}
	close(a[1]);
	close(b[1]);
	if (mid > 0) {
		kill(mid, SIGTERM);
		waitpid(mid, NULL, 0);
	}
	kill(pong, SIGTERM);
	waitpid(pong, NULL, 0);
	if (i < n + warm) {
		printf("mode=rtt impl=%s len=64 FAILED\n", impl);
		return 1;
	}
	qsort(rtt, n, sizeof(*rtt), cmp_u64);
	printf("mode=rtt impl=%s len=64 pings=%u lost=0 median_us=%.2f p99_us=%.2f\n", impl, n,
	       n ? rtt[n / 2] / 1e3 : 0.0, n ? rtt[(size_t)n * 99 / 100] / 1e3 : 0.0);
	free(rtt);
	return 0;
}
