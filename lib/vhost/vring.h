/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/vhost/vring.h - guest memory table and split virtqueue (pure, internal)
 *
 * The memory table maps guest-physical addresses (descriptor buffers) and
 * front-end virtual addresses (ring locations) to our mappings of the
 * guest's memory. A split virtqueue (virtio 1.x, 2.7) is consumed with
 * vring_pop() and completed with vring_push()/vring_publish(). Everything
 * the guest wrote is hostile: indices, descriptor addresses, lengths,
 * flags and chain links are copied out of shared memory once, then checked
 * against the table and the ring size. Any violation makes the ring broken
 * (vr->err says why) and the caller disconnects the guest. No I/O here,
 * so the fuzz harness drives this file with arbitrary memory.
 */
#ifndef VDEKIT_VRING_H
#define VDEKIT_VRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define VHOST_MAX_REGIONS	8	/* VHOST_MEMORY_BASELINE_NREGIONS */
#define VRING_MAXNUM		32768	/* largest split ring */
#define VRING_MAXSEG		64	/* longest chain we accept */

#define VRING_DESC_F_NEXT	1
#define VRING_DESC_F_WRITE	2
#define VRING_DESC_F_INDIRECT	4
#define VRING_AVAIL_F_NO_INTERRUPT 1

struct vhost_region {
	uint64_t gpa;		/* guest physical start */
	uint64_t size;		/* bytes */
	uint64_t uva;		/* front end's virtual start */
	uint8_t *host;		/* our view of gpa (NULL = slot unused) */
};

struct vhost_mem {
	unsigned int n;
	struct vhost_region r[VHOST_MAX_REGIONS];
};

/* @len bytes at guest-physical / front-end-virtual @addr, all inside one
 * region: our pointer, or NULL. Overflow-safe for any @addr and @len. */
uint8_t *vhost_mem_gpa(const struct vhost_mem *m, uint64_t addr, uint64_t len);
uint8_t *vhost_mem_uva(const struct vhost_mem *m, uint64_t addr, uint64_t len);

struct vring {
	uint8_t *desc, *avail, *used;	/* NULL until vring_map() */
	uint16_t num;
	uint16_t last_avail;		/* next avail entry to take */
	uint16_t used_idx;		/* next used entry to fill */
	uint16_t pushed;		/* used entries filled, not yet published */
	const char *err;		/* why the ring is broken; NULL = fine */
};

/* One descriptor chain taken from the ring. */
struct vring_chain {
	uint16_t head;
	unsigned int n;			/* iov entries */
	size_t len;			/* sum of the iov lengths */
	struct iovec iov[VRING_MAXSEG];
};

/* Point @vr at its three parts (front-end virtual addresses) for @num
 * entries, starting at avail index @base: 0, or -1 with vr->err. */
int vring_map(struct vring *vr, const struct vhost_mem *m, uint16_t num, uint16_t base,
	      uint64_t desc, uint64_t avail, uint64_t used);

/* Take the next chain: 1 = @c filled, 0 = ring empty, -1 = ring broken
 * (vr->err). @writable: the chain must be device-writable (receive
 * buffers) or device-readable (transmit). @maxlen bounds the chain's total
 * length (longer = broken). */
int vring_pop(struct vring *vr, const struct vhost_mem *m, bool writable, size_t maxlen,
	      struct vring_chain *c);
/* Give back the last @k popped chains (not yet pushed). */
void vring_unpop(struct vring *vr, uint16_t k);
/* Return chain @head with @len bytes written to the used ring; visible
 * to the guest after vring_publish(). */
void vring_push(struct vring *vr, uint16_t head, uint32_t len);
/* The guest made chains available that were not taken yet. */
bool vring_has_avail(const struct vring *vr);
/* Publish pushed entries. true if the guest wants an interrupt. */
bool vring_publish(struct vring *vr);

/* Copy @len bytes between a chain and a flat buffer from chain offset @off. */
size_t vring_copy_from(const struct vring_chain *c, size_t off, void *dst, size_t len);
size_t vring_copy_to(const struct vring_chain *c, size_t off, const void *src, size_t len);

#endif
