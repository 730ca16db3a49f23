// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/fuzz/fuzz_vnet_merge.c - fuzz vnet_coalesce() as the switch's
 * VXLAN endpoint uses it on frames from the wire (switch/ep_vxlan.c): a
 * run of received frames, the merged super-frame into a slot of the
 * core's size.
 *
 * Input: frames, each [length, 2 bytes big-endian] [bytes] (at most 64).
 * Invariants: 1 <= used <= frames; a merged super-frame fits the slot,
 * passes the core's ingress check (vnet_check() with the switch's
 * buffer sizes) and cuts (vnet_segment()) back into exactly @used
 * segments of the same lengths carrying the same TCP payloads.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "forward.h"
#include "vnet.h"

#define SEG_MAX		1024
#define SEG_ROOM	(SEG_MAX * 160 + FWD_SUPER_MAX)	/* as switch.h */
#define NFR		64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t slot[FWD_SUPER_MAX + 1], out[SEG_ROOM];
static size_t lens[SEG_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vnet_frame f[NFR];
	struct virtio_net_hdr h;
	unsigned n = 0, used, i;
	size_t off = 0, len, l, hl, pos;
	int r;

	while (n < NFR && off + 2 <= size) {
		l = (size_t)data[off] << 8 | data[off + 1];
		off += 2;
		if (l > size - off)
			l = size - off;
		f[n++] = (struct vnet_frame){ data + off, l };
		off += l;
	}
	if (!n)
		return 0;
	len = vnet_coalesce(f, n, &used, slot, sizeof(slot), &h);
	if (used < 1 || used > n)
		abort();
	if (!len) {
		if (used != 1)
			abort();
		return 0;
	}
	if (len > sizeof(slot) || used < 2 ||
	    vnet_check(&h, slot, len, SEG_ROOM, SEG_MAX) < 0)
		abort();
	r = vnet_segment(&h, slot, len, out, sizeof(out), lens, SEG_MAX);
	if (r != (int)used)
		abort();
	hl = h.hdr_len;
	pos = 0;
	for (i = 0; i < used; i++) {
		if (lens[i] != f[i].len || lens[i] < hl ||
		    memcmp(out + pos + hl, f[i].data + hl, lens[i] - hl))
			abort();
		pos += lens[i];
	}
	return 0;
}
