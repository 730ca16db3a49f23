/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/vdeplug/vxlan.h - VXLAN (RFC 7348) pure core: header, flow entropy,
 * VTEP table (MAC -> remote VTEP) with learning and aging
 *
 * No I/O and no clock: callers pass the time (seconds, monotonic). Used by
 * mod_vxlan.c (vxlan://), mod_vxvde.c (vxvde://, vdeplug4's wire format,
 * which is a VXLAN header with its own port and defaults) and the switch's
 * VTEP (switch/ep_vxlan.c, which groups frames for UDP GSO with
 * lib/common/udpgso.c).
 */
#ifndef VDEKIT_VXLAN_H
#define VDEKIT_VXLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VXLAN_HDRLEN	8
#define VXLAN_FLAG_I	0x08	/* "VNI valid": the only flag RFC 7348 defines */
#define VXLAN_VNI_MAX	0xffffffU
#define VXLAN_PORT	4789

/* Why a received packet was not delivered (also the counter index). */
enum vxlan_rx {
	VXLAN_RX_OK = 0,
	VXLAN_RX_SHORT,		/* shorter than the 8-byte header */
	VXLAN_RX_FLAGS,		/* I flag missing or a reserved bit/byte set */
	VXLAN_RX_VNI,		/* another network */
	VXLAN_RX_RUNT,		/* inner frame shorter than an Ethernet header */
	VXLAN_RX_EMPTY,		/* header only: vxvde's "goodbye", no frame */
};

/* vxlan_hdr_put() - the 8-byte header: flags 0x08, 24-bit @vni. */
void vxlan_hdr_put(uint8_t hdr[VXLAN_HDRLEN], uint32_t vni);

/* vxlan_check() - classify a received packet of @len bytes whose first
 * min(@len, 8) bytes are @hdr, for network @vni. @len counts the header.
 * Header-only packets with a good header are VXLAN_RX_EMPTY. */
enum vxlan_rx vxlan_check(const uint8_t *hdr, size_t len, uint32_t vni);

/* vxlan_flow_hash() - a hash of the inner flow: MACs and ethertype, plus
 * addresses, protocol and ports for unfragmented IPv4/IPv6 TCP/UDP/SCTP
 * (one VLAN tag skipped). Same flow, same hash. @len may be anything. */
uint32_t vxlan_flow_hash(const uint8_t *frame, size_t len);

/* An underlay address as the table stores it: family, 16 bytes (IPv4 in
 * the first 4), UDP port in host order (0 when only the IP matters). */
struct vxlan_addr {
	uint8_t family;		/* 0 = none */
	uint8_t ip[16];
	uint16_t port;
};

bool vxlan_addr_eq(const struct vxlan_addr *a, const struct vxlan_addr *b);

#define VXLAN_TABLE_WAYS	4

struct vxlan_entry {
	uint8_t mac[6];
	bool used;
	struct vxlan_addr addr;
	uint64_t seen;		/* time of the last frame from mac */
};

/* Fixed-size set-associative table: nbuckets (power of two) x 4 ways.
 * A full bucket replaces its least recently seen entry (counted in
 * evicted). Entries older than expire are ignored and reused. */
struct vxlan_table {
	struct vxlan_entry *e;
	size_t nbuckets;
	uint64_t expire;
	uint64_t learned, moved, evicted;
};

/* vxlan_table_init() - allocate for at least @entries MACs. 0 or -ENOMEM
 * / -EINVAL. */
int vxlan_table_init(struct vxlan_table *t, size_t entries, uint64_t expire);
void vxlan_table_free(struct vxlan_table *t);

/* vxlan_learn() - @mac (a unicast source) was seen behind @from at @now.
 * Multicast sources are ignored. A MAC seen behind another VTEP moves at
 * once (its host moved). */
void vxlan_learn(struct vxlan_table *t, const uint8_t mac[6], const struct vxlan_addr *from,
		 uint64_t now);

/* vxlan_lookup() - the VTEP behind @mac, or NULL (unknown or aged out:
 * flood). */
const struct vxlan_addr *vxlan_lookup(const struct vxlan_table *t, const uint8_t mac[6],
				      uint64_t now);

/* vxlan_forget() - drop every entry behind @from (vxvde's goodbye). */
void vxlan_forget(struct vxlan_table *t, const struct vxlan_addr *from);

#endif
