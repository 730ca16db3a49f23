// SPDX-License-Identifier: LGPL-2.1-or-later
/* lib/vdeplug/mod_vde.c - vde:// module: attach to a vde_switch port
 *
 * Theory of operation (VDE 2 switch protocol, version 3)
 *
 *  1. Connect a SOCK_STREAM socket to DIR/ctl (or DIR/<portgroup>, falling
 *     back to DIR/ctl). This "ctl" stream lives as long as the port.
 *  2. Bind our SOCK_DGRAM socket at DIR/.<pid>-<seq> (seq bumped on
 *     EADDRINUSE; if DIR is not usable: /var/run, /var/tmp, /tmp with
 *     vde.<pid>-<seq>), chmod it to the mode (default 0700), chgrp it to
 *     the group, or open it to the switch's group when the switch belongs
 *     to another user.
 *  3. Send ONE request: magic ce fa ed fe, version 3, type = reqtype +
 *     (port << 8), the 110-byte sockaddr_un of our socket, the description
 *     without NUL: 122 + strlen(description) bytes.
 *  4. Wait (bounded, VDE_REPLY_TIMEOUT_MS) for the 110-byte sockaddr_un of
 *     the switch's data socket. EOF means refused (ECONNREFUSED); silence
 *     means refused by a 2.3.2 switch (ETIMEDOUT).
 *  5. Connect our datagram socket to it, then unlink our socket file (the
 *     switch is connected to it already, so nothing else needs the name).
 *  6. One Ethernet frame per datagram each way. The ctl stream stays
 *     silent; vde_close() sends a zero-length datagram and closes both.
 *
 * Closing without losing frames: a datagram we sent stays charged to our
 * socket (SIOCOUTQ) until the switch has read it. If the switch then sends
 * to our closed socket, the kernel purges the switch's receive queue
 * ("messages are lost", unix_dgram_disconnected()), so frames a client sent
 * just before exiting would vanish whenever traffic flows back to it. So
 * vde_close() first waits, bounded by VDE_LINGER_MS, until the switch has
 * read everything we sent, like SO_LINGER on a stream socket.
 *
 * A DIR that is itself a socket is VDE 2's old single-socket switch (stream)
 * or the server end of a point-to-point cable (datagram: ptp client).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "deadline.h"
#include "fastpath.h"
#include "mod.h"

#define SEQ_TRIES	1000

/* bind() (@bind_it) or connect() @fd to the AF_UNIX socket @path. 0, or
 * -1 with errno (ENAMETOOLONG: @path does not fit in sun_path). */
static int unix_at(int fd, const char *path, bool bind_it)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sun.sun_path, path);
	return bind_it ? bind(fd, (struct sockaddr *)&sun, sizeof(sun)) :
			 connect(fd, (struct sockaddr *)&sun, sizeof(sun));
}

/* Connect a new stream socket to DIR/name. fd or -1. */
static int ctl_connect(const char *dir, const char *name)
{
	char path[PATH_MAX];
	int fd, saved;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (unix_at(fd, path, false)) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/* Bind @fd at DIR/.pid-seq, else /var/run|/var/tmp|/tmp/vde.pid-seq. */
static int bind_client_sock(int fd, const char *dir, char *out, size_t size)
{
	static const char *const fallback[] = { "/var/run", "/var/tmp", "/tmp" };
	long pid = (long)getpid();
	size_t d;
	int seq;

	for (d = 0; d <= sizeof(fallback) / sizeof(fallback[0]); d++) {
		for (seq = 0; seq < SEQ_TRIES; seq++) {
			int n = d == 0 ?
				snprintf(out, size, "%s/.%05ld-%05d", dir, pid, seq) :
				snprintf(out, size, "%s/vde.%05ld-%05d", fallback[d - 1], pid, seq);

			if (n < 0 || (size_t)n >= size)
				break;
			if (unix_at(fd, out, true) == 0)
				return 0;
			if (errno != EADDRINUSE)
				break;
		}
	}
	return -1;
}

/* chmod/chgrp our socket as VDE 2 does. 0 or -errno. */
static int set_sock_perms(const char *sock, const char *ctlpath, const char *group,
			  mode_t mode)
{
	struct stat st;

	if (!group && (mode & 077) == 0 && !stat(ctlpath, &st) &&
	    st.st_uid != 0 && st.st_uid != geteuid()) {
		/* a switch run by another user must be able to reach us */
		if (chown(sock, (uid_t)-1, st.st_gid) == 0)
			mode |= 070;
		else
			mode |= 077;
	}
	return vdeplug_set_perms(sock, mode, group);
}

/* Read the 110-byte reply within the deadline. 0 or -errno. */
static int read_reply(int fd, uint8_t *buf, size_t len)
{
	long deadline = deadline_in(VDE_REPLY_TIMEOUT_MS);
	uint16_t fam;
	size_t got;
	int ret;

	/* not a sockaddr_un (e.g. a management console's banner): no need to
	 * wait for the deadline */
	ret = recv_by(fd, buf, 2, deadline, &got);
	if (!ret) {
		memcpy(&fam, buf, 2);
		ret = fam != AF_UNIX ? -EPROTO : recv_by(fd, buf + 2, len - 2, deadline, &got);
	}
	if (ret == -ECONNRESET)
		ret = -ECONNREFUSED;	/* switch refused the port */
	return ret;
}

static void user_name(char *out, size_t size)
{
	struct passwd pw, *res = NULL;
	char buf[1024];

	/* getpwuid_r: the library may be called from any thread */
	if (!getpwuid_r(getuid(), &pw, buf, sizeof(buf), &res) && res && res->pw_name)
		snprintf(out, size, "%s", res->pw_name);
	else
		snprintf(out, size, "%ld", (long)getuid());
}

static int vde_mod_open(VDECONN *conn, const struct vnl *v, const struct vde_open_opts *o)
{
	char dir[PATH_MAX], ctlpath[PATH_MAX + 8], user[64];
	char descr[VDE_REQ_DESCRMAX], reply_path[108];
	uint8_t req[VDE_REQ_MAXLEN], reply[VDE_SUN_LEN];
	struct stat st;
	size_t reqlen;
	ssize_t n;
	int ret;

	if (!realpath(v->path, dir))
		return -errno;
	if (stat(dir, &st))
		return -errno;
	if (S_ISSOCK(st.st_mode)) {
		/* old single-socket switch, or a point-to-point server */
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0)
			return -errno;
		if (unix_at(fd, dir, false)) {
			ret = errno;
			close(fd);
			if (ret != EPROTOTYPE)
				return -ret;
			conn->mod = &vdeplug_mod_ptp;
			return vdeplug_ptp_open_path(conn, dir, o->mode, o->group, 0);
		}
		conn->fdctl = fd;
		snprintf(ctlpath, sizeof(ctlpath), "%s", dir);
		/* the client socket cannot live "in" a socket: fall back */
	} else {
		if (v->portgroup[0])
			conn->fdctl = ctl_connect(dir, v->portgroup);
		if (conn->fdctl < 0)
			conn->fdctl = ctl_connect(dir, "ctl");
		if (conn->fdctl < 0)
			return -errno;
		snprintf(ctlpath, sizeof(ctlpath), "%s/ctl", dir);
	}

	conn->fddata = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (conn->fddata < 0) {
		ret = -errno;
		goto fail;
	}
	if (bind_client_sock(conn->fddata, dir, conn->u.vde.sock, sizeof(conn->u.vde.sock))) {
		ret = -errno;
		goto fail;
	}
	conn->u.vde.sock_bound = true;
	ret = set_sock_perms(conn->u.vde.sock, ctlpath, o->group, o->mode);
	if (ret)
		goto fail;

	user_name(user, sizeof(user));
	vnl_describe(descr, sizeof(descr), o->descr, user, (long)getpid(), getenv("SSH_CLIENT"));
	reqlen = vnl_request(req, o->port0 ? VDE_REQ_NEW_PORT0 : VDE_REQ_NEW_CONTROL,
			     o->port0 ? 0 : o->port, conn->u.vde.sock, descr);
	if (!reqlen) {
		ret = -ENAMETOOLONG;
		goto fail;
	}
	do
		n = send(conn->fdctl, req, reqlen, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		ret = -errno;
		goto fail;
	}
	if ((size_t)n != reqlen) {
		ret = -EPROTO;
		goto fail;
	}
	ret = read_reply(conn->fdctl, reply, sizeof(reply));
	if (ret)
		goto fail;
	ret = vnl_reply(reply, sizeof(reply), reply_path);
	if (ret)
		goto fail;
	if (unix_at(conn->fddata, reply_path, false)) {
		ret = -errno;
		goto fail;
	}
	/* the switch is connected to our socket: its name is no longer needed */
	unlink(conn->u.vde.sock);
	conn->u.vde.sock_bound = false;
	/* shared-memory rings if this switch offers them (docs/fastpath.md) */
	ret = S_ISSOCK(st.st_mode) ? 0 : fastpath_open(conn, dir, reply_path, o->vnet);
	if (ret)
		goto fail;
	return 0;
fail:
	if (conn->u.vde.sock_bound)
		unlink(conn->u.vde.sock);
	conn->u.vde.sock_bound = false;
	if (conn->fddata >= 0)
		close(conn->fddata);
	if (conn->fdctl >= 0)
		close(conn->fdctl);
	conn->fddata = conn->fdctl = -1;
	return ret;
}

static ssize_t vde_mod_recv(VDECONN *conn, void *buf, size_t len)
{
	ssize_t n;

	if (conn->u.vde.fp)
		return fastpath_recv(conn->u.vde.fp, buf, len);
	do
		n = recv(conn->fddata, buf, len, 0);
	while (n < 0 && errno == EINTR);
	return n;
}

static ssize_t vde_mod_send(VDECONN *conn, const void *buf, size_t len)
{
	ssize_t n;

	if (conn->u.vde.fp)
		return fastpath_send(conn->u.vde.fp, buf, len);
	do
		n = send(conn->fddata, buf, len, 0);
	while (n < 0 && errno == EINTR);
	return n;
}

#define VDE_MOD_BATCH	64	/* datagrams per recvmmsg/sendmmsg call */

/* One mmsghdr per vde_msg (at most VDE_MOD_BATCH); returns how many. */
static unsigned int vde_mmsg_fill(struct mmsghdr *mm, struct iovec *iov,
				  const struct vde_msg *msg, unsigned int n)
{
	unsigned int i;

	if (n > VDE_MOD_BATCH)
		n = VDE_MOD_BATCH;
	for (i = 0; i < n; i++) {
		iov[i].iov_base = msg[i].buf;
		iov[i].iov_len = msg[i].len;
		memset(&mm[i].msg_hdr, 0, sizeof(mm[i].msg_hdr));
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	return n;
}

/* recvmmsg into the caller's buffers (or the rings' batch, same
 * semantics, when the switch gave us rings). A zero-length datagram (the switch
 * closing the port) ends the batch; when frames came before it, the close
 * is remembered and reported by the next call. One-byte datagrams are the
 * "ignore" answer of libvdeplug peers: dropped, and the later frames moved
 * down over them. */
static ssize_t vde_mod_recv_batch(VDECONN *conn, struct vde_msg *msg, unsigned int n)
{
	struct mmsghdr mm[VDE_MOD_BATCH];
	struct iovec iov[VDE_MOD_BATCH];
	unsigned int i, got = 0;
	int r;

	/* u.vde is ours only with a control stream: a path that is a
	 * datagram socket is opened as a cable (u.p2p) by this module too */
	if (conn->fdctl >= 0 && conn->u.vde.closed)
		return 0;
	n = vde_mmsg_fill(mm, iov, msg, n);
	do
		r = conn->u.vde.fp ? fastpath_recv_batch(conn->u.vde.fp, mm, n, MSG_DONTWAIT) :
		    recvmmsg(conn->fddata, mm, n, MSG_DONTWAIT, NULL);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -1;
	for (i = 0; i < (unsigned int)r; i++) {
		size_t len = mm[i].msg_len;

		if (len == 0) {
			if (!got)
				return 0;
			if (conn->fdctl >= 0)
				conn->u.vde.closed = true;
			break;
		}
		if (len == 1)
			continue;
		if (got != i) {		/* close the gap a dropped datagram left */
			if (len > msg[got].len)
				len = msg[got].len;
			memcpy(msg[got].buf, msg[i].buf, len);
		}
		msg[got++].len = len;
	}
	if (!got) {
		errno = EAGAIN;
		return -1;
	}
	return (ssize_t)got;
}

/* sendmmsg from the caller's frames, never waiting for room. */
static ssize_t vde_mod_send_batch(VDECONN *conn, const struct vde_msg *msg, unsigned int n)
{
	struct mmsghdr mm[VDE_MOD_BATCH];
	struct iovec iov[VDE_MOD_BATCH];
	int r;

	n = vde_mmsg_fill(mm, iov, msg, n);
	do
		r = conn->u.vde.fp ? fastpath_send_batch(conn->u.vde.fp, mm, n, MSG_DONTWAIT) :
		    sendmmsg(conn->fddata, mm, n, MSG_DONTWAIT);
	while (r < 0 && errno == EINTR);
	return r;
}

/* vde_recv_vnet(): headers on rings that carry them, else zeroed ones. */
static ssize_t vde_mod_recv_vnet(VDECONN *conn, struct vde_msg *msg, unsigned int n)
{
	if (conn->fdctl >= 0 && conn->u.vde.fp && conn->u.vde.fp->vnet)
		return fastpath_recv_vnet(conn->u.vde.fp, msg, n);
	return vdeplug_vnet_recv(conn, msg, n);
}

/* vde_send_vnet(): super-frames whole on rings that carry them, else cut. */
static ssize_t vde_mod_send_vnet(VDECONN *conn, const struct vde_msg *msg, unsigned int n,
				 int flags)
{
	if (conn->fdctl >= 0 && conn->u.vde.fp && conn->u.vde.fp->vnet)
		return fastpath_send_vnet(conn->u.vde.fp, msg, n, flags);
	return vdeplug_vnet_send(conn, msg, n, flags);
}

/* Wait (bounded) until the peer has read every datagram we sent. */
static void vde_linger(int fd)
{
	struct timespec nap = { 0, 200000 }, t0, t;
	int outq;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (ioctl(fd, SIOCOUTQ, &outq) == 0 && outq > 0) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 >=
		    VDE_LINGER_MS)
			break;
		nanosleep(&nap, NULL);
		if (nap.tv_nsec < 5000000)
			nap.tv_nsec *= 2;
	}
}

static void vde_mod_close(VDECONN *conn)
{
	if (conn->u.vde.fp)
		fastpath_close(conn);
	if (conn->fddata >= 0) {
		vde_linger(conn->fddata);
		/* tells the switch (and VDE 2 p2p peers) we are gone */
		send(conn->fddata, "", 0, MSG_DONTWAIT);
		close(conn->fddata);
	}
	if (conn->u.vde.sock_bound)
		unlink(conn->u.vde.sock);
	if (conn->fdctl >= 0)
		close(conn->fdctl);
	conn->fddata = conn->fdctl = -1;
}

const struct vde_module vdeplug_mod_vde = {
	.name = "vde",
	.open = vde_mod_open,
	.recv = vde_mod_recv,
	.send = vde_mod_send,
	.close = vde_mod_close,
	.recv_batch = vde_mod_recv_batch,
	.send_batch = vde_mod_send_batch,
	.recv_vnet = vde_mod_recv_vnet,
	.send_vnet = vde_mod_send_vnet,
};
