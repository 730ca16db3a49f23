// SPDX-License-Identifier: LGPL-2.1-or-later
/* lib/vhost/vhost.c - vhost-user network backend: protocol and data path
 *
 * Theory of operation
 *
 * The front end sends requests on the UNIX stream socket: a 12-byte header
 * (request, flags with version 1 and the need-reply bit, payload size),
 * then the payload; file descriptors (memory regions, eventfds) ride along
 * as SCM_RIGHTS. We answer GET_* requests and, once REPLY_ACK is agreed,
 * any request that asks for it with a u64 status. The sequence QEMU 7.2
 * sends for virtio-net: GET_FEATURES, GET_PROTOCOL_FEATURES,
 * SET_PROTOCOL_FEATURES, SET_OWNER, then when the guest driver starts
 * SET_FEATURES, SET_MEM_TABLE, and per queue SET_VRING_NUM / BASE / ADDR /
 * KICK / CALL, then SET_VRING_ENABLE; GET_VRING_BASE stops a queue.
 *
 * Memory regions are mapped whole (mmap_offset + size from offset 0) and
 * their fds closed at once; a new table replaces the old one and the rings
 * are located again. Queue 0 is the guest's receive queue, 1 its transmit
 * queue (no multiqueue, no control queue). A queue runs once it has an
 * address, a kick eventfd and (with protocol features) is enabled.
 *
 * The fd returned by vhost_dev_fd() is an epoll set holding the socket,
 * the transmit kick eventfd and a "more" eventfd that we raise when a
 * batch stopped with frames left in the ring, so a caller that polls and
 * takes bounded batches never stalls. Wire values are little-endian; the
 * code assumes a little-endian host (x86, arm64) as legacy virtio does.
 */
#include "config.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "guard.h"
#include "vhost.h"
#include "vring.h"

enum {
	REQ_GET_FEATURES = 1, REQ_SET_FEATURES = 2, REQ_SET_OWNER = 3, REQ_RESET_OWNER = 4,
	REQ_SET_MEM_TABLE = 5, REQ_SET_LOG_BASE = 6, REQ_SET_LOG_FD = 7,
	REQ_SET_VRING_NUM = 8, REQ_SET_VRING_ADDR = 9, REQ_SET_VRING_BASE = 10,
	REQ_GET_VRING_BASE = 11, REQ_SET_VRING_KICK = 12, REQ_SET_VRING_CALL = 13,
	REQ_SET_VRING_ERR = 14, REQ_GET_PROTOCOL_FEATURES = 15,
	REQ_SET_PROTOCOL_FEATURES = 16, REQ_GET_QUEUE_NUM = 17, REQ_SET_VRING_ENABLE = 18,
};

#define MSG_HDRLEN	12
#define MSG_MAXLEN	512		/* largest payload we accept */
#define MSG_VERSION	1u
#define MSG_F_REPLY	4u
#define MSG_F_NEED_REPLY 8u
#define MSG_MAXFDS	VHOST_MAX_REGIONS
#define MSG_TAIL_MS	1000		/* longest wait for the rest of a message */
#define VRING_NOFD	0x100u		/* KICK/CALL/ERR: polling mode, no fd */
#define NQUEUES		2
#define PROTO_FEATURES	(1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK)
#define VNET_HDRLEN_MRG	12		/* struct virtio_net_hdr_mrg_rxbuf */
#define EP_SOCK		1
#define EP_KICK		2
#define EP_MORE		3
#define EP_RXKICK	4

struct vhost_queue {
	struct vring vr;
	uint16_t num, base;
	uint64_t desc, avail, used;	/* front-end virtual addresses */
	bool has_addr, enabled, started;
	int kick, call, err;
};

struct vhost_dev {
	int sock, ep, more;
	int tail_ms;			/* MSG_TAIL_MS unless changed */
	bool more_set;
	bool want_frames, want_room;	/* vhost_dev_want() */
	uint64_t offer, features, proto;
	size_t hdrlen;
	struct vhost_mem mem;
	void *map[VHOST_MAX_REGIONS];
	size_t maplen[VHOST_MAX_REGIONS];
	struct vhost_queue q[NQUEUES];
	struct vhost_stats st;
	char err[160];
	struct vring_chain ch, first;	/* scratch */
	struct vring_chain *held;	/* VHOST_HOLD chains (recv_hold) */
	unsigned int nheld;
	uint16_t heads[VRING_MAXSEG];
	uint32_t lens[VRING_MAXSEG];
	volatile sig_atomic_t faulted;	/* guard.h: a memory file shrank */
};

struct msg {
	uint32_t req, flags, size;
	uint8_t p[MSG_MAXLEN];
	int fds[MSG_MAXFDS];
	unsigned int nfds;
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int fail(struct vhost_dev *d, const char *why)
{
	if (!d->err[0])
		snprintf(d->err, sizeof(d->err), "%s", why);
	return -1;
}

/* fail() naming the cause in errno: "why: strerror(errno)". */
static int fail_errno(struct vhost_dev *d, const char *why)
{
	int e = errno;

	if (!d->err[0])
		snprintf(d->err, sizeof(d->err), "%s: %s", why, strerror(e));
	errno = e;
	return -1;
}

/* After (or before) a use of guest memory: @r, or -1 if a fault hit it
 * (guard.h): the front end shrank a memory file under our mapping. */
static int mem_checked(struct vhost_dev *d, int r)
{
	return d->faulted ? fail(d, "guest memory: its file shrank while mapped") : r;
}

int vhost_listen(const char *path, mode_t mode)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	int fd = -1, probe, err;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path));
	if (!lstat(path, &st) && S_ISSOCK(st.st_mode)) {
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe < 0)
			return -1;
		if (!connect(probe, (struct sockaddr *)&sun, sizeof(sun))) {
			close(probe);
			errno = EADDRINUSE;
			return -1;
		}
		close(probe);
		unlink(path);		/* stale: nobody listens */
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) || chmod(path, mode) ||
	    listen(fd, 4)) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

static void unmap_all(struct vhost_dev *d)
{
	unsigned int i;

	for (i = 0; i < VHOST_MAX_REGIONS; i++) {
		if (d->map[i]) {
			vhost_guard_del(d->map[i]);
			munmap(d->map[i], d->maplen[i]);
		}
		d->map[i] = NULL;
		d->maplen[i] = 0;
	}
	memset(&d->mem, 0, sizeof(d->mem));
	/* nothing may point into it any more: rings are located again in
	 * the next table (queue_map()), held chains are gone */
	for (i = 0; i < NQUEUES; i++)
		memset(&d->q[i].vr, 0, sizeof(d->q[i].vr));
	d->nheld = 0;
}

static void ep_set(struct vhost_dev *d, int fd, uint64_t tag, bool add)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = tag };

	if (fd >= 0)
		epoll_ctl(d->ep, add ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, fd, &ev);
}

/* Is @fd of queue @qi (kick) or "more" in the epoll set right now? */
static bool kick_watched(const struct vhost_dev *d, unsigned int qi)
{
	return qi == VHOST_TX ? d->want_frames : d->want_room;
}

static void kick_watch(struct vhost_dev *d, unsigned int qi, int fd, bool add)
{
	if (kick_watched(d, qi))
		ep_set(d, fd, qi == VHOST_TX ? EP_KICK : EP_RXKICK, add);
}

static void set_more(struct vhost_dev *d, bool on)
{
	uint64_t v = 1;

	if (on == d->more_set)
		return;
	if (on) {
		if (write(d->more, &v, sizeof(v)) != sizeof(v))
			return;
	} else if (read(d->more, &v, sizeof(v)) != sizeof(v)) {
		return;
	}
	d->more_set = on;
}

static void queue_reset(struct vhost_dev *d, unsigned int i)
{
	struct vhost_queue *q = &d->q[i];

	kick_watch(d, i, q->kick, false);
	close_fd(&q->kick);
	close_fd(&q->call);
	close_fd(&q->err);
	memset(q, 0, sizeof(*q));
	q->kick = q->call = q->err = -1;
}

static void dev_reset(struct vhost_dev *d)
{
	unsigned int i;

	for (i = 0; i < NQUEUES; i++)
		queue_reset(d, i);
	unmap_all(d);
	d->nheld = 0;			/* the memory they point to is gone */
	d->features = d->proto = 0;
	d->hdrlen = VNET_HDRLEN_MRG;
	set_more(d, false);
}

struct vhost_dev *vhost_dev_new(uint64_t features)
{
	struct vhost_dev *d = calloc(1, sizeof(*d));
	unsigned int i;

	if (!d)
		return NULL;
	d->sock = -1;
	for (i = 0; i < NQUEUES; i++)
		d->q[i].kick = d->q[i].call = d->q[i].err = -1;
	d->offer = features;
	d->tail_ms = MSG_TAIL_MS;
	d->want_frames = true;
	d->ep = epoll_create1(EPOLL_CLOEXEC);
	d->more = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (d->ep < 0 || d->more < 0) {
		vhost_dev_free(d);
		return NULL;
	}
	ep_set(d, d->more, EP_MORE, true);
	dev_reset(d);
	return d;
}

void vhost_dev_set_tail_ms(struct vhost_dev *d, int ms)
{
	d->tail_ms = ms;
}

void vhost_dev_free(struct vhost_dev *d)
{
	if (!d)
		return;
	vhost_dev_detach(d);
	close_fd(&d->ep);
	free(d->held);
	close_fd(&d->more);
	free(d);
}

int vhost_dev_attach(struct vhost_dev *d, int fd)
{
	int fl;

	if (d->sock >= 0) {
		errno = EBUSY;
		return -1;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	d->sock = fd;
	d->err[0] = '\0';
	d->faulted = 0;		/* the last front end's memory is unmapped */
	ep_set(d, fd, EP_SOCK, true);
	d->st.connects++;
	return 0;
}

void vhost_dev_detach(struct vhost_dev *d)
{
	if (d->sock < 0)
		return;
	ep_set(d, d->sock, EP_SOCK, false);
	close_fd(&d->sock);
	dev_reset(d);
	d->st.disconnects++;
}

bool vhost_dev_attached(const struct vhost_dev *d)
{
	return d->sock >= 0;
}

int vhost_dev_fd(const struct vhost_dev *d)
{
	return d->ep;
}

const char *vhost_dev_error(const struct vhost_dev *d)
{
	return d->err[0] ? d->err : "no error";
}

const struct vhost_stats *vhost_dev_stats(const struct vhost_dev *d)
{
	return &d->st;
}

uint64_t vhost_dev_features(const struct vhost_dev *d)
{
	return d->features;
}

static bool queue_running(const struct vhost_queue *q)
{
	return q->started && q->enabled && q->vr.desc && !q->vr.err;
}

bool vhost_dev_running(const struct vhost_dev *d)
{
	return d->sock >= 0 && queue_running(&d->q[VHOST_RX]) && queue_running(&d->q[VHOST_TX]);
}

static long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Read exactly @len bytes by monotonic time @deadline (ms): the wait is
 * bounded for the whole message, not per part, so a front end that sends
 * a byte now and then cannot hold us longer than the tail wait. */
static int read_full(int fd, void *buf, size_t len, long deadline)
{
	uint8_t *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t r = recv(fd, p + got, len - got, MSG_DONTWAIT);
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long left;

		if (r > 0) {
			got += (size_t)r;
			continue;
		}
		if (r == 0 || (errno != EAGAIN && errno != EINTR))
			return -1;
		left = deadline - mono_ms();
		if (poll(&pfd, 1, left > 0 ? (int)left : 0) <= 0)
			return -1;
	}
	return 0;
}

/* 1 = message read, 0 = none pending, -1 = error or EOF (d->err). */
static int msg_read(struct vhost_dev *d, struct msg *m)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * MSG_MAXFDS)];
		struct cmsghdr align;
	} cb;
	uint8_t hdr[MSG_HDRLEN];
	struct iovec iov = { .iov_base = hdr, .iov_len = sizeof(hdr) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cb.buf, .msg_controllen = sizeof(cb.buf) };
	struct cmsghdr *c;
	long deadline;
	ssize_t r;

	m->nfds = 0;
	r = recvmsg(d->sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	deadline = mono_ms() + d->tail_ms;
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (r == 0)
		return fail(d, "front end closed the connection");
	if (r < 0)
		return fail_errno(d, "socket error");
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		size_t n, i;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (m->nfds < MSG_MAXFDS)
				m->fds[m->nfds++] = fd;
			else
				close(fd);
		}
	}
	if (mh.msg_flags & MSG_CTRUNC) {
		fail(d, "too many file descriptors in a message");
		return -1;
	}
	if ((size_t)r < sizeof(hdr) && read_full(d->sock, hdr + r, sizeof(hdr) - (size_t)r, deadline))
		return fail(d, "truncated message header");
	memcpy(&m->req, hdr, 4);
	memcpy(&m->flags, hdr + 4, 4);
	memcpy(&m->size, hdr + 8, 4);
	m->req = le32toh(m->req);
	m->flags = le32toh(m->flags);
	m->size = le32toh(m->size);
	if ((m->flags & 3) != MSG_VERSION)
		return fail(d, "bad protocol version");
	if (m->size > MSG_MAXLEN)
		return fail(d, "message too long");
	if (m->size && read_full(d->sock, m->p, m->size, deadline))
		return fail(d, "truncated message payload");
	return 1;
}

static void msg_close_fds(struct msg *m)
{
	unsigned int i;

	for (i = 0; i < m->nfds; i++)
		close_fd(&m->fds[i]);
	m->nfds = 0;
}

static int reply(struct vhost_dev *d, const struct msg *m, const void *p, uint32_t size)
{
	uint8_t buf[MSG_HDRLEN + 64];
	ssize_t r;
	uint32_t v;

	v = htole32(m->req);
	memcpy(buf, &v, 4);
	v = htole32(MSG_VERSION | MSG_F_REPLY);
	memcpy(buf + 4, &v, 4);
	v = htole32(size);
	memcpy(buf + 8, &v, 4);
	memcpy(buf + MSG_HDRLEN, p, size);
	r = send(d->sock, buf, MSG_HDRLEN + size, MSG_NOSIGNAL);
	if (r < 0)
		return fail_errno(d, "cannot send a reply");
	if (r != (ssize_t)(MSG_HDRLEN + size))
		return fail(d, "cannot send a reply: the front end's socket is full");
	return 0;
}

static int reply_u64(struct vhost_dev *d, const struct msg *m, uint64_t x)
{
	x = htole64(x);
	return reply(d, m, &x, sizeof(x));
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t x;

	memcpy(&x, p, 8);
	return le64toh(x);
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t x;

	memcpy(&x, p, 4);
	return le32toh(x);
}

/* (Re)locate queue @i's rings in the current memory table. */
static int queue_map(struct vhost_dev *d, unsigned int i)
{
	struct vhost_queue *q = &d->q[i];

	if (!q->has_addr || !d->mem.n)
		return 0;
	if (vring_map(&q->vr, &d->mem, q->num, q->base, q->desc, q->avail, q->used))
		return fail(d, q->vr.err);
	return 0;
}

static int set_mem_table(struct vhost_dev *d, struct msg *m)
{
	uint32_t n, i;

	if (m->size < 8)
		return fail(d, "short SET_MEM_TABLE");
	n = get32(m->p);
	if (n == 0 || n > VHOST_MAX_REGIONS || m->size < 8 + 32 * n || m->nfds != n)
		return fail(d, "bad SET_MEM_TABLE region count or fds");
	unmap_all(d);
	for (i = 0; i < n; i++) {
		const uint8_t *r = m->p + 8 + 32 * i;
		uint64_t gpa = get64(r), size = get64(r + 8), uva = get64(r + 16);
		uint64_t off = get64(r + 24);
		void *p;

		struct stat st;

		if (!size || size > SIZE_MAX - off || gpa + size < gpa || uva + size < uva)
			return fail(d, "bad memory region");
		/* a region past the end of its file would fault on access */
		if (fstat(m->fds[i], &st) || (S_ISREG(st.st_mode) && (uint64_t)st.st_size < off + size))
			return fail(d, "memory region larger than its file");
		p = mmap(NULL, (size_t)(off + size), PROT_READ | PROT_WRITE, MAP_SHARED,
			 m->fds[i], 0);
		if (p == MAP_FAILED)
			return fail_errno(d, "cannot map a memory region");
		d->map[i] = p;
		d->maplen[i] = (size_t)(off + size);
		if (vhost_guard_add(p, d->maplen[i], &d->faulted)) {
			fail_errno(d, "cannot watch a memory region");
			munmap(p, d->maplen[i]);
			d->map[i] = NULL;
			return -1;
		}
		d->mem.r[i] = (struct vhost_region){ .gpa = gpa, .size = size, .uva = uva,
						     .host = (uint8_t *)p + off };
		d->mem.n = i + 1;
	}
	msg_close_fds(m);
	for (i = 0; i < NQUEUES; i++)
		if (queue_map(d, i))
			return -1;
	return 0;
}

/* Index of the queue a message names; -1 (with d->err) if none. */
static int msg_queue(struct vhost_dev *d, const struct msg *m, uint32_t size)
{
	uint32_t i;

	if (m->size < size)
		return fail(d, "short vring message");
	i = get32(m->p) & 0xff;
	if (i >= NQUEUES)
		return fail(d, "vring index out of range");
	return (int)i;
}

/* Without /proc: is @fd an eventfd, and for a kick (@kick: we read it) a
 * plain one? Only an eventfd takes an 8-byte write (of 0: nothing changes)
 * among the files without a type (timerfd, epoll, signalfd... refuse it),
 * and a read of a semaphore eventfd takes 1, of a plain one the whole
 * count: 2 written, then read, tells them apart; a plain one gets back
 * what the front end had added meanwhile. The probe runs non-blocking (a
 * count near its limit would block the write); the flags come back. */
static bool probe_eventfd(int fd, bool kick)
{
	uint64_t zero = 0, two = 2, v = 0;
	int fl = fcntl(fd, F_GETFL);
	bool plain = false;

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return false;
	if (write(fd, &zero, sizeof(zero)) != sizeof(zero))
		goto out;
	if (!kick) {
		plain = true;
		goto out;
	}
	if (write(fd, &two, sizeof(two)) != sizeof(two) || read(fd, &v, sizeof(v)) != sizeof(v))
		goto out;
	plain = v >= 2;
	v -= plain ? 2 : 0;
	if (plain && v && write(fd, &v, sizeof(v)) != sizeof(v))
		plain = false;		/* (not while we wrote and read above) */
out:
	fcntl(fd, F_SETFL, fl);
	return plain;
}

/* Kick and call fds must be plain eventfds (QEMU's always are): a pipe
 * at EOF or a semaphore eventfd polls readable for ever as a kick (our
 * caller's loop would spin on it), and a pipe without reader raises
 * SIGPIPE in our caller at the first interrupt. /proc/self/fdinfo tells
 * an eventfd and its mode; without /proc, an anonymous inode (no file
 * type) that passes probe_eventfd(). */
static bool plain_eventfd(int fd, bool kick)
{
	char path[48], info[512];
	struct stat st;
	ssize_t n = -1;
	bool plain;
	int f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f >= 0) {
		n = read(f, info, sizeof(info) - 1);
		close(f);
	}
	if (n > 0) {
		info[n] = '\0';
		plain = strstr(info, "eventfd-count:") && !strstr(info, "eventfd-semaphore: 1");
	} else {
		plain = !fstat(fd, &st) && !(st.st_mode & S_IFMT) && probe_eventfd(fd, kick);
	}
	return plain;
}

static int set_vring_fd(struct vhost_dev *d, struct msg *m)
{
	int qi = msg_queue(d, m, 8), fd = -1;
	uint64_t v;
	struct vhost_queue *q;

	if (qi < 0)
		return -1;
	q = &d->q[qi];
	v = get64(m->p);
	if (!(v & VRING_NOFD)) {
		if (m->nfds != 1)
			return fail(d, "vring eventfd missing");
		if (m->req != REQ_SET_VRING_ERR &&
		    !plain_eventfd(m->fds[0], m->req == REQ_SET_VRING_KICK))
			return fail(d, m->req == REQ_SET_VRING_KICK ?
				    "vring kick fd is not a plain eventfd" :
				    "vring call fd is not a plain eventfd");
		fd = m->fds[0];
		m->nfds = 0;
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	} else if (m->req == REQ_SET_VRING_KICK) {
		return fail(d, "polling mode (no kick fd) is not supported");
	}
	switch (m->req) {
	case REQ_SET_VRING_KICK:
		kick_watch(d, (unsigned int)qi, q->kick, false);
		close_fd(&q->kick);
		q->kick = fd;
		kick_watch(d, (unsigned int)qi, fd, true);
		q->started = true;
		if (!(d->features & (1ULL << VHOST_USER_F_PROTOCOL_FEATURES)))
			q->enabled = true;
		if (qi == VHOST_TX)
			set_more(d, true);	/* frames may be waiting */
		break;
	case REQ_SET_VRING_CALL:
		close_fd(&q->call);
		q->call = fd;
		break;
	default:
		close_fd(&q->err);
		q->err = fd;
		break;
	}
	return 0;
}

static int handle(struct vhost_dev *d, struct msg *m)
{
	struct vhost_queue *q;
	bool replied = false;
	uint8_t st[8];
	int qi, ret = 0;

	switch (m->req) {
	case REQ_GET_FEATURES:
		ret = reply_u64(d, m, d->offer);
		replied = true;
		break;
	case REQ_SET_FEATURES:
		if (m->size < 8)
			return fail(d, "short SET_FEATURES");
		d->features = get64(m->p);
		if (d->features & ~d->offer)
			return fail(d, "front end set features we did not offer");
		d->hdrlen = d->features & ((1ULL << VIRTIO_F_VERSION_1_) |
					   (1ULL << VIRTIO_NET_F_MRG_RXBUF_)) ?
			VNET_HDRLEN_MRG : sizeof(struct virtio_net_hdr);
		break;
	case REQ_GET_PROTOCOL_FEATURES:
		ret = reply_u64(d, m, PROTO_FEATURES);
		replied = true;
		break;
	case REQ_SET_PROTOCOL_FEATURES:
		if (m->size < 8)
			return fail(d, "short SET_PROTOCOL_FEATURES");
		d->proto = get64(m->p) & PROTO_FEATURES;
		break;
	case REQ_GET_QUEUE_NUM:
		ret = reply_u64(d, m, 1);
		replied = true;
		break;
	case REQ_SET_OWNER:
		break;
	case REQ_RESET_OWNER:
		for (qi = 0; qi < NQUEUES; qi++)
			queue_reset(d, (unsigned int)qi);
		break;
	case REQ_SET_MEM_TABLE:
		ret = set_mem_table(d, m);
		break;
	case REQ_SET_VRING_NUM:
	case REQ_SET_VRING_BASE:
		qi = msg_queue(d, m, 8);
		if (qi < 0)
			return -1;
		q = &d->q[qi];
		if (get32(m->p + 4) > (m->req == REQ_SET_VRING_NUM ? VRING_MAXNUM : 0xffff))
			return fail(d, "vring size or base out of range");
		if (m->req == REQ_SET_VRING_NUM)
			q->num = (uint16_t)get32(m->p + 4);
		else
			q->base = (uint16_t)get32(m->p + 4);
		break;
	case REQ_SET_VRING_ADDR:
		qi = msg_queue(d, m, 40);
		if (qi < 0)
			return -1;
		q = &d->q[qi];
		q->desc = get64(m->p + 8);
		q->used = get64(m->p + 16);
		q->avail = get64(m->p + 24);
		q->has_addr = true;
		ret = queue_map(d, (unsigned int)qi);
		break;
	case REQ_GET_VRING_BASE:
		qi = msg_queue(d, m, 8);
		if (qi < 0)
			return -1;
		q = &d->q[qi];
		memcpy(st, m->p, 4);
		{
			uint32_t b = htole32(q->vr.desc ? q->vr.last_avail : q->base);

			memcpy(st + 4, &b, 4);
		}
		queue_reset(d, (unsigned int)qi);	/* stopped */
		ret = reply(d, m, st, sizeof(st));
		replied = true;
		break;
	case REQ_SET_VRING_KICK:
	case REQ_SET_VRING_CALL:
	case REQ_SET_VRING_ERR:
		ret = set_vring_fd(d, m);
		break;
	case REQ_SET_VRING_ENABLE:
		qi = msg_queue(d, m, 8);
		if (qi < 0)
			return -1;
		d->q[qi].enabled = get32(m->p + 4) != 0;
		if (qi == VHOST_TX)
			set_more(d, true);
		break;
	default:
		/* not negotiated: ignored, but a front end waiting for an
		 * answer gets a failure status */
		if ((m->flags & MSG_F_NEED_REPLY) && (d->proto & PROTO_FEATURES))
			return reply_u64(d, m, 1);
		break;
	}
	msg_close_fds(m);
	if (ret == 0 && !replied && (m->flags & MSG_F_NEED_REPLY) &&
	    (d->proto & (1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK)))
		ret = reply_u64(d, m, 0);
	return ret;
}

int vhost_dev_poll(struct vhost_dev *d)
{
	long until = d->tail_ms > 0 ? mono_ms() + d->tail_ms : 0;
	struct msg m;
	int r, k;

	if (d->sock < 0)
		return 0;
	if (mem_checked(d, 0))
		return -1;	/* a fault in a use of guest memory since the last call */
	for (k = 0; k < 64; k++) {	/* bounded work per call */
		/* and bounded time: each message may wait up to tail_ms for
		 * its rest; once a call has spent that, the next message
		 * waits for the next call (the socket stays readable) */
		if (until && k && mono_ms() >= until)
			break;
		r = msg_read(d, &m);
		if (r <= 0) {
			msg_close_fds(&m);
			return r;
		}
		r = handle(d, &m);
		msg_close_fds(&m);
		if (r < 0)
			return -1;
	}
	return 0;
}

static void notify(const struct vhost_queue *q)
{
	uint64_t v = 1;

	if (q->call >= 0 && write(q->call, &v, sizeof(v)) < 0) {
		/* a full eventfd counter still wakes the guest */
	}
}

static int ring_broken(struct vhost_dev *d, const struct vhost_queue *q)
{
	char why[sizeof(d->err)];

	snprintf(why, sizeof(why), "guest %s queue: %s", q == &d->q[VHOST_TX] ? "transmit" :
		 "receive", q->vr.err);
	return fail(d, why);
}

static void hdr_to_meta(const uint8_t *h, struct virtio_net_hdr *vh)
{
	uint16_t v;

	vh->flags = h[0];
	vh->gso_type = h[1];
	memcpy(&v, h + 2, 2);
	vh->hdr_len = le16toh(v);
	memcpy(&v, h + 4, 2);
	vh->gso_size = le16toh(v);
	memcpy(&v, h + 6, 2);
	vh->csum_start = le16toh(v);
	memcpy(&v, h + 8, 2);
	vh->csum_offset = le16toh(v);
}

static void meta_to_hdr(const struct virtio_net_hdr *vh, uint16_t nbuf, uint8_t *h)
{
	uint16_t v;

	h[0] = vh->flags;
	h[1] = vh->gso_type;
	v = htole16(vh->hdr_len);
	memcpy(h + 2, &v, 2);
	v = htole16(vh->gso_size);
	memcpy(h + 4, &v, 2);
	v = htole16(vh->csum_start);
	memcpy(h + 6, &v, 2);
	v = htole16(vh->csum_offset);
	memcpy(h + 8, &v, 2);
	v = htole16(nbuf);
	memcpy(h + 10, &v, 2);
}

/* vhost_dev_recv() and, with @head > 0, vhost_dev_recv_hold(). */
static int recv_frames(struct vhost_dev *d, struct vhost_pkt *p, unsigned int n, size_t head,
		       size_t whole)
{
	struct vhost_queue *q = &d->q[VHOST_TX];
	uint8_t h[VNET_HDRLEN_MRG];
	unsigned int got = 0;
	uint64_t v;
	int r = 0;

	if (head && !d->held) {
		d->held = calloc(VHOST_HOLD, sizeof(*d->held));
		if (!d->held)
			head = 0;	/* copied whole then */
	}

	set_more(d, false);
	if (q->kick >= 0 && read(q->kick, &v, sizeof(v)) < 0) {
		/* EAGAIN: no kick pending, the ring may still hold frames */
	}
	if (d->sock < 0 || !queue_running(q))
		return 0;
	while (got < n) {
		struct vhost_pkt *o = &p[got];
		struct vring_chain *c = head && d->nheld < VHOST_HOLD ? &d->held[d->nheld] : &d->ch;
		size_t flen;

		r = vring_pop(&q->vr, &d->mem, false, d->hdrlen + VHOST_MAX_PKT, c);
		if (r <= 0)
			break;
		flen = c->len >= d->hdrlen ? c->len - d->hdrlen : 0;
		o->tail = (struct vhost_tail){ 0 };
		if (c->len < d->hdrlen + 14 || flen > o->size) {
			d->st.rx_drops++;
		} else {
			vring_copy_from(c, 0, h, d->hdrlen);
			hdr_to_meta(h, &o->vh);
			if (c != &d->ch && flen > whole) {
				/* the head here, the rest stays: hold the chain */
				o->len = flen;
				vring_copy_from(c, d->hdrlen, o->data, head);
				o->tail = (struct vhost_tail){ c->iov, c->n, d->hdrlen + head,
							       flen - head };
				d->nheld++;
			} else {
				o->len = vring_copy_from(c, d->hdrlen, o->data, flen);
			}
			d->st.rx_frames++;
			d->st.rx_bytes += o->len;
			got++;
		}
		if (!o->tail.len)	/* a held chain goes back at release */
			vring_push(&q->vr, c->head, 0);
	}
	if (vring_publish(&q->vr))
		notify(q);
	if (r < 0)
		return ring_broken(d, q);
	if (got == n)
		set_more(d, true);	/* more may be waiting: stay readable */
	return (int)got;
}

int vhost_dev_recv(struct vhost_dev *d, struct vhost_pkt *p, unsigned int n)
{
	if (mem_checked(d, 0))
		return -1;
	return mem_checked(d, recv_frames(d, p, n, 0, 0));
}

int vhost_dev_recv_hold(struct vhost_dev *d, struct vhost_pkt *p, unsigned int n, size_t head,
			size_t whole)
{
	if (!head)
		head = 1;
	if (mem_checked(d, 0))
		return -1;
	return mem_checked(d, recv_frames(d, p, n, head, whole > head ? whole : head));
}

void vhost_dev_release(struct vhost_dev *d)
{
	struct vhost_queue *q = &d->q[VHOST_TX];
	unsigned int i;

	for (i = 0; i < d->nheld; i++)
		vring_push(&q->vr, d->held[i].head, 0);
	if (d->nheld && vring_publish(&q->vr))
		notify(q);
	d->nheld = 0;
}

/* Frame bytes [@off, @off + @len) of @p (its data, then its tail) into
 * chain @c from chain offset @coff. */
static void pkt_copy(const struct vhost_pkt *p, size_t off, const struct vring_chain *c,
		     size_t coff, size_t len)
{
	size_t hl = p->len - p->tail.len, toff, l;
	unsigned int i;

	if (off < hl) {
		l = hl - off < len ? hl - off : len;
		vring_copy_to(c, coff, p->data + off, l);
		off += l;
		coff += l;
		len -= l;
	}
	toff = p->tail.off + (off - hl);
	for (i = 0; i < p->tail.n && len; i++) {
		const struct iovec *v = &p->tail.iov[i];

		if (toff >= v->iov_len) {
			toff -= v->iov_len;
			continue;
		}
		l = v->iov_len - toff < len ? v->iov_len - toff : len;
		vring_copy_to(c, coff, (const uint8_t *)v->iov_base + toff, l);
		toff = 0;
		coff += l;
		len -= l;
	}
}

/* One frame into the guest's receive ring: 1 done, 0 no room (the guest
 * may post more), 2 never fits (it needs more than VRING_MAXSEG chains,
 * or without MRG_RXBUF the guest's chain is too short: dropped), -1
 * broken. With MRG_RXBUF a frame spans several chains; the header, written
 * last into the first one, says how many. */
static int send_one(struct vhost_dev *d, struct vhost_queue *q, const struct vhost_pkt *p)
{
	bool mrg = d->features & (1ULL << VIRTIO_NET_F_MRG_RXBUF_);
	size_t total = d->hdrlen + p->len, done = 0;
	uint8_t h[VNET_HDRLEN_MRG];
	uint16_t nb = 0, k;
	int r;

	while (done < total && nb < VRING_MAXSEG && (nb == 0 || mrg)) {
		struct vring_chain *c = nb == 0 ? &d->first : &d->ch;
		size_t l;

		r = vring_pop(&q->vr, &d->mem, true, SIZE_MAX, c);
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		l = c->len < total - done ? c->len : total - done;
		if (nb == 0) {
			if (c->len < d->hdrlen) {
				q->vr.err = "receive buffer shorter than the virtio-net header";
				return -1;
			}
			pkt_copy(p, 0, c, d->hdrlen, l - d->hdrlen);
		} else {
			pkt_copy(p, done - d->hdrlen, c, 0, l);
		}
		d->heads[nb] = c->head;
		d->lens[nb] = (uint32_t)l;
		nb++;
		done += l;
	}
	if (done < total) {
		bool ring_empty = nb < VRING_MAXSEG && (nb == 0 || mrg);

		vring_unpop(&q->vr, nb);
		return ring_empty ? 0 : 2;
	}
	meta_to_hdr(&p->vh, nb, h);
	vring_copy_to(&d->first, 0, h, d->hdrlen);
	for (k = 0; k < nb; k++)
		vring_push(&q->vr, d->heads[k], d->lens[k]);
	return 1;
}

/* @stop: leave the frames from the first one without room to the caller
 * (vhost_dev_xmit) instead of dropping them (vhost_dev_send). */
static int send_batch(struct vhost_dev *d, const struct vhost_pkt *p, unsigned int n, bool stop)
{
	struct vhost_queue *q = &d->q[VHOST_RX];
	unsigned int i, sent = 0;
	int r = 0;

	if (d->sock < 0 || !queue_running(q)) {
		if (!stop)
			d->st.tx_drops += n;
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (p[i].len > VHOST_MAX_PKT || p[i].tail.len > p[i].len) {
			d->st.tx_drops++;	/* can never fit: dropped either way */
			sent += stop;
			continue;
		}
		r = send_one(d, q, &p[i]);
		if (r < 0)
			break;
		if (r == 0 && stop)
			break;
		if (r != 1) {
			d->st.tx_drops++;
			sent += r == 2 && stop;	/* taken: waiting would not help */
			continue;
		}
		sent++;
		d->st.tx_frames++;
		d->st.tx_bytes += p[i].len;
	}
	if (vring_publish(&q->vr))
		notify(q);
	if (r < 0)
		return ring_broken(d, q);
	return (int)sent;
}

int vhost_dev_send(struct vhost_dev *d, const struct vhost_pkt *p, unsigned int n)
{
	if (mem_checked(d, 0))
		return -1;
	return mem_checked(d, send_batch(d, p, n, false));
}

int vhost_dev_xmit(struct vhost_dev *d, const struct vhost_pkt *p, unsigned int n)
{
	if (mem_checked(d, 0))
		return -1;
	return mem_checked(d, send_batch(d, p, n, true));
}

void vhost_dev_want(struct vhost_dev *d, bool frames, bool room)
{
	if (frames != d->want_frames) {
		if (!frames) {
			ep_set(d, d->q[VHOST_TX].kick, EP_KICK, false);
			ep_set(d, d->more, EP_MORE, false);
		}
		d->want_frames = frames;
		if (frames) {
			ep_set(d, d->q[VHOST_TX].kick, EP_KICK, true);
			ep_set(d, d->more, EP_MORE, true);
		}
	}
	if (room != d->want_room) {
		if (!room)
			ep_set(d, d->q[VHOST_RX].kick, EP_RXKICK, false);
		d->want_room = room;
		if (room)
			ep_set(d, d->q[VHOST_RX].kick, EP_RXKICK, true);
	}
}

bool vhost_dev_room(struct vhost_dev *d)
{
	struct vhost_queue *q = &d->q[VHOST_RX];
	uint64_t v;

	if (q->kick >= 0 && read(q->kick, &v, sizeof(v)) < 0) {
		/* EAGAIN: no kick since the last look */
	}
	if (d->sock < 0 || !queue_running(q))
		return true;	/* nothing to wait for: vhost_dev_xmit() takes none */
	return vring_has_avail(&q->vr);
}
