// SPDX-License-Identifier: GPL-2.0-or-later
/* switch/ep_ring.c - endpoint kind "ring": a client of our libvdeplug on
 * two shared-memory rings, and the DIR/.fastpath socket that grants them
 * (docs/fastpath.md)
 *
 * Theory of operation: every client starts as a datagram endpoint
 * (ep_dgram.c). Our library then connects to DIR/.fastpath and names that
 * endpoint by its data socket path. If the asking process is the one on
 * the endpoint's ctl stream (SO_PEERCRED pid and uid), we create a sealed
 * memfd with the two rings (fastpath_region_create()), OFFER it, and on
 * ACCEPT the endpoint changes kind in place: its state (struct ep_dgram,
 * kept first in struct ring so ep_dgram_close() still applies) moves into
 * a struct ring, ep->ops becomes ring_ops, and its data socket is read by
 * ring_fd_cb() instead of the core's callback. Port, ID, counters and the
 * core's queue stay: frames queued for the socket leave through the s2c
 * ring, after those already on the socket, so nothing is lost or reordered
 * and nothing is written on the socket after ACTIVE. A negotiation that
 * fails before ACCEPT changes nothing.
 *
 * Doorbells: one byte on a pipe each way when the client asked for
 * FASTPATH_FEAT_PIPES (we keep the s2c write end and the c2s read end, each
 * its own non-blocking open file description, and poll the c2s end), else
 * zero-length datagrams on the data socket (clients of older builds, or
 * VDEPLUG_FASTPATH_PIPES=0 in our environment). The data socket stays
 * polled either way: a zero-length datagram is a doorbell, a frame on it a
 * counted protocol error (stray). A full s2c pipe means a doorbell is
 * pending already: a client that never reads costs us nothing.
 *
 * Data path: a doorbell (or ACCEPT, or the end of back-pressure) makes us
 * consume c2s in receive batches through the core (ring_rx() copies each
 * record into the core's slot; shmring_consume() checks the copy), at most
 * RING_BUDGET batches per loop turn: a ring with more left is put on the
 * pending list, served by a zero-delay timer on the next turn, so a
 * flooding client cannot starve the others and we never spin. When c2s is
 * found empty we arm cons_sleeping, and the client's next frame rings us.
 * Transmit produces into s2c (one doorbell per burst, in flush, only when
 * the client sleeps); what does not fit is the core's (queue,
 * back-pressure, drops counted exactly as for a datagram socket that says
 * EAGAIN), and we arm prod_waiting so that the client's doorbell after it
 * consumes brings us back to ep_output(). Garbage in the rings costs the
 * client its own frames (counted in struct shmring_stats, shown by
 * ring_counters() in port/stats); a non-empty datagram is counted (stray)
 * and dropped. The endpoint ends with its ctl stream, as any datagram
 * endpoint; the mapping goes with it.
 *
 * The .fastpath server never blocks: non-blocking accept and messages,
 * at most RING_CONN_MAX negotiations at once, each closed after
 * RING_CONN_TIMEOUT_NS.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "accept.h"
#include "daemon.h"
#include "fpproto.h"
#include "log.h"
#include "loop.h"
#include "shmring.h"
#include "switch.h"
#include "endpoint.h"
#include "ep_dgram.h"
#include "ep_ring.h"
#include "vlan.h"

#define RING_CONN_MAX		16	/* negotiations at once */
#define RING_CONN_TIMEOUT_NS	(10 * 1000000000ULL)
#define RING_BUDGET		4	/* receive batches per ring per loop turn */
#define RING_BELLS		64	/* doorbells read per recvmmsg */
#define RING_PIPE_READS		4	/* reads of the c2s pipe per drain */
#define RING_PIPE_LAZY		64	/* edge wake-ups between drains */
#define SC_MAX			8	/* shortcuts a client sends on, or receives from */
#define SC_RETRY_NS		1000000000ULL	/* after a shortcut could not be made */

enum conn_state { CONN_REQUEST, CONN_ANSWER };

/* One negotiation on DIR/.fastpath. */
struct fp_conn {
	struct fp_conn *next;
	struct fp_srv *srv;
	int fd;
	long timer;
	enum conn_state state;
	char path[CTL_PATH_MAX + 1];	/* the endpoint asked for */
	void *map;			/* offered region, until ACCEPT */
	size_t maplen;
	struct shmring_layout layout;
	bool pipes;			/* granted: bells holds our pipe ends until ACCEPT */
	bool shortcut;			/* granted: the connection stays, as the channel */
	uid_t uid;			/* the asker's */
	struct fastpath_bells bells;
};

/* A shortcut (docs/fastpath.md section 10): a ring of its own that client
 * a writes and client b reads, for frames to mac. */
struct sc {
	struct sc *next;
	uint32_t id;
	struct ring *a, *b;
	uint8_t mac[6];
	uint8_t src[6];			/* the sender's MAC address (of the first frame) */
	void *map;
	size_t maplen;
	struct fastpath_aux *aux;
	struct shmring_ctl *ring;	/* its ring's control block (the sender's tail) */
	uint64_t frames, bytes;		/* counted in the ports' counters so far */
	uint64_t super;			/* super-frames among them */
};

struct ring;

/* The .fastpath server (sw->fastpath). */
struct fp_srv {
	struct sw *sw;
	int fd;
	bool created;			/* we made (and remove) path */
	char path[CTL_PATH_MAX + 1];
	struct fp_conn *conns;
	unsigned nconns;
	struct ring *pending;		/* rings with work for the next turn */
	struct ring *running;		/* the list being served now */
	long timer;
	bool no_pipes;			/* VDEPLUG_FASTPATH_PIPES=0: never grant pipes */
	struct accept_guard accept;	/* out of fds: pause, do not spin */
	struct sc *scs;			/* shortcuts */
	uint32_t sc_id;			/* the last id given */
	uint64_t sc_granted, sc_revoked;
	uint64_t sc_retry_ns;		/* making one failed: no new one before (loop time) */
};

/* A ring endpoint's state (ep->priv). */
struct ring {
	struct ep_dgram d;		/* first: ep_dgram_close() closes it */
	struct fp_srv *srv;
	struct endpoint *ep;
	void *map;
	size_t maplen;
	struct shmring tx;		/* s2c: we produce */
	struct shmring rx;		/* c2s: we consume */
	bool bell;			/* a doorbell is due at flush */
	bool rx_on;			/* last want(): receiving */
	bool pend;			/* on srv->pending or srv->running */
	bool vnet;			/* SHMRING_FEAT_VNET granted: ring_vnet_ops */
	bool more;			/* rx stopped at EP_RX_BYTES: c2s not empty */
	struct ring *pend_next;
	int bell_tx;			/* s2c pipe's write end, or -1: datagrams */
	int bell_rx;			/* c2s pipe's read end (polled), or -1 */
	unsigned bell_lazy;		/* edge wake-ups since the last drain */
	uint64_t bells_rx, bells_tx, stray;
	int chan;			/* shortcuts granted: the control channel, else -1 */
	uid_t uid;			/* the client's (shortcuts join one user's clients) */
	struct fastpath_aux *aux;	/* in our region: seq */
	unsigned sc_out, sc_in;		/* shortcuts it sends on, receives from */
	uint64_t sc_grants;		/* shortcuts it was given to send on, in all */
	uint64_t sc_frames, sc_bytes, sc_full;	/* sent on its shortcuts that ended
						 * (as it says: shared memory) */
};

static const struct ep_ops ring_ops, ring_vnet_ops;
static void sc_revoke_ring(struct ring *r);
static void sc_revoke_to(struct ring *r);
static void sc_open(struct ring *r);
static void sc_forwarded(struct ring *r);

static bool is_ring(const struct endpoint *ep)
{
	return ep->ops == &ring_ops || ep->ops == &ring_vnet_ops;
}

/* ------------------------------------------------------------------ */
/* data path */

static void ring_doorbell(struct ring *r)
{
	static const char one = 1;

	/* EAGAIN: doorbells are queued already; any other error (EPIPE: our
	 * SIGPIPE is ignored): the client is gone and its ctl stream will say so */
	if (r->bell_tx >= 0)
		(void)!write(r->bell_tx, &one, 1);
	else
		(void)send(r->ep->fd, "", 0, MSG_DONTWAIT | MSG_NOSIGNAL);
	r->bells_tx++;
}

static uint64_t ring_timer_cb(struct loop *l, void *arg);

/* Serve @r on the next loop turn. */
static void ring_pend(struct ring *r)
{
	struct fp_srv *s = r->srv;

	if (r->pend)
		return;
	r->pend = true;
	r->pend_next = s->pending;
	s->pending = r;
	if (!s->timer) {
		s->timer = loop_add_timer(s->sw->loop, 0, ring_timer_cb, s);
		if (s->timer < 0)
			s->timer = 0;	/* the next doorbell or want() retries */
	}
}

static void ring_unpend(struct ring *r)
{
	struct ring **lists[2] = { &r->srv->pending, &r->srv->running }, **link;
	int i;

	if (!r->pend)
		return;
	for (i = 0; i < 2; i++)
		for (link = lists[i]; *link; link = &(*link)->pend_next)
			if (*link == r) {
				*link = r->pend_next;
				r->pend = false;
				return;
			}
}

/* Queued frames to the client, then receive batches within the budget. */
static void ring_service(struct endpoint *ep)
{
	struct ring *r = ep->priv;
	int k;

	if (ep->closed)
		return;
	if (ep->q.frames)
		ep_output(ep);
	for (k = 0; k < RING_BUDGET && !ep->closed && !ep->paused; k++) {
		int n;

		r->more = false;
		n = ep_input(ep);
		if (!ep->closed && r->chan >= 0)
			sc_forwarded(r);
		if (n < EP_BATCH && !r->more) {
			if (r->sc_out)
				sc_open(r);	/* c2s empty and forwarded */
			return;		/* c2s empty and armed */
		}
	}
	if (!ep->closed && !ep->paused)
		ring_pend(r);		/* more may wait: next turn */
}

static uint64_t ring_timer_cb(struct loop *l, void *arg)
{
	struct fp_srv *s = arg;
	struct ring *r;

	s->timer = 0;
	s->running = s->pending;
	s->pending = NULL;
	while ((r = s->running)) {
		s->running = r->pend_next;
		r->pend = false;
		ring_service(r->ep);
	}
	return LOOP_NOMORE;
}

/* Read the doorbells waiting on the data socket (bounded). */
static void ring_read_bells(struct ring *r)
{
	struct mmsghdr msg[RING_BELLS];
	struct iovec iov;
	uint8_t junk[1];
	int n, i, round;

	iov.iov_base = junk;
	iov.iov_len = sizeof(junk);
	for (round = 0; round < 4; round++) {
		memset(msg, 0, sizeof(msg));
		for (i = 0; i < RING_BELLS; i++) {
			msg[i].msg_hdr.msg_iov = &iov;
			msg[i].msg_hdr.msg_iovlen = 1;
		}
		n = recvmmsg(r->ep->fd, msg, RING_BELLS, MSG_DONTWAIT, NULL);
		if (n <= 0)
			break;
		for (i = 0; i < n; i++) {
			if (msg[i].msg_len || (msg[i].msg_hdr.msg_flags & MSG_TRUNC))
				r->stray++;	/* a frame on a ring endpoint's socket */
			else
				r->bells_rx++;
		}
		if (n < RING_BELLS)
			break;
	}
}

/* Read the c2s doorbell pipe (bounded). At EOF (the client closed it: it
 * is going) stop polling it; the ctl stream ends the endpoint. */
static void ring_pipe_drain(struct loop *l, struct ring *r)
{
	char junk[256];
	int k;

	r->bell_lazy = 0;
	for (k = 0; r->bell_rx >= 0 && k < RING_PIPE_READS; k++) {
		ssize_t n = read(r->bell_rx, junk, sizeof(junk));

		if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
			loop_del_fd(l, r->bell_rx);
			close(r->bell_rx);
			r->bell_rx = -1;
			break;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if ((size_t)n < sizeof(junk))
			break;
	}
}

/* The data socket: doorbells from the client (frames in c2s, room in s2c,
 * or a poke: frames wait in s2c and it sleeps). */
static void ring_fd_cb(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct endpoint *ep = arg;
	struct ring *r;

	if (ep->closed)
		return;		/* closed earlier in this loop turn: priv is gone */
	r = ep->priv;
	ring_read_bells(r);
	if (r->bell_rx >= 0)
		ring_pipe_drain(l, r);	/* the client's pipe may be full */
	ring_service(ep);
	if (!ep->closed && shmring_kick_check(&r->tx))
		ring_doorbell(r);
}

/* The c2s doorbell pipe, polled edge-triggered: every byte written wakes
 * us once (a polled pipe signals each write), so the bytes need not be
 * read at each wake-up. We read them every RING_PIPE_LAZY wake-ups, on
 * hang-up, and when the client rings on the data socket instead (it does
 * so when its pipe is full): the pipe never stays full and no wake-up is
 * lost. A client that writes bytes for nothing only wakes us, as a
 * datagram flood would. */
static void ring_pipe_cb(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct endpoint *ep = arg;
	struct ring *r;

	if (ep->closed)
		return;
	r = ep->priv;
	r->bells_rx++;		/* wake-ups: bytes are read later, in bulk */
	if ((events & (EPOLLHUP | EPOLLERR)) || ++r->bell_lazy >= RING_PIPE_LAZY)
		ring_pipe_drain(l, r);
	ring_service(ep);
	if (!ep->closed && shmring_kick_check(&r->tx))
		ring_doorbell(r);
}

/* Copy up to b->max records of c2s into the core's slots. Finding the ring
 * empty arms cons_sleeping (the client's next frame rings us), and looks
 * once more. */
static int ring_rx(struct endpoint *ep, struct ep_rxbatch *b)
{
	struct ring *r = ep->priv;
	struct shmring_rxf f[EP_BATCH];
	struct iovec iov[EP_BATCH];
	unsigned i, max = b->max < EP_BATCH ? b->max : EP_BATCH;
	size_t got;
	bool kick;

	for (i = 0; i < max; i++) {
		iov[i].iov_base = b->buf + (size_t)i * b->slot;
		iov[i].iov_len = b->slot;
		f[i].iov = &iov[i];
		f[i].iovcnt = 1;
	}
	/* kick (c2s prod_waiting) is ignored: our client never sets it */
	got = shmring_consume(&r->rx, f, max, &kick);
	if (got < max && shmring_cons_arm(&r->rx))
		got += shmring_consume(&r->rx, f + got, max - got, &kick);
	for (i = 0; i < got; i++)
		b->len[i] = f[i].frame_len > b->slot ? (uint32_t)b->slot : (uint32_t)f[i].len;
	return (int)got;
}

/* A VNET ring (ring_vnet_ops): each record of c2s with SHMRING_F_VNET
 * carries a 12-byte virtio_net_hdr_v1 before the frame; its first 10 bytes
 * go to b->vh[i] (copied out of the shared memory with the frame: the core
 * checks the copy, vnet_check(), and counts a bad one as oversize). A
 * record without the flag is a plain frame and lands whole in its slot
 * (shmring_consume_vnet() splits only flagged records), with a zero
 * header. Stops once the batch holds EP_RX_BYTES (r->more then says c2s
 * may hold more). */
static int ring_rx_vnet(struct endpoint *ep, struct ep_rxbatch *b)
{
	struct ring *r = ep->priv;
	struct shmring_rxf f[EP_BATCH];
	struct iovec iov[EP_BATCH];
	uint8_t hdr[EP_BATCH][SHMRING_VNET_HDR];
	unsigned i, max = b->max < EP_BATCH ? b->max : EP_BATCH;
	size_t got = 0, k, bytes = 0, want;
	bool kick, armed = false;

	for (i = 0; i < max; i++) {
		iov[i].iov_base = b->buf + (size_t)i * b->slot;
		iov[i].iov_len = b->slot;
		f[i].iov = &iov[i];
		f[i].iovcnt = 1;
	}
	while (got < max && bytes < EP_RX_BYTES) {
		want = max - got < 8 ? max - got : 8;
		k = shmring_consume_vnet(&r->rx, f + got, hdr + got, want, &kick);
		for (i = (unsigned)got; i < got + k; i++)
			bytes += f[i].len;
		got += k;
		if (k == want)
			continue;
		if (armed || !shmring_cons_arm(&r->rx))
			break;
		armed = true;	/* frames came after all: look again */
	}
	r->more = got == max || bytes >= EP_RX_BYTES;
	for (i = 0; i < got; i++) {
		size_t len = f[i].len;

		if ((f[i].flags & SHMRING_F_VNET) && len > SHMRING_VNET_HDR) {
			len -= SHMRING_VNET_HDR;
			memcpy(&b->vh[i], hdr[i], sizeof(b->vh[i]));
		} else {
			/* plain, or a record no longer than its header: an
			 * empty frame, and nothing of the header is used */
			if (f[i].flags & SHMRING_F_VNET)
				len = 0;
			memset(&b->vh[i], 0, sizeof(b->vh[i]));
		}
		b->len[i] = f[i].frame_len > f[i].len ? (uint32_t)b->slot : (uint32_t)len;
	}
	return (int)got;
}

/* Produce into s2c (@vh: each frame behind its header, as SHMRING_F_VNET
 * records); what does not fit is left to the core, with prod_waiting armed
 * so that the client rings us when it made room. */
static unsigned ring_send(struct endpoint *ep, const struct iovec *iov,
			  const struct virtio_net_hdr *vh, unsigned n, unsigned *errors)
{
	struct ring *r = ep->priv;
	struct shmring_txf f[EP_BATCH];
	struct iovec v[EP_BATCH][2];
	uint8_t hdr[EP_BATCH][SHMRING_VNET_HDR];
	size_t extra = vh ? SHMRING_VNET_HDR : 0;
	unsigned i, done = 0, tries = 0;
	bool kick;

	if (n > EP_BATCH)
		n = EP_BATCH;	/* the contract's bound; the rest is "not taken" */
	for (i = 0; i < n; i++) {
		if (vh) {
			memcpy(hdr[i], &vh[i], sizeof(vh[i]));
			memset(hdr[i] + sizeof(vh[i]), 0, SHMRING_VNET_HDR - sizeof(vh[i]));
			v[i][0].iov_base = hdr[i];
			v[i][0].iov_len = SHMRING_VNET_HDR;
			v[i][1] = iov[i];
			f[i].iov = v[i];
			f[i].iovcnt = 2;
			f[i].flags = SHMRING_F_VNET;
		} else {
			f[i].iov = &iov[i];
			f[i].iovcnt = 1;
			f[i].flags = 0;
		}
	}
	while (done < n) {
		done += (unsigned)shmring_produce(&r->tx, f + done, n - done, &kick);
		r->bell |= kick;
		if (done == n)
			break;
		if (iov[done].iov_len == 0 || iov[done].iov_len + extra > r->tx.frame_max) {
			(*errors)++;	/* cannot be a record: refused */
			done++;
			continue;
		}
		/* full: room may have appeared since we looked */
		if (!shmring_prod_arm(&r->tx, iov[done].iov_len + extra) || ++tries > 2)
			break;
	}
	/* frames wait for this client in the switch now: a shortcut to it
	 * would pass them (docs/fastpath.md section 10) */
	if (done < n && r->sc_in)
		sc_revoke_to(r);
	return done;
}

static unsigned ring_tx(struct endpoint *ep, const struct iovec *iov, unsigned n,
			unsigned *errors)
{
	return ring_send(ep, iov, NULL, n, errors);
}

static unsigned ring_tx_vnet(struct endpoint *ep, const struct iovec *iov,
			     const struct virtio_net_hdr *vh, unsigned n, unsigned *errors)
{
	return ring_send(ep, iov, vh, n, errors);
}

static void ring_flush(struct endpoint *ep)
{
	struct ring *r = ep->priv;

	if (r->bell) {
		r->bell = false;
		ring_doorbell(r);
	}
}

/* The data socket stays registered for input: doorbells also mean room.
 * Back-pressure only stops consuming c2s; its end looks at c2s again. */
static int ring_want(struct endpoint *ep, bool rx, bool tx)
{
	struct ring *r = ep->priv;

	(void)tx;
	if (rx && !r->rx_on)
		ring_pend(r);
	r->rx_on = rx;
	return 0;
}

static void ring_close(struct endpoint *ep)
{
	struct ring *r = ep->priv;

	ring_unpend(r);
	sc_revoke_ring(r);
	if (r->chan >= 0) {
		loop_del_fd(r->srv->sw->loop, r->chan);
		close(r->chan);
		r->chan = -1;
	}
	if (r->bell_rx >= 0) {
		loop_del_fd(r->srv->sw->loop, r->bell_rx);
		close(r->bell_rx);
	}
	if (r->bell_tx >= 0)
		close(r->bell_tx);
	r->bell_rx = r->bell_tx = -1;
	if (r->map)
		munmap(r->map, r->maplen);
	r->map = NULL;
	ep_dgram_close(ep);
	free(r);
}

static void ring_counters(const struct endpoint *ep, FILE *out)
{
	const struct ring *r = ep->priv;
	const struct shmring_stats *rx = &r->rx.st, *tx = &r->tx.st;

	fprintf(out, " rx_frames %llu rx_bytes %llu tx_frames %llu tx_bytes %llu tx_full %llu"
		" tx_oversize %llu rx_truncated %llu bad_index %llu bad_record %llu"
		" rx_dropped_bytes %llu doorbells_rx %llu doorbells_tx %llu stray %llu bells %s vnet %d",
		(unsigned long long)rx->frames, (unsigned long long)rx->bytes,
		(unsigned long long)tx->frames, (unsigned long long)tx->bytes,
		(unsigned long long)tx->full, (unsigned long long)tx->oversize,
		(unsigned long long)rx->truncated,
		(unsigned long long)(rx->bad_index + tx->bad_index),
		(unsigned long long)rx->bad_record, (unsigned long long)rx->dropped,
		(unsigned long long)r->bells_rx, (unsigned long long)r->bells_tx,
		(unsigned long long)r->stray, r->bell_tx >= 0 ? "pipe" : "dgram", r->vnet ? 1 : 0);
	if (r->chan >= 0 || r->sc_frames) {
		uint64_t frames = r->sc_frames, bytes = r->sc_bytes, full = r->sc_full;
		const struct sc *x;

		for (x = r->srv->scs; x; x = x->next)
			if (x->a == r) {
				frames += __atomic_load_n(&x->aux->frames, __ATOMIC_RELAXED);
				bytes += __atomic_load_n(&x->aux->bytes, __ATOMIC_RELAXED);
				full += __atomic_load_n(&x->aux->full, __ATOMIC_RELAXED);
			}
		fprintf(out, " shortcuts_out %u shortcuts_in %u sc_grants %llu sc_frames %llu"
			" sc_bytes %llu sc_full %llu sc_late %llu", r->sc_out, r->sc_in,
			(unsigned long long)r->sc_grants, (unsigned long long)frames,
			(unsigned long long)bytes, (unsigned long long)full,
			(unsigned long long)__atomic_load_n(&r->aux->late, __ATOMIC_RELAXED));
	}
}

static const struct ep_ops ring_ops = {
	.kind = "ring",
	.rx = ring_rx,
	.tx = ring_tx,
	.flush = ring_flush,
	.want = ring_want,
	.close = ring_close,
	.counters = ring_counters,
};

/* The same with super-frames (the client asked for VNET, we granted it). */
static const struct ep_ops ring_vnet_ops = {
	.kind = "ring",
	.caps = EP_CAP_VNET,
	.rx = ring_rx_vnet,
	.tx_vnet = ring_tx_vnet,
	.flush = ring_flush,
	.want = ring_want,
	.close = ring_close,
	.counters = ring_counters,
};

/* Frames the core queued for the datagram endpoint have no header in
 * front; a VNET ring's queue holds header + frame: give each a zeroed
 * header, in order (pop one, push it behind a header at the tail). */
static void ring_requeue_vnet(struct endpoint *ep)
{
	static const struct virtio_net_hdr none;
	static uint8_t frame[FWD_SUPER_MAX];
	unsigned n = ep->q.frames, i;
	struct iovec iov;

	for (i = 0; i < n; i++) {
		size_t len;

		if (txq_peek(&ep->q, &iov, 1) != 1)
			break;
		len = iov.iov_len < sizeof(frame) ? iov.iov_len : sizeof(frame);
		memcpy(frame, iov.iov_base, len);
		txq_pop(&ep->q, 1);
		if (!txq_push2(&ep->q, &none, sizeof(none), frame, len))
			log_debug("port %u: a queued frame lost on the way to rings", ep->port);
	}
}

/* The datagram endpoint @ep becomes a ring endpoint on the region @c
 * offered. 0, or -1 (@ep unchanged, or closed if its socket could not be
 * registered again). */
static int ring_takeover(struct fp_srv *s, struct endpoint *ep, struct fp_conn *c)
{
	struct loop *l = s->sw->loop;
	struct ring *r = calloc(1, sizeof(*r));

	if (!r)
		return -1;
	memcpy(&r->d, ep->priv, sizeof(r->d));
	r->srv = s;
	r->ep = ep;
	r->map = c->map;
	r->maplen = c->maplen;
	shmring_attach(&r->tx, r->map, &c->layout, SHMRING_S2C, true);
	shmring_attach(&r->rx, r->map, &c->layout, SHMRING_C2S, false);
	r->bell_tx = r->bell_rx = r->chan = -1;
	r->uid = c->uid;
	r->aux = (struct fastpath_aux *)((uint8_t *)r->map + FASTPATH_AUX_OFF);
	if (c->pipes && loop_add_fd(l, c->bells.c2s_read, EPOLLIN | EPOLLET, ring_pipe_cb, ep) < 0) {
		free(r);
		return -1;
	}
	loop_del_fd(l, ep->fd);
	if (loop_add_fd(l, ep->fd, EPOLLIN, ring_fd_cb, ep) < 0) {
		if (c->pipes)
			loop_del_fd(l, c->bells.c2s_read);
		if (loop_add_fd(l, ep->fd, ep->events, ep_fd_cb, ep) < 0)
			ep_close(ep);
		free(r);
		return -1;
	}
	if (c->pipes) {		/* the ring's now */
		r->bell_tx = c->bells.s2c_write;
		r->bell_rx = c->bells.c2s_read;
		c->bells.s2c_write = c->bells.c2s_read = -1;
	}
	c->map = NULL;		/* the ring's now */
	ep->priv = r;
	r->vnet = c->layout.features & SHMRING_FEAT_VNET;
	if (r->vnet)
		ring_requeue_vnet(ep);
	ep->ops = r->vnet ? &ring_vnet_ops : &ring_ops;
	ep->events = EPOLLIN;
	r->rx_on = !ep->paused;
	log_debug("port %u: endpoint %d on rings (%u bytes each, %s doorbells%s)", ep->port,
		  ep->id, c->layout.ring_size, c->pipes ? "pipe" : "datagram",
		  r->vnet ? ", super-frames" : "");
	return 0;
}

/* ------------------------------------------------------------------ */
/* shortcuts (docs/fastpath.md section 10)
 *
 * For known unicast between two ring clients of one user, in one untagged
 * VLAN, on a switch where nothing else must see their frames (no hub, FSTP,
 * mirror, capture or frame plugin), we give the sender a ring of its own
 * that the receiver reads: the switch leaves the round trip. Any change
 * that could make the switch forward such a frame differently withdraws
 * the shortcuts it touches (most withdraw all of them); frames then go
 * through us again until the next grant. The messages go on each client's
 * control channel (the .fastpath connection, kept), announced by a new seq
 * in its region. */

static void sc_revoke(struct fp_srv *s, struct sc *x, bool producer_gone);

/* What @x carried since the last look, into the counters of its ports
 * (in on the sender's, out on the receiver's) and the switch's totals
 * (frames, unicast), as if it had crossed the switch; and the sender's MAC address, if still learnt on its port,
 * stays so (it would age out while its frames go around the switch;
 * fdb_touch() raises no event, so no list changes under a caller). The
 * sender writes the figures in shared memory: they only ever grow, a
 * smaller one is ignored. */
static void sc_fold(struct fp_srv *s, struct sc *x)
{
	uint64_t f = __atomic_load_n(&x->aux->frames, __ATOMIC_RELAXED);
	uint64_t b = __atomic_load_n(&x->aux->bytes, __ATOMIC_RELAXED);
	uint64_t sf = __atomic_load_n(&x->aux->super, __ATOMIC_RELAXED);
	struct port *pa = &s->sw->pt.v[x->a->ep->port], *pb = &s->sw->pt.v[x->b->ep->port];

	if (f <= x->frames || b < x->bytes)
		return;
	/* super-frames (a VNET shortcut) as the switch counts those it
	 * forwards whole: in on the sender's port, out on the receiver's */
	if (sf > x->super && sf - x->super <= f - x->frames) {
		pa->c.super_in += sf - x->super;
		pb->c.super_out += sf - x->super;
		x->super = sf;
	}
	(void)fdb_touch(&s->sw->fdb, x->src, pa->untagged_vlan, x->a->ep->port, loop_now_ns());
	pa->c.in_pkts += f - x->frames;
	pa->c.in_bytes += b - x->bytes;
	pb->c.out_pkts += f - x->frames;
	pb->c.out_bytes += b - x->bytes;
	/* and in the switch's totals, as known unicast it forwarded */
	s->sw->fwd.st.frames += f - x->frames;
	s->sw->fwd.st.unicast += f - x->frames;
	x->frames = f;
	x->bytes = b;
}

/* sw->sc_sync: every shortcut's frames into the ports' counters. */
static void sc_sync(struct sw *sw)
{
	struct sc *x;

	for (x = sw->fastpath ? sw->fastpath->scs : NULL; x; x = x->next)
		sc_fold(sw->fastpath, x);
}

/* Nothing else must see the frames of a shortcut. */
static bool sc_allowed(const struct sw *sw)
{
	return sw->shortcuts && !sw->pt.hub && !sw->fstp.enabled && !sw->mirror.n &&
	       !sw->capture.n && !sw->plugins.rx && !sw->plugins.tx;
}

/* One endpoint, untagged in one VLAN and tagged in none. */
static bool sc_port_plain(const struct port *p)
{
	unsigned i;

	if (p->nep != 1 || p->trunk || p->untagged_vlan == VLAN_NONE)
		return false;
	for (i = 0; i < VLAN_WORDS; i++)
		if (p->tagged[i])
			return false;
	return true;
}

/* The client stops reading its channel, or wrote to it: no more shortcuts
 * for it, and those it has are withdrawn. */
static void ring_chan_close(struct ring *r)
{
	struct fp_srv *s = r->srv;
	struct sc **link = &s->scs;

	if (r->chan < 0)
		return;
	loop_del_fd(s->sw->loop, r->chan);
	close(r->chan);
	r->chan = -1;
	/* a new seq: the client reads the channel and finds its end */
	__atomic_fetch_add(&r->aux->seq, 1, __ATOMIC_RELEASE);
	while (*link) {
		if ((*link)->a == r || (*link)->b == r) {
			sc_revoke(s, *link, false);
			link = &s->scs;		/* the list changed */
		} else {
			link = &(*link)->next;
		}
	}
}

/* One message on @r's channel, then a new seq. A full channel (the client
 * does not read it) or any error: shut down, so that its next look finds
 * the end; the loop then sees the hang-up (ring_chan_cb()). */
static int ring_chan_send(struct ring *r, struct fastpath_msg *m, const int *fds, size_t n)
{
	int err;

	if (r->chan < 0)
		return -1;
	err = fastpath_msg_send_fds(r->chan, m, fds, n);
	if (err)
		shutdown(r->chan, SHUT_RDWR);
	__atomic_fetch_add(&r->aux->seq, 1, __ATOMIC_RELEASE);
	return err ? -1 : 0;
}

static void ring_chan_cb(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct endpoint *ep = arg;

	(void)l;
	(void)fd;
	(void)events;
	if (!ep->closed)
		ring_chan_close(ep->priv);	/* the client never writes: its end */
}

/* Withdraw @x: its sender stops, its receiver reads it to the end. With
 * @producer_gone (the sender's endpoint is closing) we say for it that
 * nothing more comes. */
static void sc_revoke(struct fp_srv *s, struct sc *x, bool producer_gone)
{
	struct fastpath_msg m;
	struct sc **link;

	for (link = &s->scs; *link; link = &(*link)->next)
		if (*link == x) {
			*link = x->next;
			break;
		}
	__atomic_store_n(&x->aux->revoked, 1, __ATOMIC_RELEASE);
	if (producer_gone)
		__atomic_store_n(&x->aux->prod_done, 1, __ATOMIC_RELEASE);
	sc_fold(s, x);	/* what it carried until now (the sender may add a last one) */
	fastpath_msg_init(&m, FASTPATH_SC_REVOKE, (int32_t)x->id);
	(void)ring_chan_send(x->a, &m, NULL, 0);
	(void)ring_chan_send(x->b, &m, NULL, 0);
	/* the sender's own figures: shared memory, so only shown */
	x->a->sc_frames += __atomic_load_n(&x->aux->frames, __ATOMIC_RELAXED);
	x->a->sc_bytes += __atomic_load_n(&x->aux->bytes, __ATOMIC_RELAXED);
	x->a->sc_full += __atomic_load_n(&x->aux->full, __ATOMIC_RELAXED);
	x->a->sc_out--;
	x->b->sc_in--;
	s->sc_revoked++;
	munmap(x->map, x->maplen);
	free(x);
}

/* Withdraw the shortcuts to @r: frames for it wait in the switch. */
static void sc_revoke_to(struct ring *r)
{
	struct fp_srv *s = r->srv;
	struct sc **link = &s->scs;

	while (*link) {
		if ((*link)->b == r) {
			sc_revoke(s, *link, false);
			link = &s->scs;
		} else {
			link = &(*link)->next;
		}
	}
}

/* A receive batch of @r is forwarded: each shortcut of @r's moves its
 * mark to where the receiver's s2c ring ends now (behind what @r sent it
 * through the switch), then @r learns how far its c2s ring is forwarded
 * (it starts on a shortcut only once that is all it wrote). */
static void sc_forwarded(struct ring *r)	/* (once @r wrote in a shortcut, its mark stays) */
{
	struct sc *x;

	for (x = r->sc_out ? r->srv->scs : NULL; x; x = x->next)
		if (x->a == r && !__atomic_load_n(&x->ring->tail, __ATOMIC_RELAXED))
			__atomic_store_n(&x->aux->mark, x->b->tx.pos, __ATOMIC_RELAXED);
	__atomic_store_n(&r->aux->fwd, r->rx.pos, __ATOMIC_RELEASE);
}

/* @r's c2s ring was found empty, and what it held is forwarded: its new
 * shortcuts may start, unless frames wait in the switch for their
 * receiver (then later: it is served on its own). */
static void sc_open(struct ring *r)
{
	struct sc *x;

	if (!shmring_empty(&r->rx))
		return;
	for (x = r->srv->scs; x; x = x->next)
		if (x->a == r && !x->b->ep->q.frames &&
		    !__atomic_load_n(&x->aux->open, __ATOMIC_RELAXED))
			__atomic_store_n(&x->aux->open, 1, __ATOMIC_RELEASE);
}

/* Withdraw every shortcut of @r: it is closing. */
static void sc_revoke_ring(struct ring *r)
{
	struct fp_srv *s = r->srv;
	struct sc **link = &s->scs;

	while (*link) {
		if ((*link)->a == r || (*link)->b == r) {
			sc_revoke(s, *link, (*link)->a == r);
			link = &s->scs;
		} else {
			link = &(*link)->next;
		}
	}
}

/* A shortcut from @a to @b for frames to @mac (the first of a frame's
 * bytes; its source follows): a region with one ring, to
 * @b first (it maps it before @a can write), then to @a with @b's s2c pipe
 * (a new open file description of it: nothing @a does with it reaches
 * ours) and a reader of that pipe for @a to hold (its writes then never
 * meet EPIPE). Between two VNET rings the region takes VNET records
 * (super-frames travel whole, as we forward them) and is as large as
 * @b's s2c ring (256 KiB hold only 3 super-frames); else it is plain. */
static void sc_create(struct fp_srv *s, struct ring *a, struct ring *b, const uint8_t *mac)
{
	int fds[FASTPATH_SC_TX_FDS] = { -1, -1, -1 }, i;
	uint32_t feat = a->vnet && b->vnet ? SHMRING_FEAT_VNET : 0;
	uint32_t size = feat ? b->tx.size : SHMRING_SIZE_DEFAULT;
	struct fastpath_msg m;
	struct sc *x = calloc(1, sizeof(*x));

	if (!x) {
		s->sc_retry_ns = loop_now_ns() + SC_RETRY_NS;
		return;
	}
	fds[FASTPATH_SC_REGION] = fastpath_region_create(size, feat, &x->map, &x->maplen);
	fds[FASTPATH_SC_BELL] = fastpath_pipe_reopen(b->bell_tx, O_WRONLY | O_NONBLOCK);
	fds[FASTPATH_SC_KEEP] = fastpath_pipe_reopen(b->bell_tx, O_RDONLY | O_NONBLOCK);
	for (i = 0; i < FASTPATH_SC_TX_FDS; i++)
		if (fds[i] < 0) {
			/* out of memory or descriptors: likely so for the
			 * next frame too, which would try again */
			s->sc_retry_ns = loop_now_ns() + SC_RETRY_NS;
			goto fail;
		}
	x->id = s->sc_id = s->sc_id >= INT32_MAX ? 1 : s->sc_id + 1;
	x->a = a;
	x->b = b;
	memcpy(x->mac, mac, sizeof(x->mac));
	memcpy(x->src, mac + 6, sizeof(x->src));
	x->aux = (struct fastpath_aux *)((uint8_t *)x->map + FASTPATH_AUX_OFF);
	x->ring = (struct shmring_ctl *)((uint8_t *)x->map + SHMRING_CTL_OFF);
	x->aux->mark = b->tx.pos;	/* where b's s2c ring ends now */
	x->next = s->scs;
	s->scs = x;
	a->sc_out++;
	a->sc_grants++;
	b->sc_in++;
	s->sc_granted++;
	fastpath_msg_init(&m, FASTPATH_SC_RX, (int32_t)x->id);
	m.ring_size = size;
	m.features = feat;
	if (ring_chan_send(b, &m, &fds[FASTPATH_SC_REGION], 1) == 0) {
		fastpath_msg_init(&m, FASTPATH_SC_TX, (int32_t)x->id);
		m.ring_size = size;
		m.features = feat;
		memcpy(m.endpoint, mac, 6);
		if (ring_chan_send(a, &m, fds, FASTPATH_SC_TX_FDS))
			sc_revoke(s, x, true);
	} else {
		sc_revoke(s, x, true);
	}
	x = NULL;
fail:
	for (i = 0; i < FASTPATH_SC_TX_FDS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (x) {
		if (x->map)
			munmap(x->map, x->maplen);
		free(x);
	}
}

/* sw->sc_unicast: @frame from @from went to @port alone as known unicast:
 * grant a shortcut if nothing stands against it. A VNET ring sends
 * super-frames: only to another VNET ring (we cut them for a plain one,
 * which a shortcut would not); a plain ring may send to either. Every
 * ring with a channel takes the shortcuts it may be given: a VNET one
 * asked for them (FASTPATH_FEAT_SC_VNET, conn_request()). */
static void sc_unicast(struct sw *sw, struct endpoint *from, unsigned port,
			const uint8_t *frame)
{
	struct fp_srv *s = sw->fastpath;
	struct port *pa, *pb;
	struct ring *a, *b;
	struct sc *x;

	if (!s || !is_ring(from) || from->closed || !sc_allowed(sw) || port >= sw->pt.nslots ||
	    (s->sc_retry_ns && loop_now_ns() < s->sc_retry_ns))
		return;
	a = from->priv;
	pa = &sw->pt.v[from->port];
	pb = &sw->pt.v[port];
	if (a->chan < 0 || a->sc_out >= SC_MAX || !sc_port_plain(pa) ||
	    !sc_port_plain(pb) || pa->untagged_vlan != pb->untagged_vlan || !is_ring(pb->eps) ||
	    pb->eps->closed || pb->eps->q.frames)
		return;
	b = pb->eps->priv;
	if (b->chan < 0 || (a->vnet && !b->vnet) || b->sc_in >= SC_MAX || b->uid != a->uid ||
	    b == a)
		return;
	for (x = s->scs; x; x = x->next)
		if (x->a == a && !memcmp(x->mac, frame, 6))
			return;
	sc_create(s, a, b, frame);
}

/* sw->sc_revoke_all: the forwarding may change (a console command, a
 * capture): withdraw every shortcut. */
static void sc_revoke_all(struct sw *sw)
{
	struct fp_srv *s = sw->fastpath;

	while (s && s->scs)
		sc_revoke(s, s->scs, false);
}

/* sw->sc_revoke_mac: @mac moved, or left the MAC table: withdraw the
 * shortcuts to it. */
static void sc_revoke_mac(struct sw *sw, const uint8_t *mac)
{
	struct fp_srv *s = sw->fastpath;
	struct sc **link;

	if (!s)
		return;
	link = &s->scs;
	while (*link) {
		if (!memcmp((*link)->mac, mac, 6)) {
			sc_revoke(s, *link, false);
			link = &s->scs;
		} else {
			link = &(*link)->next;
		}
	}
}

/* ------------------------------------------------------------------ */
/* the .fastpath server */

static void conn_drop(struct fp_conn *c)
{
	struct fp_srv *s = c->srv;
	struct fp_conn **link;

	for (link = &s->conns; *link; link = &(*link)->next)
		if (*link == c) {
			*link = c->next;
			s->nconns--;
			break;
		}
	if (c->timer > 0)
		loop_del_timer(s->sw->loop, c->timer);
	if (c->fd >= 0) {	/* -1: it became a ring's channel */
		loop_del_fd(s->sw->loop, c->fd);
		close(c->fd);
	}
	if (c->map)
		munmap(c->map, c->maplen);
	if (c->pipes)
		fastpath_bells_close(&c->bells);
	free(c);
}

static uint64_t conn_timeout_cb(struct loop *l, void *arg)
{
	struct fp_conn *c = arg;

	c->timer = 0;
	log_info("fast path fd %d: no answer within %llu s, closed", c->fd,
		 (unsigned long long)(RING_CONN_TIMEOUT_NS / 1000000000ULL));
	conn_drop(c);
	return LOOP_NOMORE;
}

/* SO_PEERCRED of @fd; false if unknown or the pid is not visible to us. */
static bool peer_cred(int fd, struct ucred *u)
{
	socklen_t len = sizeof(*u);

	return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, u, &len) == 0 && len == sizeof(*u) &&
	       u->pid > 0;
}

/* The ring endpoint whose data socket is bound at @path, or NULL. */
static struct endpoint *ring_find(struct sw *sw, const char *path)
{
	struct endpoint *ep;

	for (ep = sw->eps; ep; ep = ep->all_next)
		if (is_ring(ep) && !ep->closed &&
		    !strcmp(((struct ring *)ep->priv)->d.path, path))
			return ep;
	return NULL;
}

/* The datagram endpoint at @path if the process on @c owns it: 0, or
 * ENOENT, EPERM (another process's), EBUSY (on rings, or being offered). */
static int conn_endpoint(struct fp_conn *c, const char *path, struct endpoint **out)
{
	struct fp_srv *s = c->srv;
	struct ucred me, owner;
	struct endpoint *ep;
	struct fp_conn *o;

	ep = ep_dgram_find(s->sw, path);
	if (!ep)
		ep = ring_find(s->sw, path);
	if (!ep)
		return ENOENT;
	/* the owner first: nobody else learns anything about it */
	if (!peer_cred(c->fd, &me) || !peer_cred(((struct ep_dgram *)ep->priv)->ctl_fd, &owner) ||
	    me.pid != owner.pid || me.uid != owner.uid)
		return EPERM;
	if (is_ring(ep))
		return EBUSY;
	for (o = s->conns; o; o = o->next)
		if (o != c && o->state == CONN_ANSWER && !strcmp(o->path, path))
			return EBUSY;
	*out = ep;
	return 0;
}

/* REQUEST: check, create the region, OFFER it. False: drop @c. */
static bool conn_request(struct fp_conn *c, const struct fastpath_msg *m)
{
	uint32_t size = m->ring_size;
	struct endpoint *ep = NULL;
	struct fastpath_msg offer;
	/* super-frames if asked for, unless --no-offload */
	uint32_t feat = c->srv->sw->no_offload ? 0 : m->features & SHMRING_FEAT_VNET;
	int err, memfd = -1, fds[FASTPATH_OFFER_FDS];
	struct ucred cred;
	size_t i;

	err = conn_endpoint(c, m->endpoint, &ep);
	if (!err) {
		if (!shmring_region_size(size))
			size = SHMRING_SIZE_DEFAULT;
		memfd = fastpath_region_create(size, feat, &c->map, &c->maplen);
		if (memfd < 0) {
			/* ours, not the client's: say why it stays on datagrams */
			log_info("fast path fd %d: %s: no rings (%s), the client stays on "
				 "datagrams", c->fd, m->endpoint, strerror(-memfd));
			err = ENOMEM;
		}
	}
	if (err) {
		log_debug("fast path fd %d: %s refused: %s", c->fd, m->endpoint, strerror(err));
		fastpath_msg_reply(c->fd, FASTPATH_REFUSE, err);
		return false;
	}
	c->layout.ring_size = size;
	c->layout.frame_max = SHMRING_FRAME_MAX;
	c->layout.features = feat;
	c->layout.region_size = c->maplen;
	fastpath_msg_init(&offer, FASTPATH_OFFER, 0);
	offer.ring_size = size;
	offer.features = feat;
	/* doorbell pipes if asked for and we can make them; else datagrams */
	c->pipes = (m->features & FASTPATH_FEAT_PIPES) && !c->srv->no_pipes &&
		   !fastpath_bells_create(&c->bells);
	fds[FASTPATH_FD_REGION] = memfd;
	if (c->pipes) {
		offer.features |= FASTPATH_FEAT_PIPES;
		for (i = FASTPATH_FD_REGION + 1; i < FASTPATH_OFFER_FDS; i++)
			fds[i] = c->bells.peer[i];
	}
	/* shortcuts: with pipes, --shortcuts, a user we know; with
	 * super-frames only for a client that takes VNET shortcuts (one of
	 * an older build does not ask, and gets none) */
	c->shortcut = c->pipes && c->srv->sw->shortcuts &&
		      (!feat || (m->features & FASTPATH_FEAT_SC_VNET)) &&
		      (m->features & FASTPATH_FEAT_SHORTCUT) && peer_cred(c->fd, &cred);
	if (c->shortcut) {
		c->uid = cred.uid;
		offer.features |= FASTPATH_FEAT_SHORTCUT | (feat ? FASTPATH_FEAT_SC_VNET : 0);
	}
	err = fastpath_msg_send_fds(c->fd, &offer, fds, c->pipes ? FASTPATH_OFFER_FDS : 1);
	close(memfd);	/* the client has its own; we keep the mapping */
	for (i = FASTPATH_FD_REGION + 1; c->pipes && i < FASTPATH_OFFER_FDS; i++) {
		close(c->bells.peer[i]);	/* the client's ends: its own now */
		c->bells.peer[i] = -1;
	}
	if (err)
		return false;
	snprintf(c->path, sizeof(c->path), "%s", m->endpoint);
	c->state = CONN_ANSWER;
	return true;
}

/* ACCEPT: the endpoint (still the asker's) goes on rings, then ACTIVE. */
static void conn_accept(struct fp_conn *c)
{
	struct endpoint *ep = NULL;
	struct ring *r;

	/* it may have gone, or another may sit at the same path now */
	if (conn_endpoint(c, c->path, &ep) || ring_takeover(c->srv, ep, c) < 0)
		return;
	r = ep->priv;
	/* pipes: one doorbell before ACTIVE keeps the client's vde_datafd()
	 * readable for the frames we sent it before (its predrain) */
	if (r->bell_tx >= 0)
		ring_doorbell(r);
	if (fastpath_msg_reply(c->fd, FASTPATH_ACTIVE, 0))
		log_debug("fast path fd %d: ACTIVE not sent: %s", c->fd, strerror(errno));
	else if (c->shortcut) {
		/* the connection becomes the ring's control channel */
		loop_del_fd(c->srv->sw->loop, c->fd);
		if (loop_add_fd(c->srv->sw->loop, c->fd, EPOLLIN, ring_chan_cb, ep) == 0) {
			r->chan = c->fd;
			c->fd = -1;
		}
	}
	/* the client may have produced (and rung) before we read ACCEPT */
	ring_pend(r);
}

static void conn_cb(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct fp_conn *c = arg;
	struct fastpath_msg m;
	int fds[FASTPATH_MAX_FDS], err;
	size_t nfds = 0, i;
	bool keep = false;

	err = fastpath_msg_recv(fd, &m, fds, &nfds, 0);
	for (i = 0; i < nfds; i++)
		close(fds[i]);		/* a client has no fd to give us */
	if (err == -EAGAIN)
		return;
	if (!err && !nfds) {
		if (c->state == CONN_REQUEST && m.type == FASTPATH_REQUEST)
			keep = conn_request(c, &m);
		else if (c->state == CONN_ANSWER && m.type == FASTPATH_ACCEPT)
			conn_accept(c);
		/* DECLINE, anything else: the endpoint stays on datagrams */
	}
	if (!keep)
		conn_drop(c);
}

static void srv_accept_cb(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct fp_srv *s = arg;
	struct fp_conn *c;
	int cfd, k;

	for (k = 0; k < 64; k++) {
		cfd = accept_guarded(&s->accept, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0 && (errno == ECONNABORTED || errno == EPROTO))
			continue;
		if (cfd < 0)
			break;	/* EAGAIN; out of fds: paused (accept.c), the client
				 * waits or stays on datagrams */
		if (s->nconns >= RING_CONN_MAX) {
			close(cfd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(cfd);
			continue;
		}
		c->srv = s;
		c->fd = cfd;
		c->state = CONN_REQUEST;
		if (loop_add_fd(l, cfd, EPOLLIN, conn_cb, c) < 0) {
			close(cfd);
			free(c);
			continue;
		}
		c->timer = loop_add_timer(l, RING_CONN_TIMEOUT_NS, conn_timeout_cb, c);
		if (c->timer < 0)
			c->timer = 0;
		c->next = s->conns;
		s->conns = c;
		s->nconns++;
	}
}

/**
 * ep_ring_init() - see ep_ring.h
 */
int ep_ring_init(struct sw *sw)
{
	const char *env = getenv(EP_RING_ENV);
	struct fp_srv *s;
	int n;

	if (env && !strcmp(env, "0"))
		return 0;
	s = calloc(1, sizeof(*s));
	if (!s) {
		log_err("out of memory");
		return -1;
	}
	s->sw = sw;
	s->fd = -1;
	env = getenv(EP_RING_PIPES_ENV);
	s->no_pipes = env && !strcmp(env, "0");
	sw->fastpath = s;
	n = snprintf(s->path, sizeof(s->path), "%s/%s", sw->ctl_dir, FASTPATH_SOCK);
	/* listen_unix_type() binds "<path>.<pid>" first */
	if (n < 0 || (size_t)n + 12 >= sizeof(s->path)) {
		log_info("%s: path too long, no shared-memory rings", sw->ctl_dir);
		return 0;
	}
	s->fd = listen_unix_type(s->path, SOCK_SEQPACKET, sw->mode, sw->group, RING_CONN_MAX);
	if (s->fd < 0) {
		log_err("Could not set up socket %s: %s", s->path, strerror(errno));
		return -1;
	}
	s->created = true;
	if (sw->shortcuts) {
		sw->sc_unicast = sc_unicast;
		sw->sc_revoke_all = sc_revoke_all;
		sw->sc_revoke_mac = sc_revoke_mac;
		sw->sc_sync = sc_sync;
	}
	if (loop_add_fd(sw->loop, s->fd, EPOLLIN, srv_accept_cb, s) < 0) {
		log_err("loop_add_fd: %s", strerror(errno));
		return -1;
	}
	accept_guard_init(&s->accept, sw->loop, s->fd, s->path);
	return 0;
}

/**
 * ep_ring_cleanup() - see ep_ring.h
 */
void ep_ring_cleanup(struct sw *sw)
{
	struct fp_srv *s = sw->fastpath;

	if (!s)
		return;
	while (s->conns)
		conn_drop(s->conns);
	sw->sc_unicast = NULL;
	sw->sc_revoke_all = NULL;
	sw->sc_revoke_mac = NULL;
	sw->sc_sync = NULL;
	if (s->timer > 0)
		loop_del_timer(sw->loop, s->timer);
	if (s->fd >= 0) {
		accept_guard_fini(&s->accept);
		loop_del_fd(sw->loop, s->fd);
		close(s->fd);
	}
	if (s->created)
		unlink(s->path);
	free(s);
	sw->fastpath = NULL;
}
