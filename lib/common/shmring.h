/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/common/shmring.h - single-producer single-consumer frame rings in
 * memory shared with another process (the libvdeplug <-> vde_switch fast
 * path; the protocol around it is docs/fastpath.md)
 *
 * Pure code: no system calls. The caller maps the region, owns the
 * doorbells (a byte on a pipe, or a zero-length datagram on the endpoint's
 * data socket: docs/fastpath.md, "6. Doorbells") and is told by these
 * functions when one must be sent.
 *
 * Contract:
 *  - Everything in the shared region may be rewritten by the peer at any
 *    moment. Each side keeps its own index (tail for the producer, head
 *    for the consumer) privately and only publishes it; it reads only the
 *    peer's index and the two wake flags, copies every record header to a
 *    local before checking it, and checks lengths and offsets before any
 *    arithmetic. A peer that writes garbage loses its own frames (counted
 *    in struct shmring_stats); it never makes us read or write outside the
 *    ring, loop without bound, or return an out-of-bounds frame.
 *  - The payload is copied into the caller's buffer: what the peer changes
 *    while we copy only corrupts the peer's own frame.
 */
#ifndef VDEKIT_SHMRING_H
#define VDEKIT_SHMRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/* Region layout (docs/fastpath.md, "4. Memory layout") */
#define SHMRING_MAGIC		0x50464456u	/* "VDFP" in memory, little endian */
#define SHMRING_VERSION		1u
#define SHMRING_CTL_OFF		4096u		/* ring control blocks */
#define SHMRING_CTL_SIZE	256u		/* per ring: 4 cache lines */
#define SHMRING_DATA_OFF	8192u		/* ring 0 data, then ring 1 data */
#define SHMRING_SIZE_MIN	(256u * 1024)	/* per ring, bytes; power of two */
#define SHMRING_SIZE_MAX	(16u * 1024 * 1024)
#define SHMRING_SIZE_DEFAULT	(256u * 1024)
/* Largest record payload: a 64 KiB super-frame plus Ethernet, VLAN and
 * virtio-net headers, rounded up. One record fits half the smallest ring,
 * so an empty ring always takes the largest one whatever the wrap point. */
#define SHMRING_FRAME_MAX	65600u
#define SHMRING_REC_HDR		8u		/* u32 len, u16 flags, u16 zero */
#define SHMRING_ALIGN		8u

enum shmring_rec_flags {
	SHMRING_F_PAD	= 1U << 0,	/* skip to the end of the ring */
	SHMRING_F_VNET	= 1U << 1,	/* payload starts with virtio_net_hdr_v1 */
};
#define SHMRING_VNET_HDR	12u	/* struct virtio_net_hdr_v1 before a VNET payload */
#define SHMRING_F_KNOWN	(SHMRING_F_PAD | SHMRING_F_VNET)

enum shmring_features {
	SHMRING_FEAT_VNET = 1U << 0,	/* records may carry SHMRING_F_VNET */
	/* bit 1 is FASTPATH_FEAT_PIPES (fpproto.h): negotiated, never in a
	 * region header */
};

enum shmring_dir {
	SHMRING_C2S = 0,		/* client -> switch */
	SHMRING_S2C = 1,		/* switch -> client */
};

/* The region header at offset 0 (the switch writes it once). */
struct shmring_region {
	uint32_t magic;
	uint32_t version;
	uint32_t ring_size;		/* data bytes per ring */
	uint32_t frame_max;		/* largest record payload */
	uint32_t features;		/* enum shmring_features granted */
	uint32_t reserved;		/* 0 */
	uint64_t region_size;		/* SHMRING_DATA_OFF + 2 * ring_size */
};

/* One ring's control block: each field on its own cache line. */
struct shmring_ctl {
	uint32_t tail;			/* bytes published, free running; producer */
	uint8_t pad0[60];
	uint32_t head;			/* bytes consumed, free running; consumer */
	uint8_t pad1[60];
	uint32_t cons_sleeping;		/* 1: consumer wants a doorbell; both */
	uint8_t pad2[60];
	uint32_t prod_waiting;		/* 1: producer wants a doorbell; both */
	uint8_t pad3[60];
};

/* Counters of what a peer did wrong or what did not fit. */
struct shmring_stats {
	uint64_t frames;		/* produced or consumed */
	uint64_t bytes;
	uint64_t full;			/* produce: no room (frames not written) */
	uint64_t oversize;		/* produce: frame longer than frame_max */
	uint64_t truncated;		/* consume: frame longer than the buffer */
	uint64_t bad_index;		/* peer's index out of range */
	uint64_t bad_record;		/* garbage record: ring resynchronised */
	uint64_t dropped;		/* bytes skipped by resynchronisation */
};

/* One side's private view of one ring. */
struct shmring {
	struct shmring_ctl *ctl;	/* shared */
	uint8_t *data;			/* shared, size bytes */
	uint32_t size;			/* private copy, power of two */
	uint32_t frame_max;		/* private copy */
	uint32_t features;		/* private copy */
	uint32_t pos;			/* our index: tail (producer) or head */
	uint32_t peer;			/* last valid peer index seen */
	uint32_t owed;			/* consumer: doorbells taken, not yet read */
	bool armed;			/* consumer: our sleeping flag may be set */
	struct shmring_stats st;
};

/* A frame to produce: gathered from iov. */
struct shmring_txf {
	const struct iovec *iov;
	size_t iovcnt;
	unsigned int flags;		/* SHMRING_F_VNET or 0 */
};

/* A frame consumed: copied into iov (scattered). */
struct shmring_rxf {
	const struct iovec *iov;
	size_t iovcnt;
	size_t len;			/* bytes copied (<= the frame's length) */
	size_t frame_len;		/* the frame's length */
	unsigned int flags;
};

/* Validated copy of a region header. */
struct shmring_layout {
	uint32_t ring_size;
	uint32_t frame_max;
	uint32_t features;
	uint64_t region_size;
};

size_t shmring_region_size(uint32_t ring_size);
int shmring_region_init(void *map, size_t maplen, uint32_t ring_size, uint32_t features);
int shmring_region_check(const void *map, size_t maplen, struct shmring_layout *out);
void shmring_attach(struct shmring *r, void *map, const struct shmring_layout *l,
		    enum shmring_dir dir, bool producer);

size_t shmring_produce(struct shmring *r, const struct shmring_txf *f, size_t n,
		       bool *kick);
bool shmring_has_room(struct shmring *r, size_t len);
bool shmring_prod_arm(struct shmring *r, size_t len);

size_t shmring_consume(struct shmring *r, struct shmring_rxf *f, size_t n, bool *kick);
size_t shmring_consume_vnet(struct shmring *r, struct shmring_rxf *f,
			    uint8_t (*vhdr)[SHMRING_VNET_HDR], size_t n, bool *kick);
bool shmring_empty(struct shmring *r);
bool shmring_cons_arm(struct shmring *r);
void shmring_cons_absorb(struct shmring *r, uint64_t doorbells);
bool shmring_kick_check(struct shmring *r);

#endif
