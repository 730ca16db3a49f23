// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/fuzz/fuzz_ratelimit.c - fuzz the switch's log-line bound
 * (switch/ratelimit.c) with arbitrary event times and timer firings
 *
 * Input: a burst byte, then records of 3 bytes: a flag (bit 0: the caller's
 * timer fires instead of an event) and a 16-bit time step in 100 us units.
 * Invariants: every event is logged or summed exactly once; no window gives
 * more than burst lines; a summary is never 0; the deadline is one window
 * after the window's first event.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ratelimit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ratelimit rl;
	uint64_t now = 1, sum, events = 0, accounted = 0, start = 0;
	unsigned burst, in_window = 0;
	size_t i;

	if (size < 1)
		return 0;
	burst = data[0] % 16;
	rl_init(&rl, burst);
	if (burst == 0)
		burst = 1;
	for (i = 1; i + 3 <= size; i += 3) {
		now += ((uint64_t)data[i + 1] | (uint64_t)data[i + 2] << 8) * 100000ULL;
		if (data[i] & 1) {
			if (rl_deadline(&rl) && now >= rl_deadline(&rl)) {
				accounted += rl_end(&rl, now);
				if (rl_deadline(&rl))
					abort();
				in_window = 0;
			}
			continue;
		}
		if (!rl.open || now - start >= RL_WINDOW_NS) {
			start = now;
			in_window = 0;
		}
		events++;
		if (rl_allow(&rl, now, &sum)) {
			accounted++;
			if (++in_window > burst)
				abort();
		}
		accounted += sum;
		if (rl_deadline(&rl) != start + RL_WINDOW_NS)
			abort();
	}
	accounted += rl_end(&rl, now + RL_WINDOW_NS);
	if (accounted != events)
		abort();
	return 0;
}
