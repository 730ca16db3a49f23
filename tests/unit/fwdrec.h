/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/fwdrec.h - forward_frame() seen from a unit test (test_vlan,
 * test_mirror): its emit and VLAN-drop callbacks recording what came out,
 * and a test frame builder */
#ifndef VDEKIT_TESTS_FWDREC_H
#define VDEKIT_TESTS_FWDREC_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "vlan.h"

#define FWD_REC_MAX 16

/* what one forward_frame() call did: the first FWD_REC_MAX frames emitted
 * (n counts them all) and its VLAN drops */
struct fwd_rec {
	unsigned n;
	unsigned port[FWD_REC_MAX];
	size_t len[FWD_REC_MAX];
	const uint8_t *ptr[FWD_REC_MAX];	/* the buffer emitted */
	uint8_t b[FWD_REC_MAX][64];		/* its first bytes */
	unsigned drops;
	bool drop_tagged;
	uint16_t drop_vid;
};

/* fwd_ctx.emit, with a struct fwd_rec as @arg */
static inline void fwd_emit(void *arg, unsigned port, const uint8_t *f, size_t len)
{
	struct fwd_rec *r = arg;

	if (r->n < FWD_REC_MAX) {
		r->port[r->n] = port;
		r->len[r->n] = len;
		r->ptr[r->n] = f;
		memcpy(r->b[r->n], f, len < 64 ? len : 64);
	}
	r->n++;
}

/* fwd_ctx.vlan_drop, with a struct fwd_rec as @arg */
static inline void fwd_drop(void *arg, unsigned port, bool tagged, uint16_t vid,
			    const uint8_t *f)
{
	struct fwd_rec *r = arg;

	(void)port;
	(void)f;
	r->drops++;
	r->drop_tagged = tagged;
	r->drop_vid = vid;
}

/* ports 1..@nports exist with one endpoint each; 1 and 2 access VLAN 10,
 * 3 access VLAN 20, 4 tagged in 10 and 20 with no untagged VLAN (VLANs 10
 * and 20 must exist); the others stay in VLAN 0 */
static inline void fwd_vlan_ports(struct port_table *pt, unsigned nports)
{
	unsigned p;

	for (p = 1; p <= nports; p++) {
		pt->v[p].exists = true;
		pt->v[p].nep = 1;
	}
	vlan_setport(pt, 1, 10);
	vlan_setport(pt, 2, 10);
	vlan_setport(pt, 3, 20);
	vlan_setport(pt, 4, VLAN_NONE);
	vlan_addport(pt, 10, 4);
	vlan_addport(pt, 20, 4);
}

/* which ports got a frame, as a bitmask */
static inline unsigned fwd_mask(const struct fwd_rec *r)
{
	unsigned m = 0, i;

	for (i = 0; i < r->n && i < FWD_REC_MAX; i++)
		m |= 1U << r->port[i];
	return m;
}

/* a @len-byte frame in @f: destination 02:00:00:00:00:@dst_last (broadcast
 * for 0xff), source 02:00:00:00:00:@src_last, an 802.1Q tag with @tci
 * unless @tci < 0, EtherType 0x88b5, then byte i = i * @mul; returns @len */
static inline size_t fwd_mkframe(uint8_t *f, uint8_t dst_last, uint8_t src_last, int tci,
				 size_t len, unsigned mul)
{
	size_t i, off = 12;

	memset(f, 0xff, 6);
	if (dst_last != 0xff)
		memcpy(f, (uint8_t[]){ 2, 0, 0, 0, 0, dst_last }, 6);
	memcpy(f + 6, (uint8_t[]){ 2, 0, 0, 0, 0, src_last }, 6);
	if (tci >= 0) {
		f[12] = 0x81;
		f[13] = 0;
		f[14] = (uint8_t)(tci >> 8);
		f[15] = (uint8_t)tci;
		off = 16;
	}
	f[off] = 0x88;
	f[off + 1] = 0xb5;
	for (i = off + 2; i < len; i++)
		f[i] = (uint8_t)(i * mul);
	return len;
}

#endif
