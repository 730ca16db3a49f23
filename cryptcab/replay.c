// SPDX-License-Identifier: GPL-2.0-or-later
/* cryptcab/replay.c - RFC 6479 replay window, exactly WireGuard's counter_validate
 *
 * Theory of operation
 *
 * The window is a ring of 128 64-bit words (8192 bits, 1 KiB). `counter` is
 * the highest accepted counter plus one (0 = nothing accepted). A counter
 * more than REPLAY_WINDOW (8128) below the highest is too old; a higher one
 * slides the window, clearing the words it skips (at most the whole ring);
 * then the counter's bit is tested and set. Counters >= REJECT_AFTER_MESSAGES
 * are always refused, and so is everything once the window has reached that
 * limit. This is the code of wireguard-linux-compat receive.c with the lock
 * removed (the cable is single-threaded).
 *
 * The cable calls replay_check() (read-only, before the AEAD, so cheap
 * garbage never costs a decryption) and replay_commit() only after the AEAD
 * succeeded: the window never moves on an unauthenticated packet.
 */
#include "config.h"

#include <string.h>

#include "replay.h"

#define WORDS	(REPLAY_BITS_TOTAL / 64)

/**
 * replay_init() - empty window
 * @r:	window
 */
void replay_init(struct replay *r)
{
	memset(r, 0, sizeof(*r));
}

/**
 * replay_check() - would replay_commit(@r, @n) accept? Changes nothing.
 * @r:	window
 * @n:	counter of the packet
 *
 * Return: true if @n is fresh.
 */
bool replay_check(const struct replay *r, uint64_t n)
{
	uint64_t idx;

	if (r->counter >= REJECT_AFTER_MESSAGES + 1 || n >= REJECT_AFTER_MESSAGES)
		return false;
	n++;
	if (REPLAY_WINDOW + n < r->counter)
		return false;
	if (n > r->counter)
		return true;
	idx = (n >> 6) & (WORDS - 1);
	return !(r->backtrack[idx] & (1ULL << (n & 63)));
}

/**
 * replay_commit() - accept @n if fresh and mark it seen
 * @r:	window
 * @n:	counter of an authenticated packet
 *
 * Return: true if @n was fresh (and is now recorded), false for a replay.
 */
bool replay_commit(struct replay *r, uint64_t n)
{
	uint64_t idx, cur, top, i, bit;
	bool ret = false;

	if (r->counter >= REJECT_AFTER_MESSAGES + 1 || n >= REJECT_AFTER_MESSAGES)
		goto out;
	n++;
	if (REPLAY_WINDOW + n < r->counter)
		goto out;
	idx = n >> 6;
	if (n > r->counter) {
		cur = r->counter >> 6;
		top = idx - cur < WORDS ? idx - cur : WORDS;
		for (i = 1; i <= top; i++)
			r->backtrack[(i + cur) & (WORDS - 1)] = 0;
		r->counter = n;
	}
	idx &= WORDS - 1;
	bit = 1ULL << (n & 63);
	ret = !(r->backtrack[idx] & bit);
	r->backtrack[idx] |= bit;
out:
	return ret;
}
