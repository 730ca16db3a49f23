// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_ratelimit.c - the log-line bound of switch/ratelimit.c:
 * burst per window, one summary per window with the exact count, lazy
 * summary when the timer came late, and the bound on lines for a flood */
#include "config.h"

#include <stdint.h>

#include "tap.h"
#include "ratelimit.h"

#define MS 1000000ULL

int main(void)
{
	struct ratelimit rl;
	uint64_t t = 5000 * MS, sum, events, lines, counted, s;
	unsigned i, logged = 0;

	rl_init(&rl, 3);
	ok(rl_deadline(&rl) == 0, "no window before the first event");
	for (i = 0; i < 10; i++)
		if (rl_allow(&rl, t + i, &sum))
			logged++;
	ok(logged == 3 && sum == 0, "3 of 10 events logged in a window (%u)", logged);
	ok(rl_deadline(&rl) == t + RL_WINDOW_NS, "window ends one second after its first event");
	ok(rl_end(&rl, t + RL_WINDOW_NS - 1) == 0, "not ended early");
	ok(rl_end(&rl, t + RL_WINDOW_NS) == 7, "summary of the 7 others at the deadline");
	ok(rl_deadline(&rl) == 0 && rl_end(&rl, t + 2 * RL_WINDOW_NS) == 0,
	   "window closed, summary given once");

	/* a late timer: the next event reports the old window first */
	t += 10 * RL_WINDOW_NS;
	for (i = 0; i < 5; i++)
		rl_allow(&rl, t, &sum);
	ok(rl_allow(&rl, t + 3 * RL_WINDOW_NS, &sum) && sum == 2,
	   "late: next event logged and the 2 unlogged reported (%llu)", (unsigned long long)sum);

	rl_init(&rl, 0);
	ok(rl_allow(&rl, t, &sum) && !rl_allow(&rl, t, &sum), "burst 0 means 1");

	/* 60000 events over 6 s: at most (burst + 1) lines per window */
	rl_init(&rl, 10);
	events = lines = counted = 0;
	t = 1;
	for (i = 0; i < 60000; i++, t += 100000) {	/* one per 0.1 ms */
		if (rl_deadline(&rl) && t >= rl_deadline(&rl)) {
			s = rl_end(&rl, t);
			if (s) {
				lines++;
				counted += s;
			}
		}
		events++;
		if (rl_allow(&rl, t, &sum)) {
			lines++;
			counted++;
		}
		if (sum) {
			lines++;
			counted += sum;
		}
	}
	s = rl_end(&rl, t + RL_WINDOW_NS);
	if (s) {
		lines++;
		counted += s;
	}
	ok(lines <= 11 * 7, "flood of 60000 in 6 s: %llu lines", (unsigned long long)lines);
	ok(counted == events, "every event logged or summed (%llu of %llu)",
	   (unsigned long long)counted, (unsigned long long)events);
	return tap_done();
}
