// SPDX-License-Identifier: GPL-2.0-or-later
/* switch/txq.c - bounded transmit queue of one endpoint
 *
 * Theory of operation: records are written at tail and read at head. When
 * a record does not fit between tail and the end of the ring, a wrap mark
 * (length UINT32_MAX, or simply fewer than 4 bytes left) sends both reader
 * and writer back to offset 0. The writer never lets tail catch up with
 * head from behind, so head == tail only when the queue is empty, and an
 * empty queue restarts at offset 0.
 */
#include "config.h"

#include "txq.h"

#include <stdlib.h>
#include <string.h>

#define TXQ_WRAP	UINT32_MAX
#define TXQ_HDR		4

static size_t rec_size(size_t len)
{
	return (TXQ_HDR + len + 3) & ~(size_t)3;
}

void txq_init(struct txq *q, size_t size, unsigned max_frames)
{
	memset(q, 0, sizeof(*q));
	q->size = size & ~(size_t)3;
	q->max_frames = max_frames;
}

/**
 * txq_trim() - release the ring of an empty queue.
 * @q: the queue.
 *
 * Only the pages a burst touched are resident (an empty queue restarts at
 * offset 0), but they stay resident until the ring is freed. The caller
 * trims a queue that has been empty for a while, so a busy queue that keeps
 * emptying and refilling is not reallocated over and over.
 * Return: true if a ring was released.
 */
bool txq_trim(struct txq *q)
{
	bool ret = false;

	if (q->buf && !q->frames) {
		txq_free(q);
		ret = true;
	}
	return ret;
}

void txq_free(struct txq *q)
{
	free(q->buf);
	q->buf = NULL;
	q->head = q->tail = 0;
	q->frames = 0;
}

static void put_len(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static uint32_t get_len(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

bool txq_push(struct txq *q, const void *frame, size_t len)
{
	return txq_push2(q, NULL, 0, frame, len);
}

bool txq_push2(struct txq *q, const void *pre, size_t prelen, const void *frame, size_t len)
{
	struct iovec v[2] = { { (void *)pre, prelen }, { (void *)frame, len } };

	return txq_pushv(q, v, 2);
}

bool txq_pushv(struct txq *q, const struct iovec *v, unsigned n)
{
	size_t need, at, len = 0;
	unsigned i;
	bool ret = false;

	for (i = 0; i < n; i++) {
		if (v[i].iov_len >= TXQ_WRAP - len)
			goto out;
		len += v[i].iov_len;
	}
	need = rec_size(len);
	if (q->frames >= q->max_frames || need > q->size)
		goto out;
	if (!q->buf) {
		q->buf = malloc(q->size);
		if (!q->buf)
			goto out;
	}
	if (!q->frames)
		q->head = q->tail = 0;
	if (q->tail >= q->head) {
		if (q->size - q->tail >= need) {
			at = q->tail;
		} else if (q->head > need) {
			if (q->size - q->tail >= TXQ_HDR)
				put_len(q->buf + q->tail, TXQ_WRAP);
			at = 0;
		} else {
			goto out;
		}
	} else {
		if (q->head - q->tail > need)
			at = q->tail;
		else
			goto out;
	}
	put_len(q->buf + at, (uint32_t)len);
	for (i = 0, len = 0; i < n; len += v[i].iov_len, i++)
		if (v[i].iov_len)
			memcpy(q->buf + at + TXQ_HDR + len, v[i].iov_base, v[i].iov_len);
	q->tail = at + need;
	q->frames++;
	ret = true;
out:
	return ret;
}

/* Offset of the record at @off, following a wrap mark. */
static size_t rec_at(const struct txq *q, size_t off)
{
	if (q->size - off < TXQ_HDR || get_len(q->buf + off) == TXQ_WRAP)
		off = 0;
	return off;
}

unsigned txq_peek(const struct txq *q, struct iovec *iov, unsigned max)
{
	size_t off = q->head;
	unsigned n = 0;

	while (n < max && n < q->frames) {
		size_t len;

		off = rec_at(q, off);
		len = get_len(q->buf + off);
		iov[n].iov_base = q->buf + off + TXQ_HDR;
		iov[n].iov_len = len;
		off += rec_size(len);
		n++;
	}
	return n;
}

void txq_pop(struct txq *q, unsigned n)
{
	while (n-- && q->frames) {
		q->head = rec_at(q, q->head);
		q->head += rec_size(get_len(q->buf + q->head));
		q->frames--;
	}
	if (!q->frames)
		q->head = q->tail = 0;
}
