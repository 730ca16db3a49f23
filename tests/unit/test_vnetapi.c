// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_vnetapi.c - vde_open_flags(), vde_send_vnet() and
 * vde_recv_vnet() on a connection without super-frames (a ptp:// cable:
 * the path of datagrams, VDE 2 switches and plugins)
 *
 * A TSO super-frame sent with its header arrives as wire frames of at most
 * MSS + headers, each with correct IPv4 and TCP checksums, whose payloads
 * put together are the super-frame's; a NEEDS_CSUM frame arrives with its
 * checksum completed; plain frames go through untouched, in order with the
 * cut ones; vde_recv_vnet() gives zeroed headers and the frames' bytes; a
 * malformed header is EINVAL and costs only that frame; an unknown open
 * flag is EINVAL.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libvdeplug.h"
#include "tap.h"
#include "vnet-frames.h"

#define PAY	(1448 * 4 + 500)	/* 5 segments: a datagram queue holds ~10 */

static uint8_t sbuf[4][VDE_VNET_BUFSIZE];
static uint8_t rbuf[64][VDE_VNET_BUFSIZE];

/* Receive everything that arrives within a short while into rbuf. */
static unsigned drain(VDECONN *c, struct vde_msg *rm, unsigned max)
{
	struct pollfd p = { .fd = vde_datafd(c), .events = POLLIN };
	unsigned got = 0, i;
	ssize_t r;

	while (got < max && poll(&p, 1, 500) > 0) {
		for (i = got; i < max; i++) {
			rm[i].buf = rbuf[i];
			rm[i].len = sizeof(rbuf[i]);
		}
		r = vde_recv_vnet(c, rm + got, max - got, 0);
		if (r <= 0)
			break;
		got += (unsigned)r;
	}
	return got;
}

int main(void)
{
	char dir[] = "/tmp/test_vnetapi.XXXXXX", vnl[256];
	struct virtio_net_hdr h, zero;
	struct vde_msg sm[4], rm[64];
	uint8_t *f, joined[PAY];
	unsigned got, i, bad = 0;
	size_t len, off = 0;
	VDECONN *a, *b;
	ssize_t r;

	if (!mkdtemp(dir))
		return 99;
	snprintf(vnl, sizeof(vnl), "ptp://%s/cable", dir);
	errno = 0;
	ok(!vde_open_flags(vnl, "x", NULL, 0x100) && errno == EINVAL,
	   "vde_open_flags: an unknown flag -> EINVAL");
	a = vde_open_flags(vnl, "a", NULL, VDE_OPEN_VNET);
	b = vde_open_flags(vnl, "b", NULL, VDE_OPEN_VNET);
	if (!a || !b)
		return 99;
	memset(&zero, 0, sizeof(zero));

	/* a plain frame, a super-frame, a NEEDS_CSUM frame, a plain frame */
	len = tv_super(sbuf[1] + VDE_VNET_HDR_LEN, &h, PAY, 1448, 1);
	memcpy(sbuf[1], &h, sizeof(h));
	sm[1] = (struct vde_msg){ sbuf[1], VDE_VNET_HDR_LEN + len };
	for (i = 0; i < 4; i += 3) {
		memset(sbuf[i], 0, VDE_VNET_HDR_LEN);
		memset(sbuf[i] + VDE_VNET_HDR_LEN, (int)(0x40 + i), 100);
		sm[i] = (struct vde_msg){ sbuf[i], VDE_VNET_HDR_LEN + 100 };
	}
	len = tv_super(sbuf[2] + VDE_VNET_HDR_LEN, &h, 700, 1448, 2);
	h.gso_type = VIRTIO_NET_HDR_GSO_NONE;
	h.gso_size = 0;
	memcpy(sbuf[2], &h, sizeof(h));
	sm[2] = (struct vde_msg){ sbuf[2], VDE_VNET_HDR_LEN + len };
	r = vde_send_vnet(b, sm, 4, VDE_SEND_WAIT);
	ok(r == 4, "send_vnet: 4 frames taken (%zd)", r);
	got = drain(a, rm, 64);
	ok(got == 1 + 5 + 1 + 1, "recv_vnet: 1 + 11 segments + 1 + 1 frames (%u)", got);
	for (i = 0; i < got; i++)
		if (rm[i].len < VDE_VNET_HDR_LEN || memcmp(rm[i].buf, &zero, VDE_VNET_HDR_LEN))
			bad++;
	ok(bad == 0, "recv_vnet: every header zeroed");
	ok(got >= 8 && rm[0].len == VDE_VNET_HDR_LEN + 100 && rbuf[0][VDE_VNET_HDR_LEN] == 0x40 &&
	   rm[7].len == VDE_VNET_HDR_LEN + 100 && rbuf[7][VDE_VNET_HDR_LEN + 99] == 0x43,
	   "plain frames untouched, in order around the cut ones");
	for (i = 1, bad = 0; i < 6 && i < got; i++) {
		f = rbuf[i] + VDE_VNET_HDR_LEN;
		len = rm[i].len - VDE_VNET_HDR_LEN;
		if (len > TV_HL + 1448 || !tv_wire_ok(f, len) || off + len - TV_HL > PAY)
			bad++;
		else
			memcpy(joined + off, f + TV_HL, len - TV_HL);
		off += len - TV_HL;
	}
	for (i = 0; i < PAY && off == PAY; i++)
		if (joined[i] != (uint8_t)(i * 13 + 1))
			bad++;
	ok(bad == 0 && off == PAY,
	   "super-frame cut into wire frames <= 1502 bytes, checksums right, payload intact");
	ok(got >= 7 && rm[6].len == VDE_VNET_HDR_LEN + TV_HL + 700 &&
	   tv_wire_ok(rbuf[6] + VDE_VNET_HDR_LEN, TV_HL + 700),
	   "NEEDS_CSUM frame arrives with its checksum completed");

	/* malformed: a TSO header on a frame that is not TCP */
	memset(&h, 0, sizeof(h));
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	h.gso_size = 1000;
	memcpy(sbuf[0], &h, sizeof(h));
	errno = 0;
	ok(vde_send_vnet(b, sm, 1, 0) == -1 && errno == EINVAL, "malformed header -> EINVAL");
	r = vde_send_vnet(b, sm, 4, 0);
	ok(r == -1 && errno == EINVAL && drain(a, rm, 64) == 0,
	   "a batch starting with it: EINVAL, nothing sent");
	r = vde_send_vnet(b, sm + 3, 1, 0);
	ok(r == 1 && drain(a, rm, 64) == 1, "the next frame goes through");
	memset(sbuf[0], 0, VDE_VNET_HDR_LEN);
	sm[0].len = 5;
	errno = 0;
	ok(vde_send_vnet(b, sm, 1, 0) == -1 && errno == EINVAL, "buffer shorter than the header -> EINVAL");
	rm[0].buf = rbuf[0];
	rm[0].len = 4;
	errno = 0;
	ok(vde_recv_vnet(a, rm, 1, 0) == -1 && errno == EINVAL, "receive buffer shorter than the header -> EINVAL");
	vde_close(a);
	vde_close(b);
	rmdir(dir);
	return tap_done();
}
