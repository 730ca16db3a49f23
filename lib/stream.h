/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/stream.h - VDE byte-stream framing, the only implementation in vdekit
 *
 * Record = 2-byte big-endian length N, then N bytes of Ethernet frame; used
 * over stdin/stdout, pipes, ssh and cmd://. Bytes sent are exactly VDE 2's.
 * Receiving keeps partial headers and partial payloads across chunks, so the
 * frames delivered are identical however the stream is split (a header split
 * 1+1 included). Zero-length records are skipped. A length above
 * VDE_ETHBUFSIZE is counted as bad and the parser resynchronises by sliding
 * one byte at a time until a plausible header appears (deterministic, so the
 * split-invariance holds for corrupt streams too).
 */
#ifndef VDEKIT_STREAM_H
#define VDEKIT_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#ifndef VDE_ETHBUFSIZE
#define VDE_ETHBUFSIZE	9234	/* 9216 MTU + 14 header + 4 tag */
#endif

typedef void (*stream_frame_cb)(void *arg, const uint8_t *frame, size_t len);

struct stream_rx {
	uint8_t hdr[2];
	size_t hdr_have;		/* 0..2 bytes of header held */
	size_t need;			/* payload length of the current record */
	size_t have;			/* payload bytes held */
	uint64_t frames;		/* delivered */
	uint64_t bad_len;		/* length errors (resync events) */
	uint64_t empty;			/* zero-length records (skipped) */
	uint8_t buf[VDE_ETHBUFSIZE];
};

void stream_rx_init(struct stream_rx *rx);
/* Feed @len bytes; calls @cb once per complete frame. */
void stream_rx_feed(struct stream_rx *rx, const uint8_t *data, size_t len,
		    stream_frame_cb cb, void *arg);
/* True when the parser holds part of a record (EOF now = truncated frame). */
int stream_rx_partial(const struct stream_rx *rx);

/* Encode the 2-byte header; 0 if @len is 0 or > VDE_ETHBUFSIZE. */
size_t stream_hdr(uint8_t hdr[2], size_t len);
/* One writev(hdr, frame). Returns len, 0 if the frame is too long (not
 * sent), or -1 with errno. A short write on a blocking fd is completed. */
ssize_t stream_write_frame(int fd, const void *frame, size_t len);

/* The one non-blocking stream writer of the tools. Records go out with one
 * writev straight from the caller's frames; what the reader does not take
 * at once waits in a bounded backlog (a cut record is always completed
 * first, so the stream stays in sync); frames beyond the backlog are
 * dropped and counted. Poll the fd for POLLOUT while stream_tx_pending(). */
#define STREAM_TX_BUF	(256 * 1024)
#define STREAM_TX_IOV	64		/* records per writev */

struct stream_tx {
	size_t off, len;		/* backlog: buf[off..len) */
	uint64_t frames;		/* accepted (written or queued) */
	uint64_t drops;			/* no room, empty or oversized */
	uint8_t buf[STREAM_TX_BUF];
};

void stream_tx_init(struct stream_tx *tx);
/* Frames accepted, or -1 with errno (EPIPE...) when the stream is broken. */
ssize_t stream_tx_frames(struct stream_tx *tx, int fd, const struct iovec *frames, size_t n);
/* Queue one frame as a record behind the backlog without writing (a tool
 * that gathers a whole batch, then flushes once): 1 queued, 0 dropped and
 * counted (no room, empty or oversized). */
int stream_tx_queue(struct stream_tx *tx, const void *frame, size_t len);
/* 0 backlog empty, 1 some left (wait for POLLOUT), -1 with errno. */
int stream_tx_flush(struct stream_tx *tx, int fd);
static inline int stream_tx_pending(const struct stream_tx *tx)
{
	return tx->len > tx->off;
}

#endif
