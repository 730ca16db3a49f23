/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/vnet-frames.h - TCP super-frames for the unit tests of the
 * virtio-net paths (test_vnetapi.c, test_fastpath.c), and a check that a
 * wire frame's IPv4 and TCP checksums are right.
 */
#ifndef VDEKIT_TEST_VNET_FRAMES_H
#define VDEKIT_TEST_VNET_FRAMES_H

#include <linux/virtio_net.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "vnet.h"

#define TV_HL	54		/* Ethernet + IPv4 + TCP, no options */

static inline void tv_be16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Pseudo-header sum of the IPv4 TCP frame @f with an L4 length @l4len. */
static inline uint16_t tv_pseudo(const uint8_t *f, size_t l4len)
{
	uint8_t ph[12];

	memcpy(ph, f + 26, 8);
	ph[8] = 0;
	ph[9] = 6;
	tv_be16(ph + 10, (unsigned)l4len);
	return vnet_csum(ph, sizeof(ph), 0);
}

/* An IPv4 TCP super-frame of @pay payload bytes (byte i = i * 13 + seed),
 * NEEDS_CSUM and TSO with MSS @mss in @h, as a tap hands it over. Returns
 * its length. */
static inline size_t tv_super(uint8_t *f, struct virtio_net_hdr *h, size_t pay, unsigned mss,
			      unsigned seed)
{
	static const uint8_t eth[14] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00 };
	size_t i, len = TV_HL + pay;
	uint16_t c;

	memset(f, 0, TV_HL);
	memcpy(f, eth, 14);
	f[14] = 0x45;
	tv_be16(f + 16, (unsigned)(len - 14));
	tv_be16(f + 18, 0x1234);
	f[20] = 0x40;		/* DF */
	f[22] = 64;
	f[23] = 6;
	memcpy(f + 26, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	c = (uint16_t)~vnet_csum(f + 14, 20, 0);
	memcpy(f + 24, &c, 2);
	tv_be16(f + 34, 40000);
	tv_be16(f + 36, 5001);
	f[41] = 100;		/* seq */
	f[46] = 0x50;
	f[47] = 0x18;		/* ACK PSH */
	tv_be16(f + 48, 512);
	for (i = 0; i < pay; i++)
		f[TV_HL + i] = (uint8_t)(i * 13 + seed);
	c = tv_pseudo(f, len - 34);
	memcpy(f + 50, &c, 2);
	memset(h, 0, sizeof(*h));
	h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	h->gso_size = (uint16_t)mss;
	h->hdr_len = TV_HL;
	h->csum_start = 34;
	h->csum_offset = 16;
	return len;
}

/* A wire frame of tv_super()'s flow: IPv4 length and both checksums right. */
static inline bool tv_wire_ok(const uint8_t *f, size_t len)
{
	return len >= TV_HL && f[23] == 6 && (size_t)((f[16] << 8) | f[17]) == len - 14 &&
	       vnet_csum(f + 14, 20, 0) == 0xffff &&
	       vnet_csum(f + 34, len - 34, tv_pseudo(f, len - 34)) == 0xffff;
}

#endif
