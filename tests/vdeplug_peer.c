// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/vdeplug_peer.c - a scripted libvdeplug client with a MAC address of
 * its own, for tests of unicast between clients (t-switch-shortcut.sh)
 *
 *   vdeplug_peer [-D descr] -M MAC -o SENTFILE -i RECVFILE VNL
 *
 * Opens VNL with vde_open(), then runs the commands read from stdin, one a
 * line, and answers each with one line on stdout (flushed):
 *   announce            one broadcast frame from MAC (ethertype 0x88b6,
 *                       which receivers ignore): the switch learns MAC
 *   send DST N LEN SEED N frames to DST (ethertype 0x88b5), each also
 *                       written to SENTFILE as a hex line -> "sent N"
 *   pingpong DST N LEN SEED MS
 *                       the same, one at a time: the next goes once a frame
 *                       came back (within MS ms each) -> "pingpong N"
 *   echo N MS           send each 0x88b5 frame received back to its sender
 *                       (DST and source swapped), N of them or until MS ms
 *                       pass without one -> "echoed K"
 *   recv N MS           receive 0x88b5 frames until N came or MS ms pass
 *                       without one -> "got K"
 *   quit                close and exit 0
 * Every 0x88b5 frame received goes to RECVFILE as a hex line. Frame i with
 * SEED: DST, MAC, 0x88b5, byte j of the payload = (i * 7 + j + SEED). Exit
 * 1 on an error (printed), 2 on a bad command.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libvdeplug.h"

static VDECONN *conn;
static unsigned char mac[6];
static FILE *sentf, *recvf;

static int parse_mac(const char *s, unsigned char *m)
{
	unsigned v[6];
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
		return -1;
	for (i = 0; i < 6; i++) {
		if (v[i] > 255)
			return -1;
		m[i] = (unsigned char)v[i];
	}
	return 0;
}

static void hexline(FILE *f, const unsigned char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(f, "%02x", b[i]);
	fputc('\n', f);
	fflush(f);
}

static size_t frame(unsigned char *b, const unsigned char *dst, unsigned i, size_t len,
		    unsigned seed)
{
	size_t j;

	memcpy(b, dst, 6);
	memcpy(b + 6, mac, 6);
	b[12] = 0x88;
	b[13] = 0xb5;
	for (j = 14; j < len; j++)
		b[j] = (unsigned char)(i * 7 + j + seed);
	return len;
}

static void die(const char *what)
{
	printf("error %s: %s\n", what, strerror(errno));
	exit(1);
}

/* One 0x88b5 frame within @ms (others are skipped): its length, 0 if none. */
static ssize_t recv_one(unsigned char *b, size_t size, int ms)
{
	struct pollfd p = { .fd = vde_datafd(conn), .events = POLLIN };
	ssize_t n;

	for (;;) {
		int r = poll(&p, 1, ms);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("poll");
		if (r == 0)
			return 0;
		n = vde_recv(conn, b, size, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0)
			die("vde_recv");
		if (n >= 14 && b[12] == 0x88 && b[13] == 0xb5) {
			hexline(recvf, b, (size_t)n);
			return n;
		}
	}
}

static void send_one(const unsigned char *b, size_t n)
{
	if (vde_send(conn, b, n, 0) != (ssize_t)n)
		die("vde_send");
}

int main(int argc, char **argv)
{
	const char *descr = "vdeplug_peer", *sent = NULL, *rcvd = NULL;
	unsigned char b[9216], dst[6];
	char line[256], cmd[32], dsts[32];
	unsigned n, i, seed;
	size_t len;
	int opt, ms;

	while ((opt = getopt(argc, argv, "D:M:o:i:")) != -1) {
		if (opt == 'D')
			descr = optarg;
		else if (opt == 'M' && !parse_mac(optarg, mac))
			;
		else if (opt == 'o')
			sent = optarg;
		else if (opt == 'i')
			rcvd = optarg;
		else
			return 2;
	}
	if (optind != argc - 1 || !sent || !rcvd || !(mac[0] | mac[5]))
		return 2;
	sentf = fopen(sent, "w");
	recvf = fopen(rcvd, "w");
	if (!sentf || !recvf)
		die("output files");
	conn = vde_open(argv[optind], (char *)descr, NULL);
	if (!conn)
		die("vde_open");
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("open\n");
	while (fgets(line, sizeof(line), stdin)) {
		if (sscanf(line, "%31s", cmd) != 1)
			continue;
		if (!strcmp(cmd, "announce")) {
			memset(b, 0xff, 6);
			memcpy(b + 6, mac, 6);
			b[12] = 0x88;
			b[13] = 0xb6;
			memset(b + 14, 0, 46);
			send_one(b, 60);
			printf("ok\n");
		} else if (!strcmp(cmd, "send") || !strcmp(cmd, "pingpong")) {
			bool pp = cmd[0] == 'p';

			ms = 0;
			if (sscanf(line, "%*s %31s %u %zu %u %d", dsts, &n, &len, &seed, &ms) < 4 ||
			    parse_mac(dsts, dst) || len < 14 || len > sizeof(b) || (pp && ms <= 0))
				return 2;
			for (i = 0; i < n; i++) {
				frame(b, dst, i, len, seed);
				hexline(sentf, b, len);
				send_one(b, len);
				if (pp && !recv_one(b, sizeof(b), ms))
					break;
			}
			printf("%s %u\n", pp ? "pingpong" : "sent", i);
		} else if (!strcmp(cmd, "echo") || !strcmp(cmd, "recv")) {
			bool echo = cmd[0] == 'e';
			ssize_t k;

			if (sscanf(line, "%*s %u %d", &n, &ms) != 2 || ms <= 0)
				return 2;
			for (i = 0; i < n; i++) {
				k = recv_one(b, sizeof(b), ms);
				if (!k)
					break;
				if (echo) {
					memcpy(b, b + 6, 6);
					memcpy(b + 6, mac, 6);
					send_one(b, (size_t)k);
				}
			}
			printf("%s %u\n", echo ? "echoed" : "got", i);
		} else if (!strcmp(cmd, "quit")) {
			break;
		} else {
			return 2;
		}
	}
	vde_close(conn);
	return 0;
}
