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
#include "tcpframe.h"

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

		len = build(frame, v, 0, PAY, &h);
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

		len = build(frame, v, 10, PAY, &h);
		memset(&r, 0, sizeof(r));
		forward_frame_vnet(&fc, 2, frame, len, &h, alt, 1000 * FDB_NSEC);
		i = idx(1);
		ok(r.n == 3 && i >= 0 && r.len[i] == len - 4 && r.b[i][12] != 0x81 &&
		   r.vh[i].csum_start == h.csum_start - 4 && r.vh[i].hdr_len == h.hdr_len - 4,
		   "%s: tagged super-frame stripped: csum_start and hdr_len - 4", ip);
		ok(form_ok(i, v, 14), "%s: stripped form: checksum and segments right", ip);
	}

	len = build(frame, true, 0, PAY, &h);
	memset(&r, 0, sizeof(r));
	fc.st.oversize = 0;
	forward_frame(&fc, 1, frame, len, alt, 1000 * FDB_NSEC);
	ok(r.n == 0 && fc.st.oversize == 1, "the same bytes without metadata: oversize");
	len = build(frame, true, 10, PAY, &h);
	h.gso_type = VIRTIO_NET_HDR_GSO_NONE;
	h.csum_start = 14;
	memset(&r, 0, sizeof(r));
	forward_frame_vnet(&fc, 2, frame, 200, &h, alt, 1000 * FDB_NSEC);
	ok(idx(1) < 0 && idx(3) < 0 && idx(4) >= 0 && fc.st.oversize == 3,
	   "csum_start inside the tag: not stripped (counted per port), mirrored");
	len = build(frame, true, 0, PAY, &h);
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
