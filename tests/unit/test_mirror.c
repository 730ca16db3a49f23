// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_mirror.c - port mirroring: session set-up and its error
 * codes, the decision of mirror_match(), and forward_frame() with
 * sessions: copies are the received bytes (tag as on ingress), one copy
 * per monitor even for frames also flooded there, a monitor's own frames
 * are neither forwarded nor learned nor mirrored, filters by source port
 * (received on it or sent to it, unicast or flooded) and by VLAN, VLAN
 * drops and runts are not mirrored, inactive monitors get nothing, hub
 * mode, two sessions at once, counters and removal */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "forward.h"
#include "mirror.h"
#include "fwdrec.h"
#include "tap.h"
#include "vlan.h"

static uint8_t frame[FWD_FRAME_MAX];
static uint8_t alt[FWD_ALT_SIZE];

/* dst, src (last byte), optional tag (tci < 0: none), payload to @len */
static size_t mk(uint8_t dst_last, uint8_t src_last, int tci, size_t len)
{
	return fwd_mkframe(frame, dst_last, src_last, tci, len, 7);
}

static unsigned copies_to(const struct fwd_rec *r, unsigned port)
{
	unsigned i, c = 0;

	for (i = 0; i < r->n && i < FWD_REC_MAX; i++)
		c += r->port[i] == port;
	return c;
}

/* The copy to @port is the received frame itself: same bytes, same length. */
static bool exact(const struct fwd_rec *r, unsigned port, size_t len)
{
	unsigned i;

	for (i = 0; i < r->n && i < FWD_REC_MAX; i++)
		if (r->port[i] == port)
			return r->ptr[i] == frame && r->len[i] == len;
	return false;
}

static void tx(struct fwd_ctx *fc, struct fwd_rec *r, unsigned in, size_t len, uint64_t t)
{
	memset(r, 0, sizeof(*r));
	forward_frame(fc, in, frame, len, alt, t);
}

static const uint8_t mac_of[6] = { 2, 0, 0, 0, 0, 6 };

int main(void)
{
	struct port_table pt;
	struct fdb fdb;
	struct fwd_ctx fc;
	struct mirror m;
	struct mirror_session *s;
	struct fwd_rec r;
	char d[32];
	uint64_t t = 1000 * FDB_NSEC;
	unsigned p;

	/* ---- sessions ---- */
	memset(&m, 0, sizeof(m));
	ok(port_table_init(&pt, 20) == 0, "table of 20 ports");
	ok(mirror_set(&m, &pt, 3, MIRROR_ALL, 0) == ENXIO, "monitor must exist: ENXIO (1006)");
	for (p = 1; p <= 20; p++)
		pt.v[p].exists = true;
	ok(mirror_set(&m, &pt, 0, MIRROR_ALL, 0) == EINVAL, "port 0 cannot be a monitor");
	ok(mirror_set(&m, &pt, 21, MIRROR_ALL, 0) == EINVAL, "monitor out of range: EINVAL");
	ok(mirror_set(&m, &pt, 3, MIRROR_PORT, 3) == EINVAL, "source == monitor: EINVAL");
	ok(mirror_set(&m, &pt, 3, MIRROR_PORT, 21) == EINVAL, "source out of range: EINVAL");
	ok(mirror_set(&m, &pt, 3, MIRROR_PORT, 0) == ENXIO, "source must exist: ENXIO");
	ok(mirror_set(&m, &pt, 3, MIRROR_VLAN, 4095) == EINVAL, "VLAN 4095: EINVAL");
	ok(m.n == 0 && !mirror_is_monitor(&m, 3), "no session after errors");
	ok(mirror_set(&m, &pt, 3, MIRROR_VLAN, 4094) == 0 && m.n == 1 &&
	   mirror_is_monitor(&m, 3) && !mirror_is_monitor(&m, 4), "VLAN 4094 session");
	ok(!mirror_is_monitor(NULL, 3), "no mirror table: no monitor");
	s = mirror_find(&m, 3);
	s->frames = 5;
	ok(mirror_set(&m, &pt, 3, MIRROR_PORT, 20) == 0 && m.n == 1 && s == mirror_find(&m, 3) &&
	   s->filter == MIRROR_PORT && s->src == 20 && s->frames == 0,
	   "setmirror again replaces the filter, counters zeroed");
	ok(mirror_src_mask(&m, 20) == 1U << (unsigned)(s - m.s) && mirror_src_mask(&m, 6) == 0 &&
	   mirror_src_mask(NULL, 20) == 0, "source mask");
	for (p = 4; p <= 18; p++)
		ok(mirror_set(&m, &pt, p, MIRROR_ALL, 0) == 0, "session %u", p);
	ok(m.n == MIRROR_MAX, "%d sessions", MIRROR_MAX);
	ok(mirror_set(&m, &pt, 19, MIRROR_ALL, 0) == ENOSPC, "one more: ENOSPC");
	ok(mirror_set(&m, &pt, 18, MIRROR_VLAN, 5) == 0, "but an existing monitor can change");
	ok(mirror_del(&m, 18) == 0 && mirror_del(&m, 18) == ENXIO && m.n == MIRROR_MAX - 1 &&
	   !mirror_is_monitor(&m, 18), "delmirror, twice: ENXIO");
	ok(mirror_set(&m, &pt, 19, MIRROR_PORT, 20) == 0, "a free slot again");
	mirror_forget_port(&m, 20);
	ok(!mirror_find(&m, 3) && !mirror_find(&m, 19) && mirror_find(&m, 4) &&
	   m.n == MIRROR_MAX - 2 && mirror_src_mask(&m, 20) == 0 && !mirror_is_monitor(&m, 3),
	   "removing a source port ends its sessions");
	mirror_forget_port(&m, 4);
	ok(!mirror_find(&m, 4) && !mirror_is_monitor(&m, 4), "removing a monitor ends its session");
	ok(!strcmp(mirror_describe(mirror_find(&m, 5), d, sizeof(d)), "all frames"), "describe all");
	mirror_find(&m, 5)->drops = 3;
	mirror_count_drop(&m, 5);
	mirror_count_drop(&m, 2);
	ok(mirror_find(&m, 5)->drops == 4, "queue drop counted on the monitor's session only");
	mirror_reset_counters(&m, 5);
	ok(mirror_find(&m, 5)->drops == 0, "reset one session");
	port_table_free(&pt);

	/* ---- the decision ---- */
	{
		struct mirror_session a = { .used = true, .filter = MIRROR_ALL };
		struct mirror_session sp = { .used = true, .filter = MIRROR_PORT, .src = 2 };
		struct mirror_session sv = { .used = true, .filter = MIRROR_VLAN, .vid = 10 };

		ok(mirror_match(&a, 1, 0, false) && mirror_match(&a, 9, 4094, false), "all: always");
		ok(mirror_match(&sp, 2, 0, false) && mirror_match(&sp, 1, 0, true) &&
		   !mirror_match(&sp, 1, 0, false), "port: received on it or sent to it");
		ok(mirror_match(&sv, 1, 10, false) && !mirror_match(&sv, 1, 11, true),
		   "VLAN: that VLAN only");
		ok(!strcmp(mirror_describe(&sp, d, sizeof(d)), "port 0002") &&
		   !strcmp(mirror_describe(&sv, d, sizeof(d)), "VLAN 0010"), "describe");
	}

	/* ---- forwarding: 1,2 access VLAN 10; 3 access VLAN 20; 4 tagged 10+20
	 * (no untagged VLAN); 5 access VLAN 0; 6 and 7 access VLAN 0 (monitors
	 * later) ---- */
	memset(&m, 0, sizeof(m));
	ok(port_table_init(&pt, 8) == 0 && fdb_init(&fdb, 64, 256) == 0, "table, fdb");
	ok(vlan_create(&pt, 10) == 0 && vlan_create(&pt, 20) == 0, "VLANs 10, 20");
	fwd_vlan_ports(&pt, 7);
	memset(&fc, 0, sizeof(fc));
	fc.pt = &pt;
	fc.fdb = &fdb;
	fc.emit = fwd_emit;
	fc.arg = &r;
	fc.mirror = &m;

	tx(&fc, &r, 5, mk(0xff, 5, -1, 60), t);
	ok(fwd_mask(&r) == (1U << 6 | 1U << 7), "no session: VLAN 0 bcast to 6, 7 (got %#x)", fwd_mask(&r));
	tx(&fc, &r, 6, mk(0xff, 6, -1, 60), t);
	ok(fwd_mask(&r) == (1U << 5 | 1U << 7) && fdb_find(&fdb, mac_of, 0),
	   "port 6 is a normal port before setmirror");

	ok(mirror_set(&m, &pt, 6, MIRROR_ALL, 0) == 0, "setmirror 6");
	fdb_flush_port(&fdb, 6);
	tx(&fc, &r, 1, mk(0xff, 1, -1, 60), t);
	ok(fwd_mask(&r) == (1U << 2 | 1U << 4 | 1U << 6) && exact(&r, 6, 60) && r.n == 3,
	   "bcast VLAN 10: 2, 4 and an exact copy to 6 (got %#x)", fwd_mask(&r));
	tx(&fc, &r, 4, mk(0xff, 4, 0xa00a, 64), t);
	ok(fwd_mask(&r) == (1U << 1 | 1U << 2 | 1U << 6) && exact(&r, 6, 64) && r.len[0] == 60,
	   "tagged PCP 5 from 4: stripped for 1, 2; 6 gets it with its tag (got %#x)", fwd_mask(&r));
	tx(&fc, &r, 5, mk(0xff, 5, -1, 60), t);
	ok(fwd_mask(&r) == (1U << 7 | 1U << 6) && copies_to(&r, 6) == 1 && exact(&r, 6, 60),
	   "VLAN 0 bcast: the monitor, a VLAN 0 member, gets one copy only");
	tx(&fc, &r, 6, mk(0xff, 6, -1, 60), t);
	ok(r.n == 0 && mirror_find(&m, 6)->rxdrops == 1, "the monitor's frames go nowhere");
	ok(!fdb_find(&fdb, mac_of, 0), "and are not learned");
	tx(&fc, &r, 2, mk(1, 2, -1, 60), t);
	ok(fwd_mask(&r) == (1U << 1 | 1U << 6) && exact(&r, 6, 60),
	   "known unicast 2 -> 1 copied (got %#x)", fwd_mask(&r));
	tx(&fc, &r, 1, mk(2, 1, -1, 60), t);
	tx(&fc, &r, 1, mk(2, 9, -1, 60), t);
	ok(fwd_mask(&r) == (1U << 2 | 1U << 6), "unicast 1 -> 2 copied");
	tx(&fc, &r, 2, mk(9, 2, -1, 60), t);
	ok(fwd_mask(&r) == (1U << 1 | 1U << 6), "unicast 2 -> 9 (9 learned on 1)");
	tx(&fc, &r, 1, mk(9, 1, -1, 60), t);
	ok(fwd_mask(&r) == 1U << 6 && fc.st.loop == 1,
	   "destination on the ingress port: not forwarded but copied");
	tx(&fc, &r, 3, mk(0xff, 3, 0x000a, 64), t);
	ok(r.n == 0, "VLAN drop: not copied");
	tx(&fc, &r, 1, mk(0xff, 1, -1, 13), t);
	ok(r.n == 0, "runt: not copied");
	tx(&fc, &r, 4, mk(0xff, 4, 0x0014, FWD_FRAME_MAX), t);
	ok(fwd_mask(&r) == (1U << 3 | 1U << 6) && exact(&r, 6, FWD_FRAME_MAX) &&
	   r.len[0] == FWD_FRAME_MAX - 4, "jumbo tagged frame: exact copy");
	s = mirror_find(&m, 6);
	ok(s->frames == 9 && s->bytes == 60 * 7 + 64 + FWD_FRAME_MAX && s->drops == 0,
	   "counters: %llu frames %llu bytes", (unsigned long long)s->frames,
	   (unsigned long long)s->bytes);
	pt.v[6].nep = 0;
	tx(&fc, &r, 1, mk(0xff, 1, -1, 60), t);
	ok(fwd_mask(&r) == (1U << 2 | 1U << 4) && s->frames == 9, "inactive monitor: no copy");
	pt.v[6].nep = 1;

	/* source port filter */
	ok(mirror_set(&m, &pt, 6, MIRROR_PORT, 1) == 0, "setmirror 6 1");
	tx(&fc, &r, 2, mk(1, 2, -1, 60), t);
	ok(fwd_mask(&r) == (1U << 1 | 1U << 6) && exact(&r, 6, 60), "unicast to port 1 copied");
	tx(&fc, &r, 2, mk(0xff, 2, -1, 60), t);
	ok(fwd_mask(&r) == (1U << 1 | 1U << 4 | 1U << 6), "bcast flooded to port 1 copied");
	tx(&fc, &r, 1, mk(0xff, 1, -1, 60), t);
	ok(fwd_mask(&r) == (1U << 2 | 1U << 4 | 1U << 6), "bcast from port 1 copied");
	tx(&fc, &r, 4, mk(2, 4, 0x000a, 64), t);
	ok(fwd_mask(&r) == 1U << 2, "unicast 4 -> 2 not copied (got %#x)", fwd_mask(&r));
	tx(&fc, &r, 3, mk(0xff, 3, -1, 60), t);
	ok(fwd_mask(&r) == 1U << 4, "VLAN 20 bcast not copied");
	tx(&fc, &r, 5, mk(0xff, 5, -1, 60), t);
	ok(fwd_mask(&r) == 1U << 7, "VLAN 0 bcast: monitor 6 is no egress, not copied");

	/* VLAN filter */
	ok(mirror_set(&m, &pt, 6, MIRROR_VLAN, 20) == 0, "setmirror 6 vlan=20");
	tx(&fc, &r, 3, mk(0xff, 3, -1, 60), t);
	ok(fwd_mask(&r) == (1U << 4 | 1U << 6) && exact(&r, 6, 60), "VLAN 20 untagged copied as is");
	tx(&fc, &r, 4, mk(0xff, 4, 0x2014, 64), t);
	ok(fwd_mask(&r) == (1U << 3 | 1U << 6) && exact(&r, 6, 64), "VLAN 20 tagged copied tagged");
	tx(&fc, &r, 1, mk(0xff, 1, -1, 60), t);
	ok(fwd_mask(&r) == (1U << 2 | 1U << 4), "VLAN 10 not copied");

	/* two sessions */
	ok(mirror_set(&m, &pt, 7, MIRROR_ALL, 0) == 0, "setmirror 7");
	fdb_flush_port(&fdb, 7);
	tx(&fc, &r, 3, mk(0xff, 3, -1, 60), t);
	ok(fwd_mask(&r) == (1U << 4 | 1U << 6 | 1U << 7) && copies_to(&r, 6) == 1 &&
	   copies_to(&r, 7) == 1, "two monitors, one copy each");
	tx(&fc, &r, 5, mk(0xff, 5, -1, 60), t);
	ok(fwd_mask(&r) == 1U << 7 && exact(&r, 7, 60), "monitor 6 filters VLAN 20 out; 7 copies");
	tx(&fc, &r, 7, mk(0xff, 7, -1, 60), t);
	ok(r.n == 0, "monitor 7's frames go nowhere, not even to monitor 6");

	/* hub mode */
	pt.hub = true;
	ok(mirror_set(&m, &pt, 6, MIRROR_PORT, 2) == 0 && mirror_del(&m, 7) == 0,
	   "hub, setmirror 6 2");
	tx(&fc, &r, 1, mk(0xff, 1, -1, 60), t);
	ok(fwd_mask(&r) == (1U << 2 | 1U << 3 | 1U << 4 | 1U << 5 | 1U << 7 | 1U << 6) &&
	   copies_to(&r, 6) == 1 && exact(&r, 6, 60), "hub: to all, monitor a copy (got %#x)",
	   fwd_mask(&r));
	ok(mirror_set(&m, &pt, 6, MIRROR_VLAN, 10) == 0, "hub, setmirror 6 vlan=10");
	tx(&fc, &r, 5, mk(0xff, 5, 0x000a, 64), t);
	ok(copies_to(&r, 6) == 1, "hub: VLAN filter on the tag's VID");
	tx(&fc, &r, 5, mk(0xff, 5, -1, 60), t);
	ok(copies_to(&r, 6) == 0, "hub: untagged on a VLAN 0 port not in VLAN 10");
	tx(&fc, &r, 6, mk(0xff, 6, -1, 60), t);
	ok(r.n == 0, "hub: the monitor's frames go nowhere");
	pt.hub = false;

	/* removal */
	ok(mirror_del(&m, 6) == 0 && m.n == 0, "delmirror 6");
	tx(&fc, &r, 1, mk(0xff, 1, -1, 60), t);
	ok(fwd_mask(&r) == (1U << 2 | 1U << 4), "no more copies");
	tx(&fc, &r, 5, mk(0xff, 5, -1, 60), t);
	ok(fwd_mask(&r) == (1U << 6 | 1U << 7) && copies_to(&r, 6) == 1, "6 a normal port again");
	fc.mirror = NULL;
	tx(&fc, &r, 5, mk(0xff, 5, -1, 60), t);
	ok(fwd_mask(&r) == (1U << 6 | 1U << 7), "no mirror table at all");

	fdb_free(&fdb);
	port_table_free(&pt);
	return tap_done();
}
