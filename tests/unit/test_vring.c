// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_vring.c - lib/vhost/vring.c: memory table look-ups, ring
 * mapping checks, chains taken and returned, index wrap, unpop, interrupt
 * suppression, each malformed descriptor case breaking the ring, and a
 * guest thread rewriting descriptors and the avail ring while we pop
 * (bounded, 200 ms: a double fetch needs memory that changes between two
 * reads).
 */
#include "config.h"

#include <endian.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../lib/vhost/vring.h"
#include "tap.h"

#define NUM	8
#define GPA	0x100000ULL
#define UVA	0x7f0000000000ULL
#define DESC	0x000
#define AVAIL	0x100
#define USED	0x200
#define BUF	0x1000

static uint8_t mem[0x4000] __attribute__((aligned(4096)));
static struct vhost_mem m;

static void setdesc(unsigned int i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t *d = mem + DESC + 16 * i;

	addr = htole64(addr);
	len = htole32(len);
	flags = htole16(flags);
	next = htole16(next);
	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
}

static void put16(size_t off, uint16_t v)
{
	v = htole16(v);
	memcpy(mem + off, &v, 2);
}

static uint16_t get16(size_t off)
{
	uint16_t v;

	memcpy(&v, mem + off, 2);
	return le16toh(v);
}

/* A fresh ring at @base with heads @heads[0..n) available. */
static int ring(struct vring *vr, uint16_t base, const uint16_t *heads, unsigned int n)
{
	unsigned int i;

	put16(AVAIL + 2, (uint16_t)(base + n));
	put16(USED + 2, base);
	put16(AVAIL, 0);
	for (i = 0; i < n; i++)
		put16(AVAIL + 4 + 2 * ((base + i) % NUM), heads[i]);
	return vring_map(vr, &m, NUM, base, UVA + DESC, UVA + AVAIL, UVA + USED);
}

static void test_mem(void)
{
	ok(vhost_mem_gpa(&m, GPA, sizeof(mem)) == mem, "whole region by gpa");
	ok(vhost_mem_uva(&m, UVA + 16, 16) == mem + 16, "by uva");
	ok(!vhost_mem_gpa(&m, GPA - 1, 2), "starts before the region");
	ok(!vhost_mem_gpa(&m, GPA + sizeof(mem) - 1, 2), "ends past the region");
	ok(!vhost_mem_gpa(&m, GPA + 8, UINT64_MAX), "length overflow");
	ok(!vhost_mem_gpa(&m, UINT64_MAX, 1), "address at the top");
	ok(!vhost_mem_uva(&m, GPA, 1), "gpa is not a uva");
}

static void test_map(void)
{
	struct vring vr;
	int r;

	/* vr.err is read after the call: an argument of the same call would
	 * be evaluated in an unspecified order */
	r = vring_map(&vr, &m, 12, 0, UVA + DESC, UVA + AVAIL, UVA + USED);
	ok(r < 0 && vr.err, "size 12 refused: %s", vr.err ? vr.err : "(no reason)");
	ok(vring_map(&vr, &m, 0, 0, UVA + DESC, UVA + AVAIL, UVA + USED) < 0, "size 0 refused");
	ok(vring_map(&vr, &m, NUM, 0, UVA + DESC + 8, UVA + AVAIL, UVA + USED) < 0 &&
	   !strcmp(vr.err, "ring misaligned"), "misaligned descriptor table refused");
	ok(vring_map(&vr, &m, NUM, 0, UVA + sizeof(mem) - 64, UVA + AVAIL, UVA + USED) < 0 &&
	   !strcmp(vr.err, "ring outside guest memory"), "table past the end refused");
	ok(vring_map(&vr, &m, NUM, 0, UVA + DESC, UVA + AVAIL, UVA + USED) == 0, "valid ring");
}

static void test_chains(void)
{
	static const uint16_t heads[] = { 0, 3 };
	struct vring vr;
	struct vring_chain c;
	uint8_t out[64];

	memset(mem + BUF, 'a', 16);
	memset(mem + BUF + 0x100, 'b', 16);
	setdesc(0, GPA + BUF, 12, VRING_DESC_F_NEXT, 1);
	setdesc(1, GPA + BUF + 0x100, 16, 0, 0);
	setdesc(3, GPA + BUF, 0, VRING_DESC_F_NEXT, 4);	/* empty descriptor skipped */
	setdesc(4, GPA + BUF + 0x100, 5, 0, 0);
	ok(ring(&vr, 0, heads, 2) == 0, "ring mapped");
	ok(vring_pop(&vr, &m, false, 100, &c) == 1 && c.head == 0 && c.n == 2 && c.len == 28,
	   "two-descriptor chain");
	ok(vring_copy_from(&c, 10, out, sizeof(out)) == 18 && out[0] == 'a' && out[1] == 'a' &&
	   out[2] == 'b', "copy across descriptors");
	vring_push(&vr, c.head, 0);
	ok(vring_pop(&vr, &m, false, 100, &c) == 1 && c.head == 3 && c.n == 1 && c.len == 5,
	   "zero-length descriptor skipped");
	vring_unpop(&vr, 1);
	ok(vring_pop(&vr, &m, false, 100, &c) == 1 && c.head == 3, "unpop gives it again");
	vring_push(&vr, c.head, 5);
	ok(vring_pop(&vr, &m, false, 100, &c) == 0, "then empty");
	ok(get16(USED + 2) == 0, "nothing published yet");
	ok(vring_publish(&vr) && get16(USED + 2) == 2, "published: used idx 2, interrupt wanted");
	ok(get16(USED + 4) == 0 && get16(USED + 12) == 3 && get16(USED + 16) == 5,
	   "used ring entries (id 0, id 3 len 5)");
	put16(AVAIL, VRING_AVAIL_F_NO_INTERRUPT);
	put16(AVAIL + 4 + 2 * 2, 0);
	put16(AVAIL + 2, 3);
	ok(vring_pop(&vr, &m, false, 100, &c) == 1, "one more");
	vring_push(&vr, c.head, 0);
	ok(!vring_publish(&vr), "no interrupt when the guest suppresses them");
	ok(!vring_publish(&vr), "nothing to publish twice");
}

static void test_wrap(void)
{
	uint16_t heads[NUM];
	struct vring vr;
	struct vring_chain c;
	unsigned int i, got = 0;

	setdesc(5, GPA + BUF, 60, 0, 0);
	for (i = 0; i < NUM; i++)
		heads[i] = 5;
	ok(ring(&vr, 65533, heads, NUM) == 0, "ring at index 65533");
	while (vring_pop(&vr, &m, false, 100, &c) == 1) {
		vring_push(&vr, c.head, 0);
		got++;
	}
	ok(got == NUM && !vr.err, "all %u chains across the 16-bit wrap", got);
	vring_publish(&vr);
	ok(get16(USED + 2) == (uint16_t)(65533 + NUM), "used idx wrapped to %u", get16(USED + 2));
}

static void test_resubmit(void)
{
	static const uint16_t heads[] = { 5, 5, 5 };
	struct vring vr;
	struct vring_chain c;

	ring(&vr, 10, heads, 3);
	put16(USED + 2, 9);	/* a previous backend took one it never returned */
	ok(vring_map(&vr, &m, NUM, 10, UVA + DESC, UVA + AVAIL, UVA + USED) == 0 &&
	   vr.last_avail == 9, "restart: continue at the used index (%u)", vr.last_avail);
	ok(vring_pop(&vr, &m, false, 100, &c) == 1, "in-flight chain taken again");
}

struct bad {
	const char *name, *err;
	bool writable;
	void (*setup)(void);
	uint16_t head;
	uint16_t avail_idx;		/* 0 = head only */
};

static void s_addr(void) { setdesc(0, 0x1000, 16, 0, 0); }
static void s_len(void) { setdesc(0, GPA + BUF, 0xfffffff0u, 0, 0); }
static void s_straddle(void) { setdesc(0, GPA + sizeof(mem) - 8, 16, 0, 0); }
static void s_loop(void) { setdesc(0, GPA + BUF, 8, 1, 1); setdesc(1, GPA + BUF, 8, 1, 0); }
static void s_selfloop(void) { setdesc(0, GPA + BUF, 0, 1, 0); }
static void s_link(void) { setdesc(0, GPA + BUF, 8, 1, NUM); }
static void s_indirect(void) { setdesc(0, GPA + BUF, 16, VRING_DESC_F_INDIRECT, 0); }
static void s_write(void) { setdesc(0, GPA + BUF, 16, VRING_DESC_F_WRITE, 0); }
static void s_ro(void) { setdesc(0, GPA + BUF, 16, 0, 0); }
static void s_ok(void) { setdesc(0, GPA + BUF, 16, 0, 0); }
static void s_long(void)
{
	unsigned int i;

	for (i = 0; i < NUM; i++)
		setdesc(i, GPA + BUF, 1, 1, (i + 1) % NUM);
}

static void test_bad(void)
{
	static const struct bad cases[] = {
		{ "address outside", "descriptor address outside guest memory", false, s_addr, 0, 0 },
		{ "length overflow", "descriptor chain longer than a frame", false, s_len, 0, 0 },
		{ "past the region end", "descriptor address outside guest memory", false, s_straddle, 0, 0 },
		{ "two-descriptor loop", "descriptor chain too long or looping", false, s_loop, 0, 0 },
		{ "self loop", "descriptor chain too long or looping", false, s_selfloop, 0, 0 },
		{ "ring-long chain", "descriptor chain too long or looping", false, s_long, 0, 0 },
		{ "link out of range", "descriptor link out of range", false, s_link, 0, 0 },
		{ "indirect", "indirect descriptor (not negotiated)", false, s_indirect, 0, 0 },
		{ "writable in tx", "writable descriptor in a transmit chain", false, s_write, 0, 0 },
		{ "read-only in rx", "read-only descriptor in a receive chain", true, s_ro, 0, 0 },
		{ "head out of range", "descriptor head out of range", false, s_ok, NUM, 0 },
		{ "index far ahead", "avail index too far ahead", false, s_ok, 0, NUM + 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bad *b = &cases[i];
		struct vring vr;
		struct vring_chain c;
		int r;

		memset(mem + DESC, 0, 16 * NUM);
		b->setup();
		ring(&vr, 0, &b->head, 1);
		if (b->avail_idx)
			put16(AVAIL + 2, b->avail_idx);
		r = vring_pop(&vr, &m, b->writable, 1514 + 12, &c);
		ok(r < 0 && vr.err && !strcmp(vr.err, b->err), "%s: %s", b->name,
		   vr.err ? vr.err : "(accepted)");
		ok(vring_pop(&vr, &m, b->writable, 1514 + 12, &c) < 0, "%s: stays broken", b->name);
	}
}

static volatile int guest_stop;

/* The guest: descriptors whose address, length, flags and link change
 * under us (inside the region, across its end, anywhere), and the avail
 * index and entries. */
static void *guest(void *arg)
{
	unsigned int r = 11;
	uint64_t *writes = arg;

	while (!guest_stop) {
		uint8_t *d;
		uint32_t v;

		r = r * 1103515245 + 12345;
		v = r >> 8;
		d = mem + DESC + 16 * (v % NUM);
		switch (r % 5) {
		case 0: {	/* an address: in the buffers, at the end, or wild */
			uint64_t a = v % 8 < 6 ? GPA + BUF + (v % 0x2000) :
				     v % 8 == 6 ? GPA + sizeof(mem) - (v % 64) : (uint64_t)r << 20;

			__atomic_store_n((uint64_t *)(void *)d, htole64(a), __ATOMIC_RELAXED);
			break;
		}
		case 1:		/* a length: small, large or huge */
			__atomic_store_n((uint32_t *)(void *)(d + 8),
					 htole32(v % 8 ? v % 0x800 : r), __ATOMIC_RELAXED);
			break;
		case 2:		/* flags and link */
			__atomic_store_n((uint32_t *)(void *)(d + 12),
					 htole32((v % 16 < 14 ? v % 2 : v % 8) |
						 ((v >> 4) % (NUM + 1)) << 16),
					 __ATOMIC_RELAXED);
			break;
		case 3:		/* an avail entry */
			__atomic_store_n((uint16_t *)(void *)(mem + AVAIL + 4 + 2 * (v % NUM)),
					 htole16((uint16_t)(v % (NUM + 1))), __ATOMIC_RELAXED);
			break;
		default:	/* the avail index: a step ahead, or a jump */
			__atomic_store_n((uint16_t *)(void *)(mem + AVAIL + 2),
					 htole16((uint16_t)(get16(USED + 2) + (v % 3 ? v % NUM : v))),
					 __ATOMIC_RELEASE);
			break;
		}
		(*writes)++;
	}
	return NULL;
}

static void test_guest_rewrites(void)
{
	uint64_t writes = 0, pops = 0, broken = 0, bad = 0;
	long until = tap_ms() + 200;
	struct vring_chain c;
	struct vring vr;
	pthread_t t;

	memset(mem, 0, BUF);
	if (vring_map(&vr, &m, NUM, 0, UVA + DESC, UVA + AVAIL, UVA + USED))
		abort();
	guest_stop = 0;
	if (pthread_create(&t, NULL, guest, &writes))
		abort();
	while (tap_ms() < until && !bad) {
		bool wr = false;	/* transmit chains: device-readable */
		size_t maxlen = 0x3000, sum = 0;
		unsigned int i;
		int r = vring_pop(&vr, &m, wr, maxlen, &c);

		if (r < 0) {
			broken++;
			if (vring_map(&vr, &m, NUM, 0, UVA + DESC, UVA + AVAIL, UVA + USED))
				bad++;
			continue;
		}
		if (r == 0)
			continue;
		pops++;
		bad += c.head >= NUM || c.n > VRING_MAXSEG || c.len > maxlen;
		for (i = 0; i < c.n && i < VRING_MAXSEG; i++) {
			uint8_t *b = c.iov[i].iov_base;

			bad += b < mem || c.iov[i].iov_len > sizeof(mem) ||
			       (size_t)(b - mem) > sizeof(mem) - c.iov[i].iov_len;
			sum += c.iov[i].iov_len;
		}
		bad += sum != c.len;
		{
			uint8_t out[64];

			vring_copy_from(&c, 0, out, sizeof(out));
		}
		vring_push(&vr, c.head, (uint32_t)c.len);
		vring_publish(&vr);
	}
	guest_stop = 1;
	pthread_join(t, NULL);
	ok(!bad && writes > 1000, "a guest rewriting its ring while we pop: %lu chains, %lu broken, "
	   "%lu wrong, %lu guest writes", (unsigned long)pops, (unsigned long)broken,
	   (unsigned long)bad, (unsigned long)writes);
}

int main(void)
{
	m.n = 1;
	m.r[0] = (struct vhost_region){ .gpa = GPA, .size = sizeof(mem), .uva = UVA, .host = mem };
	test_mem();
	test_map();
	test_chains();
	test_wrap();
	test_resubmit();
	test_bad();
	test_guest_rewrites();
	return tap_done();
}
