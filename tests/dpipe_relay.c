// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/dpipe_relay.c - a pass-through middle stage for dpipe tests
 *
 * Copies stdin to the descriptor named by $ALTERNATE_STDOUT and the
 * descriptor named by $ALTERNATE_STDIN to stdout, byte for byte, so that
 * "dpipe A = dpipe_relay = B" behaves like "dpipe A = B". Without those
 * variables (an end stage) it copies stdin to stdout. Exits 0 when an input
 * ends, 1 on an I/O error, 2 on a usage error. Options for assertions:
 *   -c FILE   append "IN OUT\n", the byte counts relayed each way, at exit
 *   -l FILE   first write the numbers of our open descriptors, one a line
 *   -x        exit right after -l (no relaying; no environment needed)
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse.h"

static int relay_env_fd(const char *name)
{
	const char *v = getenv(name), *err;
	long long fd;

	if (!v)
		return -1;
	fd = parse_num(v, 0, INT_MAX, &err);
	if (err) {
		fprintf(stderr, "dpipe_relay: $%s=%s: %s\n", name, v, err);
		exit(2);
	}
	return (int)fd;
}

/* Write our open descriptors (except the one reading /proc) to @path,
 * atomically (through a temporary file and rename). */
static void relay_list_fds(const char *path)
{
	char tmp[4096];
	DIR *d = opendir("/proc/self/fd");
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	struct dirent *e;
	char self[2][16];

	if (!d || !f) {
		fprintf(stderr, "dpipe_relay: %s: %s\n", d ? path : "/proc/self/fd", strerror(errno));
		exit(1);
	}
	snprintf(self[0], sizeof(self[0]), "%d", dirfd(d));
	snprintf(self[1], sizeof(self[1]), "%d", fileno(f));
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, self[0]) || !strcmp(e->d_name, self[1]))
			continue;
		fprintf(f, "%s\n", e->d_name);
	}
	closedir(d);
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		exit(1);
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
	int out[2];
	const char *countfile = NULL;
	int ret = 0, opt;
	bool list_only = false;

	while ((opt = getopt(argc, argv, "c:l:x")) != -1) {
		switch (opt) {
		case 'c':
			countfile = optarg;
			break;
		case 'l':
			relay_list_fds(optarg);
			break;
		case 'x':
			list_only = true;
			break;
		default:
			fprintf(stderr, "usage: dpipe_relay [-c COUNTFILE] [-l FDFILE [-x]]\n");
			return 2;
		}
	}
	if (list_only)
		return 0;
	pfd[0].fd = STDIN_FILENO;
	pfd[1].fd = relay_env_fd("ALTERNATE_STDIN");
	pfd[0].events = pfd[1].events = POLLIN;
	out[0] = relay_env_fd("ALTERNATE_STDOUT");
	out[1] = STDOUT_FILENO;
	if (pfd[1].fd < 0 || out[0] < 0) {	/* an end stage: stdin to stdout */
		pfd[1].fd = -1;
		out[0] = STDOUT_FILENO;
	}
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
			r = relay_copy(pfd[i].fd, out[i], &count[i]);
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
