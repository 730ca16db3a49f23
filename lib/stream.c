// SPDX-License-Identifier: LGPL-2.1-or-later
/* lib/stream.c - VDE byte-stream framing (2-byte big-endian length + frame)
 *
 * Theory of operation
 *
 * The receiver is a three-state machine driven one byte (header) or one
 * run of bytes (payload) at a time:
 *
 *   HDR (hdr_have 0..1)  collect the two header bytes;
 *   LEN check            N == 0: skip the record, back to HDR;
 *                        N > VDE_ETHBUFSIZE: count bad_len, drop the first
 *                        header byte and keep the second as the first byte
 *                        of the next candidate header (slide one byte);
 *   BODY (have < need)   collect payload; at need: deliver, back to HDR.
 *
 * The state only depends on the bytes consumed, never on how they were
 * chunked, so any split of one byte stream yields the same frames (the
 * property checked by tests/unit/test_stream.c and tests/fuzz/fuzz_stream.c).
 * As a fast path a record wholly contained in the current chunk is handed to
 * the callback straight from the caller's buffer, without a copy.
 *
 * The sender emits header and frame with one writev(), as VDE 2 does, so a
 * reader never sees a half record unless the transport splits it.
 * stream_write_frame() completes a cut record by waiting (the library's
 * vdestream and cmd:// use it); the tools use the non-blocking
 * stream_tx_frames()/stream_tx_flush() pair, which never waits: a cut
 * record's tail and the records behind it go to a bounded backlog that the
 * tool flushes on POLLOUT.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "stream.h"

/**
 * stream_rx_init() - reset a receiver to the start of a stream
 * @rx:	receiver state
 */
void stream_rx_init(struct stream_rx *rx)
{
	rx->hdr_have = 0;
	rx->need = 0;
	rx->have = 0;
	rx->frames = 0;
	rx->bad_len = 0;
	rx->empty = 0;
}

/* Header complete: decide what the record is. */
static void stream_rx_header(struct stream_rx *rx)
{
	size_t n = (size_t)rx->hdr[0] << 8 | rx->hdr[1];

	if (n == 0) {
		rx->empty++;
		rx->hdr_have = 0;
	} else if (n > VDE_ETHBUFSIZE) {
		rx->bad_len++;
		rx->hdr[0] = rx->hdr[1];
		rx->hdr_have = 1;
	} else {
		rx->need = n;
		rx->have = 0;
	}
}

/**
 * stream_rx_feed() - feed a chunk of the byte stream
 * @rx:		receiver state
 * @data:	bytes
 * @len:	number of bytes (0 is fine)
 * @cb:		called once per complete frame, in stream order
 * @arg:	passed to @cb
 */
void stream_rx_feed(struct stream_rx *rx, const uint8_t *data, size_t len,
		    stream_frame_cb cb, void *arg)
{
	while (len > 0) {
		if (rx->hdr_have < 2) {
			size_t n;

			if (rx->hdr_have == 0 && len >= 2 &&
			    (n = (size_t)data[0] << 8 | data[1]) > 0 &&
			    n <= VDE_ETHBUFSIZE && len - 2 >= n) {
				/* whole record in this chunk: no copy */
				rx->frames++;
				cb(arg, data + 2, n);
				data += 2 + n;
				len -= 2 + n;
				continue;
			}
			rx->hdr[rx->hdr_have++] = *data++;
			len--;
			if (rx->hdr_have == 2)
				stream_rx_header(rx);
			continue;
		}
		{
			size_t take = rx->need - rx->have;

			if (take > len)
				take = len;
			memcpy(rx->buf + rx->have, data, take);
			rx->have += take;
			data += take;
			len -= take;
			if (rx->have == rx->need) {
				size_t n = rx->need;

				rx->frames++;
				rx->hdr_have = 0;
				rx->need = 0;
				rx->have = 0;
				cb(arg, rx->buf, n);
			}
		}
	}
}

/**
 * stream_rx_partial() - does the receiver hold part of a record?
 * @rx:	receiver state
 *
 * Return: non-zero if EOF now would truncate a record.
 */
int stream_rx_partial(const struct stream_rx *rx)
{
	return rx->hdr_have > 0;
}

/**
 * stream_hdr() - encode the record header for a frame of @len bytes
 * @hdr:	output, 2 bytes big-endian
 * @len:	frame length
 *
 * Return: 2, or 0 if @len is 0 or larger than VDE_ETHBUFSIZE.
 */
size_t stream_hdr(uint8_t hdr[2], size_t len)
{
	if (len == 0 || len > VDE_ETHBUFSIZE)
		return 0;
	hdr[0] = (uint8_t)(len >> 8);
	hdr[1] = (uint8_t)(len & 0xff);
	return 2;
}

/* Wait until @fd is writable again (a record was cut by EAGAIN and must be
 * completed, or the stream would desynchronise). */
static int stream_wait_writable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	int r;

	do
		r = poll(&pfd, 1, -1);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -1 : 0;
}

/**
 * stream_write_frame() - write one record (header + frame) with one writev
 * @fd:		stream fd (pipe, socket, tty)
 * @frame:	frame bytes
 * @len:	frame length
 *
 * A short write is completed (waiting for POLLOUT on a non-blocking fd) so
 * the stream never carries half a record followed by another record.
 *
 * Return: @len, 0 if the frame is empty or too long (nothing sent), or -1
 * with errno if nothing could be written.
 */
ssize_t stream_write_frame(int fd, const void *frame, size_t len)
{
	uint8_t hdr[2];
	struct iovec iov[2];
	size_t total, done = 0;
	ssize_t ret = -1;

	if (!stream_hdr(hdr, len))
		return 0;
	total = len + 2;
	iov[0].iov_base = hdr;
	iov[0].iov_len = 2;
	iov[1].iov_base = (void *)frame;
	iov[1].iov_len = len;
	while (done < total) {
		struct iovec *v = iov;
		int cnt = 2;
		ssize_t n;

		if (done >= 2) {
			iov[1].iov_base = (uint8_t *)frame + (done - 2);
			iov[1].iov_len = total - done;
			v = &iov[1];
			cnt = 1;
		} else if (done == 1) {
			iov[0].iov_base = hdr + 1;
			iov[0].iov_len = 1;
		}
		n = writev(fd, v, cnt);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if ((errno == EAGAIN || errno == EWOULDBLOCK) && done > 0 &&
			    stream_wait_writable(fd) == 0)
				continue;
			/* nothing sent, or the peer went away mid-record */
			goto out;
		}
		done += (size_t)n;
	}
	ret = (ssize_t)len;
out:
	return ret;
}

/* --- the non-blocking writer ------------------------------------------- */

/**
 * stream_tx_init() - an empty writer
 * @tx:	writer state
 */
void stream_tx_init(struct stream_tx *tx)
{
	tx->off = 0;
	tx->len = 0;
	tx->frames = 0;
	tx->drops = 0;
}

/* Append @len bytes to the backlog; the caller checked the room. */
static void stream_tx_keep(struct stream_tx *tx, const void *p, size_t len)
{
	memcpy(tx->buf + tx->len, p, len);
	tx->len += len;
}

/**
 * stream_tx_queue() - append one record to the backlog, without writing
 * @tx:		writer state
 * @frame:	frame bytes
 * @len:	frame length
 *
 * For a tool that gathers the frames of one wake-up and writes them with
 * one stream_tx_flush().
 *
 * Return: 1 queued, 0 dropped and counted (no room, empty or oversized).
 */
int stream_tx_queue(struct stream_tx *tx, const void *frame, size_t len)
{
	uint8_t hdr[2];

	if (!stream_hdr(hdr, len) || STREAM_TX_BUF - tx->len < 2 + len) {
		tx->drops++;
		return 0;
	}
	if (tx->off > 0 && tx->off == tx->len)
		tx->off = tx->len = 0;
	stream_tx_keep(tx, hdr, 2);
	stream_tx_keep(tx, frame, len);
	tx->frames++;
	return 1;
}

/**
 * stream_tx_flush() - write what the backlog holds, without blocking
 * @tx:	writer state
 * @fd:	stream fd (non-blocking, or a blocking one: then it waits in write)
 *
 * Return: 0 when the backlog is empty, 1 when some is left (poll @fd for
 * POLLOUT), -1 with errno on an error other than EAGAIN/EINTR (EPIPE: the
 * reader went away).
 */
int stream_tx_flush(struct stream_tx *tx, int fd)
{
	while (tx->off < tx->len) {
		ssize_t n = write(fd, tx->buf + tx->off, tx->len - tx->off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* make the written part room again once it is the
			 * larger part (each byte moves at most once on average) */
			if (tx->off >= tx->len - tx->off) {
				memmove(tx->buf, tx->buf + tx->off, tx->len - tx->off);
				tx->len -= tx->off;
				tx->off = 0;
			}
			return 1;
		}
		if (n <= 0)
			return -1;
		tx->off += (size_t)n;
	}
	tx->off = tx->len = 0;
	return 0;
}

/**
 * stream_tx_frames() - write frames as records, never blocking on a full fd
 * @tx:		writer state
 * @fd:		stream fd
 * @frames:	one iovec per frame
 * @n:		number of frames
 *
 * With an empty backlog the records go out with one writev straight from
 * the caller's buffers (header and frame side by side, no copy); what the
 * reader does not take now (a cut record included) is copied into the
 * backlog, so the stream never carries half a record followed by another.
 * Frames that find no room in the backlog are dropped and counted, as are
 * empty or oversized frames. A writer with a backlog keeps order: new frames
 * go behind it.
 *
 * Return: frames accepted (written or queued), or -1 with errno when the
 * stream is broken (EPIPE and the like).
 */
ssize_t stream_tx_frames(struct stream_tx *tx, int fd, const struct iovec *frames, size_t n)
{
	struct iovec iov[2 * STREAM_TX_IOV];
	uint8_t hdr[STREAM_TX_IOV][2];
	size_t i = 0, taken = 0;

	if (tx->len > 0 && stream_tx_flush(tx, fd) < 0)
		return -1;
	while (i < n) {
		size_t cnt = 0, k, done;
		ssize_t w = 0;

		/* collect up to STREAM_TX_IOV valid records */
		for (; i < n && cnt < STREAM_TX_IOV; i++) {
			if (!stream_hdr(hdr[cnt], frames[i].iov_len)) {
				tx->drops++;
				continue;
			}
			iov[2 * cnt].iov_base = hdr[cnt];
			iov[2 * cnt].iov_len = 2;
			iov[2 * cnt + 1] = frames[i];
			cnt++;
		}
		if (!cnt)
			break;
		if (tx->len == 0) {
			do
				w = writev(fd, iov, (int)(2 * cnt));
			while (w < 0 && errno == EINTR);
			if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
				return taken ? (ssize_t)taken : -1;
			if (w < 0)
				w = 0;
		}
		/* keep the unwritten rest: the cut record's tail (it always
		 * fits: the backlog was empty and holds more than one record),
		 * then whole records while there is room */
		done = (size_t)w;
		for (k = 0; k < cnt; k++) {
			const struct iovec *h = &iov[2 * k], *f = &iov[2 * k + 1];
			size_t rec = h->iov_len + f->iov_len;

			if (done >= rec) {
				done -= rec;
			} else if (done > 0) {
				if (done < h->iov_len) {
					stream_tx_keep(tx, (const uint8_t *)h->iov_base + done,
						       h->iov_len - done);
					stream_tx_keep(tx, f->iov_base, f->iov_len);
				} else {
					stream_tx_keep(tx, (const uint8_t *)f->iov_base +
							   (done - h->iov_len),
						       rec - done);
				}
				done = 0;
			} else if (STREAM_TX_BUF - tx->len >= rec) {
				stream_tx_keep(tx, h->iov_base, h->iov_len);
				stream_tx_keep(tx, f->iov_base, f->iov_len);
			} else {
				tx->drops++;
				continue;
			}
			taken++;
		}
	}
	tx->frames += taken;
	return (ssize_t)taken;
}
