// SPDX-License-Identifier: GPL-2.0-or-later
/* switch/ep_tap.c - endpoint kind "tuntap": vde_switch -t IF
 *
 * The tun fd is non-blocking: a read returns one whole frame or EAGAIN; a
 * write sends one frame (the kernel never queues on the write side, it
 * drops, so EAGAIN is rare). Frames longer than a receive slot are cut by
 * the kernel; a slot filled to the brim is reported as the slot size, so
 * the core counts it as oversize, like a datagram. A read error other than
 * EAGAIN (EBADFD once the interface was deleted) ends the endpoint. This
 * file only does I/O: batching, queues and drop counting are the core's
 * (endpoint.h).
 *
 * Offloads: a tap the switch creates (not a persistent one, whose settings
 * would outlive us and surprise its next user; not with --no-offload) is
 * opened with IFF_VNET_HDR, a 10-byte virtio_net_hdr (TUNSETVNETHDRSZ) and
 * TUNSETOFFLOAD(CSUM, TSO4, TSO6): the stack behind it then sends TCP
 * super-frames of up to 64 KiB and leaves checksums to complete. Such an
 * endpoint is EP_CAP_VNET: each read()/write() is a readv()/writev() of
 * header and frame, and the core decides where super-frames must be cut.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "switch.h"
#include "endpoint.h"
#include "ep_tap.h"
#include "vnet.h"

#define TAP_OFFLOADS	(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)

/* Open /dev/net/tun non-blocking and attach to (or create) tap @ifname,
 * with offloads if @offload and the tap does not exist yet (*vnet tells).
 * Returns the fd, or -1 with errno. */
static int tap_open(const char *ifname, bool offload, bool *vnet)
{
	struct ifreq ifr;
	size_t len = strlen(ifname);
	int fd, e, hdrsz = (int)VNET_HDR_LEN;

	if (len == 0 || len >= sizeof(ifr.ifr_name)) {
		errno = len ? ENAMETOOLONG : EINVAL;
		return -1;
	}
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	*vnet = offload && if_nametoindex(ifname) == 0;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (*vnet ? IFF_VNET_HDR : 0);
	memcpy(ifr.ifr_name, ifname, len);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0 ||
	    (*vnet && ioctl(fd, TUNSETVNETHDRSZ, &hdrsz) < 0)) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	if (*vnet && ioctl(fd, TUNSETOFFLOAD, (unsigned long)TAP_OFFLOADS) < 0)
		log_debug("tap %s: no offloads: %s", ifname, strerror(errno));
	return fd;
}

/* A read error other than EAGAIN: the endpoint ends (-1) unless frames
 * were read before it (they are returned first). */
static int tap_rx_error(struct endpoint *ep, unsigned i)
{
	if (errno == EAGAIN || errno == EWOULDBLOCK || i > 0)
		return (int)i;
	log_warn("tap %s: %s, endpoint closed", ep->descr,
		 errno == EBADFD ? "interface deleted" : strerror(errno));
	return -1;
}

/* Read frames into the batch; with @vnet, each behind its virtio_net_hdr
 * (into b->vh[i]), until the batch holds EP_RX_BYTES. */
static int tap_read(struct endpoint *ep, struct ep_rxbatch *b, bool vnet)
{
	unsigned i = 0;
	size_t bytes = 0, hl = vnet ? VNET_HDR_LEN : 0;
	ssize_t r;

	while (i < b->max && (!vnet || bytes < EP_RX_BYTES)) {
		struct iovec iov[2] = {
			{ &b->vh[i], VNET_HDR_LEN },
			{ b->buf + (size_t)i * b->slot, b->slot },
		};

		r = vnet ? readv(ep->fd, iov, 2) : read(ep->fd, iov[1].iov_base, b->slot);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return tap_rx_error(ep, i);
		if ((size_t)r < hl)	/* not from a tap: ignore */
			continue;
		b->len[i] = (uint32_t)((size_t)r - hl);
		bytes += b->len[i++];
	}
	return (int)i;
}

static int tap_rx(struct endpoint *ep, struct ep_rxbatch *b)
{
	return tap_read(ep, b, false);
}

static int tap_rx_vnet(struct endpoint *ep, struct ep_rxbatch *b)
{
	return tap_read(ep, b, true);
}

/* Write frames, each behind its vh[i] if @vh is set. */
static unsigned tap_write(struct endpoint *ep, const struct iovec *iov,
			  const struct virtio_net_hdr *vh, unsigned n, unsigned *errors)
{
	unsigned i = 0;
	ssize_t r;

	while (i < n) {
		struct iovec v[2] = { { (void *)(vh ? &vh[i] : NULL), VNET_HDR_LEN }, iov[i] };

		r = vh ? writev(ep->fd, v, 2) : write(ep->fd, iov[i].iov_base, iov[i].iov_len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (r < 0)
			(*errors)++;
		i++;
	}
	return i;
}

static unsigned tap_tx(struct endpoint *ep, const struct iovec *iov, unsigned n,
		       unsigned *errors)
{
	return tap_write(ep, iov, NULL, n, errors);
}

static unsigned tap_tx_vnet(struct endpoint *ep, const struct iovec *iov,
			    const struct virtio_net_hdr *vh, unsigned n, unsigned *errors)
{
	return tap_write(ep, iov, vh, n, errors);
}

static void tap_close(struct endpoint *ep)
{
	if (ep->fd >= 0) {
		loop_del_fd(ep->sw->loop, ep->fd);
		close(ep->fd);
		ep->fd = -1;
	}
	if (ep->id >= 0) {
		close(ep->id);
		ep->id = -1;
	}
}

static const struct ep_ops tap_ops = {
	.kind = "tuntap",
	.rx = tap_rx,
	.tx = tap_tx,
	.want = ep_want_fd,
	.close = tap_close,
};

static const struct ep_ops tap_vnet_ops = {
	.kind = "tuntap",
	.caps = EP_CAP_VNET,
	.rx = tap_rx_vnet,
	.tx_vnet = tap_tx_vnet,
	.want = ep_want_fd,
	.close = tap_close,
};

/**
 * ep_tap_add() - see ep_tap.h
 */
int ep_tap_add(struct sw *sw, const char *ifname)
{
	struct endpoint *ep;
	bool vnet = false;
	int fd, r;

	fd = tap_open(ifname, !sw->no_offload, &vnet);
	if (fd < 0)
		return -1;
	ep = ep_new(sw, vnet ? &tap_vnet_ops : &tap_ops, 0);
	if (!ep) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	ep->fd = fd;
	if (loop_add_fd(sw->loop, ep->fd, EPOLLIN, ep_fd_cb, ep) < 0) {
		r = errno;
		ep_close(ep);
		errno = r;
		return -1;
	}
	if (ep_attach_any(ep, ep->fd, ifname) < 0)
		return -1;
	log_debug("port %u: tap %s%s", ep->port, ifname, vnet ? " (offloads)" : "");
	return 0;
}
