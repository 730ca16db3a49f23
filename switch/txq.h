/* SPDX-License-Identifier: GPL-2.0-or-later */
/* switch/txq.h - bounded transmit queue of one endpoint, pure
 *
 * A byte ring of [u32 length][frame] records (4-byte aligned), bounded
 * both in bytes and in frames. The ring is allocated on the first push
 * (most endpoints never need one) and never per frame; txq_trim() releases
 * it again once the queue is empty (the owner decides when: not per frame).
 */
#ifndef VDEKIT_SWITCH_TXQ_H
#define VDEKIT_SWITCH_TXQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

struct txq {
	uint8_t *buf;			/* NULL until the first push */
	size_t size;			/* ring bytes */
	size_t head, tail;		/* read / write offsets */
	unsigned frames, max_frames;
};

/* txq_init() - empty queue of @size bytes and at most @max_frames frames. */
void txq_init(struct txq *q, size_t size, unsigned max_frames);
void txq_free(struct txq *q);

/* txq_push() - append a copy of a frame; false if it does not fit. */
bool txq_push(struct txq *q, const void *frame, size_t len);

/* txq_push2() - append one record made of @prelen bytes at @pre (metadata,
 * e.g. a virtio_net_hdr) followed by the frame; false if it does not fit. */
bool txq_push2(struct txq *q, const void *pre, size_t prelen, const void *frame, size_t len);

/* txq_pushv() - append one record made of the @n pieces @v. */
bool txq_pushv(struct txq *q, const struct iovec *v, unsigned n);

/* txq_peek() - fill up to @max iovecs with the oldest frames (not removed).
 * Returns how many. */
unsigned txq_peek(const struct txq *q, struct iovec *iov, unsigned max);

/* txq_bytes() - ring bytes in use (wrap padding included). */
static inline size_t txq_bytes(const struct txq *q)
{
	if (!q->frames)
		return 0;
	return q->tail > q->head ? q->tail - q->head : q->size - q->head + q->tail;
}

/* txq_pop() - remove the @n oldest frames. */
void txq_pop(struct txq *q, unsigned n);

/* txq_trim() - give an empty queue's ring back (the next push allocates it
 * again). Returns true if a ring was released. */
bool txq_trim(struct txq *q);

#endif
