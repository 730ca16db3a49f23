// SPDX-License-Identifier: LGPL-2.1-or-later
/* lib/common/udpgso.c - UDP GSO sends: which datagrams share one message
 *
 * With UDP generic segmentation offload, one sendmsg() carries a train of
 * datagrams to one address: the payload is cut every `seg` bytes (the
 * UDP_SEGMENT control message), so all datagrams but the last have the
 * same size and the last may be shorter. The VXLAN endpoint of the switch
 * and vde_cryptcab both queue datagrams for a batch and send runs of them
 * this way; these two helpers are the rule for such a run and the control
 * message that announces it. Pure: no I/O, no allocation.
 *
 * Contract:
 * - A datagram k of the queue is a header of @hdr bytes (the same for all:
 *   8 for VXLAN, 0 when the iovec is the whole datagram) followed by
 *   @iov[k]; its UDP payload is @hdr + @iov[k].iov_len bytes.
 * - @key[k] says where datagram k goes (socket and address, as the caller
 *   sees it): datagrams of equal keys may share a message, others never.
 *   Only consecutive datagrams are grouped, so a key that tells a datagram
 *   apart from the one before it is enough.
 * - udpgso_run() returns how many datagrams from the first make one run:
 *   all of the first's key; the segment size is the first's payload; every
 *   datagram but the last of the run has exactly that size, the last may be
 *   shorter (never longer); at most @max_segs datagrams and at most
 *   @max_bytes bytes of payload in all. 0 if @n is 0, else at least 1: a
 *   datagram alone always goes, even above @max_bytes (then as a plain
 *   datagram: the caller adds the control message only for runs of two or
 *   more).
 * - udpgso_cmsg() points @h's control buffer at @cm and fills it with one
 *   UDP_SEGMENT message of segment size @seg (at most 65535: the caller
 *   passes the payload size of a datagram, which UDP bounds). It replaces
 *   any control data @h had.
 * - Whether the kernel takes the message is the caller's business: it
 *   refuses GSO where the route cannot do it (EIO) or a segment is above
 *   the path MTU (EINVAL, EMSGSIZE), and both callers then send the run's
 *   datagrams one by one.
 */
#include "config.h"

#include <string.h>

#include "udpgso.h"

/* udpgso_run() - the length of the run of datagrams from the first that may
 * travel as one UDP GSO message (see the contract above) */
size_t udpgso_run(const struct iovec *iov, size_t hdr, const uint32_t *key, size_t n,
		  size_t max_segs, size_t max_bytes)
{
	size_t k, seg, bytes, s;

	if (n == 0)
		return 0;
	seg = hdr + iov[0].iov_len;
	bytes = seg;
	for (k = 1; k < n && k < max_segs && bytes <= max_bytes; k++) {
		s = hdr + iov[k].iov_len;
		/* one key; the segment size set by the first, a shorter one
		 * only last; the payload bound */
		if (key[k] != key[0] || s > seg || hdr + iov[k - 1].iov_len != seg ||
		    s > max_bytes - bytes)
			break;
		bytes += s;
	}
	return k;
}

/* udpgso_cmsg() - @h announces segments of @seg bytes, in @cm */
void udpgso_cmsg(struct msghdr *h, union udpgso_cmsg *cm, size_t seg)
{
	struct cmsghdr *c;
	uint16_t gs = (uint16_t)seg;

	memset(cm, 0, sizeof(*cm));
	h->msg_control = cm->buf;
	h->msg_controllen = sizeof(cm->buf);
	c = CMSG_FIRSTHDR(h);
	c->cmsg_level = SOL_UDP;
	c->cmsg_type = UDP_SEGMENT;
	c->cmsg_len = CMSG_LEN(sizeof(gs));
	memcpy(CMSG_DATA(c), &gs, sizeof(gs));
}
