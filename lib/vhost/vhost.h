/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/vhost/vhost.h - vhost-user network backend core (internal)
 *
 * One struct vhost_dev is one virtio-net device whose front end (QEMU)
 * connects over a UNIX stream socket. The core speaks the vhost-user
 * protocol on that socket (features, memory table, vring set-up, stop),
 * maps the guest's memory and moves frames between the guest's rings and
 * the caller's buffers. It knows nothing of libvdeplug or the switch: an
 * endpoint (lib/vdeplug/mod_vhost.c, later a switch port) accepts the
 * connection, hands the socket over with vhost_dev_attach(), polls
 * vhost_dev_fd() and asks for batches:
 *
 *	fd = vhost_listen(path);  c = accept4(fd, ...);  vhost_dev_attach(d, c);
 *	poll(vhost_dev_fd(d)) -> vhost_dev_poll(d) < 0 ? log(vhost_dev_error(d)), detach
 *	n = vhost_dev_recv(d, pkts, N);    frames the guest sent
 *	n = vhost_dev_send(d, pkts, N);    frames for the guest
 *
 * Frames carry offload metadata as a struct virtio_net_hdr in host order
 * (flags NEEDS_CSUM/DATA_VALID, gso_type, gso_size, hdr_len, csum_*):
 * a guest with TSO sends super-frames up to 64 KiB; the endpoint decides
 * whether to pass them on whole or cut them (lib/common/vnet.c). The core
 * never blocks for long (a message's tail: 1 s at most), never exits and
 * never prints: a guest that breaks the protocol or its rings makes
 * vhost_dev_poll/recv/send return -1 with the reason in vhost_dev_error().
 * Single-threaded; one connection at a time.
 */
#ifndef VDEKIT_VHOST_H
#define VDEKIT_VHOST_H

#include <linux/virtio_net.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

/* Virtio and vhost-user feature bits (virtio 1.x 5.1.3, vhost-user spec). */
#define VIRTIO_NET_F_CSUM_		0
#define VIRTIO_NET_F_GUEST_CSUM_	1
#define VIRTIO_NET_F_GUEST_TSO4_	7
#define VIRTIO_NET_F_GUEST_TSO6_	8
#define VIRTIO_NET_F_HOST_TSO4_		11
#define VIRTIO_NET_F_HOST_TSO6_		12
#define VIRTIO_NET_F_MRG_RXBUF_		15
#define VIRTIO_F_ANY_LAYOUT_		27
#define VHOST_USER_F_PROTOCOL_FEATURES	30
#define VIRTIO_F_VERSION_1_		32

#define VHOST_USER_PROTOCOL_F_REPLY_ACK	3

/* What a plain endpoint offers: the guest may send TSO super-frames and
 * partial checksums (the endpoint finishes them), receives plain frames. */
#define VHOST_FEATURES_PLAIN ((1ULL << VIRTIO_NET_F_CSUM_) | (1ULL << VIRTIO_NET_F_HOST_TSO4_) | \
	(1ULL << VIRTIO_NET_F_HOST_TSO6_) | (1ULL << VIRTIO_NET_F_MRG_RXBUF_) | \
	(1ULL << VIRTIO_F_ANY_LAYOUT_) | (1ULL << VHOST_USER_F_PROTOCOL_FEATURES) | \
	(1ULL << VIRTIO_F_VERSION_1_))
/* ... and one that also takes super-frames towards the guest. */
#define VHOST_FEATURES_OFFLOAD (VHOST_FEATURES_PLAIN | (1ULL << VIRTIO_NET_F_GUEST_CSUM_) | \
	(1ULL << VIRTIO_NET_F_GUEST_TSO4_) | (1ULL << VIRTIO_NET_F_GUEST_TSO6_))

#define VHOST_MAX_PKT	(65535 + 14 + 4)	/* largest frame, vlan tag included */
#define VHOST_RX	0			/* queue the guest receives on */
#define VHOST_TX	1			/* queue the guest sends on */

/* The end of a frame left in a guest's memory (vhost_dev_recv_hold()):
 * @len bytes from offset @off of the buffers @iov[0..n). */
struct vhost_tail {
	const struct iovec *iov;
	unsigned int n;
	size_t off, len;
};

struct vhost_pkt {
	struct virtio_net_hdr vh;	/* offload metadata, host order */
	uint8_t *data;			/* frame bytes (recv: caller's buffer) */
	size_t size;			/* recv: buffer size */
	size_t len;			/* frame length */
	/* send: the last tail.len bytes of the frame (0: none) are at tail,
	 * the first len - tail.len at data; recv_hold: set the same way */
	struct vhost_tail tail;
};

struct vhost_stats {
	uint64_t rx_frames, rx_bytes;	/* guest -> us */
	uint64_t tx_frames, tx_bytes;	/* us -> guest */
	uint64_t rx_drops;		/* too long for the caller's buffer, bad header */
	uint64_t tx_drops;		/* no guest buffers (or ring not running) */
	uint64_t connects, disconnects;
};

struct vhost_dev;

/* Listening socket at @path (a stale socket file is replaced; a live one
 * is EADDRINUSE), mode @mode. fd, or -1 with errno. */
int vhost_listen(const char *path, mode_t mode);

/* New device offering @features (VHOST_FEATURES_*). NULL + errno. */
struct vhost_dev *vhost_dev_new(uint64_t features);
void vhost_dev_free(struct vhost_dev *d);
/* Longest wait for the rest of a message whose start arrived, in all
 * (default 1000 ms; the switch and the fuzz harness use 0). */
void vhost_dev_set_tail_ms(struct vhost_dev *d, int ms);

/* Take connected socket @fd (made non-blocking here); the device owns it.
 * 0, or -1 with errno EBUSY if a front end is attached. */
int vhost_dev_attach(struct vhost_dev *d, int fd);
/* Drop the front end: close its socket and eventfds, unmap its memory. */
void vhost_dev_detach(struct vhost_dev *d);
bool vhost_dev_attached(const struct vhost_dev *d);

/* One fd (epoll) that is readable when vhost_dev_poll() or
 * vhost_dev_recv() has work: protocol messages, guest kicks, frames left
 * in the transmit ring by a batch that was full. Stable for the device's
 * life. */
int vhost_dev_fd(const struct vhost_dev *d);
/* Handle pending protocol messages. 0, or -1: detach (see _error()). */
int vhost_dev_poll(struct vhost_dev *d);
/* Up to @n frames from the guest into @p[i].data (size @p[i].size).
 * Count (0: none), or -1: detach. */
int vhost_dev_recv(struct vhost_dev *d, struct vhost_pkt *p, unsigned int n);
/* Like vhost_dev_recv(), but of a frame longer than @whole (>= @head)
 * only the first @head bytes are copied to @p[i].data: the rest stays in the guest's
 * memory, described by @p[i].tail (p[i].len is the whole length), and its
 * buffers are not given back to the guest until vhost_dev_release(). So a
 * frame can go on to another device (vhost_dev_send/xmit with the tail)
 * with one copy. The guest may change those bytes meanwhile: use them
 * only as opaque payload (copy, then check what must be checked). At most
 * VHOST_HOLD frames are held; beyond, frames are copied whole. Call
 * nothing else on this device before vhost_dev_release(). */
#define VHOST_HOLD	64
int vhost_dev_recv_hold(struct vhost_dev *d, struct vhost_pkt *p, unsigned int n, size_t head,
			size_t whole);
/* Give the held buffers back to the guest (their tails are invalid now). */
void vhost_dev_release(struct vhost_dev *d);
/* @n frames to the guest; those without room are dropped and counted.
 * Count delivered, or -1: detach. */
int vhost_dev_send(struct vhost_dev *d, const struct vhost_pkt *p, unsigned int n);
/* Like vhost_dev_send(), but stops at the first frame that finds no
 * room in the guest's receive ring: that one and those after it are left
 * to the caller (not dropped, not counted). A frame longer than
 * VHOST_MAX_PKT, or one that could never fit the guest's buffers (more
 * than VRING_MAXSEG of them, or one short buffer without MRG_RXBUF), is
 * dropped, counted and taken. Count taken, or -1. */
int vhost_dev_xmit(struct vhost_dev *d, const struct vhost_pkt *p, unsigned int n);
/* What makes vhost_dev_fd() readable besides protocol messages: @frames,
 * guest transmit kicks and frames left in the ring (default on; off while
 * the caller does not read, so that a kick does not keep the fd readable);
 * @room, guest receive kicks (default off): the guest posted receive
 * buffers. A guest kicks after posting buffers (we never set
 * VRING_USED_F_NO_NOTIFY and do not offer EVENT_IDX). */
void vhost_dev_want(struct vhost_dev *d, bool frames, bool room);
/* Consume a receive kick; true if the guest's receive ring has buffers
 * (or the ring does not run: vhost_dev_xmit() would not wait then). */
bool vhost_dev_room(struct vhost_dev *d);
/* Both queues are running (the guest's link is up). */
bool vhost_dev_running(const struct vhost_dev *d);
/* Features agreed with the front end (valid once running). */
uint64_t vhost_dev_features(const struct vhost_dev *d);

const char *vhost_dev_error(const struct vhost_dev *d);
const struct vhost_stats *vhost_dev_stats(const struct vhost_dev *d);

#endif
