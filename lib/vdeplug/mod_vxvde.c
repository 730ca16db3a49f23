// SPDX-License-Identifier: LGPL-2.1-or-later
/* lib/vdeplug/mod_vxvde.c - vxvde:// module: vdeplug4's distributed network
 *
 * Theory of operation (the wire behaviour of vdeplug4's libvdeplug_vxvde,
 * learnt from its public source and checked against Debian's plugin)
 *
 *  - Every member of a vxvde network is a VXLAN endpoint (8-byte header,
 *    flags 0x08, 24-bit VNI, default 1) on a multicast group (default
 *    239.0.0.1, or ff05:56de::1) and port (default 14789). Several
 *    processes on one host join the same network: each binds its own
 *    group socket to GROUP:PORT with SO_REUSEADDR (as vdeplug4 does, so our
 *    sockets and Debian's share the port) and receives its own copy.
 *  - Each member also has a unicast socket on a kernel-chosen port. All
 *    its frames leave from there: floods to the group, and frames for a
 *    known MAC straight to the member that sent it (address and port
 *    learnt from received frames, aged after /expire= seconds, default 128).
 *  - Multicast loop is on (members on the same host must hear each other),
 *    so a member hears its own floods: a group packet from our unicast port
 *    and a local address is ours and skipped (counted as "self").
 *  - Leaving: a header-only packet to the group; members forget the MACs
 *    they learnt behind the sender.
 *  - Bad packets are counted and skipped as in vxlan:// (mod_vxlan.c).
 *
 * The data fd is an epoll fd over the two sockets.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "ether.h"
#include "mod.h"
#include "vxsock.h"

#define VXV_TABLE	4096
#define VXV_RXSKIP	64
#define VXV_NSELF	4	/* our own addresses remembered */

struct vxv_conn {
	int fd[2];			/* group socket, unicast socket */
	int epfd;
	uint16_t uniport;
	uint8_t hdr[VXLAN_HDRLEN];
	uint32_t vni;
	size_t maxframe;
	struct sockaddr_storage group;
	struct vxlan_addr self[VXV_NSELF];
	unsigned int nself, selfnext;
	unsigned int next;		/* the socket to read first */
	struct vxlan_table table;
	uint64_t count[VX_NCOUNT];
};

static void vxv_free(struct vxv_conn *c)
{
	if (c->fd[0] >= 0)
		close(c->fd[0]);
	if (c->fd[1] >= 0)
		close(c->fd[1]);
	if (c->epfd >= 0)
		close(c->epfd);
	vxlan_table_free(&c->table);
	free(c);
}

static int vxv_open(VDECONN *conn, const struct vnl *v, const struct vde_open_opts *o)
{
	const struct vnl_vx *x = &v->vx;
	struct sockaddr_storage ss;
	struct vxv_conn *c;
	unsigned int ifindex, i;
	socklen_t sl;
	int ret, one = 1;

	(void)o;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->fd[0] = c->fd[1] = c->epfd = -1;
	c->vni = x->vni;
	vxlan_hdr_put(c->hdr, c->vni);
	c->maxframe = x->mtu ? x->mtu + ETH_HDRLEN + VLAN_TAGLEN : 0;
	ret = vxlan_table_init(&c->table, VXV_TABLE, x->expire);
	if (!ret)
		ret = vx_ifindex(x, &ifindex);
	if (!ret)
		ret = vx_sockaddr(x->family, x->addr[0], (uint16_t)x->port, &c->group, &sl);
	if (ret)
		goto fail;
	for (i = 0; i < 2; i++) {
		c->fd[i] = vx_socket(x->family);
		if (c->fd[i] < 0) {
			ret = -errno;
			goto fail;
		}
	}
	if (setsockopt(c->fd[0], SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(c->fd[0], (struct sockaddr *)&c->group, sl)) {
		ret = -errno;
		goto fail;
	}
	ret = vx_join(c->fd[0], &c->group, ifindex, x);
	if (!ret)
		ret = vx_sockaddr(x->family, x->local, 0, &ss, &sl);
	if (ret)
		goto fail;
	if (bind(c->fd[1], (struct sockaddr *)&ss, sl)) {
		ret = -errno;
		goto fail;
	}
	ret = vx_txopts(c->fd[1], x->family, ifindex, x, true);
	if (ret)
		goto fail;
	sl = sizeof(ss);
	if (getsockname(c->fd[1], (struct sockaddr *)&ss, &sl)) {
		ret = -errno;
		goto fail;
	}
	c->uniport = ss.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&ss)->sin_port) :
		     ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	c->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (c->epfd < 0) {
		ret = -errno;
		goto fail;
	}
	for (i = 0; i < 2; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = i };

		if (epoll_ctl(c->epfd, EPOLL_CTL_ADD, c->fd[i], &ev)) {
			ret = -errno;
			goto fail;
		}
	}
	conn->fddata = c->epfd;
	conn->fdctl = -1;
	conn->u.priv = c;
	return 0;
fail:
	vxv_free(c);
	return ret;
}

/* A group packet from our unicast port: is its source one of our addresses? */
static bool vxv_self(struct vxv_conn *c, const struct sockaddr_storage *from,
		     const struct vxlan_addr *a)
{
	unsigned int i;

	if (a->port != c->uniport)
		return false;
	for (i = 0; i < c->nself; i++)
		if (vxlan_addr_eq(&c->self[i], a))
			return true;
	if (!vx_is_local(from))
		return false;
	c->self[c->selfnext++ % VXV_NSELF] = *a;
	if (c->nself < VXV_NSELF)
		c->nself++;
	return true;
}

/* One packet from socket @k. Return: frame length, 0 = skipped, -1 errno. */
static ssize_t vxv_one(struct vxv_conn *c, unsigned int k, void *buf, size_t len)
{
	uint8_t hdr[VXLAN_HDRLEN];
	struct sockaddr_storage from;
	struct iovec iov[2] = { { hdr, sizeof(hdr) }, { buf, len } };
	struct msghdr msg = { .msg_name = &from, .msg_namelen = sizeof(from),
			      .msg_iov = iov, .msg_iovlen = 2 };
	struct vxlan_addr a;
	enum vxlan_rx why;
	ssize_t n;

	do
		n = recvmsg(c->fd[k], &msg, MSG_DONTWAIT | MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	vx_addr_of(&from, true, &a);
	if (k == 0 && vxv_self(c, &from, &a)) {
		c->count[VX_RX_SELF]++;
		return 0;
	}
	n = (ssize_t)vx_rx_frame(c->count, hdr, (size_t)n, msg.msg_flags, len, c->maxframe,
				 c->vni, &why);
	if (why == VXLAN_RX_EMPTY) {
		vxlan_forget(&c->table, &a);	/* goodbye */
		c->count[VX_RX_BYE]++;
	}
	if (n == 0)
		return 0;
	vxlan_learn(&c->table, (const uint8_t *)buf + ETH_ALEN_, &a, vx_now());
	return n;
}

/* Blocks (like a plain socket) only when called with nothing waiting and
 * the data fd is not O_NONBLOCK (tools that drain until EAGAIN set it);
 * once a packet was consumed and skipped, an empty queue is EAGAIN. */
static ssize_t vxv_recv(VDECONN *conn, void *buf, size_t len)
{
	struct vxv_conn *c = conn->u.priv;
	unsigned int i, idle = 0;
	bool consumed = false, waited = false;
	ssize_t n;

	for (i = 0; i < VXV_RXSKIP; i++) {
		unsigned int k = c->next++ & 1;

		n = vxv_one(c, k, buf, len);
		if (n > 0)
			return n;
		if (n == 0) {
			consumed = true;
			idle = 0;
			continue;
		}
		if (errno != EAGAIN)
			return -1;
		if (++idle < 2)
			continue;	/* try the other socket */
		if (consumed || waited)
			break;
		if (fcntl(c->epfd, F_GETFL) & O_NONBLOCK)
			break;
		{
			struct epoll_event ev[2];
			int r;

			do
				r = epoll_wait(c->epfd, ev, 2, -1);
			while (r < 0 && errno == EINTR);
			if (r < 0)
				return -1;
		}
		waited = true;
		idle = 0;
	}
	errno = EAGAIN;
	return -1;
}

static ssize_t vxv_send(VDECONN *conn, const void *buf, size_t len)
{
	struct vxv_conn *c = conn->u.priv;
	struct iovec iov[2] = { { c->hdr, VXLAN_HDRLEN }, { (void *)buf, len } };
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };
	const struct vxlan_addr *dst;
	struct sockaddr_storage ss;
	ssize_t n;

	if (!vx_tx_ok(c->count, len, c->maxframe))
		return (ssize_t)len;
	dst = vxlan_lookup(&c->table, buf, vx_now());
	if (dst) {
		vx_sockaddr_of(dst, 0, &ss);
		msg.msg_name = &ss;
	} else {
		msg.msg_name = &c->group;
	}
	msg.msg_namelen = vx_salen(msg.msg_name);
	do
		n = sendmsg(c->fd[1], &msg, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		vx_tx_error(c->count);
	} else {
		c->count[VX_TX]++;
		c->count[dst ? VX_TX_UNICAST : VX_TX_FLOOD]++;
	}
	return (ssize_t)len;
}

static void vxv_close(VDECONN *conn)
{
	struct vxv_conn *c = conn->u.priv;

	if (c) {
		/* goodbye: members forget what they learnt behind us */
		sendto(c->fd[1], c->hdr, VXLAN_HDRLEN, MSG_DONTWAIT,
		       (struct sockaddr *)&c->group, vx_salen(&c->group));
		vx_report("vxvde", c->count, &c->table);
		vxv_free(c);
	}
	conn->u.priv = NULL;
	conn->fddata = -1;
}

const struct vde_module vdeplug_mod_vxvde = {
	.name = "vxvde",
	.open = vxv_open,
	.recv = vxv_recv,
	.send = vxv_send,
	.close = vxv_close,
};
