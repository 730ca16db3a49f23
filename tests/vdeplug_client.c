// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/vdeplug_client.c - libvdeplug test client for the integration tests
 *
 * Opens a VNL with vde_open(), optionally sends a burst of deterministic
 * frames and/or receives frames, and prints every frame as one hex line so
 * shell tests can compare exact bytes (sender's -o file vs receiver's
 * stdout). Frame i of length L with seed S: dst ff:ff:ff:ff:ff:ff, src
 * 02:00:00:00:S:(i&0xff), ethertype 0x88b5, payload byte j = (i*7 + j + S).
 *
 *   vdeplug_client [-D descr] [-p port] [-g group] [-m mode]
 *                  [-n count] [-l len] [-S seed] [-o sentfile]
 *                  [-r count] [-e] [-t secs] [-R readyfile] [-W waitfile]
 *                  [-A donefile]
 *                  [-F] [-c] VNL
 *   -e   echo: send every received frame back
 *   -P   ping-pong: send the next frame only after one more was received
 *        (with a peer in -e mode: at most one frame in flight, so datagram
 *        queues never overflow however loaded the machine is)
 *   -F   expect vde_open() to fail: print "open failed: <errno name>", exit 0
 *   -c   after the work, wait until the ctl fd reports EOF (switch gone)
 *   -A   create donefile once the work is done, before vde_close()
 * Exit: 0 ok, 1 error, 2 timeout.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "libvdeplug.h"
#include "parse.h"

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void hexline(FILE *f, const unsigned char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(f, "%02x", b[i]);
	fputc('\n', f);
}

static size_t make_frame(unsigned char *b, unsigned int i, size_t len, unsigned int seed)
{
	size_t j;

	for (j = 0; j < len; j++)
		b[j] = (unsigned char)(i * 7 + j + seed);
	if (len >= 14) {
		memset(b, 0xff, 6);
		b[6] = 0x02;
		b[7] = b[8] = b[9] = 0;
		b[10] = (unsigned char)seed;
		b[11] = (unsigned char)i;
		b[12] = 0x88;
		b[13] = 0xb5;
	}
	return len;
}

static const char *errname(int e)
{
	switch (e) {
	case ECONNREFUSED: return "ECONNREFUSED";
	case ETIMEDOUT: return "ETIMEDOUT";
	case ENOENT: return "ENOENT";
	case EINVAL: return "EINVAL";
	case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
	case EADDRINUSE: return "EADDRINUSE";
	case EACCES: return "EACCES";
	case ECONNABORTED: return "ECONNABORTED";
	default: return strerror(e);
	}
}

static void usage(FILE *f, int status);

static long long num(const char *s, long long min, long long max)
{
	const char *err;
	long long v = parse_num(s, min, max, &err);

	if (err) {
		fprintf(stderr, "vdeplug_client: number %s: %s\n", s, err);
		usage(stderr, 1);
	}
	return v;
}

static void usage(FILE *f, int status)
{
	fprintf(f, "usage: vdeplug_client [-cehFP] [-D descr] [-p port] [-g group] [-m mode]\n"
		"       [-n count] [-l len] [-S seed] [-o sentfile] [-r count] [-t secs]\n"
		"       [-R readyfile] [-W waitfile] [-A donefile] VNL\n");
	exit(status);
}

int main(int argc, char **argv)
{
	struct vde_open_args args = { 0, NULL, 0 };
	const char *descr = "vdeplug_client", *sentfile = NULL, *ready = NULL, *waitf = NULL, *donef = NULL;
	unsigned int nsend = 0, nrecv = 0, seed = 1, sent = 0, got = 0;
	size_t len = 60;
	int echo = 0, pingpong = 0, expect_fail = 0, wait_ctl = 0, use_args = 0, opt, ret = 1;
	long deadline, timeout_ms = 10000;
	static unsigned char buf[VDE_ETHBUFSIZE + 100];
	FILE *sf = NULL;
	VDECONN *conn;

	while ((opt = getopt(argc, argv, "D:p:g:m:n:l:S:o:r:ePt:R:W:A:Fch")) != -1) {
		switch (opt) {
		case 'D': descr = optarg; break;
		case 'p': args.port = (int)num(optarg, -1, 0xffffff); use_args = 1; break;
		case 'g': args.group = optarg; use_args = 1; break;
		case 'm': if (parse_mode(optarg, &args.mode)) usage(stderr, 1); use_args = 1; break;
		case 'n': nsend = (unsigned int)num(optarg, 0, 1000000); break;
		case 'l': len = (size_t)num(optarg, 0, sizeof(buf)); break;
		case 'S': seed = (unsigned int)num(optarg, 0, 255); break;
		case 'o': sentfile = optarg; break;
		case 'r': nrecv = (unsigned int)num(optarg, 0, 1000000); break;
		case 'e': echo = 1; break;
		case 'P': pingpong = 1; break;
		case 't': timeout_ms = (long)num(optarg, 1, 3600) * 1000; break;
		case 'R': ready = optarg; break;
		case 'W': waitf = optarg; break;
		case 'A': donef = optarg; break;
		case 'F': expect_fail = 1; break;
		case 'c': wait_ctl = 1; break;
		case 'h': usage(stdout, 0); break;
		default: usage(stderr, 1);
		}
	}
	if (optind != argc - 1 || len > sizeof(buf))
		usage(stderr, 1);
	setvbuf(stdout, NULL, _IOLBF, 0);
	conn = vde_open(argv[optind], (char *)descr, use_args ? &args : NULL);
	if (!conn) {
		printf("open failed: %s\n", errname(errno));
		return expect_fail ? 0 : 1;
	}
	if (expect_fail) {
		printf("open succeeded unexpectedly\n");
		goto out;
	}
	if (ready) {
		FILE *f = fopen(ready, "w");

		if (!f)
			goto out;
		fprintf(f, "ready %d %d\n", vde_datafd(conn), vde_ctlfd(conn));
		fclose(f);
	}
	if (sentfile && !(sf = fopen(sentfile, "w")))
		goto out;
	deadline = now_ms() + timeout_ms;
	if (waitf) {
		struct stat st;

		while (stat(waitf, &st)) {
			if (now_ms() > deadline) {
				ret = 2;
				goto out;
			}
			usleep(10000);
		}
	}
	while (sent < nsend || got < nrecv || echo) {
		struct pollfd pfd = { .fd = vde_datafd(conn), .events = POLLIN };
		long left = deadline - now_ms();
		int r;

		if (sent < nsend && (!pingpong || got >= sent)) {
			size_t n = make_frame(buf, sent, len, seed);

			if (vde_send(conn, buf, n, 0) != (ssize_t)n) {
				fprintf(stderr, "vde_send: %s\n", strerror(errno));
				goto out;
			}
			if (sf)
				hexline(sf, buf, n);
			sent++;
			/* without -P: pace a little to spare datagram queues */
			if (!pingpong && sent % 8 == 0)
				usleep(2000);
			continue;
		}
		if (left <= 0) {
			fprintf(stderr, "timeout: received %u of %u\n", got, nrecv);
			ret = 2;
			goto out;
		}
		r = poll(&pfd, 1, (int)left);
		if (r <= 0)
			continue;
		{
			ssize_t n = vde_recv(conn, buf, sizeof(buf), 0);

			if (n < 0 && errno == EAGAIN)
				continue;
			if (n < 0) {
				fprintf(stderr, "vde_recv: %s\n", strerror(errno));
				goto out;
			}
			if (n == 0) {
				/* tests wait for this line (a peer reset, e.g. ptp) */
				fprintf(stderr, "zero-length\n");
				if (pfd.revents & POLLHUP)
					goto done;
				continue;
			}
			hexline(stdout, buf, (size_t)n);
			got++;
			if (echo && vde_send(conn, buf, (size_t)n, 0) != n) {
				fprintf(stderr, "vde_send: %s\n", strerror(errno));
				goto out;
			}
			if (echo && nrecv && got >= nrecv)
				break;
		}
	}
done:
	if (wait_ctl) {
		struct pollfd pfd = { .fd = vde_ctlfd(conn), .events = POLLIN };
		long left = deadline - now_ms();

		if (pfd.fd < 0 || left <= 0 || poll(&pfd, 1, (int)left) != 1) {
			fprintf(stderr, "ctl fd did not report EOF\n");
			ret = 2;
			goto out;
		}
		printf("ctl eof\n");
	}
	ret = 0;
out:
	if (sf)
		fclose(sf);
	if (donef && ret == 0) {
		FILE *f = fopen(donef, "w");

		if (f)
			fclose(f);
	}
	if (conn)
		vde_close(conn);
	return ret;
}
