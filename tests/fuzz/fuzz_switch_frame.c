// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/fuzz/fuzz_switch_frame.c - fuzz the switch forwarding pipeline on
 * a fake port table (no sockets)
 *
 * Input: 5 configuration bytes (flags: bit 0 hub, bit 1 port 3 is a trunk,
 * bit 2 port 4 is a mirror monitor whose filter bits 3-4 select (all, a
 * source port from bits 3-7 of the tagged-VLAN byte, a VLAN from bits 2-3
 * of the port 1 byte), bit 5 port 5 is a monitor of all frames;
 * number of ports, active mask, untagged VLAN of port 1, tagged VLAN of
 * port 2) then records
 * [port (bit 7: advance the clock 40 s and sweep the MAC table as the
 * switch's timer does)] [len hi] [len lo] [frame bytes]; a port byte of
 * 0x78..0x7f (bit 7 aside) closes port (byte & 7) instead: its MAC table
 * entries are flushed (none may remain) and the frame bytes are skipped.
 * Invariants checked on every emitted frame: never to the ingress port nor
 * to an inactive one, never to port 0 in hub mode, length within bounds,
 * the egress form matches the port's VLAN membership (untagged member gets
 * no tag, tagged member a tag with the right VID, a received tag passes
 * unchanged, PCP included), the egress port is a member by an independent
 * reading of the configuration (isolation), and the MAC addresses are
 * unchanged; every VLAN drop is reported to the drop callback; a known unicast destination yields at most one copy; a
 * monitor port gets only copies, at most one per frame, each the received
 * frame itself, matching its filter (VLAN, or the source port received or
 * got the frame), a monitor of all frames gets every accepted frame, and
 * a monitor's own frames go nowhere. Flag bit 6 turns the fast spanning
 * tree on (bit 7: port 1 is an edge port of VLAN 0); a record's clock
 * advance is then also a hello tick. With FSTP: a BPDU (truncated ones
 * included) is never forwarded, nothing is forwarded from or to a port
 * FSTP holds discarding, and every BPDU FSTP sends is well formed (53
 * bytes, or 57 with the VID of a tagged member), from the switch MAC, to
 * an active port, never to the edge port; a
 * multicast source is never in the MAC table; no entry points outside the
 * table; drop and emit counters add up.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "forward.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	struct port_table pt;
	struct fdb fdb;
	unsigned in_port;
	const uint8_t *frame;
	size_t len;
	unsigned emits;
	bool tagged_in;
	uint16_t vid;
	uint64_t vlan_drops;
	struct mirror m;
	struct fstp fstp;
	bool edge1;
	unsigned normal;		/* emits that are not mirror copies */
	uint32_t emitted, copied;	/* port bitmasks for this frame */
};

static void on_vlan_drop(void *arg, unsigned port, bool tagged, uint16_t vid, const uint8_t *f)
{
	struct fz *z = arg;

	if (port != z->in_port || f != z->frame)
		abort();
	z->vlan_drops++;
}

/* Membership read straight from the configuration, not via port.h. */
static bool is_member(const struct port *pp, uint16_t vid)
{
	if (vid >= 4095)
		return false;
	return pp->untagged_vlan == vid || pp->trunk || ((pp->tagged[vid / 64] >> (vid % 64)) & 1);
}

static void emit(void *arg, unsigned port, const uint8_t *f, size_t len)
{
	struct fz *z = arg;
	const struct port *pp;
	bool tagged;

	z->emits++;
	if (port >= z->pt.nslots || port == z->in_port || !z->pt.v[port].nep)
		abort();
	if (mirror_is_monitor(&z->m, port)) {
		const struct mirror_session *s = mirror_find(&z->m, port);

		if (!s || f != z->frame || len != z->len || (z->copied >> port & 1))
			abort();
		if (s->filter == MIRROR_VLAN && z->vid != s->vid)
			abort();
		if (s->filter == MIRROR_PORT && z->in_port != s->src && !(z->emitted >> s->src & 1))
			abort();
		z->copied |= 1U << port;
		return;
	}
	if (z->copied)
		abort();	/* copies come after the forwarding */
	if (z->fstp.enabled && (!fstp_forwarding(&z->fstp, z->vid, port) ||
				!fstp_forwarding(&z->fstp, z->vid, z->in_port) ||
				(z->len >= 6 && fstp_is_bpdu(z->frame))))
		abort();
	z->normal++;
	z->emitted |= 1U << port;
	if (len < 14 || len > FWD_FRAME_MAX)
		abort();
	if (memcmp(f, z->frame, 12))
		abort();
	if (z->pt.hub) {
		if (port == 0 || len != z->len || memcmp(f, z->frame, len))
			abort();
		return;
	}
	pp = &z->pt.v[port];
	if (!port_vlan_member(pp, z->vid) || !is_member(pp, z->vid))
		abort();
	tagged = f[12] == 0x81 && f[13] == 0x00;
	if (pp->untagged_vlan == z->vid) {
		if (z->tagged_in ? len != z->len - 4 || memcmp(f + 12, z->frame + 16, len - 12)
				 : len != z->len || memcmp(f, z->frame, len))
			abort();
	} else {
		if (!tagged || len < 16 || ((f[14] << 8 | f[15]) & 0xfff) != z->vid)
			abort();
		if (!z->tagged_in && (len != z->len + 4 || memcmp(f + 16, z->frame + 12, z->len - 12)))
			abort();
		if (z->tagged_in && (len != z->len || memcmp(f, z->frame, len)))
			abort();
	}
}

static const uint8_t sw_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0xfe };

static void bpdu_send(void *arg, unsigned port, const uint8_t *f, size_t len)
{
	struct fz *z = arg;
	const struct port *pp;
	size_t off = len == FSTP_BPDU_LEN + 4 ? 4 : 0;

	if (port >= z->pt.nslots || !z->pt.v[port].nep || (z->edge1 && port == 1))
		abort();
	pp = &z->pt.v[port];
	if ((len != FSTP_BPDU_LEN && !off) || !fstp_is_bpdu(f) || memcmp(f + 6, sw_mac, 6))
		abort();
	if (off && (f[12] != 0x81 || f[13] != 0 || !port_vlan_tagged(pp, (f[14] << 8 | f[15]))))
		abort();
	if (!off && pp->untagged_vlan == VLAN_NONE)
		abort();
	if (f[off + 12] != 0 || f[off + 13] != 0x27 || f[off + 14] != 0x42 || f[off + 19] != 2 ||
	    f[off + 20] != 2)
		abort();
}

static void bpdu_flush(void *arg, uint16_t vid)
{
	struct fz *z = arg;

	fdb_flush_vlan(&z->fdb, vid);
}

static void check_entry(void *arg, size_t b, const struct fdb_entry *e)
{
	struct fz *z = arg;

	if (e->mac[0] & 1 || e->port >= z->pt.nslots || b >= z->fdb.nbuckets)
		abort();
}

static void check_flushed(void *arg, size_t b, const struct fdb_entry *e)
{
	struct fz *z = arg;

	check_entry(arg, b, e);
	if (e->port == z->in_port)
		abort();	/* an entry of the closed port left */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t alt[FWD_ALT_SIZE];
	static uint8_t frame[FWD_FRAME_MAX + 64];
	struct fz z;
	struct fwd_ctx fc;
	uint64_t now = 1000 * FDB_NSEC, before;
	unsigned i, np;
	size_t off = 5;

	if (size < 5)
		return 0;
	memset(&z, 0, sizeof(z));
	np = 1 + data[1] % 8;
	if (port_table_init(&z.pt, np) || fdb_init(&z.fdb, 4, 8))
		abort();
	z.pt.hub = data[0] & 1;
	for (i = 0; i < z.pt.nslots; i++)
		if (data[2] >> (i % 8) & 1) {
			z.pt.v[i].exists = true;
			z.pt.v[i].nep = 1;
		}
	if (np >= 1)
		z.pt.v[1].untagged_vlan = data[3] % 3 == 2 ? VLAN_NONE : data[3] % 3;
	if (np >= 2) {
		unsigned vid = data[4] % 8;

		z.pt.v[2].tagged[vid / 64] |= 1ULL << (vid % 64);
	}
	if (np >= 3)
		z.pt.v[3].trunk = data[0] & 2;
	if (np >= 4 && (data[0] & 4)) {
		unsigned sel = (data[0] >> 3) % 3;

		(void)mirror_set(&z.m, &z.pt, 4, sel == 0 ? MIRROR_ALL : sel == 1 ? MIRROR_PORT :
				 MIRROR_VLAN, sel == 1 ? (data[4] >> 3) % z.pt.nslots : (data[3] >> 2) % 4);
	}
	if (np >= 5 && (data[0] & 0x20))
		(void)mirror_set(&z.m, &z.pt, 5, MIRROR_ALL, 0);
	{
		static const struct fstp_ops ops = { bpdu_send, bpdu_flush, NULL };

		fstp_init(&z.fstp, sw_mac, 0x8000, &ops, &z);
	}
	if ((data[0] & 0x40) && !z.pt.hub) {	/* hub mode excludes FSTP */
		if (data[0] & 0x80) {
			z.edge1 = true;
			(void)fstp_setedge(&z.fstp, 0, 1, true, now);
		}
		if (fstp_enable(&z.fstp, &z.pt, true, now))
			abort();
	}
	memset(&fc, 0, sizeof(fc));
	fc.pt = &z.pt;
	fc.fdb = &z.fdb;
	fc.emit = emit;
	fc.vlan_drop = on_vlan_drop;
	fc.arg = &z;
	fc.mirror = &z.m;
	fc.fstp = &z.fstp;
	while (off + 3 <= size) {
		size_t len = (size_t)data[off + 1] << 8 | data[off + 2];
		uint64_t drops, ingress_drops;
		bool accepted;

		z.in_port = data[off] & 0x7f;
		if (data[off] & 0x80) {
			now += 40 * FDB_NSEC;
			fstp_tick(&z.fstp, now);
			fdb_expire(&z.fdb, now);
		}
		off += 3;
		if (len > size - off)
			len = size - off;
		if (z.in_port >= 0x78) {	/* a port closes */
			z.in_port &= 7;
			fdb_flush_port(&z.fdb, z.in_port);
			fdb_foreach(&z.fdb, check_flushed, &z);
			off += len;
			continue;
		}
		if (len > sizeof(frame))
			len = sizeof(frame);
		memcpy(frame, data + off, len);
		off += len;
		z.frame = frame;
		z.len = len;
		z.tagged_in = len >= 16 && frame[12] == 0x81 && frame[13] == 0;
		z.vid = z.tagged_in ? (uint16_t)((frame[14] << 8 | frame[15]) & 0xfff)
				    : (z.in_port < z.pt.nslots ? z.pt.v[z.in_port].untagged_vlan : 0);
		z.emits = z.normal = 0;
		z.emitted = z.copied = 0;
		before = fc.st.unicast;
		drops = fc.st.runt + fc.st.vlan + fc.st.loop + fc.st.noport;
		ingress_drops = fc.st.runt + fc.st.vlan + fc.st.noport + fc.st.bpdu + fc.st.blocked;
		forward_frame(&fc, z.in_port, frame, len, alt, now);
		if (fc.st.unicast != before && z.normal > 1)
			abort();
		if (fc.st.runt + fc.st.vlan + fc.st.loop + fc.st.noport != drops &&
		    z.normal)
			abort();
		if (mirror_is_monitor(&z.m, z.in_port) && z.emits)
			abort();
		accepted = fc.st.runt + fc.st.vlan + fc.st.noport + fc.st.bpdu + fc.st.blocked ==
			   ingress_drops &&
			   len <= FWD_FRAME_MAX && !mirror_is_monitor(&z.m, z.in_port);
		for (i = 0; i < MIRROR_MAX; i++) {
			const struct mirror_session *s = &z.m.s[i];

			if (s->used && s->filter == MIRROR_ALL && z.pt.v[s->monitor].nep &&
			    (bool)(z.copied >> s->monitor & 1) != accepted)
				abort();
		}
		if (len < 14 && (z.emits || fc.st.runt == 0))
			abort();
		if (len >= 12 && (frame[6] & 1) && fdb_find(&z.fdb, frame + 6, z.vid))
			abort();
		if (z.vlan_drops != fc.st.vlan)
			abort();
		fdb_foreach(&z.fdb, check_entry, &z);
		if (z.fdb.count > z.fdb.capacity)
			abort();
	}
	fstp_free(&z.fstp);
	fdb_free(&z.fdb);
	port_table_free(&z.pt);
	return 0;
}
