// SPDX-License-Identifier: LGPL-2.1-or-later
/* lib/vdeplug/vxsock.c - socket helpers and counters for vxlan:// and
 * vxvde:// (see vxsock.h) */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ether.h"
#include "stats.h"
#include "vxsock.h"

#define VX_RCVBUF	(4 << 20)
#define VX_SNDBUF	(1 << 20)

static const char *const vx_counter_names[VX_NCOUNT] = {
	"rx", "tx", "tx_unicast", "tx_flood",
	"drop_short", "drop_flags", "drop_vni", "drop_runt", "drop_big", "self", "bye",
	"tx_runt", "tx_big", "tx_err",
};

const char *vx_counter_name(enum vx_counter c)
{
	return c < VX_NCOUNT ? vx_counter_names[c] : "?";
}

void vx_report(const char *module, const uint64_t count[VX_NCOUNT],
	       const struct vxlan_table *t)
{
	struct vdeplug_counter c[VX_NCOUNT + 2];
	size_t i;

	for (i = 0; i < VX_NCOUNT; i++) {
		c[i].name = vx_counter_names[i];
		c[i].value = count[i];
	}
	c[i].name = "learned";
	c[i++].value = t->learned;
	c[i].name = "moved";
	c[i++].value = t->moved;
	vdeplug_stats_report(module, c, i);
}

size_t vx_rx_frame(uint64_t count[VX_NCOUNT], const uint8_t *hdr, size_t n, int msg_flags,
		   size_t len, size_t maxframe, uint32_t vni, enum vxlan_rx *why)
{
	static const enum vx_counter counter[] = {
		[VXLAN_RX_SHORT] = VX_RX_SHORT, [VXLAN_RX_FLAGS] = VX_RX_FLAGS,
		[VXLAN_RX_VNI] = VX_RX_VNI, [VXLAN_RX_RUNT] = VX_RX_RUNT,
	};

	*why = vxlan_check(hdr, n, vni);
	if (*why == VXLAN_RX_EMPTY)
		return 0;
	if (*why != VXLAN_RX_OK) {
		count[counter[*why]]++;
		return 0;
	}
	n -= VXLAN_HDRLEN;
	if ((msg_flags & MSG_TRUNC) || n > len || (maxframe && n > maxframe)) {
		count[VX_RX_BIG]++;
		return 0;
	}
	count[VX_RX]++;
	return n;
}

bool vx_tx_ok(uint64_t count[VX_NCOUNT], size_t len, size_t maxframe)
{
	if (len < ETH_HDRLEN) {
		count[VX_TX_RUNT]++;
		return false;
	}
	if (maxframe && len > maxframe) {
		count[VX_TX_BIG]++;
		return false;
	}
	return true;
}

void vx_tx_error(uint64_t count[VX_NCOUNT])
{
	count[errno == EMSGSIZE ? VX_TX_BIG : VX_TX_ERR]++;
}

uint64_t vx_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

int vx_sockaddr(int family, const char *ip, uint16_t port, struct sockaddr_storage *ss,
		socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		if (ip && *ip && inet_pton(AF_INET, ip, &s4->sin_addr) != 1)
			return -EINVAL;
		*len = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		if (ip && *ip && inet_pton(AF_INET6, ip, &s6->sin6_addr) != 1)
			return -EINVAL;
		*len = sizeof(*s6);
	}
	return 0;
}

socklen_t vx_salen(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
}

void vx_addr_of(const struct sockaddr_storage *ss, bool with_port, struct vxlan_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = (uint8_t)ss->ss_family;
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		memcpy(a->ip, &s4->sin_addr, 4);
		a->port = with_port ? ntohs(s4->sin_port) : 0;
	} else {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		memcpy(a->ip, &s6->sin6_addr, 16);
		a->port = with_port ? ntohs(s6->sin6_port) : 0;
	}
}

void vx_sockaddr_of(const struct vxlan_addr *a, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, a->ip, 4);
		s4->sin_port = htons(a->port ? a->port : port);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, a->ip, 16);
		s6->sin6_port = htons(a->port ? a->port : port);
	}
}

int vx_ifindex(const struct vnl_vx *x, unsigned int *ifindex)
{
	*ifindex = 0;
	if (!x->ifname[0])
		return 0;
	*ifindex = if_nametoindex(x->ifname);
	return *ifindex ? 0 : -ENODEV;
}

int vx_join(int fd, const struct sockaddr_storage *group, unsigned int ifindex,
	    const struct vnl_vx *x)
{
	if (group->ss_family == AF_INET) {
		struct ip_mreqn mr = { .imr_ifindex = (int)ifindex };

		mr.imr_multiaddr = ((const struct sockaddr_in *)group)->sin_addr;
		if (x->local[0] && inet_pton(AF_INET, x->local, &mr.imr_address) != 1)
			return -EINVAL;
		if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)))
			return -errno;
	} else {
		struct ipv6_mreq mr = { .ipv6mr_interface = ifindex };

		mr.ipv6mr_multiaddr = ((const struct sockaddr_in6 *)group)->sin6_addr;
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof(mr)))
			return -errno;
	}
	return 0;
}

int vx_txopts(int fd, int family, unsigned int ifindex, const struct vnl_vx *x, bool loop)
{
	int on = loop, mttl = x->ttl > 0 ? x->ttl : 1;

	if (family == AF_INET) {
		if (x->ttl > 0 && setsockopt(fd, IPPROTO_IP, IP_TTL, &x->ttl, sizeof(x->ttl)))
			return -errno;
		if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &mttl, sizeof(mttl)) ||
		    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &on, sizeof(on)))
			return -errno;
		if (ifindex || x->local[0]) {
			struct ip_mreqn mr = { .imr_ifindex = (int)ifindex };

			if (x->local[0] && inet_pton(AF_INET, x->local, &mr.imr_address) != 1)
				return -EINVAL;
			if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr)))
				return -errno;
		}
	} else {
		if (x->ttl > 0 &&
		    setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &x->ttl, sizeof(x->ttl)))
			return -errno;
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &mttl, sizeof(mttl)) ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &on, sizeof(on)))
			return -errno;
		if (ifindex &&
		    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex)))
			return -errno;
	}
	return 0;
}

bool vx_is_local(const struct sockaddr_storage *ss)
{
	struct ifaddrs *ifs, *i;
	bool found = false;

	if (getifaddrs(&ifs))
		return false;
	for (i = ifs; i && !found; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != ss->ss_family)
			continue;
		if (ss->ss_family == AF_INET)
			found = !memcmp(&((struct sockaddr_in *)i->ifa_addr)->sin_addr,
					&((const struct sockaddr_in *)ss)->sin_addr, 4);
		else
			found = !memcmp(&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr,
					&((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
	}
	freeifaddrs(ifs);
	return found;
}

int vx_socket(int family)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP), one = 1;
	int rcv = VX_RCVBUF, snd = VX_SNDBUF;

	if (fd >= 0 && family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one))) {
		close(fd);
		return -1;
	}
	if (fd >= 0) {
		/* best effort (the kernel caps them at rmem_max/wmem_max): a
		 * burst of a TCP window must not overflow the default 208 KiB */
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof(snd));
	}
	return fd;
}

int vx_open(const struct vnl_vx *x, int *rxfd, int *txfd, unsigned int ntx,
	    struct sockaddr_storage flood[VNL_MAXREMOTES], unsigned int *nflood)
{
	struct sockaddr_storage ss;
	unsigned int ifindex, i;
	socklen_t sl;
	int ret;

	*rxfd = -1;
	for (i = 0; i < ntx; i++)
		txfd[i] = -1;
	*nflood = 0;
	ret = vx_ifindex(x, &ifindex);
	if (ret)
		goto fail;
	*rxfd = vx_socket(x->family);
	if (*rxfd < 0) {
		ret = -errno;
		goto fail;
	}
	/* a group member listens on any address; a unicast VTEP on /local= */
	ret = vx_sockaddr(x->family, x->multicast ? NULL : x->local, (uint16_t)x->port, &ss, &sl);
	if (ret)
		goto fail;
	if (bind(*rxfd, (struct sockaddr *)&ss, sl)) {
		ret = -errno;
		goto fail;
	}
	for (i = 0; i < x->naddr && i < VNL_MAXREMOTES; i++) {
		ret = vx_sockaddr(x->family, x->addr[i], (uint16_t)x->port, &flood[i], &sl);
		if (ret)
			goto fail;
	}
	*nflood = i;
	if (x->multicast) {
		ret = vx_join(*rxfd, &flood[0], ifindex, x);
		if (ret)
			goto fail;
	}
	for (i = 0; i < ntx; i++) {
		txfd[i] = vx_socket(x->family);
		if (txfd[i] < 0) {
			ret = -errno;
			goto fail;
		}
		ret = vx_sockaddr(x->family, x->local, 0, &ss, &sl);
		if (ret)
			goto fail;
		if (bind(txfd[i], (struct sockaddr *)&ss, sl)) {
			ret = -errno;
			goto fail;
		}
		ret = vx_txopts(txfd[i], x->family, ifindex, x, false);
		if (ret)
			goto fail;
	}
	return 0;
fail:
	if (*rxfd >= 0)
		close(*rxfd);
	*rxfd = -1;
	for (i = 0; i < ntx; i++) {
		if (txfd[i] >= 0)
			close(txfd[i]);
		txfd[i] = -1;
	}
	return ret;
}
