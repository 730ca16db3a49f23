// SPDX-License-Identifier: LGPL-2.1-or-later
/* lib/vdeplug/mod_vhost.c - vhost-user:// module: a QEMU guest's NIC
 *
 * vhost-user:///PATH listens on PATH as a vhost-user backend; QEMU connects
 * with -chardev socket,path=PATH -netdev vhost-user. vde_open() returns at
 * once (no guest yet); frames sent while no guest runs are dropped. The
 * core (lib/vhost) speaks the protocol and moves frames; this file accepts
 * one front end at a time, and when it goes away (QEMU killed, stopped, or
 * disconnected by the core for breaking its rings) waits for the next one:
 * vde_recv() never reports the guest's absence as the end of the network.
 *
 * The guest may send TSO super-frames and partial checksums: they are cut
 * into wire frames and checksummed here (lib/common/vnet.c), since a VNL
 * carries plain Ethernet frames. Frames to the guest are plain.
 *
 * vde_datafd() is an epoll set (listening socket, the core's fd, an
 * eventfd raised while frames of a batch are still to be returned, and a
 * timerfd: out of fds, accept() stops watching the socket, which would
 * stay readable and wake the caller at once again, and the timer brings
 * it back after a back-off of 50 ms doubling to 1 s), so
 * the caller's poll loop wakes for protocol messages too, which vde_recv()
 * handles before it returns -1/EAGAIN. The one exception to "the library
 * never logs": a guest dropped for a protocol or ring error gets one line
 * through the tool's log (stderr or syslog), since the VNL lives on.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "log.h"
#include "mod.h"
#include "../vhost/vhost.h"
#include "vnet.h"

#define VH_BATCH	16
#define VH_MAXSEG	64			/* segments of one super-frame */
#define EP_LISTEN	1
#define EP_DEV		2
#define EP_PEND		3
#define EP_TIMER	4
#define ACCEPT_PAUSE_FIRST_MS	50	/* out of fds: the first back-off */
#define ACCEPT_PAUSE_LAST_MS	1000	/* doubling up to this */

struct vh_conn {
	struct vhost_dev *dev;
	int lfd, pend;
	int ep, tmr;			/* vde_datafd(); the accept back-off's timerfd */
	unsigned int pause_ms;		/* accept paused for lack of fds: next back-off */
	bool paused;
	bool pend_set;
	char path[VNL_PATHMAX];
	struct vhost_pkt pkt[VH_BATCH];
	unsigned int npkt, ipkt;		/* staged super-frames */
	size_t seglen[VH_MAXSEG];
	unsigned int nseg, iseg;		/* staged segments */
	size_t segoff;
	uint64_t drops;
	uint8_t *segbuf;
	size_t segsize;
};

static void pend(struct vh_conn *v, bool on)
{
	uint64_t x = 1;

	if (on == v->pend_set)
		return;
	if (on ? write(v->pend, &x, sizeof(x)) != sizeof(x) : read(v->pend, &x, sizeof(x)) != sizeof(x))
		return;
	v->pend_set = on;
}

static void vh_free(struct vh_conn *v)
{
	unsigned int i;

	if (!v)
		return;
	vhost_dev_free(v->dev);
	if (v->lfd >= 0) {
		close(v->lfd);
		unlink(v->path);
	}
	if (v->pend >= 0)
		close(v->pend);
	if (v->tmr >= 0)
		close(v->tmr);
	for (i = 0; i < VH_BATCH; i++)
		free(v->pkt[i].data);
	free(v->segbuf);
	free(v);
}

static int vh_open(VDECONN *conn, const struct vnl *vn, const struct vde_open_opts *o)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct vh_conn *v = calloc(1, sizeof(*v));
	unsigned int i;
	int ep = -1, err = -ENOMEM;

	if (!v)
		return -ENOMEM;
	v->lfd = v->pend = v->tmr = -1;
	v->pause_ms = ACCEPT_PAUSE_FIRST_MS;
	v->segsize = VHOST_MAX_PKT + VH_MAXSEG * 128;	/* payload + one header per segment */
	v->segbuf = malloc(v->segsize);
	v->dev = vhost_dev_new(VHOST_FEATURES_PLAIN);
	for (i = 0; i < VH_BATCH && v->segbuf; i++) {
		v->pkt[i].size = VHOST_MAX_PKT;
		v->pkt[i].data = malloc(VHOST_MAX_PKT);
		if (!v->pkt[i].data)
			goto fail;
	}
	if (!v->segbuf || !v->dev)
		goto fail;
	memcpy(v->path, vn->path, sizeof(v->path));
	v->pend = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	v->tmr = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (v->pend < 0 || v->tmr < 0 || ep < 0) {
		err = -errno;
		goto fail;
	}
	v->lfd = vhost_listen(v->path, o->mode ? o->mode : 0700);
	if (v->lfd < 0) {
		err = -errno;
		goto fail;
	}
	ev.data.u64 = EP_LISTEN;
	epoll_ctl(ep, EPOLL_CTL_ADD, v->lfd, &ev);
	ev.data.u64 = EP_DEV;
	epoll_ctl(ep, EPOLL_CTL_ADD, vhost_dev_fd(v->dev), &ev);
	ev.data.u64 = EP_PEND;
	epoll_ctl(ep, EPOLL_CTL_ADD, v->pend, &ev);
	ev.data.u64 = EP_TIMER;
	epoll_ctl(ep, EPOLL_CTL_ADD, v->tmr, &ev);
	v->ep = ep;
	conn->fddata = ep;
	conn->fdctl = -1;
	conn->u.priv = v;
	return 0;
fail:
	if (ep >= 0)
		close(ep);
	vh_free(v);
	return err;
}

static void vh_drop_guest(struct vh_conn *v, const char *why)
{
	logmsg(LOG_WARNING, "vhost-user %s: guest disconnected: %s", v->path, why);
	vhost_dev_detach(v->dev);
	v->npkt = v->ipkt = v->nseg = v->iseg = 0;
}

/* Out of fds (the connection waits in the backlog and the socket stays
 * readable): stop watching it for a back-off, said once per spell. */
static void vh_accept_pause(struct vh_conn *v, int err)
{
	struct itimerspec it = { { 0, 0 }, { v->pause_ms / 1000, (long)(v->pause_ms % 1000) * 1000000L } };

	if (timerfd_settime(v->tmr, 0, &it, NULL) < 0)
		return;		/* no timer: keep watching rather than lose the guest */
	epoll_ctl(v->ep, EPOLL_CTL_DEL, v->lfd, NULL);
	if (v->pause_ms == ACCEPT_PAUSE_FIRST_MS)
		logmsg(LOG_WARNING, "vhost-user %s: cannot accept a front end (%s): paused",
		       v->path, strerror(err));
	if (v->pause_ms < ACCEPT_PAUSE_LAST_MS)
		v->pause_ms *= 2;
	v->paused = true;
}

/* The back-off is over: watch the socket again. */
static void vh_accept_resume(struct vh_conn *v)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = EP_LISTEN };
	uint64_t n;

	if (read(v->tmr, &n, sizeof(n)) < 0 || !v->paused)
		return;
	v->paused = false;
	epoll_ctl(v->ep, EPOLL_CTL_ADD, v->lfd, &ev);
}

/* Accept a front end; a second one while one is attached is refused. */
static void vh_accept(struct vh_conn *v)
{
	int fd = accept4(v->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
			vh_accept_pause(v, errno);
		return;
	}
	v->pause_ms = ACCEPT_PAUSE_FIRST_MS;
	if (vhost_dev_attached(v->dev)) {
		logmsg(LOG_WARNING, "vhost-user %s: refused a second front end", v->path);
		close(fd);
		return;
	}
	vhost_dev_attach(v->dev, fd);
}

/* Next staged frame into @buf: length, or 0 if none staged. */
static size_t vh_next(struct vh_conn *v, uint8_t *buf, size_t len)
{
	while (v->iseg < v->nseg || v->ipkt < v->npkt) {
		struct vhost_pkt *p;
		size_t l;
		int n;

		if (v->iseg < v->nseg) {
			l = v->seglen[v->iseg];
			memcpy(buf, v->segbuf + v->segoff, l < len ? l : len);
			v->segoff += l;
			v->iseg++;
			return l < len ? l : len;
		}
		p = &v->pkt[v->ipkt++];
		if (p->vh.gso_type == VIRTIO_NET_HDR_GSO_NONE) {
			if (vnet_finish_csum(&p->vh, p->data, p->len) < 0) {
				v->drops++;
				continue;
			}
			l = p->len < len ? p->len : len;
			memcpy(buf, p->data, l);
			return l;
		}
		n = vnet_segment(&p->vh, p->data, p->len, v->segbuf, v->segsize, v->seglen,
				 VH_MAXSEG);
		if (n < 0) {
			v->drops++;
			continue;
		}
		v->nseg = (unsigned int)n;
		v->iseg = 0;
		v->segoff = 0;
	}
	return 0;
}

static ssize_t vh_recv(VDECONN *conn, void *buf, size_t len)
{
	struct vh_conn *v = conn->u.priv;
	struct epoll_event ev[4];
	size_t l;
	int n, i;

	l = vh_next(v, buf, len);
	if (!l) {
		n = epoll_wait(conn->fddata, ev, 4, 0);
		/* messages first: a front end that closed is gone before the
		 * next one is accepted */
		if (vhost_dev_poll(v->dev) < 0)
			vh_drop_guest(v, vhost_dev_error(v->dev));
		for (i = 0; i < n; i++) {
			if (ev[i].data.u64 == EP_TIMER)
				vh_accept_resume(v);
			if (ev[i].data.u64 != EP_LISTEN)
				continue;
			vh_accept(v);
			if (vhost_dev_poll(v->dev) < 0)	/* its first messages */
				vh_drop_guest(v, vhost_dev_error(v->dev));
		}
		n = vhost_dev_recv(v->dev, v->pkt, VH_BATCH);
		if (n < 0) {
			vh_drop_guest(v, vhost_dev_error(v->dev));
			n = 0;
		}
		v->npkt = (unsigned int)n;
		v->ipkt = 0;
		l = vh_next(v, buf, len);
	}
	pend(v, v->iseg < v->nseg || v->ipkt < v->npkt);
	if (!l) {
		errno = EAGAIN;
		return -1;
	}
	return (ssize_t)l;
}

static ssize_t vh_send(VDECONN *conn, const void *buf, size_t len)
{
	struct vh_conn *v = conn->u.priv;
	struct vhost_pkt p = { .data = (uint8_t *)buf, .len = len };

	if (vhost_dev_send(v->dev, &p, 1) < 0)
		vh_drop_guest(v, vhost_dev_error(v->dev));
	return (ssize_t)len;	/* no room in the guest = a loss on the wire */
}

static void vh_close(VDECONN *conn)
{
	vh_free(conn->u.priv);
	conn->u.priv = NULL;
	if (conn->fddata >= 0)
		close(conn->fddata);
	conn->fddata = -1;
}

const struct vde_module vdeplug_mod_vhost = {
	.name = "vhost-user",
	.open = vh_open,
	.recv = vh_recv,
	.send = vh_send,
	.close = vh_close,
};
