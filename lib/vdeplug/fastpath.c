// SPDX-License-Identifier: LGPL-2.1-or-later
/* lib/vdeplug/fastpath.c - client side of the shared-memory fast path
 *
 * Theory of operation (the protocol is docs/fastpath.md)
 *
 * After mod_vde.c has attached to a switch port the VDE 2 way, and only if
 * the switch directory holds a ".fastpath" socket (only our switch makes
 * one) and VDEPLUG_FASTPATH is not "0", we ask for rings: REQUEST (naming
 * our endpoint by the data socket path the switch gave us), OFFER with a
 * sealed memfd, which we check and map, ACCEPT, ACTIVE. Anything that goes
 * wrong before ACCEPT leaves the connection on datagrams, as if nothing had
 * been asked; VDE 2 switches never see any of it.
 *
 * In ring mode frames go through the two rings and only doorbells are
 * left to the kernel: one byte on a pipe each way when the switch grants
 * FASTPATH_FEAT_PIPES (the s2c pipe, opened again read-write so that it
 * also polls writable, is installed at the data socket's fd number, so
 * vde_datafd() keeps its number and meaning), else
 * zero-length datagrams on the endpoint's data sockets (a switch of an
 * older build, or VDEPLUG_FASTPATH_PIPES=0 here). vde_ctlfd() is unchanged.
 * vde_datafd() must be readable exactly while frames wait (QEMU polls it
 * and calls vde_recv() once per wake-up): a doorbell is drained only when
 * the ring is found empty after re-arming; when frames remain and no
 * doorbell is on its way we "poke" the switch (a doorbell to it), which
 * answers with a doorbell because our sleeping flag is set. Under load the
 * ring never empties and no system call is made per frame.
 *
 * Frames the switch sent before ACTIVE wait on the data socket ahead of
 * any doorbell (one sender, FIFO), so vde_recv() returns those first. With
 * pipes the switch writes one doorbell before ACTIVE: it keeps vde_datafd()
 * readable while such frames wait, and is owed (read) once they are gone.
 * When the switch dies the s2c pipe never reaches EOF (we hold a writer of
 * it: the read-write end at vde_datafd()'s number), so vde_datafd() just
 * never becomes readable again, as a datagram socket whose switch died;
 * the ctl stream reports the end (t-switch-ring-bells checks it).
 * Sending on a full ring waits (blocking socket) with a short backoff
 * while watching the ctl stream, or fails with EAGAIN (O_NONBLOCK on
 * vde_datafd()), as send() on the datagram socket would.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "fastpath.h"
#include "mod.h"
#include "vnet.h"

#define DRAIN_MAX	256	/* doorbells read per drain (a flooding peer) */
#define SETTLE_MAX	8	/* re-arm rounds per settle (a flooding peer) */

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Whether @fd was made non-blocking (by the caller: then it may not wait). */
static bool sock_nonblocking(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl >= 0 && (fl & O_NONBLOCK);
}

/**
 * fastpath_negotiate() - ask for rings on a connected DIR/.fastpath socket
 * @sock:	SOCK_SEQPACKET connection to the switch's fast path socket
 * @endpoint:	the switch's data socket path from the VDE reply
 * @ring_size:	wished bytes per ring, 0 for the switch's default
 * @features:	wished features (FASTPATH_FEAT_PIPES, SHMRING_FEAT_VNET); the
 *		switch may grant fewer, never more (l->features tells)
 * @map:	the mapped region, on success
 * @maplen:	its length
 * @l:		its validated layout
 * @bells:	FASTPATH_OFFER_FDS slots: on success with pipes granted, the
 *		client's pipe ends at their enum fastpath_offer_fd index (the
 *		caller owns them); all -1 without pipes
 * @granted:	on success, the features the switch granted (with
 *		FASTPATH_FEAT_SHORTCUT, @sock is the control channel: keep it)
 *
 * Return: 1 if the rings are active, 0 if the switch refused or anything
 * failed before ACCEPT (nothing changed: stay on datagrams), -EPROTO if it
 * failed after ACCEPT (the switch may be using the rings: the connection
 * must be given up).
 */
int fastpath_negotiate(int sock, const char *endpoint, uint32_t ring_size, uint32_t features,
		       void **map, size_t *maplen, struct shmring_layout *l, int *bells,
		       uint32_t *granted)
{
	struct fastpath_msg m;
	int fds[FASTPATH_MAX_FDS], ret = 0, err;
	size_t nfds = 0, i, want;
	uint32_t offered;

	*map = NULL;
	*granted = 0;
	for (i = 0; i < FASTPATH_OFFER_FDS; i++)
		bells[i] = -1;
	fastpath_msg_init(&m, FASTPATH_REQUEST, 0);
	m.ring_size = ring_size;
	m.features = features;
	if (strlen(endpoint) >= sizeof(m.endpoint))
		return 0;
	strcpy(m.endpoint, endpoint);
	if (fastpath_msg_send(sock, &m, -1))
		return 0;
	err = fastpath_msg_recv(sock, &m, fds, &nfds, VDE_REPLY_TIMEOUT_MS);
	/* granted pipes: the memfd and three pipe ends, in their order */
	want = !err && (m.features & FASTPATH_FEAT_PIPES) ? FASTPATH_OFFER_FDS : 1;
	if (err || m.type != FASTPATH_OFFER || nfds != want) {
		if (!err && m.type == FASTPATH_OFFER)
			fastpath_msg_reply(sock, FASTPATH_DECLINE, EPROTO);
		goto out;
	}
	/* shortcuts only with pipes (their doorbells are bytes on s2c) */
	err = m.status || (m.features & ~features) ||
	      ((m.features & FASTPATH_FEAT_SHORTCUT) && want == 1) ? -EPROTO :
	      want > 1 ? fastpath_bells_check(fds) : 0;
	if (!err)
		err = fastpath_region_map(fds[FASTPATH_FD_REGION], m.ring_size,
					  m.features & ~FASTPATH_FEAT_MSG, map, maplen, l);
	if (err) {
		fastpath_msg_reply(sock, FASTPATH_DECLINE, -err);
		goto out;
	}
	offered = m.features;
	if (fastpath_msg_reply(sock, FASTPATH_ACCEPT, 0)) {
		ret = -EPROTO;
		goto out;
	}
	for (i = 0; i < nfds; i++) {
		if (i > FASTPATH_FD_REGION)
			bells[i] = fds[i];	/* ours from now on */
		else
			close(fds[i]);
	}
	nfds = 0;
	err = fastpath_msg_recv(sock, &m, fds, &nfds, VDE_REPLY_TIMEOUT_MS);
	ret = !err && m.type == FASTPATH_ACTIVE && nfds == 0 ? 1 : -EPROTO;
	if (ret == 1)
		*granted = offered;
out:
	for (i = 0; i < nfds; i++)
		close(fds[i]);
	if (ret != 1) {
		for (i = 0; i < FASTPATH_OFFER_FDS; i++) {
			if (bells[i] >= 0)
				close(bells[i]);
			bells[i] = -1;
		}
	}
	if (ret != 1 && *map) {
		munmap(*map, *maplen);
		*map = NULL;
	}
	return ret;
}

static bool settle(struct vde_fastpath *fp, bool drain);

/* Frames sent before ACTIVE are over: with pipes, the doorbell the switch
 * wrote before ACTIVE is owed (it kept vde_datafd() readable for them). */
static void predrain_done(struct vde_fastpath *fp)
{
	fp->predrain = false;
	if (fp->pipes) {
		fp->rx.owed++;
		settle(fp, false);
	}
}

/* Does a datagram (a frame sent before ACTIVE) wait on the data socket? */
static bool sock_pending(int sock)
{
	ssize_t n;

	do
		n = recv(sock, NULL, 0, MSG_DONTWAIT | MSG_PEEK | MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	return n >= 0;
}

/* Pipes: the s2c pipe takes the data socket's fd number (vde_datafd() keeps
 * it, with the socket's O_NONBLOCK), the socket moves to a new one. It is
 * opened again read-write (a new open file description of the same pipe):
 * a read end alone never polls writable, and applications wait for POLLOUT
 * on vde_datafd() after EAGAIN from vde_send(), as they may on the VDE 2
 * socket (docs/fastpath.md section 6). 0, or -1 (nothing changed). */
static int install_pipes(struct vde_fastpath *fp, int sock, int *bells)
{
	int fl = fcntl(sock, F_GETFL), moved, rw;
	char path[64];

	if (fl < 0 || fcntl(bells[FASTPATH_FD_C2S_WRITE], F_SETFL, O_NONBLOCK) ||
	    fcntl(bells[FASTPATH_FD_S2C_READ], F_SETFL, O_NONBLOCK))
		return -1;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", bells[FASTPATH_FD_S2C_READ]);
	rw = open(path, O_RDWR | O_CLOEXEC | (fl & O_NONBLOCK));
	if (rw < 0)
		return -1;
	moved = fcntl(sock, F_DUPFD_CLOEXEC, 0);
	if (moved < 0 || dup3(rw, sock, O_CLOEXEC) < 0) {
		if (moved >= 0)
			close(moved);
		close(rw);
		return -1;
	}
	close(rw);
	fp->sock = moved;
	fp->bell_rx = sock;
	fp->bell_tx = bells[FASTPATH_FD_C2S_WRITE];
	fp->bell_keep = bells[FASTPATH_FD_C2S_KEEP];
	fp->pipes = true;
	fp->bell_nb = bells[FASTPATH_FD_S2C_READ];
	bells[FASTPATH_FD_S2C_READ] = bells[FASTPATH_FD_C2S_WRITE] = -1;
	bells[FASTPATH_FD_C2S_KEEP] = -1;
	return 0;
}

/**
 * fastpath_attach() - client state for active rings
 * @sock:	the endpoint's connected data socket (vde_datafd())
 * @ctl:	the ctl stream (-1 if none)
 * @map:	the region (taken over: unmapped by fastpath_free())
 * @maplen:	its length
 * @l:		its validated layout
 * @bells:	the pipe ends from fastpath_negotiate() (taken over: closed
 *		by fastpath_free(), or here on failure), or NULL / all -1 for
 *		datagram doorbells
 * @chan:	the control channel if shortcuts were granted (taken over),
 *		else -1; without pipes it is closed
 *
 * Return: the state, or NULL (ENOMEM, or the pipes could not be installed).
 */
struct vde_fastpath *fastpath_attach(int sock, int ctl, void *map, size_t maplen,
				     const struct shmring_layout *l, int *bells, int chan)
{
	struct vde_fastpath *fp = calloc(1, sizeof(*fp));
	bool pipes = bells && bells[FASTPATH_FD_S2C_READ] >= 0;
	size_t i;

	if (!fp)
		goto fail;
	fp->sock = fp->bell_rx = fp->bell_tx = sock;
	fp->bell_keep = fp->bell_nb = fp->bell_self = fp->chan = -1;
	fp->ctl = ctl;
	fp->map = map;
	fp->maplen = maplen;
	shmring_attach(&fp->tx, map, l, SHMRING_C2S, true);
	shmring_attach(&fp->rx, map, l, SHMRING_S2C, false);
	if (pipes && install_pipes(fp, sock, bells)) {
		free(fp);
		fp = NULL;
		goto fail;
	}
	fp->vnet = l->features & SHMRING_FEAT_VNET;
	/* shortcuts: the channel, and a writer of our own s2c pipe for the
	 * pokes a shortcut needs (section 10); without either, none */
	if (chan >= 0 && pipes) {
		fp->bell_self = fastpath_pipe_reopen(fp->bell_nb, O_WRONLY | O_NONBLOCK);
		if (fp->bell_self >= 0 && !pthread_mutex_init(&fp->sc_lock, NULL)) {
			fp->chan = chan;
			fp->aux = (struct fastpath_aux *)((uint8_t *)map + FASTPATH_AUX_OFF);
			chan = -1;
		} else if (fp->bell_self >= 0) {
			close(fp->bell_self);
			fp->bell_self = -1;
		}
	}
	if (chan >= 0)
		close(chan);	/* the switch then offers us no shortcut */
	fp->predrain = true;
	if (pipes && !sock_pending(fp->sock))
		predrain_done(fp);
	return fp;
fail:
	for (i = 0; bells && i < FASTPATH_OFFER_FDS; i++)
		if (bells[i] >= 0)
			close(bells[i]);
	if (chan >= 0)
		close(chan);
	return NULL;
}

/**
 * fastpath_open() - after a vde:// open: use rings if the switch offers them
 * @conn:	the connection, attached the VDE 2 way
 * @dir:	the switch directory
 * @endpoint:	the switch's data socket path (its reply)
 * @vnet:	ask for super-frames (VDE_OPEN_VNET)
 *
 * Return: 0 (rings or not), or -errno if the connection must be given up.
 */
int fastpath_open(struct vdeconn *conn, const char *dir, const char *endpoint, bool vnet)
{
	const char *env = getenv(FASTPATH_ENV), *penv = getenv(FASTPATH_PIPES_ENV);
	const char *scenv = getenv(FASTPATH_SC_ENV);
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	uint32_t features = FASTPATH_FEAT_PIPES | FASTPATH_FEAT_SHORTCUT, granted;
	int sock, ret, bells[FASTPATH_OFFER_FDS];
	struct shmring_layout l;
	size_t maplen = 0;
	void *map = NULL;

	if (env && !strcmp(env, "0"))
		return 0;
	/* pipes need /proc/self/fd (install_pipes() opens the s2c pipe again) */
	if ((penv && !strcmp(penv, "0")) || access("/proc/self/fd", X_OK))
		features &= ~(FASTPATH_FEAT_PIPES | FASTPATH_FEAT_SHORTCUT);
	if (scenv && !strcmp(scenv, "0"))
		features &= ~FASTPATH_FEAT_SHORTCUT;
	env = getenv(FASTPATH_VNET_ENV);
	if (env && !strcmp(env, "0"))
		vnet = false;	/* rings, but wire frames only (A/B runs) */
	/* super-frames and shortcuts: we take VNET shortcuts (a switch of an
	 * older build grants no shortcut to a VNET ring) */
	if (vnet && (features & FASTPATH_FEAT_SHORTCUT))
		features |= FASTPATH_FEAT_SC_VNET;
	if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/%s", dir,
			     FASTPATH_SOCK) >= sizeof(sun.sun_path))
		return 0;
	sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (sock < 0)
		return 0;
	/* ENOENT: not our switch. Any failure here: stay on datagrams. */
	if (connect(sock, (struct sockaddr *)&sun, sizeof(sun))) {
		close(sock);
		return 0;
	}
	ret = fastpath_negotiate(sock, endpoint, vnet ? FASTPATH_VNET_RING : 0,
				 features | (vnet ? SHMRING_FEAT_VNET : 0), &map, &maplen, &l, bells,
				 &granted);
	if (ret <= 0 || !(granted & FASTPATH_FEAT_SHORTCUT)) {
		close(sock);
		sock = -1;
	}
	if (ret <= 0)
		return ret;
	conn->u.vde.fp = fastpath_attach(conn->fddata, conn->fdctl, map, maplen, &l, bells, sock);
	if (!conn->u.vde.fp) {
		munmap(map, maplen);
		return -ENOMEM;
	}
	return 0;
}

/* A doorbell to the switch. 0, or -errno when the switch is gone. */
static int ring_bell(struct vde_fastpath *fp)
{
	static const char one = 1;
	ssize_t n;

	do
		n = fp->pipes ? write(fp->bell_tx, &one, 1) :
		    send(fp->bell_tx, "", 0, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	/* a full c2s pipe: the switch reads it only now and then (it polls it
	 * edge-triggered), so ring on the data socket, which makes it read */
	if (n < 0 && errno == EAGAIN && fp->pipes)
		do
			n = send(fp->sock, "", 0, MSG_DONTWAIT | MSG_NOSIGNAL);
		while (n < 0 && errno == EINTR);
	__atomic_fetch_add(&fp->doorbells_tx, 1, __ATOMIC_RELAXED);	/* both directions ring */
	/* EAGAIN: its queue holds doorbells already, it will look */
	if (n < 0 && errno != EAGAIN)
		return -errno;
	return 0;
}

/* Read at most @max doorbells. @wait: a blocking read if vde_datafd() is
 * blocking (datagrams: one recv() per doorbell; pipes: one byte each).
 * Return: doorbells read (> 0), 0 for a stray frame (a protocol error,
 * counted), or -1 with errno (EAGAIN: none). */
static ssize_t take_bells(struct vde_fastpath *fp, size_t max, bool wait)
{
	char junk[64];
	struct iovec iov = { junk, max < sizeof(junk) ? max : sizeof(junk) };
	ssize_t n;

	if (!fp->pipes) {
		n = recv(fp->bell_rx, junk, sizeof(junk), wait ? 0 : MSG_DONTWAIT);
		if (n > 0) {
			fp->stray++;	/* a frame after ACTIVE: protocol error */
			return 0;
		}
		return n == 0 ? 1 : -1;
	}
	/* blocking: vde_datafd(), whose O_NONBLOCK is the user's; else the
	 * switch's read end of the same pipe, O_NONBLOCK of our own */
	n = readv(wait ? fp->bell_rx : fp->bell_nb, &iov, 1);
	if (n == 0) {		/* no EOF while we hold a writer of s2c */
		errno = EAGAIN;
		return -1;
	}
	return n;
}

/* Read the doorbells waiting (bounded); how many. */
static uint64_t drain_bells(struct vde_fastpath *fp)
{
	uint64_t bells = 0;
	int i;

	for (i = 0; i < DRAIN_MAX && bells < DRAIN_MAX; i++) {
		ssize_t n = take_bells(fp, DRAIN_MAX - bells, false);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		bells += (uint64_t)n;
	}
	fp->doorbells_rx += bells;
	return bells;
}

static bool wait_readable(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, ms) > 0;
}

/* ------------------------------------------------------------------ */
/* Shortcuts (docs/fastpath.md section 10): rings shared with another client
 * of the switch, for known unicast. The switch announces each change by a
 * message on the control channel and a new aux->seq in our region; every
 * send and receive looks at seq (one load) and reads the channel only when
 * it moved. The tables are shared by a sending and a receiving thread:
 * sc_lock guards them, never across a wait.
 *
 * Receiving from a shortcut is receiving from one more ring: its sender
 * takes the ring's cons_sleeping flag and writes a byte to our s2c pipe, as
 * the switch does for s2c, so vde_datafd() stays the one thing to poll.
 * The wake-up accounting (section 6) then counts doorbells owed by every
 * ring together: a byte is a byte, whoever wrote it. */

static void sc_unmap(struct fp_sc *e)
{
	if (e->map)
		munmap(e->map, e->maplen);
	if (e->bell >= 0)
		close(e->bell);
	if (e->keep >= 0)
		close(e->keep);
	memset(e, 0, sizeof(*e));
	e->bell = e->keep = -1;
}

/* Sender: shortcut @i is over (withdrawn, the channel gone, or closing):
 * say that nothing more comes, forget it. Lock held. */
static void sc_tx_drop(struct vde_fastpath *fp, unsigned int i)
{
	__atomic_store_n(&fp->sctx[i].aux->prod_done, 1, __ATOMIC_RELEASE);
	sc_unmap(&fp->sctx[i]);
	fp->sctx[i] = fp->sctx[fp->ntx - 1];
	__atomic_store_n(&fp->ntx, fp->ntx - 1, __ATOMIC_RELAXED);
}

/* Receiver: shortcut @i is withdrawn and drained. A doorbell its sender
 * owes us is still owed (it wrote it before saying it was done). Lock held. */
static void sc_rx_drop(struct vde_fastpath *fp, unsigned int i)
{
	struct fp_sc *e = &fp->scrx[i];

	fp->owed_orphan += e->r.owed;
	if (e->r.armed && !__atomic_load_n(&e->r.ctl->cons_sleeping, __ATOMIC_ACQUIRE))
		fp->owed_orphan++;
	sc_unmap(e);
	fp->scrx[i] = fp->scrx[fp->nrx - 1];
	__atomic_store_n(&fp->nrx, fp->nrx - 1, __ATOMIC_RELAXED);
}

/* Sender: shortcut @i is withdrawn. Frames still in it must reach the
 * receiver before any we send through the switch from now on: it is kept
 * (sc_send() says SC_FULL, so the caller waits) until the receiver has
 * read it all, or SC_DRAIN_MS passed (a receiver that stopped: counted in
 * our region's aux->late, which port/stats shows as sc_late; the receiver
 * then reads it before what we send through the switch, sc_recv()); then
 * dropped. Return: true if it was dropped now. Lock held. */
#define SC_DRAIN_MS	200
static bool sc_tx_withdrawn(struct vde_fastpath *fp, unsigned int i)
{
	struct fp_sc *e = &fp->sctx[i];
	bool drained;

	if (!e->revoked) {
		e->revoked = true;
		e->revoked_ms = now_ms();
	}
	drained = __atomic_load_n(&e->r.ctl->head, __ATOMIC_ACQUIRE) == e->r.pos;
	if (drained || now_ms() - e->revoked_ms > SC_DRAIN_MS) {
		if (!drained) {
			__atomic_fetch_add(&fp->aux->late, 1, __ATOMIC_RELAXED);
			fp->sc_late++;
		}
		sc_tx_drop(fp, i);
		return true;
	}
	return false;
}

/* No more messages: the channel failed, or we are closing. Lock held. */
static void sc_chan_close(struct vde_fastpath *fp)
{
	unsigned int i;

	if (fp->chan >= 0)
		close(fp->chan);
	__atomic_store_n(&fp->chan, -1, __ATOMIC_RELAXED);
	while (fp->ntx)
		sc_tx_drop(fp, 0);
	for (i = 0; i < fp->nrx; i++)
		fp->scrx[i].revoked = true;	/* drained first */
}

/* Map the region of a shortcut (ring 0: the sender produces) with
 * @features, those of its message: VNET records only if our own rings take
 * them (the switch gives a VNET shortcut only to a VNET ring: any other
 * is a protocol error), and the region's header must say the same. */
static int sc_map(const struct vde_fastpath *fp, int fd, uint32_t ring_size, uint32_t features,
		  struct fp_sc *e, bool producer)
{
	struct shmring_layout l;
	int err;

	if (features & ~(uint32_t)SHMRING_FEAT_VNET || (features && !fp->vnet))
		return -EPROTO;
	err = fastpath_region_map(fd, ring_size, features, &e->map, &e->maplen, &l);
	if (err)
		return err;
	e->aux = (struct fastpath_aux *)((uint8_t *)e->map + FASTPATH_AUX_OFF);
	shmring_attach(&e->r, e->map, &l, SHMRING_C2S, producer);
	return 0;
}

static bool pipe_with(int fd, int acc)
{
	struct stat st;
	int fl = fcntl(fd, F_GETFL);

	return fl >= 0 && (fl & O_ACCMODE) == acc && !fstat(fd, &st) && S_ISFIFO(st.st_mode);
}

/* One message of the channel; fds it keeps are set to -1. False: a
 * protocol error (the channel is then closed: no shortcut for us, which
 * the switch sees and answers by withdrawing ours). Lock held. */
static bool sc_msg(struct vde_fastpath *fp, const struct fastpath_msg *m, int *fds, size_t nfds)
{
	struct fp_sc e = { .bell = -1, .keep = -1 };
	uint32_t id = (uint32_t)m->status;
	unsigned int i;

	switch (m->type) {
	case FASTPATH_SC_RX:
		for (i = 0; i < fp->nrx; i++)
			if (fp->scrx[i].id == id)
				return false;
		if (nfds != 1 || fp->nrx == FASTPATH_SC_MAX ||
		    sc_map(fp, fds[0], m->ring_size, m->features, &e, false))
			return false;
		e.id = id;
		fp->scrx[fp->nrx] = e;
		__atomic_store_n(&fp->nrx, fp->nrx + 1, __ATOMIC_RELAXED);
		return true;
	case FASTPATH_SC_TX:
		for (i = 0; i < fp->ntx; i++)
			if (fp->sctx[i].id == id)
				return false;
		if (nfds != FASTPATH_SC_TX_FDS || fp->ntx == FASTPATH_SC_MAX ||
		    !pipe_with(fds[FASTPATH_SC_BELL], O_WRONLY) ||
		    !pipe_with(fds[FASTPATH_SC_KEEP], O_RDONLY) ||
		    fcntl(fds[FASTPATH_SC_BELL], F_SETFL, O_NONBLOCK) ||
		    sc_map(fp, fds[FASTPATH_SC_REGION], m->ring_size, m->features, &e, true))
			return false;
		e.id = id;
		memcpy(e.mac, m->endpoint, sizeof(e.mac));
		e.bell = fds[FASTPATH_SC_BELL];
		e.keep = fds[FASTPATH_SC_KEEP];
		fds[FASTPATH_SC_BELL] = fds[FASTPATH_SC_KEEP] = -1;
		fp->sctx[fp->ntx] = e;
		__atomic_store_n(&fp->ntx, fp->ntx + 1, __ATOMIC_RELAXED);
		return true;
	case FASTPATH_SC_REVOKE:
		if (nfds || m->features)
			return false;
		for (i = 0; i < fp->ntx; i++)
			if (fp->sctx[i].id == id) {
				sc_tx_withdrawn(fp, i);
				break;
			}
		for (i = 0; i < fp->nrx; i++)
			if (fp->scrx[i].id == id)
				fp->scrx[i].revoked = true;
		return true;
	default:
		return false;
	}
}

/* Read what waits on the channel (bounded). Lock held. */
static void sc_chan(struct vde_fastpath *fp)
{
	int fds[FASTPATH_MAX_FDS], err, round;
	struct fastpath_msg m;
	size_t nfds, i;

	for (round = 0; round < 64 && fp->chan >= 0; round++) {
		err = fastpath_msg_recv(fp->chan, &m, fds, &nfds, 0);
		if (err == -EAGAIN)
			break;
		if (!err && !sc_msg(fp, &m, fds, nfds))
			err = -EPROTO;
		for (i = 0; i < nfds; i++)
			if (fds[i] >= 0)
				close(fds[i]);
		if (err)
			sc_chan_close(fp);
	}
}

/* Cheap unless the switch sent something since we last looked. */
static void sc_poll(struct vde_fastpath *fp)
{
	uint32_t seq;

	if (!fp->aux || __atomic_load_n(&fp->chan, __ATOMIC_RELAXED) < 0)
		return;
	seq = __atomic_load_n(&fp->aux->seq, __ATOMIC_ACQUIRE);
	if (seq == __atomic_load_n(&fp->chan_seen, __ATOMIC_RELAXED))
		return;
	pthread_mutex_lock(&fp->sc_lock);
	if (fp->chan >= 0 && seq != fp->chan_seen) {
		__atomic_store_n(&fp->chan_seen, seq, __ATOMIC_RELAXED);
		sc_chan(fp);
	}
	pthread_mutex_unlock(&fp->sc_lock);
}

/* The first @n bytes of a frame scattered over @iov into @out. */
static size_t iov_head(uint8_t *out, const struct iovec *iov, size_t iovcnt, size_t n)
{
	size_t got = 0, i, k;

	for (i = 0; i < iovcnt && got < n; i++) {
		k = iov[i].iov_len < n - got ? iov[i].iov_len : n - got;
		memcpy(out + got, iov[i].iov_base, k);
		got += k;
	}
	return got;
}

/**
 * sc_send() - send a frame through a shortcut if one leads to its
 * destination
 * @fp:		state
 * @iov:	the record (0 < @len <= frame_max)
 * @iovcnt:	its pieces
 * @len:	its length
 * @recflags:	SHMRING_F_VNET (a header, then the frame) or 0
 * @flags:	the caller's (MSG_DONTWAIT: it may not wait)
 *
 * Only untagged unicast to the MAC address of a shortcut, and only once
 * the switch opened it (what we sent before has been forwarded, and
 * nothing waits for the receiver in the switch: a flow is not
 * reordered). A sender that never pauses may never find what it wrote in
 * c2s forwarded to its end (the switch keeps up just behind it): until a
 * new shortcut is ready, a sender that may wait holds its frames
 * (SC_FULL) for up to SC_OPEN_MS, once per shortcut, so that the switch
 * catches up; one that may not (O_NONBLOCK, MSG_DONTWAIT: it would see
 * EAGAIN) goes on through c2s. A record with a header goes only into a VNET shortcut
 * (between two VNET rings: the receiver takes it whole, as from the
 * switch); the counters the switch folds into the ports count the frame
 * without its header, as the switch does. A full shortcut ring is
 * back-pressure, as a full c2s ring.
 *
 * Return: SC_SENT, SC_FULL (the caller waits or says EAGAIN), or SC_NOT
 * (the frame is for the c2s ring).
 */
enum sc_res { SC_NOT, SC_SENT, SC_FULL };
#define SC_OPEN_MS	10
static enum sc_res sc_send(struct vde_fastpath *fp, const struct iovec *iov, size_t iovcnt,
			   size_t len, unsigned int recflags, int flags)
{
	static const char one = 1;
	struct shmring_txf f = { .iov = iov, .iovcnt = iovcnt, .flags = recflags };
	struct fp_sc *e;
	/* a VNET record: its header, then the frame; the Ethernet header */
	size_t hl = recflags & SHMRING_F_VNET ? SHMRING_VNET_HDR : 0;
	uint8_t hd[SHMRING_VNET_HDR + 14], *h = hd + hl;
	unsigned int i;
	enum sc_res ret = SC_NOT;
	bool kick;

	if (!fp->aux)
		return SC_NOT;
	sc_poll(fp);
	if (!__atomic_load_n(&fp->ntx, __ATOMIC_RELAXED) || len < hl + 14 ||
	    iov_head(hd, iov, iovcnt, hl + 14) < hl + 14 ||
	    (h[0] & 1) || (h[12] == 0x81 && h[13] == 0x00) || (h[12] == 0x88 && h[13] == 0xa8))
		return SC_NOT;
	pthread_mutex_lock(&fp->sc_lock);
	for (i = 0; i < fp->ntx && memcmp(fp->sctx[i].mac, h, 6); i++)
		;
	if (i == fp->ntx || (hl && !(fp->sctx[i].r.features & SHMRING_FEAT_VNET)))
		goto out;
	e = &fp->sctx[i];
	if (e->revoked || __atomic_load_n(&e->aux->revoked, __ATOMIC_ACQUIRE)) {
		/* its frames first: wait for the receiver to read them */
		if (!sc_tx_withdrawn(fp, i))
			ret = SC_FULL;
		goto out;
	}
	if (!e->ready) {
		/* opened by the switch, and all we wrote in c2s forwarded */
		if (!__atomic_load_n(&e->aux->open, __ATOMIC_ACQUIRE) ||
		    __atomic_load_n(&fp->aux->fwd, __ATOMIC_ACQUIRE) != fp->tx.pos) {
			if (!e->held && !(flags & MSG_DONTWAIT) && !sock_nonblocking(fp->bell_rx)) {
				long t = now_ms();

				if (!e->hold_ms)
					e->hold_ms = t ? t : 1;
				if (t - e->hold_ms < SC_OPEN_MS)
					ret = SC_FULL;
				else
					e->held = true;	/* c2s, as before */
			}
			goto out;
		}
		e->ready = true;
	}
	if (shmring_produce(&e->r, &f, 1, &kick)) {
		__atomic_fetch_add(&e->aux->frames, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&e->aux->bytes, len - hl, __ATOMIC_RELAXED);
		/* virtio_net_hdr: flags, then gso_type */
		if (hl && hd[1] != VIRTIO_NET_HDR_GSO_NONE)
			__atomic_fetch_add(&e->aux->super, 1, __ATOMIC_RELAXED);
		fp->sc_out++;
		ret = SC_SENT;
		/* EAGAIN: the pipe is full of doorbells already */
		if (kick && write(e->bell, &one, 1) < 0 && errno != EAGAIN)
			sc_tx_drop(fp, i);
	} else {
		/* the receiver rings nobody when it makes room: whoever
		 * waits polls (sc_wait()); if it sleeps with frames in the
		 * ring, ring it */
		if (shmring_kick_check(&e->r) && write(e->bell, &one, 1) < 0 && errno != EAGAIN)
			sc_tx_drop(fp, i);
		else {
			__atomic_fetch_add(&e->aux->full, 1, __ATOMIC_RELAXED);
			fp->sc_full++;
			ret = SC_FULL;
		}
	}
out:
	pthread_mutex_unlock(&fp->sc_lock);
	return ret;
}

/* Whether a shortcut may take the next frame (one frame at a time then). */
static bool sc_sending(const struct vde_fastpath *fp)
{
	return fp->aux && (__atomic_load_n(&fp->ntx, __ATOMIC_RELAXED) ||
			   __atomic_load_n(&fp->aux->seq, __ATOMIC_RELAXED) !=
			   __atomic_load_n(&fp->chan_seen, __ATOMIC_RELAXED));
}

/* Whether shortcut @e is withdrawn (the switch's flag in its region, set
 * before any message about it, or our own mark of it). Lock held. */
static bool sc_rx_withdrawn(const struct fp_sc *e)
{
	return e->revoked || __atomic_load_n(&e->aux->revoked, __ATOMIC_ACQUIRE);
}

/**
 * sc_recv() - receive up to @n frames from the shortcuts
 * @fp:		state
 * @f:		buffers
 * @n:		how many
 * @settle_now:	set if a ring we took from looked empty after it (the
 *		caller re-arms: settle())
 * @all:	every shortcut; false: only withdrawn ones (read before s2c)
 * @hold:	NULL, or set if a withdrawn shortcut holds frames and our s2c
 *		ring is not yet read to its mark: s2c must then be read one
 *		frame at a time up to it (below)
 * @vhdr:	NULL, or @n places for the headers of VNET records (as
 *		shmring_consume_vnet(): only a VNET shortcut holds them, and
 *		the caller checks them as those of s2c)
 *
 * The order of a flow A -> us (docs/fastpath.md section 10) rests on two
 * rules, and on nothing else, so our rings are otherwise taken in turn
 * (rx_turn in the callers: a steady stream through the switch does not
 * hold a shortcut's frames back, whose sender waits on a full ring):
 *  - a shortcut is read only once our s2c ring is read past its mark: what
 *    A sent us through the switch before it started on the shortcut lies
 *    before the mark (A starts only once all it wrote to the switch is
 *    forwarded, and the switch keeps the mark behind A's frames until A's
 *    first one on the shortcut);
 *  - when it is withdrawn, A waits until we have read it to its end before
 *    it sends through the switch again (sc_tx_withdrawn()), so A's later
 *    frames reach s2c only behind all of it, whatever order we read in.
 *    A's wait is bounded (SC_DRAIN_MS, a receiver that stopped): then A
 *    sends through the switch with frames left in the shortcut, which land
 *    in s2c behind its mark. So a withdrawn shortcut whose mark we reached
 *    is read before s2c (withdrawn ones first, @all false), and s2c is not
 *    read past the mark of one that still holds frames (@hold). The
 *    switch sets the flag before it tells A, and A sends through the
 *    switch only after it saw the flag and waited: we see it before we
 *    can find A's later frames in s2c, unless we stop for longer than A's
 *    wait between our look at the flag and our read of s2c.
 * Withdrawn shortcuts are read to their end, then dropped.
 *
 * Return: frames received.
 */
static size_t sc_recv(struct vde_fastpath *fp, struct shmring_rxf *f, size_t n, bool *settle_now,
		      bool all, bool *hold, uint8_t (*vhdr)[SHMRING_VNET_HDR])
{
	size_t got = 0, k;
	unsigned int i, c, start;
	bool kick;

	*settle_now = false;
	if (!fp->aux)
		return 0;
	sc_poll(fp);
	if (!__atomic_load_n(&fp->nrx, __ATOMIC_RELAXED))
		return 0;
	pthread_mutex_lock(&fp->sc_lock);
	/* each call starts with the next shortcut: senders take turns */
	start = fp->nrx ? fp->sc_turn++ % fp->nrx : 0;
	for (c = 0; c < fp->nrx && got < n; c++) {
		struct fp_sc *e = &fp->scrx[(start + c) % fp->nrx];
		bool wd = sc_rx_withdrawn(e);

		if (!all && !wd)
			continue;
		if ((int32_t)(fp->rx.pos - __atomic_load_n(&e->aux->mark, __ATOMIC_ACQUIRE)) < 0) {
			/* older frames of its sender still in s2c */
			if (hold && wd && !shmring_empty(&e->r))
				*hold = true;
			continue;
		}
		k = shmring_consume_vnet(&e->r, f + got, vhdr ? vhdr + got : NULL, n - got, &kick);
		got += k;
		fp->sc_in += k;
		if (k && (!e->r.armed || e->r.peer == e->r.pos))
			*settle_now = true;
	}
	for (i = 0; i < fp->nrx;) {	/* withdrawn, read to the end, done: dropped */
		struct fp_sc *e = &fp->scrx[i];

		if (e->revoked && __atomic_load_n(&e->aux->prod_done, __ATOMIC_ACQUIRE) &&
		    shmring_empty(&e->r)) {
			sc_rx_drop(fp, i);
			continue;
		}
		i++;
	}
	pthread_mutex_unlock(&fp->sc_lock);
	return got;
}

/* Whether this receive takes the shortcuts before s2c (every other one,
 * while we have shortcuts: the rings take turns). */
static bool sc_first(struct vde_fastpath *fp)
{
	if (!fp->aux || !__atomic_load_n(&fp->nrx, __ATOMIC_RELAXED))
		return false;
	fp->rx_turn = !fp->rx_turn;
	return fp->rx_turn;
}

/* Arm every shortcut we receive from: true if one holds frames. */
static bool sc_arm(struct vde_fastpath *fp)
{
	bool frames = false;
	unsigned int i;

	if (!fp->aux || !__atomic_load_n(&fp->nrx, __ATOMIC_RELAXED))
		return false;
	pthread_mutex_lock(&fp->sc_lock);
	for (i = 0; i < fp->nrx; i++)
		frames |= shmring_cons_arm(&fp->scrx[i].r);
	pthread_mutex_unlock(&fp->sc_lock);
	return frames;
}

enum sc_q { SC_TAKEN, SC_ALL_ARMED, SC_FRAMES };

/* SC_TAKEN: a sender took an arming (a doorbell comes); SC_ALL_ARMED:
 * every ring is armed; SC_FRAMES: one holds frames. */
static bool sc_query(struct vde_fastpath *fp, enum sc_q q)
{
	bool any = false, all = true;
	unsigned int i;

	if (!fp->aux || !__atomic_load_n(&fp->nrx, __ATOMIC_RELAXED))
		return q == SC_ALL_ARMED;
	pthread_mutex_lock(&fp->sc_lock);
	for (i = 0; i < fp->nrx; i++) {
		struct shmring *r = &fp->scrx[i].r;
		bool v = q == SC_FRAMES ? !shmring_empty(r) :
			 q == SC_ALL_ARMED ? r->armed :
			 r->armed && !__atomic_load_n(&r->ctl->cons_sleeping, __ATOMIC_ACQUIRE);

		any |= v;
		all &= v;
	}
	pthread_mutex_unlock(&fp->sc_lock);
	return q == SC_ALL_ARMED ? all : any;
}

/* Frames wait in a shortcut and no doorbell is on its way: ring our own
 * s2c pipe, taking the ring's flag as its sender would (the byte is then
 * owed like any other). */
static void sc_poke(struct vde_fastpath *fp)
{
	static const char one = 1;
	unsigned int i;

	pthread_mutex_lock(&fp->sc_lock);
	for (i = 0; i < fp->nrx; i++) {
		struct shmring *r = &fp->scrx[i].r;

		if (shmring_empty(r))
			continue;
		if (__atomic_exchange_n(&r->ctl->cons_sleeping, 0, __ATOMIC_SEQ_CST) &&
		    write(fp->bell_self, &one, 1) < 0 && errno != EAGAIN)
			__atomic_store_n(&r->ctl->cons_sleeping, 1, __ATOMIC_SEQ_CST);
		break;
	}
	pthread_mutex_unlock(&fp->sc_lock);
	fp->pokes++;
}

/* Doorbells owed by every ring we consume. */
static uint64_t owed_all(struct vde_fastpath *fp)
{
	uint64_t n = fp->rx.owed;
	unsigned int i;

	if (!fp->aux)
		return n;
	pthread_mutex_lock(&fp->sc_lock);
	n += fp->owed_orphan;
	for (i = 0; i < fp->nrx; i++)
		n += fp->scrx[i].r.owed;
	pthread_mutex_unlock(&fp->sc_lock);
	return n;
}

/* @n doorbells were read: they pay what is owed, whichever ring owes it;
 * all of it with @all. Return: how many of @n were beyond. */
static uint64_t owed_pay(struct vde_fastpath *fp, uint64_t n, bool all)
{
	uint32_t *owed[FASTPATH_SC_MAX + 2];
	unsigned int k = 0, i;

	owed[k++] = &fp->rx.owed;
	if (fp->aux) {
		pthread_mutex_lock(&fp->sc_lock);
		owed[k++] = &fp->owed_orphan;
		for (i = 0; i < fp->nrx; i++)
			owed[k++] = &fp->scrx[i].r.owed;
	}
	for (i = 0; i < k; i++) {
		uint64_t pay = all ? *owed[i] : (n < *owed[i] ? n : *owed[i]);

		*owed[i] -= (uint32_t)pay;
		n -= pay < n ? pay : n;
	}
	if (fp->aux)
		pthread_mutex_unlock(&fp->sc_lock);
	return n;
}

/* @n doorbells were read outside pay_owed(): beyond those owed, each is
 * an arming taken since (its flag is clear): that ring is no longer
 * armed. More than that come from a misbehaving peer and are ignored. */
static void absorb_all(struct vde_fastpath *fp, uint64_t n)
{
	unsigned int i;

	if (!fp->aux) {
		shmring_cons_absorb(&fp->rx, n);
		return;
	}
	n = owed_pay(fp, n, false);
	if (n && fp->rx.armed && !__atomic_load_n(&fp->rx.ctl->cons_sleeping, __ATOMIC_ACQUIRE)) {
		fp->rx.armed = false;
		n--;
	}
	pthread_mutex_lock(&fp->sc_lock);
	for (i = 0; i < fp->nrx && n; i++) {
		struct shmring *r = &fp->scrx[i].r;

		if (r->armed && !__atomic_load_n(&r->ctl->cons_sleeping, __ATOMIC_ACQUIRE)) {
			r->armed = false;
			n--;
		}
	}
	pthread_mutex_unlock(&fp->sc_lock);
}

/* Read the doorbells we know were sent (or are about to be: the switch,
 * or a shortcut's sender, took our flag and has not sent yet; wait for
 * those briefly, else the caller would be woken later for nothing).
 * Others stay on the socket. */
static void pay_owed(struct vde_fastpath *fp)
{
	long deadline = now_ms() + FASTPATH_OWED_WAIT_MS;
	uint64_t owed;

	while ((owed = owed_all(fp)) != 0) {
		ssize_t n = take_bells(fp, owed < DRAIN_MAX ? owed : DRAIN_MAX, false);
		long left;

		if (n >= 0) {
			owed_pay(fp, (uint64_t)n, false);
			fp->doorbells_rx += (uint64_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		left = deadline - now_ms();
		if (errno != EAGAIN || left <= 0)
			break;
		wait_readable(fp->bell_rx, (int)left);
	}
	owed_pay(fp, 0, true);	/* late or never: the peer's problem */
}

/* The rings looked empty (or an arming is spent): re-arm, and leave
 * vde_datafd() readable exactly if frames wait. True if frames wait.
 * @drain: also read doorbells beyond those owed. An honest switch sends
 * none (each doorbell pays a taken arming), so this costs a system call
 * for nothing on every frame; it is done only after a wake-up that found
 * no frame, where stale doorbells would keep vde_datafd() readable. */
static bool settle(struct vde_fastpath *fp, bool drain)
{
	int round;

	for (round = 0; round < SETTLE_MAX; round++) {
		bool s2c = shmring_cons_arm(&fp->rx), sc = sc_arm(fp);

		if (s2c || sc) {
			if (!owed_all(fp)) {
				if (s2c) {
					fp->pokes++;
					ring_bell(fp);	/* the switch answers: our flag is set */
				} else {
					sc_poke(fp);
				}
			}
			return true;
		}
		pay_owed(fp);
		/* taken since we armed: frames are there and their doorbell,
		 * left in place, keeps vde_datafd() readable */
		if (!__atomic_load_n(&fp->rx.ctl->cons_sleeping, __ATOMIC_ACQUIRE) ||
		    sc_query(fp, SC_TAKEN))
			return true;
		/* still armed: whatever else waits is stale */
		if (!drain)
			return false;
		absorb_all(fp, drain_bells(fp));
		if (fp->rx.armed && sc_query(fp, SC_ALL_ARMED))
			return false;
	}
	return !shmring_empty(&fp->rx) || sc_query(fp, SC_FRAMES);
}

/* The switch has closed the port (ctl readable: EOF or garbage). */
static bool switch_gone(const struct vde_fastpath *fp)
{
	struct pollfd pfd = { .fd = fp->ctl, .events = POLLIN };

	return fp->ctl >= 0 && poll(&pfd, 1, 0) > 0;
}

/* Frames sent before ACTIVE wait on the socket ahead of the first
 * doorbell. >0 a frame (its copied length), 0 none left. Without pipes the
 * doorbell that ends them is left in place: it keeps vde_datafd() readable
 * for the ring frames behind it and is read by the next settle(). */
static ssize_t predrain(struct vde_fastpath *fp, struct msghdr *mh)
{
	ssize_t n;

	do
		n = recvmsg(fp->sock, mh, MSG_DONTWAIT | MSG_PEEK);
	while (n < 0 && errno == EINTR);
	if (n > 0) {
		do
			n = recvmsg(fp->sock, mh, MSG_DONTWAIT);
		while (n < 0 && errno == EINTR);
		if (n > 0) {
			/* pipes: the last one leaves vde_datafd() exact */
			if (fp->pipes && !sock_pending(fp->sock))
				predrain_done(fp);
			return n;
		}
	}
	if (fp->pipes)
		predrain_done(fp);
	else
		fp->predrain = false;
	return 0;
}

/* After frames were consumed: room doorbell, and keep the wake-up right. */
static void after_consume(struct vde_fastpath *fp, bool kick)
{
	if (kick)
		ring_bell(fp);
	/* peer == pos: the ring was empty at our last look at tail */
	if (!fp->rx.armed || fp->rx.peer == fp->rx.pos)
		settle(fp, false);
}

/* Nothing was consumed: re-arm, then return to look again (0), or wait
 * for a doorbell on a blocking socket (0), or fail with EAGAIN (-1).
 * @woken: set once we waited (the next settle() drains stale doorbells). */
static int idle(struct vde_fastpath *fp, bool kick, int flags, int *spins, bool *woken)
{
	ssize_t n;

	if (kick)
		ring_bell(fp);
	/* a lying switch could announce frames for ever: bounded. A
	 * non-blocking call with pipes also reads what else waits: an EOF
	 * (the switch gone) must not stay readable under its caller's poll */
	if (settle(fp, *woken || (fp->pipes && (flags & MSG_DONTWAIT))) && ++*spins < SETTLE_MAX)
		return 0;
	if (flags & MSG_DONTWAIT) {
		errno = EAGAIN;
		return -1;
	}
	if (*spins >= SETTLE_MAX) {
		/* announced frames that never came: do not spin on their
		 * doorbells */
		absorb_all(fp, drain_bells(fp));
		*spins = 0;
	}
	/* one call waits for a doorbell on a blocking vde_datafd() and reads
	 * it (accounted: it pays what settle() will find owed), or says
	 * EAGAIN on an O_NONBLOCK one; EPIPE: the switch is gone */
	n = take_bells(fp, 1, true);
	*woken = true;
	if (n > 0) {
		fp->doorbells_rx += (uint64_t)n;
		absorb_all(fp, (uint64_t)n);
	} else if (n < 0 && errno != EINTR) {
		return -1;
	}
	return 0;
}

/* A record with a header met by a plain receive, its header copied apart
 * (@hdr, shmring_consume_vnet()), its frame at @buf (NULL: scattered over
 * several buffers), @len the bytes copied, header included: complete a
 * partial checksum (in a contiguous frame only). A super-frame cannot be
 * cut here: dropped (vnet_bad). Return: the frame's length, or 1 (dropped:
 * the "ignore" length that vde_recv_batch() skips). */
static size_t plain_fix(struct vde_fastpath *fp, const uint8_t *hdr, uint8_t *buf, size_t len)
{
	struct virtio_net_hdr h;

	if (len < SHMRING_VNET_HDR)
		goto drop;
	memcpy(&h, hdr, sizeof(h));
	len -= SHMRING_VNET_HDR;
	if (h.gso_type != VIRTIO_NET_HDR_GSO_NONE || len < 2 ||
	    (buf ? vnet_finish_csum(&h, buf, len) < 0 : h.flags != 0))
		goto drop;
	return len;
drop:
	fp->vnet_bad++;
	return 1;
}

/**
 * fastpath_recv() - vde_recv() in ring mode
 * @fp:		state
 * @buf:	buffer
 * @len:	its size (a longer frame is truncated)
 *
 * Return: the frame's length (truncated to @len), or -1 with errno
 * (EAGAIN when nothing waits and vde_datafd() is O_NONBLOCK).
 */
ssize_t fastpath_recv(struct vde_fastpath *fp, void *buf, size_t len)
{
	uint8_t hdr[1][SHMRING_VNET_HDR];
	struct iovec iov = { buf, len };
	struct shmring_rxf f = { .iov = &iov, .iovcnt = 1 };
	int spins = 0;
	bool woken = false;
	bool kick;

	if (fp->predrain) {
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n = predrain(fp, &mh);

		if (n > 0)
			return n;
	}
	for (;;) {
		bool again = false, first = sc_first(fp), sc;

		/* the shortcuts first every other time, else the withdrawn
		 * ones only; then s2c; then the shortcuts (sc_recv()) */
		kick = false;
		sc = sc_recv(fp, &f, 1, &again, first, NULL, hdr) > 0;
		if (!sc && shmring_consume_vnet(&fp->rx, &f, hdr, 1, &kick)) {
			size_t got = f.len;

			after_consume(fp, kick);
			if (f.flags & SHMRING_F_VNET)
				got = plain_fix(fp, hdr[0], buf, got);
			if (got == 1)
				continue;
			return (ssize_t)got;
		}
		if (!sc && !first)
			sc = sc_recv(fp, &f, 1, &again, true, NULL, hdr) > 0;
		if (sc) {
			size_t got = f.len;

			if (again)
				settle(fp, false);
			if (f.flags & SHMRING_F_VNET)	/* a VNET shortcut */
				got = plain_fix(fp, hdr[0], buf, got);
			if (got == 1)
				continue;
			return (ssize_t)got;
		}
		if (idle(fp, kick, 0, &spins, &woken))
			return -1;
	}
}

/**
 * fastpath_recv_batch() - receive up to @n frames (recvmmsg semantics)
 * @fp:		state
 * @msgs:	buffers (msg_iov); msg_len is set to each frame's copied length
 * @n:		how many
 * @flags:	MSG_DONTWAIT, or 0 to wait for the first frame if the
 *		data socket is blocking
 *
 * fp_recv_batch() also gives each record's flags (@recflags, may be
 * NULL) and, with @vhdr (up to 64 places, or NULL), puts the header of a
 * SHMRING_F_VNET record in vhdr[i] and only its frame in msg_iov
 * (shmring_consume_vnet(); msg_len counts the header).
 *
 * Return: frames received (>= 1), or -1 with errno.
 */
static int fp_recv_batch(struct vde_fastpath *fp, struct mmsghdr *msgs, unsigned int n,
			 int flags, unsigned int *recflags, uint8_t (*vhdr)[SHMRING_VNET_HDR])
{
	struct shmring_rxf f[64];
	unsigned int got = 0;
	int spins = 0;
	bool woken = false, again = false;
	bool kick = false;

	if (n == 0)
		return 0;
	while (fp->predrain && got < n) {
		ssize_t r = predrain(fp, &msgs[got].msg_hdr);

		if (r <= 0)
			break;
		if (recflags)
			recflags[got] = 0;	/* a datagram: a plain frame */
		msgs[got++].msg_len = (unsigned int)r;
	}
	if (got)
		return (int)got;
	for (;;) {
		size_t want = n - got < 64 ? n - got : 64, i, k;

		for (i = 0; i < want; i++) {
			f[i].iov = msgs[got + i].msg_hdr.msg_iov;
			f[i].iovcnt = msgs[got + i].msg_hdr.msg_iovlen;
		}
		bool a2 = false, first = sc_first(fp), hold = false;

		/* the shortcuts first every other time, else the withdrawn
		 * ones only; then s2c (one frame while @hold); then the
		 * shortcuts (sc_recv()). A VNET shortcut's headers go to
		 * vhdr as those of s2c */
		k = sc_recv(fp, f, want, &a2, first, &hold, vhdr ? vhdr + got : NULL);
		again |= a2;
		if (k < want) {
			bool k2;

			k += shmring_consume_vnet(&fp->rx, f + k, vhdr ? vhdr + got + k : NULL,
						  hold ? 1 : want - k, &k2);
			kick |= k2;	/* a flag taken: rung once, at the end */
		}
		if (k < want && !first) {
			k += sc_recv(fp, f + k, want - k, &a2, true, NULL,
				     vhdr ? vhdr + got + k : NULL);
			again |= a2;
		}
		for (i = 0; i < k; i++) {
			msgs[got + i].msg_len = (unsigned int)f[i].len;
			if (recflags)
				recflags[got + i] = f[i].flags;
		}
		got += (unsigned int)k;
		if (k == want && got < n)
			continue;
		if (got) {
			after_consume(fp, kick);
			if (again)
				settle(fp, false);
			return (int)got;
		}
		if (idle(fp, kick, flags, &spins, &woken))
			return -1;
		kick = false;	/* rung */
	}
}

int fastpath_recv_batch(struct vde_fastpath *fp, struct mmsghdr *msgs, unsigned int n,
			int flags)
{
	uint8_t hdr[64][SHMRING_VNET_HDR];
	unsigned int recflags[64], i;
	int got;

	if (!fp->vnet)
		return fp_recv_batch(fp, msgs, n, flags, NULL, NULL);
	got = fp_recv_batch(fp, msgs, n < 64 ? n : 64, flags, recflags, hdr);
	for (i = 0; got > 0 && i < (unsigned int)got; i++)
		if (recflags[i] & SHMRING_F_VNET)
			msgs[i].msg_len = (unsigned int)plain_fix(
				fp, hdr[i], msgs[i].msg_hdr.msg_iovlen == 1 ?
				msgs[i].msg_hdr.msg_iov[0].iov_base : NULL, msgs[i].msg_len);
	return got;
}

/* Wait for room on a full c2s ring (@r, for frames of @len bytes) or a
 * full shortcut (@r NULL): -1 with errno if we must not. */
static int wait_room(struct vde_fastpath *fp, struct shmring *r, size_t len, int flags, long *ns)
{
	struct timespec ts;
	struct pollfd pfd = { .fd = fp->ctl, .events = POLLIN };

	if (fp->ctl >= 0 && switch_gone(fp)) {
		errno = ECONNREFUSED;
		return -1;
	}
	/* our ring is full: if the switch went to sleep with frames of ours
	 * still in it (it armed, but stopped short of the end: a budget, two
	 * PADs per call), no frame we could add would ring it; ring now */
	if (r && shmring_kick_check(r))
		ring_bell(fp);
	if ((flags & MSG_DONTWAIT) || sock_nonblocking(fp->bell_rx)) {
		errno = EAGAIN;
		return -1;
	}
	if (r && shmring_has_room(r, len))
		return 0;
	/* no room doorbell for the client: it would make vde_datafd()
	 * readable with no frame. The switch drains us within a few us. */
	ts.tv_sec = 0;
	ts.tv_nsec = *ns;
	if (fp->ctl >= 0)
		ppoll(&pfd, 1, &ts, NULL);
	else
		nanosleep(&ts, NULL);
	if (*ns < 1000000)
		*ns *= 2;
	return 0;
}

/**
 * fastpath_send() - vde_send() in ring mode
 * @fp:		state
 * @buf:	frame
 * @len:	its length
 *
 * Return: @len, 0 for an empty frame, or -1 with errno (EMSGSIZE, EAGAIN
 * on a full ring with O_NONBLOCK, ECONNREFUSED when the switch is gone).
 */
ssize_t fastpath_send(struct vde_fastpath *fp, const void *buf, size_t len)
{
	struct iovec iov = { (void *)buf, len };
	struct shmring_txf f = { .iov = &iov, .iovcnt = 1 };
	long ns = 20000;
	bool kick;

	if (len == 0)
		return 0;
	if (len > fp->tx.frame_max) {
		errno = EMSGSIZE;
		return -1;
	}
	for (;;) {	/* a shortcut, or c2s */
		enum sc_res res = sc_send(fp, &iov, 1, len, 0, 0);

		if (res == SC_SENT)
			return (ssize_t)len;
		if (res == SC_NOT)
			break;
		if (wait_room(fp, NULL, len, 0, &ns))
			return -1;
	}
	while (!shmring_produce(&fp->tx, &f, 1, &kick)) {
		if (wait_room(fp, &fp->tx, len, 0, &ns))
			return -1;
	}
	if (kick && ring_bell(fp) == -ECONNREFUSED) {
		errno = ECONNREFUSED;
		return -1;
	}
	return (ssize_t)len;
}

static size_t iov_total(const struct msghdr *mh)
{
	size_t j, len = 0;

	for (j = 0; j < mh->msg_iovlen; j++)
		len += mh->msg_iov[j].iov_len;
	return len;
}

/**
 * fastpath_send_batch() - send up to @n frames (sendmmsg semantics)
 * @fp:		state
 * @msgs:	frames (msg_iov); msg_len is set to each frame's length
 * @n:		how many
 * @flags:	MSG_DONTWAIT, or 0 to wait for room for the first frame if
 *		the data socket is blocking
 *
 * Stops at the first frame that is empty or too long (EMSGSIZE if it is
 * the first one).
 *
 * Return: frames sent (>= 1), or -1 with errno.
 */
static int fp_send_batch(struct vde_fastpath *fp, struct mmsghdr *msgs, unsigned int n,
			 int flags, unsigned int recflags)
{
	struct shmring_txf f[64];
	unsigned int sent = 0;
	long ns = 20000;
	bool kick = false, k;
	size_t len;

	while (sent < n) {
		size_t want = n - sent < 64 ? n - sent : 64, i, done;

		if (sc_sending(fp)) {	/* shortcuts: a frame at a time */
			enum sc_res res = SC_NOT;

			len = iov_total(&msgs[sent].msg_hdr);
			if (len && len <= fp->tx.frame_max)
				res = sc_send(fp, msgs[sent].msg_hdr.msg_iov,
					      msgs[sent].msg_hdr.msg_iovlen, len, recflags, flags);
			if (res == SC_SENT) {
				msgs[sent++].msg_len = (unsigned int)len;
				continue;
			}
			if (res == SC_FULL) {
				if (sent)
					break;
				if (wait_room(fp, NULL, len, flags, &ns))
					return -1;
				continue;
			}
			want = 1;
		}
		for (i = 0; i < want; i++) {
			f[i].iov = msgs[sent + i].msg_hdr.msg_iov;
			f[i].iovcnt = msgs[sent + i].msg_hdr.msg_iovlen;
			f[i].flags = recflags;
		}
		done = shmring_produce(&fp->tx, f, want, &k);
		kick |= k;
		for (i = 0; i < done && i < want; i++)
			msgs[sent + i].msg_len = (unsigned int)iov_total(&msgs[sent + i].msg_hdr);
		sent += (unsigned int)done;
		if (done == want)
			continue;
		if (sent)
			break;
		len = iov_total(&msgs[0].msg_hdr);
		if (len == 0 || len > fp->tx.frame_max) {
			errno = EMSGSIZE;
			return -1;
		}
		if (wait_room(fp, &fp->tx, len, flags, &ns))
			return -1;
	}
	if (kick && ring_bell(fp) == -ECONNREFUSED) {
		errno = ECONNREFUSED;
		return -1;
	}
	return (int)sent;
}

int fastpath_send_batch(struct vde_fastpath *fp, struct mmsghdr *msgs, unsigned int n,
			int flags)
{
	return fp_send_batch(fp, msgs, n, flags, 0);
}

#define VNET_BATCH	64

/**
 * fastpath_recv_vnet() - vde_recv_vnet() in ring mode
 * @fp:		state
 * @msg:	buffers: VDE_VNET_HDR_LEN bytes of header, then the frame
 * @n:		how many (at most 64 are filled)
 *
 * Records with a header (SHMRING_F_VNET) give theirs, checked against the
 * frame (vnet_check(): the switch's bytes are not trusted further than
 * that); plain records and frames from before ACTIVE get a zeroed one.
 * Every frame is copied once, to its place behind the header (a record's
 * header goes apart: shmring_consume_vnet()).
 *
 * Return: frames received, or -1 with errno (EAGAIN: none now).
 */
ssize_t fastpath_recv_vnet(struct vde_fastpath *fp, struct vde_msg *msg, unsigned int n)
{
	uint8_t hdr[VNET_BATCH][SHMRING_VNET_HDR];
	struct vde_msg fr[VNET_BATCH];
	struct mmsghdr mm[VNET_BATCH];
	struct iovec iov[VNET_BATCH];
	unsigned int recflags[VNET_BATCH], i, got = 0;
	int r;

	if (n > VNET_BATCH)
		n = VNET_BATCH;
	if (vdeplug_vnet_frames(msg, n, fr))
		return -1;
	for (i = 0; i < n; i++) {
		iov[i].iov_base = fr[i].buf;
		iov[i].iov_len = fr[i].len;
		memset(&mm[i].msg_hdr, 0, sizeof(mm[i].msg_hdr));
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	do
		r = fp_recv_batch(fp, mm, n, MSG_DONTWAIT, recflags, hdr);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -1;
	for (i = 0; i < (unsigned int)r; i++) {
		uint8_t *b = msg[i].buf, *frame = b + VDE_VNET_HDR_LEN;
		size_t len = mm[i].msg_len;
		struct virtio_net_hdr h;

		if (recflags[i] & SHMRING_F_VNET) {
			if (len <= SHMRING_VNET_HDR)
				goto bad;
			memcpy(&h, hdr[i], sizeof(h));
			len -= SHMRING_VNET_HDR;
			if (vnet_check(&h, frame, len, SIZE_MAX / 2, UINT_MAX) < 0)
				goto bad;
		} else {
			memset(&h, 0, sizeof(h));
			if (len <= 1)
				continue;	/* "ignore" (1), or nothing */
		}
		if (got != i) {		/* close the gap a dropped record left */
			if (len > msg[got].len - VDE_VNET_HDR_LEN)
				len = msg[got].len - VDE_VNET_HDR_LEN;
			memmove((uint8_t *)msg[got].buf + VDE_VNET_HDR_LEN, frame, len);
		}
		memcpy(msg[got].buf, &h, VDE_VNET_HDR_LEN);
		msg[got++].len = VDE_VNET_HDR_LEN + len;
		continue;
bad:
		fp->vnet_bad++;
	}
	if (!got) {
		errno = EAGAIN;
		return -1;
	}
	return (ssize_t)got;
}

/**
 * fastpath_send_vnet() - vde_send_vnet() in ring mode (VNET granted)
 * @fp:		state
 * @msg:	VDE_VNET_HDR_LEN bytes of header, then the frame, each
 * @n:		how many
 * @flags:	VDE_SEND_WAIT: wait for room (blocking socket) for every frame
 *
 * Each frame becomes one record with its header (SHMRING_F_VNET); the
 * switch checks it. A buffer shorter than the header ends the batch
 * (EINVAL if it is the first).
 *
 * Return: frames taken, or -1 with errno.
 */
ssize_t fastpath_send_vnet(struct vde_fastpath *fp, const struct vde_msg *msg, unsigned int n,
			   int flags)
{
	uint8_t hdr[VNET_BATCH][SHMRING_VNET_HDR];
	struct mmsghdr mm[VNET_BATCH];
	struct iovec iov[VNET_BATCH][2];
	unsigned int i;
	int r;

	if (n > VNET_BATCH)
		n = VNET_BATCH;
	for (i = 0; i < n && msg[i].len >= VDE_VNET_HDR_LEN; i++) {
		memcpy(hdr[i], msg[i].buf, VDE_VNET_HDR_LEN);
		memset(hdr[i] + VDE_VNET_HDR_LEN, 0, SHMRING_VNET_HDR - VDE_VNET_HDR_LEN);
		iov[i][0].iov_base = hdr[i];
		iov[i][0].iov_len = SHMRING_VNET_HDR;
		iov[i][1].iov_base = (uint8_t *)msg[i].buf + VDE_VNET_HDR_LEN;
		iov[i][1].iov_len = msg[i].len - VDE_VNET_HDR_LEN;
		memset(&mm[i].msg_hdr, 0, sizeof(mm[i].msg_hdr));
		mm[i].msg_hdr.msg_iov = iov[i];
		mm[i].msg_hdr.msg_iovlen = 2;
	}
	if (i == 0) {
		errno = EINVAL;
		return -1;
	}
	n = i;
	i = 0;
	do {
		/* with VDE_SEND_WAIT: until every frame is taken */
		r = fp_send_batch(fp, mm + i, n - i, (flags & VDE_SEND_WAIT) ? 0 : MSG_DONTWAIT,
				  SHMRING_F_VNET);
		if (r > 0)
			i += (unsigned int)r;
	} while ((r < 0 && errno == EINTR) || (r > 0 && i < n && (flags & VDE_SEND_WAIT)));
	return i ? (ssize_t)i : r;
}

/**
 * fastpath_free() - wait (bounded) for the switch to read our frames, unmap
 * @fp:		state (NULL is fine)
 * @linger_ms:	longest wait
 */
void fastpath_free(struct vde_fastpath *fp, int linger_ms)
{
	struct timespec nap = { 0, 100000 };
	long deadline = now_ms() + linger_ms;

	if (!fp)
		return;
	while (__atomic_load_n(&fp->tx.ctl->head, __ATOMIC_ACQUIRE) != fp->tx.pos &&
	       now_ms() < deadline && !switch_gone(fp)) {
		nanosleep(&nap, NULL);
		if (nap.tv_nsec < 5000000)
			nap.tv_nsec *= 2;
	}
	if (fp->aux) {
		unsigned int i;

		pthread_mutex_lock(&fp->sc_lock);
		sc_chan_close(fp);
		for (i = fp->nrx; i > 0; i--)
			sc_unmap(&fp->scrx[i - 1]);
		fp->nrx = 0;
		pthread_mutex_unlock(&fp->sc_lock);
		pthread_mutex_destroy(&fp->sc_lock);
		close(fp->bell_self);
	}
	munmap(fp->map, fp->maplen);
	if (fp->pipes) {
		/* bell_rx is vde_datafd(): closed by the caller */
		close(fp->sock);
		close(fp->bell_tx);
		close(fp->bell_keep);
		close(fp->bell_nb);
	}
	free(fp);
}

/**
 * fastpath_close() - leave ring mode before mod_vde.c closes the sockets
 * @conn:	the connection
 */
void fastpath_close(struct vdeconn *conn)
{
	fastpath_free(conn->u.vde.fp, VDE_LINGER_MS);
	conn->u.vde.fp = NULL;
}
