// SPDX-License-Identifier: LGPL-2.1-or-later
/* lib/vdeplug/mod_vxlan.c - vxlan:// module: an RFC 7348 VXLAN tunnel endpoint
 *
 * Theory of operation (interoperates with Linux kernel vxlan devices)
 *
 *  - One receiving socket bound to the VXLAN port (4789 unless /port=) on
 *    /local= or any address; in group mode it joins ADDR (on /if=). Its fd
 *    is the connection's data fd.
 *  - VX_NSRC sending sockets bound to kernel-chosen ports: a frame leaves
 *    from the one its inner flow hashes to (vxlan_flow_hash()), so the
 *    outer source port varies per flow as the kernel's does (ECMP entropy)
 *    and stays fixed within a flow (no reordering). Multicast loop is off:
 *    we never hear our own floods.
 *  - Receive: header and frame are read with one recvmsg() straight into
 *    the caller's buffer. A packet with a short header, a wrong flag or
 *    reserved bit, another VNI, no or a runt inner frame, or one larger
 *    than the buffer (or /mtu=) is counted and skipped; vde_recv() then
 *    reports EAGAIN, never 0. A good frame teaches the VTEP table that its
 *    source MAC lives behind the sender's IP (vxlan.c: learning, aging).
 *  - Send: a destination MAC the table knows goes to that VTEP only; any
 *    other frame (broadcast, multicast, unknown unicast) is flooded: to the
 *    group in group mode, and to every unicast VTEP of ADDR and /remote=
 *    (head-end replication, as the kernel's all-zero FDB entries do).
 *    Errors (EMSGSIZE past the underlay's limits, ENOBUFS) are counted
 *    drops; the frame is reported sent, as a lossy wire would.
 *  - Counters: at close to $VDEPLUG_STATS (stats.h).
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "ether.h"
#include "mod.h"
#include "vxsock.h"

#define VX_NSRC		8	/* source ports per VTEP */
#define VX_TABLE	4096	/* MAC entries */
#define VX_RXSKIP	64	/* bad packets skipped per vde_recv() */

struct vxl_conn {
	int rxfd;
	int txfd[VX_NSRC];
	uint8_t hdr[VXLAN_HDRLEN];
	uint32_t vni;
	uint16_t port;
	size_t maxframe;		/* 0 = the caller's buffer is the limit */
	struct sockaddr_storage flood[VNL_MAXREMOTES];
	unsigned int nflood;
	struct vxlan_table table;
	uint64_t count[VX_NCOUNT];
};

static void vxl_free(struct vxl_conn *c)
{
	size_t i;

	if (c->rxfd >= 0)
		close(c->rxfd);
	for (i = 0; i < VX_NSRC; i++)
		if (c->txfd[i] >= 0)
			close(c->txfd[i]);
	vxlan_table_free(&c->table);
	free(c);
}

static int vxl_open(VDECONN *conn, const struct vnl *v, const struct vde_open_opts *o)
{
	const struct vnl_vx *x = &v->vx;
	struct vxl_conn *c;
	unsigned int i;
	int ret;

	(void)o;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->rxfd = -1;
	for (i = 0; i < VX_NSRC; i++)
		c->txfd[i] = -1;
	c->vni = x->vni;
	c->port = (uint16_t)x->port;
	vxlan_hdr_put(c->hdr, c->vni);
	c->maxframe = x->mtu ? x->mtu + ETH_HDRLEN + VLAN_TAGLEN : 0;
	ret = vxlan_table_init(&c->table, VX_TABLE, x->expire);
	if (ret)
		goto fail;
	ret = vx_open(x, &c->rxfd, c->txfd, VX_NSRC, c->flood, &c->nflood);
	if (ret)
		goto fail;
	conn->fddata = c->rxfd;
	conn->fdctl = -1;
	conn->u.priv = c;
	return 0;
fail:
	vxl_free(c);
	return ret;
}

static ssize_t vxl_recv(VDECONN *conn, void *buf, size_t len)
{
	struct vxl_conn *c = conn->u.priv;
	uint8_t hdr[VXLAN_HDRLEN];
	struct sockaddr_storage from;
	struct iovec iov[2] = { { hdr, sizeof(hdr) }, { buf, len } };
	struct msghdr msg = { .msg_name = &from, .msg_iov = iov, .msg_iovlen = 2 };
	struct vxlan_addr a;
	enum vxlan_rx why;
	int flags = 0;
	unsigned int i;
	ssize_t n;

	for (i = 0; i < VX_RXSKIP; i++) {
		msg.msg_namelen = sizeof(from);
		msg.msg_flags = 0;
		n = recvmsg(c->rxfd, &msg, flags | MSG_TRUNC);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		flags = MSG_DONTWAIT;
		n = (ssize_t)vx_rx_frame(c->count, hdr, (size_t)n, msg.msg_flags, len,
					 c->maxframe, c->vni, &why);
		if (why == VXLAN_RX_EMPTY)
			c->count[VX_RX_RUNT]++;	/* no frame at all */
		if (n == 0)
			continue;
		vx_addr_of(&from, false, &a);
		vxlan_learn(&c->table, (const uint8_t *)buf + ETH_ALEN_, &a, vx_now());
		return n;
	}
	errno = EAGAIN;
	return -1;
}

static int vxl_sendto(struct vxl_conn *c, int fd, struct msghdr *msg)
{
	ssize_t n;

	do
		n = sendmsg(fd, msg, 0);
	while (n < 0 && errno == EINTR);
	if (n >= 0)
		return 0;
	vx_tx_error(c->count);
	return -1;
}

static ssize_t vxl_send(VDECONN *conn, const void *buf, size_t len)
{
	struct vxl_conn *c = conn->u.priv;
	struct iovec iov[2] = { { c->hdr, VXLAN_HDRLEN }, { (void *)buf, len } };
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };
	const struct vxlan_addr *dst;
	struct sockaddr_storage ss;
	unsigned int i, ok = 0;
	int fd;

	if (!vx_tx_ok(c->count, len, c->maxframe))
		return (ssize_t)len;
	fd = c->txfd[vxlan_flow_hash(buf, len) % VX_NSRC];
	dst = vxlan_lookup(&c->table, buf, vx_now());
	if (dst) {
		vx_sockaddr_of(dst, c->port, &ss);
		msg.msg_name = &ss;
		msg.msg_namelen = vx_salen(&ss);
		if (vxl_sendto(c, fd, &msg) == 0) {
			c->count[VX_TX_UNICAST]++;
			ok = 1;
		}
	} else {
		for (i = 0; i < c->nflood; i++) {
			msg.msg_name = &c->flood[i];
			msg.msg_namelen = vx_salen(&c->flood[i]);
			if (vxl_sendto(c, fd, &msg) == 0)
				ok++;
		}
		if (ok)
			c->count[VX_TX_FLOOD]++;
	}
	if (ok)
		c->count[VX_TX]++;
	return (ssize_t)len;
}

static void vxl_close(VDECONN *conn)
{
	struct vxl_conn *c = conn->u.priv;

	if (c) {
		vx_report("vxlan", c->count, &c->table);
		vxl_free(c);
	}
	conn->u.priv = NULL;
	conn->fddata = -1;
}

const struct vde_module vdeplug_mod_vxlan = {
	.name = "vxlan",
	.open = vxl_open,
	.recv = vxl_recv,
	.send = vxl_send,
	.close = vxl_close,
};
