// SPDX-License-Identifier: GPL-2.0-or-later
/* switch/ratelimit.c - log-line bound for event floods (see ratelimit.h)
 *
 * Theory of operation: a window opens at the first event after the last one
 * ended; rl_allow() counts the event as logged while the window has room,
 * else as suppressed. A window that ended is closed either by rl_end() (the
 * caller's timer) or lazily by the next rl_allow(), which hands its count
 * back as @summary so it is reported once, in order.
 */
#include "config.h"

#include <string.h>

#include "ratelimit.h"

void rl_init(struct ratelimit *rl, unsigned burst)
{
	memset(rl, 0, sizeof(*rl));
	rl->burst = burst ? burst : 1;
}

uint64_t rl_deadline(const struct ratelimit *rl)
{
	return rl->open ? rl->start + RL_WINDOW_NS : 0;
}

uint64_t rl_end(struct ratelimit *rl, uint64_t now)
{
	uint64_t n = 0;

	if (rl->open && now - rl->start >= RL_WINDOW_NS) {
		n = rl->suppressed;
		rl->open = false;
		rl->logged = 0;
		rl->suppressed = 0;
	}
	return n;
}

bool rl_allow(struct ratelimit *rl, uint64_t now, uint64_t *summary)
{
	bool ok = false;

	*summary = rl_end(rl, now);
	if (!rl->open) {
		rl->open = true;
		rl->start = now;
	}
	if (rl->logged < rl->burst) {
		rl->logged++;
		ok = true;
	} else {
		rl->suppressed++;
	}
	return ok;
}
