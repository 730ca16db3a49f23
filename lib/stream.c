// SPDX-License-Identifier: GPL-2.0-or-later
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
}

/* Header complete: decide what the record is. */
static void stream_rx_header(struct stream_rx *rx)
{
	size_t n = (size_t)rx->hdr[0] << 8 | rx->hdr[1];

	if (n == 0) {
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
