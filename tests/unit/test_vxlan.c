// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_vxlan.c - VXLAN pure core (lib/vdeplug/vxlan.c)
 *
 * Header bytes (RFC 7348 section 5, as Linux puts them on the wire), the
 * classification of every malformed case, flow hash stability and spread,
 * and the VTEP table: learning, move, aging with the injected clock,
 * eviction of the least recently seen entry, forgetting a VTEP.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tap.h"
#include "vxlan.h"

static void test_header(void)
{
	static const uint8_t want[8] = { 0x08, 0, 0, 0, 0x12, 0x34, 0x56, 0 };
	uint8_t h[8], p[8 + 60];

	vxlan_hdr_put(h, 0x123456);
	ok(!memcmp(h, want, 8), "header bytes for VNI 0x123456");
	memset(p, 0, sizeof(p));
	vxlan_hdr_put(p, 42);
	ok(vxlan_check(p, sizeof(p), 42) == VXLAN_RX_OK, "good packet");
	ok(vxlan_check(p, 8 + 14, 42) == VXLAN_RX_OK, "14-byte inner frame is enough");
	ok(vxlan_check(p, 8 + 13, 42) == VXLAN_RX_RUNT, "13-byte inner frame: runt");
	ok(vxlan_check(p, 8, 42) == VXLAN_RX_EMPTY, "header only: empty");
	ok(vxlan_check(p, 7, 42) == VXLAN_RX_SHORT && vxlan_check(p, 0, 42) == VXLAN_RX_SHORT,
	   "short header");
	ok(vxlan_check(p, sizeof(p), 43) == VXLAN_RX_VNI, "wrong VNI");
	p[0] = 0;
	ok(vxlan_check(p, sizeof(p), 42) == VXLAN_RX_FLAGS, "I flag missing");
	p[0] = 0x0c;
	ok(vxlan_check(p, sizeof(p), 42) == VXLAN_RX_FLAGS, "reserved flag bit");
	p[0] = 0x08;
	p[2] = 1;
	ok(vxlan_check(p, sizeof(p), 42) == VXLAN_RX_FLAGS, "reserved byte 2");
	p[2] = 0;
	p[7] = 1;
	ok(vxlan_check(p, sizeof(p), 42) == VXLAN_RX_FLAGS, "reserved byte 7");
	p[7] = 0;
	ok(vxlan_check(p, sizeof(p), 42) == VXLAN_RX_OK, "restored");
}

static size_t tcp4(uint8_t *f, uint16_t sport, uint16_t dport)
{
	memset(f, 0, 64);
	memcpy(f, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00", 14);
	f[14] = 0x45;
	f[14 + 9] = 6;
	memcpy(f + 14 + 12, "\x0a\0\0\x01\x0a\0\0\x02", 8);
	f[34] = (uint8_t)(sport >> 8);
	f[35] = (uint8_t)sport;
	f[36] = (uint8_t)(dport >> 8);
	f[37] = (uint8_t)dport;
	return 64;
}

static void test_hash(void)
{
	uint8_t a[64], b[64];
	unsigned int seen[8] = { 0 }, i, used = 0;

	tcp4(a, 1000, 80);
	tcp4(b, 1000, 80);
	b[60] = 0x55;		/* payload does not matter */
	ok(vxlan_flow_hash(a, 64) == vxlan_flow_hash(b, 64), "same flow, same hash");
	tcp4(b, 1001, 80);
	ok(vxlan_flow_hash(a, 64) != vxlan_flow_hash(b, 64), "other port, other hash");
	for (i = 0; i < 64; i++) {
		tcp4(a, (uint16_t)(40000 + i), 5201);
		seen[vxlan_flow_hash(a, 64) % 8]++;
	}
	for (i = 0; i < 8; i++)
		used += seen[i] > 0;
	ok(used >= 6, "64 flows spread over %u of 8 source sockets", used);
	tcp4(a, 1000, 80);
	a[14 + 6] = 0x20;	/* MF: a fragment has no ports */
	tcp4(b, 2000, 90);
	b[14 + 6] = 0x20;
	ok(vxlan_flow_hash(a, 64) == vxlan_flow_hash(b, 64), "fragments hash without ports");
	ok(vxlan_flow_hash(a, 0) == vxlan_flow_hash(b, 0), "empty frame");
	(void)vxlan_flow_hash(a, 20);	/* truncated IPv4: no read past 20 bytes (ASan) */
}

static struct vxlan_addr addr4(uint8_t last)
{
	struct vxlan_addr a = { .family = AF_INET };

	a.ip[0] = 10;
	a.ip[3] = last;
	return a;
}

static void test_table(void)
{
	static const uint8_t m1[6] = { 2, 0, 0, 0, 0, 1 }, bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct vxlan_addr r1 = addr4(1), r2 = addr4(2);
	const struct vxlan_addr *got;
	struct vxlan_table t;
	uint8_t m[6] = { 2, 0, 0, 0, 0, 0 };
	unsigned int i, found;

	ok(vxlan_table_init(&t, 0, 300) != 0, "zero entries refused");
	ok(vxlan_table_init(&t, 64, 300) == 0, "init");
	ok(vxlan_lookup(&t, m1, 0) == NULL, "unknown MAC: flood");
	vxlan_learn(&t, m1, &r1, 100);
	got = vxlan_lookup(&t, m1, 100);
	ok(got && vxlan_addr_eq(got, &r1), "learnt behind r1");
	ok(vxlan_lookup(&t, m1, 400) != NULL, "still there at expire");
	ok(vxlan_lookup(&t, m1, 401) == NULL, "aged out after expire");
	vxlan_learn(&t, m1, &r1, 401);
	vxlan_learn(&t, m1, &r2, 402);
	got = vxlan_lookup(&t, m1, 402);
	ok(got && vxlan_addr_eq(got, &r2) && t.moved == 1, "host moved to r2 at once");
	vxlan_learn(&t, bc, &r1, 402);
	ok(vxlan_lookup(&t, bc, 402) == NULL, "broadcast source not learnt");
	vxlan_forget(&t, &r2);
	ok(vxlan_lookup(&t, m1, 402) == NULL, "forgotten with its VTEP");

	/* fill far beyond capacity: no crash, recent entries stay */
	for (i = 0; i < 1000; i++) {
		m[4] = (uint8_t)(i >> 8);
		m[5] = (uint8_t)i;
		vxlan_learn(&t, m, &r1, 1000 + i);
	}
	for (i = 990, found = 0; i < 1000; i++) {
		m[4] = (uint8_t)(i >> 8);
		m[5] = (uint8_t)i;
		found += vxlan_lookup(&t, m, 2000) != NULL;
	}
	ok(t.evicted > 0 && found >= 8, "full table evicts the oldest (%u of last 10 kept)", found);
	vxlan_table_free(&t);
}

int main(void)
{
	test_header();
	test_hash();
	test_table();
	return tap_done();
}
