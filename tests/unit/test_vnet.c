// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_vnet.c - lib/common/vnet.c: checksums, TSO segmentation and
 * GRO coalescing (round trips, and every reason a segment must not merge)
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "vnet.h"
#include "tap.h"
#include "tcpframe.h"
#include "refsum.h"

#define SLOT	2048
#define MAXSEG	64

static uint8_t super[70000], segs[MAXSEG * SLOT], merged[70000];
static size_t lens[MAXSEG], offs[MAXSEG + 1];

/* where each segment starts (they are packed back to back) */
static void index_segs(int n)
{
	int i;

	offs[0] = 0;
	for (i = 0; i < n; i++)
		offs[i + 1] = offs[i] + lens[i];
}

#define SEG(i)	(segs + offs[i])

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* An Ethernet/IP/TCP super-frame in super[] with timestamps (32-byte TCP
 * header), @pay payload bytes and TCP @flags; MSS 1448. */
static size_t build_ts(int v4, size_t pay, uint8_t flags, struct virtio_net_hdr *h)
{
	return tcpframe_build(super, &(struct tcpframe){ .v4 = v4, .pay = pay, .flags = flags,
							  .ts = true, .mss = 1448 }, h);
}

static void frames_of(struct vnet_frame *fr, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		fr[i].data = SEG(i);
		fr[i].len = lens[i];
	}
}

/* QinQ-tagged super-frame (a VLAN device on the tap): segments keep both
 * tags and are correct; tagged segments are never merged */
static void tagged(void)
{
	struct virtio_net_hdr h, hm;
	struct vnet_frame fr[MAXSEG];
	size_t len, m;
	unsigned used;
	int n, i, good = 1;

	len = build_ts(1, 5000, 0x10, &h);
	memmove(super + 20, super + 12, len - 12);
	memcpy(super + 12, "\x88\xa8\x00\x05\x81\x00\x00\x0a", 8);
	len += 8;
	h.csum_start = (uint16_t)(h.csum_start + 8);
	h.hdr_len = (uint16_t)(h.hdr_len + 8);
	n = vnet_segment(&h, super, len, segs, sizeof(segs), lens, MAXSEG);
	index_segs(n > 0 ? n : 0);
	ok(n == 4, "QinQ super-frame: 4 segments (%d)", n);
	for (i = 0; i < n; i++) {
		good &= memcmp(SEG(i) + 12, "\x88\xa8\x00\x05\x81\x00\x00\x0a", 8) == 0;
		good &= tcp_ok(SEG(i), lens[i], 1, 22);
		good &= vnet_csum(SEG(i) + 22, 20, 0) == 0xffff;
	}
	ok(n == 4 && good, "tags kept, IP and TCP checksums correct");
	frames_of(fr, n);
	m = vnet_coalesce(fr, (unsigned)n, &used, merged, sizeof(merged), &hm);
	ok(m == 0 && used == 1, "tagged segments are not merged");
}

static void round_trip(int v4)
{
	const char *ip = v4 ? "v4" : "v6";
	size_t l3 = 14, l4 = l3 + (v4 ? 20 : 40), hl = l4 + 32, pay = 10000, len, m;
	struct virtio_net_hdr h, hm;
	struct vnet_frame fr[MAXSEG];
	unsigned used;
	int n, i, good = 1;

	len = build_ts(v4, pay, 0x18, &h);		/* ACK | PSH */
	n = vnet_segment(&h, super, len, segs, sizeof(segs), lens, MAXSEG);
	index_segs(n);
	ok(n == 7, "%s: 10000 bytes / MSS 1448 = 7 segments (%d)", ip, n);
	for (i = 0; i < n; i++) {
		const uint8_t *s = SEG(i);
		size_t want = i < 6 ? 1448 : 10000 - 6 * 1448;

		good &= lens[i] == hl + want;
		good &= memcmp(s + hl, super + hl + (size_t)i * 1448, want) == 0;
		good &= rd32(s + l4 + 4) == 0xfffff000u + (uint32_t)i * 1448;
		good &= s[l4 + 13] == (i == 6 ? 0x18 : 0x10);
		good &= tcp_ok(s, lens[i], v4, 14);
		if (v4) {
			good &= rd16(s + l3 + 2) == lens[i] - l3;
			good &= rd16(s + l3 + 4) == 0x1234 + i;
			good &= vnet_csum(s + l3, 20, 0) == 0xffff;
		} else {
			good &= rd16(s + l3 + 4) == lens[i] - l4;
		}
	}
	ok(good, "%s: lengths, payload, seq, flags, id and checksums of every segment", ip);

	frames_of(fr, n);
	m = vnet_coalesce(fr, (unsigned)n, &used, merged, sizeof(merged), &hm);
	ok(used == 7 && m == len, "%s: the 7 segments merge back (used %u, %zu bytes)", ip, used, m);
	ok(m == len && memcmp(merged, super, len) == 0, "%s: merged frame == original super-frame", ip);
	ok(hm.gso_type == h.gso_type && hm.gso_size == 1448 && hm.csum_start == l4 &&
	   hm.csum_offset == 16 && hm.flags == VIRTIO_NET_HDR_F_NEEDS_CSUM && hm.hdr_len == hl,
	   "%s: merged header: gso type/size, csum start/offset", ip);
}

static void no_merge(void)
{
	struct virtio_net_hdr h, hm;
	struct vnet_frame fr[MAXSEG];
	unsigned used;
	size_t len, m, l4 = 34;
	int n;

	len = build_ts(1, 10000, 0x10, &h);
	n = vnet_segment(&h, super, len, segs, sizeof(segs), lens, MAXSEG);
	index_segs(n);
	frames_of(fr, n);

	SEG(3)[100] ^= 1;		/* corrupt segment 3 */
	m = vnet_coalesce(fr, (unsigned)n, &used, merged, sizeof(merged), &hm);
	ok(used == 3 && m > 0, "bad checksum in segment 3: the run stops before it (%u)", used);
	m = vnet_coalesce(fr + 3, (unsigned)n - 3, &used, merged, sizeof(merged), &hm);
	ok(used == 1 && m == 0, "the corrupt segment is written alone");
	SEG(3)[100] ^= 1;

	m = vnet_coalesce(fr, 1, &used, merged, sizeof(merged), &hm);
	ok(used == 1 && m == 0, "a single frame is not merged");
	m = vnet_coalesce(fr + 1, 1, &used, merged, sizeof(merged), &hm);
	ok(used == 1 && m == 0, "n == 1");

	fr[2] = fr[4];				/* sequence gap */
	m = vnet_coalesce(fr, (unsigned)n, &used, merged, sizeof(merged), &hm);
	ok(used == 2, "a sequence gap ends the run (%u)", used);
	frames_of(fr, n);

	fr[2] = fr[6];				/* short last segment in the middle */
	fr[3] = fr[6];
	m = vnet_coalesce(fr, 4, &used, merged, sizeof(merged), &hm);
	ok(used <= 2, "nothing merges after a segment shorter than the MSS (%u)", used);
	frames_of(fr, n);

	SEG(1)[l4 + 13] |= 0x08;	/* PSH in segment 1 (fix its checksum) */
	SEG(1)[l4 + 16] = SEG(1)[l4 + 17] = 0;
	{
		uint16_t c;
		uint8_t *s = SEG(1);
		uint8_t ph[12] = { 0 };
		size_t l4len = lens[1] - l4;

		memcpy(ph, s + 26, 8);
		ph[10] = (uint8_t)(l4len >> 8);
		ph[11] = (uint8_t)l4len;
		ph[9] = 6;
		c = (uint16_t)~vnet_csum(s + l4, l4len, vnet_csum(ph, 12, 0));
		memcpy(s + l4 + 16, &c, 2);
		ok(tcp_ok(s, lens[1], 1, 14), "test set-up: segment 1 re-checksummed");
	}
	m = vnet_coalesce(fr, (unsigned)n, &used, merged, sizeof(merged), &hm);
	ok(used == 2 && merged[l4 + 13] == 0x18, "PSH ends the run and is kept (%u)", used);

	len = build_ts(1, 1448 * 3, 0x10, &h);
	n = vnet_segment(&h, super, len, segs, sizeof(segs), lens, MAXSEG);
	index_segs(n);
	SEG(1)[l4 + 1] ^= 1;		/* another port in segment 1 */
	frames_of(fr, n);
	m = vnet_coalesce(fr, (unsigned)n, &used, merged, sizeof(merged), &hm);
	ok(used == 1 && m == 0, "another flow does not merge");

	len = build_ts(1, 1448 * 3, 0x11, &h);	/* ACK | FIN */
	n = vnet_segment(&h, super, len, segs, sizeof(segs), lens, MAXSEG);
	index_segs(n);
	frames_of(fr, n);
	ok(n == 3 && SEG(0)[l4 + 13] == 0x10 && SEG(2)[l4 + 13] == 0x11,
	   "FIN only on the last segment");
	m = vnet_coalesce(fr, (unsigned)n, &used, merged, sizeof(merged), &hm);
	ok(used == 2, "a FIN segment is not merged (%u)", used);

	len = build_ts(1, 3000, 0x10, &h);
	ok(vnet_segment(&h, super, len, segs, sizeof(segs), lens, 2) == -1, "too many segments: -1");
	ok(vnet_segment(&h, super, len, segs, len + 66, lens, MAXSEG) == -1, "buffer too small: -1");
	ok(vnet_segment(&h, super, len, segs, len + 2 * 66, lens, MAXSEG) == 3, "buffer just big enough");
	ok(vnet_segment(&h, super, 40, segs, sizeof(segs), lens, MAXSEG) == -1, "truncated: -1");
	h.gso_size = 0;
	ok(vnet_segment(&h, super, len, segs, sizeof(segs), lens, MAXSEG) == -1, "MSS 0: -1");
	h.gso_size = 1448;
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	ok(vnet_segment(&h, super, len, segs, sizeof(segs), lens, MAXSEG) == -1, "v6 type on v4: -1");
	h.gso_type = VIRTIO_NET_HDR_GSO_UDP;
	ok(vnet_segment(&h, super, len, segs, sizeof(segs), lens, MAXSEG) == -1, "UFO: -1");
}

/* byte-at-a-time RFC 1071 reference, folded, as wire-order bytes */
static void ref_csum(const uint8_t *p, size_t len, uint8_t out[2])
{
	uint16_t s = ref_sum16(p, len, 0);

	out[0] = (uint8_t)(s >> 8);
	out[1] = (uint8_t)s;
}

static void csum_vs_ref(void)
{
	static uint8_t buf[4000 + 4 + 9000];
	size_t len, off, i;
	int good = 1;

	srand(7);
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rand();
	memset(buf + 5000, 0xff, 4000);		/* long runs of 0xffff words */
	for (len = 0; len <= 9000 && good; len += len < 80 ? 1 : 97) {
		for (off = 0; off < 4 && good; off++) {
			uint8_t want[2], got[2];
			uint16_t v = vnet_csum(buf + off + (len > 4500 ? 4000 : 0), len, 0);

			ref_csum(buf + off + (len > 4500 ? 4000 : 0), len, want);
			memcpy(got, &v, 2);
			good = !memcmp(want, got, 2);
			if (!good)
				printf("# len %zu off %zu: %02x%02x want %02x%02x\n", len, off,
				       got[0], got[1], want[0], want[1]);
		}
	}
	ok(good, "vnet_csum == byte-wise reference, lengths 0..9000, 4 alignments");
}

static void csum(void)
{
	static const uint8_t rfc[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	uint8_t udp[60] = { 0 }, b[2];
	struct virtio_net_hdr h = { 0 };
	uint16_t s = vnet_csum(rfc, sizeof(rfc), 0);
	size_t i;

	memcpy(b, &s, 2);
	ok(b[0] == 0xdd && b[1] == 0xf2, "RFC 1071 example sums to dd f2 (%02x %02x)", b[0], b[1]);
	s = vnet_csum(rfc, 7, 0);
	memcpy(b, &s, 2);
	ok(b[0] == 0xdc && b[1] == 0xfb, "odd length pads with zero (%02x %02x)", b[0], b[1]);

	/* UDP in IPv4: NEEDS_CSUM at 34 + 6, field seeded with pseudo sum */
	for (i = 42; i < sizeof(udp); i++)
		udp[i] = (uint8_t)i;
	udp[38] = 0;
	udp[39] = 26;
	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h.csum_start = 34;
	h.csum_offset = 6;
	ok(vnet_finish_csum(&h, udp, sizeof(udp)) == 0, "finish a UDP checksum");
	ok(vnet_csum(udp + 34, 26, 0) == 0xffff, "the segment now sums to 0xffff");
	h.csum_start = 59;
	ok(vnet_finish_csum(&h, udp, sizeof(udp)) == -1, "offsets past the frame: -1");
	h.flags = 0;
	ok(vnet_finish_csum(&h, udp, sizeof(udp)) == 0, "no NEEDS_CSUM: nothing to do");
}

int main(void)
{
	csum_vs_ref();
	csum();
	round_trip(1);
	round_trip(0);
	no_merge();
	tagged();
	return tap_done();
}
