// SPDX-License-Identifier: GPL-2.0-or-later
/* bench/libbench.c - forwarding rate, loss and RTT through a switch with a
 * libvdeplug at both ends (bench/fastpath.sh)
 *
 * Unlike vdebench (which speaks the VDE 2 protocol itself), every frame
 * here goes through the library's vde_send() / vde_recv(): the program is
 * linked against the libvdeplug ABI (Debian's libvdeplug.so.2 at build
 * time) and LD_LIBRARY_PATH picks the library at run time, so the same
 * client code measures Debian's library and ours, on datagrams or on our
 * switch's shared-memory rings.
 *
 *   libbench fwd -s DIR [-l LEN] [-n N] [-L LABEL]
 *       a receiver (one process) attaches and sends one broadcast so that
 *       the switch learns its MAC; a sender (another process) sends N
 *       unicast frames to it with blocking vde_send(); the receiver checks
 *       each (length, header, pattern, sequence: in order) and stops when
 *       it has N or the line was idle for 300 ms after the sender finished.
 *       Rate = frames received intact / (last arrival - first send);
 *       rx_cpu_s: the receiver's CPU time (its loop, polls included).
 *       -V: the receiver opens with VDE_OPEN_VNET and receives batches of
 *       64 with vde_recv_vnet() (our library only: looked up at run time),
 *       each frame behind a virtio-net header that must be zeroed
 *       (bench/vnetrecv.sh). -P: the receiver opens with VDE_OPEN_VNET but
 *       receives with vde_recv() (the library strips the headers).
 *   libbench rtt -s DIR [-l LEN] [-n N] [-L LABEL]
 *       ping-pong: median and p99 round trip in us over N pings (1000
 *       unmeasured first).
 * Prints one line of key=value figures.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* the libvdeplug ABI: the program runs unchanged on Debian's library and ours */
#include "../tests/vdeabi.h"

/* Our library's vnet calls (-V), looked up at run time. */
struct vde_msg {
	void *buf;
	size_t len;
};
typedef struct vdeconn *open_flags_fn(char *vnl, char *descr, struct vde_open_args *open_args,
				      unsigned int flags);
typedef ssize_t recv_vnet_fn(struct vdeconn *conn, struct vde_msg *msg, unsigned int n,
			     int flags);
#define LB_VNET_HDR	10	/* VDE_VNET_HDR_LEN */
#define LB_VNET_OPEN	0x1	/* VDE_OPEN_VNET */
#define LB_VNET_BATCH	64
static recv_vnet_fn *recv_vnet;	/* set: -V */
static bool open_vnet;		/* -V, -P: the receiver opens with VDE_OPEN_VNET */

#define LB_MAXLEN	9014
#define LB_GRACE_MS	300
#define LB_WARMUP	1000

static const uint8_t mac_tx[6] = { 0x02, 0x00, 0x5e, 0x11, 0x00, 0x01 };
static const uint8_t mac_rx[6] = { 0x02, 0x00, 0x5e, 0x11, 0x00, 0x02 };
static const uint8_t mac_bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* dst, src, ethertype 0x88b5, u32 sequence, then byte i = i & 0xff */
static void frame_init(uint8_t *f, size_t len, const uint8_t *dst, const uint8_t *src)
{
	size_t i;

	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x88;
	f[13] = 0xb5;
	for (i = 14; i < len; i++)
		f[i] = (uint8_t)i;
}

static void frame_seq(uint8_t *f, uint32_t seq)
{
	memcpy(f + 14, &seq, 4);
}

/* @vnet: with VDE_OPEN_VNET (-V or -P, the receiver) */
static struct vdeconn *open_sw(const char *dir, const char *descr, bool vnet)
{
	struct vde_open_args a = { .port = 0, .group = NULL, .mode = 0700 };
	open_flags_fn *open_flags = (open_flags_fn *)dlsym(RTLD_DEFAULT, "vde_open_flags");
	struct vdeconn *c = vnet ? open_flags((char *)dir, (char *)descr, &a, LB_VNET_OPEN) :
			    vde_open_real((char *)dir, (char *)descr, ABI_INTERFACE_VERSION, &a);

	if (!c) {
		fprintf(stderr, "libbench: vde_open %s: %s\n", dir, strerror(errno));
		exit(1);
	}
	return c;
}

static int wait_in(struct vdeconn *c, int ms)
{
	struct pollfd p = { .fd = vde_datafd(c), .events = POLLIN };
	int r;

	do
		r = poll(&p, 1, ms);
	while (r < 0 && errno == EINTR);
	return r;
}

struct rxres {
	uint64_t got, bad, t_last, cpu_ns;	/* cpu_ns: the receiver's CPU time */
};

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Check one received frame @in (@k bytes) against @tmpl with sequence
 * *@expect: ours and intact counts in @rr. */
static void rx_check(struct rxres *rr, uint32_t *expect, uint8_t *tmpl, size_t len,
		     const uint8_t *in, size_t k)
{
	if (k < 14 || memcmp(in + 6, mac_tx, 6))
		return;		/* not ours (the switch's own chatter) */
	frame_seq(tmpl, *expect);
	if (k == len && !memcmp(in, tmpl, len)) {
		rr->got++;
		++*expect;
	} else {
		rr->bad++;
		if (k >= 18) {
			memcpy(expect, in + 14, 4);
			++*expect;
		}
	}
	rr->t_last = now_ns();
}

/* -V: one vde_recv_vnet() batch into @bufs, each frame checked (a header
 * that is not zeroed makes the frame bad). As vde_recv(): > 0 frames, or
 * -1 with errno. */
static ssize_t rx_vnet(struct vdeconn *c, uint8_t (*bufs)[LB_MAXLEN + 64 + LB_VNET_HDR],
		       struct rxres *rr, uint32_t *expect, uint8_t *tmpl, size_t len)
{
	static const uint8_t zero[LB_VNET_HDR];
	struct vde_msg m[LB_VNET_BATCH];
	ssize_t r, i;

	for (i = 0; i < LB_VNET_BATCH; i++)
		m[i] = (struct vde_msg){ bufs[i], sizeof(bufs[i]) };
	r = recv_vnet(c, m, LB_VNET_BATCH, 0);
	for (i = 0; i < r; i++) {
		if (m[i].len < LB_VNET_HDR || memcmp(bufs[i], zero, LB_VNET_HDR)) {
			rr->bad++;
			continue;
		}
		rx_check(rr, expect, tmpl, len, bufs[i] + LB_VNET_HDR, m[i].len - LB_VNET_HDR);
	}
	return r;
}

static int run_fwd(const char *dir, size_t len, uint32_t n, const char *label)
{
	static uint8_t vbufs[LB_VNET_BATCH][LB_MAXLEN + 64 + LB_VNET_HDR];
	uint8_t f[LB_MAXLEN], tmpl[LB_MAXLEN], in[LB_MAXLEN + 64];
	int ready[2], done[2], res[2], start[2], st;
	struct rxres rr = { 0 };
	uint64_t t0 = 0;
	pid_t rx, tx;

	if (pipe(ready) || pipe(done) || pipe(res) || pipe(start))
		return 1;
	rx = fork();
	if (rx == 0) {
		struct vdeconn *c = open_sw(dir, "libbench rx", open_vnet);
		uint32_t expect = 0;
		int sender_done = 0;

		frame_init(f, 64, mac_bc, mac_rx);
		vde_send(c, f, 64, 0);
		frame_init(tmpl, len, mac_rx, mac_tx);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		/* non-blocking: poll only when nothing waits (either library
		 * then returns EAGAIN, as recv() does) */
		fcntl(vde_datafd(c), F_SETFL, fcntl(vde_datafd(c), F_GETFL) | O_NONBLOCK);
		rr.cpu_ns = cpu_ns();
		while (rr.got + rr.bad < n) {
			ssize_t k = recv_vnet ? rx_vnet(c, vbufs, &rr, &expect, tmpl, len) :
				    vde_recv(c, in, sizeof(in), 0);

			if (k < 0 && (errno == EAGAIN || errno == EINTR)) {
				struct pollfd p = { .fd = done[0], .events = POLLIN };

				if (wait_in(c, LB_GRACE_MS) > 0)
					continue;
				if (sender_done)
					break;
				sender_done = poll(&p, 1, 0) > 0;
				continue;
			}
			if (k > 0 && !recv_vnet)
				rx_check(&rr, &expect, tmpl, len, in, (size_t)k);
		}
		rr.cpu_ns = cpu_ns() - rr.cpu_ns;
		if (write(res[1], &rr, sizeof(rr)) != sizeof(rr))
			_exit(1);
		vde_close(c);
		_exit(0);
	}
	if (read(ready[0], f, 1) != 1)
		return 1;
	tx = fork();
	if (tx == 0) {
		struct vdeconn *c = open_sw(dir, "libbench tx", false);
		uint32_t i;

		frame_init(f, len, mac_rx, mac_tx);
		t0 = now_ns();
		if (write(start[1], &t0, sizeof(t0)) != sizeof(t0))
			_exit(1);
		for (i = 0; i < n; i++) {
			frame_seq(f, i);
			while (vde_send(c, f, len, 0) < 0)
				if (errno != EINTR && errno != EAGAIN && errno != ENOBUFS)
					_exit(1);
		}
		vde_close(c);
		_exit(0);
	}
	if (read(start[0], &t0, sizeof(t0)) != sizeof(t0))
		return 1;
	waitpid(tx, &st, 0);
	/* the receiver's idle check reads "done" from this pipe */
	if (write(done[1], "d", 1) != 1)
		return 1;
	if (read(res[0], &rr, sizeof(rr)) != sizeof(rr))
		return 1;
	waitpid(rx, NULL, 0);
	{
		double secs = rr.t_last > t0 ? (double)(rr.t_last - t0) / 1e9 : 0;

		printf("mode=fwd impl=%s len=%zu sent=%u received=%llu bad=%llu loss_pct=%.3f fps=%.0f "
		       "rx_cpu_s=%.3f\n",
		       label, len, n, (unsigned long long)rr.got, (unsigned long long)rr.bad,
		       100.0 * (double)(n - rr.got) / n, secs > 0 ? (double)rr.got / secs : 0,
		       (double)rr.cpu_ns / 1e9);
	}
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int run_rtt(const char *dir, size_t len, uint32_t n, const char *label)
{
	uint8_t f[LB_MAXLEN], in[LB_MAXLEN + 64];
	uint64_t *rtt = calloc(n, sizeof(*rtt));
	int ready[2];
	struct vdeconn *c;
	uint32_t i, k = 0, lost = 0;
	pid_t pong;

	if (!rtt || pipe(ready))
		return 1;
	pong = fork();
	if (pong == 0) {
		struct vdeconn *p = open_sw(dir, "libbench pong", false);

		frame_init(f, 64, mac_bc, mac_rx);
		vde_send(p, f, 64, 0);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		for (;;) {
			ssize_t r = vde_recv(p, in, sizeof(in), 0);

			if (r < 0 && errno != EINTR && errno != EAGAIN)
				_exit(0);
			if (r >= 14 && !memcmp(in + 6, mac_tx, 6)) {
				memcpy(in, mac_tx, 6);
				memcpy(in + 6, mac_rx, 6);
				vde_send(p, in, (size_t)r, 0);
			}
		}
	}
	if (read(ready[0], f, 1) != 1)
		return 1;
	c = open_sw(dir, "libbench ping", false);
	frame_init(f, len, mac_rx, mac_tx);
	for (i = 0; i < n + LB_WARMUP; i++) {
		uint64_t t = now_ns();
		ssize_t r = -1;

		frame_seq(f, i);
		vde_send(c, f, len, 0);
		while (wait_in(c, 1000) > 0) {
			r = vde_recv(c, in, sizeof(in), 0);
			if (r >= 18 && !memcmp(in + 14, f + 14, 4))
				break;
			r = -1;
		}
		if (r < 0) {
			lost++;
			continue;
		}
		if (i >= LB_WARMUP)
			rtt[k++] = now_ns() - t;
	}
	kill(pong, SIGTERM);
	waitpid(pong, NULL, 0);
	vde_close(c);
	qsort(rtt, k, sizeof(*rtt), cmp_u64);
	printf("mode=rtt impl=%s len=%zu pings=%u lost=%u median_us=%.2f p99_us=%.2f\n", label, len,
	       k, lost, k ? rtt[k / 2] / 1e3 : 0.0, k ? rtt[(size_t)k * 99 / 100] / 1e3 : 0.0);
	free(rtt);
	return 0;
}

int main(int argc, char **argv)
{
	const char *dir = NULL, *label = "?";
	size_t len = 64;
	char vnet = 0;
	long n = 0;
	int c;

	if (argc < 2) {
		fprintf(stderr, "usage: libbench fwd|rtt -s DIR [-l LEN] [-n N] [-L LABEL] [-V | -P]\n");
		return 1;
	}
	optind = 2;
	while ((c = getopt(argc, argv, "s:l:n:L:VP")) != -1) {
		switch (c) {
		case 's': dir = optarg; break;
		case 'l': len = (size_t)strtoul(optarg, NULL, 10); break;
		case 'n': n = strtol(optarg, NULL, 10); break;
		case 'L': label = optarg; break;
		case 'V': case 'P': vnet = (char)c; break;
		default: return 1;
		}
	}
	if (!dir || len < 64 || len > LB_MAXLEN || n < 0 || n > 100000000) {
		fprintf(stderr, "libbench: -s DIR needed; 64 <= LEN <= %d\n", LB_MAXLEN);
		return 1;
	}
	if (vnet) {
		open_vnet = true;
		if (vnet == 'V')
			recv_vnet = (recv_vnet_fn *)dlsym(RTLD_DEFAULT, "vde_recv_vnet");
		if ((vnet == 'V' && !recv_vnet) || !dlsym(RTLD_DEFAULT, "vde_open_flags") ||
		    strcmp(argv[1], "fwd")) {
			fprintf(stderr, "libbench: -V and -P need fwd and a library with "
				"vde_open_flags() and vde_recv_vnet()\n");
			return 1;
		}
	}
	if (!strcmp(argv[1], "fwd"))
		return run_fwd(dir, len, (uint32_t)(n ? n : 1000000), label);
	if (!strcmp(argv[1], "rtt"))
		return run_rtt(dir, len, (uint32_t)(n ? n : 50000), label);
	fprintf(stderr, "libbench: unknown mode %s\n", argv[1]);
	return 1;
}
