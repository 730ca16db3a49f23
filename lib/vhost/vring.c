// SPDX-License-Identifier: LGPL-2.1-or-later
/* lib/vhost/vring.c - guest memory table and split virtqueue (pure)
 *
 * Contract: the rings and buffers live in memory the guest writes while
 * we read. Each field is read once into a local (indices with acquire
 * semantics), then checked: avail index at most num ahead of ours, heads
 * and links below num, chains at most VRING_MAXSEG long (this also ends
 * loops), each buffer inside one region of the table, the total length
 * bounded, the direction (WRITE flag) as expected, no indirect tables
 * (not negotiated). A failed check sets vr->err and leaves the ring
 * broken: the caller drops the guest. Layout (little-endian):
 *   desc[num]  { le64 addr; le32 len; le16 flags; le16 next; }
 *   avail      { le16 flags; le16 idx; le16 ring[num]; le16 used_event; }
 *   used       { le16 flags; le16 idx; { le32 id; le32 len; } ring[num]; ... }
 */
#include "config.h"

#include <endian.h>
#include <string.h>

#include "vring.h"

static uint8_t *mem_lookup(const struct vhost_mem *m, uint64_t addr, uint64_t len, bool uva)
{
	unsigned int i;

	for (i = 0; i < m->n && i < VHOST_MAX_REGIONS; i++) {
		const struct vhost_region *r = &m->r[i];
		uint64_t start = uva ? r->uva : r->gpa, off;

		if (!r->host || addr < start)
			continue;
		off = addr - start;
		if (off >= r->size || len > r->size - off)
			continue;
		return r->host + off;
	}
	return NULL;
}

uint8_t *vhost_mem_gpa(const struct vhost_mem *m, uint64_t addr, uint64_t len)
{
	return mem_lookup(m, addr, len, false);
}

uint8_t *vhost_mem_uva(const struct vhost_mem *m, uint64_t addr, uint64_t len)
{
	return mem_lookup(m, addr, len, true);
}

static uint16_t load16(const uint8_t *p)
{
	return le16toh(__atomic_load_n((const uint16_t *)(const void *)p, __ATOMIC_ACQUIRE));
}

static void store16(uint8_t *p, uint16_t v)
{
	__atomic_store_n((uint16_t *)(void *)p, htole16(v), __ATOMIC_RELEASE);
}

/**
 * vring_map() - locate a ring's parts in guest memory
 * @vr:		the ring (reset by this call)
 * @m:		memory table
 * @num:	entries: a power of two, 1..VRING_MAXNUM
 * @base:	first avail index to consume (SET_VRING_BASE)
 * @desc:	front-end virtual address of the descriptor table
 * @avail:	... of the avail ring
 * @used:	... of the used ring
 *
 * The used index starts at the value the ring holds (a restarted backend
 * continues where the last one stopped); descriptors taken but never
 * returned by a previous backend are taken again.
 *
 * Return: 0, or -1 with vr->err.
 */
int vring_map(struct vring *vr, const struct vhost_mem *m, uint16_t num, uint16_t base,
	      uint64_t desc, uint64_t avail, uint64_t used)
{
	memset(vr, 0, sizeof(*vr));
	if (num == 0 || num > VRING_MAXNUM || (num & (num - 1))) {
		vr->err = "ring size not a power of two up to 32768";
		return -1;
	}
	vr->desc = vhost_mem_uva(m, desc, 16ULL * num);
	vr->avail = vhost_mem_uva(m, avail, 6ULL + 2ULL * num);
	vr->used = vhost_mem_uva(m, used, 6ULL + 8ULL * num);
	if (!vr->desc || !vr->avail || !vr->used) {
		vr->err = "ring outside guest memory";
		goto bad;
	}
	if (((uintptr_t)vr->desc & 15) || ((uintptr_t)vr->avail & 1) || ((uintptr_t)vr->used & 3)) {
		vr->err = "ring misaligned";
		goto bad;
	}
	vr->num = num;
	vr->used_idx = load16(vr->used + 2);
	vr->last_avail = base;
	if (vr->last_avail != vr->used_idx)
		vr->last_avail = vr->used_idx;	/* resubmit what was in flight */
	return 0;
bad:
	vr->desc = vr->avail = vr->used = NULL;
	return -1;
}

static int broken(struct vring *vr, const char *why)
{
	vr->err = why;
	return -1;
}

/**
 * vring_pop() - take the next available descriptor chain
 * @vr:		ring
 * @m:		memory table
 * @writable:	expected direction of every descriptor
 * @maxlen:	largest total length accepted
 * @c:		the chain: pointers into guest memory, checked
 *
 * Return: 1, 0 if the ring is empty, -1 if it is broken (vr->err).
 */
int vring_pop(struct vring *vr, const struct vhost_mem *m, bool writable, size_t maxlen,
	      struct vring_chain *c)
{
	uint16_t avail_idx, head, idx, flags;
	unsigned int steps;

	if (vr->err || !vr->desc)
		return vr->err ? -1 : 0;
	avail_idx = load16(vr->avail + 2);
	if (avail_idx == vr->last_avail)
		return 0;
	if ((uint16_t)(avail_idx - vr->last_avail) > vr->num)
		return broken(vr, "avail index too far ahead");
	head = load16(vr->avail + 4 + 2 * (size_t)(vr->last_avail & (vr->num - 1)));
	if (head >= vr->num)
		return broken(vr, "descriptor head out of range");
	c->head = head;
	c->n = 0;
	c->len = 0;
	idx = head;
	for (steps = 0;; steps++) {
		uint8_t d[16];
		uint64_t addr;
		uint32_t len;
		uint8_t *p;

		if (steps >= VRING_MAXSEG || steps >= vr->num)
			return broken(vr, "descriptor chain too long or looping");
		memcpy(d, vr->desc + 16 * (size_t)idx, sizeof(d));	/* copy, then check */
		memcpy(&addr, d, 8);
		memcpy(&len, d + 8, 4);
		memcpy(&flags, d + 12, 2);
		memcpy(&idx, d + 14, 2);
		addr = le64toh(addr);
		len = le32toh(len);
		flags = le16toh(flags);
		idx = le16toh(idx);
		if (flags & VRING_DESC_F_INDIRECT)
			return broken(vr, "indirect descriptor (not negotiated)");
		if (!!(flags & VRING_DESC_F_WRITE) != writable)
			return broken(vr, writable ? "read-only descriptor in a receive chain"
					  : "writable descriptor in a transmit chain");
		if (len > maxlen - c->len)
			return broken(vr, "descriptor chain longer than a frame");
		if (len) {
			p = vhost_mem_gpa(m, addr, len);
			if (!p)
				return broken(vr, "descriptor address outside guest memory");
			c->iov[c->n].iov_base = p;
			c->iov[c->n].iov_len = len;
			c->n++;
			c->len += len;
		}
		if (!(flags & VRING_DESC_F_NEXT))
			break;
		if (idx >= vr->num)
			return broken(vr, "descriptor link out of range");
	}
	vr->last_avail++;
	return 1;
}

void vring_unpop(struct vring *vr, uint16_t k)
{
	vr->last_avail = (uint16_t)(vr->last_avail - k);
}

void vring_push(struct vring *vr, uint16_t head, uint32_t len)
{
	uint8_t *e = vr->used + 4 + 8 * (size_t)((uint16_t)(vr->used_idx + vr->pushed) & (vr->num - 1));
	uint32_t id = htole32(head), l = htole32(len);

	memcpy(e, &id, 4);
	memcpy(e + 4, &l, 4);
	vr->pushed++;
}

/**
 * vring_has_avail() - the guest has made chains available we did not take
 * @vr:	ring (mapped)
 *
 * Return: true if the avail index moved past last_avail.
 */
bool vring_has_avail(const struct vring *vr)
{
	if (!vr->avail || vr->err)
		return false;
	return load16(vr->avail + 2) != vr->last_avail;
}

/**
 * vring_publish() - make pushed used entries visible to the guest
 * @vr:	ring
 *
 * Return: true if entries were published and the guest did not suppress
 * interrupts (then write its call eventfd).
 */
bool vring_publish(struct vring *vr)
{
	uint16_t flags;

	if (!vr->pushed || !vr->used)
		return false;
	vr->used_idx = (uint16_t)(vr->used_idx + vr->pushed);
	vr->pushed = 0;
	store16(vr->used + 2, vr->used_idx);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* index out before flags read */
	flags = load16(vr->avail);
	return !(flags & VRING_AVAIL_F_NO_INTERRUPT);
}

/* Copy between chain @c from offset @off and flat @buf, either way. */
static size_t chain_copy(const struct vring_chain *c, size_t off, uint8_t *buf, size_t len,
			 bool to_chain)
{
	size_t done = 0;
	unsigned int i;

	for (i = 0; i < c->n && done < len; i++) {
		uint8_t *p = c->iov[i].iov_base;
		size_t l = c->iov[i].iov_len;

		if (off >= l) {
			off -= l;
			continue;
		}
		l -= off;
		if (l > len - done)
			l = len - done;
		if (to_chain)
			memcpy(p + off, buf + done, l);
		else
			memcpy(buf + done, p + off, l);
		done += l;
		off = 0;
	}
	return done;
}

size_t vring_copy_from(const struct vring_chain *c, size_t off, void *dst, size_t len)
{
	return chain_copy(c, off, dst, len, false);
}

size_t vring_copy_to(const struct vring_chain *c, size_t off, const void *src, size_t len)
{
	return chain_copy(c, off, (uint8_t *)(uintptr_t)src, len, true);
}
