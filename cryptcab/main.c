// SPDX-License-Identifier: GPL-2.0-or-later
/* cryptcab/main.c - vde_cryptcab: encrypted UDP cable between VDE networks
 *
 * The I/O shell around the vdecab engine (cable.c): command line, keys, one
 * UDP socket (IPv6 dual-stack, or IPv4), one VDE connection per peer (any
 * VNL, or "-" for a VDE byte stream on stdin/stdout), the epoll loop, the
 * management console and the key tools (genkey, pubkey, genpsk).
 *
 * Data path: every wakeup drains its socket in batches (recvmmsg on UDP,
 * vde_recv_batch on the switch side, which is right for every VNL and uses
 * our switch's shared-memory rings); what the engine sends or delivers
 * meanwhile is queued and leaves at the end of the batch in one sendmmsg
 * on UDP and one vde_send_batch per run of one switch port.
 * On UDP, runs of equal-sized datagrams to one address go out as one GSO
 * message and arrive, with UDP_GRO, as one train that is cut up again: the
 * datagrams on the wire are exactly the protocol's. The engine's clock is
 * read once per batch.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>

#include <sodium.h>

#include "cable.h"
#include "conf.h"
#include "console.h"
#include "json.h"
#include "daemon.h"
#include "libvdeplug.h"
#include "log.h"
#include "tool.h"
#include "loop.h"
#include "parse.h"
#include "stream.h"
#include "udpgso.h"

#define PROG		"vde_cryptcab"
#define BATCH		64		/* datagrams per recvmmsg / sendmmsg */
#define DRAIN_ROUNDS	8		/* batches per wakeup before others run */
#define SLOT		2048		/* > CABLE_DATA_MAX and VDE_ETHBUFSIZE */
#define URX_BATCH	32		/* UDP receive slots; one may hold a GRO train */
#define URX_SLOT	65536		/* any UDP datagram, or a GRO train */
#define GSO_SEGS	40		/* datagrams per GSO send */
#define GSO_BYTES	60000		/* payload per GSO send (< 64 KiB with headers) */
#define TICK_MAX	CABLE_SEC
#define CAB_KEEPALIVE_DEFAULT	25	/* -k without SECS (VDE 2 form), seconds */

struct port {
	struct ctx *ctx;
	struct cable_peer *peer;
	VDECONN *conn;			/* NULL for the stdio stream */
	int datafd, ctlfd;
	uint8_t buf[VDE_ETHBUFSIZE];
};

union gro_cmsg {
	char buf[CMSG_SPACE(sizeof(int))];
	struct cmsghdr align;
};

/* Datagrams to send on the UDP socket, flushed with one sendmmsg. Runs of
 * datagrams of one size to one address leave as one UDP GSO message (the
 * kernel cuts it into the same datagrams: nothing changes on the wire). */
struct udp_txq {
	unsigned n;
	struct iovec iov[BATCH];
	struct cable_addr to[BATCH];
	struct cable_peer *peer[BATCH];
	uint8_t buf[BATCH][CABLE_DATA_MAX];
	/* what sendmmsg gets: single datagrams or GSO runs */
	uint32_t key[BATCH];		/* where the run of datagrams to @to began */
	struct mmsghdr msg[BATCH];
	unsigned first[BATCH], count[BATCH];
	union udpgso_cmsg ctl[BATCH];
};

/* UDP receive batch; with UDP_GRO a slot may hold a train of datagrams of
 * one size from one source, which is cut up again before cable_rx(). */
struct udp_rxq {
	struct mmsghdr msg[URX_BATCH];
	struct iovec iov[URX_BATCH];
	struct cable_addr src[URX_BATCH];
	union gro_cmsg ctl[URX_BATCH];
	uint8_t buf[URX_BATCH][URX_SLOT];
};

/* Frames for the switch ports, flushed with sendmmsg per run of one port. */
struct sw_txq {
	unsigned n;
	struct port *port[BATCH];
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	uint8_t buf[BATCH][CABLE_FRAME_MAX];
};

/* One batch of frames from a switch port (vde_recv_batch). */
struct rxq {
	struct vde_msg m[BATCH];
	uint8_t buf[BATCH][SLOT];
};

struct ctx {
	struct loop *loop;
	struct cable *cable;
	struct console *con;
	int udp;
	int family;
	bool gso;			/* UDP GSO works on this socket */
	bool verbose;
	bool stdio;
	struct stream_rx *srx;
	struct stream_tx *stx_out;	/* -s -: frames for stdout, one write per wake-up */
	int out_flags;			/* stdout's flags before tool_out_nonblock(), -1 */
	bool out_wait;			/* stdout full: polled for EPOLLOUT */
	const char *vnl;
	struct port ports[CABLE_MAX_PEERS];
	size_t nports;			/* slots used so far (a PSK server reuses them) */
	long timer;
	uint64_t timer_at;
	int64_t clock_offset;		/* console debug/clock: tests jump time */
	uint64_t now_cache;		/* engine time within one batch, 0 = none */
	struct udp_txq utx;
	struct sw_txq stx;
	struct rxq rx;
	struct udp_rxq urx;
};

/* CABLE_DEFAULT_PORT as text, for the help */
#define STR_(x)		#x
#define STR(x)		STR_(x)

static const char usage_text[] =
"usage: " PROG " [-dhvV] [-s VNL] [-p port] [-c host:port] [-k [secs]] [-n name]\n"
"                    [-M mgmt] [--mgmtmode mode] [--mgmtgroup group] [--pidfile file] -P pskfile\n"
"       " PROG " [options] -f config\n"
"       " PROG " genkey | pubkey | genpsk\n"
"\n"
"  -s, --sock VNL        VDE network to plug into (default: the default switch;\n"
"                        \"-\": VDE byte stream on stdin/stdout)\n"
"  -p, --port PORT       local UDP port (server default " STR(CABLE_DEFAULT_PORT) ")\n"
"  -c, --connect H:P     peer to connect to (client); [IPv6]:port accepted\n"
"  -k, --keepalive [SECS] persistent keepalive interval (default off; -k alone,\n"
"                        VDE 2's form: 25 s, advised behind NAT)\n"
"  -P, --psk FILE        pre-shared key mode: key from FILE (genpsk)\n"
"  -f, --config FILE     key mode: private-key and peer lines\n"
"  -n, --name NAME       cable name mixed into the handshake\n"
"  -M, --mgmt SOCK       management console socket\n"
"      --mgmtmode MODE   its permissions (octal, default 0600; also --mgmt-mode)\n"
"      --mgmtgroup GROUP its group\n"
"  -d, --daemon          run in the background\n"
"      --pidfile FILE    write the pid (after setup) to FILE\n"
"  -v, --verbose         lifecycle messages\n"
"  -V, --version         print the version\n"
"  -h, --help            this help\n";

static const struct tool_help help = { PROG, usage_text, TOOL_HELP_WHOLE };

/* --- key tools ----------------------------------------------------------- */

static int tool_genkey(bool psk)
{
	uint8_t *k = sodium_malloc(CONF_KEYLEN);
	char out[CONF_B64LEN + 1];

	if (!k)
		die("out of memory");
	randombytes_buf(k, CONF_KEYLEN);
	if (!psk) {
		k[0] &= 248;	/* clamp like wg genkey */
		k[31] = (uint8_t)((k[31] & 127) | 64);
	}
	key_to_base64(out, k);
	printf("%s\n", out);
	sodium_memzero(out, sizeof(out));
	sodium_free(k);
	return fflush(stdout) ? 1 : 0;
}

static int tool_pubkey(void)
{
	uint8_t *k = sodium_malloc(CONF_KEYLEN);
	char line[256], out[CONF_B64LEN + 1];
	uint8_t pub[CONF_KEYLEN];
	size_t len;
	int ret = 1;

	if (!k)
		die("out of memory");
	if (!fgets(line, sizeof(line), stdin)) {
		fprintf(stderr, "%s: pubkey: no private key on standard input\n", PROG);
		goto out;
	}
	len = strcspn(line, "\r\n");
	if (key_from_base64(k, line, len) || noise_pub_from_priv(pub, k)) {
		fprintf(stderr, "%s: pubkey: not a private key (44 characters of base64)\n", PROG);
		goto out;
	}
	key_to_base64(out, pub);
	printf("%s\n", out);
	ret = fflush(stdout) ? 1 : 0;
out:
	sodium_memzero(line, sizeof(line));
	sodium_free(k);
	return ret;
}

/* --- engine callbacks ---------------------------------------------------- */

static uint64_t cb_now(void *arg)
{
	struct ctx *ctx = arg;

	if (ctx->now_cache)
		return ctx->now_cache;
	return (uint64_t)((int64_t)loop_now_ns() + ctx->clock_offset);
}

/* One clock read per batch of packets, not several per packet. */
static void batch_begin(struct ctx *ctx)
{
	ctx->now_cache = 0;
	ctx->now_cache = cb_now(ctx);
}

static void cb_realtime(void *arg, struct timespec *ts)
{
	struct ctx *ctx = arg;

	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += (time_t)(ctx->clock_offset / (int64_t)CABLE_SEC);
}

static void cb_random(void *arg, void *buf, size_t len)
{
	randombytes_buf(buf, len);
}

/* A datagram the engine counted as sent failed after all: count it. */
static void udp_tx_failed(struct ctx *ctx, struct cable_peer *p, int err)
{
	enum cable_counter why = err == EMSGSIZE ? C_TX_EMSGSIZE : C_TX_ERROR;

	ctx->cable->stats[why]++;
	if (p)		/* NULL: a cookie reply */
		p->stats[why]++;
}

/* A GSO run was refused: send its datagrams one by one. If that works,
 * GSO is what failed (e.g. a datagram above the path MTU, which GSO cannot
 * fragment): stop using it on this socket. */
static void send_each(struct ctx *ctx, unsigned first, unsigned count)
{
	struct udp_txq *q = &ctx->utx;
	unsigned i, ok = 0;

	for (i = first; i < first + count; i++) {
		ssize_t r;

		do
			r = sendto(ctx->udp, q->iov[i].iov_base, q->iov[i].iov_len, 0,
				   (const struct sockaddr *)&q->to[i].ss, q->to[i].len);
		while (r < 0 && errno == EINTR);
		if (r < 0)
			udp_tx_failed(ctx, q->peer[i], errno);
		else
			ok++;
	}
	if (ok == count && ctx->gso) {
		ctx->gso = false;
		if (ctx->verbose)
			log_info("UDP GSO refused, sending datagrams one by one from now on");
	}
}

/* Cut the queue into runs (one address, one size, a shorter last one
 * allowed) and send them all with one sendmmsg. */
static void flush_udp(struct ctx *ctx)
{
	struct udp_txq *q = &ctx->utx;
	unsigned i, k = 0, nm = 0;

	/* a run is to one address: a new key where the address changes */
	for (i = 0; i < q->n; i++)
		q->key[i] = i && cable_addr_equal(&q->to[i], &q->to[i - 1]) ? q->key[i - 1] : i;
	i = 0;
	while (i < q->n) {
		struct msghdr *h = &q->msg[nm].msg_hdr;
		unsigned j = i + 1;

		if (ctx->gso)
			j = i + (unsigned)udpgso_run(&q->iov[i], 0, &q->key[i], q->n - i, GSO_SEGS,
						     GSO_BYTES);
		memset(h, 0, sizeof(*h));
		h->msg_name = &q->to[i].ss;
		h->msg_namelen = q->to[i].len;
		h->msg_iov = &q->iov[i];
		h->msg_iovlen = j - i;
		if (j - i > 1)
			udpgso_cmsg(h, &q->ctl[nm], q->iov[i].iov_len);
		q->first[nm] = i;
		q->count[nm++] = j - i;
		i = j;
	}
	while (k < nm) {
		int r = sendmmsg(ctx->udp, q->msg + k, nm - k, 0);

		if (r > 0) {
			k += (unsigned)r;
		} else if (r < 0 && errno == EINTR) {
			continue;
		} else {
			/* message k failed: retry a GSO run singly, count the rest */
			if (q->count[k] > 1)
				send_each(ctx, q->first[k], q->count[k]);
			else
				udp_tx_failed(ctx, q->peer[q->first[k]], r < 0 ? errno : EIO);
			k++;
		}
	}
	q->n = 0;
}

/* The engine's datagrams are queued and leave in one sendmmsg at the end of
 * the batch (or when the queue is full), in order. */
static int cb_send(void *arg, struct cable_peer *p, const struct cable_addr *to,
		   const uint8_t *buf, size_t len)
{
	struct ctx *ctx = arg;
	struct udp_txq *q = &ctx->utx;
	unsigned i;

	if (len > CABLE_DATA_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	if (q->n == BATCH)
		flush_udp(ctx);
	i = q->n++;
	memcpy(q->buf[i], buf, len);
	q->to[i] = *to;
	q->iov[i].iov_base = q->buf[i];
	q->iov[i].iov_len = len;
	q->peer[i] = p;
	return 0;
}

/* Send @n frames of @port's run through the library; the switch's
 * backpressure is kept: while it takes nothing, wait for room (at most
 * 100 ms for the whole run: a stalled switch never holds the cable
 * longer), then count what still fails. */
static void flush_port_run(struct port *port, struct mmsghdr *msg, unsigned n)
{
	struct vde_msg m[BATCH];
	uint64_t deadline = loop_now_ns() + 100000000ULL;
	unsigned i = 0, k;

	for (k = 0; k < n && k < BATCH; k++) {
		m[k].buf = msg[k].msg_hdr.msg_iov[0].iov_base;
		m[k].len = msg[k].msg_hdr.msg_iov[0].iov_len;
	}
	n = k;
	while (i < n) {
		ssize_t r = vde_send_batch(port->conn, m + i, n - i, 0);

		if (r > 0) {
			i += (unsigned)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN && loop_now_ns() < deadline) {
			/* a full ring leaves the socket writable: nap, then retry */
			struct pollfd pfd = { .fd = port->datafd, .events = POLLOUT };
			struct timespec nap = { 0, 50000 };

			if (poll(&pfd, 1, 10) >= 0)
				nanosleep(&nap, NULL);
			continue;
		}
		port->peer->stats[C_TX_ERROR]++;
		i++;
	}
}

/* -s -: a pipe or socket stdout is non-blocking (tool_out_nonblock()): what
 * the reader does not take waits in the writer's bounded backlog, polled
 * for EPOLLOUT, and frames past it are dropped and counted (tx_error and the
 * writer's drops); a stalled reader never blocks the loop. A tty or file
 * stays blocking, written whole as in VDE 2. */
static void flush_stdout(struct ctx *ctx)
{
	int r;

	if (!ctx->stx_out || !stream_tx_pending(ctx->stx_out))
		r = 0;
	else
		r = stream_tx_flush(ctx->stx_out, STDOUT_FILENO);
	if (r < 0) {
		log_debug("stdout: %s (frames dropped)", strerror(errno));
		stream_tx_init(ctx->stx_out);
		r = 0;
	}
	if (ctx->out_flags < 0 || (r > 0) == ctx->out_wait)
		return;
	ctx->out_wait = r > 0;
	loop_mod_fd(ctx->loop, STDOUT_FILENO, ctx->out_wait ? EPOLLOUT : 0);
}

static void on_stdout(struct loop *l, int fd, uint32_t events, void *arg)
{
	(void)l;
	(void)fd;
	(void)events;
	flush_stdout(arg);
}

static void flush_sw(struct ctx *ctx)
{
	struct sw_txq *q = &ctx->stx;
	unsigned i = 0;

	flush_stdout(ctx);
	while (i < q->n) {
		unsigned j = i + 1;

		while (j < q->n && q->port[j] == q->port[i])
			j++;
		flush_port_run(q->port[i], q->msg + i, j - i);
		i = j;
	}
	q->n = 0;
}

static void flush_all(struct ctx *ctx)
{
	flush_udp(ctx);
	flush_sw(ctx);
}

static void cb_deliver(void *arg, struct cable_peer *p, const uint8_t *frame, size_t len)
{
	struct ctx *ctx = arg;
	struct port *port = p->user;
	struct sw_txq *q = &ctx->stx;
	unsigned i;

	if (!port) {
		p->stats[C_TX_ERROR]++;
		return;
	}
	if (ctx->stdio) {
		if (!stream_tx_queue(ctx->stx_out, frame, len))
			p->stats[C_TX_ERROR]++;
		return;
	}
	if (q->n == BATCH)
		flush_sw(ctx);
	i = q->n++;
	memcpy(q->buf[i], frame, len);
	q->port[i] = port;
	q->iov[i].iov_base = q->buf[i];
	q->iov[i].iov_len = len;
	memset(&q->msg[i], 0, sizeof(q->msg[i]));
	q->msg[i].msg_hdr.msg_iov = &q->iov[i];
	q->msg[i].msg_hdr.msg_iovlen = 1;
}

static void addr_str(const struct cable_addr *a, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (a->ss.ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)&a->ss;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		port = ntohs(in->sin_port);
		snprintf(buf, len, "%s:%u", host, port);
	} else if (a->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&a->ss;

		port = ntohs(in6->sin6_port);
		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
			inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], host, sizeof(host));
			snprintf(buf, len, "%s:%u", host, port);
		} else {
			inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
			snprintf(buf, len, "[%s]:%u", host, port);
		}
	} else {
		snprintf(buf, len, "(none)");
	}
}

static void cb_event(void *arg, struct cable_peer *p, const char *msg)
{
	struct ctx *ctx = arg;
	char ep[80];

	if (!ctx->verbose)
		return;
	if (p) {
		addr_str(&p->ep, ep, sizeof(ep));
		log_info("peer %u (%s): %s", p->id, p->has_ep ? ep : "no endpoint", msg);
	} else {
		log_info("%s", msg);
	}
}

/* --- loop glue ------------------------------------------------------------ */

static uint64_t on_timer(struct loop *l, void *arg)
{
	struct ctx *ctx = arg;
	uint64_t next = cable_tick(ctx->cable), t = cb_now(ctx), d = TICK_MAX;

	flush_all(ctx);
	if (next && next > t && next - t < d)
		d = next - t;
	else if (next && next <= t)
		d = 1000000;
	ctx->timer_at = loop_now_ns() + d;
	return d;
}

/* Deadlines may have moved earlier after a packet: run the timers now if
 * anything is due, else make sure the timer fires in time. */
static void after_io(struct ctx *ctx)
{
	uint64_t next = cable_tick(ctx->cable), t = cb_now(ctx), real;

	flush_all(ctx);
	ctx->now_cache = 0;
	if (!next)
		return;
	real = loop_now_ns() + (next > t ? next - t : 1000000);
	if (real < ctx->timer_at) {
		ctx->timer_at = real;
		loop_timer_rearm(ctx->loop, ctx->timer, real - loop_now_ns());
	}
}

/* One batch of frames from the switch port into ctx->rx, through the
 * library (rings, datagrams or any module, nested plugins included: a tool
 * never reads beneath a VNL). A frame longer than SLOT comes back cut to
 * SLOT bytes, which is still more than CABLE_FRAME_MAX: cable_tx() drops
 * it as tx_oversize. Returns the frames, 0 when none now, -1 when the
 * connection is closed. */
static int rx_batch(struct ctx *ctx, struct port *port)
{
	struct rxq *q = &ctx->rx;
	ssize_t n;
	int i;

	for (i = 0; i < BATCH; i++) {
		q->m[i].buf = q->buf[i];
		q->m[i].len = SLOT;
	}
	n = vde_recv_batch(port->conn, q->m, BATCH, 0);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		return -1;
	return n < 0 ? 0 : (int)n;
}

/* The datagram size of a GRO train, 0 for a single datagram. */
static size_t gro_size(struct msghdr *h)
{
	struct cmsghdr *cm;
	int v;

	for (cm = CMSG_FIRSTHDR(h); cm; cm = CMSG_NXTHDR(h, cm))
		if (cm->cmsg_level == SOL_UDP && cm->cmsg_type == UDP_GRO &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(v))) {
			memcpy(&v, CMSG_DATA(cm), sizeof(v));
			return v > 0 ? (size_t)v : 0;
		}
	return 0;
}

static void on_udp(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct ctx *ctx = arg;
	struct udp_rxq *q = &ctx->urx;
	int r, i, n;

	batch_begin(ctx);
	for (r = 0; r < DRAIN_ROUNDS; r++) {
		for (i = 0; i < URX_BATCH; i++) {
			struct msghdr *h = &q->msg[i].msg_hdr;

			q->iov[i].iov_base = q->buf[i];
			q->iov[i].iov_len = URX_SLOT;
			h->msg_name = &q->src[i].ss;
			h->msg_namelen = sizeof(q->src[i].ss);
			h->msg_iov = &q->iov[i];
			h->msg_iovlen = 1;
			h->msg_control = q->ctl[i].buf;
			h->msg_controllen = sizeof(q->ctl[i].buf);
			h->msg_flags = 0;
		}
		do
			n = recvmmsg(fd, q->msg, URX_BATCH, MSG_DONTWAIT, NULL);
		while (n < 0 && errno == EINTR);
		for (i = 0; i < n; i++) {
			size_t len = q->msg[i].msg_len, seg = gro_size(&q->msg[i].msg_hdr), off;

			q->src[i].len = q->msg[i].msg_hdr.msg_namelen;
			if (!seg || seg >= len) {
				cable_rx(ctx->cable, q->buf[i], len, &q->src[i]);
				continue;
			}
			for (off = 0; off < len; off += seg)
				cable_rx(ctx->cable, q->buf[i] + off, len - off < seg ? len - off : seg,
					 &q->src[i]);
		}
		flush_all(ctx);
		if (n < URX_BATCH)
			break;
	}
	after_io(ctx);
}

static void on_port(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct port *port = arg;
	struct ctx *ctx = port->ctx;
	struct rxq *q = &ctx->rx;
	int r, i, n;

	(void)fd;
	batch_begin(ctx);
	for (r = 0; r < DRAIN_ROUNDS; r++) {
		n = rx_batch(ctx, port);
		if (n < 0) {
			log_err("%s: the connection closed", ctx->vnl ? ctx->vnl : "switch");
			loop_stop(l);
			break;
		}
		for (i = 0; i < n; i++)
			if (q->m[i].len > 0)
				cable_tx(ctx->cable, port->peer, q->buf[i], q->m[i].len);
		flush_all(ctx);
		if (n < BATCH)
			break;
	}
	after_io(ctx);
}

static void on_ctl(struct loop *l, int fd, uint32_t events, void *arg)
{
	char b[64];
	ssize_t n = read(fd, b, sizeof(b));

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		log_err("switch closed the connection");
		loop_stop(l);
	}
}

static void stdio_frame(void *arg, const uint8_t *frame, size_t len)
{
	struct port *port = arg;

	if (port->peer)		/* a PSK server before its first client: dropped */
		cable_tx(port->ctx->cable, port->peer, frame, len);
}

static void on_stdin(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct port *port = arg;
	struct ctx *ctx = port->ctx;
	ssize_t n = read(fd, port->buf, sizeof(port->buf));

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		if (ctx->verbose)
			log_info("end of input stream");
		loop_stop(l);
		return;
	}
	if (n > 0)
		stream_rx_feed(ctx->srx, port->buf, (size_t)n, stdio_frame, port);
	after_io(ctx);
}

static void on_signal(struct loop *l, int signo, void *arg)
{
	loop_stop(l);
}

/* --- console -------------------------------------------------------------- */

static const char *const cookie_modes[] = { "auto", "always", "off" };	/* enum order */

static void print_counters(FILE *out, const uint64_t *stats, const char *indent)
{
	int i;

	for (i = 0; i < C_N; i++)
		if (stats[i])
			fprintf(out, "%s%s %llu\n", indent, cable_counter_names[i],
				(unsigned long long)stats[i]);
}

static int cmd_stats(void *arg, FILE *out, const char *args)
{
	struct ctx *ctx = arg;
	int i;

	for (i = 0; i < C_N; i++)
		fprintf(out, "%s %llu\n", cable_counter_names[i],
			(unsigned long long)ctx->cable->stats[i]);
	return 0;
}

static void print_age(FILE *out, const char *what, uint64_t t, uint64_t when)
{
	if (when)
		fprintf(out, "  %s %llu s ago\n", what, (unsigned long long)((t - when) / CABLE_SEC));
	else
		fprintf(out, "  %s never\n", what);
}

static int cmd_peers(void *arg, FILE *out, const char *args)
{
	struct ctx *ctx = arg;
	uint64_t t = cb_now(ctx);
	size_t i;

	for (i = 0; i < ctx->cable->npeers; i++) {
		struct cable_peer *p = ctx->cable->peers[i];
		char pub[CONF_B64LEN + 1], ep[80];

		key_to_base64(pub, p->pub);
		addr_str(&p->ep, ep, sizeof(ep));
		if (p->shared) {
			fprintf(out, "psk clients %s: %zu session(s), at most %zu\n", pub,
				cable_sessions(ctx->cable), ctx->cable->max_sessions);
			print_counters(out, p->stats, "  ");
			continue;
		}
		fprintf(out, "peer %u %s%s\n", p->id, pub,
			!p->session ? "" : p->up ? " client session" : " client session (unconfirmed)");
		fprintf(out, "  endpoint %s\n", p->has_ep ? ep : "(none)");
		print_age(out, "latest handshake", t, p->last_handshake);
		print_age(out, "latest rx", t, p->last_rx);
		fprintf(out, "  session %s%s\n", cable_peer_usable(p) ? "up" : "down",
			p->hs_active ? ", handshake pending" : "");
		if (p->sec->cur.valid)
			fprintf(out, "  current key age %llu s, %s\n",
				(unsigned long long)((t - p->sec->cur.birth) / CABLE_SEC),
				p->sec->cur.initiator ? "initiator" : "responder");
		if (p->keepalive_interval)
			fprintf(out, "  persistent keepalive every %llu s\n",
				(unsigned long long)(p->keepalive_interval / CABLE_SEC));
		print_counters(out, p->stats, "  ");
	}
	return 0;
}

static int cmd_showinfo(void *arg, FILE *out, const char *args)
{
	struct ctx *ctx = arg;
	char pub[CONF_B64LEN + 1];

	key_to_base64(pub, ctx->cable->pub);
	fprintf(out, "%s %s (vdecab v1, Noise_IKpsk2_25519_ChaChaPoly_BLAKE2b)\n", PROG, VERSION);
	fprintf(out, "public key %s\n", pub);
	if (ctx->cable->max_sessions)
		fprintf(out, "psk server: %zu client session(s)\n", cable_sessions(ctx->cable));
	else
		fprintf(out, "peers %zu\n", ctx->cable->npeers);
	fprintf(out, "cookies %s, %s\n", cookie_modes[ctx->cable->cookie_mode],
		cable_under_load(ctx->cable) ? "under load" : "not under load");
	return 0;
}

/* Test hook: move the engine's clock forward by N seconds. */
static int cmd_clock(void *arg, FILE *out, const char *args)
{
	struct ctx *ctx = arg;
	const char *errstr;
	long long s = parse_num(args, 0, 100000, &errstr);

	if (errstr)
		return EINVAL;
	ctx->clock_offset += s * (int64_t)CABLE_SEC;
	fprintf(out, "clock +%lld s\n", (long long)(ctx->clock_offset / (int64_t)CABLE_SEC));
	after_io(ctx);
	on_timer(ctx->loop, ctx);
	return 0;
}

/* Test and benchmark hook: cookies auto (the default), always, off. */
static int cmd_cookies(void *arg, FILE *out, const char *args)
{
	struct ctx *ctx = arg;
	size_t i;

	for (i = 0; i < sizeof(cookie_modes) / sizeof(cookie_modes[0]); i++)
		if (!strcmp(args, cookie_modes[i])) {
			ctx->cable->cookie_mode = (enum cable_cookie_mode)i;
			fprintf(out, "cookies %s\n", cookie_modes[i]);
			return 0;
		}
	return EINVAL;
}

static const struct console_cmd cmds[] = {
	{ "showinfo", "", "show version and public key", cmd_showinfo, CONSOLE_OUTPUT },
	{ "stats", "", "show the global counters", cmd_stats, CONSOLE_OUTPUT },
	{ "peers", "", "show peers, endpoints, handshake ages, counters", cmd_peers,
	  CONSOLE_OUTPUT },
	{ "debug/clock", "SECONDS", "advance the protocol clock (testing)", cmd_clock,
	  CONSOLE_OUTPUT },
	{ "debug/cookies", "auto|always|off", "when INITs need a cookie (testing)", cmd_cookies,
	  CONSOLE_OUTPUT },
};

/* --- console: JSON forms (field names documented in vde_cryptcab(1)) ------ */

static void json_counters(struct json *j, const uint64_t *stats)
{
	int i;

	json_obj(j, "counters");
	for (i = 0; i < C_N; i++)
		json_u64(j, cable_counter_names[i], stats[i]);
	json_obj_end(j);
}

static void json_age(struct json *j, const char *key, uint64_t t, uint64_t when)
{
	if (when)
		json_u64(j, key, (t - when) / CABLE_SEC);
	else
		json_null(j, key);
}

static int json_stats(void *arg, struct json *j, const char *args)
{
	struct ctx *ctx = arg;

	(void)args;
	json_obj(j, NULL);
	json_counters(j, ctx->cable->stats);
	json_bool(j, "under_load", cable_under_load(ctx->cable));
	json_str(j, "cookies", cookie_modes[ctx->cable->cookie_mode]);
	json_obj_end(j);
	return 0;
}

static int json_peers(void *arg, struct json *j, const char *args)
{
	struct ctx *ctx = arg;
	uint64_t t = cb_now(ctx);
	size_t i;

	(void)args;
	json_obj(j, NULL);
	json_arr(j, "peers");
	for (i = 0; i < ctx->cable->npeers; i++) {
		struct cable_peer *p = ctx->cable->peers[i];
		char pub[CONF_B64LEN + 1], ep[80];

		key_to_base64(pub, p->pub);
		json_obj(j, NULL);
		json_str(j, "public_key", pub);
		if (p->shared) {
			json_str(j, "kind", "psk_clients");
			json_u64(j, "sessions", cable_sessions(ctx->cable));
			json_u64(j, "max_sessions", ctx->cable->max_sessions);
			json_counters(j, p->stats);
			json_obj_end(j);
			continue;
		}
		json_str(j, "kind", p->session ? "client_session" : "peer");
		json_u64(j, "id", p->id);
		if (p->has_ep) {
			addr_str(&p->ep, ep, sizeof(ep));
			json_str(j, "endpoint", ep);
		} else {
			json_null(j, "endpoint");
		}
		json_age(j, "latest_handshake_s", t, p->last_handshake);
		json_age(j, "latest_rx_s", t, p->last_rx);
		json_bool(j, "up", cable_peer_usable(p));
		json_bool(j, "confirmed", !p->session || p->up);
		json_bool(j, "handshake_pending", p->hs_active);
		if (p->sec->cur.valid) {
			json_u64(j, "key_age_s", (t - p->sec->cur.birth) / CABLE_SEC);
			json_str(j, "key_role", p->sec->cur.initiator ? "initiator" : "responder");
		} else {
			json_null(j, "key_age_s");
			json_null(j, "key_role");
		}
		json_u64(j, "keepalive_s", p->keepalive_interval / CABLE_SEC);
		json_counters(j, p->stats);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
	return 0;
}

static int json_showinfo(void *arg, struct json *j, const char *args)
{
	struct ctx *ctx = arg;
	char pub[CONF_B64LEN + 1];

	(void)args;
	key_to_base64(pub, ctx->cable->pub);
	json_obj(j, NULL);
	json_str(j, "program", PROG);
	json_str(j, "version", VERSION);
	json_str(j, "protocol", "vdecab v1");
	json_str(j, "noise", "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2b");
	json_str(j, "public_key", pub);
	json_bool(j, "psk_server", ctx->cable->max_sessions != 0);
	json_u64(j, "peers", ctx->cable->npeers);
	json_u64(j, "sessions", cable_sessions(ctx->cable));
	json_obj_end(j);
	return 0;
}

static const struct console_json_cmd json_cmds[] = {
	{ "showinfo", json_showinfo },
	{ "stats", json_stats },
	{ "peers", json_peers },
};

static void on_shutdown(void *arg)
{
	struct ctx *ctx = arg;

	loop_stop(ctx->loop);
}

/* --- setup ---------------------------------------------------------------- */

static int resolve(struct ctx *ctx, const char *hp, struct cable_addr *out)
{
	char host[CONF_HOST_MAX], port[8];
	struct addrinfo hints, *res = NULL, *ai;
	int ret = -1;

	if (strchr(hp, '@'))
		die("'%s': no USER@ here: VDE 2's cryptcab copied its key with scp as USER, "
		    "this one never copies keys (see genpsk, genkey)", hp);
	if (conf_split_hostport(hp, host, sizeof(host), port, sizeof(port)))
		die("bad address '%s' (HOST:PORT or [IPv6]:PORT)", hp);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = ctx->family == AF_INET6 ? AF_UNSPEC : AF_INET;
	hints.ai_socktype = SOCK_DGRAM;
	if (getaddrinfo(host, port, &hints, &res))
		die("cannot resolve '%s'", hp);
	for (ai = res; ai && ret; ai = ai->ai_next) {
		memset(out, 0, sizeof(*out));
		if (ctx->family == AF_INET6 && ai->ai_family == AF_INET) {
			struct sockaddr_in6 *m = (struct sockaddr_in6 *)&out->ss;
			const struct sockaddr_in *in = (const struct sockaddr_in *)ai->ai_addr;

			m->sin6_family = AF_INET6;
			m->sin6_port = in->sin_port;
			m->sin6_addr.s6_addr[10] = 0xff;
			m->sin6_addr.s6_addr[11] = 0xff;
			memcpy(&m->sin6_addr.s6_addr[12], &in->sin_addr, 4);
			out->len = sizeof(*m);
			ret = 0;
		} else if (ai->ai_family == ctx->family) {
			memcpy(&out->ss, ai->ai_addr, ai->ai_addrlen);
			out->len = ai->ai_addrlen;
			ret = 0;
		}
	}
	freeaddrinfo(res);
	if (ret)
		die("no usable address for '%s'", hp);
	return ret;
}

static void open_udp(struct ctx *ctx, unsigned port)
{
	int fd, zero = 0, one = 1, buf = 4 << 20;
	int pmtu = IP_PMTUDISC_DONT;

	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) == 0) {
		struct sockaddr_in6 a;

		memset(&a, 0, sizeof(a));
		a.sin6_family = AF_INET6;
		a.sin6_port = htons((uint16_t)port);
		a.sin6_addr = in6addr_any;
		if (bind(fd, (struct sockaddr *)&a, sizeof(a)))
			die_perror("bind udp port %u", port);
		ctx->family = AF_INET6;
		setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &pmtu, sizeof(pmtu));
	} else {
		struct sockaddr_in a;

		if (fd >= 0)
			close(fd);
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			die_perror("socket");
		memset(&a, 0, sizeof(a));
		a.sin_family = AF_INET;
		a.sin_port = htons((uint16_t)port);
		if (bind(fd, (struct sockaddr *)&a, sizeof(a)))
			die_perror("bind udp port %u", port);
		ctx->family = AF_INET;
	}
	/* IPv4: never set DF, let the kernel fragment (docs/cable.md, "MTU and fragmentation") */
	setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof(pmtu));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	/* batches through the kernel: GSO trains out, GRO trains in (each
	 * datagram on the wire stays what the protocol says) */
	setsockopt(fd, SOL_UDP, UDP_GRO, &one, sizeof(one));
	ctx->gso = true;
	ctx->udp = fd;
}

/* Plug @port into ctx->vnl (or stdin/stdout). Return: 0, or -1 with errno
 * (nothing left open). */
static int port_open(struct ctx *ctx, struct port *port)
{
	const char *vnl = ctx->vnl;
	char descr[64];
	int ret = -1;

	port->ctx = ctx;
	port->conn = NULL;
	if (ctx->stdio) {
		port->datafd = STDIN_FILENO;
		port->ctlfd = -1;
		return loop_add_fd(ctx->loop, STDIN_FILENO, EPOLLIN, on_stdin, port);
	}
	snprintf(descr, sizeof(descr), PROG " peer %u", port->peer->id);
	/* frames move with vde_recv_batch/vde_send_batch, which are right for
	 * every module (rings with our switch, datagrams, plugins) */
	port->conn = vde_open((char *)vnl, descr, NULL);
	if (!port->conn)
		goto out;
	port->datafd = vde_datafd(port->conn);
	port->ctlfd = vde_ctlfd(port->conn);
	if (loop_add_fd(ctx->loop, port->datafd, EPOLLIN, on_port, port))
		goto out;
	if (port->ctlfd >= 0 && loop_add_fd(ctx->loop, port->ctlfd, EPOLLIN, on_ctl, port)) {
		loop_del_fd(ctx->loop, port->datafd);
		goto out;
	}
	ret = 0;
out:
	if (ret && port->conn) {
		int err = errno;

		vde_close(port->conn);
		port->conn = NULL;
		errno = err;
	}
	return ret;
}

static void port_close(struct ctx *ctx, struct port *port)
{
	if (port->conn) {
		loop_del_fd(ctx->loop, port->datafd);
		if (port->ctlfd >= 0)
			loop_del_fd(ctx->loop, port->ctlfd);
		vde_close(port->conn);
		port->conn = NULL;
	}
	if (port->peer)
		port->peer->user = NULL;
	port->peer = NULL;
}

/* PSK server: a client's session is confirmed; give it a switch port (with
 * -s -, the stdio stream now belongs to the latest client). */
static int cb_session_up(void *arg, struct cable_peer *p)
{
	struct ctx *ctx = arg;
	struct port *port = NULL;
	char ep[80];
	size_t i;

	addr_str(&p->ep, ep, sizeof(ep));
	if (ctx->stdio) {
		port = &ctx->ports[0];
		if (port->peer)
			port->peer->user = NULL;
		port->peer = p;
		p->user = port;
		if (ctx->verbose)
			log_info("client %u (%s): session up on stdin/stdout", p->id, ep);
		return 0;
	}
	for (i = 0; i < CABLE_MAX_PEERS && !port; i++)
		if (!ctx->ports[i].peer)
			port = &ctx->ports[i];
	if (!port)
		return -1;
	port->peer = p;
	p->user = port;
	if (port_open(ctx, port)) {
		log_warn("client %u (%s): %s", p->id, ep, tool_vnl_error(ctx->vnl, errno));
		port->peer = NULL;
		p->user = NULL;
		return -1;
	}
	if (port >= ctx->ports + ctx->nports)
		ctx->nports = (size_t)(port - ctx->ports) + 1;
	if (ctx->verbose)
		log_info("client %u (%s): session up on its own port", p->id, ep);
	return 0;
}

/* PSK server: a session is freed; nothing may refer to it any more. */
static void cb_session_down(void *arg, struct cable_peer *p)
{
	struct ctx *ctx = arg;
	struct port *port = p->user;

	flush_all(ctx);
	if (!port)
		return;
	if (ctx->stdio) {
		if (port->peer == p)
			port->peer = NULL;
		p->user = NULL;
		return;
	}
	if (ctx->verbose)
		log_info("client %u: session closed, port released", p->id);
	port_close(ctx, port);
}

static void read_config(const char *path, struct conf *cf)
{
	char line[8192], err[256];
	FILE *f = fopen(path, "re");
	unsigned n = 0;

	if (!f)
		die_perror("%s", path);
	while (fgets(line, sizeof(line), f)) {
		n++;
		if (conf_parse_line(cf, line, strlen(line), err, sizeof(err)))
			die("%s:%u: %s", path, n, err);
	}
	if (ferror(f))
		die_perror("%s", path);
	fclose(f);
	if (!cf->private_key[0])
		die("%s: no private-key line", path);
	if (!cf->npeers)
		die("%s: no peer line (the peers are the allow-list)", path);
}

enum { OPT_PIDFILE = 256, OPT_MGMTMODE, OPT_MGMTGROUP };

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "sock", required_argument, NULL, 's' },
		{ "port", required_argument, NULL, 'p' },
		{ "connect", required_argument, NULL, 'c' },
		{ "keepalive", optional_argument, NULL, 'k' },
		{ "psk", required_argument, NULL, 'P' },
		{ "config", required_argument, NULL, 'f' },
		{ "name", required_argument, NULL, 'n' },
		{ "mgmt", required_argument, NULL, 'M' },
		{ "mgmt-mode", required_argument, NULL, OPT_MGMTMODE },
		{ "mgmtmode", required_argument, NULL, OPT_MGMTMODE },
		{ "mgmtgroup", required_argument, NULL, OPT_MGMTGROUP },
		{ "daemon", no_argument, NULL, 'd' },
		{ "pidfile", required_argument, NULL, OPT_PIDFILE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *vnl = NULL, *connect_to = NULL, *pskfile = NULL, *config = NULL;
	const char *name = NULL, *mgmt = NULL, *pidfile = NULL;
	unsigned port = 0, keepalive = 0;
	mode_t mgmt_mode = 0600;
	gid_t mgmt_group = (gid_t)-1;
	bool daemon_mode = false, verbose = false;
	struct ctx *ctx;
	struct conf *cf;
	uint8_t *priv, *psk;
	char err[512];
	size_t i;
	int opt;

	log_init(PROG);
	if (argc == 2 && !strcmp(argv[1], "genkey"))
		return sodium_init() < 0 ? 1 : tool_genkey(false);
	if (argc == 2 && !strcmp(argv[1], "genpsk"))
		return sodium_init() < 0 ? 1 : tool_genkey(true);
	if (argc == 2 && !strcmp(argv[1], "pubkey"))
		return sodium_init() < 0 ? 1 : tool_pubkey();
	/* not "unexpected argument 'genkey'": the word itself is right */
	if (argc > 2 && (!strcmp(argv[1], "genkey") || !strcmp(argv[1], "genpsk") ||
			 !strcmp(argv[1], "pubkey")))
		tool_misuse(&help, "%s takes no argument ('%s')%s", argv[1], argv[2],
			    strcmp(argv[1], "pubkey") ? "" : ": it reads the private key on "
			    "stdin, " PROG " pubkey < KEYFILE");

	while ((opt = getopt_long(argc, argv, "s:p:c:k::P:f:n:M:dvxVh", lopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			vnl = optarg;
			break;
		case 'p':
			port = (unsigned)parse_num_arg("port", optarg, 1, 65535);
			break;
		case 'c':
			connect_to = optarg;
			break;
		case 'k':
			/* VDE 2's -k has no value; ours may have one, glued
			 * (-k25, --keepalive=25) or as the next word (-k 25) */
			if (!optarg && optind < argc && argv[optind][0] >= '0' &&
			    argv[optind][0] <= '9')
				optarg = argv[optind++];
			keepalive = optarg ? (unsigned)parse_num_arg("keepalive", optarg, 1, 65535) :
					     CAB_KEEPALIVE_DEFAULT;
			break;
		case 'x':
			/* VDE 2's -x sent frames in clear: refused by name */
			fprintf(stderr, PROG ": -x (VDE 2's cable without encryption) is not "
				"supported: every cable is encrypted and authenticated\n");
			return EXIT_FAILURE;
		case 'P':
			pskfile = optarg;
			break;
		case 'f':
			config = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'M':
			mgmt = optarg;
			break;
		case OPT_MGMTMODE:
			mgmt_mode = parse_mode_arg("mgmtmode", optarg);
			break;
		case OPT_MGMTGROUP:
			mgmt_group = parse_group_arg("mgmtgroup", optarg);
			break;
		case 'd':
			daemon_mode = true;
			break;
		case OPT_PIDFILE:
			pidfile = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		case 'V':
			tool_version(PROG);
		case 'h':
			tool_usage(&help, EXIT_SUCCESS);
		default:
			tool_usage(&help, EXIT_FAILURE);
		}
	}
	if (optind != argc)
		tool_misuse(&help, "unexpected argument '%s'", argv[optind]);
	if (daemon_mode && vnl && !strcmp(vnl, "-"))
		die("-d cannot be used with -s - (stdin/stdout are the data path)");
	if (!!pskfile == !!config)
		tool_misuse(&help, "give exactly one of -P PSKFILE (pre-shared key mode) "
			    "and -f CONFIG (key mode)");
	tool_pidfile_check(pidfile);	/* before anything is created, not after -d */
	if (sodium_init() < 0)
		die("libsodium initialisation failed");

	ctx = calloc(1, sizeof(*ctx));
	cf = calloc(1, sizeof(*cf));
	priv = sodium_malloc(CONF_KEYLEN);
	psk = sodium_malloc(CONF_KEYLEN);
	if (!ctx || !cf || !priv || !psk)
		die("out of memory");
	ctx->verbose = verbose;
	ctx->out_flags = -1;
	ctx->udp = -1;
	ctx->stdio = vnl && !strcmp(vnl, "-");
	if (config)
		read_config(config, cf);

	/* keys */
	if (pskfile) {
		if (key_file_read(pskfile, psk, err, sizeof(err)))
			die("%s", err);
		key_psk_static(priv, psk, connect_to != NULL);
	} else {
		if (key_file_read(cf->private_key, priv, err, sizeof(err)))
			die("%s", err);
	}

	ctx->loop = loop_new();
	if (!ctx->loop)
		die_perror("loop");
	if (!port)
		port = cf->listen_port;
	if (!port && !connect_to) {
		bool any_ep = false;

		for (i = 0; i < cf->npeers; i++)
			any_ep |= cf->peers[i].endpoint[0] != 0;
		if (!any_ep)
			port = CABLE_DEFAULT_PORT;
	}
	open_udp(ctx, port);
	{
		struct cable_ops ops = {
			.now = cb_now, .realtime = cb_realtime, .random = cb_random,
			.send = cb_send, .deliver = cb_deliver, .event = cb_event,
			.session_up = cb_session_up, .session_down = cb_session_down, .arg = ctx,
		};

		ctx->cable = cable_new(&ops, priv, name ? name : (cf->name[0] ? cf->name : NULL));
		if (!ctx->cable)
			die_perror("cannot set up the cable");
	}

	if (pskfile) {
		uint8_t *other = sodium_malloc(CONF_KEYLEN);
		uint8_t pub[CONF_KEYLEN];
		struct cable_addr ep;
		struct cable_peer *p;

		if (!other)
			die("out of memory");
		key_psk_static(other, psk, connect_to == NULL);
		noise_pub_from_priv(pub, other);
		sodium_free(other);
		if (connect_to) {
			resolve(ctx, connect_to, &ep);
			p = cable_add_peer(ctx->cable, pub, psk, &ep, true, keepalive);
			if (!p)
				die_perror("peer");
			ctx->ports[ctx->nports].peer = p;
			p->user = &ctx->ports[ctx->nports++];
		} else {
			/* server: each client gets its own session and port */
			p = cable_add_psk_clients(ctx->cable, pub, psk, CABLE_MAX_PEERS - 1);
			if (!p)
				die_perror("peer");
			p->keepalive_interval = keepalive * CABLE_SEC;
			if (ctx->stdio)
				ctx->nports = 1;	/* the stream, for the latest client */
		}
	} else {
		size_t noep = 0;

		for (i = 0; i < cf->npeers; i++)
			noep += !cf->peers[i].endpoint[0];
		if (connect_to && !(cf->npeers == 1 && noep == 1))
			die("-c HOST:PORT needs exactly one peer line without an endpoint");
		if (ctx->stdio && cf->npeers != 1)
			die("-s - (stdin/stdout) carries exactly one peer");
		for (i = 0; i < cf->npeers; i++) {
			struct conf_peer *pe = &cf->peers[i];
			struct cable_addr ep;
			struct cable_peer *p;
			const char *where = pe->endpoint[0] ? pe->endpoint : connect_to;

			if (!sodium_memcmp(pe->pub, ctx->cable->pub, CONF_KEYLEN))
				die("peer %zu is our own public key", i + 1);
			if (pe->psk_file[0] && key_file_read(pe->psk_file, psk, err, sizeof(err)))
				die("%s", err);
			if (where)
				resolve(ctx, where, &ep);
			p = cable_add_peer(ctx->cable, pe->pub, pe->psk_file[0] ? psk : NULL,
					   where ? &ep : NULL, true,
					   pe->keepalive ? pe->keepalive : keepalive);
			sodium_memzero(psk, CONF_KEYLEN);
			if (!p)
				die("peer %zu: %s", i + 1, errno == EINVAL ? "unusable public key" :
				    strerror(errno));
			ctx->ports[ctx->nports].peer = p;
			p->user = &ctx->ports[ctx->nports++];
		}
	}
	sodium_free(priv);
	sodium_free(psk);
	free(cf);

	ctx->vnl = vnl;
	/* a PSK server plugs in only when a client comes: a switch directory
	 * that does not exist is reported now, not at the first handshake */
	if (vnl && strcmp(vnl, "-") && !strstr(vnl, "://")) {
		char dir[PATH_MAX];
		struct stat st;

		snprintf(dir, sizeof(dir), "%.*s", (int)strcspn(vnl, "["), vnl);
		if (stat(dir, &st) < 0)
			die("%s", tool_vnl_error(vnl, errno));
	}
	for (i = 0; i < ctx->nports; i++)
		if (port_open(ctx, &ctx->ports[i])) {
			if (ctx->stdio && errno == EPERM)	/* epoll: a file, /dev/null */
				die("-s -: standard input is a file, not a pipe or socket: the VDE "
				    "stream comes from dpipe or ssh (dpipe vde_plug SW = "
				    PROG " -s - ...)");
			die("%s", tool_vnl_error(ctx->stdio ? "-" : vnl, errno));
		}
	if (ctx->stdio) {
		ctx->srx = malloc(sizeof(*ctx->srx));
		ctx->stx_out = malloc(sizeof(*ctx->stx_out));
		if (!ctx->srx || !ctx->stx_out)
			die("out of memory");
		stream_rx_init(ctx->srx);
		stream_tx_init(ctx->stx_out);
		ctx->out_flags = tool_out_add(ctx->loop, STDOUT_FILENO, on_stdout, ctx);
	}
	if (loop_add_fd(ctx->loop, ctx->udp, EPOLLIN, on_udp, ctx))
		die_perror("epoll");
	ctx->timer = loop_add_timer(ctx->loop, 1000000, on_timer, ctx);
	if (ctx->timer < 0)
		die_perror("timer");
	ctx->timer_at = loop_now_ns() + 1000000;
	signal(SIGPIPE, SIG_IGN);
	if (mgmt) {
		struct console_config cc = {
			.banner = PROG " management console (vdekit " VERSION ")",
			.prompt = "vde_cryptcab$ ",
			.shutdown_help = "stop vde_cryptcab",
			.ctx = ctx,
			.on_shutdown = on_shutdown,
		};

		ctx->con = console_new(ctx->loop, &cc);
		if (!ctx->con || console_add_cmds(ctx->con, cmds, sizeof(cmds) / sizeof(cmds[0])) ||
		    console_add_json(ctx->con, json_cmds, sizeof(json_cmds) / sizeof(json_cmds[0])))
			die_perror("management console %s", mgmt);
		if (console_listen(ctx->con, mgmt, mgmt_mode, mgmt_group))
			die("management console %s: %s", mgmt, console_listen_strerror(errno));
	}
	if (daemon_mode && daemonize())
		die_perror("daemonize");
	/* after daemonize(): epoll wakes up for a signalfd only for the
	 * process that registered it, so a signalfd added before the fork
	 * would never report SIGTERM to the daemon */
	if (tool_add_stop_signals(ctx->loop, on_signal, ctx))
		die_perror("signals");
	tool_pidfile_write(pidfile);
	{
		char what[600];
		struct sockaddr_storage a;
		socklen_t alen = sizeof(a);
		unsigned int uport = 0;

		if (!getsockname(ctx->udp, (struct sockaddr *)&a, &alen))
			uport = ntohs(a.ss_family == AF_INET6 ?
				      ((struct sockaddr_in6 *)&a)->sin6_port :
				      ((struct sockaddr_in *)&a)->sin_port);
		snprintf(what, sizeof(what), "udp port %u, network %s%s%s", uport,
			 vnl ? vnl : "(default)", mgmt ? ", console " : "", mgmt ? mgmt : "");
		daemon_ready(what);
	}
	if (ctx->verbose) {
		struct sockaddr_storage a;
		socklen_t alen = sizeof(a);
		char pub[CONF_B64LEN + 1];
		unsigned bound = 0;

		if (!getsockname(ctx->udp, (struct sockaddr *)&a, &alen))
			bound = ntohs(a.ss_family == AF_INET6 ?
				      ((struct sockaddr_in6 *)&a)->sin6_port :
				      ((struct sockaddr_in *)&a)->sin_port);
		key_to_base64(pub, ctx->cable->pub);
		log_info("listening on udp port %u, public key %s, %zu peer(s)", bound, pub,
			 ctx->cable->npeers);
	}
	loop_run(ctx->loop);
	daemon_stopping("ended");
	if (ctx->stx_out)
		tool_out_finish(ctx->stx_out, STDOUT_FILENO, ctx->out_flags, true);

	if (ctx->con)
		console_free(ctx->con);
	for (i = 0; i < ctx->nports; i++)
		if (ctx->ports[i].conn)
			vde_close(ctx->ports[i].conn);
	cable_free(ctx->cable);
	close(ctx->udp);
	loop_free(ctx->loop);
	free(ctx->srx);
	free(ctx->stx_out);
	free(ctx);
	pidfile_remove();
	return 0;
}
