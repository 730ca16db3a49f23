// SPDX-License-Identifier: GPL-2.0-or-later
/* switch/capture.c - endpoint kind "capture": copies of forwarded frames
 * for vdecapture
 *
 * Theory of operation (docs/capture.md section 3). ctlserver.c hands every
 * type-2 request on the ctl socket to capture_open(), which decodes it
 * (capture/capreq.c), checks the requester's rights on the captured
 * port(s) (the port ACLs, as an ordinary open of that port would), opens a
 * datagram socket DIR/cap.<fd> connected to the client's socket, and
 * answers with its address and the VCAP acknowledgement. The capture port
 * is an endpoint of its own kind (endpoint.h) that is never attached to a
 * port: it takes no port number, never receives forwarded frames through
 * the core's batches, and lives as long as its ctl stream (whose fd is
 * its ID). The core closes it like any endpoint (ep_close() at the end of
 * the ctl stream or at exit); its close() takes it off the capture list.
 *
 * The data path (epcore.c) calls capture_rx() for each frame received,
 * before forwarding, and capture_tx() for each frame sent to a port; both
 * return at once when no capture port exists. A copy is one sendmsg() of
 * the 24-byte header and the frame (cut to the client's snaplen), never
 * blocking and never queued; a full socket drops it (counted here: the
 * core never sees copies). Datagrams a capture client sends are read and
 * dropped, counted.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "capreq.h"
#include "capture.h"
#include "ctlserver.h"
#include "console.h"
#include "ether.h"
#include "json.h"
#include "log.h"
#include "loop.h"
#include "switch.h"
#include "endpoint.h"
#include "vlan.h"

struct capture_port {
	struct capture_port *next;
	struct endpoint *ep;
	int data_fd;			/* DIR/cap.<fd>, -1 until opened */
	int ctl_fd;			/* -1 until the request is granted */
	char path[CTL_PATH_MAX + 1];	/* our data socket, "" if not bound */
	unsigned port;			/* filter, 0 = every port */
	unsigned vlan;			/* filter, CAPREQ_VLAN_ANY = every VLAN */
	uint32_t snaplen;		/* 0 = whole frames */
	uint32_t seq;			/* next sequence number */
	bool listed;			/* on sw->capture.list */
	uint64_t copies, drops, rxdrops;
};

/**
 * capture_is_request() - see capture.h
 */
bool capture_is_request(const uint8_t *buf, size_t len)
{
	return len >= 12 && buf[8] == CAPREQ_TYPE &&
	       !memcmp(buf, "\xce\xfa\xed\xfe\x03\x00\x00\x00", 8);
}

/* The requester may open port @p (or every port with an ACL, @p = 0). */
static bool capture_allowed(struct sw *sw, unsigned p, uid_t user)
{
	unsigned i;

	if (p)
		return p >= sw->pt.nslots ||
		       port_acl_ok(&sw->pt.v[p], user, ctlsrv_gid_member);
	for (i = 1; i < sw->pt.nslots; i++)
		if (sw->pt.v[i].exists && !port_acl_ok(&sw->pt.v[i], user, ctlsrv_gid_member))
			return false;
	return true;
}

/* ---- the endpoint kind: never attached, so the core never calls rx(),
 * tx() or want(); they answer "nothing read", "refused" and "done". ---- */

static int capture_ep_rx(struct endpoint *ep, struct ep_rxbatch *b)
{
	(void)ep;
	(void)b;
	return 0;
}

static unsigned capture_ep_tx(struct endpoint *ep, const struct iovec *iov, unsigned n,
			      unsigned *errors)
{
	(void)ep;
	(void)iov;
	*errors += n;
	return n;
}

static int capture_ep_want(struct endpoint *ep, bool rx, bool tx)
{
	(void)ep;
	(void)rx;
	(void)tx;
	return 0;
}

static void capture_ep_close(struct endpoint *ep)
{
	struct capture_port **link, *cp = ep->priv;
	struct sw *sw = ep->sw;

	if (cp->listed) {
		for (link = &sw->capture.list; *link; link = &(*link)->next)
			if (*link == cp) {
				*link = cp->next;
				break;
			}
		sw->capture.n--;
		cp->listed = false;
		log_info("capture port fd %d closed: %llu copies, %llu dropped, "
			 "%llu received and dropped", ep->id,
			 (unsigned long long)cp->copies, (unsigned long long)cp->drops,
			 (unsigned long long)cp->rxdrops);
	}
	if (cp->data_fd >= 0) {
		loop_del_fd(sw->loop, cp->data_fd);
		close(cp->data_fd);
		cp->data_fd = -1;
	}
	if (cp->path[0])
		unlink(cp->path);
	cp->path[0] = '\0';
	if (cp->ctl_fd >= 0) {
		loop_del_fd(sw->loop, cp->ctl_fd);
		close(cp->ctl_fd);
		cp->ctl_fd = -1;
	}
}

static const struct ep_ops capture_ops = {
	.kind = "capture",
	.rx = capture_ep_rx,
	.tx = capture_ep_tx,
	.want = capture_ep_want,
	.close = capture_ep_close,
};

/* The client's datagrams: read and dropped. */
static void capture_data_cb(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct capture_port *cp = arg;
	uint8_t buf[64];
	int i;

	(void)l;
	(void)events;
	for (i = 0; i < 64 && recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC) >= 0; i++)
		cp->rxdrops++;
}

/* The ctl stream: its end (or a second request on it) ends the capture. */
static void capture_ctl_cb(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct endpoint *ep = arg;
	uint8_t buf[CAPREQ_MAXLEN + 8];
	ssize_t n;

	(void)l;
	(void)events;
	n = read(fd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n > 0) {
		ep->sw->drops.ctl_refused++;
		log_info("capture port fd %d: %zd more bytes on its ctl stream: closed", fd, n);
	}
	ep_close(ep);
}

/* Open DIR/cap.<fd>, connected to @client. 0, or -1 with errno. */
static int capture_socket(struct sw *sw, struct endpoint *ep, const char *client)
{
	struct capture_port *cp = ep->priv;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, n, sz = SW_SOCKBUF;
	mode_t mode = sw->mode;

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	cp->data_fd = fd;		/* closed by capture_ep_close() */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	n = snprintf(cp->path, sizeof(cp->path), "%s/cap.%d", sw->ctl_dir, fd);
	if (n < 0 || (size_t)n >= sizeof(cp->path) || (size_t)n >= sizeof(sun.sun_path)) {
		cp->path[0] = '\0';
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun.sun_path, cp->path, (size_t)n + 1);
	unlink(cp->path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		cp->path[0] = '\0';
		return -1;
	}
	/* only the client may connect: its owner when we can chown, else
	 * the switch's socket mode (as an ordinary port's data socket) */
	if (geteuid() == 0 && chown(cp->path, ep->user, (gid_t)-1) == 0)
		mode = 0600;
	else if (sw->group != (gid_t)-1 && chown(cp->path, (uid_t)-1, sw->group) < 0)
		log_debug("chown %s: %s", cp->path, strerror(errno));
	if (chmod(cp->path, mode) < 0)
		log_debug("chmod %s: %s", cp->path, strerror(errno));
	memset(sun.sun_path, 0, sizeof(sun.sun_path));
	memcpy(sun.sun_path, client, strlen(client));
	return connect(fd, (struct sockaddr *)&sun, sizeof(sun));
}

/**
 * capture_open() - see capture.h
 */
int capture_open(struct sw *sw, int ctl_fd, const uint8_t *buf, size_t len, const char **why)
{
	char path[CAPREQ_SUN_LEN - 1], descr[CAPREQ_DESCR_MAX + 1];
	uint8_t reply[CAPREPLY_LEN];
	struct capture_port *cp;
	struct endpoint *ep = NULL;
	struct capreq r;
	struct stat st;
	int ret = -1, e;

	*why = "capture request";
	if (capreq_decode(buf, len, &r, path, descr)) {
		errno = EINVAL;
		goto out;
	}
	*why = "client socket";
	if (access(path, R_OK | W_OK) < 0 || stat(path, &st) < 0)
		goto out;
	*why = "capture";
	if (!capture_allowed(sw, r.port, st.st_uid)) {
		errno = EPERM;
		goto out;
	}
	ep = ep_new(sw, &capture_ops, sizeof(*cp));
	if (!ep)
		goto out;
	cp = ep->priv;
	cp->ep = ep;
	cp->data_fd = cp->ctl_fd = -1;
	ep->user = st.st_uid;
	ep->id = ctl_fd;
	snprintf(ep->descr, sizeof(ep->descr), "%s", descr);
	*why = "capture data socket";
	if (capture_socket(sw, ep, path) < 0)
		goto out;
	*why = "reply";
	if (capreply_encode(cp->path, reply) != sizeof(reply) ||
	    write(ctl_fd, reply, sizeof(reply)) != (ssize_t)sizeof(reply))
		goto out;
	*why = "loop";
	if (loop_add_fd(sw->loop, cp->data_fd, EPOLLIN, capture_data_cb, cp) < 0)
		goto out;
	if (loop_add_fd(sw->loop, ctl_fd, EPOLLIN, capture_ctl_cb, ep) < 0)
		goto out;
	cp->ctl_fd = ctl_fd;
	cp->port = r.port;
	cp->vlan = r.vlan;
	cp->snaplen = r.snaplen;
	cp->next = sw->capture.list;
	sw->capture.list = cp;
	sw->capture.n++;
	cp->listed = true;
	if (sw->sc_revoke_all)
		sw->sc_revoke_all(sw);	/* a capture sees every frame */
	log_info("capture port fd %d: port %u, vlan %d (%s)", ctl_fd, r.port,
		 r.vlan == CAPREQ_VLAN_ANY ? -1 : (int)r.vlan, ep->descr);
	ret = 0;
out:
	if (ret < 0 && ep) {
		e = errno;
		ep_close(ep);
		errno = e;
	}
	return ret;
}

static void capture_send(struct sw *sw, struct capture_port *cp, enum caphdr_dir dir,
			 unsigned port, unsigned vlan, const uint8_t *frame, size_t len)
{
	struct caphdr h = {
		.dir = dir, .vlan = vlan, .port = port, .seq = cp->seq++,
		.orig_len = (uint32_t)len, .ts_ns = sw->capture.ts_ns,
	};
	uint8_t hb[CAPHDR_LEN];
	struct iovec iov[2] = {
		{ .iov_base = hb, .iov_len = sizeof(hb) },
		{ .iov_base = (void *)frame,
		  .iov_len = cp->snaplen && len > cp->snaplen ? cp->snaplen : len },
	};
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };

	caphdr_encode(&h, hb);
	if (sendmsg(cp->data_fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		cp->drops++;
	else
		cp->copies++;
}

/* The time of the current receive batch, read once per batch. */
static void capture_clock(struct sw *sw)
{
	struct timespec ts;

	if (sw->capture.batch == sw->now && sw->capture.ts_ns)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	sw->capture.batch = sw->now;
	sw->capture.ts_ns = (uint64_t)ts.tv_sec * 1000000000U + (uint64_t)ts.tv_nsec;
}

/**
 * capture_rx() - see capture.h
 */
void capture_rx(struct sw *sw, unsigned port, const uint8_t *frame, size_t len)
{
	struct capture_port *cp;
	uint16_t vid = 0;
	bool tagged;

	if (!sw->capture.n || port >= sw->pt.nslots || mirror_is_monitor(&sw->mirror, port))
		return;
	/* only what the switch accepts on ingress (hub mode: every frame) */
	if (!sw->pt.hub && !vlan_ingress(&sw->pt.v[port], frame, len, &vid, &tagged))
		return;
	capture_clock(sw);
	for (cp = sw->capture.list; cp; cp = cp->next) {
		if (cp->port && cp->port != port)
			continue;
		if (cp->vlan != CAPREQ_VLAN_ANY && (sw->pt.hub || cp->vlan != vid))
			continue;
		capture_send(sw, cp, CAPHDR_IN, port, sw->pt.hub ? CAPREQ_VLAN_ANY : vid,
			     frame, len);
	}
}

/**
 * capture_tx() - see capture.h
 */
void capture_tx(struct sw *sw, unsigned port, const uint8_t *frame, size_t len)
{
	struct capture_port *cp;
	unsigned vid = CAPREQ_VLAN_ANY;

	if (!sw->capture.n || port >= sw->pt.nslots)
		return;
	if (!sw->pt.hub && len >= ETH_HDRLEN + VLAN_TAGLEN && eth_is_tagged(frame))
		vid = eth_tci(frame) & 0xfff;
	else if (!sw->pt.hub)
		vid = sw->pt.v[port].untagged_vlan;
	capture_clock(sw);
	for (cp = sw->capture.list; cp; cp = cp->next) {
		if (cp->port != port)
			continue;
		if (cp->vlan != CAPREQ_VLAN_ANY && cp->vlan != vid)
			continue;
		capture_send(sw, cp, CAPHDR_OUT, port, vid, frame, len);
	}
}

/* port/capture: one line per capture port with its filters and counters */
static int capture_print(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	struct capture_port *cp;

	if (args && *args)
		return EINVAL;
	for (cp = sw->capture.list; cp; cp = cp->next) {
		fprintf(out, "capture fd %d port ", cp->ep->id);
		if (cp->port)
			fprintf(out, "%u", cp->port);
		else
			fprintf(out, "all");
		if (cp->vlan == CAPREQ_VLAN_ANY)
			fprintf(out, " vlan all");
		else
			fprintf(out, " vlan %u", cp->vlan);
		fprintf(out, " snaplen %u copies %llu dropped %llu received_dropped %llu \"%s\"\n",
			(unsigned)cp->snaplen, (unsigned long long)cp->copies,
			(unsigned long long)cp->drops, (unsigned long long)cp->rxdrops,
			cp->ep->descr);
	}
	return 0;
}

/* -j port/capture: the same, one object per capture port */
static int capture_json(void *ctx, struct json *j, const char *args)
{
	struct sw *sw = ctx;
	struct capture_port *cp;

	if (args && *args)
		return EINVAL;
	json_obj(j, NULL);
	json_arr(j, "captures");
	for (cp = sw->capture.list; cp; cp = cp->next) {
		json_obj(j, NULL);
		json_i64(j, "id", cp->ep->id);
		if (cp->port)
			json_u64(j, "port", cp->port);
		else
			json_null(j, "port");
		if (cp->vlan == CAPREQ_VLAN_ANY)
			json_null(j, "vlan");
		else
			json_u64(j, "vlan", cp->vlan);
		json_u64(j, "snaplen", cp->snaplen);
		json_u64(j, "copies", cp->copies);
		json_u64(j, "dropped", cp->drops);
		json_u64(j, "received_dropped", cp->rxdrops);
		json_str(j, "descr", cp->ep->descr);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
	return 0;
}

static const struct console_json_cmd capture_json_cmds[] = {
	{ "port/capture", capture_json },
};

static const struct console_cmd capture_cmds[] = {
	{ "port/capture", "", "capture ports (vdecapture): filters, copies, drops", capture_print,
	  CONSOLE_OUTPUT },
};

/**
 * capture_commands_register() - see capture.h
 */
int capture_commands_register(struct sw *sw)
{
	if (console_add_cmds_before(sw->con, "vlan", capture_cmds,
				    sizeof(capture_cmds) / sizeof(capture_cmds[0])) < 0)
		return -1;
	return console_add_json(sw->con, capture_json_cmds,
				sizeof(capture_json_cmds) / sizeof(capture_json_cmds[0]));
}
