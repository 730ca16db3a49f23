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
 * connection that sends nothing is closed after SW_REQ_TIMEOUT_NS.
 *
 * Identity (docs/protocol.md, "Port assignment and reply"): the client's
 * user is the one the kernel gives for the ctl stream (SO_PEERCRED, read
 * when the connection is accepted), never the owner of a file the client
 * names: naming a root-owned socket (/dev/log) must not make a user root.
 * The socket the client names must be that user's (or the client is
 * root), and it is checked without a window between check and use:
 * ep_dgram_peer() opens the path once (O_PATH, not following a final
 * symlink), checks the inode it holds, and the data socket is connected to
 * that same inode through /proc/self/fd/N. A symlink or directory swapped
 * after the check changes nothing.
 *
 * Out of fds: accept() goes through lib/common/accept.c, which stops
 * watching DIR/ctl for a growing back-off instead of spinning on the
 * waiting connection, and logs at most one line per ACCEPT_LOG_SEC; each
 * refusal is also counted in ctlrefused. Refused requests are logged one
 * line each for the first SW_REFUSE_LOG_BURST of a second, then summed in
 * one line when the second ends (ratelimit.c): a flood of bad requests
 * cannot flood the log.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "accept.h"
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
	uid_t uid;			/* SO_PEERCRED of the ctl stream */
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

static uint64_t ctlsrv_refuse_report_cb(struct loop *l, void *arg)
{
	struct sw *sw = arg;
	uint64_t n = rl_end(&sw->refuse_rl, loop_now_ns());

	sw->refuse_timer = 0;
	if (n)
		log_info("ctl: %llu more requests refused in the last second (not logged one "
			 "by one; ctlrefused in port/stats counts them all)", (unsigned long long)n);
	return LOOP_NOMORE;
}

/* Count a refusal, and log it unless this second already had its share. */
static void ctlsrv_refuse_log(struct sw *sw, int fd, const char *why, const char *detail)
{
	uint64_t now = loop_now_ns(), late;
	bool ok = rl_allow(&sw->refuse_rl, now, &late);
	long t;

	sw->drops.ctl_refused++;
	if (late)	/* the report timer came late: report before going on */
		log_info("ctl: %llu more requests refused (not logged one by one)",
			 (unsigned long long)late);
	if (ok) {
		log_info("ctl fd %d: request refused: %s%s%s", fd, why,
			 detail ? ": " : "", detail ? detail : "");
	} else if (sw->refuse_timer <= 0) {
		t = loop_add_timer(sw->loop, rl_deadline(&sw->refuse_rl) - now + 1,
				   ctlsrv_refuse_report_cb, sw);
		sw->refuse_timer = t > 0 ? t : 0;
	}
}

static void ctlsrv_refuse(struct sw *sw, int fd, const char *why, const char *detail)
{
	ctlsrv_refuse_log(sw, fd, why, detail);
	close(fd);
}

/* Check and grant the request in @buf from user @uid; @fd is ours
 * (unwatched) now. */
static void ctlsrv_request(struct sw *sw, int fd, uid_t uid, const uint8_t *buf, size_t len)
{
	struct ctl_request req;
	const char *why = NULL;
	unsigned port;
	int r, pfd;

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
	pfd = ep_dgram_peer(req.path, uid);
	if (pfd < 0) {
		ctlsrv_refuse(sw, fd, req.path, strerror(errno));
		return;
	}
	r = port_select(&sw->pt, &req, uid, ctlsrv_gid_member, &port);
	if (r)
		ctlsrv_refuse(sw, fd, "port", strerror(r));
	else if (ep_dgram_open(sw, fd, &req, pfd, uid, port, &why) < 0)
		ctlsrv_refuse(sw, fd, why, strerror(errno));
	close(pfd);
}

static void ctlsrv_conn_cb(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct ctl_conn *c = arg;
	struct sw *sw = c->sw;
	uint8_t buf[CTL_REQ_MAX + 8];
	ssize_t n;
	uid_t uid;

	n = read(fd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	uid = c->uid;
	ctlsrv_drop(sw, c, n > 0);
	if (n > 0)
		ctlsrv_request(sw, fd, uid, buf, (size_t)n);
}

static void ctlsrv_accept_cb(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct sw *sw = arg;
	struct ucred cred;
	socklen_t cl;
	struct ctl_conn *c;
	int cfd;

	for (;;) {
		cfd = accept_guarded(&sw->accept, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0) {
			/* out of fds: accept.c paused DIR/ctl and logged (bounded) */
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM)
				sw->drops.ctl_refused++;
			if (errno == ECONNABORTED || errno == EPROTO)
				continue;
			break;
		}
		cl = sizeof(cred);
		if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0 ||
		    cl != sizeof(cred)) {
			ctlsrv_refuse(sw, cfd, "peer credentials", strerror(errno));
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			ctlsrv_refuse(sw, cfd, "accept", strerror(ENOMEM));
			continue;
		}
		c->sw = sw;
		c->fd = cfd;
		c->uid = cred.uid;
		c->accepted = loop_now_ns();
		if (loop_add_fd(l, cfd, EPOLLIN, ctlsrv_conn_cb, c) < 0) {
			ctlsrv_refuse(sw, cfd, "loop", strerror(errno));
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
	char why[48];

	snprintf(why, sizeof(why), "no request within %llu s",
		 (unsigned long long)(SW_REQ_TIMEOUT_NS / 1000000000ULL));
	for (c = sw->conns; c; c = next) {
		next = c->next;
		if (now - c->accepted > SW_REQ_TIMEOUT_NS) {
			ctlsrv_refuse_log(sw, c->fd, why, NULL);
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
	rl_init(&sw->refuse_rl, SW_REFUSE_LOG_BURST);
	if (loop_add_fd(sw->loop, fd, EPOLLIN, ctlsrv_accept_cb, sw) < 0) {
		log_err("loop_add_fd: %s", strerror(errno));
		return -1;
	}
	accept_guard_init(&sw->accept, sw->loop, fd, sw->ctl_path);
	return 0;
}

/**
 * ctlsrv_cleanup() - see ctlserver.h
 */
void ctlsrv_cleanup(struct sw *sw)
{
	while (sw->conns)
		ctlsrv_drop(sw, sw->conns, false);
	if (sw->refuse_timer > 0)
		loop_del_timer(sw->loop, sw->refuse_timer);
	sw->refuse_timer = 0;
	if (sw->ctl_fd >= 0) {
		accept_guard_fini(&sw->accept);
		loop_del_fd(sw->loop, sw->ctl_fd);
		close(sw->ctl_fd);
		sw->ctl_fd = -1;
	}
	if (sw->ctl_created)
		unlink(sw->ctl_path);
}
