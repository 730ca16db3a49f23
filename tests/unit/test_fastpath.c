// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_fastpath.c - lib/vdeplug/fastpath.c, the client side of
 * the shared-memory fast path, against the switch end of the protocol
 * played by this program as docs/fastpath.md describes it: negotiation
 * (offer, refusals, an unsealed or garbage region, no ACTIVE), frames sent
 * before ACTIVE coming first, QEMU-style poll + one vde_recv per wake-up
 * with no lost and no spurious wake-up, blocking and non-blocking sends on
 * a full ring, batches, and VDEPLUG_FASTPATH=0 / no .fastpath socket.
 * The data path tests run twice: doorbells as zero-length datagrams (a
 * switch of an older build) and on pipes (FASTPATH_FEAT_PIPES), where the
 * pipe's read end takes vde_datafd()'s number and the switch's end of the
 * pipe closing (the switch gone) must not leave it readable. The shortcuts'
 * control channel: a bad message or a full table closes it (its fds closed
 * too), and frames through the switch go on. The order a client reads its
 * rings in: s2c and a shortcut in turn, a withdrawn shortcut after s2c up
 * to its mark and before the rest.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fastpath.h"
#include "mod.h"
#include "tap.h"
#include "vnet-frames.h"

enum srv_mode {
	SRV_OK, SRV_REFUSE, SRV_UNSEALED, SRV_BADMAGIC, SRV_NOACTIVE, SRV_SMALL,
	SRV_PIPES,		/* grants pipes when asked, with the right ends */
	SRV_PIPES_SWAPPED,	/* the client's ends in the wrong order */
	SRV_PIPES_NOKEEP,	/* no reader of c2s for the client to hold */
	SRV_PIPES_ONEFD,	/* grants pipes, sends the memfd alone */
	SRV_PIPES_UNASKED,	/* grants pipes to a client that did not ask */
};
static bool use_pipes;		/* the data path tests: doorbells on pipes */

struct srv {
	int sock;
	enum srv_mode mode;
	char endpoint[108];	/* what the REQUEST named */
	int got_accept, got_decline;
	uint32_t asked;		/* the REQUEST's features */
	struct fastpath_bells bells;
	void *map;
	size_t maplen;
};

static long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void srv_send(int sock, uint16_t type, int32_t status, uint32_t ring_size, int fd)
{
	struct fastpath_msg m;

	fastpath_msg_init(&m, type, status);
	m.ring_size = ring_size;
	fastpath_msg_send(sock, &m, fd);
}

/* The switch's side of the negotiation, one connection. */
static void *srv_run(void *arg)
{
	struct srv *s = arg;
	struct fastpath_msg m;
	uint32_t rs = SHMRING_SIZE_MIN;
	size_t len = shmring_region_size(rs);
	uint8_t raw[200];
	ssize_t n;
	int fd;

	n = recv(s->sock, raw, sizeof(raw), 0);
	if (n < 0 || fastpath_msg_check(raw, (size_t)n, &m) || m.type != FASTPATH_REQUEST)
		return NULL;
	memcpy(s->endpoint, m.endpoint, sizeof(s->endpoint));
	s->asked = m.features;
	if (s->mode == SRV_REFUSE) {
		srv_send(s->sock, FASTPATH_REFUSE, EPERM, 0, -1);
		return NULL;
	}
	if (s->mode == SRV_UNSEALED) {
		fd = memfd_create("vdekit-fastpath-test", MFD_CLOEXEC | MFD_ALLOW_SEALING);
		if (fd < 0 || ftruncate(fd, (off_t)len))
			abort();
		s->map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (s->map == MAP_FAILED)
			abort();
		s->maplen = len;
		shmring_region_init(s->map, len, rs, 0);
	} else {
		fd = fastpath_region_create(rs, 0, &s->map, &s->maplen);
		if (fd < 0)
			abort();
	}
	if (s->mode == SRV_BADMAGIC)
		((struct shmring_region *)s->map)->magic = 0x12345678;
	if (s->mode >= SRV_PIPES) {
		int fds[FASTPATH_OFFER_FDS];
		size_t nfds;

		if (fastpath_bells_create(&s->bells))
			abort();
		memcpy(fds, s->bells.peer, sizeof(fds));
		fds[FASTPATH_FD_REGION] = fd;
		if (s->mode == SRV_PIPES_SWAPPED) {
			fds[FASTPATH_FD_S2C_READ] = s->bells.peer[FASTPATH_FD_C2S_WRITE];
			fds[FASTPATH_FD_C2S_WRITE] = s->bells.peer[FASTPATH_FD_S2C_READ];
		}
		if (s->mode == SRV_PIPES_NOKEEP)
			fds[FASTPATH_FD_C2S_KEEP] = s->bells.peer[FASTPATH_FD_S2C_READ];
		fastpath_msg_init(&m, FASTPATH_OFFER, 0);
		m.ring_size = rs;
		m.features = (s->asked | (s->mode == SRV_PIPES_UNASKED ? FASTPATH_FEAT_PIPES : 0)) &
			     FASTPATH_FEAT_PIPES;
		nfds = m.features && s->mode != SRV_PIPES_ONEFD ? FASTPATH_OFFER_FDS : 1;
		fastpath_msg_send_fds(s->sock, &m, fds, nfds);
		fastpath_bells_close(&s->bells);
	} else {
		srv_send(s->sock, FASTPATH_OFFER, 0, s->mode == SRV_SMALL ? rs * 2 : rs, fd);
	}
	close(fd);
	if (recv(s->sock, &m, sizeof(m), 0) != (ssize_t)sizeof(m))
		return NULL;
	s->got_accept = m.type == FASTPATH_ACCEPT;
	s->got_decline = m.type == FASTPATH_DECLINE;
	if (s->got_accept && s->mode != SRV_NOACTIVE)
		srv_send(s->sock, FASTPATH_ACTIVE, 0, 0, -1);
	return NULL;
}

static int negotiate_bells(enum srv_mode mode, uint32_t features, struct srv *s, void **map,
			   size_t *maplen, struct shmring_layout *l, int *bells)
{
	pthread_t t;
	int sv[2], ret;
	uint32_t granted;

	memset(s, 0, sizeof(*s));
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		abort();
	s->sock = sv[1];
	s->mode = mode;
	pthread_create(&t, NULL, srv_run, s);
	ret = fastpath_negotiate(sv[0], "/tmp/sw/001.6", 0, features, map, maplen, l, bells,
				 &granted);
	close(sv[0]);	/* NOACTIVE: the server is waiting for nothing more */
	pthread_join(t, NULL);
	close(sv[1]);
	return ret;
}

static int negotiate(enum srv_mode mode, struct srv *s, void **map, size_t *maplen,
		     struct shmring_layout *l)
{
	int bells[FASTPATH_OFFER_FDS], ret;

	ret = negotiate_bells(mode, 0, s, map, maplen, l, bells);
	if (bells[FASTPATH_FD_S2C_READ] >= 0)
		abort();	/* pipes not asked for */
	return ret;
}

static void test_messages(void)
{
	struct fastpath_msg m, out;
	uint8_t raw[sizeof(m) + 1];

	fastpath_msg_init(&m, FASTPATH_REQUEST, 0);
	strcpy(m.endpoint, "/tmp/sw/001.6");
	memcpy(raw, &m, sizeof(m));
	ok(fastpath_msg_check(raw, sizeof(m), &out) == 0 && !strcmp(out.endpoint, "/tmp/sw/001.6"),
	   "a REQUEST checks");
	ok(fastpath_msg_check(raw, sizeof(m) - 1, &out) == -EPROTO &&
	   fastpath_msg_check(raw, sizeof(m) + 1, &out) == -EPROTO, "wrong sizes refused");
	m.type = FASTPATH_SC_REVOKE + 1;
	memcpy(raw, &m, sizeof(m));
	ok(fastpath_msg_check(raw, sizeof(m), &out) == -EPROTO, "unknown type refused");
	m.type = FASTPATH_REQUEST;
	memset(m.endpoint, 'a', sizeof(m.endpoint));
	memcpy(raw, &m, sizeof(m));
	ok(fastpath_msg_check(raw, sizeof(m), &out) == -EPROTO, "unterminated endpoint refused");
	m.endpoint[0] = '\0';
	memcpy(raw, &m, sizeof(m));
	ok(fastpath_msg_check(raw, sizeof(m), &out) == -EPROTO, "empty endpoint refused");
	fastpath_msg_init(&m, FASTPATH_REFUSE, -1);
	memcpy(raw, &m, sizeof(m));
	ok(fastpath_msg_check(raw, sizeof(m), &out) == -EPROTO, "negative status refused");
	fastpath_msg_init(&m, FASTPATH_ACTIVE, 0);
	m.reserved = 1;
	memcpy(raw, &m, sizeof(m));
	ok(fastpath_msg_check(raw, sizeof(m), &out) == -EPROTO, "reserved bits refused");
	/* shortcut messages: an id >= 1, SC_TX's MAC and zeros only */
	fastpath_msg_init(&m, FASTPATH_SC_TX, 3);
	memcpy(m.endpoint, "\x02\x00\x00\x00\x0b\x01", 6);
	memcpy(raw, &m, sizeof(m));
	ok(fastpath_msg_check(raw, sizeof(m), &out) == 0 && out.status == 3 &&
	   !memcmp(out.endpoint, "\x02\x00\x00\x00\x0b\x01", 6), "an SC_TX checks");
	m.endpoint[6] = 1;
	memcpy(raw, &m, sizeof(m));
	ok(fastpath_msg_check(raw, sizeof(m), &out) == -EPROTO, "SC_TX: a byte after the MAC refused");
	fastpath_msg_init(&m, FASTPATH_SC_RX, 3);
	m.endpoint[0] = 2;
	memcpy(raw, &m, sizeof(m));
	ok(fastpath_msg_check(raw, sizeof(m), &out) == -EPROTO, "SC_RX: a MAC refused");
	fastpath_msg_init(&m, FASTPATH_SC_REVOKE, 0);
	memcpy(raw, &m, sizeof(m));
	ok(fastpath_msg_check(raw, sizeof(m), &out) == -EPROTO, "a shortcut id 0 refused");
	fastpath_msg_init(&m, FASTPATH_SC_REVOKE, 9);
	memcpy(raw, &m, sizeof(m));
	ok(fastpath_msg_check(raw, sizeof(m), &out) == 0, "an SC_REVOKE checks");
}

/* FASTPATH_FEAT_PIPES in REQUEST and OFFER: the fds' count, kinds, order. */
static void test_negotiation_pipes(void)
{
	int bells[FASTPATH_OFFER_FDS], i, fl;
	struct shmring_layout l;
	struct stat a, b;
	size_t maplen;
	struct srv s;
	void *map;

	ok(negotiate_bells(SRV_OK, FASTPATH_FEAT_PIPES, &s, &map, &maplen, &l, bells) == 1 &&
	   s.asked == FASTPATH_FEAT_PIPES && bells[FASTPATH_FD_S2C_READ] == -1,
	   "pipes asked, a switch of an older build grants none: datagram doorbells");
	munmap(map, maplen);
	munmap(s.map, s.maplen);
	ok(negotiate_bells(SRV_PIPES, FASTPATH_FEAT_PIPES, &s, &map, &maplen, &l, bells) == 1 &&
	   s.got_accept, "pipes granted: accepted, active");
	fl = fcntl(bells[FASTPATH_FD_S2C_READ], F_GETFL);
	ok(fl >= 0 && (fl & O_ACCMODE) == O_RDONLY &&
	   (fcntl(bells[FASTPATH_FD_C2S_WRITE], F_GETFL) & O_ACCMODE) == O_WRONLY &&
	   !fstat(bells[FASTPATH_FD_C2S_WRITE], &a) && !fstat(bells[FASTPATH_FD_C2S_KEEP], &b) &&
	   a.st_ino == b.st_ino && S_ISFIFO(a.st_mode),
	   "the client's ends: s2c read, c2s write, and a reader of the same c2s pipe");
	for (i = 1; i < FASTPATH_OFFER_FDS; i++)
		close(bells[i]);
	munmap(map, maplen);
	munmap(s.map, s.maplen);
	ok(negotiate_bells(SRV_PIPES, 0, &s, &map, &maplen, &l, bells) == 1 && s.asked == 0 &&
	   bells[FASTPATH_FD_S2C_READ] == -1,
	   "VDEPLUG_FASTPATH_PIPES=0 (not asked): a switch that has pipes does not grant them");
	munmap(map, maplen);
	munmap(s.map, s.maplen);
	ok(negotiate_bells(SRV_PIPES_SWAPPED, FASTPATH_FEAT_PIPES, &s, &map, &maplen, &l,
			   bells) == 0 && !map && s.got_decline,
	   "pipe ends in the wrong order: declined, datagrams");
	munmap(s.map, s.maplen);
	ok(negotiate_bells(SRV_PIPES_NOKEEP, FASTPATH_FEAT_PIPES, &s, &map, &maplen, &l,
			   bells) == 0 && !map && s.got_decline,
	   "no reader of the c2s pipe (SIGPIPE possible): declined");
	munmap(s.map, s.maplen);
	ok(negotiate_bells(SRV_PIPES_ONEFD, FASTPATH_FEAT_PIPES, &s, &map, &maplen, &l,
			   bells) == 0 && !map && s.got_decline,
	   "pipes granted with the memfd alone: declined");
	munmap(s.map, s.maplen);
	ok(negotiate_bells(SRV_PIPES_UNASKED, 0, &s, &map, &maplen, &l, bells) == 0 && !map &&
	   s.got_decline, "pipes granted without being asked for: declined");
	munmap(s.map, s.maplen);
}

static void test_negotiation(void)
{
	struct shmring_layout l;
	size_t maplen;
	struct srv s;
	void *map;

	ok(negotiate(SRV_OK, &s, &map, &maplen, &l) == 1 && map && s.got_accept &&
	   !strcmp(s.endpoint, "/tmp/sw/001.6") && l.ring_size == SHMRING_SIZE_MIN,
	   "offer checked, accepted, active; the request names the endpoint");
	munmap(map, maplen);
	munmap(s.map, s.maplen);
	ok(negotiate(SRV_REFUSE, &s, &map, &maplen, &l) == 0 && !map,
	   "refused: stay on datagrams");
	ok(negotiate(SRV_UNSEALED, &s, &map, &maplen, &l) == 0 && !map && s.got_decline,
	   "a region the switch could shrink is declined");
	munmap(s.map, s.maplen);
	ok(negotiate(SRV_BADMAGIC, &s, &map, &maplen, &l) == 0 && !map && s.got_decline,
	   "a garbage region header is declined");
	munmap(s.map, s.maplen);
	ok(negotiate(SRV_SMALL, &s, &map, &maplen, &l) == 0 && !map && s.got_decline,
	   "a memfd smaller than the offered size is declined");
	munmap(s.map, s.maplen);
	ok(negotiate(SRV_NOACTIVE, &s, &map, &maplen, &l) == -EPROTO && !map,
	   "accepted but never active: the connection must be given up");
	munmap(s.map, s.maplen);
	test_negotiation_pipes();
}

/* fastpath_open() through a switch directory. */
static void test_open(void)
{
	char dir[] = "/tmp/vdekit-fp-XXXXXX", path[100];
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct vdeconn *conn = calloc(1, sizeof(*conn));
	struct srv s = { .mode = SRV_OK };
	int lsock, sv[2], st = -1;
	pid_t pid;

	if (!conn || !mkdtemp(dir) || socketpair(AF_UNIX, SOCK_DGRAM, 0, sv))
		abort();
	conn->fddata = sv[0];
	conn->fdctl = -1;
	ok(fastpath_open(conn, dir, "/x/001.6", false) == 0 && !conn->u.vde.fp,
	   "no .fastpath socket (any VDE 2 switch): nothing changes");
	snprintf(path, sizeof(path), "%s/%s", dir, FASTPATH_SOCK);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	lsock = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (lsock < 0 || bind(lsock, (struct sockaddr *)&sun, sizeof(sun)) || listen(lsock, 4))
		abort();
	setenv(FASTPATH_ENV, "0", 1);
	ok(fastpath_open(conn, dir, "/x/001.6", false) == 0 && !conn->u.vde.fp,
	   "VDEPLUG_FASTPATH=0: the switch is not even asked");
	{
		struct pollfd p = { lsock, POLLIN, 0 };

		ok(poll(&p, 1, 0) == 0, "no connection was made to .fastpath");
	}
	unsetenv(FASTPATH_ENV);
	/* a child plays the switch: it accepts while we connect */
	pid = fork();
	if (pid == 0) {
		s.sock = accept(lsock, NULL, NULL);
		srv_run(&s);
		_exit(s.got_accept ? 0 : 1);
	}
	ok(fastpath_open(conn, dir, "/x/001.6", false) == 0 && conn->u.vde.fp,
	   "a switch offering rings: ring mode");
	ok(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	   "the switch saw ACCEPT");
	fastpath_close(conn);
	ok(!conn->u.vde.fp, "closed");
	close(lsock);
	unlink(path);
	rmdir(dir);
	close(sv[0]);
	close(sv[1]);
	free(conn);
}

/* The switch end of the rings for the data path tests. */
struct sw {
	void *map;
	size_t maplen;
	struct shmring tx;	/* s2c: the switch produces */
	struct shmring rx;	/* c2s: the switch consumes */
	int s;			/* the switch's data socket (connected to the client's) */
	int ctl[2];		/* [0] client end, [1] switch end */
	int c;			/* the client's data socket: vde_datafd() (with pipes,
				 * the s2c pipe's read end at the same number) */
	struct fastpath_bells pb;	/* with pipes: the switch's ends (and the client's) */
	struct vde_fastpath *fp;
	/* hammer */
	uint32_t n, produced, pauses, lost, bells;
	volatile int stop;
};

static void sw_setup_f(struct sw *w, uint32_t features)
{
	struct shmring_layout l;
	int sv[2];

	memset(w, 0, sizeof(*w));
	w->maplen = shmring_region_size(SHMRING_SIZE_MIN);
	w->map = mmap(NULL, w->maplen, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (w->map == MAP_FAILED || shmring_region_init(w->map, w->maplen, SHMRING_SIZE_MIN, features) ||
	    socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, w->ctl))
		abort();
	w->c = sv[0];
	w->s = sv[1];
	w->pb.s2c_write = w->pb.c2s_read = -1;
	if (use_pipes && fastpath_bells_create(&w->pb))
		abort();
	shmring_region_check(w->map, w->maplen, &l);
	shmring_attach(&w->tx, w->map, &l, SHMRING_S2C, true);
	shmring_attach(&w->rx, w->map, &l, SHMRING_C2S, false);
}

static void sw_setup(struct sw *w)
{
	sw_setup_f(w, 0);
}

/* A doorbell to the client. */
static void sw_bell(struct sw *w)
{
	static const char one = 1;

	if (use_pipes)
		(void)!write(w->pb.s2c_write, &one, 1);
	else
		send(w->s, "", 0, MSG_DONTWAIT);
	w->bells++;
}

/* Read one batch of doorbells from the client; false if none. */
static bool sw_take(struct sw *w)
{
	char b[64];

	if (use_pipes)
		return read(w->pb.c2s_read, b, sizeof(b)) > 0 ||
		       recv(w->s, b, sizeof(b), MSG_DONTWAIT) >= 0;
	return recv(w->s, b, sizeof(b), MSG_DONTWAIT) >= 0;
}

/* The client maps the same memory (a second mapping of an anonymous
 * shared region is the same pages: use it directly). */
static void sw_client(struct sw *w)
{
	struct shmring_layout l;

	shmring_region_check(w->map, w->maplen, &l);
	if (use_pipes) {
		sw_bell(w);	/* the doorbell before ACTIVE */
		w->pb.peer[FASTPATH_FD_REGION] = -1;
	}
	w->fp = fastpath_attach(w->c, w->ctl[0], w->map, w->maplen, &l,
				use_pipes ? w->pb.peer : NULL, -1);
	if (!w->fp)
		abort();
	if (use_pipes) {
		int i;

		for (i = 0; i < FASTPATH_OFFER_FDS; i++)
			w->pb.peer[i] = -1;	/* the client's now */
	}
}

static void sw_teardown(struct sw *w)
{
	if (w->fp) {
		/* fastpath_free unmaps: the region is shared with the test's view */
		if (w->fp->pipes) {
			close(w->fp->sock);
			close(w->fp->bell_tx);
			close(w->fp->bell_keep);
			close(w->fp->bell_nb);
		}
		free(w->fp);
	}
	if (use_pipes)
		fastpath_bells_close(&w->pb);
	munmap(w->map, w->maplen);
	close(w->c);
	close(w->s);
	if (w->ctl[0] >= 0)
		close(w->ctl[0]);
	if (w->ctl[1] >= 0)
		close(w->ctl[1]);
}

static void sw_put(struct sw *w, uint32_t seq, size_t len)
{
	uint8_t buf[2000];
	struct iovec iov = { buf, len };
	struct shmring_txf f = { &iov, 1, 0 };
	bool kick;

	memset(buf, 0, sizeof(buf));
	memcpy(buf, &seq, sizeof(seq));
	if (shmring_produce(&w->tx, &f, 1, &kick) != 1)
		abort();
	if (kick)
		sw_bell(w);
}

/* Doorbells (pokes) from the client: answer if frames wait for it. */
static void sw_pokes(struct sw *w)
{
	while (sw_take(w)) {
		if (shmring_kick_check(&w->tx))
			sw_bell(w);
	}
}

static bool readable(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };

	return poll(&p, 1, 0) > 0;
}

static void test_predrain(void)
{
	uint8_t buf[2000];
	uint32_t seq[5];
	struct sw w;
	int i;

	sw_setup(&w);
	/* two frames reach the client's socket before ACTIVE */
	memset(buf, 0, 64);
	buf[0] = 0xd1;
	send(w.s, buf, 64, 0);
	buf[0] = 0xd2;
	send(w.s, buf, 64, 0);
	sw_client(&w);
	sw_put(&w, 100, 60);
	sw_put(&w, 101, 60);
	sw_put(&w, 102, 60);
	for (i = 0; i < 5; i++) {
		ssize_t n;

		sw_pokes(&w);	/* the switch's loop */
		if (!readable(w.c))
			break;
		n = fastpath_recv(w.fp, buf, sizeof(buf));
		seq[i] = n == 64 ? buf[0] : n == 60 ? *(uint32_t *)buf : 0;
	}
	ok(i == 5 && seq[0] == 0xd1 && seq[1] == 0xd2 && seq[2] == 100 && seq[3] == 101 &&
	   seq[4] == 102, "datagrams sent before ACTIVE first, then the ring, each after a wake-up");
	ok(!readable(w.c), "ring empty: vde_datafd() not readable (no spurious wake-up)");
	fcntl(w.c, F_SETFL, O_NONBLOCK);
	errno = 0;
	ok(fastpath_recv(w.fp, buf, sizeof(buf)) == -1 && errno == EAGAIN,
	   "non-blocking recv on an empty ring: EAGAIN");
	sw_put(&w, 103, 60);
	ok(readable(w.c) && fastpath_recv(w.fp, buf, 10) == 10 && *(uint32_t *)buf == 103,
	   "next frame wakes; a short buffer truncates it");
	ok(fastpath_send(w.fp, buf, 0) == 0, "empty send: 0");
	errno = 0;
	ok(fastpath_send(w.fp, buf, SHMRING_FRAME_MAX + 1) == -1 && errno == EMSGSIZE,
	   "frame above frame_max: EMSGSIZE");
	sw_teardown(&w);
}

/* QEMU's way: poll vde_datafd(), one blocking vde_recv() per wake-up. */
static void *sw_producer(void *arg)
{
	struct sw *w = arg;
	unsigned int r = 7;

	while (w->produced < w->n) {
		uint32_t k = 1 + (r = r * 1103515245 + 12345) % 24, i;

		for (i = 0; i < k && w->produced < w->n; i++) {
			struct iovec iov;
			struct shmring_txf f;
			uint8_t buf[64];
			bool kick;

			memset(buf, 0, sizeof(buf));
			memcpy(buf, &w->produced, 4);
			iov = (struct iovec){ buf, sizeof(buf) };
			f = (struct shmring_txf){ &iov, 1, 0 };
			if (!shmring_produce(&w->tx, &f, 1, &kick)) {
				sw_pokes(w);
				sched_yield();
				break;
			}
			w->produced++;
			if (kick)
				sw_bell(w);
		}
		sw_pokes(w);
		if ((r >> 16) % 3 == 0) {
			long until = ms_now() + 3000;

			/* pause until the client has read everything */
			while (__atomic_load_n(&w->tx.ctl->head, __ATOMIC_ACQUIRE) != w->tx.pos &&
			       ms_now() < until) {
				sw_pokes(w);
				sched_yield();
			}
			if (__atomic_load_n(&w->tx.ctl->head, __ATOMIC_ACQUIRE) != w->tx.pos)
				w->lost++;
			w->pauses++;
		}
	}
	while (!w->stop) {
		sw_pokes(w);
		usleep(1000);
	}
	return NULL;
}

static void test_qemu_style(void)
{
	uint32_t got = 0, misorder = 0, timeouts = 0, wakeups = 0;
	uint8_t buf[2000];
	pthread_t t;
	struct sw w;

	sw_setup(&w);
	sw_client(&w);
	w.n = 300000;
	alarm(120);	/* a vde_recv() that blocks after a wake-up hangs: fail */
	pthread_create(&t, NULL, sw_producer, &w);
	while (got < w.n) {
		struct pollfd p = { w.c, POLLIN, 0 };
		ssize_t n;

		if (poll(&p, 1, 3000) <= 0) {
			timeouts++;
			if (timeouts > 3)
				break;
			continue;
		}
		wakeups++;
		n = fastpath_recv(w.fp, buf, sizeof(buf));
		if (n != 64)
			break;
		if (*(uint32_t *)buf != got)
			misorder++;
		got++;
	}
	w.stop = 1;
	pthread_join(t, NULL);
	alarm(0);
	ok(got == w.n && misorder == 0, "%u frames, one vde_recv per wake-up, in order", got);
	ok(timeouts == 0 && w.lost == 0, "no lost wake-up (%u client, %u switch) over %u pauses",
	   timeouts, w.lost, w.pauses);
	ok(!readable(w.c), "all read: vde_datafd() not readable");
	ok(w.fp->doorbells_rx == w.bells && w.bells > 0,
	   "every doorbell read, none left over: %lu for %u frames (%lu pokes)",
	   (unsigned long)w.fp->doorbells_rx, w.n, (unsigned long)w.fp->pokes);
	sw_teardown(&w);
}

/* A caller that never polls: blocking vde_recv() in a loop. */
static void test_blocking_recv(void)
{
	uint32_t got = 0, misorder = 0;
	uint8_t buf[2000];
	pthread_t t;
	struct sw w;

	sw_setup(&w);
	sw_client(&w);
	w.n = 100000;
	alarm(120);	/* a lost wake-up blocks for ever: fail */
	pthread_create(&t, NULL, sw_producer, &w);
	while (got < w.n) {
		ssize_t n = fastpath_recv(w.fp, buf, sizeof(buf));

		if (n != 64)
			break;
		if (*(uint32_t *)buf != got)
			misorder++;
		got++;
	}
	w.stop = 1;
	pthread_join(t, NULL);
	alarm(0);
	ok(got == w.n && misorder == 0 && w.lost == 0,
	   "blocking vde_recv() without poll: %u frames in order", got);
	sw_pokes(&w);
	ok(!readable(w.c) || (fcntl(w.c, F_SETFL, O_NONBLOCK) == 0 &&
			      fastpath_recv(w.fp, buf, sizeof(buf)) == -1 && errno == EAGAIN &&
			      !readable(w.c)),
	   "afterwards no frame and, once settled, not readable");
	sw_teardown(&w);
}

/* The switch consuming c2s as its loop would. */
static void *sw_consumer(void *arg)
{
	struct sw *w = arg;
	long until = ms_now() + 60000;

	while (w->produced < w->n && ms_now() < until) {
		uint8_t out[16][2000];
		struct iovec iov[16];
		struct shmring_rxf f[16];
		size_t k, i;
		bool kick;

		for (i = 0; i < 16; i++) {
			iov[i] = (struct iovec){ out[i], sizeof(out[i]) };
			f[i] = (struct shmring_rxf){ .iov = &iov[i], .iovcnt = 1 };
		}
		k = shmring_consume(&w->rx, f, 16, &kick);
		for (i = 0; i < k; i++) {
			uint32_t seq;

			memcpy(&seq, out[i], 4);
			if (seq != w->produced || f[i].len != 100 + seq % 1000)
				w->lost++;
			w->produced++;	/* here: frames received */
		}
		if (k)
			continue;
		if (!shmring_cons_arm(&w->rx)) {
			struct pollfd p = { use_pipes ? w->pb.c2s_read : w->s, POLLIN, 0 };

			poll(&p, 1, 100);
			while (sw_take(w))
				;
		}
	}
	return NULL;
}

static void test_send(void)
{
	uint8_t buf[2000];
	struct mmsghdr mm[16];
	struct iovec iov[16];
	uint8_t bb[16][200];
	uint32_t i, bad = 0;
	pthread_t t;
	struct sw w;
	int n;

	sw_setup(&w);
	sw_client(&w);
	w.n = 100000;
	pthread_create(&t, NULL, sw_consumer, &w);
	for (i = 0; i < w.n; i++) {
		memset(buf, 0, 8);
		memcpy(buf, &i, 4);
		if (fastpath_send(w.fp, buf, 100 + i % 1000) != (ssize_t)(100 + i % 1000))
			bad++;
	}
	pthread_join(t, NULL);
	ok(bad == 0 && w.produced == w.n && w.lost == 0,
	   "%u frames sent through a ring that fills (blocking send waits), all in order",
	   w.produced);

	/* non-blocking and a full ring */
	fcntl(w.c, F_SETFL, O_NONBLOCK);
	memset(buf, 0, sizeof(buf));
	for (i = 0; i < 1000 && fastpath_send(w.fp, buf, 1500) == 1500; i++)
		;
	ok(i < 1000 && errno == EAGAIN, "O_NONBLOCK: a full ring gives EAGAIN after %u frames", i);
	/* the switch went to sleep (armed) with our frames still in c2s: no
	 * frame of ours can ring it now, so the full ring must */
	while (sw_take(&w))
		;
	__atomic_store_n(&w.rx.ctl->cons_sleeping, 1, __ATOMIC_SEQ_CST);
	errno = 0;
	ok(fastpath_send(w.fp, buf, 1500) == -1 && errno == EAGAIN && sw_take(&w) &&
	   !__atomic_load_n(&w.rx.ctl->cons_sleeping, __ATOMIC_SEQ_CST),
	   "full ring, switch asleep: EAGAIN and a doorbell wakes it");
	close(w.ctl[1]);
	w.ctl[1] = -1;
	errno = 0;
	ok(fastpath_send(w.fp, buf, 1500) == -1 && errno == ECONNREFUSED,
	   "full ring and the switch gone (ctl EOF): ECONNREFUSED");

	/* batches: drain c2s first, then 10 frames each way */
	{
		struct shmring_rxf f;
		struct iovec o = { buf, sizeof(buf) };
		bool kick;

		f = (struct shmring_rxf){ .iov = &o, .iovcnt = 1 };
		while (shmring_consume(&w.rx, &f, 1, &kick))
			;
	}
	for (i = 0; i < 16; i++) {
		memset(&mm[i], 0, sizeof(mm[i]));
		memset(bb[i], (int)i, sizeof(bb[i]));
		iov[i] = (struct iovec){ bb[i], 60 + i };
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	n = fastpath_send_batch(w.fp, mm, 10, 0);
	{
		struct shmring_rxf f[16];
		struct iovec o[16];
		uint8_t ob[16][200];
		bool kick, same = true;
		size_t k, j;

		for (j = 0; j < 16; j++) {
			o[j] = (struct iovec){ ob[j], sizeof(ob[j]) };
			f[j] = (struct shmring_rxf){ .iov = &o[j], .iovcnt = 1 };
		}
		k = shmring_consume(&w.rx, f, 16, &kick);
		for (j = 0; j < k; j++)
			same = same && f[j].len == 60 + j && ob[j][0] == j && mm[j].msg_len == 60 + j;
		ok(n == 10 && k == 10 && same, "send batch: 10 frames in one publish");
	}
	for (i = 0; i < 10; i++)
		sw_put(&w, 500 + i, 80);
	for (i = 0; i < 16; i++)
		iov[i] = (struct iovec){ bb[i], sizeof(bb[i]) };
	n = fastpath_recv_batch(w.fp, mm, 16, 0);
	ok(n == 10 && mm[0].msg_len == 80 && *(uint32_t *)bb[9] == 509,
	   "recv batch: the 10 frames in one call");
	ok(fastpath_recv_batch(w.fp, mm, 16, MSG_DONTWAIT) == -1 && errno == EAGAIN &&
	   !readable(w.c), "recv batch on an empty ring: EAGAIN, not readable");
	sw_teardown(&w);
}

/* Pipes: vde_datafd() polls writable (applications wait for POLLOUT on it
 * after EAGAIN from vde_send(), as on the VDE 2 socket), and the switch
 * gone (its s2c write end closed) does not make it readable for ever: we
 * hold a writer of s2c ourselves, so there is no EOF for a poller to spin
 * on; the end is told by vde_ctlfd(), as on the datagram path. */
static void test_switch_gone(bool batch)
{
	uint8_t buf[200];
	struct iovec iov = { buf, sizeof(buf) };
	struct mmsghdr mm = { .msg_hdr = { .msg_iov = &iov, .msg_iovlen = 1 } };
	struct pollfd p;
	struct sw w;
	ssize_t n;

	sw_setup(&w);
	sw_client(&w);
	p = (struct pollfd){ w.c, POLLOUT, 0 };
	ok(poll(&p, 1, 0) == 1 && (p.revents & POLLOUT), "vde_datafd() polls writable");
	sw_put(&w, 1, 60);
	p = (struct pollfd){ w.c, POLLOUT, 0 };
	ok(poll(&p, 1, 0) == 1 && (p.revents & POLLOUT),
	   "and still with a doorbell waiting in it (a one-page pipe is not)");
	ok(readable(w.c) && fastpath_recv(w.fp, buf, sizeof(buf)) == 60 && !readable(w.c),
	   "%s: a frame, then nothing waits", batch ? "batch" : "recv");
	close(w.pb.s2c_write);
	w.pb.s2c_write = -1;
	p = (struct pollfd){ w.c, POLLIN, 0 };
	ok(poll(&p, 1, 200) == 0, "the switch's end closed: vde_datafd() stays unreadable for 200 ms");
	fcntl(w.c, F_SETFL, O_NONBLOCK);
	errno = 0;
	if (batch)
		n = fastpath_recv_batch(w.fp, &mm, 1, MSG_DONTWAIT);
	else
		n = fastpath_recv(w.fp, buf, sizeof(buf));
	ok(n == -1 && errno == EAGAIN, "%s: EAGAIN, as on a datagram socket whose switch died",
	   batch ? "non-blocking batch" : "non-blocking vde_recv");
	sw_teardown(&w);
}

static void test_data_path(void)
{
	test_predrain();
	test_qemu_style();
	test_blocking_recv();
	test_send();
}

/* The switch produces one record: @hdr (12 bytes, or NULL: plain) + frame. */
static void sw_rec(struct sw *w, const void *hdr, const void *frame, size_t len)
{
	struct iovec iov[2] = { { (void *)hdr, SHMRING_VNET_HDR }, { (void *)frame, len } };
	struct shmring_txf f = { hdr ? iov : iov + 1, hdr ? 2 : 1, hdr ? SHMRING_F_VNET : 0 };
	bool kick;

	if (shmring_produce(&w->tx, &f, 1, &kick) != 1)
		abort();
	if (kick)
		sw_bell(w);
}

/* VNET granted: super-frames and headers both ways (fastpath_*_vnet), a
 * garbage or short header from the switch dropped and counted, the plain
 * calls on such a ring. */
static void test_vnet(void)
{
	static uint8_t sf[VDE_VNET_BUFSIZE], rec[VDE_VNET_BUFSIZE], rb[8][VDE_VNET_BUFSIZE];
	uint8_t hdr[SHMRING_VNET_HDR], plain[100];
	struct virtio_net_hdr h, z;
	struct shmring_rxf f;
	struct iovec iov = { rec, sizeof(rec) };
	struct vde_msg m, rm[8];
	size_t len, i;
	ssize_t n;
	bool kick;
	struct sw w;

	sw_setup_f(&w, SHMRING_FEAT_VNET);
	sw_client(&w);
	w.fp->predrain = false;
	ok(w.fp->vnet, "VNET: the client sees the feature granted");
	len = tv_super(sf + VDE_VNET_HDR_LEN, &h, 20000, 1448, 3);
	memcpy(sf, &h, sizeof(h));
	m = (struct vde_msg){ sf, VDE_VNET_HDR_LEN + len };
	ok(fastpath_send_vnet(w.fp, &m, 1, 0) == 1, "send_vnet: a 20 KB super-frame taken");
	f = (struct shmring_rxf){ .iov = &iov, .iovcnt = 1 };
	ok(shmring_consume(&w.rx, &f, 1, &kick) == 1 && (f.flags & SHMRING_F_VNET) &&
	   f.len == SHMRING_VNET_HDR + len && !memcmp(rec, &h, sizeof(h)) && !rec[10] &&
	   !rec[11] && !memcmp(rec + SHMRING_VNET_HDR, sf + VDE_VNET_HDR_LEN, len),
	   "it is one VNET record: 12-byte header (num_buffers 0), then the frame whole");
	m.len = 5;
	errno = 0;
	ok(fastpath_send_vnet(w.fp, &m, 1, 0) == -1 && errno == EINVAL,
	   "send_vnet: a buffer shorter than the header -> EINVAL");

	/* switch -> client: good super-frame, garbage header, plain record,
	 * header alone, then a wire frame behind a zeroed header */
	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, &h, sizeof(h));
	sw_rec(&w, hdr, sf + VDE_VNET_HDR_LEN, len);
	hdr[1] = 0x33;		/* unknown gso_type */
	sw_rec(&w, hdr, sf + VDE_VNET_HDR_LEN, len);
	memset(plain, 0x61, sizeof(plain));
	sw_rec(&w, NULL, plain, sizeof(plain));
	memset(hdr, 0, sizeof(hdr));
	sw_rec(&w, hdr, plain, 0);
	sw_rec(&w, hdr, plain, 60);
	for (i = 0; i < 8; i++)
		rm[i] = (struct vde_msg){ rb[i], sizeof(rb[i]) };
	n = fastpath_recv_vnet(w.fp, rm, 8);
	memset(&z, 0, sizeof(z));
	ok(n == 3, "recv_vnet: 3 of 5 records returned (%zd)", n);
	ok(n >= 1 && rm[0].len == VDE_VNET_HDR_LEN + len && !memcmp(rb[0], &h, sizeof(h)) &&
	   !memcmp(rb[0] + VDE_VNET_HDR_LEN, sf + VDE_VNET_HDR_LEN, len),
	   "the super-frame whole, with its header");
	ok(n >= 2 && rm[1].len == VDE_VNET_HDR_LEN + sizeof(plain) &&
	   !memcmp(rb[1], &z, sizeof(z)) && !memcmp(rb[1] + VDE_VNET_HDR_LEN, plain, sizeof(plain)),
	   "a plain record: zeroed header, its bytes intact");
	ok(n >= 3 && rm[2].len == VDE_VNET_HDR_LEN + 60 && !memcmp(rb[2], &z, sizeof(z)),
	   "a wire frame behind a zeroed header (moved over the dropped records)");
	ok(w.fp->vnet_bad == 2, "the garbage header and the header alone: dropped, counted (%llu)",
	   (unsigned long long)w.fp->vnet_bad);

	/* buffers that hold the header and the frame and nothing more: each
	 * frame is copied once, to its place behind the header (a record's
	 * header goes apart), the super-frame whole too */
	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, &h, sizeof(h));
	sw_rec(&w, hdr, sf + VDE_VNET_HDR_LEN, len);
	sw_rec(&w, NULL, plain, sizeof(plain));
	rm[0] = (struct vde_msg){ rb[0], VDE_VNET_HDR_LEN + len };
	rm[1] = (struct vde_msg){ rb[1], VDE_VNET_HDR_LEN - 1 };
	errno = 0;
	ok(fastpath_recv_vnet(w.fp, rm, 2) == -1 && errno == EINVAL,
	   "recv_vnet: a buffer shorter than the header -> EINVAL (nothing taken)");
	rm[1] = (struct vde_msg){ rb[1], VDE_VNET_HDR_LEN + sizeof(plain) };
	n = fastpath_recv_vnet(w.fp, rm, 2);
	ok(n == 2 && rm[0].len == VDE_VNET_HDR_LEN + len && !memcmp(rb[0], &h, sizeof(h)) &&
	   !memcmp(rb[0] + VDE_VNET_HDR_LEN, sf + VDE_VNET_HDR_LEN, len) &&
	   rm[1].len == VDE_VNET_HDR_LEN + sizeof(plain) && !memcmp(rb[1], &z, sizeof(z)) &&
	   !memcmp(rb[1] + VDE_VNET_HDR_LEN, plain, sizeof(plain)),
	   "recv_vnet into tight buffers: the super-frame and a plain frame whole (%zd)", n);

	/* the plain receive on a VNET ring: a super-frame cannot be returned
	 * (dropped, counted), a partial checksum is completed */
	memcpy(hdr, &h, sizeof(h));
	sw_rec(&w, hdr, sf + VDE_VNET_HDR_LEN, len);
	len = tv_super(sf + VDE_VNET_HDR_LEN, &h, 700, 1448, 4);
	h.gso_type = VIRTIO_NET_HDR_GSO_NONE;
	h.gso_size = 0;
	memcpy(hdr, &h, sizeof(h));
	sw_rec(&w, hdr, sf + VDE_VNET_HDR_LEN, len);
	n = fastpath_recv(w.fp, rec, sizeof(rec));
	ok(n == (ssize_t)len && tv_wire_ok(rec, len) && w.fp->vnet_bad == 3,
	   "vde_recv() on a VNET ring: super-frame dropped, checksum completed (%zd)", n);
	/* the header goes apart: a buffer of the frame's length is enough */
	sw_rec(&w, hdr, sf + VDE_VNET_HDR_LEN, len);
	memset(rec, 0, sizeof(rec));
	n = fastpath_recv(w.fp, rec, len);
	ok(n == (ssize_t)len && tv_wire_ok(rec, len),
	   "vde_recv() on a VNET ring into a buffer of the frame's length: whole (%zd)", n);
	/* the batch receive alike: super-frame dropped (length 1, skipped by
	 * vde_recv_batch()), checksum completed, a plain record untouched */
	{
		struct iovec bi[3];
		struct mmsghdr bm[3];

		memcpy(hdr, &h, sizeof(h));
		hdr[1] = VIRTIO_NET_HDR_GSO_TCPV4;
		sw_rec(&w, hdr, sf + VDE_VNET_HDR_LEN, len);
		hdr[1] = VIRTIO_NET_HDR_GSO_NONE;
		sw_rec(&w, hdr, sf + VDE_VNET_HDR_LEN, len);
		sw_rec(&w, NULL, plain, sizeof(plain));
		memset(bm, 0, sizeof(bm));
		for (i = 0; i < 3; i++) {
			bi[i] = (struct iovec){ rb[i], i == 1 ? len : sizeof(rb[i]) };
			bm[i].msg_hdr.msg_iov = &bi[i];
			bm[i].msg_hdr.msg_iovlen = 1;
		}
		n = fastpath_recv_batch(w.fp, bm, 3, MSG_DONTWAIT);
		ok(n == 3 && bm[0].msg_len == 1 && w.fp->vnet_bad == 4 && bm[1].msg_len == len &&
		   tv_wire_ok(rb[1], len) && bm[2].msg_len == sizeof(plain) &&
		   !memcmp(rb[2], plain, sizeof(plain)),
		   "vde_recv_batch() on a VNET ring: super-frame dropped, checksum completed in a "
		   "buffer of the frame's length, plain frame whole (%zd)", n);
	}
	sw_teardown(&w);
}

/* A shortcut to the client (SC_RX), its ring mapped here as its sender's. */
struct sc_peer {
	void *map;
	size_t maplen;
	struct fastpath_aux *aux;
	struct shmring r;
};

/* A client with a shortcut channel (@sp: its two ends, [1] the switch's),
 * its rings with @features. */
static void sc_setup_f(struct sw *w, int *sp, uint32_t features)
{
	struct shmring_layout l;
	struct mmsghdr mm = { 0 };

	sw_setup_f(w, features);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp))
		abort();
	shmring_region_check(w->map, w->maplen, &l);
	sw_bell(w);	/* the doorbell before ACTIVE */
	w->pb.peer[FASTPATH_FD_REGION] = -1;
	w->fp = fastpath_attach(w->c, w->ctl[0], w->map, w->maplen, &l, w->pb.peer, sp[0]);
	if (!w->fp || w->fp->chan != sp[0])
		abort();
	memset(w->pb.peer, -1, sizeof(w->pb.peer));	/* the client's now */
	fcntl(w->c, F_SETFL, O_NONBLOCK);
	(void)fastpath_recv_batch(w->fp, &mm, 0, MSG_DONTWAIT);
}

static void sc_setup(struct sw *w, int *sp)
{
	sc_setup_f(w, sp, 0);
}

/* The end of a test with a channel; @x (or NULL) a shortcut given. */
static void sc_done(struct sw *w, int *sp, struct sc_peer *x)
{
	fastpath_free(w->fp, 0);
	w->fp = NULL;
	w->map = NULL;	/* unmapped by fastpath_free() */
	close(sp[1]);
	if (x)
		munmap(x->map, x->maplen);
	sw_teardown(w);
}

/* After the channel closed: frames through the switch still come. */
static void sc_still(struct sw *w, uint32_t seq)
{
	uint8_t buf[200];
	struct iovec iov = { buf, sizeof(buf) };
	struct mmsghdr mm = { .msg_hdr = { .msg_iov = &iov, .msg_iovlen = 1 } };

	sw_put(w, seq, 60);
	ok(fastpath_recv_batch(w->fp, &mm, 1, MSG_DONTWAIT) == 1 && mm.msg_len == 60,
	   "and the switch's frames still come");
}


/* Open descriptors of this process. */
static int fd_count(void)
{
	char path[32];
	int fd, n = 0;

	for (fd = 0; fd < 1024; fd++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n += !access(path, F_OK);
	}
	return n;
}

/* The switch's end of the control channel: @type for shortcut @id with
 * @nfds fds (fresh shortcut regions, or pipe ends for SC_TX's last two),
 * then a new seq in the client's region. */
static void sc_say(struct sw *w, int chan, uint8_t type, int32_t id, size_t nfds)
{
	int fds[FASTPATH_MAX_FDS], p[2] = { -1, -1 };
	struct fastpath_msg m;
	struct fastpath_aux *aux = (struct fastpath_aux *)((uint8_t *)w->map + FASTPATH_AUX_OFF);
	size_t i;

	fastpath_msg_init(&m, type, id);
	m.ring_size = SHMRING_SIZE_MIN;
	for (i = 0; i < nfds; i++) {
		void *map;
		size_t len;

		if (i == 0 || type != FASTPATH_SC_TX) {
			fds[i] = fastpath_region_create(SHMRING_SIZE_MIN, 0, &map, &len);
			if (fds[i] < 0)
				abort();
			munmap(map, len);
		} else {
			if (p[0] < 0 && pipe(p))
				abort();
			fds[i] = i == 1 ? p[1] : p[0];
		}
	}
	if (fastpath_msg_send_fds(chan, &m, fds, nfds))
		abort();
	for (i = 0; i < nfds; i++)
		close(fds[i]);
	__atomic_fetch_add(&aux->seq, 1, __ATOMIC_RELEASE);
}

/* Does the client's end of the channel look closed from the switch's? */
static bool chan_ended(int chan)
{
	struct pollfd p = { chan, POLLIN, 0 };
	char b;

	return poll(&p, 1, 1000) == 1 && recv(chan, &b, 1, MSG_DONTWAIT) == 0;
}

/* The control channel of shortcuts (docs/fastpath.md section 10): a
 * message the library cannot take (a bad one, one more shortcut than its
 * table holds) closes the channel, the fds it came with are closed, and
 * the connection goes on without shortcuts. */
static void test_sc_chan(void)
{
	uint8_t buf[200];
	struct iovec iov = { buf, sizeof(buf) };
	struct mmsghdr mm = { .msg_hdr = { .msg_iov = &iov, .msg_iovlen = 1 } };
	struct sw w;
	int sp[2], fds0, i;
	ssize_t n;

	/* a bad one: SC_RX with two fds, SC_TX with one, an unknown type */
	for (i = 0; i < 3; i++) {
		sc_setup(&w, sp);
		fds0 = fd_count();
		sc_say(&w, sp[1], i == 0 ? FASTPATH_SC_RX : i == 1 ? FASTPATH_SC_TX : 42, 1,
		       i == 2 ? 0 : i == 0 ? 2 : 1);
		errno = 0;
		n = fastpath_recv_batch(w.fp, &mm, 1, MSG_DONTWAIT);
		ok(n == -1 && errno == EAGAIN && w.fp->chan < 0 && !w.fp->nrx && !w.fp->ntx &&
		   fd_count() == fds0 - 1 && chan_ended(sp[1]),
		   "a bad message (%s): the channel closed, its fds too, no shortcut, "
		   "receiving goes on", i == 0 ? "SC_RX with 2 fds" : i == 1 ? "SC_TX with 1 fd" :
		   "type 42");
		sc_still(&w, 7);
		sc_done(&w, sp, NULL);
	}

	/* a full table: one SC_RX more than it holds */
	sc_setup(&w, sp);
	for (i = 1; i <= FASTPATH_SC_MAX; i++) {
		sc_say(&w, sp[1], FASTPATH_SC_RX, i, 1);
		(void)fastpath_recv_batch(w.fp, &mm, 1, MSG_DONTWAIT);
	}
	ok(w.fp->chan == sp[0] && w.fp->nrx == FASTPATH_SC_MAX, "%d shortcuts to receive from",
	   FASTPATH_SC_MAX);
	fds0 = fd_count();
	sc_say(&w, sp[1], FASTPATH_SC_RX, FASTPATH_SC_MAX + 1, 1);
	errno = 0;
	n = fastpath_recv_batch(w.fp, &mm, 1, MSG_DONTWAIT);
	ok(n == -1 && errno == EAGAIN && w.fp->chan < 0 && w.fp->nrx == FASTPATH_SC_MAX &&
	   w.fp->scrx[0].revoked && w.fp->scrx[FASTPATH_SC_MAX - 1].revoked &&
	   fd_count() == fds0 - 1 && chan_ended(sp[1]),
	   "one more: the channel closed, its fd too, the others withdrawn (read to their end)");
	sc_still(&w, 8);
	sc_done(&w, sp, NULL);
}


/* Shortcut @id to the client: SC_RX (@mac NULL; @x then holds the sender's
 * end of its ring) or SC_TX to @mac (@x the receiver's end; the doorbell
 * pipe's ends in @bell, the test closes them), its region made with
 * @rfeat, the message saying @mfeat. */
static void sc_give_f(struct sw *w, int chan, int32_t id, struct sc_peer *x, uint32_t rfeat,
		      uint32_t mfeat, const uint8_t *mac, int *bell)
{
	struct fastpath_aux *aux = (struct fastpath_aux *)((uint8_t *)w->map + FASTPATH_AUX_OFF);
	struct shmring_layout l;
	struct fastpath_msg m;
	int fds[FASTPATH_SC_TX_FDS] = { -1, -1, -1 };

	fds[0] = fastpath_region_create(SHMRING_SIZE_MIN, rfeat, &x->map, &x->maplen);
	if (fds[0] < 0 || shmring_region_check(x->map, x->maplen, &l))
		abort();
	x->aux = (struct fastpath_aux *)((uint8_t *)x->map + FASTPATH_AUX_OFF);
	shmring_attach(&x->r, x->map, &l, SHMRING_C2S, !mac);
	fastpath_msg_init(&m, mac ? FASTPATH_SC_TX : FASTPATH_SC_RX, id);
	m.ring_size = SHMRING_SIZE_MIN;
	m.features = mfeat;
	if (mac) {
		if (pipe(bell))
			abort();
		fds[FASTPATH_SC_BELL] = bell[1];
		fds[FASTPATH_SC_KEEP] = bell[0];
		memcpy(m.endpoint, mac, 6);
	}
	if (fastpath_msg_send_fds(chan, &m, fds, mac ? FASTPATH_SC_TX_FDS : 1))
		abort();
	close(fds[0]);
	__atomic_fetch_add(&aux->seq, 1, __ATOMIC_RELEASE);
}

static void sc_give(struct sw *w, int chan, int32_t id, struct sc_peer *x)
{
	sc_give_f(w, chan, id, x, 0, 0, NULL, NULL);
}

static void sc_put(struct sc_peer *x, uint32_t seq)
{
	uint8_t buf[60] = { 0 };
	struct iovec iov = { buf, sizeof(buf) };
	struct shmring_txf f = { &iov, 1, 0 };
	bool kick;

	memcpy(buf, &seq, sizeof(seq));
	if (shmring_produce(&x->r, &f, 1, &kick) != 1)
		abort();
}

/* A record with a header (@hdr) into the shortcut @x holds (sender's end). */
static void sc_put_rec(struct sc_peer *x, const uint8_t *hdr, const uint8_t *frame, size_t len)
{
	struct iovec iov[2] = { { (void *)hdr, SHMRING_VNET_HDR }, { (void *)frame, len } };
	struct shmring_txf f = { iov, 2, SHMRING_F_VNET };
	bool kick;

	if (shmring_produce(&x->r, &f, 1, &kick) != 1)
		abort();
}

/* The order the client reads its rings in (sc_recv()'s contract), with
 * vde_recv_batch() of @batch frames (at most 8), or vde_recv() (0).
 * Numbers: 1.. through the switch, 101.. on the shortcut. Return: how many
 * were read, their numbers in @got. */
static size_t sc_read_all(struct sw *w, unsigned int batch, uint32_t *got, size_t max)
{
	uint8_t buf[8][200];
	struct iovec iov[8];
	struct mmsghdr mm[8];
	size_t k = 0;
	int i, n;

	for (;;) {
		memset(mm, 0, sizeof(mm));
		for (i = 0; i < 8; i++) {
			iov[i] = (struct iovec){ buf[i], sizeof(buf[i]) };
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
		}
		n = batch ? fastpath_recv_batch(w->fp, mm, batch, MSG_DONTWAIT) :
		    (int)(fastpath_recv(w->fp, buf[0], sizeof(buf[0])) > 0);
		if (n <= 0)
			return k;
		for (i = 0; i < n && k < max; i++)
			memcpy(&got[k++], buf[i], sizeof(uint32_t));
	}
}

static void test_sc_order(void)
{
	static const uint32_t want[6] = { 1, 2, 101, 102, 3, 4 };
	uint32_t got[16];
	struct sc_peer x;
	struct sw w;
	int sp[2], b, i;
	size_t n;

	for (b = 0; b < 2; b++) {
		/* the turn: 4 frames wait in s2c, then 4 on a live shortcut */
		sc_setup(&w, sp);
		sc_give(&w, sp[1], 1, &x);
		for (i = 1; i <= 4; i++)
			sw_put(&w, (uint32_t)i, 60);
		for (i = 101; i <= 104; i++)
			sc_put(&x, (uint32_t)i);
		n = sc_read_all(&w, b ? 2 : 0, got, 16);
		for (i = 0; i < (int)n && got[i] < 100; i++)
			;
		ok(n == 8 && i <= 2, "%s: s2c and a shortcut taken in turn (its first frame read as number %d)",
		   b ? "vde_recv_batch of 2" : "vde_recv", i + 1);
		sc_done(&w, sp, &x);

		/* a withdrawn shortcut whose sender stopped waiting: 1, 2 in
		 * s2c before its mark, 101, 102 on it, 3, 4 in s2c behind */
		sc_setup(&w, sp);
		sc_give(&w, sp[1], 1, &x);
		sw_put(&w, 1, 60);
		sw_put(&w, 2, 60);
		x.aux->mark = w.tx.pos;
		sw_put(&w, 3, 60);
		sw_put(&w, 4, 60);
		sc_put(&x, 101);
		sc_put(&x, 102);
		x.aux->revoked = 1;
		x.aux->prod_done = 1;
		n = sc_read_all(&w, b ? 8 : 0, got, 16);
		ok(n == 6 && !memcmp(got, want, sizeof(want)),
		   "%s: a withdrawn shortcut read after s2c up to its mark, before the rest "
		   "(%zu frames: %u %u %u %u %u %u)", b ? "vde_recv_batch of 8" : "vde_recv", n,
		   got[0], got[1], got[2], got[3], got[4], got[5]);
		sc_say(&w, sp[1], FASTPATH_SC_REVOKE, 1, 0);
		n = sc_read_all(&w, b ? 8 : 0, got, 16);
		ok(n == 0 && w.fp->nrx == 0 && w.fp->chan == sp[0],
		   "then SC_REVOKE: dropped, being read to its end");
		sc_done(&w, sp, &x);
	}
}

/* VNET shortcuts (between two VNET rings): super-frames travel whole in
 * VNET records; the receiver checks their headers as those of s2c (a bad
 * one is dropped, counted); a VNET shortcut to a plain ring, or a region
 * whose header says otherwise than its message, closes the channel. */
static void test_sc_vnet(void)
{
	static uint8_t sf[VDE_VNET_BUFSIZE], rb[4][VDE_VNET_BUFSIZE];
	static const uint8_t dst[6] = { 2, 0, 0, 0, 0, 2 };
	struct virtio_net_hdr h, bad, z = { 0 };
	uint8_t hdr[SHMRING_VNET_HDR], plain[60] = { 2, 0, 0, 0, 0, 2 };
	struct vde_msg m, rm[4];
	struct shmring_rxf f;
	struct iovec iov[2];
	struct sc_peer x;
	struct sw w;
	int sp[2], bell[2], i;
	size_t len;
	ssize_t n;
	bool kick;

	/* the receiver: a super-frame whole, a bad header dropped, a plain one */
	sc_setup_f(&w, sp, SHMRING_FEAT_VNET);
	sc_give_f(&w, sp[1], 1, &x, SHMRING_FEAT_VNET, SHMRING_FEAT_VNET, NULL, NULL);
	len = tv_super(sf + VDE_VNET_HDR_LEN, &h, 20000, 1448, 5);
	iov[0] = (struct iovec){ hdr, SHMRING_VNET_HDR };
	iov[1] = (struct iovec){ sf + VDE_VNET_HDR_LEN, len };
	{
		struct shmring_txf t[3] = { { iov, 2, SHMRING_F_VNET }, { iov, 2, SHMRING_F_VNET },
					    { iov + 1, 1, 0 } };
		struct iovec pv = { plain, sizeof(plain) };

		memset(hdr, 0, sizeof(hdr));
		memcpy(hdr, &h, sizeof(h));
		if (shmring_produce(&x.r, t, 1, &kick) != 1)
			abort();
		bad = h;
		bad.csum_start = (uint16_t)(len + 10);	/* outside the frame */
		memcpy(hdr, &bad, sizeof(bad));
		if (shmring_produce(&x.r, t + 1, 1, &kick) != 1)
			abort();
		t[2].iov = &pv;
		if (shmring_produce(&x.r, t + 2, 1, &kick) != 1)
			abort();
	}
	for (i = 0; i < 4; i++)
		rm[i] = (struct vde_msg){ rb[i], sizeof(rb[i]) };
	n = fastpath_recv_vnet(w.fp, rm, 4);
	ok(w.fp->nrx == 1 && n == 2 && rm[0].len == VDE_VNET_HDR_LEN + len &&
	   !memcmp(rb[0], &h, sizeof(h)) &&
	   !memcmp(rb[0] + VDE_VNET_HDR_LEN, sf + VDE_VNET_HDR_LEN, len) &&
	   rm[1].len == VDE_VNET_HDR_LEN + sizeof(plain) && !memcmp(rb[1], &z, sizeof(z)) &&
	   w.fp->vnet_bad == 1 && w.fp->sc_in == 3,
	   "VNET shortcut: the super-frame whole with its header, the bad header dropped "
	   "(vnet_bad %llu), the plain frame with a zeroed one (%zd)",
	   (unsigned long long)w.fp->vnet_bad, n);
	/* vde_recv() on it: a super-frame cannot be returned, a partial
	 * checksum is completed */
	memcpy(hdr, &h, sizeof(h));
	sc_put_rec(&x, hdr, sf + VDE_VNET_HDR_LEN, len);
	len = tv_super(sf + VDE_VNET_HDR_LEN, &h, 700, 1448, 6);
	h.gso_type = VIRTIO_NET_HDR_GSO_NONE;
	h.gso_size = 0;
	memcpy(hdr, &h, sizeof(h));
	sc_put_rec(&x, hdr, sf + VDE_VNET_HDR_LEN, len);
	n = fastpath_recv(w.fp, rb[0], sizeof(rb[0]));
	ok(n == (ssize_t)len && tv_wire_ok(rb[0], len) && w.fp->vnet_bad == 2,
	   "vde_recv() from a VNET shortcut: super-frame dropped, checksum completed (%zd)", n);

	/* the sender: vde_send_vnet() to the shortcut's address, once opened */
	sc_give_f(&w, sp[1], 2, &x, SHMRING_FEAT_VNET, SHMRING_FEAT_VNET, dst, bell);
	x.aux->open = 1;
	len = tv_super(sf + VDE_VNET_HDR_LEN, &h, 30000, 1448, 7);
	memcpy(sf, &h, VDE_VNET_HDR_LEN);
	m = (struct vde_msg){ sf, VDE_VNET_HDR_LEN + len };
	n = fastpath_send_vnet(w.fp, &m, 1, 0);
	iov[0] = (struct iovec){ rb[0], sizeof(rb[0]) };
	f = (struct shmring_rxf){ .iov = iov, .iovcnt = 1 };
	ok(n == 1 && w.fp->ntx == 1 && shmring_consume_vnet(&x.r, &f, &hdr, 1, &kick) == 1 &&
	   (f.flags & SHMRING_F_VNET) && !memcmp(hdr, &h, sizeof(h)) &&
	   f.len == SHMRING_VNET_HDR + len && !memcmp(rb[0], sf + VDE_VNET_HDR_LEN, len) &&
	   x.aux->frames == 1 &&
	   x.aux->bytes == len && x.aux->super == 1 && shmring_empty(&w.rx),
	   "vde_send_vnet() on a VNET shortcut: one VNET record, the super-frame whole; counted "
	   "1 frame, %zu bytes (without the header), 1 super-frame", len);
	ok(fastpath_send(w.fp, plain, sizeof(plain)) == (ssize_t)sizeof(plain) &&
	   shmring_consume_vnet(&x.r, &f, &hdr, 1, &kick) == 1 && !(f.flags & SHMRING_F_VNET) &&
	   f.len == sizeof(plain) && x.aux->frames == 2 && x.aux->super == 1,
	   "vde_send() on it: a plain record");
	close(bell[0]);
	close(bell[1]);
	munmap(x.map, x.maplen);
	sc_done(&w, sp, NULL);

	/* refused: a VNET shortcut to a plain ring; a region that says
	 * otherwise than its message (either way) */
	for (i = 0; i < 3; i++) {
		struct iovec bi = { rb[0], sizeof(rb[0]) };
		struct mmsghdr mm = { .msg_hdr = { .msg_iov = &bi, .msg_iovlen = 1 } };

		sc_setup_f(&w, sp, i ? SHMRING_FEAT_VNET : 0);
		sc_give_f(&w, sp[1], 1, &x, i == 1 ? 0 : SHMRING_FEAT_VNET,
			  i == 2 ? 0 : SHMRING_FEAT_VNET, NULL, NULL);
		errno = 0;
		n = fastpath_recv_batch(w.fp, &mm, 1, MSG_DONTWAIT);
		ok(n == -1 && errno == EAGAIN && w.fp->chan < 0 && !w.fp->nrx && chan_ended(sp[1]),
		   "%s: the channel closed, no shortcut",
		   i == 0 ? "a VNET shortcut to a plain ring" :
		   i == 1 ? "SC_RX says VNET, its region does not" :
		   "its region says VNET, SC_RX not");
		sc_done(&w, sp, &x);
	}
}

/* The switch's part after it consumed @w's c2s: what it held is forwarded
 * (aux->fwd = the client's tail). Return: frames consumed. */
static unsigned int sc_forward_all(struct sw *w)
{
	struct fastpath_aux *aux = (struct fastpath_aux *)((uint8_t *)w->map + FASTPATH_AUX_OFF);
	uint8_t buf[200];
	struct iovec o = { buf, sizeof(buf) };
	struct shmring_rxf f = { .iov = &o, .iovcnt = 1 };
	unsigned int k = 0;
	bool kick;

	while (shmring_consume(&w->rx, &f, 1, &kick))
		k++;
	__atomic_store_n(&aux->fwd, w->fp->tx.pos, __ATOMIC_RELEASE);
	return k;
}

/* A new shortcut that is not ready yet (not open, or c2s not forwarded to
 * our tail): a sender that may wait holds its frame, once, for up to
 * SC_OPEN_MS (10 ms), so that the switch catches up with a sender that
 * never pauses; one that may not (MSG_DONTWAIT, O_NONBLOCK) goes on
 * through c2s at once; once open and forwarded, the frame takes the
 * shortcut. */
static void test_sc_hold(void)
{
	static const uint8_t dst[6] = { 2, 0, 0, 0, 0, 3 };
	uint8_t fr[60] = { 2, 0, 0, 0, 0, 3 }, out[200];
	struct iovec iov = { fr, sizeof(fr) }, o = { out, sizeof(out) };
	struct mmsghdr mm = { .msg_hdr = { .msg_iov = &iov, .msg_iovlen = 1 } };
	struct shmring_rxf f = { .iov = &o, .iovcnt = 1 };
	struct sc_peer x;
	struct sw w;
	int sp[2], bell[2], fl;
	long t0, t1;
	ssize_t n;
	bool kick;

	sc_setup(&w, sp);
	sc_give_f(&w, sp[1], 1, &x, 0, 0, dst, bell);
	fl = fcntl(w.fp->bell_rx, F_GETFL);
	if (fl < 0 || fcntl(w.fp->bell_rx, F_SETFL, fl & ~O_NONBLOCK))
		abort();
	ok(fastpath_send_batch(w.fp, &mm, 1, MSG_DONTWAIT) == 1 && sc_forward_all(&w) == 1 &&
	   shmring_empty(&x.r),
	   "not ready, MSG_DONTWAIT: through c2s at once");
	t0 = ms_now();
	n = fastpath_send(w.fp, fr, sizeof(fr));
	t1 = ms_now();
	ok(n == (ssize_t)sizeof(fr) && t1 - t0 >= 10 && t1 - t0 < 5000 && sc_forward_all(&w) == 1 &&
	   shmring_empty(&x.r),
	   "not ready, blocking: held %ld ms (>= 10), then through c2s", t1 - t0);
	t0 = ms_now();
	n = fastpath_send(w.fp, fr, sizeof(fr));
	t1 = ms_now();
	ok(n == (ssize_t)sizeof(fr) && sc_forward_all(&w) == 1 && shmring_empty(&x.r),
	   "the hold comes once per shortcut: the next frame through c2s (%ld ms)", t1 - t0);
	x.aux->open = 1;
	ok(fastpath_send(w.fp, fr, sizeof(fr)) == (ssize_t)sizeof(fr) && shmring_empty(&w.rx) &&
	   shmring_consume(&x.r, &f, 1, &kick) == 1 && f.len == sizeof(fr),
	   "open and c2s forwarded to our tail: on the shortcut");
	close(bell[0]);
	close(bell[1]);
	sc_done(&w, sp, &x);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	test_messages();
	test_negotiation();
	test_open();
	test_data_path();	/* datagram doorbells */
	test_vnet();
	use_pipes = true;
	test_data_path();	/* pipes */
	test_switch_gone(false);
	test_switch_gone(true);
	test_sc_chan();
	test_sc_order();
	test_sc_vnet();
	test_sc_hold();
	return tap_done();
}
