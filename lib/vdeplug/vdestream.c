// SPDX-License-Identifier: LGPL-2.1-or-later
/* lib/vdeplug/vdestream.c - public vdestream_* API over lib/stream.c
 *
 * The VDE 2 stream helpers used by plugs and cables: vdestream_recv() feeds
 * arbitrary chunks of a byte stream and calls frecv once per complete frame
 * (partial headers and payloads are kept, unlike VDE 2), vdestream_send()
 * writes header and frame with one writev. Bytes on the wire are VDE 2's.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "libvdeplug.h"
#include "stream.h"

struct vdestream {
	void *opaque;
	int fdout;
	ssize_t (*frecv)(void *opaque, void *buf, size_t count);
	void (*ferr)(void *opaque, int type, char *format, ...);
	struct stream_rx rx;
};

/**
 * vdestream_open() - create a stream codec
 * @opaque:	passed back to @frecv and @ferr
 * @fdout:	where vdestream_send() writes
 * @frecv:	called with each complete frame received
 * @ferr:	called on a bad record length (PACKET_LENGTH_ERROR), may be NULL
 *
 * Return: the codec, or NULL with errno ENOMEM (EINVAL if @frecv is NULL).
 */
VDESTREAM *vdestream_open(void *opaque, int fdout,
			  ssize_t (*frecv)(void *opaque, void *buf, size_t count),
			  void (*ferr)(void *opaque, int type, char *format, ...))
{
	VDESTREAM *s;

	if (!frecv) {
		errno = EINVAL;
		return NULL;
	}
	s = malloc(sizeof(*s));
	if (!s)
		return NULL;
	s->opaque = opaque;
	s->fdout = fdout;
	s->frecv = frecv;
	s->ferr = ferr;
	stream_rx_init(&s->rx);
	return s;
}

/**
 * vdestream_send() - write one frame as a stream record
 * @vdestream:	codec
 * @buf:	frame
 * @len:	its length, at most VDE_ETHBUFSIZE
 *
 * Return: bytes written (@len + 2), 0 if @len is 0 or too long (nothing
 * written), -1 with errno.
 */
ssize_t vdestream_send(VDESTREAM *vdestream, const void *buf, size_t len)
{
	ssize_t n;

	if (!vdestream) {
		errno = EBADF;
		return -1;
	}
	n = stream_write_frame(vdestream->fdout, buf, len);
	return n > 0 ? n + 2 : n;
}

static void vdestream_deliver(void *arg, const uint8_t *frame, size_t len)
{
	VDESTREAM *s = arg;

	s->frecv(s->opaque, (void *)frame, len);
}

/**
 * vdestream_recv() - feed received stream bytes
 * @vdestream:	codec
 * @buf:	bytes, any chunking
 * @len:	their number
 *
 * Calls frecv once per complete frame; calls ferr(PACKET_LENGTH_ERROR) if
 * corrupt record headers were skipped while resynchronising.
 */
void vdestream_recv(VDESTREAM *vdestream, unsigned char *buf, size_t len)
{
	uint64_t bad;

	if (!vdestream)
		return;
	bad = vdestream->rx.bad_len;
	stream_rx_feed(&vdestream->rx, buf, len, vdestream_deliver, vdestream);
	if (vdestream->rx.bad_len != bad && vdestream->ferr)
		vdestream->ferr(vdestream->opaque, PACKET_LENGTH_ERROR,
				"bad record length (max %d): %llu byte(s) skipped to resync",
				VDE_ETHBUFSIZE, (unsigned long long)(vdestream->rx.bad_len - bad));
}

/**
 * vdestream_close() - free a codec (does not close fdout)
 * @vdestream:	codec, may be NULL
 */
void vdestream_close(VDESTREAM *vdestream)
{
	free(vdestream);
}
