// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_epcore_vnet.c - the data path core (epcore.c) with offload
 * super-frames, on a real loop and port table with in-memory endpoint kinds:
 * port 1 and 2 EP_CAP_VNET, port 3 plain, port 4 plain and a mirror
 * monitor of everything. A TCP super-frame from port 1 reaches port 2
 * whole with its metadata and ports 3 and 4 as wire frames (at most 1514
 * bytes, checksums right, payload and sequence numbers in order); 64
 * super-frames in one receive batch (the segment buffer is reused within
 * the batch, while a plain port 5 still has the first one's segments in
 * its batch) arrive complete and in order; a full VNET peer gets its
 * queued super-frames later with their metadata; a NEEDS_CSUM frame gets
 * its checksum for the plain ports only; a header that does not match
 * its frame is dropped and counted; a plain frame reaches a VNET peer
 * with a zeroed header; the per-port offload counters add up. Tails
 * (EP_CAP_TAIL): a frame whose end stays in the peer's memory goes to a
 * tx_tail() kind as it is, is filled into its slot for any other reader
 * (VNET peer without tx_tail, plain peers, a monitor) and queued whole.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loop.h"
#include "switch.h"
#include "endpoint.h"
#include "tap.h"
#include "tcpframe.h"

#define PAY	20000
#define MAXRX	64
#define MAXTX	4096

struct fake {
	/* frames rx() returns next */
	unsigned nrx;
	uint8_t *rx[MAXRX];
	size_t rxlen[MAXRX];
	struct virtio_net_hdr rxvh[MAXRX];
	/* what tx() got */
	bool full;
	unsigned ntx;
	size_t txlen[MAXTX];
	struct virtio_net_hdr txvh[MAXTX];
	uint8_t *tx[MAXTX];
};

/* epcore.c's observers (observe.h): no capture port and no plugin is
 * ever enabled here, so reaching one is a failure of the test itself. */
void capture_rx(struct sw *sw, unsigned port, const uint8_t *frame, size_t len)
{
	(void)sw; (void)port; (void)frame; (void)len;
	abort();
}

void capture_tx(struct sw *sw, unsigned port, const uint8_t *frame, size_t len)
{
	(void)sw; (void)port; (void)frame; (void)len;
	abort();
}

void plugins_rx(struct sw *sw, unsigned port, const uint8_t *frame, size_t len)
{
	(void)sw; (void)port; (void)frame; (void)len;
	abort();
}

void plugins_tx(struct sw *sw, unsigned port, const uint8_t *frame, size_t len)
{
	(void)sw; (void)port; (void)frame; (void)len;
	abort();
}

static int fake_rx(struct endpoint *ep, struct ep_rxbatch *b)
{
	struct fake *f = ep->priv;
	unsigned i;

	for (i = 0; i < f->nrx && i < b->max; i++) {
		memcpy(b->buf + (size_t)i * b->slot, f->rx[i], f->rxlen[i]);
		b->len[i] = (uint32_t)f->rxlen[i];
		b->vh[i] = f->rxvh[i];
	}
	f->nrx = 0;
	return (int)i;
}

static unsigned fake_take(struct endpoint *ep, const struct iovec *iov,
			  const struct virtio_net_hdr *vh, unsigned n)
{
	struct fake *f = ep->priv;
	unsigned i;

	if (f->full)
		return 0;
	for (i = 0; i < n && f->ntx < MAXTX; i++, f->ntx++) {
		f->tx[f->ntx] = malloc(iov[i].iov_len);
		if (!f->tx[f->ntx])
			abort();
		memcpy(f->tx[f->ntx], iov[i].iov_base, iov[i].iov_len);
		f->txlen[f->ntx] = iov[i].iov_len;
		memset(&f->txvh[f->ntx], 0xee, sizeof(f->txvh[0]));	/* none */
		if (vh)
			f->txvh[f->ntx] = vh[i];
	}
	return n;
}

static unsigned fake_tx(struct endpoint *ep, const struct iovec *iov, unsigned n,
			unsigned *errors)
{
	return fake_take(ep, iov, NULL, n);
}

static unsigned fake_tx_vnet(struct endpoint *ep, const struct iovec *iov,
			     const struct virtio_net_hdr *vh, unsigned n, unsigned *errors)
{
	return fake_take(ep, iov, vh, n);
}

static int fake_want(struct endpoint *ep, bool rx, bool tx)
{
	return 0;
}

static void fake_reset(struct endpoint *ep)
{
	struct fake *f = ep->priv;
	unsigned i;

	for (i = 0; i < f->ntx; i++)
		free(f->tx[i]);
	f->ntx = 0;
}

static void fake_close(struct endpoint *ep)
{
	fake_reset(ep);
}

static const struct ep_ops vnet_ops = {
	.kind = "fakevnet", .caps = EP_CAP_VNET, .rx = fake_rx, .tx_vnet = fake_tx_vnet,
	.want = fake_want, .close = fake_close,
};
static const struct ep_ops plain_ops = {
	.kind = "fake", .rx = fake_rx, .tx = fake_tx, .want = fake_want, .close = fake_close,
};

/* A kind with tails (EP_CAP_TAIL, as vhost-user): rx() copies the first
 * TAIL_HEAD bytes of a longer frame and leaves the rest in "guest memory"
 * (rx[i] itself, in two pieces); tx_tail() rebuilds each frame from slot
 * and tail and counts those that came with a tail. */
#define TAIL_HEAD	EP_TAIL_HEAD
static struct iovec tail_iov[MAXRX][2];
static unsigned rx_dones, tails_seen;

static int tail_rx(struct endpoint *ep, struct ep_rxbatch *b)
{
	struct fake *f = ep->priv;
	unsigned i;

	for (i = 0; i < f->nrx && i < b->max; i++) {
		size_t len = f->rxlen[i], rest = len - TAIL_HEAD;

		b->len[i] = (uint32_t)len;
		b->vh[i] = f->rxvh[i];
		memcpy(b->buf + (size_t)i * b->slot, f->rx[i], TAIL_HEAD);
		/* a stale byte in the rest of the slot would show */
		memset(b->buf + (size_t)i * b->slot + TAIL_HEAD, 0xa5, rest);
		tail_iov[i][0] = (struct iovec){ f->rx[i], TAIL_HEAD + rest / 2 };
		tail_iov[i][1] = (struct iovec){ f->rx[i] + TAIL_HEAD + rest / 2, rest - rest / 2 };
		b->tail[i] = (struct ep_tail){ tail_iov[i], 2, TAIL_HEAD, rest };
	}
	f->nrx = 0;
	return (int)i;
}

static unsigned tail_tx(struct endpoint *ep, const struct iovec *iov,
			const struct virtio_net_hdr *vh, const struct ep_tail *const *tail,
			unsigned n, unsigned *errors)
{
	struct fake *f = ep->priv;
	unsigned i, k;

	if (f->full)
		return 0;
	for (i = 0; i < n && f->ntx < MAXTX; i++, f->ntx++) {
		const struct ep_tail *t = tail ? tail[i] : NULL;
		size_t hl = iov[i].iov_len - (t ? t->len : 0), off, at = hl;
		uint8_t *p = malloc(iov[i].iov_len);

		if (!p)
			abort();
		memcpy(p, iov[i].iov_base, hl);
		for (k = 0, off = t ? t->off : 0; t && t->len && k < t->n; k++) {
			if (off >= t->iov[k].iov_len) {
				off -= t->iov[k].iov_len;
				continue;
			}
			memcpy(p + at, (uint8_t *)t->iov[k].iov_base + off, t->iov[k].iov_len - off);
			at += t->iov[k].iov_len - off;
			off = 0;
		}
		tails_seen += t && t->len;
		f->tx[f->ntx] = p;
		f->txlen[f->ntx] = iov[i].iov_len;
		f->txvh[f->ntx] = vh[i];
	}
	return n;
}

static void tail_rx_done(struct endpoint *ep)
{
	rx_dones++;
}

static const struct ep_ops tail_ops = {
	.kind = "faketail", .caps = EP_CAP_VNET | EP_CAP_TAIL, .rx = tail_rx,
	.tx_vnet = fake_tx_vnet, .tx_tail = tail_tx, .rx_done = tail_rx_done,
	.want = fake_want, .close = fake_close,
};

static struct endpoint *fake_new(struct sw *sw, const struct ep_ops *ops, unsigned port)
{
	struct endpoint *ep = ep_new(sw, ops, sizeof(struct fake));

	if (!ep || port_create(&sw->pt, port))
		abort();
	ep->port = port;
	ep_attach(ep);
	return ep;
}

static struct fake *F(struct endpoint *ep)
{
	return ep->priv;
}

/* The wire frames f->tx[from..] are the segments of super-frame @sf
 * (@len bytes, IPv4 or not): each <= 1514, checksums right, payload
 * contiguous. Return: how many frames they were (0: wrong). */
static unsigned wire_ok(const struct fake *f, unsigned from, const uint8_t *sf, size_t len,
			bool v4)
{
	size_t hl = 14 + (v4 ? 20 : 40) + 20, off = 0;
	unsigned i = from;

	while (i < f->ntx && off < len - hl) {
		size_t pay = f->txlen[i] - hl;

		if (f->txlen[i] > 1514 || f->txvh[i].flags != 0xee ||
		    !tcp_ok(f->tx[i], f->txlen[i], v4, 14) ||
		    memcmp(f->tx[i] + hl, sf + hl + off, pay))
			return 0;
		off += pay;
		i++;
	}
	return off == len - hl ? i - from : 0;
}

int main(void)
{
	static uint8_t sf[PAY + 200], sfs[MAXRX][PAY + 200], small[300];
	struct virtio_net_hdr h, hs[MAXRX];
	struct endpoint *a, *b, *c, *d, *e;
	struct port_counters *pc;
	struct sw sw;
	size_t len, lens[MAXRX];
	unsigned n, i, k, from, bad;
	bool v4;

	memset(&sw, 0, sizeof(sw));
	sw.loop = loop_new();
	ok(sw.loop && port_table_init(&sw.pt, 8) == 0 && fdb_init(&sw.fdb, 64, 1024) == 0,
	   "loop, port table, MAC table");
	sw.fwd.pt = &sw.pt;
	sw.fwd.fdb = &sw.fdb;
	sw.fwd.emit = ep_emit;
	sw.fwd.mirror = &sw.mirror;
	sw.fwd.arg = &sw;
	ok(ep_core_init(&sw) == 0 && sw.fwd.emit_vnet == ep_emit_vnet, "data path");
	a = fake_new(&sw, &vnet_ops, 1);
	b = fake_new(&sw, &vnet_ops, 2);
	c = fake_new(&sw, &plain_ops, 3);
	d = fake_new(&sw, &plain_ops, 4);
	e = fake_new(&sw, &plain_ops, 5);
	ok(mirror_set(&sw.mirror, &sw.pt, 4, MIRROR_ALL, 0) == 0, "port 4 monitors everything");
	pc = &sw.pt.v[0].c;

	for (k = 0; k < 2; k++) {
		v4 = k == 0;
		len = build(sf, v4, 0, PAY, &h);
		F(a)->rx[0] = sf;
		F(a)->rxlen[0] = len;
		F(a)->rxvh[0] = h;
		F(a)->nrx = 1;
		ok(ep_input(a) == 1, "%s: one super-frame of %zu bytes read", v4 ? "IPv4" : "IPv6",
		   len);
		ok(F(b)->ntx == 1 && F(b)->txlen[0] == len && !memcmp(F(b)->tx[0], sf, len) &&
		   !memcmp(&F(b)->txvh[0], &h, sizeof(h)),
		   "VNET peer: the super-frame whole, with its metadata");
		n = wire_ok(F(c), 0, sf, len, v4);
		ok(n == (unsigned)((PAY + h.gso_size - 1) / h.gso_size) && n == F(c)->ntx,
		   "plain peer: %u wire frames, checksums right, payload in order", n);
		ok(wire_ok(F(d), 0, sf, len, v4) == n && F(d)->ntx == n,
		   "mirror monitor (plain): the same wire frames");
		fake_reset(b);
		fake_reset(c);
		fake_reset(d);
		fake_reset(e);
	}
	ok(sw.pt.v[1].c.super_in == 2 && sw.pt.v[2].c.super_out == 2 &&
	   sw.pt.v[3].c.super_cut == 2 && sw.pt.v[4].c.super_cut == 2 &&
	   sw.pt.v[1].c.in_pkts == 2 && sw.pt.v[2].c.out_pkts == 2,
	   "counters: super in 2 (port 1), out 2 (port 2), cut 2 (ports 3, 4)");

	/* a whole batch of super-frames: the segment buffer is reused. The
	 * first one is broadcast (to 2, 3, 5 and the monitor 4), the others go
	 * to port 3, where their destination was learned: port 5's batch then
	 * holds the first one's segments while the buffer is reused. */
	memset(small, 0xff, 6);
	memcpy(small + 6, "\x02\0\0\0\0\x09", 6);
	F(c)->rx[0] = small;
	F(c)->rxlen[0] = 100;
	F(c)->nrx = 1;
	ep_input(c);
	fake_reset(a);
	fake_reset(b);
	fake_reset(d);
	fake_reset(e);
	for (i = 0; i < MAXRX; i++) {
		lens[i] = build(sfs[i], true, 0, PAY, &hs[i]);
		sfs[i][5] = 9;				/* to port 3 */
		sfs[i][14 + 20 + 4] = (uint8_t)i;	/* tell them apart: seq, */
		memset(sfs[i] + 14 + 20 + 20, (int)i, 2000);	/* payload */
		F(a)->rx[i] = sfs[i];
		F(a)->rxlen[i] = lens[i];
		F(a)->rxvh[i] = hs[i];
	}
	memset(sfs[0], 0xff, 6);
	F(a)->nrx = MAXRX;
	ok(ep_input(a) == MAXRX, "64 super-frames in one batch");
	ok(wire_ok(F(e), 0, sfs[0], lens[0], true) == F(e)->ntx && F(e)->ntx > 0,
	   "the first one, cut for port 5, intact after the buffer's reuse");
	for (i = 0, from = 0, bad = 0; i < MAXRX; i++) {
		n = wire_ok(F(c), from, sfs[i], lens[i], true);
		if (!n || F(c)->tx[from][14 + 20 + 4] != (uint8_t)i)
			bad++;
		from += n;
	}
	ok(!bad && from == F(c)->ntx && F(b)->ntx == 1,
	   "all 64 cut in order for port 3 (%u frames), the broadcast one whole for port 2", from);
	fake_reset(b);
	fake_reset(c);
	fake_reset(d);
	fake_reset(e);

	/* a full VNET peer: queued with the metadata, sent later */
	len = build(sf, true, 0, PAY, &h);
	F(b)->full = true;
	F(a)->rx[0] = sf;
	F(a)->rxlen[0] = len;
	F(a)->rxvh[0] = h;
	F(a)->nrx = 1;
	ep_input(a);
	ok(F(b)->ntx == 0 && b->q.frames == 1, "full VNET peer: the super-frame is queued");
	F(b)->full = false;
	ep_output(b);
	ok(F(b)->ntx == 1 && b->q.frames == 0 && F(b)->txlen[0] == len &&
	   !memcmp(F(b)->tx[0], sf, len) && !memcmp(&F(b)->txvh[0], &h, sizeof(h)),
	   "sent from the queue later, whole, with its metadata");
	fake_reset(b);
	fake_reset(c);
	fake_reset(d);

	/* NEEDS_CSUM without GSO */
	len = build(small, true, 0, 200, &h);
	h.gso_type = VIRTIO_NET_HDR_GSO_NONE;
	h.gso_size = 0;
	F(a)->rx[0] = small;
	F(a)->rxlen[0] = len;
	F(a)->rxvh[0] = h;
	F(a)->nrx = 1;
	ep_input(a);
	ok(F(b)->ntx == 1 && !memcmp(F(b)->tx[0], small, len) &&
	   F(b)->txvh[0].flags == VIRTIO_NET_HDR_F_NEEDS_CSUM && !tcp_ok(small, len, true, 14),
	   "NEEDS_CSUM: the VNET peer gets it partial, with the flag");
	ok(F(c)->ntx == 1 && F(c)->txlen[0] == len && tcp_ok(F(c)->tx[0], len, true, 14) &&
	   F(d)->ntx == 1 && tcp_ok(F(d)->tx[0], len, true, 14) && sw.pt.v[3].c.csum_done == 1,
	   "NEEDS_CSUM: plain peer and monitor get the checksum completed");
	fake_reset(b);
	fake_reset(c);
	fake_reset(d);

	/* headers that do not match their frame */
	len = build(sf, true, 0, PAY, &h);
	F(a)->rx[0] = sf;
	F(a)->rxlen[0] = len;
	F(a)->rxvh[0] = h;
	F(a)->rxvh[0].gso_type = VIRTIO_NET_HDR_GSO_TCPV6;	/* on IPv4 */
	F(a)->rx[1] = small;
	F(a)->rxlen[1] = 100;
	F(a)->rxvh[1] = h;
	F(a)->rxvh[1].gso_type = VIRTIO_NET_HDR_GSO_NONE;
	F(a)->rxvh[1].csum_start = 99;				/* past the end */
	F(a)->rx[2] = sf;
	F(a)->rxlen[2] = len;
	F(a)->rxvh[2] = h;
	F(a)->rxvh[2].gso_size = 9500;				/* segments > a frame */
	F(a)->nrx = 3;
	n = (unsigned)sw.pt.v[1].c.drop_oversize;
	ep_input(a);
	ok(sw.pt.v[1].c.drop_oversize == n + 2 && F(b)->ntx == 1 && F(c)->ntx == 0 &&
	   F(d)->ntx == 0,
	   "bad headers: 2 dropped on ingress, 1 passed whole but not cut (oversize)");
	fake_reset(b);

	/* a plain frame from a plain peer: zeroed header for the VNET peer */
	memset(small, 0xff, 6);
	F(c)->rx[0] = small;
	F(c)->rxlen[0] = 100;
	F(c)->nrx = 1;
	ep_input(c);
	memset(&h, 0, sizeof(h));
	ok(F(b)->ntx == 1 && F(a)->ntx == 1 && !memcmp(&F(b)->txvh[0], &h, sizeof(h)),
	   "a plain frame reaches VNET peers with a zeroed header");
	fake_reset(a);
	fake_reset(b);
	fake_reset(c);
	fake_reset(d);
	fake_reset(e);

	/* tails: port 6 and 7 leave a frame's end in guest memory */
	{
		struct endpoint *t6 = fake_new(&sw, &tail_ops, 6), *t7 = fake_new(&sw, &tail_ops, 7);

		ok(mirror_del(&sw.mirror, 4) == 0, "tails: no monitor for now");
		memset(small, 0xff, 6);			/* port 7 learned as ...:07 */
		memcpy(small + 6, "\x02\0\0\0\0\x07", 6);
		F(t7)->rx[0] = small;
		F(t7)->rxlen[0] = TAIL_HEAD + 1;
		F(t7)->nrx = 1;
		ep_input(t7);
		fake_reset(t6);
		fake_reset(a);
		fake_reset(b);
		fake_reset(c);
		fake_reset(e);
		len = build(sf, true, 0, PAY, &h);
		sf[5] = 7;
		F(t6)->rx[0] = sf;
		F(t6)->rxlen[0] = len;
		F(t6)->rxvh[0] = h;
		F(t6)->nrx = 1;
		tails_seen = rx_dones = 0;
		ep_input(t6);
		ok(F(t7)->ntx == 1 && F(t7)->txlen[0] == len && !memcmp(F(t7)->tx[0], sf, len) &&
		   tails_seen == 1 && rx_dones == 1 && F(c)->ntx == 0,
		   "unicast to a tail kind: the tail handed on as it is (one copy), whole; rx_done once");
		fake_reset(t7);

		/* broadcast: the VNET peer without tx_tail and the plain ones
		 * read the frame from the slot, filled from the tail first */
		memset(sf, 0xff, 6);
		F(t6)->nrx = 1;
		ep_input(t6);
		ok(F(b)->ntx == 1 && F(b)->txlen[0] == len && !memcmp(F(b)->tx[0], sf, len),
		   "broadcast: VNET peer without tx_tail gets it whole (filled)");
		n = wire_ok(F(c), 0, sf, len, true);
		ok(n > 0 && n == F(c)->ntx && wire_ok(F(e), 0, sf, len, true) == n,
		   "broadcast: plain peers get its wire frames (%u), payload right", n);
		ok(F(t7)->ntx == 1 && !memcmp(F(t7)->tx[0], sf, len), "broadcast: tail peer whole too");
		fake_reset(b);
		fake_reset(c);
		fake_reset(e);
		fake_reset(t7);

		/* a full tail peer: queued from slot head and tail, sent later */
		sf[0] = 0x02;
		memset(sf + 1, 0, 4);
		sf[5] = 7;
		F(t7)->full = true;
		F(t6)->nrx = 1;
		tails_seen = 0;
		ep_input(t6);
		ok(F(t7)->ntx == 0 && t7->q.frames == 1, "full tail peer: queued");
		F(t7)->full = false;
		ep_output(t7);
		ok(F(t7)->ntx == 1 && F(t7)->txlen[0] == len && !memcmp(F(t7)->tx[0], sf, len) &&
		   !memcmp(&F(t7)->txvh[0], &h, sizeof(h)) && tails_seen == 0,
		   "sent from the queue later: whole, with its metadata");
		fake_reset(t7);

		/* a monitor of port 6: it reads the frame, so it is filled */
		fake_reset(d);		/* port 4, a plain port meanwhile, got the broadcasts */
		ok(mirror_set(&sw.mirror, &sw.pt, 4, MIRROR_ALL, 0) == 0, "port 4 monitors again");
		F(t6)->nrx = 1;
		tails_seen = 0;
		ep_input(t6);
		ok(F(t7)->ntx == 1 && !memcmp(F(t7)->tx[0], sf, len) &&
		   wire_ok(F(d), 0, sf, len, true) == F(d)->ntx && F(d)->ntx > 0,
		   "with a monitor: tail peer whole, monitor gets right wire frames");
	}
	/* a kind that forgot ep->id: refused, closed, no port taken */
	{
		struct endpoint *x = ep_new(&sw, &plain_ops, sizeof(struct fake));
		unsigned active = 0;

		for (i = 0; i < sw.pt.nslots; i++)
			active += port_active(&sw.pt, i);
		errno = 0;
		ok(x && ep_attach_port(x, 0, "no id") == -1 && errno == EINVAL && x->closed,
		   "ep_attach_port() without ep->id: EINVAL, the endpoint closed");
		for (i = 0; i < sw.pt.nslots; i++)
			active -= port_active(&sw.pt, i);
		ok(active == 0, "and no port taken");
	}
	(void)pc;
	ep_core_cleanup(&sw);
	fdb_free(&sw.fdb);
	port_table_free(&sw.pt);
	loop_free(sw.loop);
	return tap_done();
}
