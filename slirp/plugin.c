// SPDX-License-Identifier: GPL-2.0-or-later
/* slirp/plugin.c - libvdeplug_slirp.so: the slirp:// VNL as a vdeplug4 plugin
 *
 * Theory of operation
 *
 * libvdeplug (ours, and vdeplug4's) loads libvdeplug_<module>.so for a
 * VNL "<module>://..." and calls the functions of its exported
 * "vdeplug_ops". This one gives the program a NAT'd network of its own:
 * vde_open_real() parses the slirp:// parameters (conf.c: vdeplug4's
 * libvdeplug_slirp keys plus ours), starts a libslirp instance
 * (glue.c) with its forwards, and runs it in a thread with its own event
 * loop. The program and the thread talk over a SOCK_SEQPACKET socketpair:
 * one frame per message; the program's end is the data descriptor, so
 * vde_recv()/vde_send()/poll() work as with a switch. vde_close() stops
 * the thread through an eventfd, joins it and frees everything; the
 * program closing its end without vde_close() also ends the thread.
 *
 * The thread runs with every signal blocked: the program's handlers stay
 * in its own threads, and a send() of libslirp on a socket whose host peer
 * has gone returns EPIPE instead of killing the program with SIGPIPE.
 * Nothing is printed, except the settings table with the "verbose" key
 * (as vdeplug4's plugin does). Installed in $(libdir)/vdeplug, where our
 * libvdeplug looks first.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conf.h"
#include "glue.h"
#include "libvdeplug.h"
#include "loop.h"
#include "vdeplug4_mod.h"

#define SP_BATCH	64
#define SP_SOCKBUF	(4 * 1024 * 1024)
#define SP_SEND_WAIT_MS	100

struct slirp_conn {
	void *handle;			/* filled in by libvdeplug */
	struct vdeplug4_module *module;	/* idem */
	int fd;				/* the program's end */
	int peer;			/* the thread's end */
	int stopfd;
	bool running;
	pthread_t th;
	struct loop *l;
	struct glue *g;
	struct sconf conf;
	char *params;			/* the conf's strings point into it */
	uint64_t drops;
	uint8_t buf[SCONF_MTU_MAX + 18];
};

static ssize_t sp_send(void *arg, const void *frame, size_t len)
{
	struct slirp_conn *c = arg;
	ssize_t r = send(c->peer, frame, len, MSG_DONTWAIT);

	if (r < 0 && (errno == EAGAIN || errno == ENOBUFS)) {
		/* the program is not reading: wait a little, then drop */
		struct pollfd p = { .fd = c->peer, .events = POLLOUT };

		if (poll(&p, 1, SP_SEND_WAIT_MS) > 0)
			r = send(c->peer, frame, len, MSG_DONTWAIT);
	}
	if (r < 0)
		c->drops++;
	return r;
}

static void on_peer(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct slirp_conn *c = arg;
	int i;

	for (i = 0; i < SP_BATCH; i++) {
		ssize_t r = recv(fd, c->buf, sizeof(c->buf), MSG_DONTWAIT);

		if (r > 0) {
			glue_input(c->g, c->buf, (size_t)r);
			continue;
		}
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (r == 0 && !(events & (EPOLLHUP | EPOLLERR)))
			continue;	/* an empty message */
		loop_stop(l);		/* the program closed its end */
		break;
	}
	glue_service(c->g);
}

static void on_stop(struct loop *l, int fd, uint32_t events, void *arg)
{
	(void)fd;
	(void)events;
	(void)arg;
	loop_stop(l);
}

static void *sp_thread(void *arg)
{
	struct slirp_conn *c = arg;

	loop_run(c->l);
	return NULL;
}

static void sp_free(struct slirp_conn *c)
{
	glue_free(c->g);
	loop_free(c->l);
	if (c->fd >= 0)
		close(c->fd);
	if (c->peer >= 0)
		close(c->peer);
	if (c->stopfd >= 0)
		close(c->stopfd);
	free(c->params);
	free(c);
}

static void sp_bufs(int fd)
{
	int sz = SP_SOCKBUF;

	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
}

static void *sp_open(const char *vnl, char *descr, int interface_version,
		     struct vde_open_args *open_args)
{
	static const struct glue_ops ops = { .send = sp_send };
	struct slirp_conn *c = calloc(1, sizeof(*c));
	sigset_t all, old;
	bool verbose;
	char err[256];
	int sv[2], e = EINVAL;
	size_t i;

	(void)descr;
	(void)interface_version;
	(void)open_args;
	if (!c)
		return NULL;
	c->fd = c->peer = c->stopfd = -1;
	c->params = strdup(vnl ? vnl : "");
	if (!c->params) {
		e = ENOMEM;
		goto fail;
	}
	sconf_init(&c->conf);
	if (sconf_parse_vnl(&c->conf, c->params, &verbose, err, sizeof(err)) < 0)
		goto fail;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		e = errno;
		goto fail;
	}
	c->fd = sv[0];
	c->peer = sv[1];
	sp_bufs(c->fd);
	sp_bufs(c->peer);
	c->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	c->l = loop_new();
	if (c->stopfd < 0 || !c->l) {
		e = errno ? errno : ENOMEM;
		goto fail;
	}
	c->g = glue_new(c->l, &c->conf, &ops, c);
	if (!c->g)
		goto fail;
	for (i = 0; i < c->conf.nfwd; i++) {
		int r = glue_fwd_add(c->g, &c->conf.fwd[i]);

		if (r < 0) {
			e = -r;
			goto fail;
		}
	}
	if (loop_add_fd(c->l, c->peer, EPOLLIN, on_peer, c) < 0 ||
	    loop_add_fd(c->l, c->stopfd, EPOLLIN, on_stop, c) < 0) {
		e = errno;
		goto fail;
	}
	if (verbose)
		glue_print_conf(c->g, stderr);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&c->th, NULL, sp_thread, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e)
		goto fail;
	c->running = true;
	return c;
fail:
	sp_free(c);
	errno = e;
	return NULL;
}

static ssize_t sp_recv(void *conn, void *buf, size_t len, int flags)
{
	struct slirp_conn *c = conn;
	ssize_t r = recv(c->fd, buf, len, 0);

	(void)flags;
	if (r == 0)
		return 0;
	/* vdeplug4's convention: a frame too short to be one is "drop it" */
	if (r > 0 && r < 14)
		return 1;
	return r;
}

static ssize_t sp_send_user(void *conn, const void *buf, size_t len, int flags)
{
	struct slirp_conn *c = conn;

	(void)flags;
	return send(c->fd, buf, len, MSG_NOSIGNAL);
}

static int sp_datafd(void *conn)
{
	return ((struct slirp_conn *)conn)->fd;
}

static int sp_ctlfd(void *conn)
{
	(void)conn;
	return -1;
}

static int sp_close(void *conn)
{
	struct slirp_conn *c = conn;
	uint64_t one = 1;

	if (c->running) {
		if (write(c->stopfd, &one, sizeof(one)) < 0)
			shutdown(c->fd, SHUT_RDWR);
		pthread_join(c->th, NULL);
	}
	sp_free(c);
	return 0;
}

struct vdeplug4_module vdeplug_ops = {
	.flags = 0,
	.vde_open_real = sp_open,
	.vde_recv = sp_recv,
	.vde_send = sp_send_user,
	.vde_datafd = sp_datafd,
	.vde_ctlfd = sp_ctlfd,
	.vde_close = sp_close,
};
