// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/fuzz/fuzz_vnet_super.c - fuzz the switch's handling of offload
 * super-frames: vnet_check() as the core's ingress gate, forward_frame_vnet()
 * on a fake port table (port 1 untagged in VLAN 0, port 2 tagged in VLAN 5
 * and untagged in 0, port 3 untagged in 5, port 4 a monitor of everything),
 * then the wire form of every emitted form as the core makes it
 * (vnet_segment() / vnet_finish_csum() with the switch's buffer sizes).
 *
 * Input: [ingress port 1..3 (low 2 bits)] [virtio_net_hdr, 10 bytes]
 * [frame]. Invariants: a frame that passes vnet_check() is emitted with
 * metadata on every form; a form differs from the received frame by a tag
 * (+-4 bytes) and its csum_start by the same amount; a checked frame's
 * every form can be made into wire frames (segments fit the core's
 * buffer, each at most the form's headers + gso_size, in order, no more
 * than SEG_MAX; a NEEDS_CSUM frame completes). A frame that fails the
 * check is not forwarded (the core drops it), so it is not looked at.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "forward.h"
#include "vlan.h"
#include "vnet.h"

#define SEG_MAX		1024
#define SEG_ROOM	(SEG_MAX * 160 + FWD_SUPER_MAX)	/* as switch.h */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	size_t len;
	struct virtio_net_hdr vh;
	unsigned emits;
};

static uint8_t frame[FWD_SUPER_MAX], alt[FWD_SUPER_ALT_SIZE], out[SEG_ROOM];
static size_t lens[SEG_MAX];

static void emit_vnet(void *arg, unsigned port, const uint8_t *f, size_t len,
		      const struct virtio_net_hdr *vh)
{
	struct fz *z = arg;
	long d = (long)len - (long)z->len;
	int n, i;

	z->emits++;
	if (!vh || (d != 0 && d != 4 && d != -4))
		abort();
	if ((vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    (long)vh->csum_start != (long)z->vh.csum_start + d)
		abort();
	if (vh->gso_type != z->vh.gso_type || vh->gso_size != z->vh.gso_size)
		abort();
	if (vh->gso_type == VIRTIO_NET_HDR_GSO_NONE) {
		memcpy(out, f, len);
		if (vnet_finish_csum(vh, out, len) < 0)
			abort();
		return;
	}
	n = vnet_segment(vh, f, len, out, sizeof(out), lens, SEG_MAX);
	if (n <= 0)
		abort();
	for (i = 0; i < n; i++)
		if (lens[i] > 200 + (size_t)vh->gso_size)
			abort();
}

static void emit_plain(void *arg, unsigned port, const uint8_t *f, size_t len)
{
	abort();	/* emit_vnet is set: never called */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct port_table pt;
	static struct fdb fdb;
	static struct mirror m;
	static bool init;
	struct fwd_ctx fc;
	struct fz z;
	unsigned in;

	if (!init) {
		unsigned p;

		if (port_table_init(&pt, 4) || fdb_init(&fdb, 64, 256) || vlan_create(&pt, 5))
			abort();
		for (p = 1; p <= 4; p++) {
			pt.v[p].exists = true;
			pt.v[p].nep = 1;
		}
		vlan_addport(&pt, 5, 2);
		vlan_setport(&pt, 3, 5);
		if (mirror_set(&m, &pt, 4, MIRROR_ALL, 0))
			abort();
		init = true;
	}
	if (size < 1 + VNET_HDR_LEN || size - 1 - VNET_HDR_LEN > sizeof(frame))
		return 0;
	memset(&z, 0, sizeof(z));
	in = 1 + data[0] % 3;
	memcpy(&z.vh, data + 1, VNET_HDR_LEN);
	z.len = size - 1 - VNET_HDR_LEN;
	memcpy(frame, data + 1 + VNET_HDR_LEN, z.len);
	if (z.len < 14 || vnet_check(&z.vh, frame, z.len, SEG_ROOM, SEG_MAX) < 0)
		return 0;
	memset(&fc, 0, sizeof(fc));
	fc.pt = &pt;
	fc.fdb = &fdb;
	fc.emit = emit_plain;
	fc.emit_vnet = emit_vnet;
	fc.mirror = &m;
	fc.arg = &z;
	forward_frame_vnet(&fc, in, frame, z.len, &z.vh, alt, 1000000000ULL);
	return 0;
}
