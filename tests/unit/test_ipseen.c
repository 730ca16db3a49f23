// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_ipseen.c - iplog's pure core: range parsing (forms,
 * masks, bad input), range add/del, frame classification (IPv4, IPv6,
 * 802.1Q, short and foreign frames), new/moved/unchanged sightings,
 * lookup, expiry and port removal with a fake clock */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "ipseen.h"
#include "tap.h"

/* An IPv4 frame from 10.0.0.@last (tagged with @vid unless 0). */
static size_t v4frame(uint8_t *f, uint8_t last, uint8_t macl, uint16_t vid)
{
	size_t o = 12;

	memset(f, 0, 64);
	memset(f, 0xff, 6);
	f[6] = 2;
	f[11] = macl;
	if (vid) {
		f[12] = 0x81;
		f[14] = (uint8_t)(vid >> 8);
		f[15] = (uint8_t)vid;
		o = 16;
	}
	f[o] = 0x08;
	f[o + 2] = 0x45;
	f[o + 2 + 12] = 10;
	f[o + 2 + 15] = last;
	return vid ? 64 : 60;
}

int main(void)
{
	struct ipseen t;
	struct ipseen_range r;
	struct ipseen_frame fr;
	const struct ipseen_entry *e;
	uint8_t f[80], a4[4] = { 10, 0, 0, 1 };
	size_t n;

	ipseen_init(&t);
	ok(ipseen_parse("10.1.2.3/16", &r) == 0 && r.len == 4 && r.bits == 16 &&
	   r.addr[0] == 10 && r.addr[1] == 1 && r.addr[2] == 0 && r.addr[3] == 0,
	   "IPv4 prefix, host bits cleared");
	ok(ipseen_parse("10.1.2.3", &r) == 0 && r.bits == 32 && r.addr[3] == 3, "no mask: /32");
	ok(ipseen_parse("10.1.2.3/0", &r) == 0 && r.bits == 0 && r.addr[0] == 0, "/0");
	ok(ipseen_parse("fd00::1:2/120", &r) == 0 && r.len == 16 && r.bits == 120 &&
	   r.addr[0] == 0xfd && r.addr[13] == 1 && r.addr[15] == 0, "IPv6 /120");
	ok(ipseen_parse("fd00::5", &r) == 0 && r.bits == 128 && r.addr[15] == 5, "IPv6 /128");
	ok(ipseen_parse("10.0.0.0/33", &r) < 0 && ipseen_parse("fd00::/129", &r) < 0,
	   "prefix length beyond the address refused");
	ok(ipseen_parse("10.0.0.0/x", &r) < 0 && ipseen_parse("10.0.0.0/", &r) < 0 &&
	   ipseen_parse("10.0.0.0/-1", &r) < 0, "bad prefix length refused");
	ok(ipseen_parse("foo", &r) < 0 && ipseen_parse("", &r) < 0 && ipseen_parse("/8", &r) < 0,
	   "not an address refused (no name lookup)");

	/* no range: nothing recorded */
	n = v4frame(f, 1, 1, 0);
	ipseen_classify(&t, f, n, &fr);
	ok(fr.len == 0, "no range, nothing to record");
	ipseen_parse("10.0.0.0/8", &r);
	ok(ipseen_range_add(&t, &r) == 0, "add 10/8");
	ok(ipseen_range_add(&t, &r) == EEXIST, "add twice: EEXIST");
	ipseen_parse("fd00::/8", &r);
	ok(ipseen_range_add(&t, &r) == 0, "add fd00::/8");

	ipseen_classify(&t, f, n, &fr);
	ok(fr.len == 4 && fr.addr == f + 26 && fr.vlan == 0 && fr.mac == f + 6, "IPv4 classified");
	e = ipseen_update(&t, &fr, 3, 100);
	ok(e && e->port == 3 && e->vlan == 0 && e->mac[5] == 1 && t.n == 1, "first sighting logged");
	ok(!ipseen_update(&t, &fr, 3, 101), "same port and MAC: not logged again");
	ok(ipseen_update(&t, &fr, 4, 102) != NULL, "moved to port 4: logged");
	n = v4frame(f, 1, 9, 0);
	ipseen_classify(&t, f, n, &fr);
	ok(ipseen_update(&t, &fr, 4, 103) != NULL && t.n == 1, "new MAC: logged, same entry");
	n = v4frame(f, 1, 9, 7);
	ipseen_classify(&t, f, n, &fr);
	ok(fr.len == 4 && fr.vlan == 7 && fr.addr == f + 30, "tagged frame: VLAN and address");
	ok(ipseen_update(&t, &fr, 4, 104) != NULL && t.n == 2, "other VLAN: another entry");
	e = ipseen_lookup(&t, a4, 4);
	ok(e && e->addr[3] == 1, "lookup");

	/* outside the ranges, short, options, foreign */
	n = v4frame(f, 1, 1, 0);
	f[26] = 11;
	ipseen_classify(&t, f, n, &fr);
	ok(fr.len == 0, "11.0.0.1 is outside");
	n = v4frame(f, 1, 1, 0);
	ipseen_classify(&t, f, 33, &fr);
	ok(fr.len == 0, "IPv4 header cut: ignored");
	f[14] = 0x46;
	ipseen_classify(&t, f, n, &fr);
	ok(fr.len == 0, "IPv4 with options: ignored (as VDE 2)");
	ipseen_classify(&t, f, 13, &fr);
	ok(fr.len == 0, "runt: ignored");
	n = v4frame(f, 1, 1, 5);
	ipseen_classify(&t, f, 17, &fr);
	ok(fr.len == 0, "tag cut: ignored");

	/* IPv6 */
	memset(f, 0, sizeof(f));
	f[12] = 0x86;
	f[13] = 0xdd;
	f[14] = 0x60;
	f[22] = 0xfd;
	f[37] = 2;
	ipseen_classify(&t, f, 62, &fr);
	ok(fr.len == 16 && fr.addr == f + 22, "IPv6 classified");
	ok(ipseen_update(&t, &fr, 5, 105) != NULL && t.n == 3, "IPv6 entry");
	ipseen_classify(&t, f, 53, &fr);
	ok(fr.len == 0, "IPv6 header cut: ignored");

	ipseen_port_gone(&t, 5);
	ok(t.n == 2, "port 5 closed: its address forgotten");
	ipseen_expire(&t, 103);
	ok(t.n == 1, "expiry: entries last seen at or before 103 go");
	ipseen_expire(&t, 104);
	ok(t.n == 0, "expiry: the last one");

	ipseen_parse("10.0.0.0/8", &r);
	ok(ipseen_range_del(&t, &r) == 0 && ipseen_range_del(&t, &r) == ENOENT, "del, del again");
	ipseen_free(&t);
	ok(t.n == 0 && !t.ranges, "free");
	return tap_done();
}
