/* SPDX-License-Identifier: GPL-2.0-or-later */
/* switch/rate.h - live rates from monotonic counters (pure: the caller
 * samples the counters and passes the time)
 *
 * A struct rate keeps the last RATE_SLOTS samples of RATE_NVAL counters.
 * The switch samples every port's counters once a second from a timer
 * (no per-frame cost); rate_get() gives the per-second rate of each
 * counter between the newest sample and the newest one at least @win_ns
 * older (or the oldest kept, if the history is shorter), using the real
 * time between them. A counter that went down (port/resetcounter) counts
 * as 0 over that span.
 */
#ifndef VDEKIT_SWITCH_RATE_H
#define VDEKIT_SWITCH_RATE_H

#include <stdbool.h>
#include <stdint.h>

#define RATE_SLOTS	12		/* > 10 one-second samples */
#define RATE_NVAL	5

enum rate_val {
	RATE_IN_PKTS, RATE_IN_BYTES, RATE_OUT_PKTS, RATE_OUT_BYTES, RATE_DROPS,
};

struct rate {
	uint64_t t[RATE_SLOTS];		/* sample times, ns */
	uint64_t v[RATE_SLOTS][RATE_NVAL];
	unsigned head;			/* next slot to write */
	unsigned n;			/* samples kept */
};

/* rate_reset() - forget every sample. */
void rate_reset(struct rate *r);

/* rate_push() - a sample of the counters @v at time @now (ns, increasing;
 * a sample not after the newest one is ignored). */
void rate_push(struct rate *r, uint64_t now, const uint64_t v[RATE_NVAL]);

/**
 * rate_get() - rates over the last @win_ns
 * @r:		samples
 * @win_ns:	window (1 s, 10 s)
 * @out:	per-second rates of each counter
 * Return: true, or false (all zeros) with fewer than two samples.
 */
bool rate_get(const struct rate *r, uint64_t win_ns, double out[RATE_NVAL]);

#endif
