// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/vhost_front.c - a vhost-user front end (QEMU's side) for tests
 *
 * Plays what QEMU does for a virtio-net device with a vhost-user backend,
 * and what the guest driver does with the rings: guest memory is a memfd
 * shared as two regions (the second one with a non-zero mmap_offset), the
 * rings and buffers live in it, kicks and calls are eventfds. Then it
 * pushes frames into the transmit ring and/or pulls frames out of the
 * receive ring, or sends one malformed case and expects the backend to
 * drop the connection.
 *
 *   vhost_front [-MT] [-n count] [-l len] [-S seed] [-o sentfile] [-r count]
 *               [-t secs] [-b base] [-E case] [-B] [-H holdfile]
 *               [-R readyfile] PATH
 *   -n/-l/-S  send count frames of len bytes, tests/vdeplug_client's pattern
 *             (frame i: dst ff:ff.., src 02:00:00:00:S:i, type 0x88b5)
 *   -o FILE   write the frames sent as hex lines (what the peer must see)
 *   -r count  receive count frames, print each as a hex line on stdout
 *   -T        send one TCP/IPv4 TSO super-frame of -l bytes (MSS 1000, the
 *             checksum left partial) instead; -o gets the segments a correct
 *             cut produces are checked by the peer's test (count, lengths)
 *   -G        take the guest offloads (GUEST_CSUM, GUEST_TSO4/6): receive
 *             super-frames whole; -r lines start "flags=F gso=G mss=M "
 *   -T -B -n  send count TSO super-frames back to back (benchmark)
 *   -M        small (256-byte) receive buffers: frames span several (MRG_RXBUF)
 *   -b base   start both rings at index base (65500: indices wrap)
 *   -E case   malformed input: addr len loop long ahead head indirect write
 *             rxro ringaddr memtable bigregion version shrink (the memory
 *             file truncated under the backend's mapping); exit 0 once the
 *             backend closes the connection
 *   -B        benchmark: send -n frames back to back, print frames/s; or
 *             with -r and no -n: receive quietly (no hex lines, a kick
 *             every 32 buffers), print frames/s from the first frame on
 *   -H FILE   after the work, stay connected until FILE exists
 *   -R FILE   create FILE once the rings run and receive buffers are posted
 *   -t secs   deadline for everything (default 10)
 * Exit: 0 ok, 1 error, 2 timeout.
 */
#include "config.h"

#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "parse.h"
#include "unit/refsum.h"

#define QSZ		256
#define MEMSZ		(4u << 20)
#define HALF		(MEMSZ / 2)
#define GPA_A		0x40000000ULL	/* region A: memfd [0, HALF) */
#define GPA_B		0x90000000ULL	/* region B: memfd [HALF, MEMSZ) */
#define HDRLEN		12
#define RXBUF		2048
#define TXSLOT		2048
#define TSO_AREA	(HALF + 0x100000)	/* 64 KiB + header, in region B */
#define RX_AREA		0x10000			/* region A */
#define TX_AREA		HALF			/* region B */

enum { GET_FEATURES = 1, SET_FEATURES, SET_OWNER, RESET_OWNER, SET_MEM_TABLE,
       SET_VRING_NUM = 8, SET_VRING_ADDR, SET_VRING_BASE, GET_VRING_BASE, SET_VRING_KICK,
       SET_VRING_CALL, SET_VRING_ERR, GET_PROTOCOL_FEATURES, SET_PROTOCOL_FEATURES,
       GET_QUEUE_NUM, SET_VRING_ENABLE };

struct q {
	uint32_t off;			/* desc table offset in the memfd */
	uint8_t *desc, *avail, *used;
	uint16_t avail_idx, used_seen;
	int kick, call;
};

static uint8_t *mem;
static int sock = -1, memfd = -1;
static struct q rxq = { .off = 0x0 }, txq = { .off = 0x8000 };
static long deadline;
static bool guest_offload;	/* -G */
static bool small_rx;
static unsigned int rxbuf_len = RXBUF;

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void die(const char *what)
{
	fprintf(stderr, "vhost_front: %s%s%s\n", what, errno ? ": " : "", errno ? strerror(errno) : "");
	exit(1);
}

static uint64_t gpa(uint32_t off)
{
	return off < HALF ? GPA_A + off : GPA_B + (off - HALF);
}

static uint64_t uva(uint32_t off)
{
	return (uint64_t)(uintptr_t)(mem + off);
}

static void put16(uint8_t *p, uint16_t v) { v = htole16(v); memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { v = htole32(v); memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { v = htole64(v); memcpy(p, &v, 8); }
static uint16_t get16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return le16toh(v); }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return le32toh(v); }

static void msg(uint32_t req, uint32_t flags, const void *p, uint32_t size, const int *fds, int nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 8)];
		struct cmsghdr align;
	} cb;
	uint8_t buf[12 + 512];
	struct iovec iov = { .iov_base = buf, .iov_len = 12 + size };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	put32(buf, req);
	put32(buf + 4, flags ? flags : 1);
	put32(buf + 8, size);
	if (size)
		memcpy(buf + 12, p, size);
	if (nfds) {
		struct cmsghdr *c;

		memset(&cb, 0, sizeof(cb));
		mh.msg_control = cb.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
	}
	if (sendmsg(sock, &mh, MSG_NOSIGNAL) != (ssize_t)(12 + size))
		die("sendmsg");
}

/* The reply to @req: its u64 (or the 2nd u32 of a vring state). */
static uint64_t reply(uint32_t req)
{
	uint8_t buf[12 + 64];
	struct pollfd p = { .fd = sock, .events = POLLIN };
	size_t got = 0, need = 12;

	while (got < need) {
		ssize_t r;

		if (poll(&p, 1, (int)(deadline - now_ms())) <= 0) {
			fprintf(stderr, "vhost_front: no reply to request %u\n", req);
			exit(2);
		}
		r = recv(sock, buf + got, need - got, 0);
		if (r <= 0)
			die("backend closed the connection while we waited for a reply");
		got += (size_t)r;
		if (got == 12) {
			need = 12 + get32(buf + 8);
			if (need > sizeof(buf))
				die("reply too long");
		}
	}
	if (get32(buf) != req || !(get32(buf + 4) & 4))
		die("unexpected reply");
	if (get32(buf + 8) == 8 && req == GET_VRING_BASE)
		return get32(buf + 16);
	if (get32(buf + 8) != 8)
		die("reply size");
	{
		uint64_t v;

		memcpy(&v, buf + 12, 8);
		return le64toh(v);
	}
}

static void msg_u64(uint32_t req, uint64_t v, bool ack)
{
	uint8_t p[8];

	put64(p, v);
	msg(req, ack ? 1 | 8 : 1, p, 8, NULL, 0);
	if (ack && reply(req) != 0)
		die("request refused");
}

static void vring_state(uint32_t req, uint32_t i, uint32_t v)
{
	uint8_t p[8];

	put32(p, i);
	put32(p + 4, v);
	msg(req, 1 | 8, p, 8, NULL, 0);
	if (reply(req) != 0)
		die("vring request refused");
}

static void vring_fd(uint32_t req, uint32_t i, int fd)
{
	uint8_t p[8];

	put64(p, i);
	msg(req, 1 | 8, p, 8, &fd, 1);
	if (reply(req) != 0)
		die("vring fd refused");
}

static void vring_addr(uint32_t i, uint64_t d, uint64_t u, uint64_t a, bool ack)
{
	uint8_t p[40] = { 0 };

	put32(p, i);
	put64(p + 8, d);
	put64(p + 16, u);
	put64(p + 24, a);
	msg(SET_VRING_ADDR, ack ? 1 | 8 : 1, p, 40, NULL, 0);
	if (ack && reply(SET_VRING_ADDR) != 0)
		die("vring address refused");
}

/* @bad: 0 = the real table, 1 = one fd for two regions, 2 = region B
 * claims more than the memfd holds */
static void mem_table(int bad)
{
	uint8_t p[8 + 64] = { 0 };
	int fds[2] = { memfd, memfd };

	put32(p, 2);
	put64(p + 8, GPA_A);
	put64(p + 16, HALF);
	put64(p + 24, uva(0));
	put64(p + 32, 0);
	put64(p + 40, GPA_B);
	put64(p + 48, bad == 2 ? 4 * HALF : HALF);
	put64(p + 56, uva(HALF));
	put64(p + 64, HALF);
	msg(SET_MEM_TABLE, bad ? 1 : 1 | 8, p, sizeof(p), fds, bad == 1 ? 1 : 2);
	if (!bad && reply(SET_MEM_TABLE) != 0)
		die("memory table refused");
}

static void queue_init(struct q *q, uint16_t base)
{
	q->desc = mem + q->off;
	q->avail = q->desc + 16 * QSZ;
	q->used = mem + q->off + 0x2000;
	q->avail_idx = q->used_seen = base;
	put16(q->avail + 2, base);
	put16(q->used + 2, base);
	q->kick = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	q->call = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (q->kick < 0 || q->call < 0)
		die("eventfd");
}

static void setdesc(struct q *q, unsigned int i, uint64_t addr, uint32_t len, uint16_t flags,
		    uint16_t next)
{
	uint8_t *d = q->desc + 16 * (i % QSZ);

	put64(d, addr);
	put32(d + 8, len);
	put16(d + 12, flags);
	put16(d + 14, (uint16_t)(next % QSZ));
}

static void avail_add(struct q *q, uint16_t head)
{
	put16(q->avail + 4 + 2 * (q->avail_idx % QSZ), head);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	q->avail_idx++;
	__atomic_store_n((uint16_t *)(void *)(q->avail + 2), htole16(q->avail_idx), __ATOMIC_RELEASE);
}

static void kick(struct q *q)
{
	uint64_t v = 1;

	if (write(q->kick, &v, 8) != 8)
		die("kick");
}

static uint16_t used_idx(struct q *q)
{
	return le16toh(__atomic_load_n((uint16_t *)(void *)(q->used + 2), __ATOMIC_ACQUIRE));
}

/* Wait for a call or the socket closing; false at the deadline. */
static bool wait_call(struct q *q, int ms)
{
	struct pollfd p[2] = { { .fd = q->call, .events = POLLIN }, { .fd = sock, .events = POLLIN } };
	uint64_t v;
	long left = deadline - now_ms();

	if (left <= 0)
		return false;
	if (poll(p, 2, ms < left ? ms : (int)left) < 0)
		return false;
	if (p[0].revents && read(q->call, &v, 8) < 0) {
		/* raced: nothing to read */
	}
	if (p[1].revents) {
		char c;

		if (recv(sock, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0)
			die("backend closed the connection");
	}
	return true;
}

static void setup(uint16_t base, const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	uint64_t f;
	unsigned int i;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	for (;;) {
		sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (sock < 0)
			die("socket");
		if (!connect(sock, (struct sockaddr *)&sun, sizeof(sun)))
			break;
		close(sock);
		if (now_ms() > deadline)
			die("connect");
		usleep(20000);
	}
	memfd = memfd_create("guest", MFD_CLOEXEC);
	if (memfd < 0 || ftruncate(memfd, MEMSZ))
		die("memfd");
	mem = mmap(NULL, MEMSZ, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (mem == MAP_FAILED)
		die("mmap");
	f = reply((msg(GET_FEATURES, 1, NULL, 0, NULL, 0), GET_FEATURES));
	if (!(f & (1ULL << 32)) || !(f & (1ULL << 30)) || !(f & (1ULL << 15)))
		die("backend lacks VERSION_1, PROTOCOL_FEATURES or MRG_RXBUF");
	msg(GET_PROTOCOL_FEATURES, 1, NULL, 0, NULL, 0);
	if (!(reply(GET_PROTOCOL_FEATURES) & 8))
		die("backend lacks REPLY_ACK");
	msg_u64(SET_PROTOCOL_FEATURES, 8, false);
	msg(SET_OWNER, 1, NULL, 0, NULL, 0);
	/* what a Linux guest takes: VERSION_1, MRG_RXBUF, CSUM, HOST_TSO4/6 */
	msg_u64(SET_FEATURES, f & ((1ULL << 32) | (1ULL << 30) | (1ULL << 15) | 1 | (1ULL << 11) |
				   (1ULL << 12) | (guest_offload ? (1ULL << 1) | (1ULL << 7) | (1ULL << 8) : 0)),
		true);
	mem_table(0);
	queue_init(&rxq, base);
	queue_init(&txq, base);
	for (i = 0; i < 2; i++) {
		struct q *q = i ? &txq : &rxq;

		vring_state(SET_VRING_NUM, i, QSZ);
		vring_state(SET_VRING_BASE, i, base);
		vring_addr(i, uva(q->off), uva(q->off + 0x2000), uva(q->off + 16 * QSZ), true);
		vring_fd(SET_VRING_KICK, i, q->kick);
		vring_fd(SET_VRING_CALL, i, q->call);
		vring_state(SET_VRING_ENABLE, i, 1);
	}
}

/* Receive buffers: descriptor i -> RX_AREA + i * RXBUF. */
static void rx_post(unsigned int i)
{
	setdesc(&rxq, i, gpa(RX_AREA + i * RXBUF), rxbuf_len, 2, 0);
	avail_add(&rxq, (uint16_t)i);
}

static void hexline(const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		printf("%02x", b[i]);
	putchar('\n');
}

/* Take one used receive entry (with MRG_RXBUF a frame spans several). */
/* Receive one frame; print it as a hex line unless @quiet (benchmark:
 * then the receive queue is kicked every 32 frames or before waiting). */
static bool rx_frame(bool quiet)
{
	static uint8_t frame[65536 + HDRLEN];
	static unsigned int posted;
	size_t flen = 0;
	unsigned int nb = 1, k;

	for (k = 0; k < nb; k++) {
		uint8_t *e;
		uint32_t id, len;

		while (used_idx(&rxq) == rxq.used_seen) {
			if (quiet)
				kick(&rxq);
			if (!wait_call(&rxq, 200) && now_ms() > deadline)
				return false;
		}
		e = rxq.used + 4 + 8 * (rxq.used_seen % QSZ);
		id = get32(e);
		len = get32(e + 4);
		rxq.used_seen++;
		if (id >= QSZ || len > rxbuf_len || flen + len > sizeof(frame))
			die("bad used entry");
		memcpy(frame + flen, mem + RX_AREA + id * RXBUF, len);
		flen += len;
		if (k == 0) {
			nb = get16(frame + 10);
			if (nb == 0 || nb > QSZ)
				die("bad num_buffers");
		}
		rx_post(id);
		posted++;
	}
	if (!quiet || posted % 32 == 0)
		kick(&rxq);
	if (flen < HDRLEN)
		die("short frame");
	if (quiet)
		return true;
	if (guest_offload)
		printf("flags=%u gso=%u mss=%u ", frame[0], frame[1], get16(frame + 4));
	hexline(frame + HDRLEN, flen - HDRLEN);
	fflush(stdout);
	return true;
}

static size_t make_frame(uint8_t *b, unsigned int i, size_t len, unsigned int seed)
{
	size_t j;

	for (j = 0; j < len; j++)
		b[j] = (uint8_t)(i * 7 + j + seed);
	memset(b, 0xff, 6);
	b[6] = 0x02;
	b[7] = b[8] = b[9] = 0;
	b[10] = (uint8_t)seed;
	b[11] = (uint8_t)i;
	b[12] = 0x88;
	b[13] = 0xb5;
	return len;
}

/* Reap used transmit entries; in order, so a count is enough. */
static unsigned int tx_inflight(void)
{
	txq.used_seen = used_idx(&txq);
	return (uint16_t)(txq.avail_idx - txq.used_seen);
}

/* Frame i: header descriptor + data descriptor(s) of slot i % (QSZ/2). */
static void tx_frame(const uint8_t *f, size_t len, unsigned int i)
{
	unsigned int slot = txq.avail_idx % (QSZ / 2), d = 2 * slot;
	uint32_t off = TX_AREA + slot * TXSLOT;

	memset(mem + off, 0, HDRLEN);
	memcpy(mem + off + 64, f, len);
	setdesc(&txq, d, gpa(off), HDRLEN, 1, d + 1);
	setdesc(&txq, d + 1, gpa(off + 64), (uint32_t)len, 0, 0);
	(void)i;
	avail_add(&txq, (uint16_t)d);
}

static void tx_drain(void)
{
	kick(&txq);
	while (tx_inflight())
		if (!wait_call(&txq, 200) && now_ms() > deadline) {
			fprintf(stderr, "vhost_front: transmit ring not drained\n");
			exit(2);
		}
}

/* One TCP/IPv4 super-frame of @len bytes, MSS 1000, checksum partial
 * (pseudo-header sum seeded, as a guest with CSUM+TSO sends it). */
/* Chains of a TSO super-frame in flight at once (-B -T -n): 18
 * descriptors each in a ring of QSZ. */
#define TSO_CHAINS	(QSZ / 18)

/* Post the super-frame at TSO_AREA (header, then 4 KiB pieces) as the
 * chain at descriptor @head. */
static void tso_post(size_t len, uint16_t head)
{
	unsigned int nd = 0;
	size_t j;

	setdesc(&txq, head, gpa(TSO_AREA), HDRLEN, 1, head + 1u);
	for (j = 0; j < len; j += 4096, nd++) {
		size_t l = len - j < 4096 ? len - j : 4096;

		setdesc(&txq, head + 1u + nd, gpa(TSO_AREA + 64 + (uint32_t)j), (uint32_t)l,
			j + l < len ? 1 : 0, head + 2u + nd);
	}
	avail_add(&txq, head);
}

/* Build a TSO super-frame at TSO_AREA; send it @count times (count > 1:
 * TSO_CHAINS in flight, the same bytes), then wait for the ring to drain. */
static void tx_tso(size_t len, unsigned int seed, unsigned int count)
{
	uint8_t *h = mem + TSO_AREA, *f = h + 64, ph[12];
	size_t j, pay = len - 54;
	uint16_t head = 0;

	tx_drain();
	memset(h, 0, 64);
	h[0] = 1;			/* NEEDS_CSUM */
	h[1] = 1;			/* GSO_TCPV4 */
	put16(h + 2, 54);
	put16(h + 4, 1000);
	put16(h + 6, 34);
	put16(h + 8, 16);
	memset(f, 0, 54);
	memcpy(f, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00", 10);
	f[10] = (uint8_t)seed;
	f[11] = 1;
	f[12] = 0x08;
	f[14] = 0x45;
	f[16] = (uint8_t)((len - 14) >> 8);
	f[17] = (uint8_t)(len - 14);
	f[22] = 64;
	f[23] = 6;
	memcpy(f + 26, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	{
		uint16_t c = (uint16_t)~ref_sum16(f + 14, 20, 0);

		f[24] = (uint8_t)(c >> 8);
		f[25] = (uint8_t)c;
	}
	f[34] = 0x30; f[35] = 0x39; f[36] = 0x00; f[37] = 0x50;
	f[41] = 1;		/* seq 1 */
	f[46] = 0x50;		/* data offset 5 */
	f[47] = 0x18;		/* ACK PSH */
	f[48] = 0xff;
	for (j = 0; j < pay; j++)
		f[54 + j] = (uint8_t)(j * 13 + seed);
	memcpy(ph, f + 26, 8);
	ph[8] = 0;
	ph[9] = 6;
	ph[10] = (uint8_t)((len - 34) >> 8);
	ph[11] = (uint8_t)(len - 34);
	{
		uint16_t c = ref_sum16(ph, 12, 0);	/* pseudo-header only, not inverted */

		f[50] = (uint8_t)(c >> 8);
		f[51] = (uint8_t)c;
	}
	if (count <= 1) {
		head = (uint16_t)(2 * (txq.avail_idx % (QSZ / 2)));
		tso_post(len, head);
		tx_drain();
		return;
	}
	for (j = 0; j < count; j++) {
		while (tx_inflight() >= TSO_CHAINS) {
			kick(&txq);
			if (!wait_call(&txq, 200) && now_ms() > deadline) {
				fprintf(stderr, "vhost_front: stuck after %zu super-frames\n", j);
				exit(2);
			}
		}
		tso_post(len, (uint16_t)(18 * (txq.avail_idx % TSO_CHAINS)));
		if (j % 4 == 3)
			kick(&txq);
	}
	tx_drain();
}

/* Malformed transmit chains and protocol messages. */
static void evil(const char *c)
{
	uint32_t off = TX_AREA;
	unsigned int i;

	memset(mem + off, 0, 128);
	make_frame(mem + off + 64, 0, 60, 1);
	if (!strcmp(c, "addr")) {
		setdesc(&txq, 0, 0x1000, 72, 0, 0);
	} else if (!strcmp(c, "len")) {
		setdesc(&txq, 0, GPA_B + HALF - 16, 0xfffffff0u, 0, 0);
	} else if (!strcmp(c, "straddle")) {
		setdesc(&txq, 0, GPA_A + HALF - 8, 72, 0, 0);	/* past region A's end */
	} else if (!strcmp(c, "loop")) {
		setdesc(&txq, 0, gpa(off), HDRLEN, 1, 1);
		setdesc(&txq, 1, gpa(off + 64), 60, 1, 0);
	} else if (!strcmp(c, "long")) {
		for (i = 0; i < 100; i++)
			setdesc(&txq, i, gpa(off + i), 1, 1, i + 1);
		setdesc(&txq, 100, gpa(off), 1, 0, 0);
	} else if (!strcmp(c, "head")) {
		setdesc(&txq, 0, gpa(off), 72, 0, 0);
		put16(txq.avail + 4 + 2 * (txq.avail_idx % QSZ), QSZ + 3);
		txq.avail_idx++;
		put16(txq.avail + 2, txq.avail_idx);
		kick(&txq);
		return;
	} else if (!strcmp(c, "ahead")) {
		setdesc(&txq, 0, gpa(off), 72, 0, 0);
		txq.avail_idx = (uint16_t)(txq.avail_idx + QSZ + 5);
		put16(txq.avail + 2, txq.avail_idx);
		kick(&txq);
		return;
	} else if (!strcmp(c, "indirect")) {
		setdesc(&txq, 0, gpa(off), 64, 4, 0);
	} else if (!strcmp(c, "write")) {
		setdesc(&txq, 0, gpa(off), 72, 2, 0);
	} else if (!strcmp(c, "rxro")) {
		for (i = 0; i < 8; i++) {	/* receive buffers without WRITE */
			setdesc(&rxq, i, gpa(RX_AREA + i * RXBUF), RXBUF, 0, 0);
			avail_add(&rxq, (uint16_t)i);
		}
		kick(&rxq);
		return;
	} else if (!strcmp(c, "ringaddr")) {
		vring_addr(1, 0x10, 0x20, 0x30, false);
		return;
	} else if (!strcmp(c, "memtable")) {
		mem_table(1);
		return;
	} else if (!strcmp(c, "bigregion")) {
		mem_table(2);
		return;
	} else if (!strcmp(c, "shrink")) {
		/* a good frame posted, then the memory file cut to nothing
		 * under the backend's mapping (we touch mem no more) */
		setdesc(&txq, 0, gpa(off), 72, 0, 0);
		avail_add(&txq, 0);
		if (ftruncate(memfd, 0))
			die("ftruncate");
		kick(&txq);
		return;
	} else if (!strcmp(c, "version")) {
		msg(GET_FEATURES, 2, NULL, 0, NULL, 0);
		return;
	} else {
		errno = 0;
		die("unknown -E case");
	}
	avail_add(&txq, 0);
	kick(&txq);
}

static unsigned int num(const char *s, unsigned int max)
{
	const char *err;
	long long v = parse_num(s, 0, max, &err);

	if (err) {
		fprintf(stderr, "vhost_front: number %s: %s\n", s, err);
		exit(1);
	}
	return (unsigned int)v;
}

int main(int argc, char **argv)
{
	unsigned int nsend = 0, nrecv = 0, seed = 0, base = 0, i;
	size_t len = 60;
	const char *sentfile = NULL, *evilcase = NULL, *hold = NULL, *ready = NULL;
	bool tso = false, bench = false;
	int c, secs = 10;
	FILE *sf = NULL;
	uint8_t frame[65536];

	while ((c = getopt(argc, argv, "n:l:S:o:r:t:b:E:BGH:R:MTh")) != -1) {
		switch (c) {
		case 'n': nsend = num(optarg, 100000000); break;
		case 'l': len = num(optarg, 65535); break;
		case 'S': seed = num(optarg, 255); break;
		case 'o': sentfile = optarg; break;
		case 'r': nrecv = num(optarg, 100000000); break;
		case 't': secs = (int)num(optarg, 3600); break;
		case 'b': base = num(optarg, 65535); break;
		case 'E': evilcase = optarg; break;
		case 'B': bench = true; break;
		case 'H': hold = optarg; break;
		case 'R': ready = optarg; break;
		case 'M': small_rx = true; break;
		case 'T': tso = true; break;
		case 'G': guest_offload = true; break;
		default:
			fprintf(stderr, "usage: vhost_front [-BGMT] [-n count] [-l len] [-S seed] "
				"[-o sentfile] [-r count] [-t secs] [-b base] [-E case] [-H holdfile] [-R readyfile] PATH\n");
			return c == 'h' ? 0 : 1;
		}
	}
	if (optind != argc - 1 || len < 14 || (tso && len < 1100))
		die("bad arguments");
	if (small_rx)
		rxbuf_len = 256;
	deadline = now_ms() + secs * 1000L;
	setup((uint16_t)base, argv[optind]);
	if (evilcase) {
		struct pollfd p = { .fd = sock, .events = POLLIN };
		char b[64];

		evil(evilcase);
		while (poll(&p, 1, (int)(deadline - now_ms())) > 0)
			if (recv(sock, b, sizeof(b), 0) <= 0) {
				printf("disconnected\n");
				return 0;
			}
		fprintf(stderr, "vhost_front: backend did not drop us for %s\n", evilcase);
		return 2;
	}
	for (i = 0; i < QSZ; i++)
		rx_post(i);
	kick(&rxq);
	if (ready) {
		FILE *rf = fopen(ready, "w");

		if (!rf || fclose(rf))
			die(ready);
	}
	if (sentfile && !(sf = fopen(sentfile, "w")))
		die(sentfile);
	if (tso && bench && nsend) {
		long t0 = now_ms(), ms;

		tx_tso(len, seed, nsend);
		ms = now_ms() - t0;
		printf("superframes=%u len=%zu ms=%ld rate=%.0f\n", nsend, len, ms,
		       ms ? nsend * 1000.0 / (double)ms : 0.0);
	} else if (tso) {
		tx_tso(len, seed, 1);
	} else if (nsend) {
		long t0 = now_ms();

		for (i = 0; i < nsend; i++) {
			make_frame(frame, i, len, seed);
			while (tx_inflight() >= QSZ / 2) {
				kick(&txq);
				if (!wait_call(&txq, 200) && now_ms() > deadline) {
					fprintf(stderr, "vhost_front: stuck after %u frames\n", i);
					return 2;
				}
			}
			tx_frame(frame, len, i);
			if (!bench && (i % 16 == 15 || i + 1 == nsend))
				kick(&txq);
			else if (bench && i % 32 == 31)
				kick(&txq);
			if (sf) {
				size_t j;

				for (j = 0; j < len; j++)
					fprintf(sf, "%02x", frame[j]);
				fputc('\n', sf);
			}
		}
		tx_drain();
		if (bench) {
			long ms = now_ms() - t0;

			printf("frames=%u len=%zu ms=%ld rate=%.0f\n", nsend, len, ms,
			       ms ? nsend * 1000.0 / (double)ms : 0.0);
		}
	}
	if (sf)
		fclose(sf);
	for (i = 0; i < nrecv; i++) {
		static long r0;

		if (!rx_frame(bench && !nsend)) {
			fprintf(stderr, "vhost_front: timeout: received %u of %u\n", i, nrecv);
			return 2;
		}
		if (i == 0)
			r0 = now_ms();
		if (bench && !nsend && i + 1 == nrecv) {
			long ms = now_ms() - r0;

			printf("received=%u len=%zu ms=%ld rate=%.0f\n", nrecv, len, ms,
			       ms ? (nrecv - 1) * 1000.0 / (double)ms : 0.0);
		}
	}
	while (hold && access(hold, F_OK) && now_ms() < deadline)
		wait_call(&rxq, 50);
	return 0;
}
