// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/fuzz/fuzz_shmring.c - the ring consumer and producer against a
 * hostile peer that writes anything anywhere in the shared region
 *
 * The region sits between two PROT_NONE guard pages, so any access outside
 * it faults (with or without ASan). The input is a program of operations:
 *   0 t32        peer sets ring 0's tail (our consumer reads it); with bit 7
 *                of the op byte, also ring 0's head, and our consumer
 *                attaches again (the switch attaches after the client has
 *                mapped the region, so it reads indices the peer wrote)
 *   1 o16 n8 ..  peer writes n bytes into ring 0's data at 8*o16
 *   2 k8 c16     we consume up to k frames into buffers of c bytes; with
 *                bit 7 of the op byte set, each behind a 12-byte header
 *                place (two iovecs); with bit 6 set, the header of a VNET
 *                record apart and only its frame in the buffer
 *                (shmring_consume_vnet()), as a VNET consumer does; the
 *                headers of VNET records go through vnet_check() on the
 *                copies (what vde_switch's core and vde_recv_vnet() do)
 *   3 h32        peer sets ring 1's head (our producer reads it); with bit 7
 *                of the op byte, also ring 1's tail, and our producer
 *                attaches again
 *   4 l16 k8     we produce k frames of l bytes into ring 1
 *   5 a8         we arm ring 0 / absorb a doorbells
 *   6 l16        a well-behaved producer adds a frame to ring 0
 *   7 f32 g32    peer sets the wake flags of both rings
 *   8 .. 32      a region header from the input is checked
 *   9 n8 ..      a negotiation message of n bytes is checked
 * (the operation is the op byte's low 6 bits modulo 10)
 * An input of odd length runs on rings with SHMRING_FEAT_VNET granted
 * (records may carry the VNET flag), an even one without (such records
 * are garbage).
 * Checks: no access outside the region (guard pages, canaries after each
 * buffer), our private indices stay at record boundaries, consume returns at most k frames, each 1..frame_max bytes long
 * and copied min(length, buffer) bytes, frames of the well-behaved
 * producer come back intact while the peer leaves ring 0 alone. Any
 * violation aborts.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fpproto.h"
#include "shmring.h"
#include "vnet.h"

/* A shortcut message with a non-zero byte where only zeros may be. */
static bool sc_dirty(const struct fastpath_msg *m)
{
	size_t i;

	for (i = m->type == FASTPATH_SC_TX ? 6 : 0; i < sizeof(m->endpoint); i++)
		if (m->endpoint[i])
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RS		SHMRING_SIZE_MIN
#define CANARY		0x5a

static uint8_t *base;		/* the region, between guard pages */
static size_t rlen;
static uint8_t *bufs[16];	/* consume buffers, each with canaries after */

static void setup(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), i;
	uint8_t *m;

	rlen = shmring_region_size(RS);
	m = mmap(NULL, rlen + 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (m == MAP_FAILED)
		abort();
	if (mprotect(m, page, PROT_NONE) || mprotect(m + page + rlen, page, PROT_NONE))
		abort();
	base = m + page;
	for (i = 0; i < 16; i++) {
		bufs[i] = malloc(SHMRING_FRAME_MAX + 200);
		if (!bufs[i])
			abort();
	}
}

static uint32_t get(const uint8_t **p, const uint8_t *end, size_t n)
{
	uint32_t v = 0;
	size_t i;

	for (i = 0; i < n && *p < end; i++)
		v |= (uint32_t)*(*p)++ << (8 * i);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	struct shmring cons, prod, good;
	struct shmring_layout l;
	uint32_t good_seq = 0, got_seq = 0, feat = (size & 1) ? SHMRING_FEAT_VNET : 0;
	int peer_touched = 0;

	if (!base)
		setup();
	memset(base, 0, rlen);
	if (shmring_region_init(base, rlen, RS, feat) || shmring_region_check(base, rlen, &l))
		abort();
	shmring_attach(&cons, base, &l, SHMRING_C2S, false);
	shmring_attach(&good, base, &l, SHMRING_C2S, true);
	shmring_attach(&prod, base, &l, SHMRING_S2C, true);

	while (p < end) {
		uint8_t op = *p++;

		switch ((op & 0x3f) % 10) {
		case 0:
			cons.ctl->tail = get(&p, end, 4);
			peer_touched = 1;
			if (op & 0x80) {
				cons.ctl->head = cons.ctl->tail;
				shmring_attach(&cons, base, &l, SHMRING_C2S, false);
			}
			break;
		case 1: {
			size_t off = (get(&p, end, 2) * 8u) & (RS - 1), n = get(&p, end, 1);

			if (n > (size_t)(end - p))
				n = (size_t)(end - p);
			if (n > RS - off)
				n = RS - off;
			memcpy(cons.data + off, p, n);
			p += n;
			peer_touched = 1;
			break;
		}
		case 2: {
			size_t k = 1 + get(&p, end, 1) % 16, cap = get(&p, end, 2) * 2u, i, r;
			bool split = op & 0x40, two = (op & 0x80) && !split;
			size_t hl = split || two ? SHMRING_VNET_HDR : 0;
			static uint8_t hdr[16][SHMRING_VNET_HDR];
			struct shmring_rxf f[16];
			struct iovec iov[16][2];
			bool kick;

			if (cap > SHMRING_FRAME_MAX + 100)
				cap = SHMRING_FRAME_MAX + 100;
			for (i = 0; i < k; i++) {
				memset(bufs[i] + cap, CANARY, 64);
				iov[i][0] = (struct iovec){ hdr[i], hl };
				iov[i][1] = (struct iovec){ bufs[i], cap };
				f[i] = (struct shmring_rxf){ .iov = two ? iov[i] : iov[i] + 1,
							     .iovcnt = two ? 2 : 1 };
			}
			r = shmring_consume_vnet(&cons, f, split ? hdr : NULL, k, &kick);
			if (r > k)
				abort();
			for (i = 0; i < r; i++) {
				bool vnet = f[i].flags & SHMRING_F_VNET;
				/* where the record's first bytes went, and the room */
				bool apart = two || (split && vnet);
				size_t room = cap + (apart ? hl : 0), c;

				if (f[i].frame_len < 1 || f[i].frame_len > l.frame_max ||
				    f[i].len != (f[i].frame_len < room ? f[i].frame_len : room) ||
				    (vnet && !feat))
					abort();
				if (hl && vnet && f[i].len > hl) {
					struct virtio_net_hdr h;

					memcpy(&h, hdr[i], sizeof(h));
					vnet_check(&h, bufs[i], f[i].len - hl, SIZE_MAX / 2, 65535);
				}
				for (c = 0; c < 64; c++)
					if (bufs[i][cap + c] != CANARY)
						abort();
				/* frames of the well-behaved producer come back
				 * intact and in order while nobody else writes */
				if (!peer_touched && f[i].len >= 4) {
					uint32_t seq;

					if (apart)	/* the frame's first bytes are in hdr */
						memcpy(&seq, hdr[i], 4);
					else
						memcpy(&seq, bufs[i], 4);
					if (seq != got_seq)
						abort();
				}
				got_seq++;
			}
			break;
		}
		case 3:
			prod.ctl->head = get(&p, end, 4);
			if (op & 0x80) {
				prod.ctl->tail = prod.ctl->head;
				shmring_attach(&prod, base, &l, SHMRING_S2C, true);
			}
			break;
		case 4: {
			size_t len = get(&p, end, 2) + 1, k = 1 + get(&p, end, 1) % 8, i;
			static uint8_t src[SHMRING_FRAME_MAX + 1];
			struct shmring_txf f[8];
			struct iovec iov[8];
			bool kick;

			if (len > SHMRING_FRAME_MAX + 1)
				len = SHMRING_FRAME_MAX + 1;
			for (i = 0; i < k; i++) {
				iov[i] = (struct iovec){ src, len };
				f[i] = (struct shmring_txf){ &iov[i], 1, 0 };
			}
			if (shmring_produce(&prod, f, k, &kick) > k)
				abort();
			shmring_kick_check(&prod);
			break;
		}
		case 5: {
			uint32_t a = get(&p, end, 1);

			if (a & 1)
				shmring_cons_arm(&cons);
			else
				shmring_cons_absorb(&cons, a >> 1);
			break;
		}
		case 6: {
			size_t len = 4 + get(&p, end, 2) % 3000;
			static uint8_t frame[3004];
			struct iovec iov = { frame, len };
			struct shmring_txf f = { &iov, 1, 0 };
			bool kick;

			memcpy(frame, &good_seq, 4);
			/* the good producer's tail is its own: a peer that
			 * rewrote ring 0's tail breaks the order check only */
			good_seq += (uint32_t)shmring_produce(&good, &f, 1, &kick);
			break;
		}
		case 7:
			cons.ctl->cons_sleeping = get(&p, end, 4);
			prod.ctl->prod_waiting = get(&p, end, 4);
			break;
		case 8: {
			uint8_t hdr[sizeof(struct shmring_region)];
			size_t n = sizeof(hdr);

			if (n > (size_t)(end - p))
				n = (size_t)(end - p);
			memcpy(base, p, n);
			p += n;
			peer_touched = 1;
			if (shmring_region_check(base, rlen, &l) == 0 &&
			    (l.ring_size != RS || l.region_size != rlen))
				abort();
			shmring_region_init(base, rlen, RS, feat);
			shmring_region_check(base, rlen, &l);
			/* the ring views keep their private copies */
			break;
		}
		case 9: {
			size_t n = get(&p, end, 1);
			struct fastpath_msg m;

			if (n > (size_t)(end - p))
				n = (size_t)(end - p);
			if (fastpath_msg_check(p, n, &m) == 0 &&
			    (n != sizeof(m) || m.type < FASTPATH_REQUEST || m.type > FASTPATH_SC_REVOKE ||
			     (m.type == FASTPATH_REQUEST &&
			      strnlen(m.endpoint, sizeof(m.endpoint)) >= sizeof(m.endpoint)) ||
			     (m.type >= FASTPATH_SC_RX && (m.status < 1 || sc_dirty(&m)))))
				abort();
			p += n;
			break;
		}
		}
		/* a record header at a misaligned index could stand across
		 * the end of its ring */
		if ((cons.pos | prod.pos | good.pos) & (SHMRING_ALIGN - 1))
			abort();
	}
	return 0;
}
