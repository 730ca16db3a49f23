// SPDX-License-Identifier: LGPL-2.1-or-later
/* lib/vdeplug/vxlan.c - VXLAN pure core (see vxlan.h)
 *
 * Theory of operation
 *
 * Header (RFC 7348 section 5): byte 0 flags with only I (0x08) set, bytes
 * 1-3 reserved, bytes 4-6 the VNI, byte 7 reserved. As the Linux kernel
 * does, a packet whose reserved bits are not zero is not ours to guess at:
 * it is dropped (counted), like one without the I flag or of another VNI.
 *
 * Flow entropy: the kernel picks the outer UDP source port from a hash of
 * the inner flow so that ECMP spreads flows and keeps each in order; the
 * module maps vxlan_flow_hash() onto its pool of source sockets.
 *
 * VTEP table: MAC -> underlay address of the VTEP it was last seen behind,
 * with the time of that frame. A lookup of an entry older than expire
 * misses (the frame is flooded, and the next frame from the MAC re-learns
 * it), so a host that moved is found again after at most expire seconds
 * even if it is silent towards us; a frame from it moves it at once.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ether.h"
#include "vxlan.h"

void vxlan_hdr_put(uint8_t hdr[VXLAN_HDRLEN], uint32_t vni)
{
	hdr[0] = VXLAN_FLAG_I;
	hdr[1] = hdr[2] = hdr[3] = 0;
	hdr[4] = (uint8_t)(vni >> 16);
	hdr[5] = (uint8_t)(vni >> 8);
	hdr[6] = (uint8_t)vni;
	hdr[7] = 0;
}

enum vxlan_rx vxlan_check(const uint8_t *hdr, size_t len, uint32_t vni)
{
	uint32_t got;

	if (len < VXLAN_HDRLEN)
		return VXLAN_RX_SHORT;
	if (hdr[0] != VXLAN_FLAG_I || hdr[1] || hdr[2] || hdr[3] || hdr[7])
		return VXLAN_RX_FLAGS;
	got = (uint32_t)hdr[4] << 16 | (uint32_t)hdr[5] << 8 | hdr[6];
	if (got != (vni & VXLAN_VNI_MAX))
		return VXLAN_RX_VNI;
	if (len == VXLAN_HDRLEN)
		return VXLAN_RX_EMPTY;
	if (len - VXLAN_HDRLEN < ETH_HDRLEN)
		return VXLAN_RX_RUNT;
	return VXLAN_RX_OK;
}

static uint32_t mix(uint32_t h, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {	/* FNV-1a */
		h ^= p[i];
		h *= 16777619U;
	}
	return h;
}

uint32_t vxlan_flow_hash(const uint8_t *f, size_t len)
{
	uint32_t h = 2166136261U;
	size_t off = ETH_HDRLEN, l4 = 0;
	uint16_t type;
	uint8_t proto = 0;

	if (len < ETH_HDRLEN)
		return mix(h, f, len);
	h = mix(h, f, 12);
	type = get_be16(f + 12);
	if (type == ETH_P_8021Q_ && len >= ETH_HDRLEN + VLAN_TAGLEN) {
		h = mix(h, f + 14, 2);
		type = get_be16(f + 16);
		off += VLAN_TAGLEN;
	}
	h = mix(h, f + off - 2, 2);
	if (type == 0x0800 && len >= off + 20 && (f[off] >> 4) == 4) {
		size_t ihl = (size_t)(f[off] & 0x0f) * 4;

		proto = f[off + 9];
		h = mix(h, f + off + 12, 8);			/* addresses */
		h = mix(h, &proto, 1);
		/* no ports in fragments: MF set or an offset */
		if (ihl >= 20 && !(get_be16(f + off + 6) & 0x3fff))
			l4 = off + ihl;
	} else if (type == 0x86dd && len >= off + 40) {
		proto = f[off + 6];
		h = mix(h, f + off + 8, 32);
		h = mix(h, &proto, 1);
		h = mix(h, f + off + 1, 3);			/* flow label */
		l4 = off + 40;
	}
	if (l4 && (proto == 6 || proto == 17 || proto == 132) && len >= l4 + 4)
		h = mix(h, f + l4, 4);
	/* final avalanche so that nearby inputs use all bits */
	h ^= h >> 16;
	h *= 0x85ebca6bU;
	h ^= h >> 13;
	return h;
}

bool vxlan_addr_eq(const struct vxlan_addr *a, const struct vxlan_addr *b)
{
	return a->family == b->family && a->port == b->port && !memcmp(a->ip, b->ip, 16);
}

int vxlan_table_init(struct vxlan_table *t, size_t entries, uint64_t expire)
{
	size_t n = 1;

	memset(t, 0, sizeof(*t));
	if (entries == 0 || entries > (1U << 24))
		return -EINVAL;
	while (n * VXLAN_TABLE_WAYS < entries)
		n <<= 1;
	t->e = calloc(n * VXLAN_TABLE_WAYS, sizeof(*t->e));
	if (!t->e)
		return -ENOMEM;
	t->nbuckets = n;
	t->expire = expire;
	return 0;
}

void vxlan_table_free(struct vxlan_table *t)
{
	free(t->e);
	t->e = NULL;
	t->nbuckets = 0;
}

static struct vxlan_entry *bucket(const struct vxlan_table *t, const uint8_t mac[6])
{
	uint32_t h = mix(2166136261U, mac, 6);

	h ^= h >> 15;
	h *= 0x2c1b3c6dU;
	h ^= h >> 12;
	return &t->e[(h & (t->nbuckets - 1)) * VXLAN_TABLE_WAYS];
}

static bool fresh(const struct vxlan_table *t, const struct vxlan_entry *e, uint64_t now)
{
	return e->used && (now < e->seen || now - e->seen <= t->expire);
}

void vxlan_learn(struct vxlan_table *t, const uint8_t mac[6], const struct vxlan_addr *from,
		 uint64_t now)
{
	struct vxlan_entry *b, *victim = NULL;
	size_t i;

	if (!t->e || eth_is_multicast(mac))
		return;
	b = bucket(t, mac);
	for (i = 0; i < VXLAN_TABLE_WAYS; i++) {
		struct vxlan_entry *e = &b[i];

		if (e->used && !memcmp(e->mac, mac, 6)) {
			if (!vxlan_addr_eq(&e->addr, from)) {
				e->addr = *from;
				t->moved++;
			}
			e->seen = now;
			return;
		}
	}
	for (i = 0; i < VXLAN_TABLE_WAYS; i++) {
		struct vxlan_entry *e = &b[i];

		if (!fresh(t, e, now)) {
			victim = e;
			break;
		}
		if (!victim || e->seen < victim->seen)
			victim = e;
	}
	if (fresh(t, victim, now))
		t->evicted++;
	memcpy(victim->mac, mac, 6);
	victim->addr = *from;
	victim->seen = now;
	victim->used = true;
	t->learned++;
}

const struct vxlan_addr *vxlan_lookup(const struct vxlan_table *t, const uint8_t mac[6],
				      uint64_t now)
{
	const struct vxlan_entry *b;
	size_t i;

	if (!t->e || eth_is_multicast(mac))
		return NULL;
	b = bucket(t, mac);
	for (i = 0; i < VXLAN_TABLE_WAYS; i++)
		if (b[i].used && !memcmp(b[i].mac, mac, 6))
			return fresh(t, &b[i], now) ? &b[i].addr : NULL;
	return NULL;
}

void vxlan_forget(struct vxlan_table *t, const struct vxlan_addr *from)
{
	size_t i;

	for (i = 0; t->e && i < t->nbuckets * VXLAN_TABLE_WAYS; i++)
		if (t->e[i].used && vxlan_addr_eq(&t->e[i].addr, from))
			t->e[i].used = false;
}
