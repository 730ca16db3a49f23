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
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "switch.h"
#include "endpoint.h"
#include "ep_tap.h"

/* Open /dev/net/tun non-blocking and attach to (or create) tap @ifname.
 * Returns the fd, or -1 with errno. */
static int tap_open(const char *ifname)
{
	struct ifreq ifr;
	size_t len = strlen(ifname);
	int fd, e;

	if (len == 0 || len >= sizeof(ifr.ifr_name)) {
		errno = len ? ENAMETOOLONG : EINVAL;
		return -1;
	}
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	memcpy(ifr.ifr_name, ifname, len);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int tap_rx(struct endpoint *ep, struct ep_rxbatch *b)
{
	unsigned i = 0;
	ssize_t r;

	while (i < b->max) {
		r = read(ep->fd, b->buf + (size_t)i * b->slot, b->slot);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || i > 0)
				break;
			log_warn("tap %s: %s, endpoint closed", ep->descr,
				 errno == EBADFD ? "interface deleted" : strerror(errno));
			return -1;
		}
		b->len[i++] = (uint32_t)r;
	}
	return (int)i;
}

static unsigned tap_tx(struct endpoint *ep, const struct iovec *iov, unsigned n,
		       unsigned *errors)
{
	unsigned i = 0;
	ssize_t r;

	while (i < n) {
		r = write(ep->fd, iov[i].iov_base, iov[i].iov_len);
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

/**
 * ep_tap_add() - see ep_tap.h
 */
int ep_tap_add(struct sw *sw, const char *ifname)
{
	struct ctl_request req = { .version = 3, .type = CTL_REQ_NEW_CONTROL };
	struct endpoint *ep;
	unsigned port;
	int r, ret = -1;

	ep = ep_new(sw, &tap_ops, 0);
	if (!ep)
		return -1;
	ep->fd = tap_open(ifname);
	if (ep->fd < 0)
		goto out;
	ep->id = fcntl(ep->fd, F_DUPFD_CLOEXEC, 0);
	if (ep->id < 0)
		goto out;
	r = port_select(&sw->pt, &req, ep->user, NULL, &port);
	if (r) {
		errno = r;
		goto out;
	}
	ep->port = port;
	snprintf(ep->descr, sizeof(ep->descr), "%s", ifname);
	if (loop_add_fd(sw->loop, ep->fd, EPOLLIN, ep_fd_cb, ep) < 0)
		goto out;
	ep_attach(ep);
	log_debug("port %u: tap %s", port, ifname);
	ret = 0;
out:
	if (ret < 0) {
		r = errno;
		ep_close(ep);
		errno = r;
	}
	return ret;
}
