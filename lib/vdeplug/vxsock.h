/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/vdeplug/vxsock.h - socket helpers and counters shared by vxlan://
 * (mod_vxlan.c) and vxvde:// (mod_vxvde.c); the protocol logic is in the
 * pure core vxlan.c */
#ifndef VDEKIT_VXSOCK_H
#define VDEKIT_VXSOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "vnl.h"
#include "vxlan.h"

enum vx_counter {
	VX_RX, VX_TX, VX_TX_UNICAST, VX_TX_FLOOD,
	VX_RX_SHORT, VX_RX_FLAGS, VX_RX_VNI, VX_RX_RUNT, VX_RX_BIG, VX_RX_SELF, VX_RX_BYE,
	VX_TX_RUNT, VX_TX_BIG, VX_TX_ERR,
	VX_NCOUNT
};

/* the name of counter @c in $VDEPLUG_STATS and port/stats ("drop_vni") */
const char *vx_counter_name(enum vx_counter c);

/* the counters in $VDEPLUG_STATS order, plus the table's learned/moved */
void vx_report(const char *module, const uint64_t count[VX_NCOUNT],
	       const struct vxlan_table *t);

/* vx_rx_frame() - classify a received packet of @n bytes (header
 * included) whose header is @hdr, read with recvmsg flags @msg_flags into a
 * frame buffer of @len bytes. Return: the frame length, or 0 when it is not
 * delivered: counted in @count, except a header alone (*@why ==
 * VXLAN_RX_EMPTY), which the caller counts. */
size_t vx_rx_frame(uint64_t count[VX_NCOUNT], const uint8_t *hdr, size_t n, int msg_flags,
		   size_t len, size_t maxframe, uint32_t vni, enum vxlan_rx *why);

/* vx_tx_ok() - may a frame of @len bytes be sent? Runts and frames over
 * @maxframe (0 = no limit) are counted and refused. */
bool vx_tx_ok(uint64_t count[VX_NCOUNT], size_t len, size_t maxframe);

/* vx_tx_error() - count a failed sendmsg() (errno) */
void vx_tx_error(uint64_t count[VX_NCOUNT]);

/* seconds on CLOCK_MONOTONIC: the clock given to the VTEP table */
uint64_t vx_now(void);

/* numeric @ip (a checked vnl address) and @port -> sockaddr. 0 or -EINVAL. */
int vx_sockaddr(int family, const char *ip, uint16_t port, struct sockaddr_storage *ss,
		socklen_t *len);
socklen_t vx_salen(const struct sockaddr_storage *ss);
void vx_addr_of(const struct sockaddr_storage *ss, bool with_port, struct vxlan_addr *a);
void vx_sockaddr_of(const struct vxlan_addr *a, uint16_t port, struct sockaddr_storage *ss);

/* the interface index of /if=NAME (0 if none). 0 or -errno. */
int vx_ifindex(const struct vnl_vx *x, unsigned int *ifindex);

/* join @group on @fd (bound to its port). 0 or -errno. */
int vx_join(int fd, const struct sockaddr_storage *group, unsigned int ifindex,
	    const struct vnl_vx *x);

/* multicast output options of a sending socket: interface, TTL, loop.
 * @ttl < 0 keeps the system's unicast TTL and uses 1 for multicast. */
int vx_txopts(int fd, int family, unsigned int ifindex, const struct vnl_vx *x, bool loop);

/* a UDP socket of @family (IPv6 only for AF_INET6), or -1 with errno */
int vx_socket(int family);

/* is @ss one of this host's addresses (getifaddrs)? */
bool vx_is_local(const struct sockaddr_storage *ss);

/* vx_open() - the sockets of a vxlan:// VTEP: *@rxfd bound to the port
 * (any address in group mode, else /local=), joined to the group; @ntx
 * sending sockets on /local= with kernel-chosen ports and the multicast
 * output options (loop off); @flood = ADDR and /remote= on the port
 * (*@nflood of them). 0, or -errno with every fd closed and -1. */
int vx_open(const struct vnl_vx *x, int *rxfd, int *txfd, unsigned int ntx,
	    struct sockaddr_storage flood[VNL_MAXREMOTES], unsigned int *nflood);

#endif
