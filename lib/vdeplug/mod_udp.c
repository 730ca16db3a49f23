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
 *
 * A UDP cable ends only when its user closes it. Anyone can send a
 * datagram to our port, and ICMP "port unreachable" comes back as
 * ECONNREFUSED while the peer restarts: so an empty datagram, a runt
 * (shorter than an Ethernet header), one larger than the caller's buffer
 * and a refusal are counted and skipped, and vde_recv() then reports
 * EAGAIN, never 0 ("closed"). The counters go to $VDEPLUG_STATS at close
 * (stats.h).
 */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ether.h"
#include "mod.h"
#include "stats.h"

enum { UDP_RX, UDP_TX, UDP_EMPTY, UDP_RUNT, UDP_BIG, UDP_REFUSED, UDP_TXDROP, UDP_NCOUNT };

static const char *const udp_counter_names[UDP_NCOUNT] = {
	"rx", "tx", "drop_empty", "drop_runt", "drop_big", "refused", "tx_drop",
};

struct udp_conn {
	struct sockaddr_storage peer;
	socklen_t peerlen;
	uint64_t count[UDP_NCOUNT];
};

static int udp_open(VDECONN *conn, const struct vnl *v, const struct vde_open_opts *o)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *dst = NULL, *src = NULL;
	struct udp_conn *u = NULL;
	int fd = -1, ret;

	(void)o;
	if (getaddrinfo(v->dst_host, v->dst_port, &hints, &dst) || !dst) {
		ret = -ECONNABORTED;
		goto out;
	}
	if (dst->ai_addrlen > sizeof(u->peer)) {
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
	u = calloc(1, sizeof(*u));
	if (!u) {
		ret = -ENOMEM;
		goto out;
	}
	fd = socket(dst->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	if (bind(fd, src->ai_addr, src->ai_addrlen)) {
		ret = -errno;
		goto out;
	}
	memcpy(&u->peer, dst->ai_addr, dst->ai_addrlen);
	u->peerlen = dst->ai_addrlen;
	conn->fddata = fd;
	conn->fdctl = -1;
	conn->u.priv = u;
	fd = -1;
	u = NULL;
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	free(u);
	if (dst)
		freeaddrinfo(dst);
	if (src)
		freeaddrinfo(src);
	return ret;
}

/* Return: frame length, or -1 with errno (EAGAIN when only datagrams that
 * are not frames were waiting: they are counted and gone). */
static ssize_t udp_recv(VDECONN *conn, void *buf, size_t len)
{
	struct udp_conn *u = conn->u.priv;
	int flags = 0;
	unsigned int i;
	ssize_t n;

	/* a bounded number of skipped datagrams per call: the caller's loop
	 * stays responsive under a flood of junk */
	for (i = 0; i < 64; i++) {
		n = recv(conn->fddata, buf, len, flags | MSG_TRUNC);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ECONNREFUSED) {
				u->count[UDP_REFUSED]++;
				flags = MSG_DONTWAIT;
				continue;
			}
			return -1;
		}
		flags = MSG_DONTWAIT;	/* after the first, take only what is there */
		if (n == 0) {
			u->count[UDP_EMPTY]++;
		} else if ((size_t)n < ETH_MINFRAME) {
			u->count[UDP_RUNT]++;
		} else if ((size_t)n > len) {
			u->count[UDP_BIG]++;
		} else {
			u->count[UDP_RX]++;
			return n;
		}
	}
	errno = EAGAIN;
	return -1;
}

/* Connects to the peer on first use (or after a refusal); a frame the peer
 * refuses is dropped and reported as sent, like an unplugged cable. */
static ssize_t udp_send(VDECONN *conn, const void *buf, size_t len)
{
	struct udp_conn *u = conn->u.priv;
	ssize_t n;
	int tries;

	for (tries = 0; tries < 4; tries++) {
		n = send(conn->fddata, buf, len, 0);
		if (n >= 0) {
			u->count[UDP_TX]++;
			return n;
		}
		if (errno == EINTR)
			continue;
		if (errno != ENOTCONN && errno != EDESTADDRREQ && errno != ECONNREFUSED)
			return -1;
		if (connect(conn->fddata, (struct sockaddr *)&u->peer, u->peerlen))
			return -1;
	}
	u->count[UDP_TXDROP]++;
	return (ssize_t)len;
}

static void udp_close(VDECONN *conn)
{
	struct udp_conn *u = conn->u.priv;
	struct vdeplug_counter c[UDP_NCOUNT];
	size_t i;

	if (u) {
		for (i = 0; i < UDP_NCOUNT; i++) {
			c[i].name = udp_counter_names[i];
			c[i].value = u->count[i];
		}
		vdeplug_stats_report("udp", c, UDP_NCOUNT);
	}
	if (conn->fddata >= 0)
		close(conn->fddata);
	conn->fddata = -1;
	free(u);
	conn->u.priv = NULL;
}

const struct vde_module vdeplug_mod_udp = {
	.name = "udp",
	.open = udp_open,
	.recv = udp_recv,
	.send = udp_send,
	.close = udp_close,
};
