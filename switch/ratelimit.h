/* SPDX-License-Identifier: GPL-2.0-or-later */
/* switch/ratelimit.h - a bound on how many log lines a stream of events makes
 *
 * Pure core (no I/O, the caller gives the time): of the events in one
 * window of RL_WINDOW_NS that starts with the first event after a quiet
 * spell, the first rl->burst may be logged one by one; the others are only
 * counted, and the caller logs one summary line "N more ..." for them when
 * the window ends (rl_end(), from a timer armed at rl_deadline()) or, if
 * its timer came late, before the next logged event (rl_allow()'s
 * @summary). So a flood of N events in T seconds makes at most
 * (burst + 1) * ceil(T / window) + 1 lines, and no event goes uncounted.
 */
#ifndef VDEKIT_SWITCH_RATELIMIT_H
#define VDEKIT_SWITCH_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#define RL_WINDOW_NS	1000000000ULL	/* one second */

struct ratelimit {
	unsigned burst;			/* lines per window */
	bool open;			/* a window is running */
	uint64_t start;			/* when it began */
	unsigned logged;		/* lines in this window */
	uint64_t suppressed;		/* events of this window not logged */
};

/* rl_init() - no window open; @burst lines per window (at least 1). */
void rl_init(struct ratelimit *rl, unsigned burst);

/**
 * rl_allow() - an event at @now: may it be logged?
 * @summary:	set to the number of events of an ended window that were not
 *		logged and not yet reported (0 if none): log it first
 * Return: true to log this event, false if it was only counted.
 */
bool rl_allow(struct ratelimit *rl, uint64_t now, uint64_t *summary);

/* rl_deadline() - when the open window ends (0 if none is open). */
uint64_t rl_deadline(const struct ratelimit *rl);

/* rl_end() - at or after rl_deadline(): close the window if it has ended
 * and return its unlogged count (0: nothing to report, or not ended). */
uint64_t rl_end(struct ratelimit *rl, uint64_t now);

#endif
