// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/fuzz/fuzz_slirp.c - guest frames into the slirp glue (libslirp 4.7)
 *
 * Input: records [len_hi][len_lo][frame bytes], each fed with glue_input()
 * followed by a service pass, the fake clock advancing 150 ms per record
 * (libslirp's TCP and reassembly timers run). The instance is restricted
 * (nothing may leave for the host: no real sockets from fuzz input), with
 * DHCP on, TFTP off, IPv4 and IPv6, and a UNIX forward on the virtual
 * host's port 6000 (to a path that does not exist), so the frame rewriting
 * of -x runs too.
 *
 * Invariants (abort() on violation):
 *  - the frame filter never lets a TCP segment with URG through;
 *  - every frame libslirp sends is between 14 and MTU + 14 bytes;
 *  - TFTP is off: no frame from UDP port 69 ever leaves;
 *  - counters add up: every record dropped, taken by the IPv4 reassembly
 *    or handed to libslirp;
 *  - libslirp never crashes (its own reassembly, which does on a lone last
 *    fragment, never sees a fragment).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "frame.h"
#include "glue.h"
#include "loop.h"

#define FZ_MTU	1500

static int64_t fz_clock;

static int64_t fz_now(void *arg)
{
	(void)arg;
	return fz_clock;
}

static ssize_t fz_send(void *arg, const void *frame, size_t len)
{
	const uint8_t *f = frame;

	(void)arg;
	if (len < 14 || len > FZ_MTU + 14)
		abort();
	/* IPv4 UDP from port 69 */
	if (len >= 14 + 20 + 8 && f[12] == 0x08 && f[13] == 0 && f[14 + 9] == 17) {
		size_t ihl = (size_t)(f[14] & 15) * 4;

		if (len >= 14 + ihl + 8 && f[14 + ihl] == 0 && f[14 + ihl + 1] == 69)
			abort();
	}
	return (ssize_t)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct glue_ops ops = { .send = fz_send, .now = fz_now };
	static uint8_t frame[65536 + 2];
	static struct loop *l;
	const struct glue_stats *st;
	struct sconf c;
	struct glue *g;
	uint64_t fed = 0;
	char err[200];

	if (!l)
		l = loop_new();
	if (!l)
		abort();
	sconf_init(&c);
	c.restricted = true;
	c.no_host_loopback = true;
	c.dhcp = true;
	if (sconf_finish(&c, err, sizeof(err)))
		abort();
	fz_clock = 1000000000;
	g = glue_new(l, &c, &ops, NULL);
	if (!g)
		abort();
	{
		struct sfwd f = { .kind = SFWD_UNIX, .guest_port = 6000, .on_vhost = true };

		strcpy(f.path, "/nonexistent/vdekit-fuzz.sock");
		if (glue_fwd_add(g, &f) < 0)
			abort();
	}
	while (size >= 2) {
		size_t len = (size_t)data[0] << 8 | data[1];
		enum sframe_verdict v;

		data += 2;
		size -= 2;
		if (len > size)
			len = size;
		memcpy(frame, data, len);
		data += len;
		size -= len;
		/* the filter's own promise, on a copy */
		{
			static uint8_t copy[65536];

			memcpy(copy, frame, len);
			v = sframe_guest_check(copy, len, FZ_MTU);
			if ((v == SF_PASS || v == SF_PASS_URG) && sframe_has_urg(copy, len))
				abort();
		}
		glue_input(g, frame, len);
		fed++;
		fz_clock += 150000000;
		glue_service(g);
	}
	st = glue_stats(g);
	/* every frame: dropped by the filter, taken by reassembly (held or
	 * dropped there), or handed to libslirp (reassembled datagrams too) */
	if (st->in_frames - st->frag_done + st->frag_held + st->frag_dropped + st->drop_runt +
	    st->drop_big + st->drop_tcpfrag + st->drop_trunc + st->drop_notus + st->drop_tftp != fed)
		abort();
	glue_free(g);
	return 0;
}
