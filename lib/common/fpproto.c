// SPDX-License-Identifier: LGPL-2.1-or-later
/* lib/common/fpproto.c - the fast path's negotiation messages and shared
 * memory region, for both ends (docs/fastpath.md)
 *
 * fastpath_msg_check() is pure (fuzzed by fuzz_shmring); the rest are thin
 * I/O helpers so that the client (lib/vdeplug/fastpath.c) and the switch
 * speak the protocol through one implementation: message framing on the
 * SOCK_SEQPACKET socket with up to FASTPATH_MAX_FDS fds (SCM_RIGHTS: the
 * OFFER's memfd, and the doorbell pipes' ends with PIPES), the sealed memfd
 * the switch creates, and the checks the client makes before mapping it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "deadline.h"
#include "fpproto.h"

_Static_assert(sizeof(struct fastpath_msg) == 132, "fast path message layout");
_Static_assert(FASTPATH_AUX_OFF >= sizeof(struct shmring_region) &&
	       FASTPATH_AUX_OFF + sizeof(struct fastpath_aux) <= SHMRING_CTL_OFF,
	       "the aux block lies between the region header and the rings");

/**
 * fastpath_msg_init() - a message of @type with everything else zero
 * @m:		the message
 * @type:	enum fastpath_msg_type
 * @status:	0 or a positive errno
 */
void fastpath_msg_init(struct fastpath_msg *m, uint16_t type, int32_t status)
{
	memset(m, 0, sizeof(*m));
	m->magic = SHMRING_MAGIC;
	m->version = SHMRING_VERSION;
	m->type = type;
	m->status = status;
}

/**
 * fastpath_msg_check() - copy and validate a received message
 * @buf:	the bytes received
 * @len:	how many
 * @out:	the message, when valid
 *
 * Valid: exactly the message size, magic, version, a known type, a
 * non-negative status, reserved zero, for a REQUEST an endpoint path
 * that is NUL-terminated and not empty, and for a shortcut message an id
 * (status) >= 1 and an endpoint that is all zero but for SC_TX's MAC
 * address in its first six bytes.
 *
 * Return: 0, or -EPROTO.
 */
int fastpath_msg_check(const void *buf, size_t len, struct fastpath_msg *out)
{
	struct fastpath_msg m;

	if (!buf || len != sizeof(m))
		return -EPROTO;
	memcpy(&m, buf, sizeof(m));
	if (m.magic != SHMRING_MAGIC || m.version != SHMRING_VERSION ||
	    m.type < FASTPATH_REQUEST || m.type > FASTPATH_SC_REVOKE || m.status < 0 || m.reserved)
		return -EPROTO;
	if (m.type >= FASTPATH_SC_RX) {
		size_t i, from = m.type == FASTPATH_SC_TX ? 6 : 0;

		if (m.status < 1)
			return -EPROTO;
		for (i = from; i < sizeof(m.endpoint); i++)
			if (m.endpoint[i])
				return -EPROTO;
	}
	if (m.type == FASTPATH_REQUEST &&
	    (!m.endpoint[0] || !memchr(m.endpoint, '\0', sizeof(m.endpoint))))
		return -EPROTO;
	*out = m;
	return 0;
}

/**
 * fastpath_msg_send_fds() - send one message with @nfds fds (SCM_RIGHTS)
 * @sock:	SOCK_SEQPACKET socket
 * @m:		the message
 * @fds:	the fds (the OFFER's memfd and doorbell pipe ends), or NULL
 * @nfds:	how many, at most FASTPATH_MAX_FDS
 *
 * Return: 0, or -errno.
 */
int fastpath_msg_send_fds(int sock, const struct fastpath_msg *m, const int *fds, size_t nfds)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(FASTPATH_MAX_FDS * sizeof(int))];
	} cb;
	struct iovec iov = { (void *)m, sizeof(*m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (nfds > FASTPATH_MAX_FDS)
		return -EINVAL;
	if (nfds) {
		struct cmsghdr *c;

		memset(&cb, 0, sizeof(cb));
		mh.msg_control = cb.buf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	}
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == sizeof(*m) ? 0 : -EPROTO;
}

/**
 * fastpath_msg_send() - send one message, with an fd if @fd >= 0
 * @sock:	SOCK_SEQPACKET socket
 * @m:		the message
 * @fd:		passed with SCM_RIGHTS (the OFFER's memfd), or -1
 *
 * Return: 0, or -errno.
 */
int fastpath_msg_send(int sock, const struct fastpath_msg *m, int fd)
{
	return fastpath_msg_send_fds(sock, m, &fd, fd >= 0 ? 1 : 0);
}

/**
 * fastpath_msg_reply() - send a message that carries only a type and status
 * @sock:	SOCK_SEQPACKET socket
 * @type:	enum fastpath_msg_type
 * @status:	0 or a positive errno
 *
 * Return: 0, or -errno.
 */
int fastpath_msg_reply(int sock, uint16_t type, int32_t status)
{
	struct fastpath_msg m;

	fastpath_msg_init(&m, type, status);
	return fastpath_msg_send(sock, &m, -1);
}

/**
 * fastpath_msg_recv() - receive one message within @ms milliseconds
 * @sock:	SOCK_SEQPACKET socket (blocking or not)
 * @m:		the validated message
 * @fds:	FASTPATH_MAX_FDS slots for fds passed with it (close them all)
 * @nfds:	how many were passed
 * @ms:		deadline; 0: never wait (the switch's event loop)
 *
 * Return: 0, -ECONNRESET at EOF, -ETIMEDOUT (-EAGAIN when @ms is 0),
 * -EPROTO for an invalid or truncated message, or -errno.
 */
int fastpath_msg_recv(int sock, struct fastpath_msg *m, int *fds, size_t *nfds, long ms)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(FASTPATH_MAX_FDS * sizeof(int))];
	} cbuf;
	long deadline = deadline_in(ms);
	uint8_t raw[sizeof(*m) + 1];
	struct iovec iov = { raw, sizeof(raw) };
	struct msghdr mh = { 0 };
	struct cmsghdr *c;
	ssize_t n;

	*nfds = 0;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf.buf;
	mh.msg_controllen = sizeof(cbuf.buf);
	n = recvmsg_by(sock, &mh, MSG_CMSG_CLOEXEC, deadline);
	if (n == -ETIMEDOUT && ms == 0)
		return -EAGAIN;
	if (n < 0)
		return (int)n;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		size_t k, cnt;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
		    c->cmsg_len < CMSG_LEN(0))
			continue;
		cnt = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (k = 0; k < cnt && *nfds < FASTPATH_MAX_FDS; k++)
			memcpy(&fds[(*nfds)++], CMSG_DATA(c) + k * sizeof(int), sizeof(int));
	}
	if (n == 0)
		return -ECONNRESET;
	if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
		return -EPROTO;
	return fastpath_msg_check(raw, (size_t)n, m);
}

/**
 * fastpath_region_create() - the switch's sealed memfd with a fresh region
 * @ring_size:	bytes per ring (a power of two, SHMRING_SIZE_MIN..MAX)
 * @features:	enum shmring_features granted
 * @map:	its mapping, on success (munmap(*map, *maplen) when done)
 * @maplen:	its length
 *
 * Sealed against shrinking and growing, so the client may map it safely.
 *
 * Return: the memfd (to pass in the OFFER, then close), or -errno.
 */
int fastpath_region_create(uint32_t ring_size, uint32_t features, void **map, size_t *maplen)
{
	size_t len = shmring_region_size(ring_size);
	int fd, ret;
	void *p;

	if (!len)
		return -EINVAL;
	fd = memfd_create("vdekit-fastpath", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)len) ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)) {
		ret = -errno;
		goto fail;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		ret = -errno;
		goto fail;
	}
	ret = shmring_region_init(p, len, ring_size, features);
	if (ret) {
		munmap(p, len);
		goto fail;
	}
	*map = p;
	*maplen = len;
	return fd;
fail:
	close(fd);
	return ret;
}

/**
 * fastpath_region_map() - the client's checks, then map an offered memfd
 * @memfd:	the fd from the OFFER
 * @ring_size:	the OFFER's ring_size
 * @features:	the OFFER's features
 * @map:	the mapping, on success
 * @maplen:	its length
 * @l:		the validated layout (use it, not the region's header)
 *
 * The memfd must be a regular file sealed against shrinking (else the
 * switch could make our accesses fault), large enough, and hold a region
 * header that agrees with the OFFER.
 *
 * Return: 0, or -EPROTO (or -errno from mmap).
 */
int fastpath_region_map(int memfd, uint32_t ring_size, uint32_t features, void **map,
			size_t *maplen, struct shmring_layout *l)
{
	size_t need = shmring_region_size(ring_size);
	struct stat st;
	int seals;
	void *p;

	if (!need || fstat(memfd, &st) || !S_ISREG(st.st_mode))
		return -EPROTO;
	seals = fcntl(memfd, F_GET_SEALS);
	if (seals < 0 || !(seals & F_SEAL_SHRINK) || st.st_size < 0 ||
	    (uint64_t)st.st_size < need)
		return -EPROTO;
	p = mmap(NULL, need, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (p == MAP_FAILED)
		return -errno;
	if (shmring_region_check(p, need, l) || l->ring_size != ring_size ||
	    l->features != features) {
		munmap(p, need);
		return -EPROTO;
	}
	*map = p;
	*maplen = need;
	return 0;
}

/**
 * fastpath_bells_close() - close every fd of @b that is open
 * @b:		doorbell pipes (fds set to -1)
 */
void fastpath_bells_close(struct fastpath_bells *b)
{
	size_t i;

	if (b->s2c_write >= 0)
		close(b->s2c_write);
	if (b->c2s_read >= 0)
		close(b->c2s_read);
	b->s2c_write = b->c2s_read = -1;
	for (i = 0; i < FASTPATH_OFFER_FDS; i++) {
		if (b->peer[i] >= 0)
			close(b->peer[i]);
		b->peer[i] = -1;
	}
}

/**
 * fastpath_bells_create() - the switch's two doorbell pipes
 * @b:		filled: the switch's ends and the client's three
 *
 * Each pipe end is its own open file description: the switch's ends are
 * O_NONBLOCK and nothing the client does with its ends can change that.
 * The extra reader of c2s (FASTPATH_FD_C2S_KEEP) is a new open file
 * description of the same pipe, made through /proc/self/fd: while the
 * client holds it, its doorbell writes never fail with EPIPE (a library
 * must not raise SIGPIPE in its user) and it cannot reach the switch's
 * reader's flags. Without /proc the feature is not granted.
 *
 * Return: 0, or -errno (nothing left open).
 */
int fastpath_bells_create(struct fastpath_bells *b)
{
	int s2c[2] = { -1, -1 }, c2s[2] = { -1, -1 }, keep = -1, ret = 0;
	char path[64];
	size_t i;

	b->s2c_write = b->c2s_read = -1;
	for (i = 0; i < FASTPATH_OFFER_FDS; i++)
		b->peer[i] = -1;
	if (pipe2(s2c, O_CLOEXEC) || pipe2(c2s, O_CLOEXEC)) {
		ret = -errno;
		goto fail;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", c2s[0]);
	keep = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (keep < 0 || fcntl(s2c[1], F_SETFL, O_NONBLOCK) ||
	    fcntl(c2s[0], F_SETFL, O_NONBLOCK) || fcntl(c2s[1], F_SETFL, O_NONBLOCK)) {
		ret = -errno;
		goto fail;
	}
	/* a doorbell is a byte, a full pipe means one is pending. c2s: one
	 * page. s2c: two, because the client polls it (read-write) for
	 * POLLOUT and a pipe polls writable only while a slot is free; 1-byte
	 * writes merge into one page, so it stays writable until 4096
	 * doorbells wait unread (with one page, a single pending doorbell made
	 * vde_datafd() unwritable: vde_plug waited 50 ms at every full ring) */
	(void)fcntl(s2c[1], F_SETPIPE_SZ, 8192);
	(void)fcntl(c2s[1], F_SETPIPE_SZ, 4096);
	b->s2c_write = s2c[1];
	b->c2s_read = c2s[0];
	b->peer[FASTPATH_FD_S2C_READ] = s2c[0];
	b->peer[FASTPATH_FD_C2S_WRITE] = c2s[1];
	b->peer[FASTPATH_FD_C2S_KEEP] = keep;
	return 0;
fail:
	for (i = 0; i < 2; i++) {
		if (s2c[i] >= 0)
			close(s2c[i]);
		if (c2s[i] >= 0)
			close(c2s[i]);
	}
	if (keep >= 0)
		close(keep);
	return ret ? ret : -EIO;
}

/**
 * fastpath_pipe_reopen() - a new open file description of the pipe of @fd
 * @fd:		an end of a pipe we hold
 * @flags:	O_RDONLY or O_WRONLY, with O_NONBLOCK if wanted (O_CLOEXEC
 *		is added)
 *
 * Through /proc/self/fd: the new description has flags of its own, so
 * whoever gets it cannot change ours (O_NONBLOCK is per description).
 *
 * Return: the fd, or -errno.
 */
int fastpath_pipe_reopen(int fd, int flags)
{
	char path[64];
	int r;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	r = open(path, flags | O_CLOEXEC);
	return r < 0 ? -errno : r;
}

/* A pipe end with access mode @acc; its inode in @st. */
static bool pipe_end(int fd, int acc, struct stat *st)
{
	int fl = fcntl(fd, F_GETFL);

	return fl >= 0 && (fl & O_ACCMODE) == acc && !fstat(fd, st) && S_ISFIFO(st->st_mode);
}

/**
 * fastpath_bells_check() - the client's checks of an OFFER's pipe ends
 * @fds:	the OFFER's FASTPATH_OFFER_FDS fds in their documented order
 *
 * S2C_READ a pipe's read end, C2S_WRITE a write end of another pipe,
 * C2S_KEEP a read end of that same pipe (else our writes could raise
 * SIGPIPE once the switch is gone).
 *
 * Return: 0, or -EPROTO.
 */
int fastpath_bells_check(const int *fds)
{
	struct stat rx, tx, keep;

	if (!pipe_end(fds[FASTPATH_FD_S2C_READ], O_RDONLY, &rx) ||
	    !pipe_end(fds[FASTPATH_FD_C2S_WRITE], O_WRONLY, &tx) ||
	    !pipe_end(fds[FASTPATH_FD_C2S_KEEP], O_RDONLY, &keep))
		return -EPROTO;
	if (tx.st_dev != keep.st_dev || tx.st_ino != keep.st_ino ||
	    (rx.st_dev == tx.st_dev && rx.st_ino == tx.st_ino))
		return -EPROTO;
	return 0;
}
