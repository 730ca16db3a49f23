// SPDX-License-Identifier: GPL-2.0-or-later
/* bench/vdebench.c - forwarding-rate, loss and RTT benchmark for VDE switches
 *
 * vdebench speaks the plain VDE 2 switch protocol itself (request v3 on the
 * DIR/ctl stream, then one raw Ethernet frame per AF_UNIX datagram), so it
 * measures every switch - ours and Debian's vde_switch - through exactly the
 * same client code, with no libvdeplug in between.
 *
 * Modes (one per run, figures printed as one "key=value ..." line):
 *   fwd     open loop: a sender process blasts N frames as fast as the switch
 *           takes them (blocking sendmmsg) to a receiver on another port,
 *           which counts delivered frames and checks each one byte by byte;
 *           prints delivered frames/s and loss.
 *   rtt     ping-pong between two ports: median and p99 round trip in us.
 *   raw     the same sender/receiver over a socketpair(AF_UNIX, SOCK_DGRAM):
 *           the kernel's datagram ceiling on this machine, no switch.
 *   rawrtt  ping-pong over a datagram socketpair, no switch.
 *
 * Theory of operation: every frame carries dst MAC, src MAC, the local
 * experimental ethertype 0x88b5, a 32-bit sequence number and a fixed byte
 * pattern, so the receiver detects loss, reordering, truncation and
 * corruption with one memcmp against the template. Before the timed part the
 * receiver sends one broadcast frame so a learning switch knows its port.
 * The receiver stops when it has all N frames or when the line has been
 * idle for the grace time after the sender reported it is done. Time is
 * CLOCK_MONOTONIC, shared by both processes: the delivered rate is
 * received / (time of last delivered frame - time of first send).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "parse.h"

#define VB_ETHERTYPE	0x88b5
#define VB_HDR		14
#define VB_MINLEN	(VB_HDR + 4)
#define VB_MAXLEN	65536
#define VB_BATCH_MAX	256
#define VB_STOP_SEQ	0xffffffffu

#define VDE_MAGIC	0xfeedfaceu
#define VDE_VERSION	3
#define VDE_SUN_LEN	110			/* sizeof(struct sockaddr_un) on Linux */
#define VDE_REQ_FIXED	(12 + VDE_SUN_LEN)	/* magic, version, type, sockaddr */
#define VDE_DESCR_MAX	128

static const uint8_t mac_tx[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 };
static const uint8_t mac_rx[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x02 };
static const uint8_t mac_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

enum vb_mode { VB_FWD, VB_RTT, VB_RAW, VB_RAWRTT };

struct vb_opts {
	enum vb_mode mode;
	const char *sw;		/* switch directory (fwd, rtt) */
	size_t len;		/* frame length, Ethernet header included */
	long long count;	/* frames (fwd/raw) or pings (rtt) */
	long long warmup;	/* pings not measured (rtt) */
	size_t batch;		/* sendmmsg/recvmmsg batch */
	long long grace_ms;	/* idle time that ends the receiver */
	const char *label;	/* printed as impl=LABEL */
};

/* Result the receiver hands back to the sender process through a pipe. */
struct vb_rxres {
	uint64_t rx;		/* frames accepted (right length and content) */
	uint64_t bad_len;	/* frames of another length */
	uint64_t bad_data;	/* right length, wrong bytes */
	uint64_t reorder;	/* sequence lower than one already seen */
	uint64_t last_len;	/* length of the last bad-length frame */
	uint64_t t_first;	/* ns, first frame received */
	uint64_t t_last;	/* ns, last frame received */
};

/* The sender's report to the receiver. */
struct vb_txres {
	uint64_t t0;		/* ns, before the first send */
	uint64_t t1;		/* ns, after the last send */
	uint64_t sent;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void usage(FILE *f, int status)
{
	fprintf(f,
		"usage: vdebench fwd -s DIR [-l LEN] [-n N] [-b BATCH] [-g MS] [-L LABEL]\n"
		"       vdebench rtt -s DIR [-l LEN] [-n N] [-w WARMUP] [-L LABEL]\n"
		"       vdebench raw [-l LEN] [-n N] [-b BATCH]\n"
		"       vdebench rawrtt [-l LEN] [-n N] [-w WARMUP]\n"
		"  -s DIR    VDE switch directory (its ctl socket is DIR/ctl)\n"
		"  -l LEN    frame length in bytes incl. the 14-byte header (default 64)\n"
		"  -n N      frames to send / pings (default 1000000 / 100000)\n"
		"  -b BATCH  frames per sendmmsg/recvmmsg (default 32, 1..%d)\n"
		"  -g MS     receiver stops after MS ms without frames once the sender is done (default 300)\n"
		"  -w N      unmeasured warm-up pings (default 1000)\n"
		"  -L LABEL  label printed as impl=LABEL\n"
		"Prints one line of key=value figures.\n", VB_BATCH_MAX);
	exit(status);
}

/* Fill the template frame: header, sequence 0, fixed pattern. */
static void frame_init(uint8_t *f, size_t len, const uint8_t *dst, const uint8_t *src)
{
	size_t i;

	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = VB_ETHERTYPE >> 8;
	f[13] = VB_ETHERTYPE & 0xff;
	for (i = VB_HDR; i < len; i++)
		f[i] = (uint8_t)(i * 131u + 17u);
}

static void frame_set_seq(uint8_t *f, uint32_t seq)
{
	f[14] = (uint8_t)(seq >> 24);
	f[15] = (uint8_t)(seq >> 16);
	f[16] = (uint8_t)(seq >> 8);
	f[17] = (uint8_t)seq;
}

static uint32_t frame_seq(const uint8_t *f)
{
	return (uint32_t)f[14] << 24 | (uint32_t)f[15] << 16 | (uint32_t)f[16] << 8 | f[17];
}

/* Write/read a whole small struct over a pipe. */
static int pipe_put(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n > 0) {
		ssize_t r = write(fd, b, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

static int pipe_get(int fd, void *p, size_t n)
{
	uint8_t *b = p;

	while (n > 0) {
		ssize_t r = read(fd, b, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

/*
 * vde_connect() - attach to the switch in DIR with protocol v3 (any port).
 * Returns the connected datagram fd; *ctlfd stays open for the life of the
 * port (closing it releases the port). Dies on setup errors.
 */
static int vde_connect(const char *dir, const char *descr, int *ctlfd)
{
	struct sockaddr_un ctl = { .sun_family = AF_UNIX };
	struct sockaddr_un me = { .sun_family = AF_UNIX };
	struct sockaddr_un peer;
	uint8_t req[VDE_REQ_FIXED + VDE_DESCR_MAX];
	uint32_t w;
	size_t dlen, got;
	int cfd, dfd, seq, n;
	uint64_t deadline = now_ns() + 3000000000u;

	n = snprintf(ctl.sun_path, sizeof(ctl.sun_path), "%s/ctl", dir);
	if (n < 0 || (size_t)n >= sizeof(ctl.sun_path))
		die("switch path too long: %s", dir);
	cfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (cfd < 0)
		die_perror("socket");
	while (connect(cfd, (struct sockaddr *)&ctl, sizeof(ctl)) < 0) {
		if ((errno != ENOENT && errno != ECONNREFUSED) || now_ns() > deadline)
			die_perror("connect %s", ctl.sun_path);
		usleep(10000);
	}
	dfd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (dfd < 0)
		die_perror("socket");
	for (seq = 0;; seq++) {
		n = snprintf(me.sun_path, sizeof(me.sun_path), "%s/.%05d-%05d",
			     dir, (int)getpid(), seq);
		if (n < 0 || (size_t)n >= sizeof(me.sun_path))
			die("switch path too long: %s", dir);
		if (bind(dfd, (struct sockaddr *)&me, sizeof(me)) == 0)
			break;
		if (errno != EADDRINUSE || seq > 1000)
			die_perror("bind %s", me.sun_path);
	}
	if (chmod(me.sun_path, 0600) < 0)
		die_perror("chmod %s", me.sun_path);

	memset(req, 0, sizeof(req));
	w = VDE_MAGIC;
	req[0] = (uint8_t)w; req[1] = (uint8_t)(w >> 8);
	req[2] = (uint8_t)(w >> 16); req[3] = (uint8_t)(w >> 24);
	req[4] = VDE_VERSION;
	/* type: REQ_NEW_CONTROL (0), port 0 = any: bytes 8..11 stay zero */
	req[12] = AF_UNIX & 0xff;
	req[13] = AF_UNIX >> 8;
	memcpy(req + 14, me.sun_path, strlen(me.sun_path));
	dlen = strlen(descr);
	if (dlen > VDE_DESCR_MAX)
		dlen = VDE_DESCR_MAX;
	memcpy(req + VDE_REQ_FIXED, descr, dlen);
	if (send(cfd, req, VDE_REQ_FIXED + dlen, 0) != (ssize_t)(VDE_REQ_FIXED + dlen))
		die_perror("send request");

	memset(&peer, 0, sizeof(peer));
	for (got = 0; got < VDE_SUN_LEN;) {
		ssize_t r = read(cfd, (uint8_t *)&peer + got, VDE_SUN_LEN - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die_perror("read switch reply");
		if (r == 0)
			die("switch %s closed the control connection", dir);
		got += (size_t)r;
	}
	peer.sun_path[sizeof(peer.sun_path) - 1] = '\0';
	if (connect(dfd, (struct sockaddr *)&peer, sizeof(peer)) < 0)
		die_perror("connect %s", peer.sun_path);
	unlink(me.sun_path);
	*ctlfd = cfd;
	return dfd;
}

/* Send the broadcast "I am here" frame from mac so the switch learns it. */
static void send_hello(int fd, const uint8_t *mac)
{
	uint8_t f[64];

	frame_init(f, sizeof(f), mac_bcast, mac);
	frame_set_seq(f, VB_STOP_SEQ - 1);
	if (send(fd, f, sizeof(f), 0) < 0)
		die_perror("send hello");
}

/* Blast count frames of len bytes, batch frames per sendmmsg; blocking. */
static void sender(int fd, const struct vb_opts *o, struct vb_txres *res)
{
	static uint8_t bufs[VB_BATCH_MAX][VB_MAXLEN];
	struct mmsghdr msg[VB_BATCH_MAX];
	struct iovec iov[VB_BATCH_MAX];
	uint64_t seq = 0;
	size_t i;

	for (i = 0; i < o->batch; i++) {
		frame_init(bufs[i], o->len, mac_rx, mac_tx);
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = o->len;
		memset(&msg[i], 0, sizeof(msg[i]));
		msg[i].msg_hdr.msg_iov = &iov[i];
		msg[i].msg_hdr.msg_iovlen = 1;
	}
	res->t0 = now_ns();
	while (seq < (uint64_t)o->count) {
		size_t n = o->batch, done = 0;

		if ((uint64_t)o->count - seq < n)
			n = (size_t)((uint64_t)o->count - seq);
		for (i = 0; i < n; i++)
			frame_set_seq(bufs[i], (uint32_t)(seq + i));
		while (done < n) {
			int r = sendmmsg(fd, msg + done, (unsigned int)(n - done), 0);

			if (r < 0 && (errno == EINTR || errno == ENOBUFS || errno == EAGAIN))
				continue;
			if (r < 0)
				die_perror("sendmmsg");
			done += (size_t)r;
		}
		seq += n;
	}
	res->t1 = now_ns();
	res->sent = seq;
}

/* Count and check frames until all arrived or the line went idle after done. */
static void receiver(int fd, int donefd, const struct vb_opts *o, struct vb_rxres *res)
{
	static uint8_t bufs[VB_BATCH_MAX][VB_MAXLEN];
	static uint8_t tmpl[VB_MAXLEN];
	struct mmsghdr msg[VB_BATCH_MAX];
	struct iovec iov[VB_BATCH_MAX];
	struct vb_txres tx;
	bool done = false;
	uint64_t maxseq = 0, last_rx_ns = 0, done_ns = 0;
	size_t i;

	memset(res, 0, sizeof(*res));
	frame_init(tmpl, o->len, mac_rx, mac_tx);
	for (i = 0; i < o->batch; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = VB_MAXLEN;
		memset(&msg[i], 0, sizeof(msg[i]));
		msg[i].msg_hdr.msg_iov = &iov[i];
		msg[i].msg_hdr.msg_iovlen = 1;
	}
	for (;;) {
		struct pollfd pfd[2] = { { fd, POLLIN, 0 }, { donefd, POLLIN, 0 } };
		int r;

		if (res->rx >= (uint64_t)o->count) {
			/* everything arrived before the sender's report: take
			 * it anyway, or the sender finds the pipe closed */
			if (!done && pipe_get(donefd, &tx, sizeof(tx)) < 0)
				die("sender vanished");
			break;
		}
		if (done) {
			uint64_t idle_from = last_rx_ns > done_ns ? last_rx_ns : done_ns;

			if (now_ns() - idle_from > (uint64_t)o->grace_ms * 1000000u)
				break;
		}
		r = poll(pfd, done ? 1 : 2, 20);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die_perror("poll");
		if (!done && (pfd[1].revents & (POLLIN | POLLHUP))) {
			if (pipe_get(donefd, &tx, sizeof(tx)) < 0)
				die("sender vanished");
			done = true;
			done_ns = now_ns();
		}
		if (!(pfd[0].revents & POLLIN))
			continue;
		for (;;) {
			int m = recvmmsg(fd, msg, (unsigned int)o->batch, MSG_DONTWAIT, NULL);
			uint64_t t;

			if (m < 0 && errno == EINTR)
				continue;
			if (m < 0 && errno == EAGAIN)
				break;
			if (m < 0)
				die_perror("recvmmsg");
			t = now_ns();
			for (i = 0; i < (size_t)m; i++) {
				size_t l = msg[i].msg_len;
				const uint8_t *f = bufs[i];
				uint32_t seq;

				if (l >= VB_MINLEN && memcmp(f + 6, mac_tx, 6) != 0)
					continue;	/* not ours (e.g. a flooded hello) */
				if (l != o->len) {
					res->bad_len++;
					res->last_len = l;
					continue;
				}
				seq = frame_seq(f);
				if (memcmp(f, tmpl, 14) != 0 ||
				    memcmp(f + VB_MINLEN, tmpl + VB_MINLEN, l - VB_MINLEN) != 0 ||
				    seq >= (uint64_t)o->count) {
					res->bad_data++;
					continue;
				}
				if (res->rx == 0)
					res->t_first = t;
				else if (seq < maxseq)
					res->reorder++;
				if (seq > maxseq)
					maxseq = seq;
				res->rx++;
				res->t_last = t;
			}
			last_rx_ns = t;
			for (i = 0; i < (size_t)m; i++)
				msg[i].msg_len = 0;
		}
	}
}

/*
 * run_fwd() - fork a receiver, blast from this process, print the figures.
 * With sw == NULL both ends are a datagram socketpair (raw mode).
 */
static int run_fwd(const struct vb_opts *o)
{
	int ready[2], donep[2], resp[2], pair[2] = { -1, -1 };
	int txfd, txctl = -1, status, ret = 1;
	struct vb_rxres rx;
	struct vb_txres tx;
	pid_t pid;
	uint8_t b;
	double secs, rate, loss, txrate;

	if (pipe(ready) < 0 || pipe(donep) < 0 || pipe(resp) < 0)
		die_perror("pipe");
	if (!o->sw && socketpair(AF_UNIX, SOCK_DGRAM, 0, pair) < 0)
		die_perror("socketpair");
	pid = fork();
	if (pid < 0)
		die_perror("fork");
	if (pid == 0) {
		int rxctl = -1, rxfd;

		close(ready[0]); close(donep[1]); close(resp[0]);
		if (o->sw) {
			rxfd = vde_connect(o->sw, "vdebench rx", &rxctl);
			send_hello(rxfd, mac_rx);
		} else {
			close(pair[0]);
			rxfd = pair[1];
		}
		b = 1;
		if (pipe_put(ready[1], &b, 1) < 0)
			_exit(1);
		receiver(rxfd, donep[0], o, &rx);
		if (pipe_put(resp[1], &rx, sizeof(rx)) < 0)
			_exit(1);
		_exit(0);
	}
	close(ready[1]); close(donep[0]); close(resp[1]);
	if (pipe_get(ready[0], &b, 1) < 0)
		die("receiver failed to start");
	if (o->sw) {
		txfd = vde_connect(o->sw, "vdebench tx", &txctl);
	} else {
		close(pair[1]);
		txfd = pair[0];
	}
	usleep(50000);	/* let the switch learn the receiver's MAC */
	sender(txfd, o, &tx);
	if (pipe_put(donep[1], &tx, sizeof(tx)) < 0)
		die("receiver vanished");
	if (pipe_get(resp[0], &rx, sizeof(rx)) < 0)
		die("receiver vanished");
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die("receiver failed");

	secs = rx.rx ? (double)(rx.t_last - tx.t0) / 1e9 : 0;
	rate = secs > 0 ? (double)rx.rx / secs : 0;
	txrate = (double)tx.sent / ((double)(tx.t1 - tx.t0) / 1e9);
	loss = 100.0 * (double)(tx.sent - rx.rx) / (double)tx.sent;
	printf("mode=%s impl=%s len=%zu sent=%llu tx_fps=%.0f delivered=%llu fps=%.0f gbps=%.3f "
	       "loss_pct=%.3f bad_len=%llu bad_data=%llu reorder=%llu%s",
	       o->sw ? "fwd" : "raw", o->label, o->len, (unsigned long long)tx.sent, txrate,
	       (unsigned long long)rx.rx, rate, rate * (double)o->len * 8 / 1e9, loss,
	       (unsigned long long)rx.bad_len, (unsigned long long)rx.bad_data,
	       (unsigned long long)rx.reorder, rx.bad_len ? " truncated_to=" : "");
	if (rx.bad_len)
		printf("%llu", (unsigned long long)rx.last_len);
	printf("\n");
	fflush(stdout);
	ret = 0;
	close(txfd);
	if (txctl >= 0)
		close(txctl);
	return ret;
}

/* Echo every frame back with the MACs swapped until the stop frame. */
static void ponger(int fd, size_t len)
{
	static uint8_t f[VB_MAXLEN];

	for (;;) {
		ssize_t r = recv(fd, f, sizeof(f), 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die_perror("recv");
		if ((size_t)r < VB_MINLEN || memcmp(f + 6, mac_tx, 6) != 0)
			continue;
		if (frame_seq(f) == VB_STOP_SEQ)
			break;
		memcpy(f, mac_tx, 6);
		memcpy(f + 6, mac_rx, 6);
		if (send(fd, f, (size_t)r, 0) < 0 && errno != EAGAIN && errno != ENOBUFS)
			die_perror("send");
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* One ping: send seq, wait (fd has a 1 s SO_RCVTIMEO) for its echo. Returns RTT ns or 0. */
static uint64_t ping_once(int fd, uint8_t *f, uint8_t *in, size_t len, uint32_t seq)
{
	uint64_t t0 = now_ns();

	frame_set_seq(f, seq);
	if (send(fd, f, len, 0) < 0)
		die_perror("send");
	for (;;) {
		ssize_t r = recv(fd, in, VB_MAXLEN, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (r < 0)
			die_perror("recv");
		if ((size_t)r >= VB_MINLEN && memcmp(in + 6, mac_rx, 6) == 0 &&
		    frame_seq(in) == seq)
			return now_ns() - t0;
	}
}

static int run_rtt(const struct vb_opts *o)
{
	static uint8_t f[VB_MAXLEN], in[VB_MAXLEN];
	struct timeval tmo = { .tv_sec = 1, .tv_usec = 0 };
	int ready[2], pair[2] = { -1, -1 }, fd, ctl = -1, status, ret = 1;
	uint64_t *rtt, lost = 0;
	long long i, n = 0;
	pid_t pid;
	uint8_t b;

	rtt = calloc((size_t)o->count, sizeof(*rtt));
	if (!rtt)
		die("out of memory");
	if (pipe(ready) < 0)
		die_perror("pipe");
	if (!o->sw && socketpair(AF_UNIX, SOCK_DGRAM, 0, pair) < 0)
		die_perror("socketpair");
	pid = fork();
	if (pid < 0)
		die_perror("fork");
	if (pid == 0) {
		int pctl = -1, pfd;

		close(ready[0]);
		if (o->sw) {
			pfd = vde_connect(o->sw, "vdebench pong", &pctl);
			send_hello(pfd, mac_rx);
		} else {
			close(pair[0]);
			pfd = pair[1];
		}
		b = 1;
		if (pipe_put(ready[1], &b, 1) < 0)
			_exit(1);
		ponger(pfd, o->len);
		_exit(0);
	}
	close(ready[1]);
	if (pipe_get(ready[0], &b, 1) < 0)
		die("ponger failed to start");
	if (o->sw) {
		fd = vde_connect(o->sw, "vdebench ping", &ctl);
	} else {
		close(pair[1]);
		fd = pair[0];
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo)) < 0)
		die_perror("SO_RCVTIMEO");
	frame_init(f, o->len, mac_rx, mac_tx);
	for (i = 0; i < o->warmup + o->count; i++) {
		uint64_t t = ping_once(fd, f, in, o->len, (uint32_t)i);

		if (t == 0)
			lost++;
		else if (i >= o->warmup)
			rtt[n++] = t;
		if (lost > 10)
			break;
	}
	frame_set_seq(f, VB_STOP_SEQ);
	if (send(fd, f, o->len, 0) < 0)
		die_perror("send stop");
	if (lost > 10) {
		kill(pid, SIGTERM);
		waitpid(pid, &status, 0);
		die("rtt: more than 10 pings lost");
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die("ponger failed");
	if (n == 0)
		die("rtt: no pings answered");
	qsort(rtt, (size_t)n, sizeof(*rtt), cmp_u64);
	printf("mode=%s impl=%s len=%zu pings=%lld lost=%llu median_us=%.2f p99_us=%.2f "
	       "min_us=%.2f max_us=%.2f\n",
	       o->sw ? "rtt" : "rawrtt", o->label, o->len, n, (unsigned long long)lost,
	       (double)rtt[n / 2] / 1e3, (double)rtt[(size_t)((double)n * 0.99)] / 1e3,
	       (double)rtt[0] / 1e3, (double)rtt[n - 1] / 1e3);
	fflush(stdout);
	ret = 0;
	free(rtt);
	close(fd);
	if (ctl >= 0)
		close(ctl);
	return ret;
}

static long long num_arg(const char *what, const char *s, long long min, long long max)
{
	const char *err;
	long long v = parse_num(s, min, max, &err);

	if (err) {
		fprintf(stderr, "vdebench: %s %s: %s\n", what, s, err);
		usage(stderr, 1);
	}
	return v;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct vb_opts o = {
		.len = 64, .count = -1, .warmup = 1000, .batch = 32, .grace_ms = 300,
		.label = "-",
	};
	const char *m;
	int c;

	log_init("vdebench");
	if (argc < 2)
		usage(stderr, 1);
	m = argv[1];
	if (!strcmp(m, "-h") || !strcmp(m, "--help"))
		usage(stdout, 0);
	if (!strcmp(m, "-V") || !strcmp(m, "--version")) {
		printf("vdebench %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (!strcmp(m, "fwd"))
		o.mode = VB_FWD;
	else if (!strcmp(m, "rtt"))
		o.mode = VB_RTT;
	else if (!strcmp(m, "raw"))
		o.mode = VB_RAW;
	else if (!strcmp(m, "rawrtt"))
		o.mode = VB_RAWRTT;
	else {
		fprintf(stderr, "vdebench: unknown mode %s\n", m);
		usage(stderr, 1);
	}
	optind = 2;
	while ((c = getopt_long(argc, argv, "s:l:n:b:g:w:L:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 's': o.sw = optarg; break;
		case 'l': o.len = (size_t)num_arg("length", optarg, VB_MINLEN, VB_MAXLEN); break;
		case 'n': o.count = num_arg("count", optarg, 1, 1000000000); break;
		case 'b': o.batch = (size_t)num_arg("batch", optarg, 1, VB_BATCH_MAX); break;
		case 'g': o.grace_ms = num_arg("grace", optarg, 1, 60000); break;
		case 'w': o.warmup = num_arg("warmup", optarg, 0, 10000000); break;
		case 'L': o.label = optarg; break;
		case 'h': usage(stdout, 0); break;
		case 'V': printf("vdebench %s\n", PACKAGE_VERSION); return 0;
		default: usage(stderr, 1);
		}
	}
	if (optind != argc)
		usage(stderr, 1);
	if ((o.mode == VB_FWD || o.mode == VB_RTT) && !o.sw) {
		fprintf(stderr, "vdebench: %s needs -s DIR\n", m);
		usage(stderr, 1);
	}
	if ((o.mode == VB_RAW || o.mode == VB_RAWRTT) && o.sw) {
		fprintf(stderr, "vdebench: -s does not apply to %s\n", m);
		usage(stderr, 1);
	}
	if (o.count < 0)
		o.count = (o.mode == VB_FWD || o.mode == VB_RAW) ? 1000000 : 100000;
	signal(SIGPIPE, SIG_IGN);
	if (o.mode == VB_FWD || o.mode == VB_RAW)
		return run_fwd(&o);
	return run_rtt(&o);
}
