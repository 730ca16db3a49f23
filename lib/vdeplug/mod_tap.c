// SPDX-License-Identifier: LGPL-2.1-or-later
/* lib/vdeplug/mod_tap.c - tap:// module: a Linux tap interface
 *
 * tap://IFNAME opens /dev/net/tun and attaches to IFNAME with
 * IFF_TAP | IFF_NO_PI: a persistent tap of that name is attached, otherwise
 * a transient one is created (it disappears when the connection closes).
 * Each read() of the tun fd is one Ethernet frame, each write() sends one,
 * so the data fd is the tun fd itself and there is no control fd. Frames
 * are as long as the interface MTU allows (up to VDE_ETHBUFSIZE, 9234).
 *
 * Errors of vde_open() keep the kernel's errno: ENOENT (no /dev/net/tun),
 * EPERM (no CAP_NET_ADMIN), EBUSY (the tap is attached by someone else),
 * EINVAL (IFNAME is an interface but not a tap). When the interface is
 * deleted under us the fd goes bad (EBADFD): vde_recv() then returns 0,
 * the library's "peer gone". Frames sent while the interface is down are
 * refused by the kernel with EIO, which vde_send() passes on.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "mod.h"

static int tap_open(VDECONN *conn, const struct vnl *v, const struct vde_open_opts *o)
{
	struct ifreq ifr;
	int fd, err = 0;

	(void)o;
	if (strlen(v->path) >= sizeof(ifr.ifr_name))
		return -ENAMETOOLONG;
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	memcpy(ifr.ifr_name, v->path, strlen(v->path));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		err = -errno;
		close(fd);
		goto out;
	}
	conn->fddata = fd;
	conn->fdctl = -1;
out:
	return err;
}

static ssize_t tap_recv(VDECONN *conn, void *buf, size_t len)
{
	ssize_t r = read(conn->fddata, buf, len);

	if (r < 0 && errno == EBADFD)
		return 0;		/* interface deleted */
	return r;
}

static ssize_t tap_send(VDECONN *conn, const void *buf, size_t len)
{
	return write(conn->fddata, buf, len);
}

static void tap_close(VDECONN *conn)
{
	if (conn->fddata >= 0)
		close(conn->fddata);
	conn->fddata = -1;
}

const struct vde_module vdeplug_mod_tap = {
	.name = "tap",
	.open = tap_open,
	.recv = tap_recv,
	.send = tap_send,
	.close = tap_close,
};
