// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/fuzz/fuzz_vring.c - the split virtqueue consumer on hostile memory
 *
 * Input: a 16-byte set-up block, then the guest's memory image (rings,
 * descriptors, buffers: whatever the fuzzer wrote), then nothing else.
 *   [0]    ring size (any value: non-powers of two must be refused)
 *   [1..2] base index (le16)
 *   [3..4] descriptor table offset, [5..6] avail, [7..8] used (le16, in
 *          the image; as front-end virtual addresses of the two regions)
 *   [9]    bit 0: receive (device-writable) chains; bit 1: unpop now and then
 *   [10..11] max chain length (le16, 0 = 65535 + 12)
 *   [12..15] mutation seed: between pops the "guest" flips image bytes
 * The image is split into two regions at different guest-physical and
 * virtual addresses; it is a separate allocation of exactly its size, so
 * ASan sees any read or write outside it. Oracles: every chain handed out
 * lies inside the image and within the length bound, matches a reference
 * walk of the same descriptors, vring_has_avail() says whether the next
 * pop finds a chain (or a broken ring), and the consumer stops (broken or
 * empty) within a bounded number of pops.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/vhost/vring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SETUP		16
#define GPA0		0x10000ULL
#define GPA1		0x7fff0000ULL
#define UVA0		0x7f0000000000ULL
#define UVA1		0x7f0100000000ULL

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* Reference: the chain at @head as the spec defines it, assuming it is
 * valid (vring_pop said so): compare with @c. */
static void check_chain(const struct vhost_mem *m, const struct vring *vr,
			const struct vring_chain *c, size_t maxlen)
{
	uint16_t idx = c->head;
	unsigned int n = 0, steps;
	size_t len = 0;

	if (c->head >= vr->num || c->n > VRING_MAXSEG || c->len > maxlen)
		abort();
	for (steps = 0; steps < VRING_MAXSEG; steps++) {
		const uint8_t *d = vr->desc + 16 * (size_t)idx;
		uint64_t addr;
		uint32_t l;
		uint16_t flags;

		memcpy(&addr, d, 8);
		memcpy(&l, d + 8, 4);
		memcpy(&flags, d + 12, 2);
		if (l) {
			if (n >= c->n || c->iov[n].iov_len != l ||
			    c->iov[n].iov_base != vhost_mem_gpa(m, addr, l))
				abort();
			n++;
			len += l;
		}
		if (!(flags & VRING_DESC_F_NEXT))
			break;
		memcpy(&idx, d + 14, 2);
	}
	if (n != c->n || len != c->len)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vhost_mem m = { 0 };
	struct vring vr;
	struct vring_chain c;
	uint8_t *img, *copy;
	size_t n, half, maxlen, i;
	uint32_t seed;
	unsigned int pops;
	bool writable, unpop;

	if (size < SETUP + 2)
		return 0;
	n = size - SETUP;
	img = malloc(n);
	if (!img)
		return 0;
	memcpy(img, data + SETUP, n);
	half = n / 2;
	m.n = 2;
	m.r[0] = (struct vhost_region){ .gpa = GPA0, .size = half, .uva = UVA0, .host = img };
	m.r[1] = (struct vhost_region){ .gpa = GPA1, .size = n - half, .uva = UVA1,
					.host = img + half };
	writable = data[9] & 1;
	unpop = data[9] & 2;
	maxlen = le16(data + 10) ? le16(data + 10) : 65535 + 12;
	memcpy(&seed, data + 12, 4);
#define VA(off) ((off) < half ? UVA0 + (off) : UVA1 + ((off) - half))
	if (vring_map(&vr, &m, data[0], le16(data + 1), VA(le16(data + 3)), VA(le16(data + 5)),
		      VA(le16(data + 7))) == 0) {
		/* at most num chains before the ring is empty, broken, or
		 * (after unpops) repeating: bound the loop by 4 * num + 8 */
		for (pops = 0; pops < 4u * vr.num + 8; pops++) {
			bool avail = vring_has_avail(&vr);
			int r = vring_pop(&vr, &m, writable, maxlen, &c);

			if (r < 0 && !vr.err)
				abort();
			if ((r == 0) == avail)
				abort();	/* has_avail and pop disagree */
			if (r <= 0)
				break;
			check_chain(&m, &vr, &c, maxlen);
			copy = malloc(c.len + 1);
			if (!copy)
				break;
			if (vring_copy_from(&c, 0, copy, c.len) != c.len)
				abort();
			if (writable && vring_copy_to(&c, c.len / 2, copy, c.len) != c.len - c.len / 2)
				abort();
			free(copy);
			if (unpop && (seed & 1)) {
				vring_unpop(&vr, 1);
			} else {
				vring_push(&vr, c.head, (uint32_t)c.len);
				if (seed & 2)
					vring_publish(&vr);
			}
			/* the guest scribbles on its memory between our reads */
			seed = seed * 1103515245u + 12345u;
			if (seed & 0x100) {
				i = (seed >> 9) % n;
				img[i] ^= (uint8_t)(seed >> 24);
			}
		}
		vring_publish(&vr);
	} else if (!vr.err) {
		abort();
	}
	free(img);
	return 0;
}
