// SPDX-License-Identifier: GPL-2.0-or-later
/* slirp/glue.c - one libslirp instance driven by a vdekit event loop
 *
 * Theory of operation
 *
 * libslirp is written for a poll() loop: before sleeping the application
 * calls slirp_pollfds_fill(), which names every host socket and the events
 * it wants, plus a timeout; after waking it calls slirp_pollfds_poll() with
 * the events that happened. We run it on the epoll loop of lib/common
 * instead (so slirpvde's console, signals and data fds share one loop):
 * after each fill, the set of sockets named is diffed against what is
 * registered with the loop (loop_add_fd / loop_mod_fd / loop_del_fd only
 * for what changed, libslirp's unregister_poll_fd callback drops a socket
 * before it is closed), the returned events of a socket are kept in a
 * table indexed by fd, and the "index" libslirp stores for each socket is
 * the fd itself. A service pass (poll with the recorded events, then fill)
 * runs after each loop callback that concerns libslirp: a host socket
 * ready, a batch of guest frames, or the service timer, which follows
 * libslirp's requested timeout (its TCP fast and slow timers). libslirp's
 * own timers (the IPv6 router advertisement) are loop timers.
 *
 * Guest frames pass sframe_guest_check() first (length bounds, TCP urgent
 * neutralised: see frame.h), IPv4 fragments are reassembled here
 * (sreasm_feed(): libslirp 4.7's own reassembly crashes on a lone last
 * fragment) and the whole datagram is vetted again, frames to the guest are snooped for DHCP ACKs
 * (lease table). UNIX forwards on the virtual host (VDE 2's
 * "-x 6000:/tmp/.X11-unix/X0", then DISPLAY=10.0.2.2:0 in the guest) are
 * refused there by libslirp: they live on the network's last host address
 * (10.0.2.254), and guest TCP to the virtual host's PORT is rewritten to
 * it and back (sframe_alias_*). Errors on either side are counted, never fatal. SIGPIPE
 * (libslirp's send() on a socket the host peer closed) must be ignored or
 * blocked by the owner.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <slirp/libslirp.h>

#include "glue.h"
#include "loop.h"

#define GLUE_IDLE_NS	(1000ULL * 1000000ULL)	/* service at least every second */

struct gfd {
	uint32_t want;		/* epoll events libslirp asked for in this fill */
	uint32_t cur;		/* events registered with the loop */
	int revents;		/* SLIRP_POLL_* seen since the last poll */
	unsigned gen;		/* fill generation that last named it */
	bool active;		/* in the active list */
	bool reg;		/* registered with the loop */
};

struct gtimer {
	struct glue *g;
	SlirpTimerId id;
	void *cb_opaque;
	long lid;		/* loop timer id, 0 = not armed */
};

struct glue {
	struct loop *l;
	Slirp *slirp;
	struct sconf conf;
	struct glue_ops ops;
	void *arg;
	struct gfd *fds;
	size_t nfds;
	int *active;		/* fds named by the last fill */
	size_t nactive, capactive;
	unsigned gen;
	int64_t skew;		/* added to the clock at shutdown */
	long svc_timer;
	uint64_t svc_when;	/* its deadline (loop clock), 0 = fired */
	bool servicing;
	struct sfwd fwd[SCONF_MAXFWD];
	size_t nfwd;
	struct glue_stats st;
	struct glue_lease leases[GLUE_MAXLEASES];
	struct sframe_alias alias;	/* -x ports also on the virtual host */
	struct sreasm *reasm;		/* guests' IPv4 fragments */
	uint8_t obuf[SCONF_MTU_MAX + 18];
};

__attribute__((format(printf, 3, 4)))
static void glog(struct glue *g, int pri, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (!g->ops.log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	g->ops.log(g->arg, pri, msg);
}

static int64_t glue_now(struct glue *g)
{
	return (g->ops.now ? g->ops.now(g->arg) : (int64_t)loop_now_ns()) + g->skew;
}

/* --- frames to the guest ------------------------------------------------- */

static void note_lease(struct glue *g, const struct sdhcp_lease *l)
{
	struct glue_lease *slot = NULL, *oldest = &g->leases[0];
	char a[INET_ADDRSTRLEN];
	size_t i;

	for (i = 0; i < GLUE_MAXLEASES && !slot; i++) {
		struct glue_lease *e = &g->leases[i];

		if (e->when_ns && !memcmp(e->l.mac, l->mac, 6))
			slot = e;
		else if (e->when_ns < oldest->when_ns)
			oldest = e;
	}
	if (!slot)
		slot = oldest;
	slot->l = *l;
	slot->when_ns = (uint64_t)glue_now(g) | 1;
	g->st.dhcp_acks++;
	inet_ntop(AF_INET, &l->addr, a, sizeof(a));
	glog(g, LOG_INFO, "DHCP lease %s to %02x:%02x:%02x:%02x:%02x:%02x (%u s)", a,
	     l->mac[0], l->mac[1], l->mac[2], l->mac[3], l->mac[4], l->mac[5],
	     l->lease_secs);
}

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
	struct glue *g = opaque;
	struct sdhcp_lease l;
	ssize_t r;

	if (len >= 300 && sframe_dhcp_ack(buf, len, &l))
		note_lease(g, &l);
	if (g->alias.nport && len <= sizeof(g->obuf)) {
		memcpy(g->obuf, buf, len);
		if (sframe_alias_out(g->obuf, len, &g->alias))
			buf = g->obuf;
	}
	r = g->ops.send(g->arg, buf, len);
	if (r < 0) {
		g->st.out_errors++;
	} else {
		g->st.out_frames++;
		g->st.out_bytes += len;
	}
	return r < 0 ? r : (ssize_t)len;
}

static void cb_guest_error(const char *msg, void *opaque)
{
	struct glue *g = opaque;

	g->st.guest_errors++;
	glog(g, LOG_DEBUG, "guest error: %s", msg);
}

static int64_t cb_clock_get_ns(void *opaque)
{
	return glue_now(opaque);
}

/* --- libslirp's timers --------------------------------------------------- */

static uint64_t gtimer_fire(struct loop *l, void *arg)
{
	struct gtimer *t = arg;

	(void)l;
	/* this loop timer ends here; a timer_mod() from inside the handler
	 * starts a new one */
	t->lid = 0;
	slirp_handle_timer(t->g->slirp, t->id, t->cb_opaque);
	return LOOP_NOMORE;
}

static void *cb_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
	struct gtimer *t = calloc(1, sizeof(*t));

	if (t) {
		t->g = opaque;
		t->id = id;
		t->cb_opaque = cb_opaque;
	}
	return t;
}

static void cb_timer_free(void *timer, void *opaque)
{
	struct gtimer *t = timer;

	(void)opaque;
	if (!t)
		return;
	if (t->lid)
		loop_del_timer(t->g->l, t->lid);
	free(t);
}

static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
	struct gtimer *t = timer;
	struct glue *g = opaque;
	int64_t now = glue_now(g), when = expire_ms * 1000000;
	uint64_t delay = when > now ? (uint64_t)(when - now) : 1;

	if (!t)
		return;
	if (t->lid && loop_timer_rearm(g->l, t->lid, delay) == 0)
		return;
	t->lid = loop_add_timer(g->l, delay, gtimer_fire, t);
	if (t->lid < 0)
		t->lid = 0;
}

/* --- libslirp's sockets -------------------------------------------------- */

static void cb_register_poll_fd(int fd, void *opaque)
{
	(void)fd;
	(void)opaque;
}

static void drop_fd(struct glue *g, int fd)
{
	struct gfd *e;
	size_t i;

	if (fd < 0 || (size_t)fd >= g->nfds)
		return;
	e = &g->fds[fd];
	if (e->reg)
		loop_del_fd(g->l, fd);
	if (e->active) {
		for (i = 0; i < g->nactive; i++) {
			if (g->active[i] == fd) {
				g->active[i] = g->active[--g->nactive];
				break;
			}
		}
	}
	memset(e, 0, sizeof(*e));
}

static void cb_unregister_poll_fd(int fd, void *opaque)
{
	drop_fd(opaque, fd);
}

static void cb_notify(void *opaque)
{
	(void)opaque;
}

static uint32_t to_epoll(int ev)
{
	return ((ev & SLIRP_POLL_IN) ? EPOLLIN : 0) | ((ev & SLIRP_POLL_OUT) ? EPOLLOUT : 0) |
	       ((ev & SLIRP_POLL_PRI) ? EPOLLPRI : 0);
}

static int from_epoll(uint32_t ev)
{
	return ((ev & EPOLLIN) ? SLIRP_POLL_IN : 0) | ((ev & EPOLLOUT) ? SLIRP_POLL_OUT : 0) |
	       ((ev & EPOLLPRI) ? SLIRP_POLL_PRI : 0) | ((ev & EPOLLERR) ? SLIRP_POLL_ERR : 0) |
	       ((ev & EPOLLHUP) ? SLIRP_POLL_HUP : 0);
}

static int grow_fds(struct glue *g, int fd)
{
	size_t n;
	struct gfd *nf;

	if ((size_t)fd < g->nfds)
		return 0;
	n = (size_t)fd + 64;
	nf = realloc(g->fds, n * sizeof(*nf));
	if (!nf)
		return -1;
	memset(nf + g->nfds, 0, (n - g->nfds) * sizeof(*nf));
	g->fds = nf;
	g->nfds = n;
	return 0;
}

static int cb_add_poll(int fd, int events, void *opaque)
{
	struct glue *g = opaque;
	struct gfd *e;

	if (fd < 0 || grow_fds(g, fd) < 0)
		return -1;
	e = &g->fds[fd];
	if (!e->active) {
		if (g->nactive == g->capactive) {
			size_t n = g->capactive ? g->capactive * 2 : 64;
			int *na = realloc(g->active, n * sizeof(*na));

			if (!na)
				return -1;
			g->active = na;
			g->capactive = n;
		}
		g->active[g->nactive++] = fd;
		e->active = true;
		e->want = 0;
	}
	if (e->gen != g->gen)
		e->want = 0;
	e->want |= to_epoll(events);
	e->gen = g->gen;
	return fd;
}

static int cb_get_revents(int idx, void *opaque)
{
	struct glue *g = opaque;

	if (idx < 0 || (size_t)idx >= g->nfds)
		return 0;
	return g->fds[idx].revents;
}

static void on_slirp_fd(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct glue *g = arg;

	(void)l;
	if ((size_t)fd < g->nfds)
		g->fds[fd].revents |= from_epoll(events);
	glue_service(g);
}

/* Bring the loop's registrations in line with the last fill. */
static void sync_fds(struct glue *g)
{
	size_t i = 0;

	while (i < g->nactive) {
		int fd = g->active[i];
		struct gfd *e = &g->fds[fd];

		if (e->gen != g->gen) {
			drop_fd(g, fd);		/* swaps the last one into i */
			continue;
		}
		if (!e->reg) {
			if (loop_add_fd(g->l, fd, e->want, on_slirp_fd, g) < 0 && errno == EEXIST) {
				/* closed behind our back, number reused: start over */
				loop_del_fd(g->l, fd);
				if (loop_add_fd(g->l, fd, e->want, on_slirp_fd, g) < 0) {
					i++;
					continue;
				}
			}
			e->reg = true;
			e->cur = e->want;
		} else if (e->cur != e->want) {
			if (loop_mod_fd(g->l, fd, e->want) == 0)
				e->cur = e->want;
		}
		i++;
	}
}

/**
 * glue_service() - let libslirp handle what happened, then re-arm
 * @g:	glue
 *
 * Runs slirp_pollfds_poll() with the events recorded since the last call
 * and slirp_pollfds_fill(); registers/unregisters host sockets and sets
 * the service timer to libslirp's timeout.
 */
void glue_service(struct glue *g)
{
	uint32_t timeout = UINT32_MAX;
	uint64_t delay, now;
	size_t i;

	if (g->servicing)
		return;
	g->servicing = true;
	slirp_pollfds_poll(g->slirp, 0, cb_get_revents, g);
	for (i = 0; i < g->nactive; i++)
		g->fds[g->active[i]].revents = 0;
	g->gen++;
	slirp_pollfds_fill(g->slirp, &timeout, cb_add_poll, g);
	sync_fds(g);
	delay = timeout == UINT32_MAX ? GLUE_IDLE_NS : (uint64_t)timeout * 1000000ULL;
	if (delay > GLUE_IDLE_NS)
		delay = GLUE_IDLE_NS;
	if (!delay)
		delay = 1;
	/* re-arm only for an earlier deadline: a timer that fires early just
	 * costs a service pass, a timerfd_settime() per pass costs more */
	now = loop_now_ns();
	if (g->svc_timer > 0 && (!g->svc_when || now + delay < g->svc_when || g->svc_when <= now)) {
		loop_timer_rearm(g->l, g->svc_timer, delay);
		g->svc_when = now + delay;
	}
	g->servicing = false;
}

static uint64_t on_svc_timer(struct loop *l, void *arg)
{
	struct glue *g = arg;

	(void)l;
	g->svc_when = 0;
	glue_service(g);	/* re-arms this timer */
	return GLUE_IDLE_NS;
}

/* --- guest frames -------------------------------------------------------- */

/**
 * glue_input() - a frame from the guest network
 * @g:		glue
 * @frame:	the frame (rewritten when its TCP urgent flag is removed)
 * @len:	its length
 *
 * Call glue_service() after a batch of these.
 */
void glue_input(struct glue *g, uint8_t *frame, size_t len)
{
	long n;

	switch (sframe_guest_check(frame, len, g->conf.mtu)) {
	case SF_PASS_URG:
		g->st.urg_cleared++;
		break;
	case SF_PASS:
		break;
	case SF_DROP_RUNT:
		g->st.drop_runt++;
		return;
	case SF_DROP_BIG:
		g->st.drop_big++;
		return;
	case SF_DROP_TCPFRAG:
		g->st.drop_tcpfrag++;
		return;
	case SF_DROP_TRUNC:
		g->st.drop_trunc++;
		return;
	case SF_DROP_NOTUS:
		g->st.drop_notus++;
		return;
	}
	n = sreasm_feed(g->reasm, frame, len, (uint64_t)glue_now(g));
	if (n >= 0) {
		g->st.frag_held = g->reasm->held;
		g->st.frag_done = g->reasm->done;
		g->st.frag_dropped = g->reasm->dropped;
		g->st.frag_evicted = g->reasm->evicted;
		if (n == 0)
			return;
		/* a whole datagram: its TCP header is vetted now */
		frame = g->reasm->out;
		len = (size_t)n;
		if (sframe_guest_check(frame, len, SREASM_MAXIP) == SF_PASS_URG)
			g->st.urg_cleared++;
	}
	if (!g->conf.tftp && sframe_tftp_to(frame, len, g->conf.host, &g->conf.host6)) {
		g->st.drop_tftp++;
		return;
	}
	g->st.in_frames++;
	g->st.in_bytes += len;
	if (g->alias.nport)
		sframe_alias_in(frame, len, &g->alias);
	slirp_input(g->slirp, frame, (int)len);
}

/* --- set-up -------------------------------------------------------------- */

static const SlirpCb glue_cb = {
	.send_packet = cb_send_packet,
	.guest_error = cb_guest_error,
	.clock_get_ns = cb_clock_get_ns,
	.timer_free = cb_timer_free,
	.timer_mod = cb_timer_mod,
	.register_poll_fd = cb_register_poll_fd,
	.unregister_poll_fd = cb_unregister_poll_fd,
	.notify = cb_notify,
	.timer_new_opaque = cb_timer_new_opaque,
};

/**
 * glue_new() - start a libslirp instance
 * @l:		the loop its sockets and timers join
 * @c:		settings (sconf_finish()ed); copied, except the strings
 * @ops:	callbacks (send is required); copied
 * @arg:	their argument
 *
 * The forwards of @c are not set up: call glue_fwd_add() for each.
 *
 * Return: the glue, or NULL with errno.
 */
struct glue *glue_new(struct loop *l, const struct sconf *c, const struct glue_ops *ops,
		      void *arg)
{
	struct glue *g = calloc(1, sizeof(*g));
	SlirpConfig cfg;

	if (!g)
		return NULL;
	g->l = l;
	g->conf = *c;
	g->conf.nfwd = 0;
	g->ops = *ops;
	g->arg = arg;
	g->reasm = calloc(1, sizeof(*g->reasm));
	if (!g->reasm)
		goto fail;
	memset(&cfg, 0, sizeof(cfg));
	cfg.version = 4;
	cfg.restricted = c->restricted;
	cfg.in_enabled = c->v4;
	cfg.vnetwork = c->net;
	cfg.vnetmask = c->mask;
	cfg.vhost = c->host;
	cfg.in6_enabled = c->v6;
	cfg.vprefix_addr6 = c->prefix6;
	cfg.vprefix_len = (uint8_t)c->prefix6_len;
	cfg.vhost6 = c->host6;
	cfg.vhostname = c->hostname;
	cfg.tftp_path = c->tftp;
	cfg.bootfile = c->bootfile;
	cfg.vdhcp_start = c->dhcp_start;
	cfg.vnameserver = c->dns;
	cfg.vnameserver6 = c->dns6;
	cfg.vdomainname = c->vdomain;
	cfg.if_mtu = c->mtu;
	cfg.if_mru = c->mtu;
	cfg.disable_host_loopback = c->no_host_loopback;
	cfg.disable_dhcp = !c->dhcp;
	g->svc_timer = loop_add_timer(l, GLUE_IDLE_NS, on_svc_timer, g);
	if (g->svc_timer < 0)
		goto fail;
	g->slirp = slirp_new(&cfg, &glue_cb, g);
	if (!g->slirp) {
		errno = EINVAL;
		goto fail;
	}
	glue_service(g);
	return g;
fail:
	if (g->svc_timer > 0)
		loop_del_timer(l, g->svc_timer);
	free(g->reasm);
	free(g);
	return NULL;
}

/**
 * glue_free() - stop the instance, close its sockets
 * @g:	glue, may be NULL
 */
void glue_free(struct glue *g)
{
	size_t i;

	if (!g)
		return;
	/* frames still waiting for an ARP/NDP answer expire after 1 s of
	 * libslirp's clock, and slirp_cleanup() would leak them: move the
	 * clock on and let libslirp drop them first */
	g->skew += 3000000000LL;
	glue_service(g);
	slirp_cleanup(g->slirp);
	for (i = 0; i < g->nactive; i++)
		if (g->fds[g->active[i]].reg)
			loop_del_fd(g->l, g->active[i]);
	if (g->svc_timer > 0)
		loop_del_timer(g->l, g->svc_timer);
	free(g->fds);
	free(g->active);
	free(g->reasm);
	free(g);
}

/* --- forwards ------------------------------------------------------------ */

static bool same_fwd(const struct sfwd *a, const struct sfwd *b)
{
	if (a->kind != b->kind)
		return false;
	if (a->kind == SFWD_UNIX)
		return a->guest_addr.s_addr == b->guest_addr.s_addr &&
		       a->guest_port == b->guest_port;
	return a->host_addr.s_addr == b->host_addr.s_addr && a->host_port == b->host_port;
}

/* Where the virtual host's UNIX forwards really live: libslirp refuses
 * them on the virtual host, so they sit on the network's last host address
 * and frames are rewritten (sframe_alias_*). */
static struct in_addr hidden_addr(const struct glue *g)
{
	uint32_t hm = ~ntohl(g->conf.mask.s_addr);
	struct in_addr a = { htonl(ntohl(g->conf.net.s_addr) | (hm - 1)) };

	return a;
}

static void rebuild_alias(struct glue *g)
{
	size_t i;

	g->alias.vhost = g->conf.host;
	g->alias.alias = hidden_addr(g);
	g->alias.nport = 0;
	for (i = 0; i < g->nfwd && g->alias.nport < SFRAME_MAXALIAS; i++)
		if (g->fwd[i].kind == SFWD_UNIX && g->fwd[i].on_vhost)
			g->alias.port[g->alias.nport++] = (uint16_t)g->fwd[i].guest_port;
}

/* UNIX forwards on the virtual host: no address, or the virtual host's */
static void unix_target(const struct glue *g, struct sfwd *f)
{
	if (f->kind != SFWD_UNIX)
		return;
	if (!f->guest_addr.s_addr || f->guest_addr.s_addr == g->conf.host.s_addr) {
		f->guest_addr = g->conf.host;
		f->on_vhost = true;
	} else {
		f->on_vhost = false;
	}
}

/**
 * glue_fwd_add() - add a forward now
 * @g:	glue
 * @f:	forward; a UNIX forward's guest address 0 becomes the default
 *
 * Return: 0, -EEXIST, -ENOSPC, or -EADDRINUSE/-EINVAL when libslirp refuses
 * (host port busy, guest address outside the network or reserved).
 */
int glue_fwd_add(struct glue *g, struct sfwd *f)
{
	size_t i;
	int r;

	if (g->nfwd >= SCONF_MAXFWD)
		return -ENOSPC;
	unix_target(g, f);
	for (i = 0; i < g->nfwd; i++)
		if (same_fwd(&g->fwd[i], f))
			return -EEXIST;
	errno = 0;
	if (f->kind == SFWD_UNIX) {
		struct in_addr a = f->on_vhost ? hidden_addr(g) : f->guest_addr;

		if (f->on_vhost && (a.s_addr == g->conf.host.s_addr ||
				    a.s_addr == g->conf.dns.s_addr))
			return -EADDRNOTAVAIL;	/* a tiny network */
		r = slirp_add_unix(g->slirp, f->path, &a, f->guest_port);
		if (r < 0)
			r = -EINVAL;
	} else {
		r = slirp_add_hostfwd(g->slirp, f->kind == SFWD_UDP, f->host_addr, f->host_port,
				      f->guest_addr, f->guest_port);
		if (r < 0)
			r = errno && errno != EINVAL ? -errno : -EADDRINUSE;
	}
	if (r < 0)
		return r;
	g->fwd[g->nfwd++] = *f;
	rebuild_alias(g);
	glue_service(g);
	return 0;
}

/**
 * glue_fwd_del() - remove a forward
 * @g:	glue
 * @f:	TCP/UDP: kind, host address and port; UNIX: guest address and port
 *
 * Return: 0 or -ENOENT.
 */
int glue_fwd_del(struct glue *g, const struct sfwd *f)
{
	struct sfwd k = *f;
	size_t i;

	unix_target(g, &k);
	for (i = 0; i < g->nfwd; i++)
		if (same_fwd(&g->fwd[i], &k))
			break;
	if (i == g->nfwd)
		return -ENOENT;
	if (k.kind == SFWD_UNIX)
		slirp_remove_guestfwd(g->slirp, k.on_vhost ? hidden_addr(g) : k.guest_addr,
				      k.guest_port);
	else
		slirp_remove_hostfwd(g->slirp, k.kind == SFWD_UDP, k.host_addr, k.host_port);
	g->fwd[i] = g->fwd[--g->nfwd];
	rebuild_alias(g);
	glue_service(g);
	return 0;
}

/**
 * glue_fwd_count() - number of forwards in place
 * @g:	glue
 *
 * Return: the count.
 */
size_t glue_fwd_count(const struct glue *g)
{
	return g->nfwd;
}

/**
 * glue_fwd_get() - one forward
 * @g:	glue
 * @i:	index, below glue_fwd_count()
 *
 * Return: the forward, or NULL past the end.
 */
const struct sfwd *glue_fwd_get(const struct glue *g, size_t i)
{
	return i < g->nfwd ? &g->fwd[i] : NULL;
}

/* --- introspection ------------------------------------------------------- */

/**
 * glue_stats() - the counters
 * @g:	glue
 *
 * Return: the live counters.
 */
const struct glue_stats *glue_stats(const struct glue *g)
{
	return &g->st;
}

/**
 * glue_leases() - the DHCP leases seen going out
 * @g:	glue
 *
 * Return: GLUE_MAXLEASES slots, empty ones with when_ns 0.
 */
const struct glue_lease *glue_leases(const struct glue *g)
{
	return g->leases;
}

/**
 * glue_conf() - the settings in effect
 * @g:	glue
 *
 * Return: the glue's copy (forwards not included).
 */
const struct sconf *glue_conf(const struct glue *g)
{
	return &g->conf;
}

/**
 * glue_print_connections() - libslirp's socket table
 * @g:		glue
 * @out:	stream
 */
void glue_print_connections(struct glue *g, FILE *out)
{
	char *s = slirp_connection_info(g->slirp);

	if (s) {
		fputs(s, out);
		free(s);	/* g_free() is free() since GLib 2.46 */
	}
}

/**
 * glue_print_neighbors() - libslirp's ARP and NDP tables
 * @g:		glue
 * @out:	stream
 */
void glue_print_neighbors(struct glue *g, FILE *out)
{
	char *s = slirp_neighbor_info(g->slirp);

	if (s) {
		fputs(s, out);
		free(s);
	}
}

/**
 * glue_print_conf() - the settings in effect
 * @g:		glue
 * @out:	stream
 */
void glue_print_conf(const struct glue *g, FILE *out)
{
	const struct sconf *c = &g->conf;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	unsigned len = 32 - (unsigned)__builtin_popcount(~ntohl(c->mask.s_addr));

	inet_ntop(AF_INET, &c->net, a, sizeof(a));
	fprintf(out, "ipv4 %s\n", c->v4 ? "on" : "off");
	fprintf(out, "network %s/%u\n", a, len);
	inet_ntop(AF_INET, &c->host, a, sizeof(a));
	fprintf(out, "host %s\n", a);
	inet_ntop(AF_INET, &c->dns, a, sizeof(a));
	fprintf(out, "dns %s\n", a);
	inet_ntop(AF_INET, &c->dhcp_start, a, sizeof(a));
	fprintf(out, "dhcp %s\n", c->dhcp ? a : "off");
	inet_ntop(AF_INET6, &c->prefix6, a, sizeof(a));
	inet_ntop(AF_INET6, &c->host6, b, sizeof(b));
	fprintf(out, "ipv6 %s\n", c->v6 ? "on" : "off");
	fprintf(out, "prefix6 %s/%u\n", a, c->prefix6_len);
	fprintf(out, "host6 %s\n", b);
	inet_ntop(AF_INET6, &c->dns6, a, sizeof(a));
	fprintf(out, "dns6 %s\n", a);
	fprintf(out, "mtu %zu\n", c->mtu);
	fprintf(out, "restrict %s\n", c->restricted ? "on" : "off");
	fprintf(out, "tftp %s\n", c->tftp ? c->tftp : "off");
}
