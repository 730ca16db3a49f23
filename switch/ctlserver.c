// SPDX-License-Identifier: GPL-2.0-or-later
/* switch/ctlserver.c - the switch side of the VDE control protocol
 *
 * Theory of operation (docs/protocol.md, "Control request", "Port
 * assignment and reply"): clients connect to DIR/ctl and
 * send one request in one write. The request is parsed by ctlreq.c, the
 * client's socket checked, and a port chosen by port.c; ep_dgram.c then
 * opens the data socket, replies and owns the ctl stream from then on.
 * Any failure closes the ctl stream at once, so a client never waits for a
 * reply that will not come, and is counted (ctlrefused in port/stats). A
 * connection that sends nothing is closed after SW_REQ_TIMEOUT_NS; when
 * accept() runs out of fds, accepting pauses for SW_ACCEPT_PAUSE_NS
 * instead of spinning.
 *
 * DIR/ctl is bound under a temporary name, given its mode and group, made
 * to listen, and only then renamed (listen_unix()): the moment DIR/ctl
 * exists it accepts connections with the right permissions, so
 * `test -S DIR/ctl` is an exact readiness signal.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"
#include "loop.h"
#include "switch.h"
#include "ctlserver.h"
#include "ep_dgram.h"
#include "swdir.h"

/* A connection that has not sent its request yet. */
struct ctl_conn {
	struct ctl_conn *next;
	struct sw *sw;
	int fd;
	uint64_t accepted;
};

/**
 * ctlsrv_gid_member() - see ctlserver.h
 */
bool ctlsrv_gid_member(uid_t user, gid_t gid)
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

/* Forget @c: unwatch it, and close its fd unless @keep_fd. */
static void ctlsrv_drop(struct sw *sw, struct ctl_conn *c, bool keep_fd)
{
	struct ctl_conn **link;

	for (link = &sw->conns; *link; link = &(*link)->next)
		if (*link == c) {
			*link = c->next;
			break;
		}
	loop_del_fd(sw->loop, c->fd);
	if (!keep_fd)
		close(c->fd);
	free(c);
}

static void ctlsrv_refuse(struct sw *sw, int fd, const char *why, const char *detail)
{
	sw->drops.ctl_refused++;
	log_info("ctl fd %d: request refused: %s%s%s", fd, why,
		 detail ? ": " : "", detail ? detail : "");
	close(fd);
}

/* Check and grant the request in @buf; @fd is ours (unwatched) now. */
static void ctlsrv_request(struct sw *sw, int fd, const uint8_t *buf, size_t len)
{
	struct ctl_request req;
	const char *why = NULL;
	struct stat st;
	unsigned port;
	int r;

	if (capture_is_request(buf, len)) {	/* vdecapture (capture.h) */
		if (capture_open(sw, fd, buf, len, &why) < 0)
			ctlsrv_refuse(sw, fd, why, strerror(errno));
		return;
	}
	r = ctl_parse_request(buf, len, &req);
	if (r != CTL_OK) {
		ctlsrv_refuse(sw, fd, ctl_strerror(r), NULL);
		return;
	}
	if (access(req.path, R_OK | W_OK) < 0 || stat(req.path, &st) < 0) {
		ctlsrv_refuse(sw, fd, req.path, strerror(errno));
		return;
	}
	r = port_select(&sw->pt, &req, st.st_uid, ctlsrv_gid_member, &port);
	if (r) {
		ctlsrv_refuse(sw, fd, "port", strerror(r));
		return;
	}
	if (ep_dgram_open(sw, fd, &req, st.st_uid, port, &why) < 0)
		ctlsrv_refuse(sw, fd, why, strerror(errno));
}

static void ctlsrv_conn_cb(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct ctl_conn *c = arg;
	struct sw *sw = c->sw;
	uint8_t buf[CTL_REQ_MAX + 8];
	ssize_t n;

	n = read(fd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	ctlsrv_drop(sw, c, n > 0);
	if (n > 0)
		ctlsrv_request(sw, fd, buf, (size_t)n);
}

static uint64_t ctlsrv_accept_resume_cb(struct loop *l, void *arg)
{
	struct sw *sw = arg;

	sw->accept_timer = 0;
	if (sw->ctl_fd >= 0)
		loop_mod_fd(l, sw->ctl_fd, EPOLLIN);
	return LOOP_NOMORE;
}

static void ctlsrv_accept_cb(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct sw *sw = arg;
	struct ctl_conn *c;
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
								  ctlsrv_accept_resume_cb, sw);
				if (sw->accept_timer > 0)
					loop_mod_fd(l, fd, 0);
				else
					sw->accept_timer = 0;
			}
			break;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(cfd);
			continue;
		}
		c->sw = sw;
		c->fd = cfd;
		c->accepted = loop_now_ns();
		if (loop_add_fd(l, cfd, EPOLLIN, ctlsrv_conn_cb, c) < 0) {
			close(cfd);
			free(c);
			continue;
		}
		c->next = sw->conns;
		sw->conns = c;
	}
}

/**
 * ctlsrv_sweep() - see ctlserver.h
 */
void ctlsrv_sweep(struct sw *sw, uint64_t now)
{
	struct ctl_conn *c, *next;

	for (c = sw->conns; c; c = next) {
		next = c->next;
		if (now - c->accepted > SW_REQ_TIMEOUT_NS) {
			sw->drops.ctl_refused++;
			log_info("ctl fd %d: no request within %llu s, closed", c->fd,
				 (unsigned long long)(SW_REQ_TIMEOUT_NS / 1000000000ULL));
			ctlsrv_drop(sw, c, false);
		}
	}
}

/* Fail if a live switch answers on DIR/ctl; a stale socket there is fine
 * (listen_unix() replaces it), and so are its data sockets. */
static int ctlsrv_check_live(struct sw *sw)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int t, ret = -1;

	memcpy(sun.sun_path, sw->ctl_path, strlen(sw->ctl_path));
	t = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (t < 0) {
		log_err("socket: %s", strerror(errno));
		goto out;
	}
	if (connect(t, (const struct sockaddr *)&sun, sizeof(sun)) == 0) {
		log_err("Could not bind to socket %s: another switch is running there",
			sw->ctl_path);
		goto out;
	}
	if (errno == ECONNREFUSED) {
		log_info("replacing stale socket %s", sw->ctl_path);
		swdir_remove_stale(sw);
	} else if (errno != ENOENT) {
		log_err("Could not bind to socket %s: %s", sw->ctl_path, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	if (t >= 0)
		close(t);
	return ret;
}

/**
 * ctlsrv_init() - see ctlserver.h
 */
int ctlsrv_init(struct sw *sw)
{
	int fd;

	if (ctlsrv_check_live(sw) < 0)
		return -1;
	fd = listen_unix(sw->ctl_path, sw->mode, sw->group, 128);
	if (fd < 0) {
		log_err("Could not set up socket %s: %s", sw->ctl_path, strerror(errno));
		return -1;
	}
	sw->ctl_created = true;
	sw->ctl_fd = fd;
	if (loop_add_fd(sw->loop, fd, EPOLLIN, ctlsrv_accept_cb, sw) < 0) {
		log_err("loop_add_fd: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/**
 * ctlsrv_cleanup() - see ctlserver.h
 */
void ctlsrv_cleanup(struct sw *sw)
{
	while (sw->conns)
		ctlsrv_drop(sw, sw->conns, false);
	if (sw->accept_timer > 0)
		loop_del_timer(sw->loop, sw->accept_timer);
	sw->accept_timer = 0;
	if (sw->ctl_fd >= 0) {
		loop_del_fd(sw->loop, sw->ctl_fd);
		close(sw->ctl_fd);
		sw->ctl_fd = -1;
	}
	if (sw->ctl_created)
		unlink(sw->ctl_path);
}
