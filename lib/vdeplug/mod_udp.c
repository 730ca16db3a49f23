// SPDX-License-Identifier: LGPL-2.1-or-later
/* lib/vdeplug/mod_udp.c - udp:// module: point-to-point cable over UDP
 *
 * "udp://[SRC:]SPORT->DST:DPORT" (vdeplug4) or "SPORT->DST:DPORT" (VDE 2).
 * One raw Ethernet frame per UDP datagram, no header, no crypto: the same
 * bytes as vdeplug4's udp module, VDE 2's UDP mode and QEMU -netdev dgram.
 * The address family follows DST (IPv4 or IPv6); the socket is bound to
 * SRC:SPORT (any address if SRC is omitted) and connected to DST:DPORT on
 * the first send, as vdeplug4 does, so until then frames from any sender
 * are accepted. Hosts must be numeric or resolvable; ports are numeric.
 */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mod.h"

static int udp_open(VDECONN *conn, const struct vnl *v, const struct vde_open_opts *o)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *dst = NULL, *src = NULL;
	int fd = -1, ret;

	if (getaddrinfo(v->dst_host, v->dst_port, &hints, &dst) || !dst) {
		ret = -ECONNABORTED;
		goto out;
	}
	if (dst->ai_addrlen > sizeof(conn->u.p2p.peer)) {
		ret = -EAFNOSUPPORT;
		goto out;
	}
	hints.ai_family = dst->ai_family;
	hints.ai_flags |= AI_PASSIVE;
	if (getaddrinfo(v->src_host[0] ? v->src_host : NULL, v->src_port, &hints, &src) ||
	    !src) {
		ret = -ECONNABORTED;
		goto out;
	}
	fd = socket(dst->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	if (bind(fd, src->ai_addr, src->ai_addrlen)) {
		ret = -errno;
		close(fd);
		goto out;
	}
	conn->fddata = fd;
	conn->fdctl = -1;
	memcpy(&conn->u.p2p.peer, dst->ai_addr, dst->ai_addrlen);
	conn->u.p2p.peerlen = dst->ai_addrlen;
	conn->u.p2p.sock_bound = false;
	ret = 0;
out:
	if (dst)
		freeaddrinfo(dst);
	if (src)
		freeaddrinfo(src);
	return ret;
}

static void udp_close(VDECONN *conn)
{
	if (conn->fddata >= 0) {
		/* VDE 2 tells the peer with a zero-length datagram */
		send(conn->fddata, "", 0, MSG_DONTWAIT);
		close(conn->fddata);
	}
	conn->fddata = -1;
}

const struct vde_module vdeplug_mod_udp = {
	.name = "udp",
	.open = udp_open,
	.recv = vdeplug_p2p_recv,
	.send = vdeplug_p2p_send,
	.close = udp_close,
};
