// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_fdb.c - the switch MAC table with a fake clock: learning,
 * refresh, anti-flap, exact expiry, VLAN keying, multicast sources, table
 * full, flushes, resize and the event callback */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "fdb.h"
#include "tap.h"

#define S FDB_NSEC

static unsigned adds, dels, moves;

static void ev(void *arg, enum fdb_event e, const struct fdb_entry *en, uint32_t old)
{
	if (e == FDB_EV_ADD)
		adds++;
	else if (e == FDB_EV_DEL)
		dels++;
	else
		moves++;
}

static void count_cb(void *arg, size_t b, const struct fdb_entry *e)
{
	(*(unsigned *)arg)++;
}

int main(void)
{
	struct fdb f;
	uint8_t a[6] = { 2, 0, 0, 0, 0, 1 }, b[6] = { 2, 0, 0, 0, 0, 2 };
	uint8_t mc[6] = { 1, 0, 0x5e, 0, 0, 1 }, bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t m[6];
	uint64_t t = 1000 * S;
	unsigned i, n;

	ok(fdb_init(&f, 0, 10) < 0, "hashsize 0 refused");
	ok(fdb_init(&f, 100, 0) < 0, "capacity 0 refused");
	ok(fdb_init(&f, 100, 4) == 0 && f.nbuckets == 128, "hashsize 100 rounded to 128");
	f.cb = ev;
	ok(f.expire == 100 * S && f.minper == 3 * S, "defaults: expire 100 s, minper 3 s");

	ok(fdb_lookup(&f, a, 0, t) == FDB_NONE, "unknown MAC");
	ok(fdb_learn(&f, a, 0, 3, t) == FDB_LEARN_NEW && adds == 1, "learn a on port 3");
	ok(fdb_lookup(&f, a, 0, t) == 3, "a -> 3");
	ok(fdb_lookup(&f, a, 1, t) == FDB_NONE, "a unknown in VLAN 1 (keyed on VLAN)");
	ok(fdb_learn(&f, a, 1, 5, t) == FDB_LEARN_NEW && fdb_lookup(&f, a, 1, t) == 5 &&
	   fdb_lookup(&f, a, 0, t) == 3, "same MAC, two VLANs, two ports");
	ok(fdb_learn(&f, mc, 0, 3, t) == FDB_LEARN_MULTICAST && fdb_lookup(&f, mc, 0, t) == FDB_NONE,
	   "multicast source not learned");
	ok(fdb_learn(&f, bc, 0, 3, t) == FDB_LEARN_MULTICAST, "broadcast source not learned");

	/* refresh and anti-flap */
	ok(fdb_learn(&f, a, 0, 3, t + 2 * S) == FDB_LEARN_REFRESH, "refresh");
	ok(fdb_learn(&f, a, 0, 4, t + 4 * S) == FDB_LEARN_KEPT && fdb_lookup(&f, a, 0, t + 4 * S) == 3,
	   "move 2 s after last refresh refused (min persistence 3 s)");
	ok(f.flaps == 1, "flap counted");
	ok(fdb_find(&f, a, 0)->last_seen == t + 2 * S, "refused move does not refresh");
	ok(fdb_learn(&f, a, 0, 4, t + 5 * S + 1) == FDB_LEARN_MOVED && moves == 1 &&
	   fdb_lookup(&f, a, 0, t + 6 * S) == 4, "move after 3 s idle accepted");

	/* touch: refresh only, never an event */
	adds = dels = moves = 0;
	ok(fdb_touch(&f, a, 0, 4, t + 6 * S) && fdb_find(&f, a, 0)->last_seen == t + 6 * S,
	   "touch refreshes a live entry on its port");
	ok(!fdb_touch(&f, a, 0, 3, t + 7 * S) && fdb_find(&f, a, 0)->port == 4 &&
	   fdb_find(&f, a, 0)->last_seen == t + 6 * S, "touch on another port: nothing");
	ok(!fdb_touch(&f, b, 0, 4, t + 7 * S) && fdb_find(&f, b, 0) == NULL,
	   "touch of an unknown address adds nothing");
	ok(!fdb_touch(&f, a, 0, 4, t + 6 * S + 100 * S + 1) && fdb_find(&f, a, 0) != NULL,
	   "touch of an expired entry: nothing, not even its removal");
	ok(adds == 0 && dels == 0 && moves == 0, "touch raised no event");

	/* exact expiry without traffic */
	t += 6 * S;
	fdb_learn(&f, b, 0, 7, t);
	ok(fdb_lookup(&f, b, 0, t + 100 * S) == 7, "alive exactly at expire");
	ok(fdb_lookup(&f, b, 0, t + 100 * S + 1) == FDB_NONE, "gone just after expire (lookup)");
	fdb_learn(&f, b, 0, 7, t);
	f.expire = 3 * S;
	dels = 0;
	fdb_expire(&f, t + 2 * S);
	ok(fdb_find(&f, b, 0) != NULL, "sweep keeps fresh entries");
	fdb_expire(&f, t + 10 * S);
	ok(fdb_find(&f, b, 0) == NULL && fdb_find(&f, a, 0) == NULL && f.count == 0,
	   "sweep removes idle entries without any lookup");
	ok(dels == 3, "delete events (%u)", dels);
	f.expire = 100 * S;

	/* table full */
	t += 20 * S;
	memcpy(m, a, 6);
	for (i = 0; i < 4; i++) {
		m[5] = (uint8_t)(10 + i);
		fdb_learn(&f, m, 0, 1, t);
	}
	ok(f.count == 4, "4 entries");
	m[5] = 99;
	ok(fdb_learn(&f, m, 0, 1, t) == FDB_LEARN_FULL && f.full_drops == 1, "full table refuses, counts");
	m[5] = 10;
	ok(fdb_learn(&f, m, 0, 1, t) == FDB_LEARN_REFRESH, "known entries still refresh when full");
	fdb_expire(&f, t + 101 * S);
	m[5] = 99;
	ok(fdb_learn(&f, m, 0, 2, t + 101 * S) == FDB_LEARN_NEW, "room again after expiry");

	/* flushes */
	m[5] = 50;
	fdb_learn(&f, m, 3, 2, t + 101 * S);
	m[5] = 51;
	fdb_learn(&f, m, 0, 9, t + 101 * S);
	fdb_flush_port(&f, 2);
	ok(f.count == 1, "flush port 2 leaves port 9's entry");
	fdb_learn(&f, a, 3, 1, t + 101 * S);
	fdb_flush_vlan(&f, 3);
	ok(f.count == 1, "flush VLAN 3");
	n = 0;
	fdb_foreach(&f, count_cb, &n);
	ok(n == 1, "foreach visits every entry");
	ok(fdb_resize(&f, 1000) == 0 && f.nbuckets == 1024 && f.count == 0, "resize flushes, rounds");
	ok(fdb_resize(&f, 0) < 0, "resize 0 refused");
	/* stale pointers after resize must not exist: learn again and find */
	ok(fdb_learn(&f, a, 0, 1, t) == FDB_LEARN_NEW && fdb_lookup(&f, a, 0, t) == 1,
	   "works after resize");
	fdb_flush(&f);
	ok(f.count == 0, "flush all");
	fdb_free(&f);

	/* many stations: chains hold up */
	ok(fdb_init(&f, 16, 10000) == 0, "init 10000");
	for (i = 0; i < 10000; i++) {
		m[0] = 2;
		m[3] = (uint8_t)(i >> 16);
		m[4] = (uint8_t)(i >> 8);
		m[5] = (uint8_t)i;
		fdb_learn(&f, m, 0, i % 32, t);
	}
	n = 0;
	for (i = 0; i < 10000; i++) {
		m[3] = (uint8_t)(i >> 16);
		m[4] = (uint8_t)(i >> 8);
		m[5] = (uint8_t)i;
		n += fdb_lookup(&f, m, 0, t) == i % 32;
	}
	ok(n == 10000 && f.count == 10000, "10000 stations learned and found");
	fdb_free(&f);
	return tap_done();
}
