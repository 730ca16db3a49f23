// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_shmring.c - lib/common/shmring.c: region header checks,
 * empty/full/wrap-around, batches, truncation, a producer that dies before
 * publishing, garbage indices and records from either peer, and event
 * suppression (two threads hammering the ring through real doorbells: a
 * zero-length datagram on a socketpair, as the fast path uses them),
 * misaligned indices in a region followed by a guard page, and a peer
 * thread rewriting the ring while we consume it (bounded, 300 ms)
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "shmring.h"
#include "tap.h"

#define RS	SHMRING_SIZE_MIN

static void *region(void)
{
	size_t len = shmring_region_size(RS);
	void *m = aligned_alloc(4096, len);

	if (!m)
		abort();
	memset(m, 0, len);
	if (shmring_region_init(m, len, RS, 0))
		abort();
	return m;
}

static void pair(void *m, struct shmring *p, struct shmring *c)
{
	struct shmring_layout l;

	if (shmring_region_check(m, shmring_region_size(RS), &l))
		abort();
	shmring_attach(p, m, &l, SHMRING_C2S, true);
	shmring_attach(c, m, &l, SHMRING_C2S, false);
}

static void fill(uint8_t *b, size_t len, uint32_t seq)
{
	size_t i;

	for (i = 0; i < len; i++)
		b[i] = (uint8_t)(seq * 31 + i);
}

static bool check(const uint8_t *b, size_t len, uint32_t seq)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != (uint8_t)(seq * 31 + i))
			return false;
	return true;
}

static size_t put1(struct shmring *p, const void *buf, size_t len, bool *kick)
{
	struct iovec iov = { (void *)buf, len };
	struct shmring_txf f = { &iov, 1, 0 };

	return shmring_produce(p, &f, 1, kick);
}

static size_t get1(struct shmring *c, void *buf, size_t cap, struct shmring_rxf *f)
{
	static struct iovec iov;
	bool kick;

	iov.iov_base = buf;
	iov.iov_len = cap;
	f->iov = &iov;
	f->iovcnt = 1;
	return shmring_consume(c, f, 1, &kick);
}

static void test_header(void)
{
	size_t len = shmring_region_size(RS);
	struct shmring_layout l;
	uint8_t *m = region();
	struct shmring_region *h = (struct shmring_region *)m;

	ok(shmring_region_size(RS + 8) == 0 && shmring_region_size(RS / 2) == 0 &&
	   shmring_region_size(SHMRING_SIZE_MAX * 2) == 0, "ring sizes: powers of two in range");
	ok(shmring_region_check(m, len, &l) == 0 && l.ring_size == RS &&
	   l.frame_max == SHMRING_FRAME_MAX && l.region_size == len, "fresh region checks");
	ok(shmring_region_check(m, len - 1, &l) == -EPROTO, "mapping shorter than the region");
	h->magic ^= 1;
	ok(shmring_region_check(m, len, &l) == -EPROTO, "bad magic");
	h->magic ^= 1;
	h->version = 2;
	ok(shmring_region_check(m, len, &l) == -EPROTO, "bad version");
	h->version = SHMRING_VERSION;
	h->ring_size = RS + 4096;
	ok(shmring_region_check(m, len, &l) == -EPROTO, "ring size not a power of two");
	h->ring_size = RS;
	h->frame_max = SHMRING_FRAME_MAX + 1;
	ok(shmring_region_check(m, len, &l) == -EPROTO, "frame_max too large");
	h->frame_max = SHMRING_FRAME_MAX;
	h->features = 1U << 7;
	ok(shmring_region_check(m, len, &l) == -EPROTO, "unknown feature");
	h->features = 0;
	h->region_size = len * 2;
	ok(shmring_region_check(m, len, &l) == -EPROTO, "region size disagrees");
	free(m);
}

static void test_basic(void)
{
	uint8_t *m = region(), buf[SHMRING_FRAME_MAX], out[SHMRING_FRAME_MAX];
	struct shmring p, c;
	struct shmring_rxf f;
	bool kick;

	pair(m, &p, &c);
	ok(get1(&c, out, sizeof(out), &f) == 0 && shmring_empty(&c), "empty ring gives nothing");
	fill(buf, 60, 1);
	ok(put1(&p, buf, 60, &kick) == 1 && kick, "first frame: consumer starts asleep, doorbell");
	fill(buf, 1514, 2);
	ok(put1(&p, buf, 1514, &kick) == 1 && !kick, "second frame: flag taken, no doorbell");
	ok(get1(&c, out, sizeof(out), &f) == 1 && f.len == 60 && check(out, 60, 1),
	   "frame 1 back intact");
	ok(get1(&c, out, 100, &f) == 1 && f.len == 100 && f.frame_len == 1514 &&
	   check(out, 100, 2) && c.st.truncated == 1, "short buffer truncates, like recv()");
	ok(get1(&c, out, sizeof(out), &f) == 0, "empty again");
	ok(put1(&p, buf, 0, &kick) == 0 && p.st.oversize == 1, "empty frame refused");
	ok(put1(&p, buf, SHMRING_FRAME_MAX + 1, &kick) == 0 && p.st.oversize == 2,
	   "frame above frame_max refused");
	fill(buf, SHMRING_FRAME_MAX, 3);
	ok(put1(&p, buf, SHMRING_FRAME_MAX, &kick) == 1 &&
	   get1(&c, out, sizeof(out), &f) == 1 && f.len == SHMRING_FRAME_MAX &&
	   check(out, SHMRING_FRAME_MAX, 3), "largest super-frame passes");
	free(m);
}

static void test_full_wrap(void)
{
	uint8_t *m = region(), buf[SHMRING_FRAME_MAX], out[SHMRING_FRAME_MAX];
	uint32_t seq_in = 0, seq_out = 0, wraps = 0;
	struct shmring p, c;
	struct shmring_rxf f;
	size_t n = 0, len, round;
	bool kick, okay = true;

	pair(m, &p, &c);
	fill(buf, 1514, 0);
	while (put1(&p, buf, 1514, &kick))
		n++;
	ok(n == RS / 1528 && p.st.full == 1 && !shmring_has_room(&p, 1514),
	   "full ring: %zu frames of 1514 in %u bytes, then refused", n, RS);
	ok(get1(&c, out, sizeof(out), &f) == 1 && shmring_has_room(&p, 1514) &&
	   put1(&p, buf, 1514, &kick) == 1, "one consumed: room for one again");
	while (get1(&c, out, sizeof(out), &f))
		;
	/* sizes that do not divide the ring: every wrap needs a PAD record */
	for (round = 0; round < 20000 && okay; round++) {
		uint32_t before = p.pos & (RS - 1);

		len = 1 + (round * 7919) % 9000;
		if (round % 97 == 0)
			len = SHMRING_FRAME_MAX - round % 13;
		fill(buf, len, seq_in);
		if (put1(&p, buf, len, &kick)) {
			seq_in++;
			if ((p.pos & (RS - 1)) < before)
				wraps++;
		}
		if (round % 3 == 0 || !shmring_has_room(&p, SHMRING_FRAME_MAX)) {
			while (get1(&c, out, sizeof(out), &f)) {
				okay = check(out, f.len, seq_out);
				seq_out++;
			}
		}
	}
	while (get1(&c, out, sizeof(out), &f)) {
		okay = okay && check(out, f.len, seq_out);
		seq_out++;
	}
	ok(okay && seq_in == seq_out && seq_in > 10000 && wraps > 100 &&
	   c.st.bad_record == 0 && c.st.bad_index == 0,
	   "wrap-around: %u frames in order over %u wraps, none bad", seq_out, wraps);
	free(m);
}

static void test_batch(void)
{
	uint8_t *m = region(), bufs[40][300], outs[40][300];
	struct iovec iv[40], ov[40], two[2];
	struct shmring_txf tf[40];
	struct shmring_rxf rf[40];
	struct shmring p, c;
	size_t i, got = 0, k;
	bool kick, okay = true;

	pair(m, &p, &c);
	for (i = 0; i < 40; i++) {
		fill(bufs[i], 100 + i, (uint32_t)i);
		iv[i] = (struct iovec){ bufs[i], 100 + i };
		tf[i] = (struct shmring_txf){ &iv[i], 1, 0 };
		ov[i] = (struct iovec){ outs[i], sizeof(outs[i]) };
		rf[i] = (struct shmring_rxf){ .iov = &ov[i], .iovcnt = 1 };
	}
	ok(shmring_produce(&p, tf, 40, &kick) == 40 && kick && p.st.frames == 40,
	   "batch of 40 produced, one doorbell");
	while ((k = shmring_consume(&c, rf, 7, &kick)) > 0) {
		for (i = 0; i < k; i++)
			okay = okay && rf[i].len == 100 + got + i &&
			       check(outs[i], rf[i].len, (uint32_t)(got + i));
		got += k;
	}
	ok(okay && got == 40, "consumed in batches of 7, in order");
	/* gather and scatter */
	two[0] = (struct iovec){ bufs[0], 50 };
	two[1] = (struct iovec){ bufs[0] + 50, 50 };
	tf[0] = (struct shmring_txf){ two, 2, 0 };
	fill(bufs[0], 100, 77);
	ov[0] = (struct iovec){ outs[0], 30 };
	ov[1] = (struct iovec){ outs[1], 100 };
	rf[0] = (struct shmring_rxf){ .iov = ov, .iovcnt = 2 };
	ok(shmring_produce(&p, tf, 1, &kick) == 1 && shmring_consume(&c, rf, 1, &kick) == 1 &&
	   rf[0].len == 100 && check(outs[0], 30, 77) &&
	   !memcmp(outs[1], bufs[0] + 30, 70), "two-piece frame gathered and scattered");
	free(m);
}

/* A producer that dies after writing a record but before publishing it. */
static void test_dead_producer(void)
{
	uint8_t *m = region(), buf[200], out[200];
	struct shmring p, p2, c;
	struct shmring_layout l;
	struct shmring_rxf f;
	uint32_t hdr[2] = { 200, 0 };
	bool kick;

	pair(m, &p, &c);
	memcpy(p.data + (p.pos & (RS - 1)), hdr, sizeof(hdr));
	memset(p.data + (p.pos & (RS - 1)) + 8, 0xee, 200);
	ok(get1(&c, out, sizeof(out), &f) == 0 && shmring_empty(&c),
	   "reserved but unpublished record is invisible");
	shmring_region_check(m, shmring_region_size(RS), &l);
	shmring_attach(&p2, m, &l, SHMRING_C2S, true);
	fill(buf, 64, 9);
	ok(put1(&p2, buf, 64, &kick) == 1 && get1(&c, out, sizeof(out), &f) == 1 &&
	   f.len == 64 && check(out, 64, 9), "a new producer overwrites it; only its frame is seen");
	free(m);
}

static void test_garbage(void)
{
	uint8_t *m = region(), buf[2000], out[2000];
	struct shmring p, c;
	struct shmring_rxf f;
	uint64_t bad;
	uint32_t *rec;
	bool kick;

	pair(m, &p, &c);
	fill(buf, 100, 1);
	put1(&p, buf, 100, &kick);
	c.ctl->tail = c.pos + RS + 8;
	ok(get1(&c, out, sizeof(out), &f) == 0 && c.st.bad_index == 1 && shmring_empty(&c),
	   "tail beyond the ring size: nothing read, counted");
	c.ctl->tail = c.pos - 8;
	bad = c.st.bad_index;
	ok(get1(&c, out, sizeof(out), &f) == 0 && c.st.bad_index == bad + 1,
	   "tail behind head: counted");
	c.ctl->tail = p.pos;
	ok(get1(&c, out, sizeof(out), &f) == 1 && check(out, 100, 1), "good tail again: frame read");

	/* records with garbage lengths and flags, each published whole */
	rec = (uint32_t *)(p.data + (p.pos & (RS - 1)));
	put1(&p, buf, 100, &kick);
	rec[0] = 0;
	ok(get1(&c, out, sizeof(out), &f) == 0 && c.st.bad_record == 1 && c.pos == p.pos,
	   "zero length record: ring resynchronised to tail");
	rec = (uint32_t *)(p.data + (p.pos & (RS - 1)));
	put1(&p, buf, 100, &kick);
	rec[0] = SHMRING_FRAME_MAX + 1;
	ok(get1(&c, out, sizeof(out), &f) == 0 && c.st.bad_record == 2, "length above frame_max");
	rec = (uint32_t *)(p.data + (p.pos & (RS - 1)));
	put1(&p, buf, 100, &kick);
	rec[0] = 1000;		/* beyond the published tail */
	ok(get1(&c, out, sizeof(out), &f) == 0 && c.st.bad_record == 3, "length beyond tail");
	rec = (uint32_t *)(p.data + (p.pos & (RS - 1)));
	put1(&p, buf, 100, &kick);
	rec[1] = 1U << 9;
	ok(get1(&c, out, sizeof(out), &f) == 0 && c.st.bad_record == 4, "unknown flag");
	rec = (uint32_t *)(p.data + (p.pos & (RS - 1)));
	put1(&p, buf, 100, &kick);
	rec[1] = SHMRING_F_VNET;
	ok(get1(&c, out, sizeof(out), &f) == 0 && c.st.bad_record == 5,
	   "vnet flag without the feature");
	rec = (uint32_t *)(p.data + (p.pos & (RS - 1)));
	put1(&p, buf, 100, &kick);
	rec[1] = SHMRING_F_PAD;	/* a PAD that claims more than is published */
	ok(get1(&c, out, sizeof(out), &f) == 0 && c.st.bad_record == 6, "bogus PAD");
	fill(buf, 1000, 5);
	ok(put1(&p, buf, 1000, &kick) == 1 && get1(&c, out, sizeof(out), &f) == 1 &&
	   check(out, 1000, 5), "after garbage the peer's next frame passes");

	/* a record that would run past the end of the ring */
	p.pos = c.pos = (c.pos | (RS - 1)) + 1 - 16;
	p.ctl->tail = p.pos;
	c.ctl->head = c.pos;
	p.peer = c.pos;
	rec = (uint32_t *)(p.data + RS - 16);
	rec[0] = 200;
	rec[1] = 0;
	p.ctl->tail = p.pos + 216;
	ok(get1(&c, out, sizeof(out), &f) == 0 && c.st.bad_record == 7,
	   "record crossing the end of the ring refused");

	free(m);

	/* a hostile consumer: head garbage once the producer must re-read it */
	m = region();
	pair(m, &p, &c);
	while (put1(&p, buf, 1000, &kick))
		;
	p.ctl->head = p.pos + 64;
	ok(!shmring_has_room(&p, 60) && put1(&p, buf, 60, &kick) == 0 && p.st.bad_index == 2,
	   "producer: head ahead of tail is a full ring, counted");
	p.ctl->head = p.pos - RS - 64;
	ok(put1(&p, buf, 60, &kick) == 0 && p.st.bad_index >= 2,
	   "producer: head too far behind is a full ring, counted");
	p.ctl->head = p.pos;
	ok(put1(&p, buf, 60, &kick) == 1, "sane head again: room");
	free(m);
}

/* A region whose end is followed by a PROT_NONE page, so that an access
 * past ring 1 (s2c, the last ring) faults with or without ASan. */
static uint8_t *guarded_region(void)
{
	size_t len = shmring_region_size(RS), page = (size_t)sysconf(_SC_PAGESIZE);
	uint8_t *m = mmap(NULL, len + page, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED || mprotect(m + len, page, PROT_NONE) ||
	    shmring_region_init(m, len, RS, 0))
		abort();
	return m;
}

static void guarded_free(uint8_t *m)
{
	munmap(m, shmring_region_size(RS) + (size_t)sysconf(_SC_PAGESIZE));
}

/* Indices that are not multiples of 8: a peer writes them before we attach
 * (the switch attaches at ACCEPT, after the client mapped the region) or
 * publishes them later. A record header at such an offset would stand
 * across the end of the ring, and past the region after ring 1. */
static void test_misaligned(void)
{
	uint8_t *m = guarded_region(), buf[100], out[200];
	struct shmring p, c;
	struct shmring_layout l;
	struct shmring_rxf f;
	struct shmring_ctl *s2c = (struct shmring_ctl *)(m + SHMRING_CTL_OFF + SHMRING_CTL_SIZE);
	uint32_t bad;
	bool kick;

	if (shmring_region_check(m, shmring_region_size(RS), &l))
		abort();
	/* a hostile client set s2c's tail (the switch's producer index) and
	 * head 4 bytes before the end of the ring, then accepted */
	s2c->tail = s2c->head = 5 * RS - 4;
	shmring_attach(&p, m, &l, SHMRING_S2C, true);
	shmring_attach(&c, m, &l, SHMRING_S2C, false);
	fill(buf, sizeof(buf), 3);
	ok(put1(&p, buf, sizeof(buf), &kick) == 1 && (p.pos & 7) == 0,
	   "producer attached at a misaligned tail: writes inside the ring");
	ok(get1(&c, out, sizeof(out), &f) == 1 && f.len == sizeof(buf) &&
	   check(out, sizeof(buf), 3) && c.st.bad_record == 0 && c.st.bad_index == 0,
	   "consumer attached at the same misaligned head reads that frame");

	/* a hostile switch publishes a misaligned tail behind a garbage
	 * record, then one more past the end of the ring */
	shmring_attach(&c, m, &l, SHMRING_S2C, false);
	c.pos = c.peer = 0;
	s2c->head = 0;
	memset(c.data, 0xff, 64);
	bad = (uint32_t)(c.st.bad_index + c.st.bad_record);
	s2c->tail = RS - 4;
	ok(get1(&c, out, sizeof(out), &f) == 0 && (c.pos & 7) == 0,
	   "misaligned tail: nothing read, our head stays aligned");
	s2c->tail = RS + 12;
	ok(get1(&c, out, sizeof(out), &f) == 0 && (c.pos & 7) == 0 &&
	   c.st.bad_index + c.st.bad_record >= bad + 2, "and again: counted, no access past the ring");
	guarded_free(m);
}

static void test_suppression_flags(void)
{
	uint8_t *m = region(), buf[64], out[64];
	struct shmring p, c;
	struct shmring_rxf f;
	bool kick;

	pair(m, &p, &c);
	put1(&p, buf, 64, &kick);
	ok(kick && c.ctl->cons_sleeping == 0, "doorbell: flag taken by the producer");
	ok(shmring_cons_arm(&c) && c.owed == 1, "arm with frames waiting: true, one doorbell owed");
	shmring_cons_absorb(&c, 1);
	ok(c.owed == 0 && c.armed, "the owed doorbell read: still armed");
	get1(&c, out, sizeof(out), &f);
	ok(!shmring_cons_arm(&c) && c.owed == 0, "arm on an empty ring: sleep, nothing owed");
	put1(&p, buf, 64, &kick);
	ok(kick, "next frame rings");
	shmring_cons_absorb(&c, 1);
	ok(!c.armed, "that doorbell spends the arming");
	ok(!shmring_kick_check(&p), "kick check: flag not set, no doorbell");
	shmring_cons_arm(&c);
	ok(shmring_kick_check(&p) && c.ctl->cons_sleeping == 0,
	   "poke answered: frames wait and the consumer sleeps");
	/* room wake-up */
	while (put1(&p, buf, 64, &kick))
		;
	ok(!shmring_prod_arm(&p, 64), "full: producer must wait");
	{
		struct iovec iov = { out, sizeof(out) };
		struct shmring_rxf rf = { .iov = &iov, .iovcnt = 1 };

		shmring_consume(&c, &rf, 1, &kick);
	}
	ok(kick && p.ctl->prod_waiting == 0, "consumer takes prod_waiting: room doorbell");
	free(m);
}

/* Two threads, doorbells as zero-length datagrams on a socketpair. */
struct hammer {
	struct shmring p, c;
	int pfd, cfd;		/* producer's and consumer's socket ends */
	long deadline_ms;
	uint32_t produced, consumed;
	uint64_t bells_tx, bells_rx, lost, misorder, pauses;
	volatile int done;
};

static uint64_t drain(int fd)
{
	uint64_t n = 0;
	char b[8];

	while (recv(fd, b, sizeof(b), MSG_DONTWAIT) == 0)
		n++;
	return n;
}

static void *producer(void *arg)
{
	struct hammer *h = arg;
	uint8_t buf[16][64];
	unsigned int r = 1;

	while (tap_ms() < h->deadline_ms) {
		struct iovec iov[16];
		struct shmring_txf f[16];
		size_t n, i, k;
		bool kick;

		r = r * 1103515245 + 12345;
		n = 1 + (r >> 16) % 16;
		for (i = 0; i < n; i++) {
			uint32_t seq = h->produced + (uint32_t)i;

			memcpy(buf[i], &seq, sizeof(seq));	/* the frame's sequence number */
			iov[i] = (struct iovec){ buf[i], sizeof(buf[i]) };
			f[i] = (struct shmring_txf){ &iov[i], 1, 0 };
		}
		k = shmring_produce(&h->p, f, n, &kick);
		h->produced += (uint32_t)k;
		if (kick) {
			send(h->pfd, "", 0, MSG_DONTWAIT);
			h->bells_tx++;
		}
		if (k < n) {
			struct pollfd pfd = { h->pfd, POLLIN, 0 };

			/* full: the consumer rings us when it frees room */
			if (!shmring_prod_arm(&h->p, sizeof(buf[0])))
				poll(&pfd, 1, 50);
			drain(h->pfd);
		}
		/* often stop and wait for the consumer to catch up: a lost
		 * wake-up leaves it asleep with frames and this times out */
		if ((r >> 16) % 4 == 0) {
			long until = tap_ms() + 2000;

			while (__atomic_load_n(&h->consumed, __ATOMIC_ACQUIRE) != h->produced &&
			       tap_ms() < until)
				sched_yield();
			if (__atomic_load_n(&h->consumed, __ATOMIC_ACQUIRE) != h->produced)
				h->lost++;
			h->pauses++;
		}
	}
	h->done = 1;
	send(h->pfd, "", 0, MSG_DONTWAIT);
	return NULL;
}

static void *consumer(void *arg)
{
	struct hammer *h = arg;

	for (;;) {
		uint8_t out[8][128];
		struct iovec iov[8];
		struct shmring_rxf f[8];
		size_t k, i;
		bool kick;

		for (i = 0; i < 8; i++) {
			iov[i] = (struct iovec){ out[i], sizeof(out[i]) };
			f[i] = (struct shmring_rxf){ .iov = &iov[i], .iovcnt = 1 };
		}
		k = shmring_consume(&h->c, f, 8, &kick);
		for (i = 0; i < k; i++) {
			uint32_t seq;

			memcpy(&seq, out[i], 4);
			if (seq != h->consumed)
				h->misorder++;
			__atomic_store_n(&h->consumed, h->consumed + 1, __ATOMIC_RELEASE);
		}
		if (kick)
			send(h->cfd, "", 0, MSG_DONTWAIT);	/* room */
		if (k)
			continue;
		if (!shmring_cons_arm(&h->c)) {
			struct pollfd pfd = { h->cfd, POLLIN, 0 };
			uint64_t b;

			if (h->done && shmring_empty(&h->c))
				break;
			/* a lost wake-up shows as a timeout with frames waiting */
			if (poll(&pfd, 1, 2000) == 0 && !shmring_empty(&h->c))
				h->lost++;
			b = drain(h->cfd);
			h->bells_rx += b;
			shmring_cons_absorb(&h->c, b);
		}
	}
	return NULL;
}

static void test_hammer(void)
{
	struct hammer *h = calloc(1, sizeof(*h));
	uint8_t *m = region();
	pthread_t tp, tc;
	int sv[2];

	if (!h || socketpair(AF_UNIX, SOCK_DGRAM, 0, sv))
		abort();
	pair(m, &h->p, &h->c);
	h->pfd = sv[0];
	h->cfd = sv[1];
	h->deadline_ms = tap_ms() + 1500;
	pthread_create(&tc, NULL, consumer, h);
	pthread_create(&tp, NULL, producer, h);
	pthread_join(tp, NULL);
	pthread_join(tc, NULL);
	ok(h->produced > 1000 && h->consumed == h->produced && h->misorder == 0,
	   "two threads: %u frames produced, %u consumed in order", h->produced, h->consumed);
	ok(h->lost == 0 && h->pauses > 100, "no lost wake-up (%lu) in %lu pauses",
	   (unsigned long)h->lost, (unsigned long)h->pauses);
	ok(h->bells_tx < h->produced, "event suppression: %lu doorbells for %u frames",
	   (unsigned long)h->bells_tx, h->produced);
	close(sv[0]);
	close(sv[1]);
	free(m);
	free(h);
}

/* A peer that rewrites its side of ring 1 while we use it: the producer's
 * tail, the records and the wake flags from another thread in a loop, for
 * a bounded time (a double fetch needs the memory to change between two
 * reads). Our consumer must only ever hand out frames of 1..frame_max
 * bytes, copy min(length, buffer), stay in its buffers (canaries) and in
 * the region (guard page), and keep its head at a record boundary. */
struct flipper {
	uint8_t *m;
	volatile int stop;
	uint64_t writes;
};

static void *flip(void *arg)
{
	struct flipper *fl = arg;
	struct shmring_ctl *c = (struct shmring_ctl *)(fl->m + SHMRING_CTL_OFF + SHMRING_CTL_SIZE);
	uint32_t *data = (uint32_t *)(fl->m + SHMRING_DATA_OFF + RS);
	unsigned int r = 7;

	while (!fl->stop) {
		uint32_t head = __atomic_load_n(&c->head, __ATOMIC_RELAXED), v;

		r = r * 1103515245 + 12345;
		v = r >> 8;
		switch (r % 6) {
		case 0:		/* tail just ahead of head, often misaligned */
			__atomic_store_n(&c->tail, head + (v % 4096), __ATOMIC_RELEASE);
			break;
		case 1:		/* tail near the end of the ring */
			__atomic_store_n(&c->tail, (head | (RS - 1)) + 1 - (v % 24),
					 __ATOMIC_RELEASE);
			break;
		case 2:		/* a header word: length, flags or garbage */
			__atomic_store_n(&data[(head / 4 + (v % 64)) % (RS / 4)],
					 v % 3 == 0 ? SHMRING_F_PAD : v % 3 == 1 ? (v % 70000) : r,
					 __ATOMIC_RELAXED);
			break;
		case 3:		/* anywhere, anything */
			__atomic_store_n(&data[v % (RS / 4)], r, __ATOMIC_RELAXED);
			break;
		case 4:
			__atomic_store_n(&c->cons_sleeping, v & 1, __ATOMIC_RELAXED);
			__atomic_store_n(&c->prod_waiting, (v >> 1) & 1, __ATOMIC_RELAXED);
			break;
		case 5:		/* the end of the ring */
			__atomic_store_n(&data[RS / 4 - 1 - (v % 4)], r, __ATOMIC_RELAXED);
			break;
		}
		if (r % 3 == 0) {	/* and often a good record, published */
			uint32_t t = __atomic_load_n(&c->tail, __ATOMIC_RELAXED) & ~7u;
			uint32_t off = t & (RS - 1), len = 1 + v % 3000, rec = (8 + len + 7) & ~7u;

			if (off + rec <= RS) {
				__atomic_store_n(&data[off / 4], len, __ATOMIC_RELAXED);
				__atomic_store_n(&data[off / 4 + 1], 0, __ATOMIC_RELAXED);
				__atomic_store_n(&c->tail, t + rec, __ATOMIC_RELEASE);
			}
		}
		fl->writes++;
	}
	return NULL;
}

static void test_flipper(void)
{
	static uint8_t bufs[4][SHMRING_FRAME_MAX + 16 + 64];	/* cap, canaries */
	struct flipper fl = { .m = guarded_region() };
	struct shmring_layout l;
	struct shmring c;
	uint64_t frames = 0, calls = 0, bad = 0;
	long until = tap_ms() + 300;
	pthread_t t;
	unsigned int r = 3;

	if (shmring_region_check(fl.m, shmring_region_size(RS), &l))
		abort();
	shmring_attach(&c, fl.m, &l, SHMRING_S2C, false);
	if (pthread_create(&t, NULL, flip, &fl))
		abort();
	while (tap_ms() < until && !bad) {
		struct shmring_rxf f[4];
		struct iovec iov[4];
		size_t cap, k, i, j;
		bool kick;

		r = r * 1103515245 + 12345;
		cap = 1 + (r >> 8) % (SHMRING_FRAME_MAX + 16);
		for (i = 0; i < 4; i++) {
			memset(bufs[i] + cap, 0x5a, 64);
			iov[i] = (struct iovec){ bufs[i], cap };
			f[i] = (struct shmring_rxf){ .iov = &iov[i], .iovcnt = 1 };
		}
		k = shmring_consume(&c, f, 4, &kick);
		for (i = 0; i < k; i++) {
			if (f[i].frame_len < 1 || f[i].frame_len > l.frame_max ||
			    f[i].len != (f[i].frame_len < cap ? f[i].frame_len : cap))
				bad++;
			for (j = 0; j < 64; j++)
				bad += bufs[i][cap + j] != 0x5a;
		}
		if (c.pos & (SHMRING_ALIGN - 1))
			bad++;
		if ((r >> 4) % 8 == 0)
			(void)shmring_cons_arm(&c);
		frames += k;
		calls++;
	}
	fl.stop = 1;
	pthread_join(t, NULL);
	ok(!bad && calls > 100 && fl.writes > 1000,
	   "a peer rewriting s2c under the consumer: %lu calls, %lu frames, %lu bad, %lu peer writes, "
	   "%lu bad records", (unsigned long)calls, (unsigned long)frames, (unsigned long)bad,
	   (unsigned long)fl.writes, (unsigned long)c.st.bad_record);
	guarded_free(fl.m);
}

int main(void)
{
	test_header();
	test_basic();
	test_full_wrap();
	test_batch();
	test_dead_producer();
	test_garbage();
	test_misaligned();
	test_suppression_flags();
	test_hammer();
	test_flipper();
	return tap_done();
}
