// SPDX-License-Identifier: GPL-2.0-or-later
/* switch/ep_vxlan.c - endpoint kind "vxlan": vde_switch --vxlan VNL
 *
 * A VXLAN tunnel endpoint (RFC 7348) as one switch port, so the frames of
 * the segment go from a tap or a client to the wire inside the switch's
 * one process: no vde_plug in between, and syscalls in batches.
 *
 * Theory of operation
 *
 *  - Sockets and semantics are those of vxlan:// (lib/vdeplug/mod_vxlan.c,
 *    vde_vxlan(7)), shared through vxsock.c (vx_open()) and the pure core
 *    vxlan.c: one receiving socket on the VXLAN port, VX_NSRC sending
 *    sockets on kernel-chosen ports; a frame leaves from the socket its
 *    inner flow hashes to, so a flow keeps one outer source port and
 *    flows spread over several (the kernel's ECMP entropy). A destination
 *    MAC the table knows goes to that VTEP, any other frame to the group
 *    or to every unicast remote (head-end replication). Good received
 *    frames teach the table (learning, aging).
 *  - Receive: the socket asks for UDP GRO (UDP_GRO), so one datagram may
 *    carry several packets of one size (the UDP_GRO cmsg gives it; the
 *    last may be shorter). One recvmmsg() reads up to VXE_NRX datagrams
 *    into private 64 KiB buffers; rx() cuts them into packets, checks each
 *    header (vx_rx_frame(): wrong flags, wrong VNI, short header, runt or
 *    missing inner frame, oversize are counted here and never reach the
 *    core) and copies the frame into the core's slot. Packets left over
 *    when the batch is full stay pending: the fd callback calls
 *    ep_input() again until none are (they need no syscall), and a
 *    paused endpoint that is resumed with some pending gets a zero-delay
 *    timer, since its socket may stay silent.
 *  - Offloads (EP_CAP_VNET): rx() cuts up to VXE_LOOK good frames ahead
 *    (pointers into the datagrams, kept until delivered) and merges the
 *    run of consecutive segments of one TCP flow at their head whose
 *    checksums are correct (vnet_coalesce() of lib/common/vnet.c, which
 *    decides what may be merged) into one super-frame with its
 *    virtio-net header, so a tap takes one write per run; any other
 *    frame goes up plain, with a zeroed header. The batch ends at
 *    EP_RX_BYTES. tx_vnet() cuts a super-frame from a tap into wire
 *    frames (vnet_segment(): exact headers and checksums, each at most
 *    MSS + headers) and completes a NEEDS_CSUM frame (on a copy), then
 *    sends the wire frames of a pass (up to VXE_WIRE frames, VXE_CUTBUF
 *    bytes) the way tx() does, so the segments of a super-frame leave
 *    from its flow's socket as one UDP GSO run of equal-size segments.
 *    A super-frame whose first segments left when the socket filled up
 *    counts as taken: the rest are counted lost (TCP resends them), never
 *    sent twice. The wire sees only RFC 7348 packets.
 *  - Transmit: tx() groups consecutive frames that leave from the same
 *    socket to the same unicast VTEP and have the same length (the last
 *    may be shorter; udpgso_run() of lib/common/udpgso.c) into one UDP GSO
 *    message (UDP_SEGMENT = 8 + frame length: each segment is a VXLAN
 *    header and a frame, iovecs straight into the core's frames); flooded
 *    frames are one message per remote.
 *    The messages of a run of frames with one socket go out in one
 *    sendmmsg(MSG_DONTWAIT). EAGAIN: tx() returns the frames taken so far
 *    and the core queues the rest; the socket that was full is polled for
 *    EPOLLOUT (want()). A GSO message the kernel refuses (EIO: no GSO on
 *    the route; EMSGSIZE or EINVAL: a segment above the underlay MTU) is
 *    resent one frame per datagram (IP fragments those); after EIO GSO
 *    stays off, after EMSGSIZE frames of that length or longer are not
 *    grouped any more. Other errors are counted: each datagram refused in
 *    tx_err, each frame lost in *errors (senderr of the port): a unicast
 *    frame refused, a flooded one none of whose copies left.
 *  - Counters: port/stats prints the vxlan:// counters (same names as
 *    $VDEPLUG_STATS) plus learned/moved, the syscall figures and the
 *    super-frames merged and cut (rx_merged, tx_cut, their segments) and
 *    the times a sending socket was full (tx_full).
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ether.h"
#include "log.h"
#include "loop.h"
#include "switch.h"
#include "endpoint.h"
#include "ep_vxlan.h"
#include "udpgso.h"
#include "vnet.h"
#include "vnl.h"
#include "vxsock.h"

#ifndef UDP_GRO
#define UDP_GRO		104
#endif

#define VXE_NSRC	8		/* sending sockets (source ports) */
#define VXE_TABLE	4096		/* MAC entries */
#define VXE_NRX		32		/* datagrams per recvmmsg() */
#define VXE_RXBUF	(65536 + 512)	/* one datagram, GRO-merged or not */
#define VXE_GSO_SEGS	64		/* UDP_MAX_SEGMENTS of older kernels */
#define VXE_GSO_BYTES	65000		/* UDP payload of one GSO message */
#define VXE_NMSG	64		/* messages per sendmmsg() */
#define VXE_LOOK	64		/* frames cut ahead for merging */
#define VXE_WIRE	SW_SEG_MAX	/* wire frames per send pass */
#define VXE_CUTBUF	SW_SEG_ROOM	/* bytes of cut segments per pass */

/* what a transmit message carries */
struct vxe_mi {
	unsigned first, nfr;		/* frames first .. first + nfr - 1 */
	bool flood;			/* one copy of a flooded frame */
	unsigned copy;			/* which copy */
};

struct vxe_tx {
	struct iovec iov[2 * VXE_WIRE];	/* header, frame, header, frame... */
	struct sockaddr_storage dst[VXE_WIRE];
	int sock[VXE_WIRE];		/* sending socket index, -1: refused */
	bool flood[VXE_WIRE];
	bool sent[VXE_WIRE];
	bool err[VXE_WIRE];		/* refused, counted in *errors */
	uint32_t key[VXE_WIRE];		/* socket and VTEP: equal keys may share */
	unsigned dfirst[VXE_WIRE];	/* first frame of each distinct VTEP */
	unsigned nd;
	/* tx_vnet(): wire frames of the pass, and which input frame each
	 * super-frame or frame became */
	struct iovec wire[VXE_WIRE];
	uint8_t *cut;			/* VXE_CUTBUF bytes */
	size_t cutlen[VXE_WIRE];
	unsigned wend[EP_BATCH];	/* input frame i: wire frames < wend[i] */
	struct mmsghdr mm[VXE_NMSG];
	struct vxe_mi mi[VXE_NMSG];
	union udpgso_cmsg cm[VXE_NMSG];
};

struct vxe_rx {
	uint8_t *buf;			/* VXE_NRX x VXE_RXBUF */
	struct mmsghdr mm[VXE_NRX];
	struct iovec iov[VXE_NRX];
	struct sockaddr_storage from[VXE_NRX];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cm[VXE_NRX];
	size_t seg[VXE_NRX];		/* segment size of each datagram */
	unsigned n, cur;		/* datagrams read, the one being cut */
	size_t off;			/* next packet's offset in it */
	struct vnet_frame look[VXE_LOOK];	/* frames cut, not yet delivered */
	unsigned nlook;
};

enum vxe_stat {
	VXE_RXCALLS, VXE_RXDGRAMS, VXE_TXCALLS, VXE_GSOMSGS,
	VXE_MERGED, VXE_MERGED_SEGS, VXE_CUT, VXE_CUT_SEGS, VXE_CUT_LOST, VXE_CUT_BAD,
	VXE_FULL,
	VXE_NSTAT
};

static const char *const vxe_stat_names[VXE_NSTAT] = {
	"rx_calls", "rx_datagrams", "tx_calls", "tx_gso",
	"rx_merged", "rx_merged_segs", "tx_cut", "tx_cut_segs", "tx_cut_lost", "tx_cut_bad",
	"tx_full",
};

struct vxe {
	int rxfd;
	int txfd[VXE_NSRC];
	uint8_t hdr[VXLAN_HDRLEN];
	uint32_t vni;
	uint16_t port;
	size_t maxframe;		/* 0: FWD_FRAME_MAX */
	struct sockaddr_storage flood[VNL_MAXREMOTES];
	unsigned nflood;
	struct vxlan_table table;
	uint64_t count[VX_NCOUNT];
	uint64_t stat[VXE_NSTAT];
	bool gso, gro;
	size_t gso_limit;		/* frames this long or longer: no GSO */
	int blocked;			/* sending socket that was full, or -1 */
	int armed;			/* sending socket polled for EPOLLOUT, or -1 */
	long timer;			/* drain of pending packets, 0 = none */
	struct vxe_rx *rx;
	struct vxe_tx *tx;
};

/* ------------------------------------------------------------------ */
/* receive */

static bool vxe_pending(const struct vxe *v)
{
	return v->rx->nlook || v->rx->cur < v->rx->n;
}

/* packets of the datagrams read not yet cut */
static bool vxe_uncut(const struct vxe *v)
{
	return v->rx->cur < v->rx->n;
}

/* Read up to VXE_NRX datagrams. Their segment sizes from the GRO cmsg. */
static void vxe_read(struct vxe *v)
{
	struct vxe_rx *q = v->rx;
	struct cmsghdr *c;
	unsigned i;
	int r, seg;

	for (i = 0; i < VXE_NRX; i++) {
		q->iov[i].iov_base = q->buf + (size_t)i * VXE_RXBUF;
		q->iov[i].iov_len = VXE_RXBUF;
		q->mm[i].msg_hdr = (struct msghdr){
			.msg_name = &q->from[i], .msg_namelen = sizeof(q->from[i]),
			.msg_iov = &q->iov[i], .msg_iovlen = 1,
			.msg_control = q->cm[i].buf, .msg_controllen = sizeof(q->cm[i].buf),
		};
		q->mm[i].msg_len = 0;
	}
	do
		r = recvmmsg(v->rxfd, q->mm, VXE_NRX, MSG_DONTWAIT, NULL);
	while (r < 0 && errno == EINTR);
	v->stat[VXE_RXCALLS]++;
	q->n = r > 0 ? (unsigned)r : 0;
	q->cur = 0;
	q->off = 0;
	v->stat[VXE_RXDGRAMS] += q->n;
	for (i = 0; i < q->n; i++) {
		q->seg[i] = q->mm[i].msg_len;
		for (c = CMSG_FIRSTHDR(&q->mm[i].msg_hdr); c;
		     c = CMSG_NXTHDR(&q->mm[i].msg_hdr, c)) {
			if (c->cmsg_level != SOL_UDP || c->cmsg_type != UDP_GRO ||
			    c->cmsg_len < CMSG_LEN(sizeof(int)))
				continue;
			memcpy(&seg, CMSG_DATA(c), sizeof(seg));
			if (seg > 0)
				q->seg[i] = (size_t)seg;
		}
	}
}

/* Cut the next packet of the current datagram; a good frame goes to the
 * look-ahead list (pointing into the datagram: kept until every frame of
 * the list is delivered, no read happens before). */
static void vxe_cut(struct vxe *v, uint64_t now)
{
	struct vxe_rx *q = v->rx;
	struct mmsghdr *m = &q->mm[q->cur];
	const uint8_t *pkt = (const uint8_t *)q->iov[q->cur].iov_base + q->off;
	size_t total = m->msg_len, n, flen;
	struct vxlan_addr a;
	enum vxlan_rx why;

	if (m->msg_hdr.msg_flags & MSG_TRUNC) {
		/* larger than any datagram we take: one drop */
		v->count[VX_RX_BIG]++;
		q->off = total;
		n = 0;
		flen = 0;
	} else {
		n = total - q->off;
		if (n > q->seg[q->cur])
			n = q->seg[q->cur];
		flen = vx_rx_frame(v->count, pkt, n, 0, FWD_FRAME_MAX, v->maxframe, v->vni,
				   &why);
		if (why == VXLAN_RX_EMPTY)
			v->count[VX_RX_RUNT]++;	/* a header, no frame at all */
		q->off += n;
	}
	/* the next packet: of this datagram, or the next one (an empty
	 * datagram is one packet of 0 bytes) */
	if (q->off >= total || n == 0) {
		q->cur++;
		q->off = 0;
	}
	if (!flen)
		return;
	q->look[q->nlook++] = (struct vnet_frame){ pkt + VXLAN_HDRLEN, flen };
	vx_addr_of(&q->from[m - q->mm], false, &a);
	vxlan_learn(&v->table, pkt + VXLAN_HDRLEN + ETH_ALEN_, &a, now);
}

/* Receive: frames of the datagrams read, consecutive segments of one TCP
 * flow with good checksums (vnet_coalesce()) merged into one super-frame
 * with its virtio-net header, the rest plain (a zeroed header). Stops at
 * EP_RX_BYTES. */
static int vxe_rx(struct endpoint *ep, struct ep_rxbatch *b)
{
	struct vxe *v = ep->priv;
	struct vxe_rx *q = v->rx;
	uint64_t now = vx_now();
	size_t bytes = 0, len;
	unsigned i = 0, used;
	uint8_t *slot;

	if (!vxe_pending(v))
		vxe_read(v);
	while (i < b->max && bytes < EP_RX_BYTES) {
		while (q->nlook < VXE_LOOK && vxe_uncut(v))
			vxe_cut(v, now);
		if (!q->nlook)
			break;
		slot = b->buf + (size_t)i * b->slot;
		len = vnet_coalesce(q->look, q->nlook, &used, slot, b->slot, &b->vh[i]);
		if (len) {
			v->stat[VXE_MERGED]++;
			v->stat[VXE_MERGED_SEGS] += used;
		} else {
			len = q->look[0].len;	/* <= FWD_FRAME_MAX < b->slot */
			memcpy(slot, q->look[0].data, len);
			memset(&b->vh[i], 0, sizeof(b->vh[i]));
			used = 1;
		}
		b->len[i++] = (uint32_t)len;
		bytes += len;
		q->nlook -= used;
		memmove(q->look, q->look + used, q->nlook * sizeof(q->look[0]));
	}
	return (int)i;
}

/* deliver what is pending, unless the core paused us or closed us */
static void vxe_drain(struct endpoint *ep)
{
	struct vxe *v = ep->priv;

	while (!ep->closed && !ep->paused && vxe_pending(v))
		ep_input(ep);
}

static void vxe_rx_cb(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct endpoint *ep = arg;

	(void)l;
	(void)fd;
	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
		ep_input(ep);
		vxe_drain(ep);
	}
}

static uint64_t vxe_timer_cb(struct loop *l, void *arg)
{
	struct endpoint *ep = arg;
	struct vxe *v = ep->priv;

	(void)l;
	v->timer = 0;
	vxe_drain(ep);
	return LOOP_NOMORE;
}

static void vxe_tx_cb(struct loop *l, int fd, uint32_t events, void *arg)
{
	(void)l;
	(void)fd;
	if (events & (EPOLLOUT | EPOLLERR))
		ep_output(arg);
}

/* ------------------------------------------------------------------ */
/* transmit */

/* a small number for frame @j's VTEP, the same for frames to the same one
 * in this tx() call */
static uint32_t vxe_dst_id(struct vxe_tx *t, unsigned j)
{
	unsigned i;

	for (i = 0; i < t->nd; i++)
		if (!memcmp(&t->dst[t->dfirst[i]], &t->dst[j], sizeof(t->dst[j])))
			return i;
	t->dfirst[t->nd] = j;
	return t->nd++;
}

/* Resend the frames of GSO message @k one per datagram. Return: false on
 * EAGAIN at frame *@stop (not taken). */
static bool vxe_send_each(struct vxe *v, int fd, unsigned k, unsigned *errors, unsigned *stop)
{
	struct vxe_tx *t = v->tx;
	struct msghdr *h = &t->mm[k].msg_hdr;
	struct msghdr one = { .msg_name = h->msg_name, .msg_namelen = h->msg_namelen,
			      .msg_iovlen = 2 };
	unsigned j;
	ssize_t r;

	for (j = t->mi[k].first; j < t->mi[k].first + t->mi[k].nfr; j++) {
		one.msg_iov = &t->iov[2 * j];
		do
			r = sendmsg(fd, &one, MSG_DONTWAIT);
		while (r < 0 && errno == EINTR);
		v->stat[VXE_TXCALLS]++;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			*stop = j;
			return false;
		}
		if (r < 0) {
			vx_tx_error(v->count);
			(*errors)++;
			t->err[j] = true;
		} else {
			t->sent[j] = true;
		}
	}
	return true;
}

/* Build the messages of the run of frames from @j that use sending socket
 * t->sock[j]. Return: messages built; *@next is the first frame after. */
static unsigned vxe_build(struct vxe *v, unsigned j, unsigned n, const struct iovec *iov,
			  unsigned *next)
{
	struct vxe_tx *t = v->tx;
	int s = t->sock[j];
	unsigned nm = 0, k, c;

	while (j < n && t->sock[j] == s) {
		if (t->flood[j]) {
			if (nm + v->nflood > VXE_NMSG)
				break;
			for (c = 0; c < v->nflood; c++, nm++) {
				t->mi[nm] = (struct vxe_mi){ j, 1, true, c };
				t->mm[nm].msg_hdr = (struct msghdr){
					.msg_name = &v->flood[c], .msg_namelen = vx_salen(&v->flood[c]),
					.msg_iov = &t->iov[2 * j], .msg_iovlen = 2,
				};
			}
			j++;
			continue;
		}
		if (nm == VXE_NMSG)
			break;
		k = j + 1;
		if (v->gso && iov[j].iov_len < v->gso_limit)
			k = j + (unsigned)udpgso_run(&iov[j], VXLAN_HDRLEN, &t->key[j], n - j,
						     VXE_GSO_SEGS, VXE_GSO_BYTES);
		t->mi[nm] = (struct vxe_mi){ j, k - j, false, 0 };
		t->mm[nm].msg_hdr = (struct msghdr){
			.msg_name = &t->dst[j], .msg_namelen = vx_salen(&t->dst[j]),
			.msg_iov = &t->iov[2 * j], .msg_iovlen = 2 * (k - j),
		};
		if (k - j > 1)
			udpgso_cmsg(&t->mm[nm].msg_hdr, &t->cm[nm], VXLAN_HDRLEN + iov[j].iov_len);
		nm++;
		j = k;
	}
	*next = j;
	return nm;
}

static void vxe_block(struct endpoint *ep, int s)
{
	struct vxe *v = ep->priv;

	if (v->armed >= 0 && v->armed != s) {
		loop_mod_fd(ep->sw->loop, v->txfd[v->armed], 0);
		v->armed = -1;
	}
	v->blocked = s;
	v->stat[VXE_FULL]++;
}

/* Send @n (<= VXE_WIRE) wire frames. Return: how many were taken (sent
 * or refused: t->err[j], counted in *@errors), fewer on EAGAIN. */
static unsigned vxe_send(struct endpoint *ep, const struct iovec *iov, unsigned n,
			 unsigned *errors)
{
	struct vxe *v = ep->priv;
	struct vxe_tx *t = v->tx;
	const struct vxlan_addr *d;
	unsigned j, k, nm, done, next, ret = n;
	uint64_t now = vx_now();
	int r, fd;

	t->nd = 0;
	for (j = 0; j < n; j++) {
		t->iov[2 * j] = (struct iovec){ v->hdr, VXLAN_HDRLEN };
		t->iov[2 * j + 1] = iov[j];
		t->sent[j] = false;
		t->err[j] = false;
		t->sock[j] = -1;
		t->key[j] = 0x80000000U | j;		/* alone, unless below */
		if (!vx_tx_ok(v->count, iov[j].iov_len, v->maxframe))
			continue;
		t->sock[j] = (int)(vxlan_flow_hash(iov[j].iov_base, iov[j].iov_len) % VXE_NSRC);
		d = vxlan_lookup(&v->table, iov[j].iov_base, now);
		t->flood[j] = !d;
		if (d) {
			vx_sockaddr_of(d, v->port, &t->dst[j]);
			t->key[j] = (uint32_t)t->sock[j] << 16 | vxe_dst_id(t, j);
		} else if (!v->nflood) {
			t->sock[j] = -1;	/* nowhere to flood: a lossy wire */
		}
	}
	j = 0;
	while (j < n) {
		if (t->sock[j] < 0) {
			j++;
			continue;
		}
		fd = v->txfd[t->sock[j]];
		nm = vxe_build(v, j, n, iov, &next);
		done = 0;
		while (done < nm) {
			r = sendmmsg(fd, t->mm + done, nm - done, MSG_DONTWAIT);
			v->stat[VXE_TXCALLS]++;
			if (r > 0) {
				for (k = done; k < done + (unsigned)r; k++) {
					unsigned f;

					for (f = t->mi[k].first; f < t->mi[k].first + t->mi[k].nfr; f++)
						t->sent[f] = true;
					if (t->mi[k].nfr > 1)
						v->stat[VXE_GSOMSGS]++;
				}
				done += (unsigned)r;
				continue;
			}
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
				vxe_block(ep, t->sock[j]);
				/* a flooded frame some copies of which left is taken */
				ret = t->mi[done].first + (t->mi[done].copy ? 1 : 0);
				goto out;
			}
			if (t->mi[done].nfr > 1 &&
			    (errno == EIO || errno == EINVAL || errno == EMSGSIZE)) {
				if (errno == EIO) {
					log_warn("vxlan %s: no UDP GSO on this route, sending one "
						 "datagram per frame", ep->descr);
					v->gso = false;
				} else {
					/* a segment above the underlay MTU: such
					 * frames go one per datagram (IP fragments) */
					v->gso_limit = t->iov[2 * t->mi[done].first + 1].iov_len;
				}
				if (!vxe_send_each(v, fd, done, errors, &ret)) {
					vxe_block(ep, t->sock[j]);
					goto out;
				}
			} else {
				unsigned f;

				for (f = 0; f < t->mi[done].nfr; f++)
					vx_tx_error(v->count);
				if (!t->mi[done].flood) {
					*errors += t->mi[done].nfr;
					for (f = t->mi[done].first;
					     f < t->mi[done].first + t->mi[done].nfr; f++)
						t->err[f] = true;
				}
			}
			done++;
		}
		j = next;
	}
out:
	for (j = 0; j < ret; j++) {
		if (!t->sent[j]) {
			/* a flooded frame none of whose copies left is refused
			 * like a unicast one (its copies are in tx_err) */
			if (t->sock[j] >= 0 && t->flood[j] && !t->err[j]) {
				t->err[j] = true;
				(*errors)++;
			}
			continue;
		}
		v->count[VX_TX]++;
		v->count[t->flood[j] ? VX_TX_FLOOD : VX_TX_UNICAST]++;
	}
	return ret;
}

static unsigned vxe_tx(struct endpoint *ep, const struct iovec *iov, unsigned n,
		       unsigned *errors)
{
	return vxe_send(ep, iov, n, errors);	/* n <= EP_BATCH <= VXE_WIRE */
}

/* Send the pass of input frames @first .. @n - 1 (wire frames in t->wire,
 * t->wend[]). Return: input frames taken; a super-frame some segments of
 * which left is taken, its other segments counted lost. */
static unsigned vxe_pass(struct endpoint *ep, unsigned first, unsigned n, unsigned *errors)
{
	struct vxe *v = ep->priv;
	struct vxe_tx *t = v->tx;
	unsigned nw = t->wend[n - 1], werr = 0, got, i, j, a, e, bad;

	got = nw ? vxe_send(ep, t->wire, nw, &werr) : 0;
	for (i = first; i < n; i++) {
		a = i > first ? t->wend[i - 1] : 0;
		e = t->wend[i];
		if (a == e)
			continue;		/* dropped before: counted */
		if (a >= got)
			break;			/* not taken: the core keeps it */
		bad = 0;
		for (j = a; j < e && j < got; j++)
			bad += t->err[j];
		if (bad == e - a)
			(*errors)++;
		if (e > got) {
			v->stat[VXE_CUT_LOST] += e - got;
			i++;
			break;
		}
	}
	return i;
}

/* tx_vnet(): super-frames cut into wire frames (vnet_segment(): exact
 * headers and checksums, each at most MSS + headers), NEEDS_CSUM frames
 * completed, then all sent as by tx(): consecutive equal-size segments of
 * one flow to one VTEP make one UDP GSO message. */
static unsigned vxe_tx_vnet(struct endpoint *ep, const struct iovec *iov,
			    const struct virtio_net_hdr *vh, unsigned n, unsigned *errors)
{
	struct vxe *v = ep->priv;
	struct vxe_tx *t = v->tx;
	unsigned i, first = 0, nw = 0, k, ret = 0;
	size_t used = 0;
	int r;

	for (i = 0; i < n; i++) {
		const struct virtio_net_hdr *h = vh ? &vh[i] : NULL;
		bool gso = h && h->gso_type != VIRTIO_NET_HDR_GSO_NONE;
		bool csum = h && !gso && (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM);

		if (gso)
			r = vnet_segment(h, iov[i].iov_base, iov[i].iov_len, t->cut + used,
					 VXE_CUTBUF - used, t->cutlen, VXE_WIRE - nw);
		else
			r = nw < VXE_WIRE && (!csum || iov[i].iov_len <= VXE_CUTBUF - used) ? 1 : -1;
		if (r < 0 && nw) {
			/* the pass is full: send it, start the next */
			ret = vxe_pass(ep, first, i, errors);
			if (ret < i)
				goto out;
			first = i;
			nw = 0;
			used = 0;
			i--;
			continue;
		}
		if (r < 0) {
			/* the core checked it (vnet_check()): cannot happen */
			v->stat[VXE_CUT_BAD]++;
			(*errors)++;
			t->wend[i] = nw;
			continue;
		}
		if (gso) {
			for (k = 0; k < (unsigned)r; k++) {
				t->wire[nw++] = (struct iovec){ t->cut + used, t->cutlen[k] };
				used += t->cutlen[k];
			}
			v->stat[VXE_CUT]++;
			v->stat[VXE_CUT_SEGS] += (unsigned)r;
		} else if (csum) {
			memcpy(t->cut + used, iov[i].iov_base, iov[i].iov_len);
			if (vnet_finish_csum(h, t->cut + used, iov[i].iov_len) < 0) {
				v->stat[VXE_CUT_BAD]++;
				(*errors)++;
				t->wend[i] = nw;
				continue;
			}
			t->wire[nw++] = (struct iovec){ t->cut + used, iov[i].iov_len };
			used += iov[i].iov_len;
		} else {
			t->wire[nw++] = iov[i];
		}
		t->wend[i] = nw;
	}
	ret = n ? vxe_pass(ep, first, n, errors) : 0;
out:
	return ret;
}

static int vxe_want(struct endpoint *ep, bool rx, bool tx)
{
	struct vxe *v = ep->priv;
	struct loop *l = ep->sw->loop;
	int ret = loop_mod_fd(l, v->rxfd, rx ? EPOLLIN : 0);

	if (tx) {
		if (v->blocked < 0)
			v->blocked = 0;
		if (v->armed != v->blocked) {
			if (v->armed >= 0)
				loop_mod_fd(l, v->txfd[v->armed], 0);
			v->armed = v->blocked;
			if (loop_mod_fd(l, v->txfd[v->armed], EPOLLOUT) < 0)
				ret = -1;
		}
	} else if (v->armed >= 0) {
		loop_mod_fd(l, v->txfd[v->armed], 0);
		v->armed = -1;
		v->blocked = -1;
	}
	if (rx && !v->timer && vxe_pending(v)) {
		v->timer = loop_add_timer(l, 0, vxe_timer_cb, ep);
		if (v->timer < 0)
			v->timer = 0;
	}
	return ret;
}

/* ------------------------------------------------------------------ */
/* life */

static void vxe_counters(const struct endpoint *ep, FILE *out)
{
	const struct vxe *v = ep->priv;
	unsigned i;

	for (i = 0; i < VX_NCOUNT; i++)
		if (i != VX_RX_SELF && i != VX_RX_BYE)	/* vxvde:// only */
			fprintf(out, " %s %llu", vx_counter_name(i),
				(unsigned long long)v->count[i]);
	fprintf(out, " learned %llu moved %llu", (unsigned long long)v->table.learned,
		(unsigned long long)v->table.moved);
	for (i = 0; i < VXE_NSTAT; i++)
		fprintf(out, " %s %llu", vxe_stat_names[i], (unsigned long long)v->stat[i]);
	fprintf(out, " gso %s gro %s", v->gso ? "on" : "off", v->gro ? "on" : "off");
}

static void vxe_close(struct endpoint *ep)
{
	struct vxe *v = ep->priv;
	unsigned i;

	if (v->timer)
		loop_del_timer(ep->sw->loop, v->timer);
	v->timer = 0;
	if (v->rxfd >= 0) {
		loop_del_fd(ep->sw->loop, v->rxfd);
		close(v->rxfd);
	}
	v->rxfd = -1;
	for (i = 0; i < VXE_NSRC; i++) {
		if (v->txfd[i] >= 0) {
			loop_del_fd(ep->sw->loop, v->txfd[i]);
			close(v->txfd[i]);
		}
		v->txfd[i] = -1;
	}
	if (ep->id >= 0)
		close(ep->id);
	ep->id = -1;
	vxlan_table_free(&v->table);
	if (v->rx)
		free(v->rx->buf);
	if (v->tx)
		free(v->tx->cut);
	free(v->rx);
	free(v->tx);
	v->rx = NULL;
	v->tx = NULL;
}

static const struct ep_ops vxe_ops = {
	.kind = "vxlan",
	.caps = EP_CAP_VNET,
	.rx = vxe_rx,
	.tx = vxe_tx,
	.tx_vnet = vxe_tx_vnet,
	.want = vxe_want,
	.close = vxe_close,
	.counters = vxe_counters,
};

/* the fds, buffers and table of @ep's VTEP for @x. 0 or -errno. */
static int vxe_open(struct endpoint *ep, const struct vnl_vx *x)
{
	struct vxe *v = ep->priv;
	int one = 1, ret;
	unsigned i;

	v->vni = x->vni;
	v->port = (uint16_t)x->port;
	vxlan_hdr_put(v->hdr, v->vni);
	v->maxframe = x->mtu ? x->mtu + ETH_HDRLEN + VLAN_TAGLEN : 0;
	v->rx = calloc(1, sizeof(*v->rx));
	v->tx = calloc(1, sizeof(*v->tx));
	if (!v->rx || !v->tx)
		return -ENOMEM;
	v->rx->buf = malloc((size_t)VXE_NRX * VXE_RXBUF);
	v->tx->cut = malloc(VXE_CUTBUF);
	if (!v->rx->buf || !v->tx->cut)
		return -ENOMEM;
	ret = vxlan_table_init(&v->table, VXE_TABLE, x->expire);
	if (ret)
		return ret;
	ret = vx_open(x, &v->rxfd, v->txfd, VXE_NSRC, v->flood, &v->nflood);
	if (ret)
		return ret;
	v->gro = !setsockopt(v->rxfd, SOL_UDP, UDP_GRO, &one, sizeof(one));
	v->gso = true;		/* off after the first EIO */
	v->gso_limit = SIZE_MAX;
	if (loop_add_fd(ep->sw->loop, v->rxfd, EPOLLIN, vxe_rx_cb, ep) < 0)
		return -errno;
	for (i = 0; i < VXE_NSRC; i++)
		if (loop_add_fd(ep->sw->loop, v->txfd[i], 0, vxe_tx_cb, ep) < 0) {
			ret = -errno;
			close(v->txfd[i]);	/* not registered: close() skips it */
			v->txfd[i] = -1;
			return ret;
		}
	return 0;
}

/**
 * ep_vxlan_add() - see ep_vxlan.h
 */
int ep_vxlan_add(struct sw *sw, const char *vnl)
{
	struct endpoint *ep;
	struct vxe *v;
	struct vnl *p;
	unsigned i;
	int r, ret = -1;

	p = malloc(sizeof(*p));
	ep = ep_new(sw, &vxe_ops, sizeof(struct vxe));
	if (!p || !ep) {
		free(p);
		if (ep)
			ep_close(ep);
		errno = ENOMEM;
		return -1;
	}
	v = ep->priv;
	v->rxfd = -1;
	v->blocked = v->armed = -1;
	for (i = 0; i < VXE_NSRC; i++)
		v->txfd[i] = -1;
	r = vnl_parse(vnl, p);
	if (r == 0 && p->kind != VNL_VXLAN)
		r = -EPROTONOSUPPORT;
	if (r == 0)
		r = vxe_open(ep, &p->vx);
	if (r) {
		ep_close(ep);
		errno = -r;
		goto out;
	}
	ret = ep_attach_any(ep, v->rxfd, vnl);
	if (ret == 0)
		log_debug("port %u: vxlan %s (gro %s)", ep->port, vnl, v->gro ? "on" : "off");
out:
	free(p);
	return ret;
}
