// SPDX-License-Identifier: LGPL-2.1-or-later
/* lib/vdeplug/mod_ptp.c - ptp:// module: point-to-point cable on AF_UNIX
 *
 * Theory of operation (interoperable with vdeplug4's libvdeplug_ptp and
 * with VDE 2's "DIR[]" / p2p mode; observed with strace on Debian 12)
 *
 * Both ends use SOCK_DGRAM sockets, one raw frame per datagram.
 *  - Server: PATH is absent or stale (a test connect() is refused; the
 *    stale file is unlinked). Bind PATH, chmod to mode (default 0700). Not
 *    connected: the first send gets ENOTCONN, so connect to "PATH+" and
 *    retry; frames from any sender are received until then.
 *  - Client: PATH is a live datagram socket. Connect to PATH, bind
 *    "PATH+" (a stale one is unlinked, a live one is EADDRINUSE), chmod.
 *  - A zero-length datagram means "peer gone": vde_recv() disconnects
 *    (connect AF_UNSPEC) so a new peer can attach, and returns 0.
 *  - Sending while no peer exists drops the frame (returns its length),
 *    as an unplugged Ethernet cable would; vde_close() sends a zero-length
 *    datagram, then unlinks the socket file it bound.
 * udp:// has its own receive and send (mod_udp.c: it never ends on a datagram).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "mod.h"
#include "parse.h"

static int set_addr(struct sockaddr_un *sun, const char *path, const char *suffix)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if ((size_t)snprintf(sun->sun_path, sizeof(sun->sun_path), "%s%s", path, suffix) >=
	    sizeof(sun->sun_path))
		return -ENAMETOOLONG;
	return 0;
}

/* Is a datagram socket listening at @sun? 1 live, 0 stale/absent, -errno. */
static int probe(const struct sockaddr_un *sun)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int ret;

	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0)
		ret = 1;
	else if (errno == ECONNREFUSED || errno == ENOENT)
		ret = 0;
	else
		ret = -errno;
	close(fd);
	return ret;
}

/* Bind @fd at @sun, replacing a stale socket file. 0 or -errno. */
static int bind_fresh(int fd, const struct sockaddr_un *sun)
{
	struct stat st;
	int live;

	if (!lstat(sun->sun_path, &st)) {
		if (!S_ISSOCK(st.st_mode))
			return -EEXIST;
		live = probe(sun);
		if (live < 0)
			return live;
		if (live)
			return -EADDRINUSE;
		unlink(sun->sun_path);
	}
	if (bind(fd, (const struct sockaddr *)sun, sizeof(*sun)))
		return -errno;
	return 0;
}

/**
 * vdeplug_set_perms() - give the socket file we bound its group and mode
 * @path:	the socket file
 * @mode:	chmod() it to this
 * @group:	chgrp() it first to this group (a name or a number), or NULL
 *
 * Return: 0, -EINVAL (no such group) or -errno of chown()/chmod().
 */
int vdeplug_set_perms(const char *path, mode_t mode, const char *group)
{
	if (group) {
		gid_t gid;

		if (parse_group(group, &gid))
			return -EINVAL;
		if (chown(path, (uid_t)-1, gid))
			return -errno;
	}
	if (chmod(path, mode))
		return -errno;
	return 0;
}

/**
 * vdeplug_ptp_open_path() - open the ptp cable end at @path
 * @conn:		connection (fddata set on success)
 * @path:		server socket path
 * @mode:		mode of the socket file we bind
 * @group:		group of that file, or NULL
 * @force_server:	be the server even if a live server exists (VDE 2's
 *			"DIR[]": EADDRINUSE then)
 *
 * Return: 0 or -errno.
 */
int vdeplug_ptp_open_path(VDECONN *conn, const char *path, mode_t mode,
			  const char *group, int force_server)
{
	struct sockaddr_un srv, cli;
	struct sockaddr_un *mine, *peer;
	struct stat st;
	int fd, ret, live = 0;

	ret = set_addr(&srv, path, "");
	if (!ret)
		ret = set_addr(&cli, path, "+");
	if (ret)
		return ret;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (!lstat(path, &st)) {
		if (!S_ISSOCK(st.st_mode)) {
			ret = -ENOTSOCK;
			goto fail;
		}
		live = probe(&srv);
		if (live < 0) {
			ret = live;
			goto fail;
		}
	}
	if (live && !force_server) {
		if (connect(fd, (struct sockaddr *)&srv, sizeof(srv))) {
			ret = -errno;
			goto fail;
		}
		mine = &cli;
		peer = &srv;
	} else {
		mine = &srv;
		peer = &cli;
	}
	ret = bind_fresh(fd, mine);
	if (ret)
		goto fail;
	ret = vdeplug_set_perms(mine->sun_path, mode, group);
	if (ret) {
		unlink(mine->sun_path);
		goto fail;
	}
	conn->fddata = fd;
	conn->fdctl = -1;
	memcpy(&conn->u.p2p.peer, peer, sizeof(*peer));
	conn->u.p2p.peerlen = sizeof(*peer);
	memcpy(conn->u.p2p.sock, mine->sun_path, sizeof(conn->u.p2p.sock));
	conn->u.p2p.sock_bound = true;
	return 0;
fail:
	close(fd);
	return ret;
}

static int ptp_open(VDECONN *conn, const struct vnl *v, const struct vde_open_opts *o)
{
	return vdeplug_ptp_open_path(conn, v->path, o->mode, o->group, 0);
}

/**
 * vdeplug_p2p_recv() - receive one datagram frame on a cable (ptp)
 * @conn:	connection
 * @buf:	buffer
 * @len:	its size
 *
 * Return: frame length; 0 for a zero-length datagram (the peer closed: we
 * disconnect so another peer can attach) or a pending "connection refused"
 * (peer not there yet); -1 with errno.
 */
ssize_t vdeplug_p2p_recv(VDECONN *conn, void *buf, size_t len)
{
	ssize_t n;

	do
		n = recv(conn->fddata, buf, len, 0);
	while (n < 0 && errno == EINTR);
	if (n == 0) {
		struct sockaddr sa = { .sa_family = AF_UNSPEC };

		connect(conn->fddata, &sa, sizeof(sa));
	} else if (n < 0 && errno == ECONNREFUSED) {
		n = 0;
	}
	return n;
}

/**
 * vdeplug_p2p_send() - send one frame on a cable (ptp)
 * @conn:	connection
 * @buf:	frame
 * @len:	its length
 *
 * Connects to the stored peer on first use (or after a peer reset). A
 * frame for which no peer exists is dropped and reported as sent.
 *
 * Return: @len, or -1 with errno.
 */
ssize_t vdeplug_p2p_send(VDECONN *conn, const void *buf, size_t len)
{
	ssize_t n;
	int tries;

	for (tries = 0; tries < 4; tries++) {
		n = send(conn->fddata, buf, len, 0);
		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		if (errno != ENOTCONN && errno != EDESTADDRREQ && errno != ECONNREFUSED)
			return -1;
		/* no peer yet, or it went away: (re)connect to where it lives */
		if (connect(conn->fddata, (struct sockaddr *)&conn->u.p2p.peer,
			    conn->u.p2p.peerlen) == 0)
			continue;
		if (errno == ENOENT || errno == ECONNREFUSED)
			return (ssize_t)len;	/* nobody there: dropped */
		return -1;
	}
	return (ssize_t)len;	/* persistently refused: dropped */
}

static void p2p_close(VDECONN *conn)
{
	if (conn->fddata >= 0) {
		send(conn->fddata, "", 0, MSG_DONTWAIT);
		close(conn->fddata);
	}
	if (conn->u.p2p.sock_bound)
		unlink(conn->u.p2p.sock);
	conn->fddata = -1;
}

const struct vde_module vdeplug_mod_ptp = {
	.name = "ptp",
	.open = ptp_open,
	.recv = vdeplug_p2p_recv,
	.send = vdeplug_p2p_send,
	.close = p2p_close,
};
