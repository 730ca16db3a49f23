// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_vhost.c - lib/vhost/vhost.c through its API, with this
 * test as the front end on a socketpair: feature negotiation (offered set,
 * reply-ack, unoffered bits refused), offload metadata both ways (a guest
 * super-frame's virtio-net header -> struct virtio_net_hdr; a super-frame
 * for the guest -> its header with num_buffers, spread over mergeable
 * buffers), the 10-byte legacy header without VERSION_1/MRG_RXBUF, drops
 * when the guest has no buffers, vhost_dev_xmit() leaving frames to the
 * caller instead, the receive-kick wake-up (vhost_dev_want/room),
 * GET_VRING_BASE stopping a queue, kick and call fds that are not plain
 * eventfds refused (also without /proc, in a mount namespace without it),
 * the cause named when a memory table cannot be mapped
 * or watched, a front end that trickles a message
 * (the wait for its rest is bounded as a whole), and detach releasing
 * every descriptor.
 */
#include "config.h"

#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../lib/vhost/vhost.h"
#include "tap.h"

#define MEMSZ	(1u << 20)
#define GPA	0x100000ULL
#define QSZ	16
#define RXQ	0x0000		/* desc; avail +0x1000; used +0x2000 */
#define TXQ	0x4000
#define BUFS	0x10000

static int fe = -1, memfd = -1, kick[2], call[2];
static uint8_t *mem;

static void msg(uint32_t req, uint32_t flags, const void *p, uint32_t size, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cb;
	uint8_t b[12 + 64];
	struct iovec iov = { .iov_base = b, .iov_len = 12 + size };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	uint32_t h[3] = { htole32(req), htole32(flags), htole32(size) };

	memcpy(b, h, 12);
	if (size)
		memcpy(b + 12, p, size);
	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&cb, 0, sizeof(cb));
		mh.msg_control = cb.buf;
		mh.msg_controllen = sizeof(cb.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	if (sendmsg(fe, &mh, 0) != (ssize_t)(12 + size))
		abort();
}

/* The u64 (or vring state's 2nd word) of the reply to @req; ~0 if none. */
static uint64_t answer(uint32_t req)
{
	uint8_t b[12 + 8];
	struct pollfd p = { .fd = fe, .events = POLLIN };
	uint32_t h[3];
	uint64_t v = ~0ULL;

	if (poll(&p, 1, 0) <= 0 || recv(fe, b, sizeof(b), MSG_DONTWAIT) != sizeof(b))
		return v;
	memcpy(h, b, 12);
	if (le32toh(h[0]) != req || !(le32toh(h[1]) & 4))
		return v;
	memcpy(&v, b + 12, 8);
	return req == 11 ? le64toh(v) >> 32 : le64toh(v);
}

static void u64msg(uint32_t req, uint64_t v, uint32_t flags)
{
	v = htole64(v);
	msg(req, flags, &v, 8, -1);
}

static void state(uint32_t req, uint32_t i, uint32_t v)
{
	uint32_t s[2] = { htole32(i), htole32(v) };

	msg(req, 1, s, 8, -1);
}

static uint64_t uva(uint32_t off) { return (uint64_t)(uintptr_t)(mem + off); }

static void put64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, 8);
}

static void setdesc(uint32_t q, unsigned int i, uint32_t off, uint32_t len, uint16_t flags,
		    uint16_t next)
{
	uint64_t a = htole64(GPA + off);
	uint32_t l = htole32(len);
	uint16_t f = htole16(flags), n = htole16(next);
	uint8_t *d = mem + q + 16 * i;

	memcpy(d, &a, 8);
	memcpy(d + 8, &l, 4);
	memcpy(d + 12, &f, 2);
	memcpy(d + 14, &n, 2);
}

static void avail(uint32_t q, uint16_t idx, uint16_t head)
{
	uint16_t h = htole16(head), i = htole16((uint16_t)(idx + 1));

	memcpy(mem + q + 0x1000 + 4 + 2 * (idx % QSZ), &h, 2);
	memcpy(mem + q + 0x1000 + 2, &i, 2);
}

static uint16_t get16(uint32_t off)
{
	uint16_t v;

	memcpy(&v, mem + off, 2);
	return le16toh(v);
}

/* QEMU's sequence with @features; 0 if every step was acknowledged. */
static int setup(struct vhost_dev *d, uint64_t features)
{
	unsigned int i;
	int bad = 0;

	msg(1, 1, NULL, 0, -1);
	vhost_dev_poll(d);
	bad |= answer(1) != VHOST_FEATURES_OFFLOAD;
	u64msg(16, 1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK, 1);
	u64msg(2, features, 9);
	{
		uint8_t r[40] = { 1 };		/* u32 n = 1, u32 pad, one region */

		put64(r + 8, GPA);
		put64(r + 16, MEMSZ);
		put64(r + 24, uva(0));
		msg(5, 9, r, sizeof(r), memfd);
	}
	vhost_dev_poll(d);
	bad |= answer(2) != 0;
	bad |= answer(5) != 0;
	for (i = 0; i < 2; i++) {
		uint32_t q = i ? TXQ : RXQ;
		uint8_t a[40] = { (uint8_t)i };	/* u32 index, u32 flags, desc, used, avail, log */
		uint64_t n = htole64(i);

		put64(a + 8, uva(q));
		put64(a + 16, uva(q + 0x2000));
		put64(a + 24, uva(q + 0x1000));

		memset(mem + q, 0, 0x3000);
		state(8, i, QSZ);
		state(10, i, 0);
		msg(9, 1, a, sizeof(a), -1);
		msg(12, 1, &n, 8, kick[i]);
		msg(13, 1, &n, 8, call[i]);
		state(18, i, 1);
	}
	vhost_dev_poll(d);
	return bad;
}

static int count_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	int n = 0;

	while (dir && readdir(dir))
		n++;
	if (dir)
		closedir(dir);
	return n;
}

static struct vhost_dev *connect_dev(void)
{
	struct vhost_dev *d = vhost_dev_new(VHOST_FEATURES_OFFLOAD);
	int sv[2];

	if (!d || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) || vhost_dev_attach(d, sv[1]))
		abort();
	fe = sv[0];
	return d;
}

static void test_offloads(void)
{
	static uint8_t big[20000], rx[4][2048];
	struct vhost_pkt p = { .data = big, .len = sizeof(big) }, in[4];
	uint64_t f = VHOST_FEATURES_OFFLOAD & ~(1ULL << VIRTIO_F_ANY_LAYOUT_);
	struct vhost_dev *d = connect_dev();
	uint8_t h[12] = { 1, 1 };	/* NEEDS_CSUM, GSO_TCPV4 */
	unsigned int i;
	size_t got = 0;
	int ok_bytes = 1;

	ok(setup(d, f) == 0, "offload features, memory table: acknowledged");
	ok(vhost_dev_running(d) && vhost_dev_features(d) == f, "both queues running");

	/* guest -> us: header descriptor + frame with a TSO header */
	h[2] = 54; h[4] = 0xe8; h[5] = 0x03; h[6] = 34; h[8] = 16;	/* hdr_len, gso 1000, csum */
	memcpy(mem + BUFS, h, 12);
	memset(mem + BUFS + 0x100, 0x5a, 3000);
	setdesc(TXQ, 0, BUFS, 12, 1, 1);
	setdesc(TXQ, 1, BUFS + 0x100, 3000, 0, 0);
	avail(TXQ, 0, 0);
	for (i = 0; i < 4; i++)
		in[i] = (struct vhost_pkt){ .data = rx[i], .size = 2048 };
	ok(vhost_dev_recv(d, in, 4) == 0 && vhost_dev_stats(d)->rx_drops == 1,
	   "a 3000-byte frame for a 2048-byte buffer: dropped, counted");
	in[0].data = big;
	in[0].size = sizeof(big);
	setdesc(TXQ, 1, BUFS + 0x100, 3000, 0, 0);
	avail(TXQ, 1, 0);
	ok(vhost_dev_recv(d, in, 4) == 1 && in[0].len == 3000 && in[0].vh.flags == 1 &&
	   in[0].vh.gso_type == 1 && in[0].vh.hdr_len == 54 && in[0].vh.gso_size == 1000 &&
	   in[0].vh.csum_start == 34 && in[0].vh.csum_offset == 16 && big[2999] == 0x5a,
	   "guest header -> offload metadata, frame copied");
	ok(get16(TXQ + 0x2000 + 2) == 2, "both transmit chains returned");

	/* us -> guest: a 20000-byte super-frame over 2048-byte buffers */
	for (i = 0; i < QSZ; i++) {
		setdesc(RXQ, i, BUFS + 0x8000 + i * 2048, 2048, 2, 0);
		avail(RXQ, (uint16_t)i, (uint16_t)i);
	}
	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 31);
	p.vh = (struct virtio_net_hdr){ .flags = 1, .gso_type = 4, .hdr_len = 74, .gso_size = 1440,
					.csum_start = 54, .csum_offset = 16 };
	ok(vhost_dev_send(d, &p, 1) == 1, "super-frame delivered");
	ok(get16(RXQ + 0x2000 + 2) == 10, "over 10 buffers (used idx %u)", get16(RXQ + 0x2000 + 2));
	ok(mem[BUFS + 0x8000] == 1 && mem[BUFS + 0x8000 + 1] == 4 &&
	   get16(BUFS + 0x8000 + 2) == 74 && get16(BUFS + 0x8000 + 4) == 1440 &&
	   get16(BUFS + 0x8000 + 6) == 54 && get16(BUFS + 0x8000 + 8) == 16 &&
	   get16(BUFS + 0x8000 + 10) == 10, "header: offloads and num_buffers 10");
	for (i = 0; i < 10; i++) {
		uint32_t l;
		size_t skip = i ? 0 : 12;

		memcpy(&l, mem + RXQ + 0x2000 + 4 + 8 * i + 4, 4);
		l = le32toh(l);
		if (memcmp(mem + BUFS + 0x8000 + i * 2048 + skip, big + got, l - skip))
			ok_bytes = 0;
		got += l - skip;
	}
	ok(ok_bytes && got == sizeof(big), "payload byte for byte across the buffers (%zu)", got);
	ok(vhost_dev_send(d, &p, 1) == 0 && vhost_dev_stats(d)->tx_drops == 1,
	   "6 buffers left: the next one is dropped, counted");
	ok(get16(RXQ + 0x2000 + 2) == 10, "and nothing of it was returned");

	/* stop the transmit queue */
	state(11, 1, 0);
	ok(vhost_dev_poll(d) == 0 && answer(11) == 2, "GET_VRING_BASE: 2");
	ok(!vhost_dev_running(d), "stopped");
	vhost_dev_free(d);
	close(fe);
}

static bool readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

/* vhost_dev_recv_hold(): of a long frame only the head is copied, the
 * rest stays in guest memory (p.tail) and its chain is held until
 * vhost_dev_release(); a send with that tail delivers the whole frame. */
static void test_hold(void)
{
	static uint8_t buf[2][8192];
	struct vhost_pkt in[4], out;
	struct vhost_dev *d = connect_dev();
	unsigned int i;
	uint64_t v;

	ok(setup(d, VHOST_FEATURES_OFFLOAD & ~(1ULL << VIRTIO_F_ANY_LAYOUT_)) == 0,
	   "hold: offload features");
	memset(mem + BUFS, 0, 12);
	memset(mem + BUFS + 0x2000, 0, 12);
	for (i = 0; i < 5000; i++)
		mem[BUFS + 0x100 + i] = (uint8_t)(i * 7 + 1);
	memset(mem + BUFS + 0x2100, 0x33, 100);
	setdesc(TXQ, 0, BUFS, 12, 1, 1);		/* 5000 bytes: 3000 + 2000 */
	setdesc(TXQ, 1, BUFS + 0x100, 3000, 1, 2);
	setdesc(TXQ, 2, BUFS + 0x100 + 3000, 2000, 0, 0);
	setdesc(TXQ, 3, BUFS + 0x2000, 12, 1, 4);	/* 100 bytes */
	setdesc(TXQ, 4, BUFS + 0x2100, 100, 0, 0);
	avail(TXQ, 0, 0);
	avail(TXQ, 1, 3);
	for (i = 0; i < 4; i++)
		in[i] = (struct vhost_pkt){ .data = buf[i % 2], .size = sizeof(buf[0]) };
	memset(buf, 0, sizeof(buf));
	ok(vhost_dev_recv_hold(d, in, 4, 256, 1024) == 2, "hold: two frames");
	ok(in[0].len == 5000 && in[0].tail.len == 5000 - 256 && in[0].tail.off == 12 + 256 &&
	   buf[0][255] == (uint8_t)(255 * 7 + 1) && buf[0][256] == 0,
	   "5000 bytes: the first 256 copied, 4744 left in guest memory");
	ok(in[1].len == 100 && in[1].tail.len == 0 && buf[1][99] == 0x33,
	   "100 bytes: copied whole");
	ok(get16(TXQ + 0x2000 + 2) == 1, "only the short frame's chain given back");
	/* to the guest's receive queue, head from our buffer, tail from its memory */
	setdesc(RXQ, 0, BUFS + 0x8000, 8192, 2, 0);
	avail(RXQ, 0, 0);
	memset(mem + BUFS + 0x8000, 0, 8192);
	out = (struct vhost_pkt){ .data = buf[0], .len = in[0].len, .tail = in[0].tail };
	ok(vhost_dev_send(d, &out, 1) == 1 &&
	   !memcmp(mem + BUFS + 0x8000 + 12, mem + BUFS + 0x100, 5000),
	   "sent with its tail: the 5000 bytes arrive whole");
	out.tail.len = out.len + 1;
	ok(vhost_dev_send(d, &out, 1) == 0 && vhost_dev_stats(d)->tx_drops == 1,
	   "a tail longer than its frame: dropped, counted");
	if (read(call[1], &v, sizeof(v)) < 0) {
		/* EAGAIN: nobody told the guest yet */
	}
	ok(!readable(call[1]), "guest not told yet");
	vhost_dev_release(d);
	ok(get16(TXQ + 0x2000 + 2) == 2 && readable(call[1]), "release: the held chain given back, guest told");
	vhost_dev_release(d);
	ok(get16(TXQ + 0x2000 + 2) == 2, "a second release gives nothing back");
	vhost_dev_free(d);
	close(fe);
}

static void test_legacy(void)
{
	uint8_t f[60];
	struct vhost_pkt p = { .data = f, .len = sizeof(f) };
	struct vhost_dev *d = connect_dev();
	int r;

	ok(setup(d, 1ULL << VHOST_USER_F_PROTOCOL_FEATURES) == 0, "legacy features acknowledged");
	memset(f, 0xab, sizeof(f));
	memset(mem + BUFS, 0xee, 128);
	setdesc(RXQ, 0, BUFS, 1024, 2, 0);
	avail(RXQ, 0, 0);
	ok(vhost_dev_send(d, &p, 1) == 1, "frame delivered");
	ok(mem[BUFS + 9] == 0 && mem[BUFS + 10] == 0xab && mem[BUFS + 69] == 0xab &&
	   mem[BUFS + 70] == 0xee, "10-byte header without VERSION_1 and MRG_RXBUF");
	setdesc(RXQ, 1, BUFS + 0x1000, 50, 2, 0);
	avail(RXQ, 1, 1);
	ok(vhost_dev_xmit(d, &p, 1) == 1 && vhost_dev_stats(d)->tx_drops == 1,
	   "without MRG_RXBUF a 60-byte frame for a 50-byte buffer never fits: taken, dropped");
	u64msg(2, 1ULL << 63, 9);
	r = vhost_dev_poll(d);
	ok(r < 0 && !strcmp(vhost_dev_error(d), "front end set features we did not offer"),
	   "an unoffered feature bit is refused: %s", vhost_dev_error(d));
	vhost_dev_free(d);
	close(fe);
}


static void kick_queue(int i)
{
	uint64_t one = 1;

	if (write(kick[i], &one, sizeof(one)) != sizeof(one))
		abort();
}

/* vhost_dev_xmit() leaves what finds no room to the caller; the receive
 * kick (vhost_dev_want(room)) wakes the caller when the guest posts
 * buffers; transmit kicks are not watched while frames are not wanted. */
static void test_xmit_room(void)
{
	static uint8_t f[4][60], huge[VHOST_MAX_PKT + 1];
	struct vhost_pkt p[4];
	struct vhost_dev *d = connect_dev();
	unsigned int i;

	ok(setup(d, VHOST_FEATURES_PLAIN & ~(1ULL << VIRTIO_F_ANY_LAYOUT_)) == 0, "plain features");
	for (i = 0; i < 4; i++) {
		memset(f[i], 0x10 + (int)i, sizeof(f[i]));
		p[i] = (struct vhost_pkt){ .data = f[i], .len = sizeof(f[i]) };
	}
	for (i = 0; i < 2; i++) {
		setdesc(RXQ, i, BUFS + i * 2048, 2048, 2, 0);
		avail(RXQ, (uint16_t)i, (uint16_t)i);
	}
	ok(vhost_dev_xmit(d, p, 4) == 2 && vhost_dev_stats(d)->tx_drops == 0,
	   "2 buffers: 2 of 4 frames taken, none dropped");
	vhost_dev_want(d, false, true);
	ok(!vhost_dev_room(d), "no room left");
	ok(!readable(vhost_dev_fd(d)), "not readable while the guest posts nothing");
	kick_queue(1);
	ok(!readable(vhost_dev_fd(d)), "a transmit kick is not watched while frames are not wanted");
	for (i = 2; i < 4; i++) {
		setdesc(RXQ, i, BUFS + i * 2048, 2048, 2, 0);
		avail(RXQ, (uint16_t)i, (uint16_t)i);
	}
	kick_queue(0);
	ok(readable(vhost_dev_fd(d)), "the guest's receive kick wakes us");
	ok(vhost_dev_room(d) && !readable(vhost_dev_fd(d)), "room, the kick consumed");
	ok(vhost_dev_xmit(d, p + 2, 2) == 2 && mem[BUFS + 3 * 2048 + 12] == 0x13,
	   "the 2 frames left go into the new buffers");
	vhost_dev_want(d, true, false);
	ok(readable(vhost_dev_fd(d)), "frames wanted again: the pending transmit kick shows");
	p[0] = (struct vhost_pkt){ .data = huge, .len = sizeof(huge) };
	ok(vhost_dev_xmit(d, p, 1) == 1 && vhost_dev_stats(d)->tx_drops == 1,
	   "a frame longer than VHOST_MAX_PKT: taken, dropped, counted");
	vhost_dev_free(d);
	close(fe);
}

/* Kick and call fds must be plain eventfds. A pipe whose writer is closed
 * (or a semaphore eventfd) as the transmit kick kept vhost_dev_fd()
 * readable for ever: the switch's loop spun at full CPU on it. A pipe
 * without reader as a call fd raised SIGPIPE at the first interrupt. */
static void test_bad_eventfds(void)
{
	static const char *const what[] = { "pipe at EOF as transmit kick",
		"semaphore eventfd as transmit kick", "pipe without reader as call fd" };
	unsigned int i;

	for (i = 0; i < 3; i++) {
		struct vhost_dev *d = connect_dev();
		uint64_t n = i == 2 ? 0 : 1, two = 2;
		int pfd[2], fd, r, k;
		bool spins = true;

		ok(setup(d, VHOST_FEATURES_PLAIN) == 0 && vhost_dev_running(d), "running");
		if (pipe2(pfd, O_CLOEXEC))
			abort();
		if (i == 1) {
			close(pfd[0]);
			close(pfd[1]);
			pfd[0] = pfd[1] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE);
			if (pfd[0] < 0 || write(pfd[0], &two, sizeof(two)) != sizeof(two))
				abort();
			/* a count of 2^64 - 2: never empties, one read at a time */
			two = ~(uint64_t)0 - 3;
			if (write(pfd[0], &two, sizeof(two)) != sizeof(two))
				abort();
		}
		fd = i == 2 ? pfd[1] : pfd[0];
		if (i == 0)
			close(pfd[1]);
		else if (i == 2)
			close(pfd[0]);
		msg(i == 2 ? 13 : 12, 1, &n, 8, fd);
		close(fd);
		r = vhost_dev_poll(d);
		if (r >= 0) {
			struct vhost_pkt in[4];
			static uint8_t buf[4][2048];

			/* the caller's loop: each wake-up takes what waits */
			for (k = 0; k < 4; k++)
				in[k] = (struct vhost_pkt){ .data = buf[k], .size = sizeof(buf[k]) };
			for (k = 0; k < 100 && spins; k++) {
				if (vhost_dev_poll(d) < 0 || vhost_dev_recv(d, in, 4) < 0)
					break;
				spins = readable(vhost_dev_fd(d));
			}
		}
		ok(r < 0 && strstr(vhost_dev_error(d), "eventfd"),
		   "%s refused: %s%s", what[i], vhost_dev_error(d),
		   r >= 0 && spins ? " (readable after 100 wake-ups)" : "");
		vhost_dev_free(d);
		close(fe);
	}
}

/* Without /proc (a container or chroot without it), plain_eventfd() falls
 * back to what fstat() and the fd itself tell. This runs in a child in a
 * mount namespace of its own with /proc unmounted (root only); it reports
 * each failure on stderr and exits with their number (_exit(): no exit
 * handlers, such as a leak check that reads /proc). */
static int noproc_checks(void)
{
	static const char *const what[] = { "pipe at EOF as transmit kick",
		"semaphore eventfd as transmit kick", "epoll fd (always readable) as transmit kick",
		"timerfd as transmit kick", "pipe without reader as call fd",
		"epoll fd as call fd" };
	struct vhost_dev *d;
	unsigned int i;
	int bad = 0;

	if (!access("/proc/self/fdinfo", F_OK)) {
		fprintf(stderr, "no-/proc child: /proc is still there\n");
		return 100;
	}
	d = connect_dev();
	if (setup(d, VHOST_FEATURES_PLAIN) || !vhost_dev_running(d)) {
		fprintf(stderr, "no-/proc child: plain eventfds refused: %s\n", vhost_dev_error(d));
		bad++;
	}
	vhost_dev_free(d);
	close(fe);
	for (i = 0; i < sizeof(what) / sizeof(what[0]); i++) {
		uint64_t n = i >= 4 ? 0 : 1, v = 2;
		int pfd[2] = { -1, -1 }, fd = -1, r;

		d = connect_dev();
		if (setup(d, VHOST_FEATURES_PLAIN) || !vhost_dev_running(d))
			abort();
		if (i == 0 || i == 4) {
			if (pipe2(pfd, O_CLOEXEC))
				abort();
			fd = i == 0 ? pfd[0] : pfd[1];
			close(i == 0 ? pfd[1] : pfd[0]);
		} else if (i == 1) {
			fd = eventfd(0, EFD_CLOEXEC | EFD_SEMAPHORE);
			if (fd < 0 || write(fd, &v, sizeof(v)) != sizeof(v))
				abort();
		} else if (i == 3) {
			fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
		} else {
			/* an epoll set holding a readable eventfd: readable for ever */
			struct epoll_event ev = { .events = EPOLLIN };
			int e = eventfd(1, EFD_CLOEXEC);

			fd = epoll_create1(EPOLL_CLOEXEC);
			if (e < 0 || fd < 0 || epoll_ctl(fd, EPOLL_CTL_ADD, e, &ev))
				abort();
			close(e);	/* the set keeps it while the fd lives */
		}
		if (fd < 0)
			abort();
		msg(i >= 4 ? 13 : 12, 1, &n, 8, fd);
		close(fd);
		r = vhost_dev_poll(d);
		if (r >= 0 || !strstr(vhost_dev_error(d), "eventfd")) {
			fprintf(stderr, "no-/proc child: %s accepted (%s)\n", what[i],
				r >= 0 ? "no error" : vhost_dev_error(d));
			bad++;
		}
		vhost_dev_free(d);
		close(fe);
	}
	return bad;
}

static void test_no_proc(void)
{
	int st = 0;
	pid_t pid;

	if (geteuid() != 0) {
		ok(1, "without /proc # SKIP needs root (a mount namespace without /proc)");
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		abort();
	if (pid == 0) {
		if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    umount2("/proc", MNT_DETACH)) {
			perror("no-/proc child: a mount namespace without /proc");
			_exit(99);
		}
		_exit(noproc_checks());
	}
	if (waitpid(pid, &st, 0) != pid)
		abort();
	if (WIFEXITED(st) && WEXITSTATUS(st) == 99) {
		ok(1, "without /proc # SKIP no mount namespace without /proc here");
		return;
	}
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	   "without /proc: plain eventfds accepted; pipes, a semaphore eventfd, a timerfd and "
	   "epoll fds refused (status %d, failures on stderr)", st);
}

/* A SET_MEM_TABLE that fails after the old table was unmapped: the device
 * reports it, and until the caller detaches, its queues no longer point
 * into the memory that is gone (they pointed there: a recv faulted). */
static void test_bad_table(void)
{
	struct vhost_dev *d = connect_dev();
	uint8_t r[40] = { 1 }, f[60];
	struct vhost_pkt in[2], out = { .data = f, .len = sizeof(f) };
	static uint8_t buf[2][2048];
	int pr, rr, sr;

	ok(setup(d, VHOST_FEATURES_PLAIN) == 0 && vhost_dev_running(d), "running");
	put64(r + 8, GPA);
	put64(r + 16, 0);		/* an empty region */
	put64(r + 24, uva(0));
	msg(5, 1, r, sizeof(r), memfd);
	pr = vhost_dev_poll(d);
	in[0] = (struct vhost_pkt){ .data = buf[0], .size = sizeof(buf[0]) };
	in[1] = (struct vhost_pkt){ .data = buf[1], .size = sizeof(buf[1]) };
	memset(f, 0, sizeof(f));
	rr = vhost_dev_recv(d, in, 2);
	sr = vhost_dev_send(d, &out, 1);
	ok(pr < 0 && !vhost_dev_running(d) && rr <= 0 && sr <= 0,
	   "a failed SET_MEM_TABLE leaves no ring in unmapped memory (%s)", vhost_dev_error(d));
	vhost_dev_free(d);
	close(fe);
}

/* The cause of a memory table we cannot use is named: a region whose fd
 * cannot be mapped (read-only: EACCES) and a region we cannot watch for
 * SIGBUS (guard.c's table cannot grow: ENOMEM) said only "cannot map" or
 * "cannot watch a memory region", without errno. The allocator fails here
 * through the linker's --wrap=realloc (local.am), only while fail_realloc
 * is set, and only before any region was ever watched (the table's first
 * allocation), so this test runs first. */
static bool fail_realloc;
void *__real_realloc(void *p, size_t n);
void *__wrap_realloc(void *p, size_t n);

void *__wrap_realloc(void *p, size_t n)
{
	if (fail_realloc) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_realloc(p, n);
}

static void test_table_errno(void)
{
	static const char *const want[] = { "cannot watch a memory region: ",
					    "cannot map a memory region: " };
	unsigned int i;

	for (i = 0; i < 2; i++) {
		struct vhost_dev *d = connect_dev();
		uint8_t r[40] = { 1 };
		char cause[96];
		int fd = i ? open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : memfd, pr;

		if (fd < 0)
			abort();
		snprintf(cause, sizeof(cause), "%s%s", want[i], strerror(i ? EACCES : ENOMEM));
		put64(r + 8, GPA);
		put64(r + 16, MEMSZ);
		put64(r + 24, uva(0));
		msg(5, 1, r, sizeof(r), fd);
		fail_realloc = i == 0;
		pr = vhost_dev_poll(d);
		fail_realloc = false;
		ok(pr < 0 && !strcmp(vhost_dev_error(d), cause), "the cause is named: %s",
		   vhost_dev_error(d));
		if (i)
			close(fd);
		vhost_dev_free(d);
		close(fe);
	}
}

static volatile int trickle_stop;

/* The rest of a SET_VRING_ADDR payload, one byte every 50 ms. */
static void *trickle(void *arg)
{
	const uint8_t *p = arg;
	unsigned int i;

	for (i = 0; i < 40 && !trickle_stop; i++) {
		struct timespec nap = { 0, 50 * 1000000L };

		nanosleep(&nap, NULL);
		if (send(fe, p + i, 1, MSG_NOSIGNAL) != 1)
			break;
	}
	return NULL;
}

/* A front end that sends a message's header, then its payload a byte at a
 * time just faster than the tail wait: each wait was bounded, not the
 * whole, so 512 bytes could hold the caller (vde_plug's loop) for minutes. */
static void test_trickle(void)
{
	struct vhost_dev *d = connect_dev();
	uint32_t h[3] = { htole32(9), htole32(1), htole32(40) };
	static uint8_t a[40];
	pthread_t t;
	long t0, took;
	int r;

	vhost_dev_set_tail_ms(d, 300);
	if (send(fe, h, sizeof(h), 0) != sizeof(h))
		abort();
	trickle_stop = 0;
	if (pthread_create(&t, NULL, trickle, a))
		abort();
	t0 = tap_ms();
	r = vhost_dev_poll(d);
	took = tap_ms() - t0;
	trickle_stop = 1;
	pthread_join(t, NULL);
	ok(r < 0 && took < 1500 && strstr(vhost_dev_error(d), "truncated"),
	   "a trickled message fails within the tail wait as a whole (%ld ms, %s)", took,
	   vhost_dev_error(d));
	vhost_dev_free(d);
	close(fe);
}

/* Ten messages, each whole but its payload 150 ms after its header: every
 * message is within the tail wait, but one call must not take them all
 * (64 such messages held the caller for a minute per call). */
static void *slow_msgs(void *arg)
{
	unsigned int i;

	(void)arg;
	for (i = 0; i < 10 && !trickle_stop; i++) {
		uint32_t h[3] = { htole32(8), htole32(1), htole32(8) };
		uint32_t st[2] = { 0, htole32(QSZ) };
		struct timespec nap = { 0, 150 * 1000000L };

		if (send(fe, h, sizeof(h), MSG_NOSIGNAL) != sizeof(h))
			break;
		nanosleep(&nap, NULL);
		if (send(fe, st, sizeof(st), MSG_NOSIGNAL) != sizeof(st))
			break;
	}
	return NULL;
}

static void test_slow_calls(void)
{
	struct vhost_dev *d = connect_dev();
	long t0, took, most = 0, until;
	pthread_t t;
	int r = 0, calls = 0;

	vhost_dev_set_tail_ms(d, 300);
	trickle_stop = 0;
	if (pthread_create(&t, NULL, slow_msgs, NULL))
		abort();
	until = tap_ms() + 20000;
	do {
		struct pollfd p = { .fd = vhost_dev_fd(d), .events = POLLIN };

		poll(&p, 1, 1000);
		t0 = tap_ms();
		r = vhost_dev_poll(d);
		took = tap_ms() - t0;
		most = took > most ? took : most;
		calls++;
	} while (r >= 0 && tap_ms() < until && pthread_tryjoin_np(t, NULL));
	trickle_stop = 1;
	pthread_join(t, NULL);
	if (r >= 0)
		r = vhost_dev_poll(d);
	ok(r >= 0 && most < 1000 && calls > 1,
	   "slow but whole messages: served, at most %ld ms per call (%d calls)", most, calls);
	vhost_dev_free(d);
	close(fe);
}

int main(void)
{
	int base = count_fds(), i;

	memfd = memfd_create("guest", MFD_CLOEXEC);
	if (memfd < 0 || ftruncate(memfd, MEMSZ))
		return 1;
	mem = mmap(NULL, MEMSZ, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (mem == MAP_FAILED)
		return 1;
	for (i = 0; i < 2; i++) {
		kick[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		call[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	}
	test_table_errno();
	test_offloads();
	test_hold();
	test_legacy();
	test_xmit_room();
	test_bad_eventfds();
	test_no_proc();
	test_bad_table();
	test_trickle();
	test_slow_calls();
	for (i = 0; i < 2; i++) {
		close(kick[i]);
		close(call[i]);
	}
	close(memfd);
	munmap(mem, MEMSZ);
	ok(count_fds() == base, "every descriptor released (%d open, %d at start)", count_fds(), base);
	return tap_done();
}
