// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_txq.c - the switch's bounded transmit queue: FIFO order,
 * wrap-around, byte and frame bounds, against a simple model */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "txq.h"

int main(void)
{
	struct txq q;
	struct iovec iov[8];
	uint8_t f[2000];
	unsigned i, n, pushed = 0, popped = 0, bad = 0, step;
	uint32_t seed = 1;

	txq_init(&q, 4096, 16);
	ok(txq_peek(&q, iov, 8) == 0, "empty queue peeks nothing");
	for (i = 0; i < 16; i++) {
		memset(f, (int)i, 60);
		if (!txq_push(&q, f, 60))
			break;
	}
	ok(i == 16 && q.frames == 16, "16 frames queued");
	ok(!txq_push(&q, f, 60), "frame bound enforced");
	n = txq_peek(&q, iov, 8);
	ok(n == 8 && iov[0].iov_len == 60 && ((uint8_t *)iov[0].iov_base)[0] == 0 &&
	   ((uint8_t *)iov[7].iov_base)[59] == 7, "peek returns oldest first");
	txq_pop(&q, 16);
	ok(q.frames == 0 && q.head == 0 && q.tail == 0, "empty after popping all");
	ok(!txq_push(&q, f, 5000), "frame bigger than the ring refused");
	for (i = 0; i < 3; i++)
		txq_push(&q, f, 1500);
	ok(q.frames == 2, "byte bound enforced (2 x 1500 fit in 4096)");
	ok(!txq_trim(&q) && q.buf && q.frames == 2, "trim keeps the ring of a non-empty queue");
	txq_pop(&q, 2);
	ok(txq_trim(&q) && !q.buf, "trim frees the ring of an empty queue");
	ok(!txq_trim(&q), "trim of a queue without ring does nothing");
	memset(f, 0x5a, 100);
	n = txq_push(&q, f, 100) && txq_peek(&q, iov, 8) == 1;
	ok(n && iov[0].iov_len == 100 && ((uint8_t *)iov[0].iov_base)[99] == 0x5a,
	   "a trimmed queue allocates its ring again on the next push");
	txq_free(&q);

	/* randomized against a model: sequence numbers must come out in order */
	txq_init(&q, 8192, 64);
	for (step = 0; step < 200000; step++) {
		seed = seed * 1103515245 + 12345;
		if ((seed >> 16) % 3) {
			size_t len = 14 + (seed >> 8) % 1500;

			memcpy(f, &pushed, sizeof(pushed));
			if (txq_push(&q, f, len))
				pushed++;
		} else {
			n = txq_peek(&q, iov, 1 + (seed >> 20) % 8);
			for (i = 0; i < n; i++) {
				unsigned v;

				memcpy(&v, iov[i].iov_base, sizeof(v));
				if (v != popped + i || iov[i].iov_len < 14)
					bad++;
			}
			txq_pop(&q, n);
			popped += n;
		}
		if (q.frames != pushed - popped)
			bad++;
	}
	ok(bad == 0, "200000 random steps keep FIFO order (%u pushed)", pushed);
	txq_free(&q);

	/* txq_push2: metadata and frame as one record (offload headers) */
	txq_init(&q, 256, 8);
	memset(f, 0x77, 100);
	ok(txq_push2(&q, "0123456789", 10, f, 100), "push2: 10 + 100 bytes");
	n = txq_peek(&q, iov, 8);
	ok(n == 1 && iov[0].iov_len == 110 && !memcmp(iov[0].iov_base, "0123456789", 10) &&
	   ((uint8_t *)iov[0].iov_base)[10] == 0x77 && ((uint8_t *)iov[0].iov_base)[109] == 0x77,
	   "push2: one record, metadata then frame");
	ok(!txq_push2(&q, "0123456789", 10, f, 140), "push2: a record beyond the ring is refused");
	ok(!txq_push2(&q, f, SIZE_MAX, f, 1), "push2: a length that would wrap is refused");
	txq_pop(&q, 1);
	ok(q.frames == 0, "push2 record popped as one");
	txq_free(&q);
	return tap_done();
}
