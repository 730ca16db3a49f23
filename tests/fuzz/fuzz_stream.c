// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/fuzz/fuzz_stream.c - stream framing: split invariance under fuzzing
 *
 * Input: byte 0 = number of cut points k (0..15), then k 16-bit cut
 * positions, then the byte stream. The stream is fed (a) whole, (b) cut at
 * the fuzzer's points, (c) one byte at a time; the delivered frames (count,
 * total length, order-sensitive hash) must be identical, every frame must
 * be 1..VDE_ETHBUFSIZE bytes, and re-encoding the frames with stream_hdr()
 * and parsing again must give the same frames. Any violation aborts.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct digest {
	uint64_t frames, bytes, hash;
	uint8_t *reenc;		/* re-encoded stream, when wanted */
	size_t reenc_len;
};

static void take(void *arg, const uint8_t *frame, size_t len)
{
	struct digest *d = arg;
	size_t i;

	if (len == 0 || len > VDE_ETHBUFSIZE)
		abort();
	d->frames++;
	d->bytes += len;
	d->hash = (d->hash ^ len) * 0x100000001b3ULL;
	for (i = 0; i < len; i++)
		d->hash = (d->hash ^ frame[i]) * 0x100000001b3ULL;
	if (d->reenc) {
		if (stream_hdr(d->reenc + d->reenc_len, len) != 2)
			abort();
		memcpy(d->reenc + d->reenc_len + 2, frame, len);
		d->reenc_len += 2 + len;
	}
}

static int same(const struct digest *a, const struct digest *b)
{
	return a->frames == b->frames && a->bytes == b->bytes && a->hash == b->hash;
}

static struct stream_rx rx;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct digest whole = { 0, 0, 1469598103934665603ULL, NULL, 0 };
	struct digest cut = whole, bytewise = whole, again = whole;
	size_t cuts[16], k, i, from;
	const uint8_t *s;
	size_t n;

	if (size < 1)
		return 0;
	k = data[0] & 15;
	if (size < 1 + 2 * k)
		return 0;
	s = data + 1 + 2 * k;
	n = size - 1 - 2 * k;
	for (i = 0; i < k; i++)
		cuts[i] = ((size_t)data[1 + 2 * i] << 8 | data[2 + 2 * i]) % (n + 1);
	/* sort the cut points (k <= 15: insertion sort) */
	for (i = 1; i < k; i++) {
		size_t v = cuts[i], j = i;

		while (j > 0 && cuts[j - 1] > v) {
			cuts[j] = cuts[j - 1];
			j--;
		}
		cuts[j] = v;
	}

	/* frames re-encoded take at most the input size + 2 per frame; a frame
	 * needs >= 3 input bytes, so 2 * n is always enough */
	whole.reenc = malloc(2 * n + 2);
	if (!whole.reenc)
		abort();
	stream_rx_init(&rx);
	stream_rx_feed(&rx, s, n, take, &whole);

	stream_rx_init(&rx);
	for (i = 0, from = 0; i <= k; i++) {
		size_t to = i < k ? cuts[i] : n;

		stream_rx_feed(&rx, s + from, to - from, take, &cut);
		from = to;
	}
	if (!same(&whole, &cut))
		abort();

	stream_rx_init(&rx);
	for (i = 0; i < n; i++)
		stream_rx_feed(&rx, s + i, 1, take, &bytewise);
	if (!same(&whole, &bytewise))
		abort();

	/* what we parsed, encoded again, parses to the same frames, cleanly */
	stream_rx_init(&rx);
	stream_rx_feed(&rx, whole.reenc, whole.reenc_len, take, &again);
	if (!same(&whole, &again) || rx.bad_len || stream_rx_partial(&rx))
		abort();
	free(whole.reenc);
	return 0;
}
