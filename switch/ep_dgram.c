// SPDX-License-Identifier: GPL-2.0-or-later
/* switch/ep_dgram.c - endpoint kind "unix prog": a VDE client's datagram
 * socket (docs/protocol.md, "Data sockets")
 *
 * Theory of operation: once ctlserver.c accepted a request, the switch
 * opens a datagram socket bound at DIR/%03d.%d (port, our fd), connects it
 * to the client's socket and writes back the full 110-byte sockaddr_un of
 * its own socket on the ctl stream.
 *
 * The client's socket is reached without a check-then-use window
 * (docs/protocol.md, "Port assignment and reply"): ep_dgram_peer() opens
 * the path the client named once, with O_PATH | O_NOFOLLOW (a symlink as
 * the last component is opened as itself, and refused), and fstat()s the
 * inode it got: a socket, owned by the user of the ctl stream (SO_PEERCRED,
 * ctlserver.c) unless that user is root. The data socket then connects to
 * /proc/self/fd/N, which names that very inode whatever the path has
 * become since: swapping a symlink or a directory between check and
 * connect reaches nothing else. This needs /proc (without it every
 * request is refused with the reason logged).
 *
 * The endpoint owns two fds: the data socket (read with recvmmsg, written
 * with sendmmsg, polled through the core's ep_fd_cb) and the ctl stream,
 * whose end closes the endpoint after
 * the frames the client sent before leaving were forwarded. The ctl fd
 * number is the endpoint's ID (port/print, port/epclose, debug lines).
 * This file only does I/O: batching, queues and drop counting are the
 * core's (endpoint.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "console.h"
#include "log.h"
#include "loop.h"
#include "switch.h"
#include "endpoint.h"
#include "ep_dgram.h"

/* recvmmsg() one batch into the core's slots. A receive error is not the
 * end of the endpoint (its ctl stream is): nothing read. */
static int dgram_rx(struct endpoint *ep, struct ep_rxbatch *b)
{
	struct mmsghdr msg[EP_BATCH];
	struct iovec iov[EP_BATCH];
	unsigned i, max = b->max < EP_BATCH ? b->max : EP_BATCH;
	int n;

	memset(msg, 0, sizeof(msg[0]) * max);
	for (i = 0; i < max; i++) {
		iov[i].iov_base = b->buf + (size_t)i * b->slot;
		iov[i].iov_len = b->slot;
		msg[i].msg_hdr.msg_iov = &iov[i];
		msg[i].msg_hdr.msg_iovlen = 1;
	}
	n = recvmmsg(ep->fd, msg, max, MSG_DONTWAIT, NULL);
	if (n <= 0)
		return 0;
	for (i = 0; i < (unsigned)n; i++)
		b->len[i] = (msg[i].msg_hdr.msg_flags & MSG_TRUNC) ? (uint32_t)b->slot :
			    msg[i].msg_len;
	return n;
}

/* sendmmsg() the frames; a hard error refuses one frame and goes on. */
static unsigned dgram_tx(struct endpoint *ep, const struct iovec *iov, unsigned n,
			 unsigned *errors)
{
	struct mmsghdr msg[EP_BATCH];
	unsigned i = 0;
	int r;

	if (n > EP_BATCH)
		n = EP_BATCH;	/* the contract's bound; the rest is "not taken" */
	memset(msg, 0, sizeof(msg[0]) * n);
	for (i = 0; i < n; i++) {
		msg[i].msg_hdr.msg_iov = (struct iovec *)&iov[i];
		msg[i].msg_hdr.msg_iovlen = 1;
	}
	i = 0;
	while (i < n) {
		r = sendmmsg(ep->fd, msg + i, n - i, MSG_DONTWAIT);
		if (r > 0) {
			i += (unsigned)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0 || errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
			break;
		(*errors)++;
		i++;
	}
	return i;
}

/**
 * ep_dgram_close() - see ep_dgram.h
 */
void ep_dgram_close(struct endpoint *ep)
{
	struct ep_dgram *d = ep->priv;

	if (ep->fd >= 0) {
		loop_del_fd(ep->sw->loop, ep->fd);
		close(ep->fd);
		ep->fd = -1;
	}
	if (d->path[0])
		unlink(d->path);
	if (d->ctl_fd >= 0) {
		loop_del_fd(ep->sw->loop, d->ctl_fd);
		close(d->ctl_fd);
		d->ctl_fd = -1;
	}
}

static const struct ep_ops dgram_ops = {
	.kind = "unix prog",
	.rx = dgram_rx,
	.tx = dgram_tx,
	.want = ep_want_fd,
	.close = ep_dgram_close,
};

/**
 * ep_dgram_find() - see ep_dgram.h
 */
struct endpoint *ep_dgram_find(struct sw *sw, const char *path)
{
	struct endpoint *ep;

	for (ep = sw->eps; ep; ep = ep->all_next)
		if (ep->ops == &dgram_ops && !ep->closed &&
		    !strcmp(((struct ep_dgram *)ep->priv)->path, path))
			return ep;
	return NULL;
}

/* The ctl stream of a granted endpoint: its end closes the endpoint. */
static void dgram_ctl_cb(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct endpoint *ep = arg;
	uint8_t buf[CTL_REQ_MAX + 8];
	ssize_t n;
	unsigned k;

	n = read(fd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n > 0) {
		log_debug("port %u fd %d: %zd unexpected bytes on ctl ignored", ep->port, fd, n);
		return;
	}
	/* the client is gone: forward what it sent before closing */
	for (k = 0; k < 64 && ep_input(ep) > 0; k++)
		;
	ep_close(ep);
}

static void dgram_sockbuf(int fd)
{
	int sz = SW_SOCKBUF;

	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
}

/* Give the bound socket at @path the mode and owner its port calls for. */
static void dgram_perms(struct sw *sw, const struct endpoint *ep, const char *path)
{
	mode_t mode = ep->port0 ? sw->mgmt_mode : sw->mode;
	gid_t group = ep->port0 ? sw->mgmt_group : sw->group;

	if (!ep->port0 && geteuid() == 0 && ep->user != PORT_NOUSER) {
		mode &= 0700;
		if (chown(path, ep->user, group) < 0)
			log_debug("chown %s: %s", path, strerror(errno));
	} else if (group != (gid_t)-1 && chown(path, (uid_t)-1, group) < 0) {
		log_debug("chown %s: %s", path, strerror(errno));
	}
	if (chmod(path, mode) < 0)
		log_debug("chmod %s: %s", path, strerror(errno));
}

/**
 * ep_dgram_peer() - see ep_dgram.h
 */
int ep_dgram_peer(const char *path, uid_t user)
{
	struct stat st;
	int fd, e = 0;

	fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		e = errno;
	else if (S_ISLNK(st.st_mode))
		e = ELOOP;
	else if (!S_ISSOCK(st.st_mode))
		e = ENOTSOCK;
	else if (user != 0 && st.st_uid != user)
		e = EACCES;
	if (e) {
		close(fd);
		errno = e;
		fd = -1;
	}
	return fd;
}

/* Open, bind and connect the data socket of @ep to the client's socket,
 * held by the O_PATH fd @peer (ep_dgram_peer()). */
static int dgram_open_data(struct sw *sw, struct endpoint *ep, int peer)
{
	struct ep_dgram *d = ep->priv;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, n, ret = -1;

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto out;
	ep->fd = fd;
	dgram_sockbuf(fd);
	n = snprintf(d->path, sizeof(d->path), "%s/%03u.%d", sw->ctl_dir, ep->port, fd);
	if (n < 0 || (size_t)n >= sizeof(d->path)) {
		d->path[0] = '\0';
		errno = ENAMETOOLONG;
		goto out;
	}
	memcpy(sun.sun_path, d->path, (size_t)n + 1);
	unlink(d->path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		d->path[0] = '\0';
		goto out;
	}
	dgram_perms(sw, ep, d->path);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "/proc/self/fd/%d", peer);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		goto out;
	ret = 0;
out:
	return ret;
}

/**
 * ep_dgram_open() - see ep_dgram.h
 */
int ep_dgram_open(struct sw *sw, int ctl_fd, const struct ctl_request *req, int peer,
		  uid_t user, unsigned port, const char **why)
{
	struct sockaddr_un reply = { .sun_family = AF_UNIX };
	struct endpoint *ep;
	struct ep_dgram *d;
	int ret = -1, e;

	*why = "out of memory";
	ep = ep_new(sw, &dgram_ops, sizeof(*d));
	if (!ep)
		return -1;
	d = ep->priv;
	d->ctl_fd = -1;
	ep->user = user;
	ep->port0 = req->type == CTL_REQ_NEW_PORT0;
	ep->port = port;
	ep->id = ctl_fd;
	memcpy(ep->descr, req->descr, sizeof(ep->descr));
	*why = "data socket";
	if (dgram_open_data(sw, ep, peer) < 0)
		goto out;
	*why = "reply";
	memcpy(reply.sun_path, d->path, strlen(d->path));
	if (write(ctl_fd, &reply, sizeof(reply)) != (ssize_t)sizeof(reply))
		goto out;
	*why = "loop";
	if (loop_add_fd(sw->loop, ep->fd, EPOLLIN, ep_fd_cb, ep) < 0)
		goto out;
	if (loop_add_fd(sw->loop, ctl_fd, EPOLLIN, dgram_ctl_cb, ep) < 0)
		goto out;
	d->ctl_fd = ctl_fd;
	ep_attach(ep);
	console_debug(sw->con, 031, "Port %02u FD %2d", port, ctl_fd);
	console_debug(sw->con, 023, "Port %02u FD %2d -> \"%s\"", port, ctl_fd, ep->descr);
	log_debug("port %u: new endpoint %d (%s)", port, ctl_fd, ep->descr);
	ret = 0;
out:
	if (ret < 0) {
		e = errno;
		ep_close(ep);
		errno = e;
	}
	return ret;
}
