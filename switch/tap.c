// SPDX-License-Identifier: GPL-2.0-or-later
/* switch/tap.c - tun/tap I/O for vde_switch -t IF endpoints
 *
 * The tun fd is non-blocking: a read returns one whole frame or EAGAIN; a
 * write sends one frame (the kernel never queues on the write side, it
 * drops, so EAGAIN is rare). Frames longer than a receive slot are cut by
 * the kernel; swtap_recv() flags a slot filled to the brim as MSG_TRUNC
 * so the forwarding code counts it as oversize, like a datagram.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "switch.h"
#include "tap.h"

/**
 * swtap_open() - attach to (or create) tap @ifname
 * @ifname: interface name, 1..IFNAMSIZ-1 bytes
 *
 * Return: a non-blocking close-on-exec tun fd, or -1 with errno.
 */
int swtap_open(const char *ifname)
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

/**
 * swtap_send() - write a batch of frames to a tap
 * @fd:		tun fd
 * @msg:	frames (one iovec each, as datasock.c builds them)
 * @n:		their number
 * @errors:	incremented per frame the tap refused
 *
 * Return: frames consumed; fewer than @n only at EAGAIN.
 */
unsigned swtap_send(int fd, const struct mmsghdr *msg, unsigned n, unsigned *errors)
{
	unsigned i = 0;
	ssize_t r;

	while (i < n) {
		const struct iovec *iov = msg[i].msg_hdr.msg_iov;

		r = write(fd, iov->iov_base, iov->iov_len);
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

/**
 * swtap_recv() - read a batch of frames from a tap into the switch's
 * receive slots
 * @sw:	switch (rxbuf, rxmsg)
 * @fd:	tun fd
 *
 * Return: frames read, 0 if none, -1 with errno if the tap is gone.
 */
int swtap_recv(struct sw *sw, int fd)
{
	int i = 0;
	ssize_t r;

	while (i < SW_BATCH) {
		r = read(fd, sw->rxbuf + (size_t)i * SW_RXSLOT, SW_RXSLOT);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || i > 0)
				break;
			return -1;
		}
		sw->rxmsg[i].msg_len = (unsigned)r;
		sw->rxmsg[i].msg_hdr.msg_flags = (size_t)r >= SW_RXSLOT ? MSG_TRUNC : 0;
		i++;
	}
	return i;
}
