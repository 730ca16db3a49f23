// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_rate.c - live rates with a fake clock: too few samples,
 * 1 s and 10 s windows at a steady and a changing rate, a short history,
 * late and early timer ticks, counters reset, samples out of order */
#include "config.h"

#include <math.h>
#include <stdint.h>

#include "rate.h"
#include "tap.h"

#define S 1000000000ULL

static int near(double a, double b)
{
	return fabs(a - b) < 1e-6 * (fabs(b) + 1);
}

int main(void)
{
	struct rate r;
	uint64_t v[RATE_NVAL] = { 0 }, t = 5 * S;
	double o[RATE_NVAL];
	unsigned i;

	rate_reset(&r);
	ok(!rate_get(&r, S, o) && o[0] == 0, "no sample: no rate");
	rate_push(&r, t, v);
	ok(!rate_get(&r, S, o), "one sample: no rate");
	/* 100 pkt/s in, 1000 B/s in, 50 pkt/s out, 2 drops/s, for 15 s */
	for (i = 1; i <= 15; i++) {
		v[RATE_IN_PKTS] += 100;
		v[RATE_IN_BYTES] += 1000;
		v[RATE_OUT_PKTS] += 50;
		v[RATE_OUT_BYTES] += 500;
		v[RATE_DROPS] += 2;
		rate_push(&r, t + i * S, v);
		if (i == 3) {
			ok(rate_get(&r, 10 * S, o) && near(o[RATE_IN_PKTS], 100),
			   "short history: 10 s window over the 3 s kept");
		}
	}
	ok(rate_get(&r, S, o) && near(o[RATE_IN_PKTS], 100) && near(o[RATE_IN_BYTES], 1000) &&
	   near(o[RATE_OUT_PKTS], 50) && near(o[RATE_OUT_BYTES], 500) && near(o[RATE_DROPS], 2),
	   "steady: 1 s rates");
	ok(rate_get(&r, 10 * S, o) && near(o[RATE_IN_PKTS], 100), "steady: 10 s rate");
	/* a burst in the last second: 1100 packets */
	t += 15 * S;
	v[RATE_IN_PKTS] += 1100;
	rate_push(&r, t + S, v);
	ok(rate_get(&r, S, o) && near(o[RATE_IN_PKTS], 1100), "burst: 1 s rate 1100");
	ok(rate_get(&r, 10 * S, o) && near(o[RATE_IN_PKTS], (9 * 100 + 1100) / 10.0),
	   "burst: 10 s rate 200");
	/* a late tick: 2 s since the previous sample, 400 packets */
	v[RATE_IN_PKTS] += 400;
	rate_push(&r, t + 3 * S, v);
	ok(rate_get(&r, S, o) && near(o[RATE_IN_PKTS], 200), "late tick: per real second");
	/* out of order and duplicate samples are ignored */
	rate_push(&r, t + 3 * S, v);
	rate_push(&r, t, v);
	ok(rate_get(&r, S, o) && near(o[RATE_IN_PKTS], 200), "stale samples ignored");
	/* port/resetcounter: counters go back to 0 */
	for (i = 0; i < RATE_NVAL; i++)
		v[i] = 0;
	rate_push(&r, t + 4 * S, v);
	ok(rate_get(&r, S, o) && o[RATE_IN_PKTS] == 0 && o[RATE_DROPS] == 0, "reset: 0, not huge");
	v[RATE_IN_PKTS] = 30;
	rate_push(&r, t + 5 * S, v);
	ok(rate_get(&r, S, o) && near(o[RATE_IN_PKTS], 30), "after reset: counts again");
	return tap_done();
}
