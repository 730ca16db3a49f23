// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/vdeabi_peer.c - a libvdeplug client built against Debian's libvdeplug.so.2
 *
 * The interop tests need a program that was compiled and linked against the
 * libvdeplug ABI as Debian ships it (vdeplug4 4.0.1, soname libvdeplug.so.2),
 * not against our header: so it declares the ABI functions itself (tests/vdeabi.h)
 * and is linked with -l:libvdeplug.so.2 from the system library directory,
 * with no object of ours and never with sanitizers (Debian's library dlopens
 * its modules with RTLD_DEEPBIND, which the ASan runtime refuses).
 * Run as is, it uses Debian's library; run with LD_LIBRARY_PATH pointing at
 * our lib/.libs, the same binary proves our library is an ABI drop-in.
 *
 * Usage: vdeabi_peer [-d DESCR] [-p PORT] VNL
 *   stdin:  one frame per line, in hex; each line is sent with vde_send().
 *   stdout: every received frame, one hex line each, flushed at once.
 *   stderr: "connected datafd=N ctlfd=M" once vde_open() succeeded.
 * Exits 0 on stdin EOF (after vde_close()), 2 when the switch goes away
 * (EOF on the control fd), 1 on errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/* the Debian libvdeplug ABI, declared on purpose (not our header) */
#include "vdeabi.h"

#define PEER_BUF	65536
#define PEER_LINE	(2 * PEER_BUF + 4)

static void usage(FILE *f, int status)
{
	fprintf(f, "usage: vdeabi_peer [-h] [-d descr] [-p port] VNL\n");
	exit(status);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode one hex line (newline excluded) into buf; returns length or -1. */
static ssize_t unhex(const char *s, size_t n, unsigned char *buf, size_t cap)
{
	size_t i;

	if (n % 2 != 0 || n / 2 > cap)
		return -1;
	for (i = 0; i < n; i += 2) {
		int hi = hexval((unsigned char)s[i]), lo = hexval((unsigned char)s[i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		buf[i / 2] = (unsigned char)(hi << 4 | lo);
	}
	return (ssize_t)(n / 2);
}

static void print_hex(const unsigned char *b, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	static char line[PEER_LINE];
	size_t i;

	for (i = 0; i < n; i++) {
		line[2 * i] = digits[b[i] >> 4];
		line[2 * i + 1] = digits[b[i] & 15];
	}
	line[2 * n] = '\n';
	fwrite(line, 1, 2 * n + 1, stdout);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static unsigned char frame[PEER_BUF];
	static char in[PEER_LINE];
	struct vde_open_args args = { .port = 0, .group = NULL, .mode = 0700 };
	char *descr = "vdeabi_peer";
	struct vdeconn *conn;
	size_t have = 0;
	int c, ret = 1;

	while ((c = getopt(argc, argv, "d:p:h")) != -1) {
		switch (c) {
		case 'd':
			descr = optarg;
			break;
		case 'p': {
			/* strtol, not parse_num(): this program links nothing of ours */
			char *end;
			long v;

			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end != '\0' || v < 0 || v > 65535) {
				fprintf(stderr, "vdeabi_peer: bad port %s\n", optarg);
				usage(stderr, 1);
			}
			args.port = (int)v;
			break;
		}
		case 'h':
			usage(stdout, 0);
			break;
		default:
			usage(stderr, 1);
		}
	}
	if (optind != argc - 1)
		usage(stderr, 1);

	conn = vde_open_real(argv[optind], descr, ABI_INTERFACE_VERSION, &args);
	if (!conn) {
		fprintf(stderr, "vdeabi_peer: vde_open %s: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	if (vde_datafd(conn) < 0) {
		fprintf(stderr, "vdeabi_peer: vde_datafd returned %d\n", vde_datafd(conn));
		goto out;
	}
	fprintf(stderr, "connected datafd=%d ctlfd=%d\n", vde_datafd(conn), vde_ctlfd(conn));

	for (;;) {
		struct pollfd pfd[3] = {
			{ STDIN_FILENO, POLLIN, 0 },
			{ vde_datafd(conn), POLLIN, 0 },
			{ vde_ctlfd(conn), POLLIN, 0 },
		};
		int nfds = vde_ctlfd(conn) >= 0 ? 3 : 2;

		if (poll(pfd, (nfds_t)nfds, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("vdeabi_peer: poll");
			goto out;
		}
		if (pfd[1].revents & POLLIN) {
			ssize_t n = vde_recv(conn, frame, sizeof(frame), 0);

			if (n < 0) {
				perror("vdeabi_peer: vde_recv");
				goto out;
			}
			if (n > 1)
				print_hex(frame, (size_t)n);
		}
		if (nfds == 3 && (pfd[2].revents & (POLLIN | POLLHUP))) {
			fprintf(stderr, "vdeabi_peer: switch closed the control connection\n");
			ret = 2;
			goto out;
		}
		if (pfd[0].revents & (POLLIN | POLLHUP)) {
			ssize_t r = read(STDIN_FILENO, in + have, sizeof(in) - have);
			char *nl;

			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				perror("vdeabi_peer: read stdin");
				goto out;
			}
			if (r == 0) {
				ret = 0;
				goto out;
			}
			have += (size_t)r;
			while ((nl = memchr(in, '\n', have)) != NULL) {
				size_t linelen = (size_t)(nl - in);
				ssize_t flen = unhex(in, linelen, frame, sizeof(frame));

				if (flen < 0) {
					fprintf(stderr, "vdeabi_peer: bad hex line\n");
					goto out;
				}
				if (flen > 0 && vde_send(conn, frame, (size_t)flen, 0) != flen) {
					perror("vdeabi_peer: vde_send");
					goto out;
				}
				have -= linelen + 1;
				memmove(in, nl + 1, have);
			}
			if (have == sizeof(in)) {
				fprintf(stderr, "vdeabi_peer: line too long\n");
				goto out;
			}
		}
	}
out:
	vde_close(conn);
	return ret;
}
