// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/dpipe_relay.c - a pass-through middle stage for dpipe tests
 *
 * Copies stdin to the descriptor named by $ALTERNATE_STDOUT and the
 * descriptor named by $ALTERNATE_STDIN to stdout, byte for byte, so that
 * "dpipe A = dpipe_relay = B" behaves like "dpipe A = B". Exits 0 when
 * either input ends, 2 when the environment variables are missing, 1 on an
 * I/O error. With -c FILE it appends "in OUT\n" counts of bytes relayed in
 * each direction to FILE at exit (for assertions).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse.h"

static int relay_env_fd(const char *name)
{
	const char *v = getenv(name), *err;
	long long fd;

	if (!v) {
		fprintf(stderr, "dpipe_relay: $%s is not set\n", name);
		exit(2);
	}
	fd = parse_num(v, 0, INT_MAX, &err);
	if (err) {
		fprintf(stderr, "dpipe_relay: $%s=%s: %s\n", name, v, err);
		exit(2);
	}
	return (int)fd;
}

static int relay_copy(int from, int to, unsigned long long *count)
{
	char buf[65536];
	ssize_t n = read(from, buf, sizeof(buf)), off = 0;

	if (n <= 0)
		return n == 0 || errno == EINTR ? (n == 0 ? 1 : 0) : -1;
	while (off < n) {
		ssize_t w = write(to, buf + off, (size_t)(n - off));

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		off += w;
	}
	*count += (unsigned long long)n;
	return 0;
}

int main(int argc, char **argv)
{
	struct pollfd pfd[2];
	unsigned long long count[2] = { 0, 0 };
	const char *countfile = NULL;
	int ret = 0;

	if (argc == 3 && strcmp(argv[1], "-c") == 0)
		countfile = argv[2];
	else if (argc != 1) {
		fprintf(stderr, "usage: dpipe_relay [-c COUNTFILE]\n");
		return 2;
	}
	pfd[0].fd = STDIN_FILENO;
	pfd[1].fd = relay_env_fd("ALTERNATE_STDIN");
	pfd[0].events = pfd[1].events = POLLIN;
	(void)relay_env_fd("ALTERNATE_STDOUT");
	for (;;) {
		int i, r = 0;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			ret = 1;
			break;
		}
		for (i = 0; i < 2 && r == 0; i++) {
			if (!pfd[i].revents)
				continue;
			r = relay_copy(pfd[i].fd, i ? STDOUT_FILENO : relay_env_fd("ALTERNATE_STDOUT"),
				       &count[i]);
		}
		if (r != 0) {
			ret = r < 0 ? 1 : 0;
			break;
		}
	}
	if (countfile) {
		FILE *f = fopen(countfile, "a");

		if (f) {
			fprintf(f, "%llu %llu\n", count[0], count[1]);
			fclose(f);
		}
	}
	return ret;
}
