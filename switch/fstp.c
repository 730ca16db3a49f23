// SPDX-License-Identifier: GPL-2.0-or-later
/* switch/fstp.c - VDE 2's fast spanning tree ("FSTP"), per VLAN
 *
 * Theory of operation (docs/protocol.md, "FSTP BPDUs"; checked against Debian's
 * vde_switch 2.3.2 -F on the wire). Each VLAN runs its own tree. A VLAN
 * keeps one priority vector, root id | root path cost | designated bridge |
 * designated port (22 bytes, compared with memcmp, smaller is better): ours
 * (we are the root: rootport 0) or the best one heard, on the root port.
 * Ports are forwarding or backup (discarding); nothing else is kept per
 * port, only whether it heard a BPDU in the last two receive windows
 * ("active": a switch is behind it).
 *
 * A BPDU received on port P, its cost raised by our port cost (less the
 * VLAN's bonus when P is the bonus port):
 *  - on the root port: its vector replaces ours (refreshing the root age);
 *    a changed vector is acknowledged with an agreement BPDU;
 *  - better than ours: P becomes the root port ("fast protocol"): every
 *    other active port turns backup and says so, P forwards and sends an
 *    agreement, and a topology change follows;
 *  - same root, not better: P is designated (forwarding) if the sender's
 *    port is its root port, else backup, so both ends of a redundant link
 *    discard; a backup port that starts forwarding is a topology change;
 *  - worse root: the sender is told ours at once, and the VLAN's MAC
 *    table is flushed (the sender lost its path: stations may move).
 * A TC flag flushes the VLAN's MAC table and is passed on along the tree
 * (the other active forwarding ports; not when it came on a backup port).
 * A local topology change flushes and sends a TC toward the root (on
 * every active forwarding port when we are the root). Every hello (4 s) all non-edge members get a BPDU with the
 * agreement flag; root info not refreshed for 3 hellos is dropped and we
 * become the root; every 4 hellos the receive window rotates and backup
 * ports that heard nothing during the window just ended forward again.
 * Losing the root port (its last endpoint closes) makes us the root at
 * once: the re-convergence after a cut cable takes one BPDU round trip.
 *
 * Encoding quirks kept for the wire (VDE 2's): times little-endian whole
 * seconds, port id 0x80|(port>>4), port&0xff, flags in VDE 2's bit layout.
 */
#include "config.h"

#include "fstp.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ether.h"
#include "vlan.h"

#define VEC_LEN		22		/* root, cost, bridge, port */
#define VEC_COST	8
#define VEC_BRIDGE	12
#define VEC_PORT	20

/* BPDU field offsets (untagged) */
#define B_LLC		14
#define B_VERSION	19
#define B_TYPE		20
#define B_FLAGS		21
#define B_VEC		22
#define B_AGE		44

/* per-port flags of a VLAN */
#define PF_MEMBER	0x01
#define PF_BACKUP	0x02
#define PF_EDGE		0x04
#define PF_HIST0	0x08
#define PF_HIST1	0x10
#define PF_TAGGED	0x20
#define PF_HIST		(PF_HIST0 | PF_HIST1)

struct fstp_vlan {
	uint8_t vec[VEC_LEN];
	unsigned rootport;		/* 0: we are the root */
	unsigned bonusport;
	uint32_t bonuscost;
	uint64_t ts;			/* root info received (or we became root) */
	uint64_t tc_until;		/* no TC BPDUs sent before this */
	uint8_t *pf;			/* [f->nports] */
};

static const uint8_t bpdu_dst[6] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x00 };

__attribute__((format(printf, 3, 4)))
static void dbg(struct fstp *f, unsigned tag, const char *fmt, ...)
{
	char line[128];
	va_list ap;

	if (!f->ops.debug)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	f->ops.debug(f->arg, tag, line);
}

char *fstp_id_str(const uint8_t id[FSTP_ID_LEN], char *buf)
{
	snprintf(buf, 24, "%02x:%02x:%02x:%02x:%02x:%02x:%02x:%02x", id[0], id[1], id[2], id[3],
		 id[4], id[5], id[6], id[7]);
	return buf;
}

static void own_vector(const struct fstp *f, struct fstp_vlan *v)
{
	memcpy(v->vec, f->id, FSTP_ID_LEN);
	memset(v->vec + VEC_COST, 0, 4);
	memset(v->vec + VEC_BRIDGE, 0xff, VEC_LEN - VEC_BRIDGE);
	v->rootport = 0;
}

/* Make the per-port arrays cover @n slots. 0 or -1. */
static int ensure_ports(struct fstp *f, unsigned n)
{
	unsigned vid;
	uint8_t *pf;

	if (n <= f->nports)
		return 0;
	for (vid = 0; vid < VLAN_NONE; vid++) {
		if (!f->v[vid])
			continue;
		pf = realloc(f->v[vid]->pf, n);
		if (!pf)
			return -1;
		memset(pf + f->nports, 0, n - f->nports);
		f->v[vid]->pf = pf;
	}
	f->nports = n;
	return 0;
}

static struct fstp_vlan *vlan_get(struct fstp *f, unsigned vid, uint64_t now)
{
	struct fstp_vlan *v = f->v[vid];

	if (v || vid >= VLAN_NONE)
		return v;
	v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	v->pf = calloc(f->nports ? f->nports : 1, 1);
	if (!v->pf) {
		free(v);
		return NULL;
	}
	own_vector(f, v);
	v->ts = now;
	f->v[vid] = v;
	return v;
}

void fstp_init(struct fstp *f, const uint8_t mac[6], unsigned priority,
	       const struct fstp_ops *ops, void *arg)
{
	memset(f, 0, sizeof(*f));
	f->id[0] = (uint8_t)(priority >> 8);
	f->id[1] = (uint8_t)priority;
	memcpy(f->id + 2, mac, 6);
	if (ops)
		f->ops = *ops;
	f->arg = arg;
}

void fstp_free(struct fstp *f)
{
	unsigned vid;

	for (vid = 0; vid < VLAN_NONE; vid++)
		if (f->v[vid]) {
			free(f->v[vid]->pf);
			free(f->v[vid]);
			f->v[vid] = NULL;
		}
	f->nports = 0;
}

bool fstp_is_bpdu(const uint8_t *frame)
{
	return !memcmp(frame, bpdu_dst, 6);
}

static bool sends_bpdus(const struct fstp_vlan *v, unsigned p)
{
	return (v->pf[p] & (PF_MEMBER | PF_EDGE)) == PF_MEMBER;
}

static void send_bpdu(struct fstp *f, unsigned vid, struct fstp_vlan *v, unsigned p, bool agr,
		      bool tc, uint64_t now)
{
	uint8_t *b = f->buf, fl = 0;
	size_t off = 0;
	uint64_t age = 0;

	if (!sends_bpdus(v, p) || !f->ops.send)
		return;
	memcpy(b, bpdu_dst, 6);
	memcpy(b + 6, f->id + 2, 6);
	if (v->pf[p] & PF_TAGGED) {
		b[12] = 0x81;
		b[13] = 0x00;
		b[14] = (uint8_t)(vid >> 8);
		b[15] = (uint8_t)vid;
		off = 4;
	}
	b += off;
	b[12] = 0x00;
	b[13] = 0x27;			/* 802.3 length: 39 */
	b[B_LLC] = 0x42;
	b[B_LLC + 1] = 0x42;
	b[B_LLC + 2] = 0x03;
	b[17] = 0x00;
	b[18] = 0x00;
	b[B_VERSION] = 2;
	b[B_TYPE] = 2;
	if (tc)
		fl |= FSTP_F_TC;
	if (v->pf[p] & PF_BACKUP)
		fl |= FSTP_F_BACKUP;
	else
		fl |= FSTP_F_NOTBACKUP | FSTP_F_LEARNING | FSTP_F_FORWARDING;
	if (p != v->rootport)
		fl |= FSTP_F_NOTROOT;
	if (agr)
		fl |= FSTP_F_AGREEMENT;
	b[B_FLAGS] = fl;
	memcpy(b + B_VEC, v->vec, VEC_BRIDGE);
	memcpy(b + B_VEC + VEC_BRIDGE, f->id, FSTP_ID_LEN);
	b[B_VEC + VEC_PORT] = (uint8_t)(0x80 | (p >> 4));
	b[B_VEC + VEC_PORT + 1] = (uint8_t)p;
	if (v->rootport && now > v->ts)
		age = (now - v->ts) / FSTP_NSEC;
	if (age > 0xffff)
		age = 0xffff;
	b[B_AGE] = (uint8_t)age;
	b[B_AGE + 1] = (uint8_t)(age >> 8);
	b[46] = 40;			/* max age, LE seconds */
	b[47] = 0;
	b[48] = (uint8_t)(FSTP_HELLO_NS / FSTP_NSEC);
	b[49] = 0;
	b[50] = 0;			/* forward delay */
	b[51] = 0;
	b[52] = 0;			/* version 1 length */
	f->st.tx++;
	f->ops.send(f->arg, p, f->buf, FSTP_BPDU_LEN + off);
}

/* Port @p of @vid to backup (discarding) or forwarding; true if it changed.
 * @force prints the status line even without a change (as VDE 2 does for
 * a new root port). */
static bool set_backup(struct fstp *f, unsigned vid, struct fstp_vlan *v, unsigned p,
		       bool backup, bool force)
{
	bool changed = !!(v->pf[p] & PF_BACKUP) != backup;

	if (backup)
		v->pf[p] |= PF_BACKUP;
	else
		v->pf[p] &= (uint8_t)~PF_BACKUP;
	if (changed || force)
		dbg(f, FSTP_DBG_STATUS, "Port %04u VLAN %02x:%02x %s", p, vid >> 8, vid & 0xff,
		    backup ? "discarding" : "learning+forwarding");
	return changed;
}

/* Flush @vid's MAC table and send a TC: for a local change (@from 0)
 * toward the root (on every active forwarding port when we are the root),
 * always; a TC received on port @from goes on along the tree, to the other
 * active forwarding ports, unless one went out in the last second (a
 * safety net while the tree still has a loop). */
static void topology_change(struct fstp *f, unsigned vid, struct fstp_vlan *v, unsigned from,
			    uint64_t now)
{
	unsigned p;

	f->st.tc++;
	if (f->ops.flush)
		f->ops.flush(f->arg, (uint16_t)vid);
	if (from && now < v->tc_until)
		return;
	v->tc_until = now + FSTP_TC_HOLD_NS;
	if (!from && v->rootport) {
		send_bpdu(f, vid, v, v->rootport, false, true, now);
		return;
	}
	for (p = 0; p < f->nports; p++)
		if (p != from && (v->pf[p] & PF_HIST) && !(v->pf[p] & PF_BACKUP))
			send_bpdu(f, vid, v, p, false, true, now);
}

static void log_root(struct fstp *f, unsigned vid, struct fstp_vlan *v)
{
	char id[24];

	dbg(f, FSTP_DBG_ROOT, "Port %04u VLAN %02x:%02x -> %s", v->rootport, vid >> 8, vid & 0xff,
	    fstp_id_str(v->vec, id));
}

static void become_root(struct fstp *f, unsigned vid, struct fstp_vlan *v, uint64_t now)
{
	unsigned p;

	own_vector(f, v);
	v->ts = now;
	log_root(f, vid, v);
	for (p = 0; p < f->nports; p++) {
		if (!sends_bpdus(v, p))
			continue;
		set_backup(f, vid, v, p, false, false);
		send_bpdu(f, vid, v, p, false, false, now);
	}
	topology_change(f, vid, v, 0, now);
}

static void new_root_port(struct fstp *f, unsigned vid, struct fstp_vlan *v, unsigned port,
			  const uint8_t *vec, uint64_t now)
{
	unsigned p;

	memcpy(v->vec, vec, VEC_LEN);
	v->rootport = port;
	v->ts = now;
	log_root(f, vid, v);
	for (p = 0; p < f->nports; p++) {
		if (p == port || !sends_bpdus(v, p) || !(v->pf[p] & PF_HIST))
			continue;
		set_backup(f, vid, v, p, true, false);
		send_bpdu(f, vid, v, p, false, false, now);
	}
	set_backup(f, vid, v, port, false, true);
	send_bpdu(f, vid, v, port, true, false, now);
	topology_change(f, vid, v, 0, now);
}

static void port_join(struct fstp *f, unsigned vid, struct fstp_vlan *v, unsigned p,
		      uint64_t now)
{
	v->pf[p] = (uint8_t)((v->pf[p] & (PF_EDGE | PF_TAGGED)) | PF_MEMBER);
	dbg(f, FSTP_DBG_PLUS, "Port %04u VLAN %02x:%02x", p, vid >> 8, vid & 0xff);
	send_bpdu(f, vid, v, p, false, false, now);
}

static void port_leave(struct fstp *f, unsigned vid, struct fstp_vlan *v, unsigned p,
		       uint64_t now)
{
	v->pf[p] &= PF_EDGE;
	dbg(f, FSTP_DBG_MINUS, "Port %04u VLAN %02x:%02x", p, vid >> 8, vid & 0xff);
	if (v->rootport && p == v->rootport)
		become_root(f, vid, v, now);
}

int fstp_sync(struct fstp *f, const struct port_table *pt, uint64_t now)
{
	struct fstp_vlan *v;
	unsigned vid, p;
	int ret = 0;

	if (!f->enabled)
		goto out;
	if (ensure_ports(f, pt->nslots) < 0) {
		ret = -1;
		goto out;
	}
	for (vid = 0; vid < VLAN_NONE; vid++) {
		bool exists = vlan_exists(pt, vid);

		if (!exists && !f->v[vid])
			continue;
		v = exists ? vlan_get(f, vid, now) : f->v[vid];
		if (!v) {
			ret = -1;
			continue;
		}
		for (p = 0; p < f->nports; p++) {
			bool want = exists && p < pt->nslots && port_active(pt, p) &&
				    port_vlan_member(&pt->v[p], (uint16_t)vid);

			if (want) {
				if (pt->v[p].untagged_vlan == vid)
					v->pf[p] &= (uint8_t)~PF_TAGGED;
				else
					v->pf[p] |= PF_TAGGED;
			}
			if (want && !(v->pf[p] & PF_MEMBER))
				port_join(f, vid, v, p, now);
			else if (!want && (v->pf[p] & PF_MEMBER))
				port_leave(f, vid, v, p, now);
		}
		if (!exists && v->rootport == 0) {
			own_vector(f, v);
			v->ts = now;
		}
	}
out:
	return ret;
}

int fstp_enable(struct fstp *f, const struct port_table *pt, bool on, uint64_t now)
{
	unsigned vid, p;

	if (on == f->enabled)
		return 0;
	for (vid = 0; vid < VLAN_NONE; vid++) {
		struct fstp_vlan *v = f->v[vid];

		if (!v)
			continue;
		own_vector(f, v);
		v->ts = now;
		v->tc_until = 0;
		for (p = 0; p < f->nports; p++)
			v->pf[p] &= PF_EDGE;
	}
	f->enabled = on;
	f->enabled_at = now;
	f->hellos = 0;
	return on ? fstp_sync(f, pt, now) : 0;
}

void fstp_rx(struct fstp *f, unsigned port, uint16_t vid, const uint8_t *frame, size_t len,
	     bool tagged, uint64_t now)
{
	struct fstp_vlan *v;
	const uint8_t *b = frame;
	uint8_t vec[VEC_LEN], flags;
	uint64_t cost;
	int cmp;

	if (!f->enabled)
		return;
	f->st.rx++;
	if (tagged) {
		if (len < VLAN_TAGLEN) {
			f->st.rx_bad++;
			return;
		}
		b += VLAN_TAGLEN;
		len -= VLAN_TAGLEN;
	}
	if (len < FSTP_BPDU_MIN || b[B_VERSION] != 2 || b[B_TYPE] != 2) {
		f->st.rx_bad++;
		return;
	}
	v = vid < VLAN_NONE ? f->v[vid] : NULL;
	/* port 0 (management clients) is never a root port: 0 means "we are" */
	if (!v || port == 0 || port >= f->nports ||
	    (v->pf[port] & (PF_MEMBER | PF_EDGE)) != PF_MEMBER) {
		f->st.rx_ignored++;
		return;
	}
	v->pf[port] |= f->hist ? PF_HIST1 : PF_HIST0;
	flags = b[B_FLAGS];
	memcpy(vec, b + B_VEC, VEC_LEN);
	cost = (uint64_t)vec[VEC_COST] << 24 | (uint64_t)vec[VEC_COST + 1] << 16 |
	       (uint64_t)vec[VEC_COST + 2] << 8 | vec[VEC_COST + 3];
	cost += FSTP_PORT_COST;
	if (port == v->bonusport)
		cost = cost > v->bonuscost ? cost - v->bonuscost : 0;
	if (cost > 0xffffffffULL)
		cost = 0xffffffffULL;
	vec[VEC_COST] = (uint8_t)(cost >> 24);
	vec[VEC_COST + 1] = (uint8_t)(cost >> 16);
	vec[VEC_COST + 2] = (uint8_t)(cost >> 8);
	vec[VEC_COST + 3] = (uint8_t)cost;
	cmp = memcmp(vec, v->vec, VEC_LEN);
	if (v->rootport && port == v->rootport) {
		if (cmp) {
			bool newroot = memcmp(vec, v->vec, FSTP_ID_LEN) != 0;

			memcpy(v->vec, vec, VEC_LEN);
			if (newroot)
				log_root(f, vid, v);
			send_bpdu(f, vid, v, port, true, false, now);
		}
		v->ts = now;
	} else if (cmp < 0) {
		new_root_port(f, vid, v, port, vec, now);
	} else if (!memcmp(vec, v->vec, FSTP_ID_LEN)) {
		/* same root, not better: who is designated on this link? */
		if ((flags & FSTP_F_ROLEMASK) == FSTP_F_NOTBACKUP) {
			if (set_backup(f, vid, v, port, false, false))
				topology_change(f, vid, v, 0, now);
		} else {
			set_backup(f, vid, v, port, true, false);
		}
	} else {
		/* a worse root: the sender lost its way to the root; tell it
		 * ours, and forget the stations learned through it (VDE 2 may
		 * send no TC for this) */
		send_bpdu(f, vid, v, port, false, false, now);
		if (f->ops.flush)
			f->ops.flush(f->arg, vid);
	}
	if ((flags & FSTP_F_TC) && (v->pf[port] & PF_BACKUP)) {
		if (f->ops.flush)
			f->ops.flush(f->arg, vid);	/* not passed on: off the tree */
	} else if (flags & FSTP_F_TC) {
		topology_change(f, vid, v, port, now);
	}
}

void fstp_tick(struct fstp *f, uint64_t now)
{
	bool rotate;
	unsigned vid, p;
	uint8_t cur;

	if (!f->enabled)
		return;
	f->hellos++;
	rotate = f->hellos % FSTP_HIST_HELLOS == 0;
	cur = f->hist ? PF_HIST0 : PF_HIST1;	/* the window about to start */
	for (vid = 0; vid < VLAN_NONE; vid++) {
		struct fstp_vlan *v = f->v[vid];
		bool changed = false;

		if (!v)
			continue;
		if (v->rootport && now > v->ts &&
		    now - v->ts > FSTP_MAXAGE * FSTP_HELLO_NS)
			become_root(f, vid, v, now);
		if (rotate) {
			for (p = 0; p < f->nports; p++) {
				v->pf[p] &= (uint8_t)~cur;
				if ((v->pf[p] & (PF_MEMBER | PF_BACKUP)) ==
				    (PF_MEMBER | PF_BACKUP) && !(v->pf[p] & PF_HIST))
					changed |= set_backup(f, vid, v, p, false, false);
			}
			if (changed)
				topology_change(f, vid, v, 0, now);
		}
		for (p = 0; p < f->nports; p++)
			send_bpdu(f, vid, v, p, true, false, now);
	}
	if (rotate)
		f->hist ^= 1;
}

bool fstp_forwarding(const struct fstp *f, uint16_t vid, unsigned port)
{
	const struct fstp_vlan *v;

	if (!f || !f->enabled || vid >= VLAN_NONE)
		return true;
	v = f->v[vid];
	return !v || port >= f->nports || !(v->pf[port] & PF_BACKUP);
}

const char *fstp_status(const struct fstp *f, uint16_t vid, unsigned port)
{
	return fstp_forwarding(f, vid, port) ? "Forwarding" : "Discarding";
}

static int settings_vlan(struct fstp *f, long long vid, long long port, struct fstp_vlan **v)
{
	if (vid < 0 || vid >= VLAN_NONE || port < 0 || port >= PORT_MAX_NUMPORTS + 1)
		return EINVAL;
	if (ensure_ports(f, (unsigned)port + 1) < 0)
		return ENOMEM;
	*v = vlan_get(f, (unsigned)vid, f->enabled_at);
	return *v ? 0 : ENOMEM;
}

int fstp_setedge(struct fstp *f, long long vid, long long port, bool edge, uint64_t now)
{
	struct fstp_vlan *v;
	int r = settings_vlan(f, vid, port, &v);

	if (r)
		return r;
	if (edge) {
		v->pf[port] |= PF_EDGE;
		v->pf[port] &= (uint8_t)~PF_HIST;
		if (v->pf[port] & PF_MEMBER)
			set_backup(f, (unsigned)vid, v, (unsigned)port, false, false);
		if ((unsigned)port == v->rootport && f->enabled)
			become_root(f, (unsigned)vid, v, now);
	} else if (v->pf[port] & PF_EDGE) {
		v->pf[port] &= (uint8_t)~PF_EDGE;
		if (f->enabled)
			send_bpdu(f, (unsigned)vid, v, (unsigned)port, false, false, now);
	}
	return 0;
}

int fstp_setbonus(struct fstp *f, long long vid, long long port, long long cost)
{
	struct fstp_vlan *v;
	int r;

	if (cost < 0 || cost > 0xffffffffLL)
		return EINVAL;
	r = settings_vlan(f, vid, port, &v);
	if (r)
		return r;
	v->bonusport = (unsigned)port;
	v->bonuscost = (uint32_t)cost;
	return 0;
}

/* VDE 2 printed "Unknown" for tagged ports (a bug): we print their role. */
static const char *role(const struct fstp *f, const struct fstp_vlan *v, unsigned p)
{
	if (!v || p >= f->nports)
		return "Designated";
	if (v->pf[p] & PF_EDGE)
		return "Edge";
	if (f->enabled && v->rootport && p == v->rootport)
		return "Root";
	return f->enabled && (v->pf[p] & PF_BACKUP) ? "Alternate/Backup" : "Designated";
}

/**
 * fstp_info() - see fstp.h
 */
void fstp_info(const struct fstp *f, uint16_t vid, uint64_t now, struct fstp_info *fi)
{
	const struct fstp_vlan *v = vid < VLAN_NONE ? f->v[vid] : NULL;
	static const uint8_t none[FSTP_ID_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	const uint8_t *root = f->id, *des = none;

	memset(fi, 0, sizeof(*fi));
	if (v) {
		fi->bonusport = v->bonusport;
		fi->bonuscost = v->bonuscost;
	}
	if (v && f->enabled) {
		root = v->vec;
		if (v->rootport)
			des = v->vec + VEC_BRIDGE;
		fi->rootport = v->rootport;
		fi->cost = (uint32_t)v->vec[VEC_COST] << 24 | (uint32_t)v->vec[VEC_COST + 1] << 16 |
			   (uint32_t)v->vec[VEC_COST + 2] << 8 | v->vec[VEC_COST + 3];
		fi->age = now > v->ts ? (now - v->ts) / FSTP_NSEC : 0;
	} else if (f->enabled) {
		fi->age = now > f->enabled_at ? (now - f->enabled_at) / FSTP_NSEC : 0;
	}
	memcpy(fi->root, root, FSTP_ID_LEN);
	memcpy(fi->designated, des, FSTP_ID_LEN);
}

/**
 * fstp_role() - see fstp.h
 */
const char *fstp_role(const struct fstp *f, uint16_t vid, unsigned port)
{
	return role(f, vid < VLAN_NONE ? f->v[vid] : NULL, port);
}

void fstp_print(const struct fstp *f, const struct port_table *pt, FILE *out, uint16_t vid,
		uint64_t now)
{
	struct fstp_info fi;
	char b1[24], b2[24];
	unsigned p;

	fstp_info(f, vid, now, &fi);
	fprintf(out, "FST DATA VLAN %04u %s %s\n", vid, fi.rootport ? "" : "ROOTSWITCH",
		f->enabled ? "" : "FSTP IS DISABLED");
	fprintf(out, " ++ root %s\n", fstp_id_str(fi.root, b1));
	fprintf(out, " ++ designated %s\n", fstp_id_str(fi.designated, b2));
	fprintf(out, " ++ rootport %04u cost %u age %llu bonusport %04u bonuscost %u\n",
		fi.rootport, fi.cost, (unsigned long long)fi.age, fi.bonusport, fi.bonuscost);
	for (p = 0; p < pt->nslots; p++)
		if (port_active(pt, p) && port_vlan_member(&pt->v[p], vid))
			fprintf(out, " -- Port %04u tagged=%d portcost=%u role=%s\n", p,
				pt->v[p].untagged_vlan != vid, FSTP_PORT_COST, fstp_role(f, vid, p));
}
