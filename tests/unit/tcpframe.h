/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/tcpframe.h - TCP super-frames for the offload tests
 * (test_vnet, test_fwd_vnet, test_epcore_vnet): build one, check a checksum */
#ifndef VDEKIT_TESTS_TCPFRAME_H
#define VDEKIT_TESTS_TCPFRAME_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <linux/virtio_net.h>

#include "vnet.h"

/* the TCP pseudo-header sum of the IP header at @l3, for @l4len bytes */
static inline uint16_t tcp_phsum(const uint8_t *f, bool v4, size_t l3, size_t l4len)
{
	uint8_t ph[40];
	size_t phl = v4 ? 8 : 32;

	memcpy(ph, f + l3 + (v4 ? 12 : 8), phl);
	ph[phl] = (uint8_t)(l4len >> 24);
	ph[phl + 1] = (uint8_t)(l4len >> 16);
	ph[phl + 2] = (uint8_t)(l4len >> 8);
	ph[phl + 3] = (uint8_t)l4len;
	ph[phl + 4] = ph[phl + 5] = ph[phl + 6] = 0;
	ph[phl + 7] = 6;
	return vnet_csum(ph, phl + 8, 0);
}

/* TCP checksum of a frame whose IP header is at @l3 is right */
static inline bool tcp_ok(const uint8_t *f, size_t len, bool v4, size_t l3)
{
	size_t l4 = l3 + (v4 ? 20 : 40), l4len = len - l4;

	return vnet_csum(f + l4, l4len, tcp_phsum(f, v4, l3, l4len)) == 0xffff;
}

struct tcpframe {
	bool v4;
	int tag;		/* 802.1Q VID if > 0 */
	size_t pay;		/* payload bytes */
	uint8_t flags;		/* TCP flags; 0: ACK PSH */
	bool ts;		/* timestamps option (a 32-byte TCP header) */
	uint16_t mss;		/* gso_size; 0: segments fit an MTU of 1500 */
};

/* An Ethernet / IP / TCP super-frame @t (40000 -> 5201, sequence numbers
 * that wrap within the first 4 KiB, DF) to an unknown unicast MAC, its
 * checksum field seeded with the pseudo-header sum, as a stack hands it to
 * a tap with TSO. Return: its length. */
static inline size_t tcpframe_build(uint8_t *f, const struct tcpframe *t, struct virtio_net_hdr *h)
{
	bool v4 = t->v4;
	size_t l3 = t->tag > 0 ? 18 : 14, l4 = l3 + (v4 ? 20 : 40), thl = t->ts ? 32 : 20;
	size_t hl = l4 + thl, len = hl + t->pay, i;
	uint16_t c;

	memset(f, 0, hl);
	memcpy(f, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01", 12);
	if (t->tag > 0) {
		f[12] = 0x81;
		f[14] = (uint8_t)(t->tag >> 8);
		f[15] = (uint8_t)t->tag;
	}
	f[l3 - 2] = v4 ? 0x08 : 0x86;
	f[l3 - 1] = v4 ? 0x00 : 0xdd;
	if (v4) {
		f[l3] = 0x45;
		f[l3 + 2] = (uint8_t)((len - l3) >> 8);
		f[l3 + 3] = (uint8_t)(len - l3);
		f[l3 + 4] = 0x12;
		f[l3 + 5] = 0x34;
		f[l3 + 6] = 0x40;	/* DF */
		f[l3 + 8] = 64;
		f[l3 + 9] = 6;
		memcpy(f + l3 + 12, "\x0a\x4e\0\x01\x0a\x4e\0\x02", 8);
		c = (uint16_t)~vnet_csum(f + l3, 20, 0);
		memcpy(f + l3 + 10, &c, 2);
	} else {
		f[l3] = 0x60;
		f[l3 + 4] = (uint8_t)((len - l4) >> 8);
		f[l3 + 5] = (uint8_t)(len - l4);
		f[l3 + 6] = 6;
		f[l3 + 7] = 64;
		f[l3 + 8] = 0xfd;
		f[l3 + 23] = 1;
		f[l3 + 24] = 0xfd;
		f[l3 + 39] = 2;
	}
	f[l4] = 0x9c; f[l4 + 1] = 0x40;			/* 40000 -> 5201 */
	f[l4 + 2] = 0x14; f[l4 + 3] = 0x51;
	f[l4 + 4] = 0xff; f[l4 + 5] = 0xff; f[l4 + 6] = 0xf0;	/* seq wraps */
	f[l4 + 8] = 0x11; f[l4 + 11] = 0x22;
	f[l4 + 12] = (uint8_t)(thl / 4 << 4);
	f[l4 + 13] = t->flags ? t->flags : 0x18;	/* ACK PSH */
	f[l4 + 14] = 0x01; f[l4 + 15] = 0xf5;
	if (t->ts)
		memcpy(f + l4 + 20, "\x01\x01\x08\x0a\0\0\x12\x34\0\0\x56\x78", 12);
	for (i = 0; i < t->pay; i++)
		f[hl + i] = (uint8_t)(i * 7 + (i >> 8));
	c = tcp_phsum(f, v4, l3, len - l4);
	memcpy(f + l4 + 16, &c, 2);
	memset(h, 0, sizeof(*h));
	h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h->gso_type = v4 ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6;
	h->gso_size = t->mss ? t->mss : (uint16_t)(1500 - (l4 - l3) - thl);
	h->hdr_len = (uint16_t)hl;
	h->csum_start = (uint16_t)l4;
	h->csum_offset = 16;
	return len;
}

/* the super-frame of the switch's offload tests: 20-byte TCP header,
 * segments that fit an MTU of 1500 */
static inline size_t build(uint8_t *f, bool v4, int tag, size_t pay, struct virtio_net_hdr *h)
{
	return tcpframe_build(f, &(struct tcpframe){ .v4 = v4, .tag = tag, .pay = pay }, h);
}

#endif
