/* SPDX-License-Identifier: GPL-2.0-or-later */
/* switch/endpoint.h - one interface for every kind of switch endpoint
 *
 * A port (port.h) has zero or more endpoints; an endpoint is one attached
 * peer: a datagram socket of a VDE client (ep_dgram.c), a tap interface
 * (ep_tap.c), a client of our library on shared-memory rings (ep_ring.c),
 * a vhost-user guest (ep_vhost.c), a VXLAN tunnel (ep_vxlan.c). The
 * forwarding core (forward.c) sees only ports; epcore.c, the data path
 * shell, sees only endpoints and their ops table. A kind is one file that
 * fills a struct ep_ops and nothing else of the core changes.
 *
 * Contract between epcore.c (the core) and a kind:
 *
 * Ownership. The core owns struct endpoint, its transmit batch and its
 * bounded transmit queue (txq.h), the receive buffers, the port link and
 * every counter of frames it sees (port counters, struct sw_drops, mirror
 * drops). A kind owns its fds, files and private state (ep->priv, sized by
 * ep_new()); it reports what it could not do through the return values
 * below, so each drop of a frame is counted once, by the core. A kind
 * counts only what the core never sees (a malformed ring descriptor, a
 * vhost-user protocol error), in its private state, and shows it through
 * ops->counters() (port/stats prints one line per such endpoint).
 *
 * Life. The kind calls ep_new(), opens its fds and registers them with the
 * loop (lib/common/loop.h), then ep_attach_port() or ep_attach_any()
 * chooses its port and links it there through ep_attach() (from then on it
 * receives frames); HACKING.md, "Add an endpoint kind", is the recipe. ep_close() may be called at any time
 * by anybody (console port/epclose, a dead peer, switch exit): it unlinks
 * the endpoint, calls ops->close() once, and frees the struct after the
 * current loop iteration, so a callback may still read *ep after closing
 * it (ep->closed is then true) but must not use it otherwise.
 *
 * Fds. A kind registers its fds itself with loop_add_fd(), for input
 * (the core assumes EPOLLIN until it calls ops->want()). A kind with one
 * data fd (datagram socket, tap) sets ep->fd, registers it with the core's
 * ep_fd_cb (EPOLLIN -> ep_input(), EPOLLOUT -> ep_output()) and uses
 * ep_want_fd as ops->want. A kind with several fds (vhost-user: the unix
 * socket and kick eventfds; ring: an eventfd) registers its own callbacks
 * and calls ep_input() when frames may be waiting and ep_output() when the
 * peer can take frames again; ep->fd may stay -1.
 *
 * Receive. ep_input() calls ops->rx() with the core's receive batch: at
 * most b->max frames, each copied into its slot b->buf + i * b->slot (the
 * core never points into memory the peer can change: shared memory is
 * copied, then checked). b->len[i] is the frame's length; a frame longer
 * than the slot is reported as b->slot (counted oversize), an empty one as
 * 0 (counted). rx() returns the frames filled, 0 if none now, -1 (errno)
 * when the endpoint is dead: the core then closes it (the kind logs why).
 * A slot holds FWD_SUPER_MAX + 1 bytes; a frame of a kind without
 * EP_CAP_VNET longer than FWD_FRAME_MAX is counted oversize.
 *
 * Transmit. The core batches frames per endpoint during a receive batch
 * and calls ops->tx() with at most EP_BATCH frames (valid only during the
 * call: a kind that cannot send now must not keep pointers). tx() returns
 * how many it took: sent, or refused by a hard error (then also counted in
 * *errors, the core counts them as senderr). Fewer than n means "peer
 * full": the core copies the rest into the endpoint's queue, asks for
 * output readiness through ops->want(), and calls tx() again from
 * ep_output(). Queueing, back-pressure (pausing the ingress endpoints that
 * feed a congested queue, through ops->want(rx = false)) and queue-full
 * drops are the core's alone. ops->flush(), if set, is called once after
 * each tx() burst (a ring kicks its peer's eventfd there, once).
 *
 * Frames the core hands to tx() are wire frames of at most FWD_FRAME_MAX
 * bytes (tx_vnet() may get super-frames: see Offloads).
 *
 * Offloads (EP_CAP_VNET). A kind whose peer speaks virtio-net headers (a
 * tap opened with IFF_VNET_HDR, a vhost-user guest, a ring of our
 * libvdeplug) sets EP_CAP_VNET in ops->caps and then:
 *  - in rx(), fills b->vh[i] for every frame it returns: the peer's
 *    struct virtio_net_hdr (a zeroed one for a plain frame), 10 bytes in
 *    host byte order: a kind whose peer has a longer or little-endian
 *    header (vhost-user: 12 bytes with num_buffers, __virtio16 fields)
 *    copies and converts it, and sets num_buffers itself on tx. A TCP
 *    super-frame (gso_type TCPV4/TCPV6, gso_size = MSS) may be up to
 *    FWD_SUPER_MAX bytes; a frame may be NEEDS_CSUM (csum_start,
 *    csum_offset: the L4 checksum holds the pseudo-header sum only). The
 *    core checks the header against the bytes (vnet_check(): the flags,
 *    the offsets, a well-formed TCP frame whose segments fit), so a
 *    hostile peer's header costs a counted drop (oversize), nothing more.
 *    It stops filling once the batch holds EP_RX_BYTES: 64 super-frames
 *    would keep 4 MiB from the receivers while they are read (latency);
 *  - provides ops->tx_vnet() instead of tx(): the same contract, with
 *    vh[i] the metadata of iov[i] (zeroed: a wire frame, e.g. one that
 *    came from a datagram client). A super-frame arrives whole, with
 *    metadata consistent with its bytes (csum_start moved by a VLAN tag
 *    the core inserted or removed); the kind gives both to its peer.
 * A super-frame or NEEDS_CSUM frame going to an endpoint without
 * EP_CAP_VNET, or to any endpoint of a mirror monitor port, is made into
 * wire frames by the core (vnet_segment(), vnet_finish_csum() of
 * lib/common/vnet.c): exact headers and checksums, each at most MSS +
 * headers. So a kind without EP_CAP_VNET never sees metadata. The core
 * counts per port the super-frames received whole (super in), sent whole
 * (super out), cut (cut) and checksums completed (csum): port/stats.
 *
 * Tails (EP_CAP_TAIL, vhost-user): a frame from one guest to another would
 * be copied twice, into the slot and out of it. A kind with EP_CAP_TAIL
 * may copy only the first EP_TAIL_HEAD bytes (at least; all of a shorter
 * frame) of a long frame into its slot and describe the rest in
 * b->tail[i] (pointers into the peer's memory, checked against its memory
 * table; len 0 for a whole frame), keeping that memory until the core
 * calls ops->rx_done() at the end of the receive batch. Every check and
 * decision of the core reads only the head (copied, so safe from the
 * peer); the tail is opaque payload. The core fills the slot from the tail
 * (one copy, as without tails) as soon as anything but a tx_tail() of
 * an EP_CAP_VNET endpoint would read it: an observer (capture, plugin),
 * a VLAN tag to insert or strip on some port, a tagged frame, a mirror
 * monitor, an endpoint without tx_tail(). tx_tail() copies head and tail
 * straight to its own peer, so a super-frame from guest to guest is copied
 * once; a frame that must wait in a queue is copied into it from head
 * and tail (twice in all; three times without tails).
 */
#ifndef VDEKIT_SWITCH_ENDPOINT_H
#define VDEKIT_SWITCH_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <linux/virtio_net.h>

#include "ctlreq.h"
#include "txq.h"

#define EP_BATCH	64		/* frames per rx() / tx() call */
#define EP_RX_BYTES	(256U << 10)	/* an EP_CAP_VNET kind's rx() stops there */

struct loop;
struct sw;
struct endpoint;

#define EP_TAIL_HEAD	256	/* bytes of a frame an EP_CAP_TAIL kind copies at least */
#define EP_TAIL_MAXIOV	64	/* most buffers of a tail */

/* The end of a received frame left in the peer's memory (EP_CAP_TAIL):
 * @len bytes (0: none) from offset @off of the buffers @iov[0..n). */
struct ep_tail {
	const struct iovec *iov;
	unsigned n;
	size_t off, len;
};

/* The receive batch a kind fills (see the contract above). */
struct ep_rxbatch {
	uint8_t *buf;			/* max slots of slot bytes each */
	size_t slot;
	unsigned max;
	uint32_t len[EP_BATCH];
	struct virtio_net_hdr vh[EP_BATCH];	/* EP_CAP_VNET kinds only */
	struct ep_tail tail[EP_BATCH];		/* EP_CAP_TAIL kinds only */
	unsigned ntail;			/* the core's: frames whose tails count */
};

enum ep_caps {
	EP_CAP_VNET = 1U << 0,		/* frames carry virtio-net headers */
	EP_CAP_TAIL = 1U << 1,		/* rx() may leave tails (see Tails) */
};

struct ep_ops {
	const char *kind;		/* "module" column of port/print */
	unsigned caps;			/* enum ep_caps */
	int (*rx)(struct endpoint *ep, struct ep_rxbatch *b);
	unsigned (*tx)(struct endpoint *ep, const struct iovec *iov, unsigned n,
		       unsigned *errors);
	/* tx_vnet() - tx() of an EP_CAP_VNET kind: @vh[i] is iov[i]'s header */
	unsigned (*tx_vnet)(struct endpoint *ep, const struct iovec *iov,
			    const struct virtio_net_hdr *vh, unsigned n, unsigned *errors);
	/* tx_tail() - tx_vnet() that also takes frames whose end is still in
	 * another peer's memory (see Tails): iov[i] is the whole frame, but
	 * if @tail (NULL: none) has tail[i] with len > 0, only its first
	 * iov_len - tail[i]->len bytes are at iov_base, the rest at the tail.
	 * May be NULL: such a kind never sees a tail. */
	unsigned (*tx_tail)(struct endpoint *ep, const struct iovec *iov,
			    const struct virtio_net_hdr *vh, const struct ep_tail *const *tail,
			    unsigned n, unsigned *errors);
	/* rx_done() - EP_CAP_TAIL: the tails of the last rx() are no longer
	 * used (the peer may have its buffers back). */
	void (*rx_done)(struct endpoint *ep);
	void (*flush)(struct endpoint *ep);	/* may be NULL */
	/* want() - the core's interest changed: receive unless paused, be
	 * told when the peer can take frames while the queue holds some.
	 * 0, or -1 (the core retries on the next change). */
	int (*want)(struct endpoint *ep, bool rx, bool tx);
	/* close() - unregister and close the kind's fds, remove its files,
	 * free what priv points to (not priv itself). Called once. */
	void (*close)(struct endpoint *ep);
	/* counters() - may be NULL: print the kind's own counters as
	 * " name value" pairs (no newline). */
	void (*counters)(const struct endpoint *ep, FILE *out);
};

struct endpoint {
	/* set before ep_attach(): by ep_attach_port() or by the kind (id:
	 * before ep_attach_port(); ep_attach_any() sets it) */
	unsigned port;
	uid_t user;			/* PORT_NOUSER: none */
	bool port0;			/* on the management port 0 */
	int id;				/* ID of port/print and port/epclose */
	int fd;				/* data fd polled through ep_fd_cb, or -1 */
	char descr[CTL_DESCR_MAX + 1];
	void *priv;			/* the kind's state (ep_new's priv_size) */

	/* the core's (epcore.c) */
	const struct ep_ops *ops;
	struct sw *sw;
	struct endpoint *next;		/* sibling on the same port (port.c) */
	struct endpoint *all_next;	/* every endpoint of the switch */
	bool attached;			/* linked to its port */
	bool closed;			/* ep_close() done, freed soon */
	bool paused;			/* not read: back-pressure */
	struct endpoint *paused_next;
	bool dirty;			/* has a batch to flush */
	struct endpoint *dirty_next;
	uint32_t events;		/* last want(): EPOLLIN | EPOLLOUT */
	uint64_t last_progress;		/* last time its queue drained */
	struct txq q;
	unsigned nbatch;		/* frames batched for tx() */
	struct iovec iov[EP_BATCH];
	struct virtio_net_hdr vh[EP_BATCH];	/* their metadata (EP_CAP_VNET) */
	const struct ep_tail *tail[EP_BATCH];	/* their tails (tx_tail kinds) */
};

/* ---- for the kinds ---- */

/**
 * ep_new() - a detached endpoint of kind @ops with @priv_size bytes of
 * zeroed private state at ep->priv. id and fd are -1, user PORT_NOUSER.
 * Return: the endpoint, or NULL (ENOMEM).
 */
struct endpoint *ep_new(struct sw *sw, const struct ep_ops *ops, size_t priv_size);

/* ep_attach() - link @ep to port ep->port: it now receives frames. */
void ep_attach(struct endpoint *ep);

/* ep_attach_port() - a port of its own (@want, or 0: any free one) for a
 * switch-local endpoint whose ep->id is set, then ep_attach(). 0, or -1
 * (errno) with @ep closed. */
int ep_attach_port(struct endpoint *ep, unsigned want, const char *descr);

/* ep_attach_any() - ep_attach_port() to any free port; ep->id is a
 * duplicate of @idfd. 0, or -1 (errno) with @ep closed. */
int ep_attach_any(struct endpoint *ep, int idfd, const char *descr);

/* ep_input() - read and forward one receive batch. Return: frames read. */
int ep_input(struct endpoint *ep);

/* ep_output() - the peer can take frames: send what is queued. */
void ep_output(struct endpoint *ep);

/* ep_close() - close @ep (attached or not); see "Life" above. */
void ep_close(struct endpoint *ep);

/* ep_tail_fill() - for a tx_tail() that needs the whole of frame @iov
 * (tail @t) in its slot after all: copy the tail there. */
void ep_tail_fill(struct sw *sw, const struct iovec *iov, const struct ep_tail *t);

/* ep_fd_cb() / ep_want_fd() - the loop callback (arg: the endpoint) and
 * the want() of a kind with one data fd, ep->fd. */
void ep_fd_cb(struct loop *l, int fd, uint32_t events, void *arg);
int ep_want_fd(struct endpoint *ep, bool rx, bool tx);

/* ---- for the rest of the switch ---- */

/* ep_core_init() - receive buffers of the data path. 0 or -1 (ENOMEM). */
int ep_core_init(struct sw *sw);

/* ep_core_cleanup() - close every endpoint, free the buffers and timers. */
void ep_core_cleanup(struct sw *sw);

/* ep_emit() - forward_frame()'s emit callback (@arg: the switch);
 * ep_emit_vnet() the same with offload metadata (forward_frame_vnet()),
 * set by ep_core_init() as sw->fwd.emit_vnet. */
void ep_emit(void *arg, unsigned port, const uint8_t *frame, size_t len);
void ep_emit_vnet(void *arg, unsigned port, const uint8_t *frame, size_t len,
		  const struct virtio_net_hdr *vh);

/* ep_send_now() - send one frame (a BPDU) to every endpoint of @port now,
 * or queue a copy behind what is queued. */
void ep_send_now(struct sw *sw, unsigned port, const uint8_t *frame, size_t len);

/* ep_close_id() - port/epclose: close endpoint @id of @port. 0 or ENXIO. */
int ep_close_id(struct sw *sw, unsigned port, int id);

/* ep_trim_queues() - free the rings of queues idle for SW_TXQ_IDLE_NS. */
void ep_trim_queues(struct sw *sw, uint64_t now);

#endif
