/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/common/udpgso.h - UDP GSO sends: which datagrams share one message
 * (see udpgso.c) */
#ifndef VDEKIT_UDPGSO_H
#define VDEKIT_UDPGSO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#ifndef SOL_UDP
#define SOL_UDP		17
#endif
#ifndef UDP_SEGMENT
#define UDP_SEGMENT	103
#endif

/* room for one UDP_SEGMENT control message, aligned for struct cmsghdr */
union udpgso_cmsg {
	char buf[CMSG_SPACE(sizeof(uint16_t))];
	struct cmsghdr align;
};

size_t udpgso_run(const struct iovec *iov, size_t hdr, const uint32_t *key, size_t n,
		  size_t max_segs, size_t max_bytes);
void udpgso_cmsg(struct msghdr *h, union udpgso_cmsg *cm, size_t seg);

#endif
