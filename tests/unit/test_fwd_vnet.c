// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_fwd_vnet.c - forward_frame_vnet(): offload super-frames
 * through the forwarding core. A TCP super-frame (IPv4 and IPv6, 20000
 * bytes of payload, NEEDS_CSUM) is flooded by its Ethernet header alone;
 * the untagged form keeps its metadata; the form with a tag inserted gets
 * csum_start and hdr_len + 4 (checked by completing the checksum at the
 * new offset and by cutting it: every tagged segment has a correct
 * checksum), a tagged super-frame stripped gets - 4; a super-frame may be
 * longer than FWD_FRAME_MAX (a wire frame that long is oversize); a
 * NEEDS_CSUM offset inside the tag cannot be stripped (counted); a mirror
 * copy carries the metadata of the frame as received; without emit_vnet
 * (forward_frame()) nothing changes. */
#include "config.h"

#include <string.h>

#include "forward.h"
#include "tap.h"
#include "vlan.h"
#include "vnet.h"

#define MAXOUT	8
#define PAY	20000

struct rec {
	unsigned n;
	unsigned port[MAXOUT];
	size_t len[MAXOUT];
	bool has_vh[MAXOUT];
	struct virtio_net_hdr vh[MAXOUT];
	uint8_t b[MAXOUT][PAY + 200];
};

static struct rec r;
static uint8_t frame[PAY + 200], alt[FWD_SUPER_ALT_SIZE], tmp[PAY + 200];
static uint8_t segs[64 * 1600];	/* PAY / MSS segments */
static size_t lens[64];

static void emit_vnet(void *arg, unsigned port, const uint8_t *f, size_t len,
		      const struct virtio_net_hdr *vh)
{
	struct rec *rc = arg;

	if (rc->n < MAXOUT) {
		rc->port[rc->n] = port;
		rc->len[rc->n] = len;
		rc->has_vh[rc->n] = vh != NULL;
		if (vh)
			rc->vh[rc->n] = *vh;
		memcpy(rc->b[rc->n], f, len < sizeof(rc->b[0]) ? len : sizeof(rc->b[0]));
	}
	rc->n++;
}

static void emit_plain(void *arg, unsigned port, const uint8_t *f, size_t len)
{
	emit_vnet(arg, port, f, len, NULL);
}

static int idx(unsigned port)
{
	unsigned i;

	for (i = 0; i < r.n && i < MAXOUT; i++)
		if (r.port[i] == port)
			return (int)i;
	return -1;
}

/* TCP checksum of a frame whose IP header is at @l3 is right */
static bool tcp_ok(const uint8_t *f, size_t len, bool v4, size_t l3)
{
	size_t l4 = l3 + (v4 ? 20 : 40), l4len = len - l4;
	uint8_t ph[40];
	size_t phl = v4 ? 8 : 32;

	memcpy(ph, f + l3 + (v4 ? 12 : 8), phl);
	ph[phl] = (uint8_t)(l4len >> 24);
	ph[phl + 1] = (uint8_t)(l4len >> 16);
	ph[phl + 2] = (uint8_t)(l4len >> 8);
	ph[phl + 3] = (uint8_t)l4len;
	ph[phl + 4] = ph[phl + 5] = ph[phl + 6] = 0;
	ph[phl + 7] = 6;
	return vnet_csum(f + l4, l4len, vnet_csum(ph, phl + 8, 0)) == 0xffff;
}

/* An Ethernet (tagged with VID @tag if > 0) / IP / TCP super-frame to an
 * unknown unicast MAC, its checksum field seeded with the pseudo-header
 * sum, as a stack hands it to a tap with TSO. */
static size_t build(bool v4, int tag, struct virtio_net_hdr *h)
{
	size_t l3 = tag > 0 ? 18 : 14, l4 = l3 + (v4 ? 20 : 40), hl = l4 + 20, len = hl + PAY;
	size_t i, phl = v4 ? 8 : 32, l4len = len - l4;
	uint8_t *f = frame, ph[40];
	uint16_t c;

	memset(f, 0, hl);
	memcpy(f, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01", 12);
	if (tag > 0) {
		f[12] = 0x81;
		f[14] = (uint8_t)(tag >> 8);
		f[15] = (uint8_t)tag;
	}
	f[l3 - 2] = v4 ? 0x08 : 0x86;
	f[l3 - 1] = v4 ? 0x00 : 0xdd;
	if (v4) {
		f[l3] = 0x45;
		f[l3 + 2] = (uint8_t)((len - l3) >> 8);
		f[l3 + 3] = (uint8_t)(len - l3);
		f[l3 + 8] = 64;
		f[l3 + 9] = 6;
		memcpy(f + l3 + 12, "\x0a\x4e\0\x01\x0a\x4e\0\x02", 8);
		c = (uint16_t)~vnet_csum(f + l3, 20, 0);
		memcpy(f + l3 + 10, &c, 2);
	} else {
		f[l3] = 0x60;
		f[l3 + 4] = (uint8_t)((len - l4) >> 8);
		f[l3 + 5] = (uint8_t)(len - l4);
		f[l3 + 6] = 6;
		f[l3 + 7] = 64;
		f[l3 + 8] = 0xfd;
		f[l3 + 23] = 1;
		f[l3 + 24] = 0xfd;
		f[l3 + 39] = 2;
	}
	f[l4 + 1] = 80;
	f[l4 + 3] = 81;
	f[l4 + 12] = 0x50;
	f[l4 + 13] = 0x18;		/* ACK PSH */
	for (i = 0; i < PAY; i++)
		f[hl + i] = (uint8_t)(i * 13 + (i >> 9));
	memcpy(ph, f + l3 + (v4 ? 12 : 8), phl);
	memset(ph + phl, 0, 8);
	ph[phl + 2] = (uint8_t)(l4len >> 8);
	ph[phl + 3] = (uint8_t)l4len;
	ph[phl + 7] = 6;
	c = vnet_csum(ph, phl + 8, 0);
	memcpy(f + l4 + 16, &c, 2);
	memset(h, 0, sizeof(*h));
	h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h->gso_type = v4 ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6;
	h->gso_size = (uint16_t)(1500 - (v4 ? 20 : 40) - 20);	/* MTU 1500 */
	h->hdr_len = (uint16_t)hl;
	h->csum_start = (uint16_t)l4;
	h->csum_offset = 16;
	return len;
}

/* The emitted form @i: completing its checksum at the metadata's offset
 * gives a right checksum, and cutting it gives right segments whose IP
 * header is at @l3. */
static bool form_ok(int i, bool v4, size_t l3)
{
	struct virtio_net_hdr h;
	int n, k;
	size_t off = 0;
	bool good = true;

	if (i < 0 || !r.has_vh[i])
		return false;
	h = r.vh[i];
	memcpy(tmp, r.b[i], r.len[i]);
	if (vnet_finish_csum(&h, tmp, r.len[i]) < 0 || !tcp_ok(tmp, r.len[i], v4, l3))
		return false;
	n = vnet_segment(&h, r.b[i], r.len[i], segs, sizeof(segs), lens, 64);
	if (n != (int)((PAY + h.gso_size - 1) / h.gso_size))
		return false;
	for (k = 0; k < n; off += lens[k], k++)
		good = good && lens[k] <= 1514 + l3 - 14 && tcp_ok(segs + off, lens[k], v4, l3);
	return good;
}

int main(void)
{
	struct port_table pt;
	struct fdb fdb;
	struct mirror m;
	struct fwd_ctx fc;
	struct virtio_net_hdr h;
	size_t len;
	unsigned p;
	int i, v;

	memset(&m, 0, sizeof(m));
	ok(port_table_init(&pt, 8) == 0 && fdb_init(&fdb, 64, 256) == 0, "table, fdb");
	ok(vlan_create(&pt, 10) == 0, "VLAN 10");
	for (p = 1; p <= 4; p++) {
		pt.v[p].exists = true;
		pt.v[p].nep = 1;
	}
	vlan_setport(&pt, 1, 10);	/* 1, 3: untagged in 10; 2: tagged */
	vlan_setport(&pt, 3, 10);
	vlan_setport(&pt, 2, VLAN_NONE);
	vlan_addport(&pt, 10, 2);
	memset(&fc, 0, sizeof(fc));
	fc.pt = &pt;
	fc.fdb = &fdb;
	fc.emit = emit_plain;
	fc.emit_vnet = emit_vnet;
	fc.arg = &r;
	fc.mirror = &m;
	ok(mirror_set(&m, &pt, 4, MIRROR_ALL, 0) == 0, "port 4 monitors everything");

	for (v = 1; v >= 0; v--) {
		const char *ip = v ? "IPv4" : "IPv6";

		len = build(v, 0, &h);
		memset(&r, 0, sizeof(r));
		forward_frame_vnet(&fc, 1, frame, len, &h, alt, 1000 * FDB_NSEC);
		ok(r.n == 3 && idx(2) >= 0 && idx(3) >= 0 && idx(4) >= 0,
		   "%s: super-frame of %zu bytes flooded to 2, 3 and the monitor 4", ip, len);
		i = idx(3);
		ok(i >= 0 && r.len[i] == len && r.has_vh[i] && !memcmp(&r.vh[i], &h, sizeof(h)) &&
		   !memcmp(r.b[i], frame, len), "%s: untagged port: same bytes, same metadata", ip);
		i = idx(2);
		ok(i >= 0 && r.len[i] == len + 4 && r.b[i][12] == 0x81 && r.b[i][15] == 10 &&
		   r.vh[i].csum_start == h.csum_start + 4 && r.vh[i].hdr_len == h.hdr_len + 4 &&
		   r.vh[i].gso_size == h.gso_size && r.vh[i].gso_type == h.gso_type,
		   "%s: tagged port: tag inserted, csum_start and hdr_len + 4", ip);
		ok(form_ok(i, v, 18), "%s: tagged form: checksum and segments right", ip);
		i = idx(4);
		ok(i >= 0 && r.len[i] == len && r.has_vh[i] && !memcmp(&r.vh[i], &h, sizeof(h)),
		   "%s: mirror copy: as received, with its metadata", ip);

		len = build(v, 10, &h);
		memset(&r, 0, sizeof(r));
		forward_frame_vnet(&fc, 2, frame, len, &h, alt, 1000 * FDB_NSEC);
		i = idx(1);
		ok(r.n == 3 && i >= 0 && r.len[i] == len - 4 && r.b[i][12] != 0x81 &&
		   r.vh[i].csum_start == h.csum_start - 4 && r.vh[i].hdr_len == h.hdr_len - 4,
		   "%s: tagged super-frame stripped: csum_start and hdr_len - 4", ip);
		ok(form_ok(i, v, 14), "%s: stripped form: checksum and segments right", ip);
	}

	len = build(true, 0, &h);
	memset(&r, 0, sizeof(r));
	fc.st.oversize = 0;
	forward_frame(&fc, 1, frame, len, alt, 1000 * FDB_NSEC);
	ok(r.n == 0 && fc.st.oversize == 1, "the same bytes without metadata: oversize");
	len = build(true, 10, &h);
	h.gso_type = VIRTIO_NET_HDR_GSO_NONE;
	h.csum_start = 14;
	memset(&r, 0, sizeof(r));
	forward_frame_vnet(&fc, 2, frame, 200, &h, alt, 1000 * FDB_NSEC);
	ok(idx(1) < 0 && idx(3) < 0 && idx(4) >= 0 && fc.st.oversize == 3,
	   "csum_start inside the tag: not stripped (counted per port), mirrored");
	len = build(true, 0, &h);
	memset(&r, 0, sizeof(r));
	forward_frame_vnet(&fc, 1, frame, 1000, NULL, alt, 1000 * FDB_NSEC);
	ok(r.n == 3 && !r.has_vh[0] && !r.has_vh[1] && !r.has_vh[2],
	   "a wire frame: no metadata on any form");
	fc.emit_vnet = NULL;
	memset(&r, 0, sizeof(r));
	forward_frame(&fc, 1, frame, 1000, alt, 1000 * FDB_NSEC);
	ok(r.n == 3 && idx(2) >= 0 && r.len[idx(2)] == 1004, "forward_frame() with emit only");
	fdb_free(&fdb);
	port_table_free(&pt);
	return tap_done();
}
