// SPDX-License-Identifier: GPL-2.0-or-later
/* switch/rate.c - live rates from counter samples (contract in rate.h) */
#include "config.h"

#include <string.h>

#include "rate.h"

/**
 * rate_reset() - see rate.h
 */
void rate_reset(struct rate *r)
{
	memset(r, 0, sizeof(*r));
}

/**
 * rate_push() - see rate.h
 */
void rate_push(struct rate *r, uint64_t now, const uint64_t v[RATE_NVAL])
{
	unsigned newest = (r->head + RATE_SLOTS - 1) % RATE_SLOTS;

	if (r->n && now <= r->t[newest])
		return;
	r->t[r->head] = now;
	memcpy(r->v[r->head], v, sizeof(r->v[0]));
	r->head = (r->head + 1) % RATE_SLOTS;
	if (r->n < RATE_SLOTS)
		r->n++;
}

/**
 * rate_get() - see rate.h
 */
bool rate_get(const struct rate *r, uint64_t win_ns, double out[RATE_NVAL])
{
	unsigned newest, old, k, i;
	double dt;

	memset(out, 0, sizeof(double) * RATE_NVAL);
	if (r->n < 2)
		return false;
	newest = (r->head + RATE_SLOTS - 1) % RATE_SLOTS;
	/* walk back to the newest sample at least win_ns older, or the oldest */
	old = newest;
	for (k = 1; k < r->n; k++) {
		old = (newest + RATE_SLOTS - k) % RATE_SLOTS;
		if (r->t[newest] - r->t[old] >= win_ns)
			break;
	}
	dt = (double)(r->t[newest] - r->t[old]) / 1e9;
	for (i = 0; i < RATE_NVAL; i++)
		if (r->v[newest][i] >= r->v[old][i])
			out[i] = (double)(r->v[newest][i] - r->v[old][i]) / dt;
	return true;
}
