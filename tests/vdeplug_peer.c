// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/vdeplug_peer.c - a scripted libvdeplug client with a MAC address of
 * its own, for tests of unicast between clients (t-switch-shortcut.sh)
 *
 *   vdeplug_peer [-V] [-D descr] -M MAC -o SENTFILE -i RECVFILE VNL
 *
 * Opens VNL with vde_open() (-V: vde_open_flags() with VDE_OPEN_VNET, and
 * every frame sent and received with vde_send_vnet() and vde_recv_vnet(),
 * a zeroed virtio-net header before it: a received header that is not
 * zero is an error), then runs the commands read from stdin, one a
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
 *   listen              start a receiving thread, QEMU-style: poll() on
 *                       vde_datafd() without a timeout, then one vde_recv()
 *                       per wake-up, while the main thread goes on (sends
 *                       and receives of one connection run concurrently);
 *                       it checks the 0x88b7 frames of "stream" per sender:
 *                       sequence numbers only grow (no frame reordered or
 *                       duplicated) -> "listening"
 *   stream DST N LEN    N frames of LEN bytes to DST (ethertype 0x88b7),
 *                       numbered on from the last stream to DST, with this
 *                       process's id -> "streamed N"
 *   expect SRC N MS     wait until N 0x88b7 frames from SRC came (all
 *                       incarnations), or MS ms pass without one
 *                       -> "have K bad B gaps G" (all three of SRC's frames:
 *                       another flow flooded to us while its destination
 *                       was unknown shows as gaps of its own sender)
 *   stats               -> "stats got G bad B gaps G wakes W empty E ended X"
 *                       (of every sender)
 *                       (wakes: poll() wake-ups; empty: those whose
 *                       vde_recv() brought no frame; ended: the connection
 *                       ended under the thread)
 *   quit                close and exit 0 (3 if the listener does not stop)
 * Every 0x88b5 frame received goes to RECVFILE as a hex line. Frame i with
 * SEED: DST, MAC, 0x88b5, byte j of the payload = (i * 7 + j + SEED). Exit
 * 1 on an error (printed), 2 on a bad command.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libvdeplug.h"

static VDECONN *conn;
static unsigned char mac[6];
static FILE *sentf, *recvf;
static bool vnet;		/* -V */

/* "listen" and "stream" (0x88b7 frames: DST, MAC, type, pid, seq) */
#define NSRC 32
#define NDST 32
struct src { unsigned char mac[6]; uint32_t inc, last; bool any; uint64_t got, bad, gaps; };
static struct src srcs[NSRC];
static unsigned nsrc;
static uint64_t l_got, l_bad, l_gaps, l_wakes, l_empty;
static bool l_ended, l_on;
static pthread_mutex_t l_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t l_cond = PTHREAD_COND_INITIALIZER;
static pthread_t l_thread;
static int l_pipe[2] = { -1, -1 };
static struct { unsigned char mac[6]; uint32_t next; } flows[NDST];
static unsigned nflow;

static uint32_t get32(const unsigned char *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static void put32(unsigned char *b, uint32_t v)
{
	b[0] = (unsigned char)(v >> 24);
	b[1] = (unsigned char)(v >> 16);
	b[2] = (unsigned char)(v >> 8);
	b[3] = (unsigned char)v;
}

/* One 0x88b7 frame: its sender's numbers only grow within one process of
 * it (a new pid: the sender was restarted, its numbers start again). */
static void check(const unsigned char *b)
{
	uint32_t inc = get32(b + 14), seq = get32(b + 18);
	struct src *x = NULL;
	unsigned i;

	pthread_mutex_lock(&l_lock);
	for (i = 0; i < nsrc && !x; i++)
		if (!memcmp(srcs[i].mac, b + 6, 6))
			x = &srcs[i];
	if (!x && nsrc < NSRC) {
		x = &srcs[nsrc++];
		memcpy(x->mac, b + 6, 6);
	}
	l_got++;
	if (x) {
		if (x->any && x->inc == inc && seq <= x->last) {
			l_bad++;
			x->bad++;
			fprintf(stderr, "from %02x..%02x: frame %u after %u\n", b[6], b[11], seq,
				x->last);
		} else if ((x->any && x->inc == inc && seq != x->last + 1) ||
			   ((!x->any || x->inc != inc) && seq != 0)) {
			l_gaps++;
			/* the first ones, for the log (a flow flooded to us
			 * while its address was unknown shows as gaps) */
			if (x->gaps++ < 20)
				fprintf(stderr, "from %02x..%02x: gap: pid %u frame %u after pid %u"
					" frame %u (%llu from it so far)\n", b[6], b[11], inc, seq,
					x->inc, x->last, (unsigned long long)x->got);
		}
		x->any = true;
		x->inc = inc;
		x->last = seq;
		x->got++;
	}
	pthread_cond_broadcast(&l_cond);
	pthread_mutex_unlock(&l_lock);
}

/* @t = now + @ms, on CLOCK_REALTIME (pthread_cond_timedwait()'s clock). */
static void deadline_ms(struct timespec *t, int ms)
{
	clock_gettime(CLOCK_REALTIME, t);
	t->tv_sec += ms / 1000;
	t->tv_nsec += (long)(ms % 1000) * 1000000;
	if (t->tv_nsec >= 1000000000) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000;
	}
}

static void die(const char *what);

/* vde_recv(), or with -V vde_recv_vnet() of one frame whose header must be
 * zero (only wire frames are sent) */
static ssize_t peer_recv(unsigned char *b, size_t size)
{
	static const unsigned char zero[VDE_VNET_HDR_LEN];
	unsigned char vb[VDE_VNET_HDR_LEN + 9216];
	struct vde_msg m = { vb, sizeof(vb) };
	ssize_t n;

	if (!vnet)
		return vde_recv(conn, b, size, 0);
	n = vde_recv_vnet(conn, &m, 1, 0);
	if (n != 1)
		return n;
	if (m.len < VDE_VNET_HDR_LEN || memcmp(vb, zero, sizeof(zero))) {
		errno = EPROTO;
		die("vde_recv_vnet: a frame with a header");
	}
	n = (ssize_t)(m.len - VDE_VNET_HDR_LEN);
	if ((size_t)n > size)
		n = (ssize_t)size;
	memcpy(b, vb + VDE_VNET_HDR_LEN, (size_t)n);
	return n;
}

/* vde_send(), or with -V vde_send_vnet() with a zeroed header (waiting for
 * room, as vde_send() on a blocking connection). The frame's length, or -1. */
static ssize_t peer_send(const unsigned char *b, size_t n)
{
	unsigned char vb[VDE_VNET_HDR_LEN + 9216];
	struct vde_msg m = { vb, VDE_VNET_HDR_LEN + n };

	if (!vnet)
		return vde_send(conn, b, n, 0);
	if (n > sizeof(vb) - VDE_VNET_HDR_LEN) {
		errno = EMSGSIZE;
		return -1;
	}
	memset(vb, 0, VDE_VNET_HDR_LEN);
	memcpy(vb + VDE_VNET_HDR_LEN, b, n);
	return vde_send_vnet(conn, &m, 1, VDE_SEND_WAIT) == 1 ? (ssize_t)n : -1;
}

static void *listener(void *arg)
{
	struct pollfd p[2] = { { .fd = vde_datafd(conn), .events = POLLIN },
			       { .fd = l_pipe[0], .events = POLLIN } };
	unsigned char b[9216];
	ssize_t n;

	(void)arg;
	for (;;) {
		int r = poll(p, 2, -1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || p[1].revents)
			break;
		pthread_mutex_lock(&l_lock);
		l_wakes++;
		pthread_mutex_unlock(&l_lock);
		n = peer_recv(b, sizeof(b));
		if (n >= 22 && b[12] == 0x88 && b[13] == 0xb7)
			check(b);
		if (n > 0)
			continue;	/* other frames (1: one the library dropped) */
		pthread_mutex_lock(&l_lock);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			l_empty++;
		else
			l_ended = true;	/* 0 or an error: the switch is gone */
		pthread_cond_broadcast(&l_cond);
		pthread_mutex_unlock(&l_lock);
		if (l_ended)
			break;
	}
	return NULL;
}

/* The checked frames from @m so far (NULL if none came). */
static const struct src *src_of(const unsigned char *m)
{
	unsigned i;

	for (i = 0; i < nsrc; i++)
		if (!memcmp(srcs[i].mac, m, 6))
			return &srcs[i];
	return NULL;
}

static uint64_t src_got(const unsigned char *m)
{
	const struct src *x = src_of(m);

	return x ? x->got : 0;
}

/* The "stream" numbers to @dst go on from the last stream to it. */
static uint32_t *dst_next(const unsigned char *dst)
{
	unsigned i;

	for (i = 0; i < nflow; i++)
		if (!memcmp(flows[i].mac, dst, 6))
			return &flows[i].next;
	if (nflow == NDST)
		return NULL;
	memcpy(flows[nflow].mac, dst, 6);
	return &flows[nflow++].next;
}

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
		n = peer_recv(b, size);
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
	if (peer_send(b, n) != (ssize_t)n)
		die(vnet ? "vde_send_vnet" : "vde_send");
}

int main(int argc, char **argv)
{
	const char *descr = "vdeplug_peer", *sent = NULL, *rcvd = NULL;
	unsigned char b[9216], dst[6];
	char line[256], cmd[32], dsts[32];
	unsigned n, i, seed;
	size_t len;
	int opt, ms;

	while ((opt = getopt(argc, argv, "VD:M:o:i:")) != -1) {
		if (opt == 'V')
			vnet = true;
		else if (opt == 'D')
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
	conn = vde_open_flags(argv[optind], (char *)descr, NULL, vnet ? VDE_OPEN_VNET : 0);
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
		} else if (!strcmp(cmd, "listen")) {
			if (!l_on) {
				if (pipe(l_pipe) || pthread_create(&l_thread, NULL, listener, NULL))
					die("listen");
				l_on = true;
			}
			printf("listening\n");
		} else if (!strcmp(cmd, "stream")) {
			uint32_t *next;

			if (sscanf(line, "%*s %31s %u %zu", dsts, &n, &len) != 3 ||
			    parse_mac(dsts, dst) || len < 60 || len > sizeof(b) ||
			    !(next = dst_next(dst)))
				return 2;
			for (i = 0; i < n; i++) {
				frame(b, dst, 0, len, 0);
				b[13] = 0xb7;
				put32(b + 14, (uint32_t)getpid());
				put32(b + 18, (*next)++);
				send_one(b, len);
			}
			printf("streamed %u\n", i);
		} else if (!strcmp(cmd, "expect")) {
			struct timespec t;
			uint64_t k;

			if (sscanf(line, "%*s %31s %u %d", dsts, &n, &ms) != 3 || parse_mac(dsts, dst) ||
			    ms <= 0)
				return 2;
			deadline_ms(&t, ms);
			pthread_mutex_lock(&l_lock);
			for (k = src_got(dst); k < n && !l_ended;) {
				uint64_t was = k;

				if (pthread_cond_timedwait(&l_cond, &l_lock, &t) == ETIMEDOUT &&
				    (k = src_got(dst)) == was)
					break;	/* MS ms without a frame from SRC */
				k = src_got(dst);
				if (k != was)	/* one came: MS ms more */
					deadline_ms(&t, ms);
			}
			{
				const struct src *x = src_of(dst);

				printf("have %llu bad %llu gaps %llu\n",
				       (unsigned long long)(x ? x->got : 0),
				       (unsigned long long)(x ? x->bad : 0),
				       (unsigned long long)(x ? x->gaps : 0));
			}
			pthread_mutex_unlock(&l_lock);
		} else if (!strcmp(cmd, "stats")) {
			pthread_mutex_lock(&l_lock);
			printf("stats got %llu bad %llu gaps %llu wakes %llu empty %llu ended %d\n",
			       (unsigned long long)l_got, (unsigned long long)l_bad,
			       (unsigned long long)l_gaps, (unsigned long long)l_wakes,
			       (unsigned long long)l_empty, l_ended);
			pthread_mutex_unlock(&l_lock);
		} else if (!strcmp(cmd, "quit")) {
			break;
		} else {
			return 2;
		}
	}
	if (l_on) {
		struct timespec t;

		(void)!write(l_pipe[1], "", 1);
		deadline_ms(&t, 5000);
		if (pthread_timedjoin_np(l_thread, NULL, &t)) {
			printf("listener stuck\n");
			_exit(3);
		}
	}
	vde_close(conn);
	return 0;
}
