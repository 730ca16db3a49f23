// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_cable_replay.c - the replay window against WireGuard's self-test
 *
 * The sequence is wireguard-linux-compat src/selftest/counter.c (48,813
 * checks with COUNTER_BITS_TOTAL = 8192). Every check also verifies that the
 * read-only replay_check() predicted replay_commit()'s answer. Then a
 * differential run against a naive model (set of seen counters + max) with
 * a seeded generator.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../cryptcab/replay.h"
#include "tap.h"

static struct replay ctr;
static unsigned test_num, failed, mispredicted;

static void t(uint64_t n, bool want)
{
	bool pre = replay_check(&ctr, n), got = replay_commit(&ctr, n);

	test_num++;
	if (got != want) {
		if (failed < 10)
			printf("# self-test %u: counter %llu: got %d want %d\n", test_num,
			       (unsigned long long)n, got, want);
		failed++;
	}
	if (pre != got)
		mispredicted++;
}

#define T_LIM (REPLAY_WINDOW + 1)
#define R REJECT_AFTER_MESSAGES

static void selftest(void)
{
	uint64_t i;

	replay_init(&ctr);
	t(0, true); t(1, true); t(1, false); t(9, true); t(8, true); t(7, true);
	t(7, false); t(T_LIM, true); t(T_LIM - 1, true); t(T_LIM - 1, false);
	t(T_LIM - 2, true); t(2, true); t(2, false); t(T_LIM + 16, true);
	t(3, false); t(T_LIM + 16, false); t(T_LIM * 4, true);
	t(T_LIM * 4 - (T_LIM - 1), true); t(10, false); t(T_LIM * 4 - T_LIM, false);
	t(T_LIM * 4 - (T_LIM + 1), false); t(T_LIM * 4 - (T_LIM - 2), true);
	t(T_LIM * 4 + 1 - T_LIM, false); t(0, false); t(R, false); t(R - 1, true);
	t(R, false); t(R - 1, false); t(R - 2, true); t(R + 1, false);
	t(R + 2, false); t(R - 2, false); t(R - 3, true); t(0, false);

	replay_init(&ctr);
	for (i = 1; i <= REPLAY_WINDOW; i++)
		t(i, true);
	t(0, true);
	t(0, false);

	replay_init(&ctr);
	for (i = 2; i <= REPLAY_WINDOW + 1; i++)
		t(i, true);
	t(1, true);
	t(0, false);

	replay_init(&ctr);
	for (i = REPLAY_WINDOW + 1; i-- > 0;)
		t(i, true);

	replay_init(&ctr);
	for (i = REPLAY_WINDOW + 2; i-- > 1;)
		t(i, true);
	t(0, false);

	replay_init(&ctr);
	for (i = REPLAY_WINDOW + 1; i-- > 1;)
		t(i, true);
	t(REPLAY_WINDOW + 1, true);
	t(0, false);

	replay_init(&ctr);
	for (i = REPLAY_WINDOW + 1; i-- > 1;)
		t(i, true);
	t(0, true);
	t(REPLAY_WINDOW + 1, true);
}

/* naive model: accepted iff never seen and max - n < WINDOW (n+1+WINDOW >= max+1) */
static void differential(void)
{
	static uint8_t seen[1 << 20];
	uint64_t max = 0, n;
	bool have = false, want, got;
	unsigned i, bad = 0;

	srandom(4242);
	replay_init(&ctr);
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 400000; i++) {
		uint64_t base = have ? max : 0;
		long d = random() % 20000 - 12000;

		n = (long)base + d < 0 ? 0 : (uint64_t)((long)base + d);
		if (n >= sizeof(seen) * 8)
			continue;
		want = !(seen[n / 8] & (1U << (n % 8))) && (!have || n + REPLAY_WINDOW >= max);
		got = replay_commit(&ctr, n);
		if (got) {
			seen[n / 8] |= (uint8_t)(1U << (n % 8));
			if (!have || n > max)
				max = n;
			have = true;
		}
		bad += got != want;
	}
	ok(bad == 0, "differential against naive set+max model: %u mismatches", bad);
}

int main(void)
{
	selftest();
	ok(test_num == 48813, "WireGuard counter self-test sequence has %u checks", test_num);
	ok(failed == 0, "WireGuard counter self-test: %u failures", failed);
	ok(mispredicted == 0, "replay_check() predicts replay_commit(): %u mispredictions",
	   mispredicted);
	differential();
	ok(sizeof(ctr.backtrack) == 1024, "window is 1 KiB");
	return tap_done();
}
