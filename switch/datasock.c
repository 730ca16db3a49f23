// SPDX-License-Identifier: GPL-2.0-or-later
/* switch/datasock.c - the switch side of the VDE control protocol and the
 * data path I/O
 *
 * Theory of operation (vde2-compat.md 1): clients connect to DIR/ctl and
 * send one request in one write. The request is parsed by ctlreq.c and a
 * port chosen by port.c; the switch then opens a datagram socket bound at
 * DIR/%03d.%d (port, our fd), connects it to the client's socket and writes
 * back the full 110-byte sockaddr_un of its own socket. Any failure closes
 * the ctl stream at once, so a client never waits for a reply that will
 * not come. The endpoint lives exactly as long as the ctl stream.
 *
 * Data path: each readable data socket is drained with one recvmmsg batch;
 * every frame goes through forward_frame(), whose emit callback appends the
 * frame to a per-endpoint batch (no copy: the batch points into the
 * receive buffers). At the end of the receive batch every touched endpoint
 * is flushed with sendmmsg. What the peer cannot take now (EAGAIN) is
 * copied into the endpoint's bounded queue and sent when EPOLLOUT fires;
 * beyond the queue frames are dropped and counted. Back-pressure: when a
 * queue passes half its size while its peer is still draining it, the
 * ingress socket that fed it is not read for a while (until the queue is
 * below a quarter, at most SW_PAUSE_NS), so a blocking sender waits
 * instead of losing frames. A peer that drains nothing for SW_STUCK_NS is
 * "stuck" and no longer pauses anybody: frames to it are dropped. A
 * monitor port (mirror.h) never pauses anybody either: a copy that does
 * not fit its queue is dropped and counted on its mirror session.
 *
 * Tap endpoints (-t IF, tap.h) have no ctl stream: the same path, with
 * read()/write() on the tun fd (swtap_recv/swtap_send) instead of
 * recvmmsg/sendmmsg; a deleted interface closes just that endpoint.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "console.h"
#include "daemon.h"
#include "ether.h"
#include "log.h"
#include "loop.h"
#include "switch.h"
#include "tap.h"

static void ds_ep_close(struct sw *sw, struct endpoint *ep);

/* ------------------------------------------------------------------ */
/* transmit side */

/* Re-register @ep's data socket for what it needs now: EPOLLIN unless
 * paused by back-pressure, EPOLLOUT while its queue is not empty. */
static void ds_events(struct sw *sw, struct endpoint *ep)
{
	uint32_t ev = (ep->paused ? 0 : EPOLLIN) | (ep->q.frames ? EPOLLOUT : 0);

	if (ev == ep->events)
		return;
	if (loop_mod_fd(sw->loop, ep->data_fd, ev) == 0)
		ep->events = ev;
}

/* A queue above the high mark whose peer still drains it asks for
 * back-pressure; a peer that made no progress for SW_STUCK_NS is stuck
 * and only loses frames (counted), so it cannot stall the others. */
static bool ds_congested(const struct endpoint *ep, uint64_t now)
{
	return (ep->q.frames > SW_TXQ_FRAMES / 2 || txq_bytes(&ep->q) > SW_TXQ_BYTES / 2) &&
	       now - ep->last_progress < SW_STUCK_NS;
}

static void ds_resume_all(struct sw *sw)
{
	struct endpoint *ep;

	while ((ep = sw->paused)) {
		sw->paused = ep->paused_next;
		ep->paused_next = NULL;
		ep->paused = false;
		ds_events(sw, ep);
	}
}

static uint64_t ds_resume_cb(struct loop *l, void *arg)
{
	struct sw *sw = arg;

	sw->resume_timer = 0;
	ds_resume_all(sw);
	return LOOP_NOMORE;
}

/* Stop reading from ingress @ep until a congested queue drains (or
 * SW_PAUSE_NS passes): its sender then blocks instead of losing frames. */
static void ds_pause(struct sw *sw, struct endpoint *ep)
{
	if (ep->paused)
		return;
	ep->paused = true;
	ep->paused_next = sw->paused;
	sw->paused = ep;
	sw->drops.pauses++;
	ds_events(sw, ep);
	if (!sw->resume_timer) {
		sw->resume_timer = loop_add_timer(sw->loop, SW_PAUSE_NS, ds_resume_cb, sw);
		if (sw->resume_timer < 0) {
			sw->resume_timer = 0;
			ds_resume_all(sw);
		}
	}
}

static void ds_count_drop(struct sw *sw, struct endpoint *ep, bool qfull)
{
	struct port *pp = &sw->pt.v[ep->port];

	if (qfull) {
		sw->drops.qfull++;
		pp->c.drop_qfull++;
		mirror_count_drop(&sw->mirror, ep->port);
	} else {
		sw->drops.senderr++;
		pp->c.drop_senderr++;
	}
}

/* Send @n prepared messages; returns how many were consumed (sent or
 * dropped for a hard error); stops at EAGAIN. */
static unsigned ds_send(struct sw *sw, struct endpoint *ep, struct mmsghdr *msg, unsigned n)
{
	unsigned i = 0, errors = 0;
	int r;

	if (ep->tap) {
		i = swtap_send(ep->data_fd, msg, n, &errors);
		while (errors--)
			ds_count_drop(sw, ep, false);
		return i;
	}
	while (i < n) {
		r = sendmmsg(ep->data_fd, msg + i, n - i, MSG_DONTWAIT);
		if (r > 0) {
			i += (unsigned)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0 || errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
			break;
		ds_count_drop(sw, ep, false);
		i++;
	}
	return i;
}

static void ds_flush_ep(struct sw *sw, struct endpoint *ep)
{
	unsigned n = ep->nbatch, i = 0;

	ep->nbatch = 0;
	if (!ep->q.frames) {
		i = ds_send(sw, ep, ep->msg, n);
		ep->last_progress = sw->now;
	}
	for (; i < n; i++)
		if (!txq_push(&ep->q, ep->iov[i].iov_base, ep->iov[i].iov_len))
			ds_count_drop(sw, ep, true);
	if (ep->q.frames) {
		ds_events(sw, ep);
		/* a monitor port (mirror.h) loses copies, never slows traffic */
		if (ds_congested(ep, sw->now) && !mirror_is_monitor(&sw->mirror, ep->port))
			sw->congested = true;
	}
}

static void ds_flush_all(struct sw *sw)
{
	struct endpoint *ep;

	while ((ep = sw->dirty)) {
		sw->dirty = ep->dirty_next;
		ep->dirty_next = NULL;
		ep->dirty = false;
		ds_flush_ep(sw, ep);
	}
}

static void ds_drain(struct sw *sw, struct endpoint *ep)
{
	unsigned n, i, sent;

	while (ep->q.frames) {
		n = txq_peek(&ep->q, ep->iov, SW_BATCH);
		for (i = 0; i < n; i++) {
			ep->msg[i].msg_hdr.msg_iov = &ep->iov[i];
			ep->msg[i].msg_hdr.msg_iovlen = 1;
		}
		sent = ds_send(sw, ep, ep->msg, n);
		txq_pop(&ep->q, sent);
		if (sent)
			ep->last_progress = loop_now_ns();
		if (sent < n)
			break;
	}
	if (sw->paused && ep->q.frames < SW_TXQ_FRAMES / 4 &&
	    txq_bytes(&ep->q) < SW_TXQ_BYTES / 4)
		ds_resume_all(sw);
	ds_events(sw, ep);
}

/**
 * ds_emit() - forward_frame() callback: queue @frame for every endpoint of
 * @port (batched, sent at the end of the receive batch).
 */
void ds_emit(void *arg, unsigned port, const uint8_t *frame, size_t len)
{
	struct sw *sw = arg;
	struct port *pp = &sw->pt.v[port];
	struct endpoint *ep;

	pp->c.out_pkts++;
	pp->c.out_bytes += len;
	capture_tx(sw, port, frame, len);
	for (ep = pp->eps; ep; ep = ep->next) {
		if (ep->nbatch == SW_BATCH)
			ds_flush_ep(sw, ep);
		ep->iov[ep->nbatch].iov_base = (void *)frame;
		ep->iov[ep->nbatch].iov_len = len;
		ep->msg[ep->nbatch].msg_hdr.msg_iov = &ep->iov[ep->nbatch];
		ep->msg[ep->nbatch].msg_hdr.msg_iovlen = 1;
		ep->nbatch++;
		if (!ep->dirty) {
			ep->dirty = true;
			ep->dirty_next = sw->dirty;
			sw->dirty = ep;
		}
	}
}

/**
 * ds_send_now() - send one frame (a BPDU) to every endpoint of @port at
 * once, or queue it behind what is already queued; it is copied.
 */
void ds_send_now(struct sw *sw, unsigned port, const uint8_t *frame, size_t len)
{
	struct port *pp = &sw->pt.v[port];
	struct endpoint *ep;

	pp->c.out_pkts++;
	pp->c.out_bytes += len;
	for (ep = pp->eps; ep; ep = ep->next) {
		struct iovec iov = { (void *)frame, len };
		struct mmsghdr msg = { .msg_hdr = { .msg_iov = &iov, .msg_iovlen = 1 } };

		if (!ep->q.frames && ds_send(sw, ep, &msg, 1) == 1)
			continue;
		if (!txq_push(&ep->q, frame, len))
			ds_count_drop(sw, ep, true);
		else
			ds_events(sw, ep);
	}
}

/* ------------------------------------------------------------------ */
/* receive side */

/* Receive and forward one batch from @ep; returns the datagrams read,
 * -1 when a tap endpoint's interface is gone. */
static int ds_rx(struct sw *sw, struct endpoint *ep)
{
	struct port *pp = &sw->pt.v[ep->port];
	uint64_t now;
	int n, i;

	for (i = 0; i < SW_BATCH; i++) {
		sw->rxmsg[i].msg_hdr.msg_iov = &sw->rxiov[i];
		sw->rxmsg[i].msg_hdr.msg_iovlen = 1;
		sw->rxmsg[i].msg_hdr.msg_flags = 0;
	}
	if (ep->tap)
		n = swtap_recv(sw, ep->data_fd);
	else
		n = recvmmsg(ep->data_fd, sw->rxmsg, SW_BATCH, MSG_DONTWAIT, NULL);
	if (n <= 0)
		return n < 0 && ep->tap ? -1 : 0;
	now = sw->now = loop_now_ns();
	for (i = 0; i < n; i++) {
		size_t len = sw->rxmsg[i].msg_len;
		uint8_t *buf = sw->rxbuf + (size_t)i * SW_RXSLOT;

		if (len == 0) {
			log_debug("EOF data port %u", ep->port);
			continue;
		}
		if ((sw->rxmsg[i].msg_hdr.msg_flags & MSG_TRUNC) || len > FWD_FRAME_MAX) {
			pp->c.drop_oversize++;
			sw->fwd.st.oversize++;
			continue;
		}
		if (len < ETH_MINFRAME) {
			pp->c.drop_runt++;
			sw->fwd.st.runt++;
			continue;
		}
		pp->c.in_pkts++;
		pp->c.in_bytes += len;
		capture_rx(sw, ep->port, buf, len);
		forward_frame(&sw->fwd, ep->port, buf, len,
			      sw->altbuf + (size_t)i * FWD_ALT_SIZE, now);
	}
	ds_flush_all(sw);
	if (sw->congested) {
		sw->congested = false;
		if (ep->granted)
			ds_pause(sw, ep);
	}
	return n;
}

static void ds_data_cb(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct endpoint *ep = arg;

	if (!ep->granted)
		return;
	if (events & EPOLLOUT)
		ds_drain(ep->sw, ep);
	if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) && ds_rx(ep->sw, ep) < 0) {
		log_warn("tap %s: %s, endpoint closed", ep->descr,
			 errno == EBADFD ? "interface deleted" : strerror(errno));
		ds_ep_close(ep->sw, ep);
	}
}

/* ------------------------------------------------------------------ */
/* control side */

bool ds_gid_member(uid_t user, gid_t gid)
{
	struct passwd *pw = getpwuid(user);
	gid_t groups[256];
	int ng = 256, i;

	if (!pw)
		return false;
	if (pw->pw_gid == gid)
		return true;
	if (getgrouplist(pw->pw_name, pw->pw_gid, groups, &ng) < 0)
		return false;
	for (i = 0; i < ng; i++)
		if (groups[i] == gid)
			return true;
	return false;
}

static void ds_sockbuf(int fd)
{
	int sz = SW_SOCKBUF;

	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
}

/* Open, bind and connect the data socket of @ep for request @req. */
static int ds_open_data(struct sw *sw, struct endpoint *ep, const struct ctl_request *req)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	mode_t mode;
	gid_t group;
	int fd, n, ret = -1;

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto out;
	ep->data_fd = fd;
	ds_sockbuf(fd);
	n = snprintf(ep->path, sizeof(ep->path), "%s/%03u.%d", sw->ctl_dir, ep->port, fd);
	if (n < 0 || (size_t)n >= sizeof(ep->path)) {
		errno = ENAMETOOLONG;
		goto out;
	}
	memcpy(sun.sun_path, ep->path, (size_t)n + 1);
	unlink(ep->path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		ep->path[0] = '\0';
		goto out;
	}
	if (ep->port0) {
		mode = sw->mgmt_mode;
		group = sw->mgmt_group;
	} else {
		mode = sw->mode;
		group = sw->group;
	}
	if (!ep->port0 && geteuid() == 0 && ep->user != PORT_NOUSER) {
		mode &= 0700;
		if (chown(ep->path, ep->user, group) < 0)
			log_debug("chown %s: %s", ep->path, strerror(errno));
	} else if (group != (gid_t)-1 && chown(ep->path, (uid_t)-1, group) < 0) {
		log_debug("chown %s: %s", ep->path, strerror(errno));
	}
	if (chmod(ep->path, mode) < 0)
		log_debug("chmod %s: %s", ep->path, strerror(errno));
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, req->path, strlen(req->path));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		goto out;
	ret = 0;
out:
	return ret;
}

static void ds_refuse(struct sw *sw, struct endpoint *ep, const char *why, const char *detail)
{
	sw->drops.ctl_refused++;
	log_info("ctl fd %d: request refused: %s%s%s", ep->ctl_fd, why,
		 detail ? ": " : "", detail ? detail : "");
	ds_ep_close(sw, ep);
}

static void ds_request(struct sw *sw, struct endpoint *ep, const uint8_t *buf, size_t len)
{
	struct sockaddr_un reply = { .sun_family = AF_UNIX };
	struct ctl_request req;
	struct stat st;
	unsigned port;
	int r;

	if (ep->capture || capture_is_request(buf, len)) {
		if (capture_request(sw, ep, buf, len) < 0)
			ds_refuse(sw, ep, "capture", strerror(errno));
		return;
	}
	r = ctl_parse_request(buf, len, &req);
	if (r != CTL_OK) {
		ds_refuse(sw, ep, ctl_strerror(r), NULL);
		return;
	}
	if (access(req.path, R_OK | W_OK) < 0 || stat(req.path, &st) < 0) {
		ds_refuse(sw, ep, req.path, strerror(errno));
		return;
	}
	ep->user = st.st_uid;
	ep->port0 = req.type == CTL_REQ_NEW_PORT0;
	r = port_select(&sw->pt, &req, ep->user, ds_gid_member, &port);
	if (r) {
		ds_refuse(sw, ep, "port", strerror(r));
		return;
	}
	ep->port = port;
	memcpy(ep->descr, req.descr, sizeof(ep->descr));
	ep->iov = calloc(SW_BATCH, sizeof(*ep->iov));
	ep->msg = calloc(SW_BATCH, sizeof(*ep->msg));
	if (!ep->iov || !ep->msg) {
		ds_refuse(sw, ep, "out of memory", NULL);
		return;
	}
	if (ds_open_data(sw, ep, &req) < 0) {
		ds_refuse(sw, ep, "data socket", strerror(errno));
		return;
	}
	memcpy(reply.sun_path, ep->path, strlen(ep->path));
	if (write(ep->ctl_fd, &reply, sizeof(reply)) != (ssize_t)sizeof(reply)) {
		ds_refuse(sw, ep, "reply", strerror(errno));
		return;
	}
	if (loop_add_fd(sw->loop, ep->data_fd, EPOLLIN, ds_data_cb, ep) < 0) {
		ds_refuse(sw, ep, "loop", strerror(errno));
		return;
	}
	txq_init(&ep->q, SW_TXQ_BYTES, SW_TXQ_FRAMES);
	ep->events = EPOLLIN;
	ep->granted = true;
	if (port_ep_attach(&sw->pt, ep)) {
		console_debug(sw->con, 021, "%02u", port);
		sw_fstp_sync(sw);
	}
	console_debug(sw->con, 031, "Port %02u FD %2d", port, ep->ctl_fd);
	console_debug(sw->con, 023, "Port %02u FD %2d -> \"%s\"", port, ep->ctl_fd, ep->descr);
	log_debug("port %u: new endpoint %d (%s)", port, ep->ctl_fd, ep->descr);
}

static void ds_ctl_cb(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct endpoint *ep = arg;
	uint8_t buf[CTL_REQ_MAX + 8];
	ssize_t n;

	n = read(fd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		/* the client is gone: forward what it sent before closing */
		if (ep->granted) {
			unsigned k;

			for (k = 0; k < 64 && ds_rx(ep->sw, ep) > 0; k++)
				;
		}
		ds_ep_close(ep->sw, ep);
		return;
	}
	if (ep->granted) {
		log_debug("port %u fd %d: %zd unexpected bytes on ctl ignored",
			  ep->port, fd, n);
		return;
	}
	ds_request(ep->sw, ep, buf, (size_t)n);
}

static uint64_t ds_accept_resume_cb(struct loop *l, void *arg)
{
	struct sw *sw = arg;

	sw->accept_timer = 0;
	if (sw->ctl_fd >= 0)
		loop_mod_fd(l, sw->ctl_fd, EPOLLIN);
	return LOOP_NOMORE;
}

static void ds_accept_cb(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct sw *sw = arg;
	struct endpoint *ep;
	int cfd;

	for (;;) {
		cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				break;
			/* out of fds: stop accepting for a moment instead of spinning */
			log_warn("accept on %s: %s", sw->ctl_path, strerror(errno));
			if (!sw->accept_timer) {
				sw->accept_timer = loop_add_timer(l, SW_ACCEPT_PAUSE_NS,
								  ds_accept_resume_cb, sw);
				if (sw->accept_timer > 0)
					loop_mod_fd(l, fd, 0);
				else
					sw->accept_timer = 0;
			}
			break;
		}
		ep = calloc(1, sizeof(*ep));
		if (!ep) {
			close(cfd);
			continue;
		}
		ep->sw = sw;
		ep->ctl_fd = cfd;
		ep->data_fd = -1;
		ep->user = PORT_NOUSER;
		ep->accepted = loop_now_ns();
		if (loop_add_fd(l, cfd, EPOLLIN, ds_ctl_cb, ep) < 0) {
			close(cfd);
			free(ep);
			continue;
		}
		ep->conn_next = sw->conns;
		sw->conns = ep;
	}
}

static uint64_t ds_reap_cb(struct loop *l, void *arg)
{
	struct sw *sw = arg;
	struct endpoint *ep;

	while ((ep = sw->graveyard)) {
		sw->graveyard = ep->next;
		free(ep);
	}
	sw->reap_timer = 0;
	return LOOP_NOMORE;
}

/* Close an endpoint (or a connection that never got one). */
static void ds_ep_close(struct sw *sw, struct endpoint *ep)
{
	struct endpoint **link;
	unsigned port = ep->port;

	capture_ep_close(sw, ep);
	for (link = &sw->conns; *link; link = &(*link)->conn_next)
		if (*link == ep) {
			*link = ep->conn_next;
			break;
		}
	if (ep->paused) {
		for (link = &sw->paused; *link; link = &(*link)->paused_next)
			if (*link == ep) {
				*link = ep->paused_next;
				break;
			}
		ep->paused = false;
	}
	if (ep->dirty) {
		for (link = &sw->dirty; *link; link = &(*link)->dirty_next)
			if (*link == ep) {
				*link = ep->dirty_next;
				break;
			}
		ep->dirty = false;
	}
	if (ep->granted) {
		ep->granted = false;
		loop_del_fd(sw->loop, ep->data_fd);
		console_debug(sw->con, 032, "Port %02u FD %2d", port, ep->ctl_fd);
		if (port_ep_detach(&sw->pt, ep)) {
			console_debug(sw->con, 022, "%02u", port);
			fdb_flush_port(&sw->fdb, port);
			sw_fstp_sync(sw);
		}
		log_debug("port %u: endpoint %d closed", port, ep->ctl_fd);
	}
	if (ep->data_fd >= 0)
		close(ep->data_fd);
	if (ep->path[0])
		unlink(ep->path);
	loop_del_fd(sw->loop, ep->ctl_fd);
	close(ep->ctl_fd);
	txq_free(&ep->q);
	free(ep->iov);
	free(ep->msg);
	ep->iov = NULL;
	ep->msg = NULL;
	ep->next = sw->graveyard;
	sw->graveyard = ep;
	if (!sw->reap_timer)
		sw->reap_timer = loop_add_timer(sw->loop, 1000, ds_reap_cb, sw);
	if (sw->reap_timer < 0) {
		sw->reap_timer = 0;
		ds_reap_cb(sw->loop, sw);
	}
}

/**
 * ds_sweep_pending() - close control connections that sent no request
 * within SW_REQ_TIMEOUT_NS (so silent clients cannot pile up).
 */
void ds_sweep_pending(struct sw *sw, uint64_t now)
{
	struct endpoint *ep, *next;

	for (ep = sw->conns; ep; ep = next) {
		next = ep->conn_next;
		if (!ep->granted && !ep->capture && now - ep->accepted > SW_REQ_TIMEOUT_NS) {
			sw->drops.ctl_refused++;
			log_info("ctl fd %d: no request within %llu s, closed", ep->ctl_fd,
				 (unsigned long long)(SW_REQ_TIMEOUT_NS / 1000000000ULL));
			ds_ep_close(sw, ep);
		}
	}
}

/**
 * ds_trim_queues() - free the transmit ring of every endpoint whose queue is
 * empty and made no progress for SW_TXQ_IDLE_NS (called from the periodic
 * gc timer, so a ring is freed at most once per tick and RSS goes back down
 * after a burst to slow receivers: 64 rings of up to SW_TXQ_BYTES each).
 */
void ds_trim_queues(struct sw *sw, uint64_t now)
{
	struct endpoint *ep;
	unsigned port;

	for (port = 0; port < sw->pt.nslots; port++)
		for (ep = sw->pt.v[port].eps; ep; ep = ep->next)
			if (!ep->q.frames && now - ep->last_progress >= SW_TXQ_IDLE_NS)
				txq_trim(&ep->q);
}

/**
 * ds_epclose() - port/epclose: close endpoint @id (its ctl fd) of @port.
 * Return: 0 or ENXIO.
 */
int ds_epclose(struct sw *sw, unsigned port, int id)
{
	struct endpoint *ep;

	if (port >= sw->pt.nslots)
		return ENXIO;
	for (ep = sw->pt.v[port].eps; ep; ep = ep->next)
		if (ep->ctl_fd == id) {
			ds_ep_close(sw, ep);
			return 0;
		}
	return ENXIO;
}

/**
 * ds_tap_add() - vde_switch -t IF: attach tap @ifname to the lowest free
 * port, as an endpoint without ctl stream (tap.h).
 * Return: 0, or -1 with errno.
 */
int ds_tap_add(struct sw *sw, const char *ifname)
{
	struct ctl_request req = { .version = 3, .type = CTL_REQ_NEW_CONTROL };
	struct endpoint *ep;
	unsigned port;
	int fd, r, ret = -1;

	ep = calloc(1, sizeof(*ep));
	if (!ep)
		return -1;
	ep->sw = sw;
	ep->tap = true;
	ep->user = PORT_NOUSER;
	ep->data_fd = ep->ctl_fd = -1;
	fd = swtap_open(ifname);
	if (fd < 0)
		goto fail;
	ep->data_fd = fd;
	ep->ctl_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (ep->ctl_fd < 0)
		goto fail;
	r = port_select(&sw->pt, &req, ep->user, ds_gid_member, &port);
	if (r) {
		errno = r;
		goto fail;
	}
	ep->port = port;
	snprintf(ep->descr, sizeof(ep->descr), "%s", ifname);
	ep->iov = calloc(SW_BATCH, sizeof(*ep->iov));
	ep->msg = calloc(SW_BATCH, sizeof(*ep->msg));
	if (!ep->iov || !ep->msg)
		goto fail;
	if (loop_add_fd(sw->loop, fd, EPOLLIN, ds_data_cb, ep) < 0)
		goto fail;
	txq_init(&ep->q, SW_TXQ_BYTES, SW_TXQ_FRAMES);
	ep->events = EPOLLIN;
	ep->granted = true;
	ep->conn_next = sw->conns;
	sw->conns = ep;
	if (port_ep_attach(&sw->pt, ep)) {
		console_debug(sw->con, 021, "%02u", port);
		sw_fstp_sync(sw);
	}
	log_debug("port %u: tap %s", port, ifname);
	return 0;
fail:
	r = errno;
	if (ep->data_fd >= 0)
		close(ep->data_fd);
	if (ep->ctl_fd >= 0)
		close(ep->ctl_fd);
	free(ep->iov);
	free(ep->msg);
	free(ep);
	errno = r;
	return ret;
}

/* ------------------------------------------------------------------ */
/* set-up and tear-down */

/* A switch that died (kill -9) left its data sockets NNN.FD behind: with no
 * switch on DIR/ctl they are all stale. Remove them, or the directory could
 * never be removed at exit. */
static void ds_remove_stale(struct sw *sw)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d = opendir(sw->ctl_dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		const char *n = de->d_name;
		size_t dot = strspn(n, "0123456789");

		if (dot != 3 || n[3] != '.' || !n[4] || strspn(n + 4, "0123456789") != strlen(n + 4))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", sw->ctl_dir, n) >= (int)sizeof(path))
			continue;
		if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode) && unlink(path) == 0)
			log_debug("removed stale data socket %s", path);
	}
	closedir(d);
}

/* Fail if a live switch answers on @sun; a stale socket there is fine (the
 * rename in ds_bind_ctl() replaces it). */
static void ds_check_live(struct sw *sw, const struct sockaddr_un *sun)
{
	int t = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (t < 0)
		die_perror("socket");
	if (connect(t, (const struct sockaddr *)sun, sizeof(*sun)) == 0)
		die("Could not bind to socket %s: another switch is running there", sw->ctl_path);
	if (errno == ECONNREFUSED) {
		log_info("replacing stale socket %s", sw->ctl_path);
		ds_remove_stale(sw);
	}
	else if (errno != ENOENT)
		die_perror("Could not bind to socket %s", sw->ctl_path);
	close(t);
}

/*
 * The control socket is bound under a temporary name, given its mode and
 * group, made to listen, and only then renamed to DIR/ctl: the moment
 * DIR/ctl exists it accepts connections with the right permissions, so
 * `test -S DIR/ctl` is an exact readiness signal (a client that came
 * between bind() and listen() would get ECONNREFUSED).
 */
static void ds_bind_ctl(struct sw *sw)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	memcpy(sun.sun_path, sw->ctl_path, strlen(sw->ctl_path));
	ds_check_live(sw, &sun);
	fd = listen_unix(sw->ctl_path, sw->mode, sw->group, 128);
	if (fd < 0)
		die_perror("Could not set up socket %s", sw->ctl_path);
	sw->ctl_created = true;
	sw->ctl_fd = fd;
}

/**
 * ds_init() - create the control directory and socket, set up the data
 * path buffers. Dies on set-up errors (before daemonising).
 */
int ds_init(struct sw *sw)
{
	bool made_dir = false;
	char *abs;
	int i, n;

	if (mkdir(sw->ctl_dir, 0777) == 0) {
		made_dir = true;
		if (sw->group != (gid_t)-1 && chown(sw->ctl_dir, (uid_t)-1, sw->group) < 0)
			die_perror("chown %s", sw->ctl_dir);
		if (chmod(sw->ctl_dir, sw->dirmode) < 0)
			die_perror("chmod %s", sw->ctl_dir);
	} else if (errno != EEXIST) {
		die_perror("Could not create the VDE ctl directory %s", sw->ctl_dir);
	}
	abs = realpath(sw->ctl_dir, NULL);
	if (!abs)
		die_perror("%s", sw->ctl_dir);
	sw->ctl_dir = abs;
	n = snprintf(sw->ctl_path, sizeof(sw->ctl_path), "%s/ctl", abs);
	/* leave room for the data socket names DIR/nnn.fd */
	if (n < 0 || (size_t)n + 12 >= sizeof(sw->ctl_path)) {
		/* do not leave behind the directory we just made */
		if (made_dir)
			rmdir(abs);
		die("ctl directory path too long (at most %zu bytes): %s",
		    sizeof(sw->ctl_path) - 17, abs);
	}
	sw->rxbuf = malloc((size_t)SW_BATCH * SW_RXSLOT);
	sw->altbuf = malloc((size_t)SW_BATCH * FWD_ALT_SIZE);
	if (!sw->rxbuf || !sw->altbuf)
		die("out of memory");
	for (i = 0; i < SW_BATCH; i++) {
		sw->rxiov[i].iov_base = sw->rxbuf + (size_t)i * SW_RXSLOT;
		sw->rxiov[i].iov_len = SW_RXSLOT;
	}
	ds_bind_ctl(sw);
	if (loop_add_fd(sw->loop, sw->ctl_fd, EPOLLIN, ds_accept_cb, sw) < 0)
		die_perror("loop_add_fd");
	return 0;
}

/**
 * ds_cleanup() - close every endpoint and the control socket, remove our
 * sockets and (if empty) the directory.
 */
void ds_cleanup(struct sw *sw)
{
	while (sw->conns)
		ds_ep_close(sw, sw->conns);
	if (sw->reap_timer > 0)
		loop_del_timer(sw->loop, sw->reap_timer);
	if (sw->resume_timer > 0)
		loop_del_timer(sw->loop, sw->resume_timer);
	sw->resume_timer = 0;
	if (sw->accept_timer > 0)
		loop_del_timer(sw->loop, sw->accept_timer);
	sw->accept_timer = 0;
	sw->reap_timer = 0;
	ds_reap_cb(sw->loop, sw);
	if (sw->ctl_fd >= 0) {
		loop_del_fd(sw->loop, sw->ctl_fd);
		close(sw->ctl_fd);
		sw->ctl_fd = -1;
	}
	if (sw->ctl_created) {
		unlink(sw->ctl_path);
		if (rmdir(sw->ctl_dir) < 0 && errno != ENOTEMPTY && errno != EEXIST)
			log_debug("rmdir %s: %s", sw->ctl_dir, strerror(errno));
	}
	free(sw->rxbuf);
	free(sw->altbuf);
	sw->rxbuf = sw->altbuf = NULL;
}
