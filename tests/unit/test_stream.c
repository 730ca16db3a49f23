// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_stream.c - stream framing (lib/stream.c) and vdestream_*
 *
 * Property: the frames delivered for a byte stream do not depend on how
 * the stream is cut into chunks. Checked for every pair of split points on
 * a small stream (zero-length and corrupt records included), every single
 * split point on a medium one, 1-byte feeds and seeded random splits on a
 * large one (lengths 1, 13, 14, 1514, 1521, 1522, 9234). Also: resync after
 * a bad length, and the exact bytes written by stream_write_frame() and
 * vdestream_send().
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libvdeplug.h"
#include "stream.h"
#include "tap.h"

/* A transcript: every delivered frame as [u32 len][bytes]. */
struct transcript {
	uint8_t *buf;
	size_t len, cap;
	size_t frames;
};

static void tr_add(void *arg, const uint8_t *frame, size_t len)
{
	struct transcript *t = arg;
	uint32_t l = (uint32_t)len;

	if (t->len + 4 + len > t->cap) {
		t->cap = (t->len + 4 + len) * 2;
		t->buf = realloc(t->buf, t->cap);
		if (!t->buf)
			abort();
	}
	memcpy(t->buf + t->len, &l, 4);
	memcpy(t->buf + t->len + 4, frame, len);
	t->len += 4 + len;
	t->frames++;
}

static void tr_reset(struct transcript *t)
{
	t->len = 0;
	t->frames = 0;
}

static int tr_equal(const struct transcript *a, const struct transcript *b)
{
	return a->len == b->len && a->frames == b->frames && !memcmp(a->buf, b->buf, a->len);
}

/* Byte stream under construction. */
struct bytes {
	uint8_t *p;
	size_t len, cap;
};

static void put(struct bytes *b, const void *data, size_t len)
{
	if (b->len + len > b->cap) {
		b->cap = (b->len + len) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

static void put_record(struct bytes *b, size_t len, unsigned int seed)
{
	uint8_t hdr[2] = { (uint8_t)(len >> 8), (uint8_t)len };
	size_t i;

	put(b, hdr, 2);
	for (i = 0; i < len; i++) {
		uint8_t c = (uint8_t)(i * 31 + seed);

		put(b, &c, 1);
	}
}

/* Feed @b cut at the given points (sorted, within [0, len]). */
static void feed_cuts(const struct bytes *b, const size_t *cuts, size_t ncuts,
		      struct transcript *t, struct stream_rx *rx)
{
	size_t i, from = 0;

	stream_rx_init(rx);
	tr_reset(t);
	for (i = 0; i <= ncuts; i++) {
		size_t to = i < ncuts ? cuts[i] : b->len;

		stream_rx_feed(rx, b->p + from, to - from, tr_add, t);
		from = to;
	}
}

static struct stream_rx rx;	/* 9 KiB: keep it off the stack */

static void check_all_pairs(const char *name, const struct bytes *b,
			    const struct transcript *ref)
{
	struct transcript t = { 0 };
	size_t i, j, bad = 0, runs = 0;

	for (i = 0; i <= b->len; i++)
		for (j = i; j <= b->len; j++) {
			size_t cuts[2] = { i, j };

			feed_cuts(b, cuts, 2, &t, &rx);
			runs++;
			if (!tr_equal(&t, ref))
				bad++;
		}
	ok(bad == 0, "%s: all %zu split-point pairs give the same frames (%zu differ)",
	   name, runs, bad);
	free(t.buf);
}

static void check_all_single(const char *name, const struct bytes *b,
			     const struct transcript *ref)
{
	struct transcript t = { 0 };
	size_t i, bad = 0;

	for (i = 0; i <= b->len; i++) {
		feed_cuts(b, &i, 1, &t, &rx);
		if (!tr_equal(&t, ref))
			bad++;
	}
	ok(bad == 0, "%s: all %zu single split points give the same frames", name, b->len + 1);
	free(t.buf);
}

static void check_bytewise_and_random(const char *name, const struct bytes *b,
				      const struct transcript *ref)
{
	struct transcript t = { 0 };
	size_t i, bad = 0, round;
	unsigned int seed = 12345;

	stream_rx_init(&rx);
	for (i = 0; i < b->len; i++)
		stream_rx_feed(&rx, b->p + i, 1, tr_add, &t);
	ok(tr_equal(&t, ref), "%s: 1-byte feeds give the same frames", name);
	for (round = 0; round < 200; round++) {
		size_t from = 0;

		stream_rx_init(&rx);
		tr_reset(&t);
		while (from < b->len) {
			size_t n;

			seed = seed * 1103515245u + 12345u;
			/* mostly small chunks, sometimes large ones */
			n = (seed >> 16) % ((seed & 0x100) ? 20000 : 40);
			if (n > b->len - from)
				n = b->len - from;
			stream_rx_feed(&rx, b->p + from, n, tr_add, &t);
			from += n;
		}
		if (!tr_equal(&t, ref))
			bad++;
	}
	ok(bad == 0, "%s: 200 random splits (fixed seed) give the same frames", name);
	free(t.buf);
}

static int ferr_calls;
static size_t frecv_frames, frecv_bytes;

static ssize_t my_frecv(void *opaque, void *buf, size_t count)
{
	frecv_frames++;
	frecv_bytes += count;
	return (ssize_t)count;
}

static void my_ferr(void *opaque, int type, char *format, ...)
{
	if (type == PACKET_LENGTH_ERROR)
		ferr_calls++;
}

static void test_write_bytes(void)
{
	uint8_t frame[VDE_ETHBUFSIZE + 1], got[VDE_ETHBUFSIZE + 8];
	int p[2];
	ssize_t n, r;
	size_t i;
	VDESTREAM *vs;

	for (i = 0; i < sizeof(frame); i++)
		frame[i] = (uint8_t)(i ^ 0x5a);
	if (pipe(p))
		abort();
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	/* the pipe must hold a whole jumbo record */
	fcntl(p[1], F_SETPIPE_SZ, 65536);

	n = stream_write_frame(p[1], frame, 14);
	r = read(p[0], got, sizeof(got));
	ok(n == 14 && r == 16 && got[0] == 0x00 && got[1] == 0x0e && !memcmp(got + 2, frame, 14),
	   "stream_write_frame(14) writes 00 0e + frame");

	n = stream_write_frame(p[1], frame, VDE_ETHBUFSIZE);
	r = read(p[0], got, sizeof(got));
	ok(n == VDE_ETHBUFSIZE && r == VDE_ETHBUFSIZE + 2 && got[0] == 0x24 && got[1] == 0x12 &&
	   !memcmp(got + 2, frame, VDE_ETHBUFSIZE), "stream_write_frame(9234) writes 24 12 + frame");

	n = stream_write_frame(p[1], frame, VDE_ETHBUFSIZE + 1);
	r = read(p[0], got, sizeof(got));
	ok(n == 0 && r < 0 && errno == EAGAIN, "stream_write_frame(9235) returns 0, writes nothing");
	n = stream_write_frame(p[1], frame, 0);
	r = read(p[0], got, sizeof(got));
	ok(n == 0 && r < 0, "stream_write_frame(0) returns 0, writes nothing");

	vs = vdestream_open(NULL, p[1], my_frecv, my_ferr);
	ok(vs != NULL, "vdestream_open");
	n = vdestream_send(vs, frame, 1514);
	r = read(p[0], got, sizeof(got));
	ok(n == 1516 && r == 1516 && got[0] == 0x05 && got[1] == 0xea &&
	   !memcmp(got + 2, frame, 1514), "vdestream_send(1514) writes 05 ea + frame, returns 1516");
	n = vdestream_send(vs, frame, 1522);
	r = read(p[0], got, sizeof(got));
	ok(n == 1524 && r == 1524 && got[0] == 0x05 && got[1] == 0xf2,
	   "vdestream_send(1522) passes (jumbo-capable)");
	n = vdestream_send(vs, frame, VDE_ETHBUFSIZE + 1);
	r = read(p[0], got, sizeof(got));
	ok(n == 0 && r < 0, "vdestream_send(too long) returns 0 without sending");

	/* vdestream_recv: split header, bad length -> ferr, recovery */
	{
		uint8_t s[] = { 0x00, 0x0e, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
				0xff, 0xff, 0x00, 0x0e, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
				13, 14 };

		frecv_frames = frecv_bytes = 0;
		ferr_calls = 0;
		vdestream_recv(vs, s, 1);
		vdestream_recv(vs, s + 1, 1);
		vdestream_recv(vs, s + 2, sizeof(s) - 2);
		ok(frecv_frames == 2 && frecv_bytes == 28 && ferr_calls == 1,
		   "vdestream_recv: 1+1 header split kept, bad length reported once, both frames delivered");
	}
	vdestream_close(vs);
	close(p[0]);
	close(p[1]);
}

/* stream_tx: a pipe with a small buffer, never drained while writing.
 * The writer must never block, keep whole records (a cut one completed from
 * the backlog), drop and count what does not fit, and deliver exactly the
 * accepted frames in order once the reader drains. */
static struct stream_tx tx;	/* 256 KiB backlog: off the stack */

static void test_stream_tx(void)
{
	static uint8_t frames[40][1514];
	struct iovec v[40];
	struct transcript got = { 0 }, want = { 0 };
	static uint8_t rbuf[65536];
	size_t i, accepted = 0, rounds = 0;
	int p[2], fl;

	signal(SIGPIPE, SIG_IGN);
	if (pipe(p) < 0)
		exit(99);
	fcntl(p[1], F_SETPIPE_SZ, 4096);
	fl = fcntl(p[1], F_GETFL);
	fcntl(p[1], F_SETFL, fl | O_NONBLOCK);
	fl = fcntl(p[0], F_GETFL);
	fcntl(p[0], F_SETFL, fl | O_NONBLOCK);
	for (i = 0; i < 40; i++) {
		size_t j, len = 60 + i * 37;

		for (j = 0; j < len; j++)
			frames[i][j] = (uint8_t)(i * 7 + j);
		v[i].iov_base = frames[i];
		v[i].iov_len = len;
	}
	stream_tx_init(&tx);
	/* 40 batches of 40 frames (~2.4 MB) into a 4 KiB pipe nobody reads:
	 * returns every time (no blocking), the backlog fills, the rest drops */
	for (rounds = 0; rounds < 40; rounds++) {
		ssize_t n = stream_tx_frames(&tx, p[1], v, 40);

		if (n < 0)
			break;
		for (i = 0; i < (size_t)n; i++)
			tr_add(&want, v[i].iov_base, v[i].iov_len);
		accepted += (size_t)n;
	}
	ok(rounds == 40, "stream_tx: never fails or blocks on a full pipe");
	ok(accepted > 0 && accepted < 1600 && tx.drops == 1600 - accepted,
	   "stream_tx: accepted %zu, dropped %llu of 1600 (backlog bounded)", accepted,
	   (unsigned long long)tx.drops);
	ok(stream_tx_pending(&tx), "stream_tx: a backlog is left");
	/* an empty frame and an oversized one are drops, not records */
	{
		struct iovec bad[2] = { { frames[0], 0 }, { frames[0], VDE_ETHBUFSIZE + 1 } };
		uint64_t d = tx.drops;

		ok(stream_tx_frames(&tx, p[1], bad, 2) == 0 && tx.drops == d + 2,
		   "stream_tx: empty and oversized frames are counted drops");
	}
	/* drain: read everything while flushing */
	stream_rx_init(&rx);
	for (i = 0; i < 100000; i++) {
		ssize_t r = read(p[0], rbuf, sizeof(rbuf));
		int f;

		if (r > 0)
			stream_rx_feed(&rx, rbuf, (size_t)r, tr_add, &got);
		f = stream_tx_flush(&tx, p[1]);
		if (f < 0)
			break;
		if (f == 0 && r <= 0)
			break;
	}
	ok(!stream_tx_pending(&tx), "stream_tx: the backlog drains");
	ok(rx.bad_len == 0 && !stream_rx_partial(&rx) && got.frames == accepted,
	   "stream_tx: the reader gets %zu whole records (got %zu, %llu bad)", accepted,
	   got.frames, (unsigned long long)rx.bad_len);
	ok(tr_equal(&got, &want), "stream_tx: the same frames, in order");
	/* the reader goes away: an error, not a hang */
	close(p[0]);
	ok(stream_tx_frames(&tx, p[1], v, 1) < 0 && errno == EPIPE,
	   "stream_tx: EPIPE once the reader is gone");
	close(p[1]);
	free(got.buf);
	free(want.buf);
}

int main(void)
{
	struct bytes small = { 0 }, medium = { 0 }, large = { 0 };
	struct transcript ref = { 0 };
	static const uint8_t zero_rec[2] = { 0, 0 };
	static const size_t large_lens[] = { 1, 13, 14, 1514, 1521, 1522, 9234, 60, 9234, 14 };
	size_t i;

	test_stream_tx();

	/* small: short frames, a zero-length record, a corrupt header */
	put_record(&small, 1, 1);
	put_record(&small, 13, 2);
	put(&small, zero_rec, 2);
	put_record(&small, 14, 3);
	put(&small, "\xff\xff", 2);	/* bad length: resync by sliding */
	put_record(&small, 20, 4);
	put_record(&small, 2, 5);
	stream_rx_init(&rx);
	stream_rx_feed(&rx, small.p, small.len, tr_add, &ref);
	ok(rx.empty == 1, "small stream: the zero-length record is counted");
	ok(ref.frames == 5 && rx.bad_len == 2 && !stream_rx_partial(&rx),
	   "small stream: 5 frames, 2 bad headers skipped (got %zu, %llu)", ref.frames,
	   (unsigned long long)rx.bad_len);
	check_all_pairs("small", &small, &ref);
	tr_reset(&ref);

	/* medium: around the VDE 2 limits */
	put_record(&medium, 1514, 6);
	put_record(&medium, 1521, 7);
	put_record(&medium, 1522, 8);
	put_record(&medium, 14, 9);
	stream_rx_init(&rx);
	stream_rx_feed(&rx, medium.p, medium.len, tr_add, &ref);
	ok(ref.frames == 4, "medium stream: 4 frames (1514, 1521, 1522, 14)");
	check_all_single("medium", &medium, &ref);
	tr_reset(&ref);

	/* large: many frames incl. jumbo */
	for (i = 0; i < 3 * sizeof(large_lens) / sizeof(large_lens[0]); i++)
		put_record(&large, large_lens[i % (sizeof(large_lens) / sizeof(large_lens[0]))],
			   (unsigned int)i);
	stream_rx_init(&rx);
	stream_rx_feed(&rx, large.p, large.len, tr_add, &ref);
	ok(ref.frames == 30 && rx.bad_len == 0, "large stream: 30 frames up to 9234 bytes");
	check_bytewise_and_random("large", &large, &ref);

	/* frame content check: the transcript holds exactly what was sent */
	{
		size_t off = 0, idx = 0, bad = 0;

		for (idx = 0; idx < 30; idx++) {
			uint32_t l;
			size_t want = large_lens[idx % 10], j;

			memcpy(&l, ref.buf + off, 4);
			if (l != want)
				bad++;
			for (j = 0; j < l; j++)
				if (ref.buf[off + 4 + j] != (uint8_t)(j * 31 + idx))
					bad++;
			off += 4 + l;
		}
		ok(bad == 0, "large stream: frame lengths and bytes as sent");
	}
	tr_reset(&ref);

	/* length limits: 9234 passes, 9235 is a bad length */
	{
		struct bytes b = { 0 };

		put_record(&b, 9234, 1);
		stream_rx_init(&rx);
		stream_rx_feed(&rx, b.p, b.len, tr_add, &ref);
		ok(rx.bad_len == 0 && ref.frames == 1, "9234-byte record passes");
		tr_reset(&ref);
		stream_rx_init(&rx);
		stream_rx_feed(&rx, (const uint8_t *)"\x24\x13", 2, tr_add, &ref);
		ok(rx.bad_len == 1 && ref.frames == 0 && stream_rx_partial(&rx),
		   "9235 header counted bad, second byte kept for resync");
		free(b.p);
		tr_reset(&ref);
	}

	/* EOF mid-record is visible */
	stream_rx_init(&rx);
	stream_rx_feed(&rx, (const uint8_t *)"\x00", 1, tr_add, &ref);
	ok(stream_rx_partial(&rx), "partial header reported");
	stream_rx_feed(&rx, (const uint8_t *)"\x05\x01\x02", 3, tr_add, &ref);
	ok(stream_rx_partial(&rx) && ref.frames == 0, "partial payload reported");
	stream_rx_feed(&rx, (const uint8_t *)"\x03\x04\x05", 3, tr_add, &ref);
	ok(!stream_rx_partial(&rx) && ref.frames == 1, "record completed");

	{
		uint8_t h[2];

		ok(stream_hdr(h, 1518) == 2 && h[0] == 0x05 && h[1] == 0xee, "stream_hdr(1518) = 05 ee");
		ok(stream_hdr(h, 0) == 0 && stream_hdr(h, 9235) == 0, "stream_hdr rejects 0 and 9235");
	}

	test_write_bytes();

	free(ref.buf);
	free(small.p);
	free(medium.p);
	free(large.p);
	return tap_done();
}
