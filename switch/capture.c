// SPDX-License-Identifier: GPL-2.0-or-later
/* switch/capture.c - capture ports: copies of forwarded frames for vdecapture
 *
 * Theory of operation (docs/capture.md section 3). datasock.c hands every
 * type-2 request on the ctl socket to capture_request(), which decodes it
 * (capture/capreq.c), checks the requester's rights on the captured port(s)
 * (the port ACLs, as an ordinary open of that port would), opens a
 * datagram socket DIR/cap.<fd> connected to the client's socket, and
 * answers with its address and the VCAP acknowledgement. The control
 * connection's endpoint becomes the capture port: ep->capture is set, it
 * stays out of the port table, and it lives as long as its ctl stream.
 *
 * The data path calls capture_rx() for each frame received, before
 * forwarding, and capture_tx() for each frame sent to a port; both return
 * at once when no capture port exists. A copy is one sendmsg() of the
 * 24-byte header and the frame (cut to the client's snaplen), never
 * blocking; a full socket drops it. Datagrams a capture client sends are
 * read and dropped, counted.
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
#include "console.h"
#include "ether.h"
#include "log.h"
#include "loop.h"
#include "switch.h"
#include "vlan.h"

struct capture_port {
	struct capture_port *next;
	struct endpoint *ep;
	unsigned port;			/* filter, 0 = every port */
	unsigned vlan;			/* filter, CAPREQ_VLAN_ANY = every VLAN */
	uint32_t snaplen;		/* 0 = whole frames */
	uint32_t seq;			/* next sequence number */
	uint64_t copies, drops, rxdrops;
};

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
		return p >= sw->pt.nslots || port_acl_ok(&sw->pt.v[p], user, ds_gid_member);
	for (i = 1; i < sw->pt.nslots; i++)
		if (sw->pt.v[i].exists && !port_acl_ok(&sw->pt.v[i], user, ds_gid_member))
			return false;
	return true;
}

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

/* Open DIR/cap.<fd>, connected to @client; fd or -1. */
static int capture_socket(struct sw *sw, struct endpoint *ep, const char *client)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, n, sz = SW_SOCKBUF;
	mode_t mode = sw->mode;

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	ep->data_fd = fd;		/* closed by ds_ep_close() */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	n = snprintf(ep->path, sizeof(ep->path), "%s/cap.%d", sw->ctl_dir, fd);
	if (n < 0 || (size_t)n >= sizeof(ep->path) || (size_t)n >= sizeof(sun.sun_path)) {
		ep->path[0] = '\0';
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun.sun_path, ep->path, (size_t)n + 1);
	unlink(ep->path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		ep->path[0] = '\0';
		return -1;
	}
	/* only the client may connect: its owner when we can chown, else
	 * the switch's socket mode (as an ordinary port's data socket) */
	if (geteuid() == 0 && chown(ep->path, ep->user, (gid_t)-1) == 0)
		mode = 0600;
	else if (sw->group != (gid_t)-1 && chown(ep->path, (uid_t)-1, sw->group) < 0)
		log_debug("chown %s: %s", ep->path, strerror(errno));
	if (chmod(ep->path, mode) < 0)
		log_debug("chmod %s: %s", ep->path, strerror(errno));
	memset(sun.sun_path, 0, sizeof(sun.sun_path));
	memcpy(sun.sun_path, client, strlen(client));
	return connect(fd, (struct sockaddr *)&sun, sizeof(sun));
}

int capture_request(struct sw *sw, struct endpoint *ep, const uint8_t *buf, size_t len)
{
	char path[CAPREQ_SUN_LEN - 1], descr[CAPREQ_DESCR_MAX + 1];
	uint8_t reply[CAPREPLY_LEN];
	struct capture_port *cp = NULL;
	struct capreq r;
	struct stat st;
	int ret = -1;

	if (ep->capture) {
		errno = EALREADY;	/* a second request on the same stream */
		goto out;
	}
	if (capreq_decode(buf, len, &r, path, descr)) {
		errno = EINVAL;
		goto out;
	}
	if (access(path, R_OK | W_OK) < 0 || stat(path, &st) < 0)
		goto out;
	ep->user = st.st_uid;
	if (!capture_allowed(sw, r.port, ep->user)) {
		errno = EPERM;
		goto out;
	}
	cp = calloc(1, sizeof(*cp));
	if (!cp)
		goto out;
	ep->capture = true;
	snprintf(ep->descr, sizeof(ep->descr), "%s", descr);
	if (capture_socket(sw, ep, path) < 0)
		goto out;
	if (capreply_encode(ep->path, reply) != sizeof(reply) ||
	    write(ep->ctl_fd, reply, sizeof(reply)) != (ssize_t)sizeof(reply))
		goto out;
	if (loop_add_fd(sw->loop, ep->data_fd, EPOLLIN, capture_data_cb, cp) < 0)
		goto out;
	cp->ep = ep;
	cp->port = r.port;
	cp->vlan = r.vlan;
	cp->snaplen = r.snaplen;
	cp->next = sw->capture.list;
	sw->capture.list = cp;
	sw->capture.n++;
	log_info("capture port fd %d: port %u, vlan %d (%s)", ep->ctl_fd, r.port,
		 r.vlan == CAPREQ_VLAN_ANY ? -1 : (int)r.vlan, ep->descr);
	cp = NULL;
	ret = 0;
out:
	free(cp);
	return ret;
}

void capture_ep_close(struct sw *sw, struct endpoint *ep)
{
	struct capture_port **link, *cp;

	if (!ep->capture)
		return;
	for (link = &sw->capture.list; (cp = *link); link = &cp->next)
		if (cp->ep == ep) {
			*link = cp->next;
			sw->capture.n--;
			loop_del_fd(sw->loop, ep->data_fd);
			log_info("capture port fd %d closed: %llu copies, %llu dropped, "
				 "%llu received and dropped", ep->ctl_fd,
				 (unsigned long long)cp->copies, (unsigned long long)cp->drops,
				 (unsigned long long)cp->rxdrops);
			free(cp);
			break;
		}
	ep->capture = false;
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
	if (sendmsg(cp->ep->data_fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
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
		fprintf(out, "capture fd %d port ", cp->ep->ctl_fd);
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

static const struct console_cmd capture_cmds[] = {
	{ "port/capture", "", "capture ports (vdecapture): filters, copies, drops", capture_print,
	  CONSOLE_OUTPUT },
};

int capture_commands_register(struct sw *sw)
{
	return console_add_cmds_before(sw->con, "vlan", capture_cmds,
				       sizeof(capture_cmds) / sizeof(capture_cmds[0]));
}
