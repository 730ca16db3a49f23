/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/common/ether.h - Ethernet constants and helpers */
#ifndef VDEKIT_ETHER_H
#define VDEKIT_ETHER_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define ETH_ALEN_	6
#define ETH_HDRLEN	14
#define ETH_MINFRAME	14		/* shorter is a runt: dropped, counted */
#define VLAN_TAGLEN	4
#define ETH_P_8021Q_	0x8100
#define VDE_MAXMTU	9216
#ifndef VDE_ETHBUFSIZE
#define VDE_ETHBUFSIZE	(VDE_MAXMTU + ETH_HDRLEN + VLAN_TAGLEN)	/* 9234 */
#endif

static inline bool eth_is_multicast(const uint8_t *mac) { return mac[0] & 1; }
static inline uint16_t eth_type(const uint8_t *frame) { return (uint16_t)(frame[12] << 8 | frame[13]); }
static inline bool eth_is_tagged(const uint8_t *frame) { return eth_type(frame) == ETH_P_8021Q_; }
static inline uint16_t eth_tci(const uint8_t *frame) { return (uint16_t)(frame[14] << 8 | frame[15]); }

/* big-endian (network order) fields of a frame */
static inline uint16_t get_be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void put_be16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

/**
 * eth_ip_source() - the source address of an IP frame, as iplog reads it:
 * IPv4 with a 20-byte header (first byte 0x45) or IPv6 (first byte 0x60),
 * after at most one 802.1Q tag (VDE 2's rule)
 * @frame:	frame
 * @flen:	its length
 * @vlan:	set to the tag's VLAN ID, 0 if untagged (also when not IP)
 * @alen:	set to 4 or 16 when an address is returned
 * Return: the address inside @frame, or NULL (not such a frame, too short).
 */
static inline const uint8_t *eth_ip_source(const uint8_t *frame, size_t flen, uint16_t *vlan,
					   size_t *alen)
{
	size_t off = ETH_HDRLEN;
	uint16_t type;

	*vlan = 0;
	if (flen < ETH_HDRLEN)
		return NULL;
	type = eth_type(frame);
	if (type == ETH_P_8021Q_) {
		if (flen < ETH_HDRLEN + VLAN_TAGLEN)
			return NULL;
		*vlan = eth_tci(frame) & 0xfff;
		type = get_be16(frame + 16);
		off += VLAN_TAGLEN;
	}
	if (type == 0x0800 && flen >= off + 20 && frame[off] == 0x45) {
		*alen = 4;
		return frame + off + 12;
	}
	if (type == 0x86dd && flen >= off + 40 && frame[off] == 0x60) {
		*alen = 16;
		return frame + off + 8;
	}
	return NULL;
}

#define MAC_FMT "%02x:%02x:%02x:%02x:%02x:%02x"
#define MAC_ARGS(m) (m)[0], (m)[1], (m)[2], (m)[3], (m)[4], (m)[5]

#endif
