// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_vlan.c - the VLAN model and decision: vlan/create,
 * remove, addport, delport and port/setvlan with VDE 2's error codes;
 * ingress classification; forward_frame() egress forms (tag inserted with
 * TCI = VID, stripped, or passed with its PCP), isolation of broadcast,
 * unknown and known unicast, a MAC present in two VLANs, trunk ports,
 * 1522-byte and jumbo tagged frames, drop counters and the drop callback */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "forward.h"
#include "fwdrec.h"
#include "tap.h"
#include "vlan.h"

static uint8_t frame[FWD_FRAME_MAX];
static uint8_t alt[FWD_ALT_SIZE];

/* dst, src (last byte), optional tag (tci < 0: none), payload to @len */
static size_t mk(uint8_t dst_last, uint8_t src_last, int tci, size_t len)
{
	return fwd_mkframe(frame, dst_last, src_last, tci, len, 1);
}

static int idx(const struct fwd_rec *r, unsigned port)
{
	unsigned i;

	for (i = 0; i < r->n && i < FWD_REC_MAX; i++)
		if (r->port[i] == port)
			return (int)i;
	return -1;
}

static void tx(struct fwd_ctx *fc, struct fwd_rec *r, unsigned in, size_t len, uint64_t t)
{
	memset(r, 0, sizeof(*r));
	forward_frame(fc, in, frame, len, alt, t);
}

int main(void)
{
	struct port_table pt;
	struct fdb fdb;
	struct fwd_ctx fc;
	struct fwd_rec r;
	uint16_t vid = 0;
	bool tagged = false;
	uint64_t t = 1000 * FDB_NSEC;
	int i;

	/* ---- configuration, VDE 2's answers ---- */
	ok(port_table_init(&pt, 8) == 0, "table");
	ok(vlan_exists(&pt, 0) && !vlan_exists(&pt, 5), "VLAN 0 exists at start");
	ok(vlan_create(&pt, 0) == EINVAL && vlan_create(&pt, 4094) == EINVAL &&
	   vlan_create(&pt, 4095) == EINVAL, "create outside 1..4093");
	ok(vlan_create(&pt, 5) == 0 && vlan_create(&pt, 5) == EEXIST &&
	   vlan_create(&pt, 4093) == 0, "create 5, 4093; twice EEXIST");
	ok(vlan_addport(&pt, 5, 3) == ENXIO, "addport to an absent port");
	ok(port_create(&pt, 3) == 0 && port_create(&pt, 4) == 0, "ports 3, 4");
	ok(vlan_addport(&pt, 6, 3) == ENXIO, "addport to an absent VLAN");
	ok(vlan_addport(&pt, 4094, 3) == EINVAL && vlan_addport(&pt, 5, 9) == EINVAL &&
	   vlan_delport(&pt, 4095, 3) == EINVAL && vlan_delport(&pt, 5, 9) == EINVAL,
	   "addport/delport: VLAN or port out of range: EINVAL");
	ok(vlan_addport(&pt, 5, 3) == 0 && vlan_addport(&pt, 5, 3) == 0 &&
	   port_vlan_tagged(&pt.v[3], 5), "addport twice is fine");
	ok(vlan_addport(&pt, 0, 3) == 0 && !port_vlan_tagged(&pt.v[3], 0) &&
	   port_vlan_member(&pt.v[3], 0), "addport of the untagged VLAN: no-op");
	ok(vlan_remove(&pt, 5) == EADDRINUSE && vlan_remove(&pt, 0) == EADDRINUSE,
	   "remove a used VLAN: EADDRINUSE (1098)");
	ok(vlan_remove(&pt, 4095) == EINVAL && vlan_remove(&pt, 6) == ENXIO, "remove: bad, absent");
	ok(vlan_remove(&pt, 4093) == 0 && !vlan_exists(&pt, 4093), "remove an unused VLAN");
	ok(vlan_setport(&pt, 9, 0) == EINVAL && vlan_setport(&pt, 5, 0) == ENXIO &&
	   vlan_setport(&pt, 3, 7) == ENXIO && vlan_setport(&pt, 3, 4094) == ENXIO,
	   "setvlan: port out of range, absent port, absent VLAN");
	ok(vlan_setport(&pt, 3, 5) == 0 && pt.v[3].untagged_vlan == 5 &&
	   !port_vlan_tagged(&pt.v[3], 5) && !port_vlan_member(&pt.v[3], 0),
	   "setvlan 3 5: untagged in 5, out of 0");
	ok(vlan_delport(&pt, 5, 3) == EADDRINUSE, "delport of the untagged VLAN: 1098");
	ok(vlan_delport(&pt, 0, 3) == 0, "delport of a non-member: success (VDE 2)");
	ok(vlan_setport(&pt, 3, VLAN_NONE) == 0 && !port_vlan_member(&pt.v[3], 5) &&
	   !port_vlan_member(&pt.v[3], VLAN_NONE), "setvlan 4095: no untagged VLAN");
	ok(vlan_remove(&pt, 5) == 0, "VLAN 5 unused once the port left it");
	pt.v[4].trunk = true;
	ok(port_vlan_tagged(&pt.v[4], 77) && port_vlan_tagged(&pt.v[4], 4094) &&
	   !port_vlan_tagged(&pt.v[4], 4095) && !port_vlan_tagged(&pt.v[4], 0) &&
	   port_vlan_member(&pt.v[4], 0), "trunk: every VLAN tagged, its untagged one untagged");
	ok(vlan_create(&pt, 77) == 0 && vlan_remove(&pt, 77) == 0, "a trunk does not hold a VLAN");
	port_table_free(&pt);

	/* ---- ingress classification ---- */
	ok(port_table_init(&pt, 8) == 0, "table");
	mk(0xff, 1, -1, 60);
	ok(vlan_ingress(&pt.v[1], frame, 60, &vid, &tagged) && vid == 0 && !tagged,
	   "untagged on an access port: its VLAN");
	mk(0xff, 1, 0xa00a, 60);
	ok(!vlan_ingress(&pt.v[1], frame, 60, &vid, &tagged) && tagged && vid == 10,
	   "tagged for a foreign VLAN: drop");
	mk(0xff, 1, 0xe000, 60);
	ok(vlan_ingress(&pt.v[1], frame, 60, &vid, &tagged) && vid == 0 && tagged,
	   "tagged VLAN 0 on a VLAN 0 port (PCP ignored)");
	mk(0xff, 1, 0x0fff, 60);
	pt.v[1].trunk = true;
	ok(!vlan_ingress(&pt.v[1], frame, 60, &vid, &tagged), "VID 4095 never, even on a trunk");
	pt.v[1].trunk = false;
	pt.v[1].untagged_vlan = VLAN_NONE;
	mk(0xff, 1, -1, 60);
	ok(!vlan_ingress(&pt.v[1], frame, 60, &vid, &tagged), "untagged, no untagged VLAN: drop");
	mk(0xff, 1, 0x000a, 60);
	ok(!vlan_ingress(&pt.v[1], frame, 17, &vid, &tagged), "truncated tag: drop");
	port_table_free(&pt);

	/* ---- forwarding: 1,2 access VLAN 10; 3 access VLAN 20; 4 tagged 10+20
	 * (untagged none); 5 trunk (untagged 0); 6 access VLAN 0 ---- */
	ok(port_table_init(&pt, 8) == 0 && fdb_init(&fdb, 64, 256) == 0, "table, fdb");
	ok(vlan_create(&pt, 10) == 0 && vlan_create(&pt, 20) == 0, "VLANs 10, 20");
	fwd_vlan_ports(&pt, 6);
	pt.v[5].trunk = true;
	memset(&fc, 0, sizeof(fc));
	fc.pt = &pt;
	fc.fdb = &fdb;
	fc.emit = fwd_emit;
	fc.vlan_drop = fwd_drop;
	fc.arg = &r;

	tx(&fc, &r, 1, mk(0xff, 1, -1, 60), t);
	ok(fwd_mask(&r) == (1U << 2 | 1U << 4 | 1U << 5), "bcast VLAN 10: 2, 4, 5 only (got %#x)",
	   fwd_mask(&r));
	i = idx(&r, 2);
	ok(i >= 0 && r.len[i] == 60 && !memcmp(r.b[i], frame, 60), "access member: untagged as is");
	i = idx(&r, 4);
	ok(i >= 0 && r.len[i] == 64 && r.b[i][12] == 0x81 && r.b[i][13] == 0 &&
	   r.b[i][14] == 0x00 && r.b[i][15] == 10 && !memcmp(r.b[i] + 16, frame + 12, 48),
	   "tagged member: tag inserted, TCI = VID (8100 000a)");
	i = idx(&r, 5);
	ok(i >= 0 && r.len[i] == 64 && r.b[i][15] == 10, "trunk: tagged");

	tx(&fc, &r, 3, mk(0xff, 3, -1, 60), t);
	ok(fwd_mask(&r) == (1U << 4 | 1U << 5), "bcast VLAN 20: 4, 5 only");
	tx(&fc, &r, 6, mk(0xff, 6, -1, 60), t);
	ok(fwd_mask(&r) == (1U << 5), "bcast VLAN 0: the trunk only (its untagged VLAN)");
	i = idx(&r, 5);
	ok(i >= 0 && r.len[i] == 60, "trunk's untagged VLAN: untagged");

	/* PCP preserved tagged to tagged, stripped for access */
	tx(&fc, &r, 4, mk(0xff, 4, 0xa00a, 100), t);
	ok(fwd_mask(&r) == (1U << 1 | 1U << 2 | 1U << 5), "tagged 10 from 4: 1, 2, 5");
	i = idx(&r, 5);
	ok(i >= 0 && r.len[i] == 100 && r.b[i][14] == 0xa0 && r.b[i][15] == 0x0a,
	   "tagged to trunk: original TCI (PCP 5) kept");
	i = idx(&r, 1);
	ok(i >= 0 && r.len[i] == 96 && r.b[i][12] == 0x88 && r.b[i][13] == 0xb5 &&
	   !memcmp(r.b[i] + 12, frame + 16, 48), "tagged to access: tag stripped");

	/* not a member: counted, reported */
	tx(&fc, &r, 3, mk(0xff, 3, 0x000a, 60), t);
	ok(r.n == 0 && r.drops == 1 && r.drop_tagged && r.drop_vid == 10 &&
	   pt.v[3].c.drop_vlan == 1 && fc.st.vlan == 1, "tag 10 on a VLAN 20 port: dropped, counted");
	tx(&fc, &r, 4, mk(0xff, 4, -1, 60), t);
	ok(r.n == 0 && r.drops == 1 && !r.drop_tagged && pt.v[4].c.drop_vlan == 1,
	   "untagged on a port with no untagged VLAN: dropped");
	tx(&fc, &r, 5, mk(0xff, 5, 0x0fff, 60), t);
	ok(r.n == 0 && pt.v[5].c.drop_vlan == 1, "VID 4095 on a trunk: dropped");

	/* known unicast: a MAC learned in VLAN 10 on port 1 is unknown in 20 */
	tx(&fc, &r, 3, mk(1, 3, -1, 60), t);
	ok(fwd_mask(&r) == (1U << 4 | 1U << 5), "MAC of VLAN 10 unknown in VLAN 20: flood 20 only");
	tx(&fc, &r, 2, mk(1, 2, -1, 60), t);
	ok(fwd_mask(&r) == (1U << 1), "known unicast in VLAN 10: port 1 only");
	/* the same MAC in two VLANs on different ports */
	tx(&fc, &r, 3, mk(0xff, 1, -1, 60), t);
	ok(fwd_mask(&r) == (1U << 4 | 1U << 5), "MAC 1 now also seen in VLAN 20 on port 3");
	tx(&fc, &r, 2, mk(1, 2, -1, 60), t);
	ok(fwd_mask(&r) == (1U << 1), "VLAN 10 still sends MAC 1 to port 1");
	tx(&fc, &r, 4, mk(1, 4, 0x0014, 60), t);
	ok(fwd_mask(&r) == (1U << 3) && r.len[0] == 56, "VLAN 20 sends MAC 1 to port 3, untagged");
	tx(&fc, &r, 5, mk(1, 5, 0x200a, 80), t);
	ok(fwd_mask(&r) == (1U << 1) && r.len[0] == 76, "trunk, tag 10: to port 1, stripped");
	/* an uncreated VLAN crosses trunks only */
	pt.v[7].exists = true;
	pt.v[7].nep = 1;
	pt.v[7].trunk = true;
	tx(&fc, &r, 5, mk(0xff, 5, 0x0123, 60), t);
	ok(fwd_mask(&r) == (1U << 7) && r.len[0] == 60 && r.b[0][14] == 0x01 && r.b[0][15] == 0x23,
	   "VLAN 291 (not created): trunk to trunk, as is");

	/* sizes: 1522 tagged (1518 + tag), 1518 untagged gaining a tag, jumbo */
	tx(&fc, &r, 4, mk(0xff, 4, 0x000a, 1522), t);
	ok(fwd_mask(&r) == (1U << 1 | 1U << 2 | 1U << 5 | 1U << 7) &&
	   r.len[idx(&r, 1)] == 1518 && r.len[idx(&r, 5)] == 1522, "1522-byte tagged frame");
	tx(&fc, &r, 1, mk(0xff, 1, -1, 1518), t);
	ok(r.len[idx(&r, 4)] == 1522 && r.len[idx(&r, 2)] == 1518, "1518 untagged -> 1522 tagged");
	tx(&fc, &r, 4, mk(0xff, 4, 0x000a, FWD_FRAME_MAX), t);
	ok(r.len[idx(&r, 1)] == FWD_FRAME_MAX - 4 && r.len[idx(&r, 5)] == FWD_FRAME_MAX,
	   "jumbo tagged frame (9234)");
	tx(&fc, &r, 1, mk(0xff, 1, -1, FWD_FRAME_MAX), t);
	ok(idx(&r, 2) >= 0 && idx(&r, 4) < 0 && fc.st.oversize == 3,
	   "9234 untagged cannot gain a tag: not sent to tagged members (counted)");

	/* hub mode ignores VLANs */
	pt.hub = true;
	tx(&fc, &r, 3, mk(0xff, 3, 0x000a, 60), t);
	ok(fwd_mask(&r) == (1U << 1 | 1U << 2 | 1U << 4 | 1U << 5 | 1U << 6 | 1U << 7),
	   "hub: every port, VLANs ignored");
	fdb_free(&fdb);
	port_table_free(&pt);
	return tap_done();
}
