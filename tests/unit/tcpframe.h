/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/tcpframe.h - TCP super-frames for the offload tests of the
 * switch (test_fwd_vnet, test_epcore_vnet): build one, check a checksum */
#ifndef VDEKIT_TESTS_TCPFRAME_H
#define VDEKIT_TESTS_TCPFRAME_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <linux/virtio_net.h>

#include "vnet.h"

/* TCP checksum of a frame whose IP header is at @l3 is right */
static inline bool tcp_ok(const uint8_t *f, size_t len, bool v4, size_t l3)
{
	size_t l4 = l3 + (v4 ? 20 : 40), l4len = len - l4;
	uint8_t ph[40];
	size_t phl = v4 ? 8 : 32;

	memcpy(ph, f + l3 + (v4 ? 12 : 8), phl);
	ph[phl] = (uint8_t)(l4len >> 24);
	ph[phl + 1] = (uint8_t)(l4len >> 16);
	ph[phl + 2] = (uint8_t)(l4len >> 8);
	ph[phl + 3] = (uint8_t)l4len;
	ph[phl + 4] = ph[phl + 5] = ph[phl + 6] = 0;
	ph[phl + 7] = 6;
	return vnet_csum(f + l4, l4len, vnet_csum(ph, phl + 8, 0)) == 0xffff;
}

/* An Ethernet (tagged with VID @tag if > 0) / IP / TCP super-frame to an
 * unknown unicast MAC, its checksum field seeded with the pseudo-header
 * sum, as a stack hands it to a tap with TSO. */
static inline size_t build(uint8_t *f, bool v4, int tag, size_t pay, struct virtio_net_hdr *h)
{
	size_t l3 = tag > 0 ? 18 : 14, l4 = l3 + (v4 ? 20 : 40), hl = l4 + 20, len = hl + pay;
	size_t i, phl = v4 ? 8 : 32, l4len = len - l4;
	uint8_t ph[40];
	uint16_t c;

	memset(f, 0, hl);
	memcpy(f, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01", 12);
	if (tag > 0) {
		f[12] = 0x81;
		f[14] = (uint8_t)(tag >> 8);
		f[15] = (uint8_t)tag;
	}
	f[l3 - 2] = v4 ? 0x08 : 0x86;
	f[l3 - 1] = v4 ? 0x00 : 0xdd;
	if (v4) {
		f[l3] = 0x45;
		f[l3 + 2] = (uint8_t)((len - l3) >> 8);
		f[l3 + 3] = (uint8_t)(len - l3);
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
	f[l4 + 1] = 80;
	f[l4 + 3] = 81;
	f[l4 + 12] = 0x50;
	f[l4 + 13] = 0x18;		/* ACK PSH */
	for (i = 0; i < pay; i++)
		f[hl + i] = (uint8_t)(i * 13 + (i >> 9));
	memcpy(ph, f + l3 + (v4 ? 12 : 8), phl);
	memset(ph + phl, 0, 8);
	ph[phl + 2] = (uint8_t)(l4len >> 8);
	ph[phl + 3] = (uint8_t)l4len;
	ph[phl + 7] = 6;
	c = vnet_csum(ph, phl + 8, 0);
	memcpy(f + l4 + 16, &c, 2);
	memset(h, 0, sizeof(*h));
	h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h->gso_type = v4 ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6;
	h->gso_size = (uint16_t)(1500 - (v4 ? 20 : 40) - 20);	/* MTU 1500 */
	h->hdr_len = (uint16_t)hl;
	h->csum_start = (uint16_t)l4;
	h->csum_offset = 16;
	return len;
}

#endif
