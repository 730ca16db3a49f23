// SPDX-License-Identifier: GPL-2.0-or-later
/* switch/epcore.c - the data path shell: endpoints, batches, queues and
 * back-pressure, for every endpoint kind (endpoint.h holds the contract)
 *
 * Theory of operation: a readable endpoint is read with one ops->rx()
 * batch; every frame goes through forward_frame(), whose emit callback
 * appends the frame to a per-endpoint batch (no copy: the batch points
 * into the receive buffers). At the end of the receive batch every touched
 * endpoint is flushed with one ops->tx(). What the peer cannot take now is
 * copied into the endpoint's bounded queue and sent when the kind reports
 * output readiness (ep_output()); beyond the queue frames are dropped and
 * counted. Back-pressure: when a queue passes half its size while its peer
 * is still draining it, the ingress endpoint that fed it is not read for a
 * while (until the queue is below a quarter, at most SW_PAUSE_NS), so a
 * blocking sender waits instead of losing frames. A peer that drains
 * nothing for SW_STUCK_NS is "stuck" and no longer pauses anybody: frames
 * to it are dropped. A monitor port (mirror.h) never pauses anybody
 * either: a copy that does not fit its queue is dropped and counted on its
 * mirror session.
 *
 * Offloads: a frame of an EP_CAP_VNET kind comes with its virtio_net_hdr
 * (ep_rxbatch.vh[i]); a TCP super-frame or a NEEDS_CSUM frame is checked
 * (vnet_check()) and forwarded with a pointer to it (forward_frame_vnet()),
 * a plain one without. The emit callback copies the metadata next to the
 * frame's pointer in the batch of each EP_CAP_VNET endpoint (ep->vh[]; in
 * the queue it is stored in front of the frame, one record), or, for an
 * endpoint without it or a mirror monitor, batches the frame's wire form
 * instead: its segments (vnet_segment()) or a copy with the checksum
 * completed (vnet_finish_csum()), made once per form in sw->segbuf and
 * reused for every further plain endpoint of the receive batch. The
 * segment buffer is reused when full after flushing every batch (the
 * queues keep copies), and from the start at each receive batch.
 *
 * Every drop of the data path is counted here, on the port, in struct
 * sw_drops and (for monitor ports) on the mirror session. A port that
 * becomes active or inactive is reported through sw->port_event (the
 * topology wiring: MAC table flush, FSTP), so this file knows neither.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "vnet.h"
#include "ether.h"
#include "log.h"
#include "loop.h"
#include "switch.h"
#include "endpoint.h"
#include "observe.h"

/* ------------------------------------------------------------------ */
/* transmit side */

static const struct virtio_net_hdr ep_no_vh;	/* zeroed: a wire frame */

static bool ep_vnet(const struct endpoint *ep)
{
	return ep->ops->caps & EP_CAP_VNET;
}

/* Queue a copy of a frame (with its metadata for an EP_CAP_VNET kind). */
static bool ep_queue(struct endpoint *ep, const void *frame, size_t len,
		     const struct virtio_net_hdr *vh)
{
	if (ep_vnet(ep))
		return txq_push2(&ep->q, vh, VNET_HDR_LEN, frame, len);
	return txq_push(&ep->q, frame, len);
}

/* Tell the kind what @ep needs now: receive unless paused by
 * back-pressure, output readiness while its queue is not empty. */
static void ep_update(struct endpoint *ep)
{
	bool rx = !ep->paused, tx = ep->q.frames > 0;
	uint32_t ev = (rx ? EPOLLIN : 0) | (tx ? EPOLLOUT : 0);

	if (ev == ep->events || ep->closed)
		return;
	if (ep->ops->want(ep, rx, tx) == 0)
		ep->events = ev;
}

/* A queue above the high mark whose peer still drains it asks for
 * back-pressure; a peer that made no progress for SW_STUCK_NS is stuck
 * and only loses frames (counted), so it cannot stall the others. */
static bool ep_congested(const struct endpoint *ep, uint64_t now)
{
	return (ep->q.frames > SW_TXQ_FRAMES / 2 || txq_bytes(&ep->q) > SW_TXQ_BYTES / 2) &&
	       now - ep->last_progress < SW_STUCK_NS;
}

static void ep_resume_all(struct sw *sw)
{
	struct endpoint *ep;

	while ((ep = sw->paused)) {
		sw->paused = ep->paused_next;
		ep->paused_next = NULL;
		ep->paused = false;
		ep_update(ep);
	}
}

static uint64_t ep_resume_cb(struct loop *l, void *arg)
{
	struct sw *sw = arg;

	sw->resume_timer = 0;
	ep_resume_all(sw);
	return LOOP_NOMORE;
}

/* Stop reading from ingress @ep until a congested queue drains (or
 * SW_PAUSE_NS passes): its sender then blocks instead of losing frames. */
static void ep_pause(struct sw *sw, struct endpoint *ep)
{
	if (ep->paused)
		return;
	ep->paused = true;
	ep->paused_next = sw->paused;
	sw->paused = ep;
	sw->drops.pauses++;
	ep_update(ep);
	if (!sw->resume_timer) {
		sw->resume_timer = loop_add_timer(sw->loop, SW_PAUSE_NS, ep_resume_cb, sw);
		if (sw->resume_timer < 0) {
			sw->resume_timer = 0;
			ep_resume_all(sw);
		}
	}
}

static void ep_count_drop(struct sw *sw, struct endpoint *ep, bool qfull)
{
	struct port *pp = &sw->pt.v[ep->port];

	if (qfull) {
		sw->drops.qfull++;
		pp->c.drop_qfull++;
		mirror_count_drop(&sw->mirror, ep->port);
	} else {
		sw->drops.senderr++;
		pp->c.drop_senderr++;
	}
}

/* ------------------------------------------------------------------ */
/* tails (endpoint.h, "Tails") */

/* The tail of @frame if it is a received frame whose tail is not in its
 * slot yet, else NULL. */
static struct ep_tail *ep_tail_of(struct sw *sw, const uint8_t *frame)
{
	uintptr_t base = (uintptr_t)sw->rx.buf, f = (uintptr_t)frame;
	struct ep_tail *t = NULL;

	if (sw->rx.ntail && f >= base && (f - base) % sw->rx.slot == 0 &&
	    (f - base) / sw->rx.slot < sw->rx.ntail)
		t = &sw->rx.tail[(f - base) / sw->rx.slot];
	return t && t->len ? t : NULL;
}

/* Copy tail @t of @len-byte @frame into its slot: the frame is whole. */
static void ep_fill(uint8_t *frame, size_t len, struct ep_tail *t)
{
	size_t off = t->off, done = 0, l;
	uint8_t *dst = frame + (len - t->len);
	unsigned i;

	for (i = 0; i < t->n && done < t->len; i++) {
		if (off >= t->iov[i].iov_len) {
			off -= t->iov[i].iov_len;
			continue;
		}
		l = t->iov[i].iov_len - off;
		if (l > t->len - done)
			l = t->len - done;
		memcpy(dst + done, (const uint8_t *)t->iov[i].iov_base + off, l);
		done += l;
		off = 0;
	}
	t->len = 0;
}

/**
 * ep_tail_fill() - make frame @iov (tail @t, from a tx_tail() call) whole
 * in its slot: see endpoint.h
 */
void ep_tail_fill(struct sw *sw, const struct iovec *iov, const struct ep_tail *t)
{
	struct ep_tail *mine = ep_tail_of(sw, iov->iov_base);

	if (mine && mine == t)
		ep_fill(iov->iov_base, iov->iov_len, mine);
}

/* Can the frames from @in_port keep their tails? Not if anything but the
 * egress endpoints would read them: an observer, or a port that sends the
 * ingress port's untagged VLAN tagged (the tag would be inserted into a
 * copy of the whole frame). */
static bool ep_tails_ok(const struct sw *sw, unsigned in_port)
{
	const struct port_table *pt = &sw->pt;
	uint16_t vid = pt->v[in_port].untagged_vlan;
	unsigned p;

	if (sw->capture.n || sw->plugins.rx || sw->plugins.tx)
		return false;
	for (p = 0; !pt->hub && p < pt->nslots; p++)
		if (pt->v[p].nep && port_vlan_tagged(&pt->v[p], vid))
			return false;
	return true;
}

/* ep_queue() of frame @iov whose tail @t (NULL: none) may still be in
 * the peer's memory: the queue's copy is taken from there (one copy). */
static bool ep_queue_tail(struct endpoint *ep, const struct iovec *iov,
			  const struct virtio_net_hdr *vh, const struct ep_tail *t)
{
	struct iovec v[2 + EP_TAIL_MAXIOV];
	size_t off, left;
	unsigned i, k = 0;
	bool ret = false;

	if (!t || !t->len || !ep_vnet(ep) || t->n > EP_TAIL_MAXIOV) {
		if (t && t->len)
			ep_tail_fill(ep->sw, iov, t);
		ret = ep_queue(ep, iov->iov_base, iov->iov_len, vh);
		goto out;
	}
	v[k++] = (struct iovec){ (void *)vh, VNET_HDR_LEN };
	v[k++] = (struct iovec){ iov->iov_base, iov->iov_len - t->len };
	for (i = 0, off = t->off, left = t->len; i < t->n && left; i++) {
		size_t l = t->iov[i].iov_len;

		if (off >= l) {
			off -= l;
			continue;
		}
		l -= off;
		if (l > left)
			l = left;
		v[k++] = (struct iovec){ (uint8_t *)t->iov[i].iov_base + off, l };
		left -= l;
		off = 0;
	}
	/* a tail shorter than it says (a kind's bug) is not queued */
	ret = !left && txq_pushv(&ep->q, v, k);
out:
	return ret;
}

/* Hand @n frames to the kind; returns how many it took (sent or refused
 * for a hard error, counted here). @tail: the frames' tails, or NULL. */
static unsigned ep_tx(struct sw *sw, struct endpoint *ep, const struct iovec *iov,
		      const struct virtio_net_hdr *vh, const struct ep_tail *const *tail,
		      unsigned n)
{
	unsigned taken, errors = 0;

	if (ep->ops->tx_tail)
		taken = ep->ops->tx_tail(ep, iov, vh, tail, n, &errors);
	else if (ep_vnet(ep))
		taken = ep->ops->tx_vnet(ep, iov, vh, n, &errors);
	else
		taken = ep->ops->tx(ep, iov, n, &errors);
	while (errors--)
		ep_count_drop(sw, ep, false);
	if (ep->ops->flush)
		ep->ops->flush(ep);
	return taken;
}

static void ep_flush_batch(struct sw *sw, struct endpoint *ep)
{
	unsigned n = ep->nbatch, i = 0;

	ep->nbatch = 0;
	if (!ep->q.frames) {
		i = ep_tx(sw, ep, ep->iov, ep->vh, ep->tail, n);
		ep->last_progress = sw->now;
	}
	for (; i < n; i++)
		if (!ep_queue_tail(ep, &ep->iov[i], &ep->vh[i], ep->tail[i]))
			ep_count_drop(sw, ep, true);
	if (ep->q.frames) {
		ep_update(ep);
		/* a monitor port (mirror.h) loses copies, never slows traffic */
		if (ep_congested(ep, sw->now) && !mirror_is_monitor(&sw->mirror, ep->port))
			sw->congested = true;
	}
}

static void ep_flush_all(struct sw *sw)
{
	struct endpoint *ep;

	while ((ep = sw->dirty)) {
		sw->dirty = ep->dirty_next;
		ep->dirty_next = NULL;
		ep->dirty = false;
		ep_flush_batch(sw, ep);
	}
}

/**
 * ep_output() - the peer of @ep can take frames again: send its queue.
 * @ep:	endpoint
 */
void ep_output(struct endpoint *ep)
{
	struct sw *sw = ep->sw;
	struct iovec iov[EP_BATCH];
	struct virtio_net_hdr vh[EP_BATCH];
	unsigned n, sent, i;

	if (ep->closed)
		return;
	while (ep->q.frames) {
		n = txq_peek(&ep->q, iov, EP_BATCH);
		/* records of an EP_CAP_VNET kind: header, then frame */
		for (i = 0; ep_vnet(ep) && i < n; i++) {
			memcpy(&vh[i], iov[i].iov_base, VNET_HDR_LEN);
			iov[i].iov_base = (uint8_t *)iov[i].iov_base + VNET_HDR_LEN;
			iov[i].iov_len -= VNET_HDR_LEN;
		}
		sent = ep_tx(sw, ep, iov, vh, NULL, n);
		txq_pop(&ep->q, sent);
		if (sent)
			ep->last_progress = loop_now_ns();
		if (sent < n)
			break;
	}
	if (sw->paused && ep->q.frames < SW_TXQ_FRAMES / 4 &&
	    txq_bytes(&ep->q) < SW_TXQ_BYTES / 4)
		ep_resume_all(sw);
	ep_update(ep);
}

/* Add one frame (@vh: its metadata, NULL: a wire frame; @t: its tail, or
 * NULL) to @ep's batch. */
static void ep_batch(struct sw *sw, struct endpoint *ep, const uint8_t *frame, size_t len,
		     const struct virtio_net_hdr *vh, const struct ep_tail *t)
{
	if (ep->nbatch == EP_BATCH)
		ep_flush_batch(sw, ep);
	ep->iov[ep->nbatch].iov_base = (void *)frame;
	ep->iov[ep->nbatch].iov_len = len;
	ep->vh[ep->nbatch] = vh ? *vh : ep_no_vh;
	ep->tail[ep->nbatch] = t;
	ep->nbatch++;
	if (!ep->dirty) {
		ep->dirty = true;
		ep->dirty_next = sw->dirty;
		sw->dirty = ep;
	}
}

/* The wire form of a super-frame or NEEDS_CSUM frame: its frames are at
 * sw->segbuf + sw->seg_off, sw->seglen[] long. Made once per form and
 * receive batch. Return: how many frames, 0 if it has none (a segment
 * would be longer than a wire frame: counted oversize, once per frame). */
static unsigned ep_wire_form(struct sw *sw, const uint8_t *frame, size_t len,
			     const struct virtio_net_hdr *vh)
{
	bool gso = vh->gso_type != VIRTIO_NET_HDR_GSO_NONE;
	size_t need = gso ? SW_SEG_ROOM : len, total = 0;
	uint8_t *out;
	unsigned i;
	int n;

	if (sw->seg_src == frame && sw->seg_srclen == len)
		return sw->seg_n;
	if (SW_SEGBUF - sw->segused < need) {
		ep_flush_all(sw);	/* batches point into segbuf: send or queue them */
		sw->segused = 0;
	}
	sw->seg_src = NULL;
	out = sw->segbuf + sw->segused;
	if (gso) {
		n = vnet_segment(vh, frame, len, out, SW_SEG_ROOM, sw->seglen, SW_SEG_MAX);
	} else {
		memcpy(out, frame, len);
		n = vnet_finish_csum(vh, out, len) < 0 ? -1 : 1;
		sw->seglen[0] = len;
	}
	for (i = 0; n > 0 && i < (unsigned)n; i++)
		total += sw->seglen[i];
	sw->seg_src = frame;
	sw->seg_srclen = len;
	sw->seg_off = sw->segused;
	if (n <= 0 || sw->seglen[0] > FWD_FRAME_MAX) {
		sw->fwd.st.oversize++;	/* once per frame: the failure is kept too */
		sw->seg_n = 0;
		return 0;
	}
	sw->seg_n = (unsigned)n;
	sw->segused += total;
	return sw->seg_n;
}

/* The outbound copies of @frame for the observers of @port: what the port
 * is sent. A super-frame or NEEDS_CSUM frame goes whole when every
 * endpoint of the port takes it so; else as the wire frames the switch cuts
 * for the port (ep_wire_form(), made once and reused by ep_emit_vnet()). */
static void ep_obs_tx(struct sw *sw, unsigned port, const uint8_t *frame, size_t len,
		      const struct virtio_net_hdr *vh, bool monitor)
{
	const struct endpoint *ep;
	const uint8_t *p;
	unsigned n, i;

	if (!obs_tx_wanted(sw))
		return;
	for (ep = sw->pt.v[port].eps; vh && ep; ep = ep->next)
		if (monitor || !ep_vnet(ep))
			break;
	if (!vh || !ep) {
		obs_tx(sw, port, frame, len);
		return;
	}
	n = ep_wire_form(sw, frame, len, vh);
	p = sw->segbuf + sw->seg_off;
	for (i = 0; i < n; p += sw->seglen[i], i++)
		obs_tx(sw, port, p, sw->seglen[i]);
}

/**
 * ep_emit_vnet() - forward_frame_vnet() callback: batch @frame for every
 * endpoint of @port (sent at the end of the receive batch), whole with its
 * metadata to an EP_CAP_VNET endpoint, as wire frames to any other
 * @arg:	the switch
 * @port:	egress port
 * @frame:	frame bytes, valid until the end of the receive batch
 * @len:	their length
 * @vh:		its metadata, NULL for a wire frame
 */
void ep_emit_vnet(void *arg, unsigned port, const uint8_t *frame, size_t len,
		  const struct virtio_net_hdr *vh)
{
	struct sw *sw = arg;
	struct port *pp = &sw->pt.v[port];
	bool monitor = mirror_is_monitor(&sw->mirror, port);
	struct ep_tail *t = ep_tail_of(sw, frame);
	struct endpoint *ep;
	unsigned n, i;

	pp->c.out_pkts++;
	pp->c.out_bytes += len;
	sw->emit_n++;
	sw->emit_port = port;
	ep_obs_tx(sw, port, frame, len, vh, monitor);
	for (ep = pp->eps; ep; ep = ep->next) {
		const uint8_t *p;

		/* a tail goes on only to a tx_tail() that takes the frame as
		 * it is; anybody else reads the whole frame from its slot */
		if (t && t->len && (monitor || !ep->ops->tx_tail || !ep_vnet(ep)))
			ep_fill((uint8_t *)frame, len, t);
		if (!vh || (ep_vnet(ep) && !monitor)) {
			ep_batch(sw, ep, frame, len, vh, t && t->len ? t : NULL);
			if (vh && vh->gso_type != VIRTIO_NET_HDR_GSO_NONE)
				pp->c.super_out++;
			continue;
		}
		n = ep_wire_form(sw, frame, len, vh);
		if (n == 0)
			continue;
		if (vh->gso_type != VIRTIO_NET_HDR_GSO_NONE)
			pp->c.super_cut++;
		else
			pp->c.csum_done++;
		p = sw->segbuf + sw->seg_off;
		for (i = 0; i < n; p += sw->seglen[i], i++)
			ep_batch(sw, ep, p, sw->seglen[i], NULL, NULL);
	}
}

/**
 * ep_emit() - forward_frame() callback: ep_emit_vnet() of a wire frame
 */
void ep_emit(void *arg, unsigned port, const uint8_t *frame, size_t len)
{
	ep_emit_vnet(arg, port, frame, len, NULL);
}

/**
 * ep_send_now() - send one frame (a BPDU) to every endpoint of @port at
 * once, or queue a copy behind what is already queued
 * @sw:		switch
 * @port:	egress port (< sw->pt.nslots)
 * @frame:	frame
 * @len:	its length
 */
void ep_send_now(struct sw *sw, unsigned port, const uint8_t *frame, size_t len)
{
	struct port *pp = &sw->pt.v[port];
	struct endpoint *ep;

	pp->c.out_pkts++;
	pp->c.out_bytes += len;
	obs_tx(sw, port, frame, len);
	for (ep = pp->eps; ep; ep = ep->next) {
		struct iovec iov = { (void *)frame, len };

		if (!ep->q.frames && ep_tx(sw, ep, &iov, &ep_no_vh, NULL, 1) == 1)
			continue;
		if (!ep_queue(ep, frame, len, &ep_no_vh))
			ep_count_drop(sw, ep, true);
		else
			ep_update(ep);
	}
}

/* ------------------------------------------------------------------ */
/* receive side */

/**
 * ep_input() - receive and forward one batch from @ep
 * @ep:	endpoint (attached; a closed or detached one reads nothing)
 *
 * An endpoint whose rx() reports it dead is closed.
 *
 * Return: frames read (0 if none or closed).
 */
int ep_input(struct endpoint *ep)
{
	struct sw *sw = ep->sw;
	bool tails = ep->ops->caps & EP_CAP_TAIL, keep = false;
	struct port *pp;
	uint64_t now, unicast;
	int n = 0, i;

	if (ep->closed || !ep->attached)
		goto out;
	pp = &sw->pt.v[ep->port];
	sw->rx.max = EP_BATCH;
	if (tails)
		memset(sw->rx.tail, 0, sizeof(sw->rx.tail));
	n = ep->ops->rx(ep, &sw->rx);
	if (n < 0) {
		ep_close(ep);
		n = 0;
	}
	if (n == 0)
		goto out;
	now = sw->now = loop_now_ns();
	sw->seg_src = NULL;		/* the previous batch's buffers are reused */
	sw->segused = 0;
	if (tails) {
		sw->rx.ntail = (unsigned)n;
		keep = ep_tails_ok(sw, ep->port);
	}
	for (i = 0; i < n; i++) {
		size_t len = sw->rx.len[i], max = FWD_FRAME_MAX;
		uint8_t *buf = sw->rx.buf + (size_t)i * sw->rx.slot;
		const struct virtio_net_hdr *vh = NULL;
		struct ep_tail *t = &sw->rx.tail[i];

		/* a tail stays only on a unicast untagged frame whose head
		 * holds every header the checks and the forwarding read */
		if (tails && t->len && (t->len > len || !keep || eth_is_tagged(buf) ||
					eth_is_multicast(buf) || len - t->len < EP_TAIL_HEAD)) {
			if (t->len > len) {
				t->len = 0;	/* a kind's bug: no frame */
				len = 0;
			} else {
				ep_fill(buf, len, t);
			}
		}

		if (ep_vnet(ep) && ((sw->rx.vh[i].flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) ||
				    sw->rx.vh[i].gso_type != VIRTIO_NET_HDR_GSO_NONE)) {
			vh = &sw->rx.vh[i];
			if (vh->gso_type != VIRTIO_NET_HDR_GSO_NONE)
				max = FWD_SUPER_MAX;
		}
		if (len == 0) {
			/* a zero-length datagram carries no frame: count it */
			pp->c.drop_empty++;
			sw->drops.empty++;
			continue;
		}
		if (len > max || (vh && vnet_check(vh, buf, len, SW_SEG_ROOM, SW_SEG_MAX) < 0)) {
			pp->c.drop_oversize++;
			sw->fwd.st.oversize++;
			continue;
		}
		if (len < ETH_MINFRAME) {
			pp->c.drop_runt++;
			sw->fwd.st.runt++;
			continue;
		}
		pp->c.in_pkts++;
		pp->c.in_bytes += len;
		if (max == FWD_SUPER_MAX)
			pp->c.super_in++;
		obs_rx(sw, ep->port, buf, len);
		unicast = sw->fwd.st.unicast;
		sw->emit_n = 0;
		forward_frame_vnet(&sw->fwd, ep->port, buf, len, vh,
				   sw->altbuf + (size_t)i * FWD_SUPER_ALT_SIZE, now);
		/* known unicast to one port: a shortcut may take the next ones */
		if (sw->sc_unicast && sw->emit_n == 1 && sw->fwd.st.unicast == unicast + 1)
			sw->sc_unicast(sw, ep, sw->emit_port, buf);
	}
	ep_flush_all(sw);
	if (tails) {
		sw->rx.ntail = 0;
		if (!ep->closed && ep->ops->rx_done)
			ep->ops->rx_done(ep);
	}
	if (sw->congested) {
		sw->congested = false;
		if (!ep->closed)
			ep_pause(sw, ep);
	}
out:
	return n;
}

/**
 * ep_fd_cb() - loop callback of a kind's single data fd (arg: endpoint)
 */
void ep_fd_cb(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct endpoint *ep = arg;

	if (events & EPOLLOUT)
		ep_output(ep);
	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
		ep_input(ep);
}

/**
 * ep_want_fd() - ops->want of a kind with one data fd registered through
 * ep_fd_cb: EPOLLIN while @rx, EPOLLOUT while @tx.
 * Return: 0, or -1 with errno.
 */
int ep_want_fd(struct endpoint *ep, bool rx, bool tx)
{
	return loop_mod_fd(ep->sw->loop, ep->fd, (rx ? EPOLLIN : 0) | (tx ? EPOLLOUT : 0));
}

/* ------------------------------------------------------------------ */
/* life of an endpoint */

/**
 * ep_new() - allocate a detached endpoint of kind @ops
 * @sw:		switch
 * @ops:	its kind
 * @priv_size:	bytes of zeroed private state at ep->priv (may be 0)
 *
 * Return: the endpoint (id and fd -1, user PORT_NOUSER), or NULL.
 */
struct endpoint *ep_new(struct sw *sw, const struct ep_ops *ops, size_t priv_size)
{
	struct endpoint *ep = calloc(1, sizeof(*ep) + priv_size);

	if (!ep)
		return NULL;
	ep->sw = sw;
	ep->ops = ops;
	ep->id = ep->fd = -1;
	ep->user = PORT_NOUSER;
	ep->priv = priv_size ? ep + 1 : NULL;
	ep->events = EPOLLIN;		/* kinds register their fds for input */
	txq_init(&ep->q, SW_TXQ_BYTES, SW_TXQ_FRAMES);
	ep->all_next = sw->eps;
	sw->eps = ep;
	return ep;
}

/**
 * ep_attach() - link @ep to port ep->port (port_select() chose it): from
 * now on it receives frames. Prints port/+ when the port became active.
 */
void ep_attach(struct endpoint *ep)
{
	struct sw *sw = ep->sw;

	ep->attached = true;
	ep->last_progress = loop_now_ns();
	if (port_ep_attach(&sw->pt, ep)) {
		console_debug(sw->con, 021, "%02u", ep->port);
		if (sw->port_event)
			sw->port_event(sw, ep->port, true);
	}
}

/**
 * ep_attach_port() - attach a switch-local endpoint (a tap, a VTEP, a
 * vhost-user guest) to a port of its own, as a NEW_CONTROL request gets
 * @ep:		from ep_new(), its fds open and registered, ep->id set
 * @want:	the port asked for, 0 for any free one
 * @descr:	its port description
 *
 * Return: 0, or -1 with errno set (port_select(): ENXIO none free or no
 * such port, EADDRINUSE another user's; EINVAL: ep->id not set, so that
 * port/epclose could never name it) and @ep closed.
 */
int ep_attach_port(struct endpoint *ep, unsigned want, const char *descr)
{
	struct ctl_request req = { .version = 3, .type = CTL_REQ_NEW_CONTROL, .port = want };
	unsigned port;
	int r;

	r = ep->id < 0 ? EINVAL : port_select(&ep->sw->pt, &req, ep->user, NULL, &port);
	if (r) {
		ep_close(ep);
		errno = r;
		return -1;
	}
	ep->port = port;
	snprintf(ep->descr, sizeof(ep->descr), "%s", descr);
	ep_attach(ep);
	return 0;
}

/**
 * ep_attach_any() - ep_attach_port() to any free port, ep->id a duplicate
 * of @idfd (the kind's close() closes it)
 * @ep:		from ep_new(), its fds open and registered
 * @idfd:	the fd whose duplicate identifies it (ep->id, port/epclose)
 * @descr:	its port description
 *
 * Return: 0, or -1 with errno set and @ep closed.
 */
int ep_attach_any(struct endpoint *ep, int idfd, const char *descr)
{
	int r;

	ep->id = fcntl(idfd, F_DUPFD_CLOEXEC, 0);
	if (ep->id < 0) {
		r = errno;
		ep_close(ep);
		errno = r;
		return -1;
	}
	return ep_attach_port(ep, 0, descr);
}

static uint64_t ep_reap_cb(struct loop *l, void *arg)
{
	struct sw *sw = arg;
	struct endpoint *ep;

	while ((ep = sw->graveyard)) {
		sw->graveyard = ep->next;
		free(ep);
	}
	sw->reap_timer = 0;
	return LOOP_NOMORE;
}

/* Remove @ep from the list at @head linked through the field at @off. */
static void ep_unlink(struct endpoint **head, struct endpoint *ep, size_t off)
{
	struct endpoint **link;

	for (link = head; *link; link = (struct endpoint **)((char *)*link + off))
		if (*link == ep) {
			*link = *(struct endpoint **)((char *)ep + off);
			return;
		}
}

/**
 * ep_close() - detach and close @ep (see endpoint.h, "Life")
 * @ep:	endpoint; nothing happens if it is already closed
 */
void ep_close(struct endpoint *ep)
{
	struct sw *sw = ep->sw;
	unsigned port = ep->port;

	if (ep->closed)
		return;
	ep->closed = true;
	ep_unlink(&sw->eps, ep, offsetof(struct endpoint, all_next));
	if (ep->paused) {
		ep_unlink(&sw->paused, ep, offsetof(struct endpoint, paused_next));
		ep->paused = false;
	}
	if (ep->dirty) {
		ep_unlink(&sw->dirty, ep, offsetof(struct endpoint, dirty_next));
		ep->dirty = false;
	}
	if (ep->attached) {
		ep->attached = false;
		console_debug(sw->con, 032, "Port %02u FD %2d", port, ep->id);
		if (port_ep_detach(&sw->pt, ep)) {
			console_debug(sw->con, 022, "%02u", port);
			if (sw->port_event)
				sw->port_event(sw, port, false);
		}
		log_debug("port %u: endpoint %d closed", port, ep->id);
	}
	ep->ops->close(ep);
	txq_free(&ep->q);
	ep->next = sw->graveyard;
	sw->graveyard = ep;
	if (!sw->reap_timer)
		sw->reap_timer = loop_add_timer(sw->loop, 1000, ep_reap_cb, sw);
	if (sw->reap_timer < 0) {
		sw->reap_timer = 0;
		ep_reap_cb(sw->loop, sw);
	}
}

/**
 * ep_close_id() - port/epclose: close endpoint @id of @port.
 * Return: 0 or ENXIO.
 */
int ep_close_id(struct sw *sw, unsigned port, int id)
{
	struct endpoint *ep;

	if (port >= sw->pt.nslots)
		return ENXIO;
	for (ep = sw->pt.v[port].eps; ep; ep = ep->next)
		if (ep->id == id) {
			ep_close(ep);
			return 0;
		}
	return ENXIO;
}

/**
 * ep_trim_queues() - free the transmit ring of every endpoint whose queue is
 * empty and made no progress for SW_TXQ_IDLE_NS (called from the periodic
 * gc timer, so a ring is freed at most once per tick and RSS goes back down
 * after a burst to slow receivers: 64 rings of up to SW_TXQ_BYTES each).
 */
void ep_trim_queues(struct sw *sw, uint64_t now)
{
	struct endpoint *ep;

	for (ep = sw->eps; ep; ep = ep->all_next)
		if (ep->attached && !ep->q.frames && now - ep->last_progress >= SW_TXQ_IDLE_NS)
			txq_trim(&ep->q);
}

/**
 * ep_core_init() - allocate the receive batch of the data path.
 * Return: 0, or -1 with errno ENOMEM.
 */
int ep_core_init(struct sw *sw)
{
	sw->rx.slot = SW_RXSLOT;
	sw->rx.max = EP_BATCH;
	sw->rx.buf = malloc((size_t)EP_BATCH * SW_RXSLOT);
	sw->altbuf = malloc((size_t)EP_BATCH * FWD_SUPER_ALT_SIZE);
	sw->segbuf = malloc(SW_SEGBUF);
	sw->fwd.emit_vnet = ep_emit_vnet;
	if (!sw->rx.buf || !sw->altbuf || !sw->segbuf) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/**
 * ep_core_cleanup() - close every endpoint, stop the data path's timers
 * and free its buffers. Safe on a switch whose data path never started.
 */
void ep_core_cleanup(struct sw *sw)
{
	while (sw->eps)
		ep_close(sw->eps);
	if (sw->reap_timer > 0)
		loop_del_timer(sw->loop, sw->reap_timer);
	sw->reap_timer = 0;
	if (sw->resume_timer > 0)
		loop_del_timer(sw->loop, sw->resume_timer);
	sw->resume_timer = 0;
	ep_reap_cb(sw->loop, sw);
	free(sw->rx.buf);
	free(sw->altbuf);
	free(sw->segbuf);
	sw->rx.buf = sw->altbuf = sw->segbuf = NULL;
}
