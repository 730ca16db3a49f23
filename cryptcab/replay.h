/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cryptcab/replay.h - WireGuard's sliding replay window, 8192 bits */
#ifndef VDEKIT_REPLAY_H
#define VDEKIT_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#define REPLAY_BITS_TOTAL	8192
#define REPLAY_BITS_REDUNDANT	64
#define REPLAY_WINDOW		(REPLAY_BITS_TOTAL - REPLAY_BITS_REDUNDANT)	/* 8128 */
#define REJECT_AFTER_MESSAGES	(UINT64_MAX - REPLAY_WINDOW - 1)

struct replay {
	uint64_t counter;			/* highest accepted + 1 */
	uint64_t backtrack[REPLAY_BITS_TOTAL / 64];
};

void replay_init(struct replay *r);
bool replay_check(const struct replay *r, uint64_t n);
bool replay_commit(struct replay *r, uint64_t n);

#endif
