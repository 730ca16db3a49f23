// SPDX-License-Identifier: GPL-2.0-or-later
/* switch/ep_vhost.c - endpoint kind "vhost-user": a guest's virtio-net NIC
 *
 * A listener owns one UNIX socket PATH (lib/vhost's vhost_listen) and at
 * most one guest. When a front end connects, a struct vhost_dev takes the
 * connection and an endpoint is attached to the listener's port; the
 * device's epoll fd (protocol messages, guest kicks) and a private eventfd
 * (work of our own: a ring found broken in tx) are
 * this kind's fds in the loop. The endpoint lives exactly as long as the connection: a
 * disconnect, a protocol or ring error (the core's reason is logged) or
 * port/epclose closes it, unmaps the guest's memory, closes every fd of
 * the connection and frees the port; the listener stays for the next one.
 *
 * Offloads (EP_CAP_VNET): we offer the guest TSO and checksum offload
 * both ways (VHOST_FEATURES_OFFLOAD). Frames from the guest go from its
 * transmit ring straight into the core's slots, with their virtio-net
 * header as metadata; the core checks it and cuts super-frames only for
 * endpoints that need wire frames. A super-frame (or NEEDS_CSUM frame)
 * for a guest that did not take GUEST_TSO (GUEST_CSUM) is cut (completed)
 * here into a private buffer and sent with drop on a full ring.
 *
 * Transmit: vhost_dev_xmit() stops at the first frame that finds no guest
 * receive buffer and tx() returns how many it took, so the core queues the
 * rest and asks for output readiness; want(tx) arms the guest's receive
 * kick (the guest kicks when it posts buffers) and the callback calls
 * ep_output() once the ring has room. While the port is paused (want(rx =
 * false)) the guest's transmit kicks are not watched, so a busy guest does
 * not keep the loop spinning. Frames for a guest whose queues do not run
 * (driver not loaded, link down) are refused as send errors. Nothing here
 * waits on the guest: the socket is non-blocking and a message must arrive
 * whole (QEMU writes each one at once), a partial one disconnects.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "console.h"
#include "accept.h"
#include "log.h"
#include "loop.h"
#include "parse.h"
#include "switch.h"
#include "endpoint.h"
#include "ep_vhost.h"
#include "vhost/vhost.h"
#include "vnet.h"

#define VH_SEGSIZE	(VHOST_MAX_PKT + VNET_MAXSEG * 128)	/* payload + headers */
#define VNET_MAXSEG	64			/* segments of one super-frame */
#define VH_FIRST	8			/* frames of the first recv of a batch */
#define VH_WHOLE	4096			/* longer frames may leave a tail */

#define GUEST_TSO	((1ULL << VIRTIO_NET_F_GUEST_TSO4_) | (1ULL << VIRTIO_NET_F_GUEST_TSO6_))
#define GUEST_CSUM	(1ULL << VIRTIO_NET_F_GUEST_CSUM_)

struct vh_listener {
	struct sw *sw;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	unsigned port;			/* 0: the lowest free one */
	int lfd;
	struct accept_guard guard;	/* out of fds: pause, do not spin */
	struct endpoint *ep;		/* the guest now, or NULL */
	uint64_t connects, refused;
	char last[160];			/* why the last guest left */
	struct vh_listener *next;
};

struct vh_ep {
	struct vh_listener *l;
	struct vhost_dev *dev;
	int self;			/* eventfd: work of our own (death, room) */
	bool rx_on, tx_on, dead;
	uint8_t *segbuf;		/* cut for a guest without offloads */
	size_t seglen[VNET_MAXSEG];
	uint64_t cut, csum, segdrops, notrunning;
	uint64_t direct;		/* frames copied straight from another guest */
};

/* One switch per process: the listeners of it. */
static struct vh_listener *listeners;

static void vh_poke(struct vh_ep *v)
{
	uint64_t one = 1;

	if (write(v->self, &one, sizeof(one)) < 0) {
		/* counter full: it is readable anyway */
	}
}

static void vh_gone(struct endpoint *ep, const char *why)
{
	struct vh_ep *v = ep->priv;

	log_warn("vhost-user %s: port %u: guest disconnected: %s", v->l ? v->l->path : "?",
		 ep->port, why);
	if (v->l)
		snprintf(v->l->last, sizeof(v->l->last), "%s", why);
}

/* Frames from the guest straight into the core's slots (VHOST_MAX_PKT
 * fits one), with their virtio-net headers: the core checks them and cuts
 * super-frames for the endpoints that need wire frames. A first recv of
 * VH_FIRST frames tells small frames (the rest of the batch in one more
 * call) from super-frames (more calls of VH_FIRST, up to EP_RX_BYTES). */
static int vh_rx(struct endpoint *ep, struct ep_rxbatch *b)
{
	struct vhost_pkt p[EP_BATCH];
	struct vh_ep *v = ep->priv;
	unsigned i = 0, k, want;
	size_t bytes = 0;
	int n;

	if (v->dead)
		return 0;
	while (i < b->max && bytes < EP_RX_BYTES) {
		want = b->max - i;
		if (want > VH_FIRST && (i == 0 || bytes / i > 2048))
			want = VH_FIRST;
		for (k = 0; k < want; k++) {
			p[k].data = b->buf + (size_t)(i + k) * b->slot;
			p[k].size = b->slot;
		}
		n = vhost_dev_recv_hold(v->dev, p, want, EP_TAIL_HEAD, VH_WHOLE);
		if (n < 0) {
			vh_gone(ep, vhost_dev_error(v->dev));
			errno = EPROTO;
			return -1;
		}
		for (k = 0; k < (unsigned)n; k++) {
			b->len[i + k] = (uint32_t)p[k].len;
			b->vh[i + k] = p[k].vh;
			b->tail[i + k] = (struct ep_tail){ p[k].tail.iov, p[k].tail.n, p[k].tail.off,
							   p[k].tail.len };
			bytes += p[k].len;
		}
		i += (unsigned)n;
		if ((unsigned)n < want)
			break;
	}
	return (int)i;
}

/* Frame @iov with header @vh for a guest that did not agree to its offload
 * (no GUEST_TSO or GUEST_CSUM): cut or completed into segbuf, sent with
 * drop on a full ring (counted by lib/vhost as ring drops). 0 or -1. */
static int vh_tx_plain(struct vh_ep *v, const struct iovec *iov, const struct virtio_net_hdr *vh)
{
	struct vhost_pkt p[VNET_MAXSEG];
	size_t off = 0;
	int n, k;

	memset(p, 0, sizeof(p));
	if (vh->gso_type != VIRTIO_NET_HDR_GSO_NONE) {
		n = vnet_segment(vh, iov->iov_base, iov->iov_len, v->segbuf, VH_SEGSIZE, v->seglen,
				 VNET_MAXSEG);
		if (n <= 0) {
			v->segdrops++;
			return 0;
		}
		v->cut++;
		for (k = 0; k < n; k++) {
			p[k].data = v->segbuf + off;
			p[k].len = v->seglen[k];
			off += v->seglen[k];
		}
	} else {
		if (iov->iov_len > VH_SEGSIZE)
			return 0;
		memcpy(v->segbuf, iov->iov_base, iov->iov_len);
		if (vnet_finish_csum(vh, v->segbuf, iov->iov_len) < 0) {
			v->segdrops++;
			return 0;
		}
		v->csum++;
		p[0].data = v->segbuf;
		p[0].len = iov->iov_len;
		n = 1;
	}
	return vhost_dev_send(v->dev, p, (unsigned)n) < 0 ? -1 : 0;
}

static void vh_rx_done(struct endpoint *ep)
{
	struct vh_ep *v = ep->priv;

	if (v->dev)
		vhost_dev_release(v->dev);
}

static unsigned vh_tx_tail(struct endpoint *ep, const struct iovec *iov,
			   const struct virtio_net_hdr *vh, const struct ep_tail *const *tail,
			   unsigned n, unsigned *errors)
{
	struct vhost_pkt p[EP_BATCH];
	struct vh_ep *v = ep->priv;
	uint64_t f;
	unsigned i, done = 0;
	int r = 0;

	if (v->dead || !vhost_dev_running(v->dev)) {
		v->notrunning += n;
		*errors += n;
		return n;
	}
	if (n > EP_BATCH)
		n = EP_BATCH;
	f = vhost_dev_features(v->dev);
	while (done < n && r >= 0) {
		/* a run of frames the guest takes as they are */
		for (i = done; i < n; i++) {
			const struct virtio_net_hdr *h = vh ? &vh[i] : NULL;

			if (h && ((h->gso_type != VIRTIO_NET_HDR_GSO_NONE && (f & GUEST_TSO) != GUEST_TSO) ||
				  ((h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && !(f & GUEST_CSUM))))
				break;
			if (h)
				p[i - done].vh = *h;
			else
				memset(&p[i - done].vh, 0, sizeof(p[i - done].vh));
			p[i - done].data = iov[i].iov_base;
			p[i - done].len = iov[i].iov_len;
			p[i - done].tail = (struct vhost_tail){ 0 };
			if (tail && tail[i] && tail[i]->len) {
				/* straight from the other guest: one copy */
				p[i - done].tail = (struct vhost_tail){ tail[i]->iov, tail[i]->n,
									tail[i]->off, tail[i]->len };
				v->direct++;
			}
		}
		if (i > done) {
			r = vhost_dev_xmit(v->dev, p, i - done);
			if (r < 0)
				break;
			done += (unsigned)r;
			if (done < i)
				return done;	/* guest ring full */
		}
		if (done < n) {		/* one the guest cannot take whole */
			if (tail && tail[done] && tail[done]->len)
				ep_tail_fill(ep->sw, &iov[done], tail[done]);
			r = vh_tx_plain(v, &iov[done], &vh[done]);
			done++;
		}
	}
	if (r < 0) {
		/* closing here would pull the endpoint from under the core's
		 * transmit loop: the callback does it */
		vh_gone(ep, vhost_dev_error(v->dev));
		v->dead = true;
		vh_poke(v);
		*errors += n - done;
		return n;
	}
	return done;
}

static unsigned vh_tx_vnet(struct endpoint *ep, const struct iovec *iov,
			   const struct virtio_net_hdr *vh, unsigned n, unsigned *errors)
{
	return vh_tx_tail(ep, iov, vh, NULL, n, errors);
}

static unsigned vh_tx(struct endpoint *ep, const struct iovec *iov, unsigned n,
		      unsigned *errors)
{
	return vh_tx_tail(ep, iov, NULL, NULL, n, errors);
}

static int vh_want(struct endpoint *ep, bool rx, bool tx)
{
	struct vh_ep *v = ep->priv;

	v->rx_on = rx;
	v->tx_on = tx;
	/* no look at the ring here: a kick the guest gave while we were not
	 * watching is still counted in its eventfd and shows at once; a
	 * frame that does not fit the buffers posted so far waits for the
	 * next kick instead of spinning */
	vhost_dev_want(v->dev, rx, tx);
	return 0;
}

static void vh_cb(struct loop *lp, int fd, uint32_t events, void *arg)
{
	struct endpoint *ep = arg;
	struct vh_ep *v = ep->priv;
	uint64_t x;

	(void)lp;
	(void)events;
	if (ep->closed)
		return;
	if (fd == v->self && read(v->self, &x, sizeof(x)) < 0) {
		/* EAGAIN: already consumed */
	}
	if (v->dead) {
		ep_close(ep);
		return;
	}
	if (vhost_dev_poll(v->dev) < 0 || !vhost_dev_attached(v->dev)) {
		vh_gone(ep, vhost_dev_error(v->dev));
		ep_close(ep);
		return;
	}
	if (v->tx_on && vhost_dev_room(v->dev)) {
		ep_output(ep);
		if (ep->closed)
			return;
	}
	if (v->rx_on && !v->dead)
		ep_input(ep);
}

static void vh_close(struct endpoint *ep)
{
	struct vh_ep *v = ep->priv;

	if (v->dev) {
		loop_del_fd(ep->sw->loop, vhost_dev_fd(v->dev));
		vhost_dev_free(v->dev);	/* socket, eventfds, guest memory */
		v->dev = NULL;
	}
	if (v->self >= 0) {
		loop_del_fd(ep->sw->loop, v->self);
		close(v->self);
		v->self = -1;
	}
	free(v->segbuf);
	v->segbuf = NULL;
	if (v->l && v->l->ep == ep)
		v->l->ep = NULL;
	v->l = NULL;
}

static void vh_counters(const struct endpoint *ep, FILE *out)
{
	const struct vh_ep *v = ep->priv;
	const struct vhost_stats *s;

	if (!v->dev)
		return;
	s = vhost_dev_stats(v->dev);
	fprintf(out, " running %d features 0x%llx guest_rx %llu guest_tx %llu ring_drops %llu"
		" cut %llu csum %llu segdrops %llu notrunning %llu direct %llu",
		vhost_dev_running(v->dev) ? 1 : 0, (unsigned long long)vhost_dev_features(v->dev),
		(unsigned long long)s->tx_frames, (unsigned long long)s->rx_frames,
		(unsigned long long)(s->rx_drops + s->tx_drops), (unsigned long long)v->cut,
		(unsigned long long)v->csum, (unsigned long long)v->segdrops,
		(unsigned long long)v->notrunning, (unsigned long long)v->direct);
}

static const struct ep_ops vh_ops = {
	.kind = "vhost-user",
	.caps = EP_CAP_VNET | EP_CAP_TAIL,
	.rx = vh_rx,
	.tx = vh_tx,
	.tx_vnet = vh_tx_vnet,
	.tx_tail = vh_tx_tail,
	.rx_done = vh_rx_done,
	.want = vh_want,
	.close = vh_close,
	.counters = vh_counters,
};

/* A front end connected to @l: make it an endpoint. 0 or -1 (errno). */
static int vh_new_guest(struct vh_listener *l, int fd)
{
	struct sw *sw = l->sw;
	struct endpoint *ep;
	struct vh_ep *v;
	int r;

	ep = ep_new(sw, &vh_ops, sizeof(*v));
	if (!ep) {
		close(fd);
		return -1;
	}
	v = ep->priv;
	v->self = -1;
	v->rx_on = true;
	v->dev = vhost_dev_new(VHOST_FEATURES_OFFLOAD);
	if (!v->dev) {
		close(fd);
		goto out;
	}
	vhost_dev_set_tail_ms(v->dev, 0);	/* never wait on a guest */
	if (vhost_dev_attach(v->dev, fd) < 0) {
		close(fd);
		goto out;
	}
	v->self = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	v->segbuf = malloc(VH_SEGSIZE);	/* pages touched only when used */
	if (v->self < 0 || !v->segbuf)
		goto out;
	if (loop_add_fd(sw->loop, vhost_dev_fd(v->dev), EPOLLIN, vh_cb, ep) < 0)
		goto out;
	if (loop_add_fd(sw->loop, v->self, EPOLLIN, vh_cb, ep) < 0) {
		loop_del_fd(sw->loop, vhost_dev_fd(v->dev));
		goto out;
	}
	v->l = l;
	l->ep = ep;
	/* its identity is its own socket (vhost_dev_free() closes it) */
	ep->id = vhost_dev_fd(v->dev);
	if (ep_attach_port(ep, l->port, l->path) < 0)
		return -1;	/* closed: vh_close() let go of @l */
	l->connects++;
	log_info("vhost-user %s: guest connected on port %u", l->path, ep->port);
	vh_poke(v);		/* its first messages may be there already */
	return 0;
out:
	r = errno;
	ep_close(ep);
	errno = r;
	return -1;
}

static void vh_accept_cb(struct loop *lp, int fd, uint32_t events, void *arg)
{
	struct vh_listener *l = arg;
	int c;

	(void)lp;
	(void)events;
	c = accept_guarded(&l->guard, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (c < 0)
		return;		/* EAGAIN; out of fds: paused (accept.c), then again */
	if (l->ep) {
		l->refused++;
		log_warn("vhost-user %s: refused a second front end (one guest per socket)",
			 l->path);
		close(c);
		return;
	}
	if (vh_new_guest(l, c) < 0)
		log_warn("vhost-user %s: cannot take the guest: %s%s", l->path, strerror(errno),
			 errno == ENXIO ? " (no free port)" :
			 errno == EADDRINUSE ? " (port in use by another user)" : "");
}

static struct vh_listener *vh_find(const char *path)
{
	struct vh_listener *l;

	for (l = listeners; l; l = l->next)
		if (!strcmp(l->path, path))
			return l;
	return NULL;
}

/* @path as listeners keep it: absolute (-d changes directory, and the
 * socket is removed at exit), in @abs if it was relative. The path, or
 * NULL with errno. */
static const char *vh_abspath(const char *path, char *abs, size_t size)
{
	char cwd[PATH_MAX];
	int n;

	if (!*path) {
		errno = EINVAL;
		return NULL;
	}
	if (path[0] != '/') {
		if (!getcwd(cwd, sizeof(cwd)))
			return NULL;
		n = snprintf(abs, size, "%s/%s", cwd, path);
		if (n < 0 || (size_t)n >= size) {
			errno = ENAMETOOLONG;
			return NULL;
		}
		path = abs;
	}
	if (strlen(path) >= size) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	return path;
}

/* Listen on @path for guests of port @port (0: any). 0 or -1 (errno). */
static int vh_listen(struct sw *sw, const char *path, unsigned port)
{
	struct vh_listener *l;
	char abs[sizeof(l->path)];
	int e;

	path = vh_abspath(path, abs, sizeof(abs));
	if (!path)
		return -1;
	if (vh_find(path)) {
		errno = EADDRINUSE;
		return -1;
	}
	if (port >= sw->pt.nslots) {
		errno = ENXIO;
		return -1;
	}
	l = calloc(1, sizeof(*l));
	if (!l)
		return -1;
	l->sw = sw;
	l->port = port;
	snprintf(l->path, sizeof(l->path), "%s", path);
	l->lfd = vhost_listen(path, sw->mode);
	if (l->lfd < 0 || loop_add_fd(sw->loop, l->lfd, EPOLLIN, vh_accept_cb, l) < 0) {
		e = errno;
		if (l->lfd >= 0) {
			close(l->lfd);
			unlink(path);
		}
		free(l);
		errno = e;
		return -1;
	}
	accept_guard_init(&l->guard, sw->loop, l->lfd, l->path);
	l->next = listeners;
	listeners = l;
	log_debug("vhost-user %s: listening (port %u)", path, port);
	return 0;
}

static void vh_unlisten(struct vh_listener *l)
{
	struct vh_listener **pp;

	for (pp = &listeners; *pp; pp = &(*pp)->next)
		if (*pp == l) {
			*pp = l->next;
			break;
		}
	if (l->ep)
		ep_close(l->ep);	/* vh_close() clears l->ep */
	accept_guard_fini(&l->guard);
	loop_del_fd(l->sw->loop, l->lfd);
	close(l->lfd);
	unlink(l->path);
	free(l);
}

/* "PATH" or "PATH:PORT" (PORT all digits). */
int ep_vhost_listen(struct sw *sw, const char *spec)
{
	char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 16];
	const char *colon = strrchr(spec, ':');
	unsigned long port = 0;
	size_t len = strlen(spec);

	if (colon && colon[1] && strspn(colon + 1, "0123456789") == strlen(colon + 1)) {
		char *end;

		errno = 0;
		port = strtoul(colon + 1, &end, 10);
		if (errno || port == 0 || port > 0xffff) {
			errno = EINVAL;
			return -1;
		}
		len = (size_t)(colon - spec);
	}
	if (len >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(path, spec, len);
	path[len] = '\0';
	return vh_listen(sw, path, (unsigned)port);
}

void ep_vhost_cleanup(struct sw *sw)
{
	struct vh_listener *l, *next;

	for (l = listeners; l; l = next) {
		next = l->next;
		if (l->sw == sw)
			vh_unlisten(l);
	}
}

/* ---- console: vhost/ ---- */

/* Split @args into at most @max words in @buf; -1 if more or too long. */
static int vh_words(const char *args, char *buf, size_t size, char **w, int max)
{
	int n = 0;
	char *t, *save;

	if (!args || strlen(args) >= size)
		return -1;
	memcpy(buf, args, strlen(args) + 1);
	for (t = strtok_r(buf, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		if (n == max)
			return -1;
		w[n++] = t;
	}
	return n;
}

static int cmd_vhost_add(void *ctx, FILE *out, const char *args)
{
	char buf[256], *w[2];
	unsigned long port = 0;
	int n;

	(void)out;
	n = vh_words(args, buf, sizeof(buf), w, 2);
	if (n < 1)
		return EINVAL;
	if (n == 2) {		/* as every console number: parse_num() */
		const char *err = NULL;

		port = (unsigned long)parse_num(w[1], 1, 0xffff, &err);
		if (err)
			return EINVAL;
	}
	if (vh_listen(ctx, w[0], (unsigned)port) < 0)
		return errno;
	return 0;
}

static int cmd_vhost_del(void *ctx, FILE *out, const char *args)
{
	char buf[256], *w[1], abs[sizeof(((struct vh_listener *)0)->path)];
	const char *path;
	struct vh_listener *l;

	(void)ctx;
	(void)out;
	if (vh_words(args, buf, sizeof(buf), w, 1) != 1)
		return EINVAL;
	/* the path as vhost/add took it: relative to our directory */
	path = vh_abspath(w[0], abs, sizeof(abs));
	l = path ? vh_find(path) : NULL;
	if (!l)
		return ENOENT;
	vh_unlisten(l);
	return 0;
}
static int cmd_vhost_print(void *ctx, FILE *out, const char *args)
{
	struct vh_listener *l;

	(void)ctx;
	if (args && *args)
		return EINVAL;
	for (l = listeners; l; l = l->next) {
		fprintf(out, "vhost-user %s port %s", l->path, l->port ? "" : "any");
		if (l->port)
			fprintf(out, "%u", l->port);
		if (l->ep) {
			const struct vh_ep *v = l->ep->priv;

			fprintf(out, " guest on port %u %s", l->ep->port,
				v->dev && vhost_dev_running(v->dev) ? "running" : "starting");
		} else {
			fprintf(out, " no guest");
		}
		fprintf(out, " connects %llu refused %llu", (unsigned long long)l->connects,
			(unsigned long long)l->refused);
		if (l->last[0])
			fprintf(out, " last-error \"%s\"", l->last);
		fputc('\n', out);
	}
	return 0;
}

static const struct console_cmd vh_cmds[] = {
	{ "vhost", "============", "VHOST-USER MENU", NULL, CONSOLE_MENU },
	{ "vhost/add", "PATH [PORT]", "listen on PATH for a vhost-user guest (on PORT)",
	  cmd_vhost_add, 0 },
	{ "vhost/del", "PATH", "disconnect the guest of PATH and stop listening", cmd_vhost_del,
	  0 },
	{ "vhost/print", "", "list vhost-user sockets and their guests", cmd_vhost_print,
	  CONSOLE_OUTPUT },
};

int ep_vhost_register(struct sw *sw)
{
	return console_add_cmds(sw->con, vh_cmds, sizeof(vh_cmds) / sizeof(vh_cmds[0]));
}
