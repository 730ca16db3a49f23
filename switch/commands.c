// SPDX-License-Identifier: GPL-2.0-or-later
/* switch/commands.c - the switch's console commands (ds/, hash/, fstp/, port/, vlan/)
 *
 * Registered with the shared console server (lib/common/console.c), which
 * owns the protocol bytes, the builtins (help, logout, shutdown, load,
 * debug/...) and line handling. Output formats are VDE 2.3.2's byte for
 * byte (docs/protocol.md, "Console protocol"; vde_switch(1)) except where VDE 2 was wrong: hash/find prints
 * the true port. Numbers are parsed strictly (parse_num): "4x" is 1022.
 * port/stats is ours: every drop counter; so are port/settrunk (a port in
 * every VLAN, tagged), port/setmirror and port/delmirror (mirror.h) and
 * the vlan/drop debug category (tag 051: VDE 2's 041 is fstp/+). The
 * fstp/ commands drive fstp.c; changes of ports and VLANs reach FSTP and
 * the MAC table through topology.h, and endpoints through endpoint.h
 * (port/epclose): this file only parses, calls and prints.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "console.h"
#include "ether.h"
#include "log.h"
#include "loop.h"
#include "parse.h"
#include "switch.h"
#include "endpoint.h"
#include "commands.h"
#include "topology.h"
#include "vlan.h"

#define MAXARGS 4

/* Split @args into at most MAXARGS blank-separated words (copied to @buf).
 * Returns the number of words, or -1 if there are more. */
static int split(const char *args, char *buf, size_t bufsz, char *w[MAXARGS])
{
	char *save = NULL, *t;
	int n = 0;

	snprintf(buf, bufsz, "%s", args ? args : "");
	for (t = strtok_r(buf, " \t\r\n", &save); t; t = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == MAXARGS)
			return -1;
		w[n++] = t;
	}
	return n;
}

static int num(const char *s, long long min, long long max, long long *v)
{
	const char *err = NULL;

	*v = parse_num(s, min, max, &err);
	return err ? -1 : 0;
}

/* A port number of this switch, 0..numports-1 (beyond: EINVAL, as VDE 2). */
static int port_num(const struct sw *sw, const char *s, long long *v)
{
	return num(s, 0, (long long)sw->pt.nslots - 1, v);
}

/* Parse "N" (exactly one number in [min,max]). */
static int one_num(const char *args, long long min, long long max, long long *v)
{
	char buf[256], *w[MAXARGS];

	if (split(args, buf, sizeof(buf), w) != 1)
		return -1;
	return num(w[0], min, max, v);
}

static const char *user_name(uid_t u, char *buf, size_t len)
{
	struct passwd *pw;

	if (u == PORT_NOUSER)
		return "NONE";
	pw = getpwuid(u);
	if (pw)
		return pw->pw_name;
	snprintf(buf, len, "%u", (unsigned)u);
	return buf;
}

static const char *group_name(gid_t g, char *buf, size_t len)
{
	struct group *gr;

	if (g == PORT_NOGROUP)
		return "NONE";
	gr = getgrgid(g);
	if (gr)
		return gr->gr_name;
	snprintf(buf, len, "%u", (unsigned)g);
	return buf;
}

/* ------------------------------------------------------------------ */

static int cmd_ds_showinfo(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;

	fprintf(out, "ctl dir %s\n", sw->ctl_dir);
	fprintf(out, "std mode %04o\n", (unsigned)sw->mode);
	return 0;
}

static int cmd_showinfo(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;

	fprintf(out, "%s\n", SW_BANNER);
	fprintf(out, "pid %d MAC " MAC_FMT " uptime %llu\n", (int)getpid(), MAC_ARGS(sw->mac),
		(unsigned long long)((loop_now_ns() - sw->start_ns) / FDB_NSEC));
	if (sw->mgmt_path)
		fprintf(out, "mgmt %s perm %04o\n", sw->mgmt_path, (unsigned)sw->mgmt_mode);
	return 0;
}

/* ---- hash/ ---- */

static int cmd_hash_showinfo(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;

	fprintf(out, "Hash size %zu\n", sw->fdb.nbuckets);
	fprintf(out, "GC interval %llu secs\n", (unsigned long long)(sw->gcint / FDB_NSEC));
	fprintf(out, "GC expire %llu secs\n", (unsigned long long)(sw->fdb.expire / FDB_NSEC));
	fprintf(out, "Min persistence %llu secs\n",
		(unsigned long long)(sw->fdb.minper / FDB_NSEC));
	return 0;
}

static int cmd_hash_setsize(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	long long v;

	if (one_num(args, 1, 1 << 20, &v))
		return EINVAL;
	if (fdb_roundup((size_t)v) != (size_t)v)
		log_warn("hash size %lld rounded up to %zu", v, fdb_roundup((size_t)v));
	return fdb_resize(&sw->fdb, (size_t)v) ? errno : 0;
}

static int cmd_hash_setgcint(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	long long v;

	if (one_num(args, 1, 86400, &v))
		return EINVAL;
	sw->gcint = (uint64_t)v * FDB_NSEC;
	if (sw->gc_timer > 0)
		loop_timer_rearm(sw->loop, sw->gc_timer, sw->gcint);
	return 0;
}

static int cmd_hash_setexpire(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	long long v;

	if (one_num(args, 0, 365LL * 86400, &v))
		return EINVAL;
	sw->fdb.expire = (uint64_t)v * FDB_NSEC;
	fdb_expire(&sw->fdb, loop_now_ns());
	return 0;
}

static int cmd_hash_setminper(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	long long v;

	if (one_num(args, 0, 365LL * 86400, &v))
		return EINVAL;
	sw->fdb.minper = (uint64_t)v * FDB_NSEC;
	return 0;
}

struct hash_print {
	FILE *out;
	uint64_t now;
};

static void print_entry(FILE *out, size_t bucket, const struct fdb_entry *e, uint64_t now)
{
	uint64_t age = now > e->last_seen ? (now - e->last_seen) / FDB_NSEC : 0;

	fprintf(out, "Hash: %04zu Addr: " MAC_FMT " VLAN %04u to port: %03u  age %llu secs\n",
		bucket, MAC_ARGS(e->mac), e->vlan, e->port, (unsigned long long)age);
}

static void hash_print_cb(void *arg, size_t bucket, const struct fdb_entry *e)
{
	struct hash_print *hp = arg;

	print_entry(hp->out, bucket, e, hp->now);
}

static int cmd_hash_print(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	struct hash_print hp = { out, loop_now_ns() };

	fdb_expire(&sw->fdb, hp.now);
	fdb_foreach(&sw->fdb, hash_print_cb, &hp);
	return 0;
}

struct hash_find {
	const struct fdb_entry *e;
	size_t bucket;
};

static void hash_find_cb(void *arg, size_t bucket, const struct fdb_entry *e)
{
	struct hash_find *hf = arg;

	if (e == hf->e)
		hf->bucket = bucket;
}

static int cmd_hash_find(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	char buf[256], *w[MAXARGS];
	struct hash_find hf = { 0 };
	long long vlan = 0;
	uint8_t mac[6];
	uint64_t now = loop_now_ns();
	int n = split(args, buf, sizeof(buf), w);

	if (n < 1 || n > 2 || parse_mac(w[0], mac) < 0 ||
	    (n == 2 && num(w[1], 0, 4094, &vlan)))
		return EINVAL;
	fdb_expire(&sw->fdb, now);
	hf.e = fdb_find(&sw->fdb, mac, (uint16_t)vlan);
	if (!hf.e)
		return ENODEV;
	fdb_foreach(&sw->fdb, hash_find_cb, &hf);
	print_entry(out, hf.bucket, hf.e, now);
	return 0;
}

/* ---- fstp/ ---- */

static int cmd_fstp_showinfo(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;

	fprintf(out, "MAC " MAC_FMT " Priority %u (0x%x)\n", MAC_ARGS(sw->mac), sw->priority,
		sw->priority);
	fprintf(out, "FSTP=%s\n", sw->fstp.enabled ? "true" : "false");
	return 0;
}

static int cmd_fstp_setfstp(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	long long v;

	if (one_num(args, 0, 1, &v))
		return EINVAL;
	if (sw->pt.hub) {
		fprintf(out, "Can't use fstp in hub mode\n");
		return 0;
	}
	return fstp_enable(&sw->fstp, &sw->pt, v, loop_now_ns()) ? ENOMEM : 0;
}

/* Parse "VLAN PORT N" with N in [min, max]. */
static int vlan_port_num(struct sw *sw, const char *args, long long max, long long *vid,
			 long long *port, long long *n)
{
	char buf[256], *w[MAXARGS];

	if (split(args, buf, sizeof(buf), w) != 3 || num(w[0], 0, VLAN_NONE - 1, vid) ||
	    num(w[1], 0, PORT_MAX_NUMPORTS, port) || num(w[2], 0, max, n))
		return EINVAL;
	if (*port >= sw->pt.nslots)
		return EINVAL;		/* as VDE 2 */
	if (!vlan_exists(&sw->pt, *vid))
		return ENXIO;
	return 0;
}

static int cmd_fstp_setedge(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	long long vid, port, v;
	int r = vlan_port_num(sw, args, 1, &vid, &port, &v);

	if (!r)
		r = fstp_setedge(&sw->fstp, vid, port, v, loop_now_ns());
	return r;
}

static int cmd_fstp_bonus(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	long long vid, port, v;
	int r = vlan_port_num(sw, args, 0xffffffffLL, &vid, &port, &v);

	if (!r)
		r = fstp_setbonus(&sw->fstp, vid, port, v);
	return r;
}

static int cmd_fstp_print(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	uint64_t now = loop_now_ns();
	unsigned v;
	long long n;

	if (args && *args) {
		if (one_num(args, 0, VLAN_NONE - 1, &n))
			return EINVAL;
		if (!vlan_exists(&sw->pt, n))
			return ENXIO;
		fstp_print(&sw->fstp, &sw->pt, out, (uint16_t)n, now);
		return 0;
	}
	for (v = 0; v < VLAN_NONE; v++)
		if (vlan_exists(&sw->pt, v))
			fstp_print(&sw->fstp, &sw->pt, out, (uint16_t)v, now);
	return 0;
}

/* ---- port/ ---- */

static int cmd_port_showinfo(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;

	fprintf(out, "Numports=%u\n", port_numports(&sw->pt));
	fprintf(out, "HUB=%s\n", sw->pt.hub ? "true" : "false");
	fprintf(out, "counters=true\n");
	return 0;
}

static int cmd_port_setnumports(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	unsigned i;
	long long v;
	int r;

	if (one_num(args, 1, PORT_MAX_NUMPORTS, &v))
		return EINVAL;
	for (i = (unsigned)v + 1; i < sw->pt.nslots; i++)
		if (sw->pt.v[i].exists || sw->pt.v[i].nep)
			return EADDRINUSE;
	r = port_table_resize(&sw->pt, (unsigned)v);
	if (!r)
		topo_sync(sw);
	return r;
}

static int cmd_port_sethub(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	long long v;

	if (one_num(args, 0, 1, &v))
		return EINVAL;
	sw->pt.hub = v;
	if (v) {
		fdb_flush(&sw->fdb);
		fstp_enable(&sw->fstp, &sw->pt, false, loop_now_ns());	/* as VDE 2 */
	}
	return 0;
}

static int cmd_port_createauto(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	unsigned p = 0;
	int r = port_createauto(&sw->pt, &p);

	if (!r)
		fprintf(out, "Port %04u\n", p);
	return r;
}

static int cmd_port_create(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	long long v;

	if (one_num(args, 0, (long long)sw->pt.nslots - 1, &v))
		return EINVAL;		/* beyond numports: EINVAL, as VDE 2 */
	return port_create(&sw->pt, (unsigned)v);
}

static int cmd_port_remove(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	long long v;
	int r;

	if (one_num(args, 0, (long long)sw->pt.nslots - 1, &v))
		return EINVAL;
	r = port_remove(&sw->pt, (unsigned)v);
	if (!r)
		mirror_forget_port(&sw->mirror, (unsigned)v);
	return r;
}

/* Parse "N X" where N is an existing port; X is returned as a string. */
static int port_and_word(struct sw *sw, const char *args, char *buf, size_t len,
			 unsigned *p, char **word)
{
	char *w[MAXARGS];
	long long v;

	if (split(args, buf, len, w) != 2 || port_num(sw, w[0], &v))
		return EINVAL;
	if (!sw->pt.v[v].exists)
		return ENXIO;
	*p = (unsigned)v;
	*word = w[1];
	return 0;
}

static int cmd_port_allocatable(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	char buf[256], *w;
	long long v;
	unsigned p;
	int r = port_and_word(sw, args, buf, sizeof(buf), &p, &w);

	if (r)
		return r;
	if (num(w, 0, 1, &v))
		return EINVAL;
	sw->pt.v[p].allocatable = v;
	return 0;
}

static int cmd_port_setuser(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	char buf[256], *w;
	uid_t uid;
	unsigned p;
	int r = port_and_word(sw, args, buf, sizeof(buf), &p, &w);

	if (r)
		return r;
	if (!strcmp(w, "NONE") || !strcmp(w, "ANY"))
		uid = PORT_NOUSER;
	else if (parse_user(w, &uid) < 0)
		return EINVAL;
	sw->pt.v[p].acl_user = uid;
	return 0;
}

static int cmd_port_setgroup(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	char buf[256], *w;
	gid_t gid;
	unsigned p;
	int r = port_and_word(sw, args, buf, sizeof(buf), &p, &w);

	if (r)
		return r;
	if (!strcmp(w, "NONE") || !strcmp(w, "ANY"))
		gid = PORT_NOGROUP;
	else if (parse_group(w, &gid) < 0)
		return EINVAL;
	sw->pt.v[p].acl_group = gid;
	return 0;
}

static int cmd_port_epclose(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	char buf[256], *w[MAXARGS];
	long long p, id;

	if (split(args, buf, sizeof(buf), w) != 2 || port_num(sw, w[0], &p) ||
	    num(w[1], 0, 1 << 30, &id))
		return EINVAL;
	return ep_close_id(sw, (unsigned)p, (int)id);
}

static int cmd_port_resetcounter(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	char buf[256], *w[MAXARGS];
	unsigned p;
	long long v;
	int n = split(args, buf, sizeof(buf), w);

	if (n == 0) {
		for (p = 0; p < sw->pt.nslots; p++)
			memset(&sw->pt.v[p].c, 0, sizeof(sw->pt.v[p].c));
		memset(&sw->fwd.st, 0, sizeof(sw->fwd.st));
		memset(&sw->drops, 0, sizeof(sw->drops));
		mirror_reset_counters(&sw->mirror, -1);
		return 0;
	}
	if (n != 1 || port_num(sw, w[0], &v))
		return EINVAL;
	memset(&sw->pt.v[v].c, 0, sizeof(sw->pt.v[v].c));
	mirror_reset_counters(&sw->mirror, v);
	return 0;
}

/* ---- port mirroring (mirror.c holds the rules) ---- */

/* port/setmirror MONITOR [SOURCE|vlan=V] */
static int cmd_port_setmirror(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	char buf[256], *w[MAXARGS];
	enum mirror_filter f = MIRROR_ALL;
	long long mon, arg = 0;
	int n = split(args, buf, sizeof(buf), w), r;

	if (n < 1 || n > 2 || num(w[0], 0, PORT_MAX_NUMPORTS, &mon))
		return EINVAL;
	if (n == 2 && !strncmp(w[1], "vlan=", 5)) {
		f = MIRROR_VLAN;
		if (num(w[1] + 5, 0, VLAN_NONE - 1, &arg))
			return EINVAL;
	} else if (n == 2) {
		f = MIRROR_PORT;
		if (num(w[1], 0, PORT_MAX_NUMPORTS, &arg))
			return EINVAL;
	}
	r = mirror_set(&sw->mirror, &sw->pt, (unsigned)mon, f, (unsigned)arg);
	if (!r)
		fdb_flush_port(&sw->fdb, (uint32_t)mon);	/* no longer an egress */
	return r;
}

static int cmd_port_delmirror(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	long long v;

	if (one_num(args, 0, PORT_MAX_NUMPORTS, &v))
		return EINVAL;
	return mirror_del(&sw->mirror, (unsigned)v);
}

/* "of all frames: pkts N bytes N drops N rxdrops N" */
static void print_mirror(FILE *out, const struct mirror_session *s)
{
	char d[32];

	fprintf(out, "of %s: pkts %llu bytes %llu drops %llu rxdrops %llu\n",
		mirror_describe(s, d, sizeof(d)), (unsigned long long)s->frames,
		(unsigned long long)s->bytes, (unsigned long long)s->drops,
		(unsigned long long)s->rxdrops);
}

/* ---- VLANs (vlan.c holds the rules) ---- */

/* Parse exactly two numbers (each 0..65535; the VLAN code checks ranges). */
static int two_nums(const char *args, long long *a, long long *b)
{
	char buf[256], *w[MAXARGS];

	if (split(args, buf, sizeof(buf), w) != 2 || num(w[0], 0, 65535, a) ||
	    num(w[1], 0, 65535, b))
		return -1;
	return 0;
}

static int cmd_port_setvlan(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	long long p, v;
	int r;

	if (two_nums(args, &p, &v))
		return EINVAL;
	r = vlan_setport(&sw->pt, p, v);
	if (!r) {
		fdb_flush_port(&sw->fdb, (uint32_t)p);
		topo_sync(sw);
	}
	return r;
}

static int cmd_port_settrunk(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	long long p, v;

	if (two_nums(args, &p, &v) || v > 1 || p >= sw->pt.nslots)
		return EINVAL;
	if (!sw->pt.v[p].exists)
		return ENXIO;
	sw->pt.v[p].trunk = v;
	fdb_flush_port(&sw->fdb, (uint32_t)p);
	topo_sync(sw);
	return 0;
}

static int cmd_vlan_create(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	long long v;
	int r;

	if (one_num(args, 0, 65535, &v))
		return EINVAL;
	r = vlan_create(&sw->pt, v);
	if (!r)
		topo_sync(sw);
	return r;
}

static int cmd_vlan_remove(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	long long v;
	int r;

	if (!args || !*args)
		return ENXIO;	/* as VDE 2 */
	if (one_num(args, 0, 65535, &v))
		return EINVAL;
	r = vlan_remove(&sw->pt, v);
	if (!r) {
		fdb_flush_vlan(&sw->fdb, (uint16_t)v);
		topo_sync(sw);
	}
	return r;
}

static int cmd_vlan_addport(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	long long v, p;

	int r;

	if (two_nums(args, &v, &p))
		return EINVAL;
	r = vlan_addport(&sw->pt, v, p);
	if (!r)
		topo_sync(sw);
	return r;
}

static int cmd_vlan_delport(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	long long v, p;
	int r;

	if (two_nums(args, &v, &p))
		return EINVAL;
	r = vlan_delport(&sw->pt, v, p);
	if (!r) {
		fdb_flush_port(&sw->fdb, (uint32_t)p);
		topo_sync(sw);
	}
	return r;
}

static void print_vlan(struct sw *sw, FILE *out, unsigned vid, bool all)
{
	unsigned p;

	fprintf(out, "VLAN %04u\n", vid);
	for (p = 0; p < sw->pt.nslots; p++) {
		const struct port *pp = &sw->pt.v[p];

		if (!pp->exists || !(pp->nep || all) || !port_vlan_member(pp, (uint16_t)vid))
			continue;
		fprintf(out, " -- Port %04u tagged=%d active=%d status=%s\n", p,
			pp->untagged_vlan != vid, pp->nep > 0,
			pp->nep ? fstp_status(&sw->fstp, (uint16_t)vid, p) : "Learning");
	}
}

static int vlan_print(struct sw *sw, FILE *out, const char *args, bool all)
{
	unsigned v;
	long long n;

	if (args && *args) {
		/* VDE 2: vlan/allprint refuses VLAN 0, vlan/print does not */
		if (one_num(args, all ? 1 : 0, VLAN_MAX_CREATE, &n))
			return EINVAL;
		if (!vlan_exists(&sw->pt, n))
			return ENXIO;
		print_vlan(sw, out, (unsigned)n, all);
		return 0;
	}
	for (v = 0; v < VLAN_NONE; v++)
		if (vlan_exists(&sw->pt, v))
			print_vlan(sw, out, v, all);
	return 0;
}

static int cmd_vlan_print(void *ctx, FILE *out, const char *args)
{
	return vlan_print(ctx, out, args, false);
}

static int cmd_vlan_allprint(void *ctx, FILE *out, const char *args)
{
	return vlan_print(ctx, out, args, true);
}

static void print_port(struct sw *sw, FILE *out, unsigned p)
{
	const struct port *pp = &sw->pt.v[p];
	const struct endpoint *ep;
	const struct mirror_session *ms;
	char b1[32], b2[32], b3[32];

	fprintf(out, "Port %04u untagged_vlan=%04u %sACTIVE - %sUnnamed Allocatable\n", p,
		pp->untagged_vlan, pp->nep ? "" : "IN", pp->allocatable ? "" : "NOT ");
	fprintf(out, " Current User: %s Access Control: (User: %s - Group: %s)\n",
		user_name(pp->cur_user, b1, sizeof(b1)), user_name(pp->acl_user, b2, sizeof(b2)),
		group_name(pp->acl_group, b3, sizeof(b3)));
	if (pp->trunk)
		fprintf(out, " Trunk: every VLAN tagged\n");
	ms = mirror_find(&sw->mirror, p);
	if (ms) {
		fprintf(out, " Mirror monitor ");
		print_mirror(out, ms);
	}
	fprintf(out, " IN:  pkts %10llu          bytes %20llu\n",
		(unsigned long long)pp->c.in_pkts, (unsigned long long)pp->c.in_bytes);
	fprintf(out, " OUT: pkts %10llu          bytes %20llu\n",
		(unsigned long long)pp->c.out_pkts, (unsigned long long)pp->c.out_bytes);
	for (ep = pp->eps; ep; ep = ep->next)
		fprintf(out, "  -- endpoint ID %04d module %-12s: %s\n", ep->id, ep->ops->kind,
			ep->descr);
}

static int port_print(struct sw *sw, FILE *out, const char *args, bool all)
{
	char buf[256], *w[MAXARGS];
	unsigned p;
	long long v;
	int n = split(args, buf, sizeof(buf), w);

	if (n == 0) {
		for (p = 0; p < sw->pt.nslots; p++)
			if (sw->pt.v[p].nep || (all && sw->pt.v[p].exists))
				print_port(sw, out, p);
		return 0;
	}
	if (n != 1 || port_num(sw, w[0], &v))
		return EINVAL;
	p = (unsigned)v;
	if (!(sw->pt.v[p].nep || (all && sw->pt.v[p].exists)))
		return ENXIO;
	print_port(sw, out, p);
	return 0;
}

static int cmd_port_print(void *ctx, FILE *out, const char *args)
{
	return port_print(ctx, out, args, false);
}

static int cmd_port_allprint(void *ctx, FILE *out, const char *args)
{
	return port_print(ctx, out, args, true);
}

/* port/stats: the port's rates over the last second and 10 seconds */
static void print_rates(struct sw *sw, FILE *out, unsigned p)
{
	static const unsigned win[2] = { 1, 10 };
	double r[RATE_NVAL];
	unsigned i;

	for (i = 0; i < 2; i++) {
		if (!portrate_get(sw, p, win[i] * PORTRATE_TICK_NS, r))
			continue;
		fprintf(out, "  -- rate %us in %.1f pkt/s %.1f B/s out %.1f pkt/s %.1f B/s "
			"drops %.1f/s\n", win[i], r[RATE_IN_PKTS], r[RATE_IN_BYTES],
			r[RATE_OUT_PKTS], r[RATE_OUT_BYTES], r[RATE_DROPS]);
	}
}

static int cmd_port_stats(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	const struct fwd_stats *s = &sw->fwd.st;
	unsigned p;
	long long v = -1;

	if (args && *args && one_num(args, 0, PORT_MAX_NUMPORTS, &v))
		return EINVAL;
	if (v >= (long long)sw->pt.nslots)
		return ENXIO;
	if (v < 0) {
		fprintf(out, "frames %llu unicast %llu flooded %llu pauses %llu\n",
			(unsigned long long)s->frames, (unsigned long long)s->unicast,
			(unsigned long long)s->flooded, (unsigned long long)sw->drops.pauses);
		fprintf(out, "drops runt %llu oversize %llu vlan %llu loop %llu noport %llu "
			"qfull %llu senderr %llu fdbfull %llu ctlrefused %llu empty %llu\n",
			(unsigned long long)s->runt, (unsigned long long)s->oversize,
			(unsigned long long)s->vlan, (unsigned long long)s->loop,
			(unsigned long long)s->noport, (unsigned long long)sw->drops.qfull,
			(unsigned long long)sw->drops.senderr,
			(unsigned long long)sw->fdb.full_drops,
			(unsigned long long)sw->drops.ctl_refused,
			(unsigned long long)sw->drops.empty);
		if (sw->fstp.enabled || sw->fstp.st.rx)
			fprintf(out, "fstp bpdu in %llu out %llu bad %llu ignored %llu "
				"topology changes %llu blocked frames %llu\n",
				(unsigned long long)sw->fstp.st.rx,
				(unsigned long long)sw->fstp.st.tx,
				(unsigned long long)sw->fstp.st.rx_bad,
				(unsigned long long)sw->fstp.st.rx_ignored,
				(unsigned long long)sw->fstp.st.tc,
				(unsigned long long)s->blocked);
	}
	for (p = 0; p < MIRROR_MAX; p++) {
		const struct mirror_session *ms = &sw->mirror.s[p];

		if (!ms->used || (v >= 0 && ms->monitor != (unsigned)v))
			continue;
		fprintf(out, "Mirror to %04u ", ms->monitor);
		print_mirror(out, ms);
	}
	for (p = 0; p < sw->pt.nslots; p++) {
		const struct port *pp = &sw->pt.v[p];
		const struct endpoint *ep;
		unsigned queued = 0;

		if (v >= 0 ? p != (unsigned)v : !pp->exists)
			continue;
		for (ep = pp->eps; ep; ep = ep->next)
			queued += ep->q.frames;
		fprintf(out, "Port %04u in %llu %llu out %llu %llu drop runt %llu oversize %llu "
			"vlan %llu qfull %llu senderr %llu queued %u empty %llu\n", p,
			(unsigned long long)pp->c.in_pkts, (unsigned long long)pp->c.in_bytes,
			(unsigned long long)pp->c.out_pkts, (unsigned long long)pp->c.out_bytes,
			(unsigned long long)pp->c.drop_runt,
			(unsigned long long)pp->c.drop_oversize,
			(unsigned long long)pp->c.drop_vlan,
			(unsigned long long)pp->c.drop_qfull,
			(unsigned long long)pp->c.drop_senderr, queued,
			(unsigned long long)pp->c.drop_empty);
		if (pp->c.super_in || pp->c.super_out || pp->c.super_cut || pp->c.csum_done)
			fprintf(out, "  -- offload super in %llu out %llu cut %llu csum %llu\n",
				(unsigned long long)pp->c.super_in,
				(unsigned long long)pp->c.super_out,
				(unsigned long long)pp->c.super_cut,
				(unsigned long long)pp->c.csum_done);
		print_rates(sw, out, p);
		/* kinds with counters of their own (endpoint.h) */
		for (ep = pp->eps; ep; ep = ep->next)
			if (ep->ops->counters) {
				fprintf(out, "  -- endpoint ID %04d %s:", ep->id, ep->ops->kind);
				ep->ops->counters(ep, out);
				fputc('\n', out);
			}
	}
	return 0;
}

/* the first three go before help and load (sw_commands_register()) */
static const struct console_cmd sw_cmds[] = {
	{ "ds", "============", "DATA SOCKET MENU", NULL, CONSOLE_MENU },
	{ "ds/showinfo", "", "show ds info", cmd_ds_showinfo, CONSOLE_OUTPUT },
	{ "showinfo", "", "show switch version and info", cmd_showinfo, CONSOLE_OUTPUT },
	{ "hash", "============", "HASH TABLE MENU", NULL, CONSOLE_MENU },
	{ "hash/showinfo", "", "show hash info", cmd_hash_showinfo, CONSOLE_OUTPUT },
	{ "hash/setsize", "N", "change hash size", cmd_hash_setsize, 0 },
	{ "hash/setgcint", "N", "change garbage collector interval", cmd_hash_setgcint, 0 },
	{ "hash/setexpire", "N", "change hash entries expire time", cmd_hash_setexpire, 0 },
	{ "hash/setminper", "N", "minimum persistence time", cmd_hash_setminper, 0 },
	{ "hash/print", "", "print the hash table", cmd_hash_print, CONSOLE_OUTPUT },
	{ "hash/find", "MAC [VLAN]", "MAC lookup", cmd_hash_find, CONSOLE_OUTPUT },
	{ "fstp", "============", "FAST SPANNING TREE MENU", NULL, CONSOLE_MENU },
	{ "fstp/showinfo", "", "show fstp info", cmd_fstp_showinfo, CONSOLE_OUTPUT },
	{ "fstp/setfstp", "0/1", "Fast spanning tree protocol 1=ON 0=OFF", cmd_fstp_setfstp,
	  CONSOLE_OUTPUT },
	{ "fstp/setedge", "VLAN PORT 1/0", "Define an edge port for a vlan 1=Y 0=N",
	  cmd_fstp_setedge, 0 },
	{ "fstp/bonus", "VLAN PORT COST", "set the port bonus for a vlan", cmd_fstp_bonus, 0 },
	{ "fstp/print", "[N]", "print fst data for the defined vlan", cmd_fstp_print,
	  CONSOLE_OUTPUT },
	{ "port", "============", "PORT STATUS MENU", NULL, CONSOLE_MENU },
	{ "port/showinfo", "", "show port info", cmd_port_showinfo, CONSOLE_OUTPUT },
	{ "port/setnumports", "N", "set the number of ports", cmd_port_setnumports, 0 },
	{ "port/sethub", "0/1", "1=HUB 0=switch", cmd_port_sethub, 0 },
	{ "port/setvlan", "N VLAN", "set port VLAN (untagged)", cmd_port_setvlan, 0 },
	{ "port/createauto", "",
	  "create a port with an automatically allocated id (inactive|notallocatable)",
	  cmd_port_createauto, CONSOLE_OUTPUT },
	{ "port/create", "N", "create the port N (inactive|notallocatable)", cmd_port_create, 0 },
	{ "port/remove", "N", "remove the port N", cmd_port_remove, 0 },
	{ "port/allocatable", "N 0/1", "Is the port allocatable as unnamed? 1=Y 0=N",
	  cmd_port_allocatable, 0 },
	{ "port/setuser", "N user", "access control: set user", cmd_port_setuser, 0 },
	{ "port/setgroup", "N user", "access control: set group", cmd_port_setgroup, 0 },
	{ "port/epclose", "N ID", "remove the endpoint port N/id ID", cmd_port_epclose, 0 },
	{ "port/resetcounter", "[N]", "reset the port (N) counters", cmd_port_resetcounter, 0 },
	{ "port/print", "[N]", "print the port/endpoint table", cmd_port_print, CONSOLE_OUTPUT },
	{ "port/allprint", "[N]", "print the port/endpoint table (including inactive port)",
	  cmd_port_allprint, CONSOLE_OUTPUT },
	{ "port/stats", "[N]", "print forwarding and drop counters (vdekit)", cmd_port_stats,
	  CONSOLE_OUTPUT },
	{ "port/settrunk", "N 0/1", "1=port carries every VLAN tagged (vdekit)",
	  cmd_port_settrunk, 0 },
	{ "port/setmirror", "N [P|vlan=V]",
	  "copy forwarded frames (of port P / VLAN V) to monitor port N (vdekit)",
	  cmd_port_setmirror, 0 },
	{ "port/delmirror", "N", "stop mirroring to monitor port N (vdekit)",
	  cmd_port_delmirror, 0 },
	{ "vlan", "============", "VLAN MANAGEMENT MENU", NULL, CONSOLE_MENU },
	{ "vlan/create", "N", "create the VLAN with tag N", cmd_vlan_create, 0 },
	{ "vlan/remove", "N", "remove the VLAN with tag N", cmd_vlan_remove, 0 },
	{ "vlan/addport", "N PORT", "add port to the vlan N (tagged)", cmd_vlan_addport, 0 },
	{ "vlan/delport", "N PORT", "add port to the vlan N (tagged)", cmd_vlan_delport, 0 },
	{ "vlan/print", "[N]", "print the list of defined vlan", cmd_vlan_print, CONSOLE_OUTPUT },
	{ "vlan/allprint", "[N]", "print the list of defined vlan (including inactive port)",
	  cmd_vlan_allprint, CONSOLE_OUTPUT },
};

static const struct console_debug_cat sw_debug[] = {
	{ "hash/+", TOPO_DBG_HASH_ADD, "hash: new element" },
	{ "hash/-", TOPO_DBG_HASH_DEL, "hash: discarded element" },
	{ "fstp/status", FSTP_DBG_STATUS, "fstp: status change" },
	{ "fstp/root", FSTP_DBG_ROOT, "fstp: rootswitch/port change" },
	{ "fstp/+", FSTP_DBG_PLUS, "fstp: port becomes active" },
	{ "fstp/-", FSTP_DBG_MINUS, "fstp: port becomes inactive" },
	{ "port/+", 021, "new port" },
	{ "port/-", 022, "closed port" },
	{ "port/descr", 023, "set port description" },
	{ "port/ep/+", 031, "new endpoint" },
	{ "port/ep/-", 032, "closed endpoint" },
	{ "vlan/drop", TOPO_DBG_VLANDROP, "frame dropped: ingress port not in its VLAN (vdekit)" },
};

/**
 * sw_commands_register() - add the switch's commands and debug categories
 * to its console. 0 or -1.
 */
int sw_commands_register(struct sw *sw)
{
	/* VDE 2's order in help: ds, ds/showinfo, help, logout, shutdown,
	 * showinfo, load, debug..., then the rest */
	if (console_add_cmds(sw->con, sw_cmds + 3, sizeof(sw_cmds) / sizeof(sw_cmds[0]) - 3) < 0 ||
	    console_add_cmds_before(sw->con, "help", sw_cmds, 2) < 0 ||
	    console_add_cmds_before(sw->con, "load", sw_cmds + 2, 1) < 0 ||
	    console_add_debug(sw->con, sw_debug, sizeof(sw_debug) / sizeof(sw_debug[0])) < 0 ||
	    capture_commands_register(sw) < 0 || plugins_register(sw) < 0 ||
	    sw_json_register(sw) < 0 || portrate_start(sw) < 0)
		return -1;
	return 0;
}
