// SPDX-License-Identifier: GPL-2.0-or-later
/* switch/cmdjson.c - the JSON forms (-j CMD, vdecmd -j) of the switch's
 * console commands: showinfo, port/print, port/allprint, port/stats,
 * hash/print, vlan/print, vlan/allprint, fstp/print (debug/list is the
 * console's own, port/capture is capture.c's)
 *
 * Each form takes the same arguments and fails with the same codes as the
 * text command (commands.c), and prints one JSON object: numbers are JSON
 * numbers, MACs and names strings, absent values null. The field names are
 * documented in vde_switch(1), JSON OUTPUT, and are stable: new fields may
 * be added, none renamed or removed. The text forms are untouched.
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
#include "json.h"
#include "loop.h"
#include "parse.h"
#include "switch.h"
#include "commands.h"
#include "portrate.h"
#include "vlan.h"

static void j_mac(struct json *j, const char *key, const uint8_t *m)
{
	char b[24];

	snprintf(b, sizeof(b), MAC_FMT, MAC_ARGS(m));
	json_str(j, key, b);
}

static void j_user(struct json *j, const char *key, uid_t u)
{
	struct passwd *pw;

	if (u == PORT_NOUSER) {
		json_null(j, key);
		return;
	}
	pw = getpwuid(u);
	if (pw)
		json_str(j, key, pw->pw_name);
	else
		json_u64(j, key, u);
}

static void j_group(struct json *j, const char *key, gid_t g)
{
	struct group *gr;

	if (g == PORT_NOGROUP) {
		json_null(j, key);
		return;
	}
	gr = getgrgid(g);
	if (gr)
		json_str(j, key, gr->gr_name);
	else
		json_u64(j, key, g);
}

/* An optional single number argument in [min, max]; -1 if none. Blanks
 * around it are those between the words of the text forms (commands.c). */
static int j_arg(const char *args, long long min, long long max, long long *v)
{
	static const char blank[] = " \t\r\n";
	const char *errstr = NULL;
	char buf[32];
	size_t n;

	*v = -1;
	args += strspn(args, blank);
	n = strlen(args);
	while (n && strchr(blank, args[n - 1]))
		n--;
	if (!n)
		return 0;
	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, args, n);
	buf[n] = '\0';
	*v = parse_num(buf, min, max, &errstr);
	return errstr ? -1 : 0;
}

static int j_showinfo(void *ctx, struct json *j, const char *args)
{
	struct sw *sw = ctx;

	(void)args;
	json_obj(j, NULL);
	json_str(j, "version", "2.3.2");
	json_i64(j, "pid", (int64_t)getpid());
	j_mac(j, "mac", sw->mac);
	json_u64(j, "uptime", (loop_now_ns() - sw->start_ns) / FDB_NSEC);
	json_u64(j, "numports", port_numports(&sw->pt));
	json_bool(j, "hub", sw->pt.hub);
	json_bool(j, "fstp", sw->fstp.enabled);
	json_str(j, "ctl_dir", sw->ctl_dir);
	if (sw->mgmt_path) {
		json_str(j, "mgmt", sw->mgmt_path);
		json_u64(j, "mgmt_mode", sw->mgmt_mode);
	} else {
		json_null(j, "mgmt");
		json_null(j, "mgmt_mode");
	}
	json_obj_end(j);
	return 0;
}

static void j_mirror(struct json *j, const char *key, const struct mirror_session *s)
{
	json_obj(j, key);
	json_u64(j, "monitor", s->monitor);
	json_str(j, "filter", s->filter == MIRROR_PORT ? "port" :
			      s->filter == MIRROR_VLAN ? "vlan" : "all");
	if (s->filter == MIRROR_PORT)
		json_u64(j, "source_port", s->src);
	if (s->filter == MIRROR_VLAN)
		json_u64(j, "vlan", s->vid);
	json_u64(j, "pkts", s->frames);
	json_u64(j, "bytes", s->bytes);
	json_u64(j, "drops", s->drops);
	json_u64(j, "rxdrops", s->rxdrops);
	json_obj_end(j);
}

static void j_port(struct sw *sw, struct json *j, unsigned p)
{
	const struct port *pp = &sw->pt.v[p];
	const struct mirror_session *ms = mirror_find(&sw->mirror, p);
	const struct endpoint *ep;

	json_obj(j, NULL);
	json_u64(j, "port", p);
	if (pp->untagged_vlan == VLAN_NONE)
		json_null(j, "untagged_vlan");
	else
		json_u64(j, "untagged_vlan", pp->untagged_vlan);
	json_bool(j, "active", pp->nep > 0);
	json_bool(j, "allocatable", pp->allocatable);
	json_bool(j, "trunk", pp->trunk);
	j_user(j, "user", pp->cur_user);
	j_user(j, "acl_user", pp->acl_user);
	j_group(j, "acl_group", pp->acl_group);
	json_u64(j, "in_pkts", pp->c.in_pkts);
	json_u64(j, "in_bytes", pp->c.in_bytes);
	json_u64(j, "out_pkts", pp->c.out_pkts);
	json_u64(j, "out_bytes", pp->c.out_bytes);
	if (ms)
		j_mirror(j, "mirror", ms);
	json_arr(j, "endpoints");
	for (ep = pp->eps; ep; ep = ep->next) {
		json_obj(j, NULL);
		json_i64(j, "id", ep->id);
		json_str(j, "kind", ep->ops->kind);
		json_str(j, "descr", ep->descr);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
}

static int j_port_print(struct sw *sw, struct json *j, const char *args, bool all)
{
	unsigned p;
	long long v;

	/* beyond numports: EINVAL, as port/print (commands.c, VDE 2) */
	if (j_arg(args, 0, (long long)sw->pt.nslots - 1, &v) < 0)
		return EINVAL;
	if (v >= 0 && !(sw->pt.v[v].nep || (all && sw->pt.v[v].exists)))
		return ENXIO;
	json_obj(j, NULL);
	json_arr(j, "ports");
	for (p = 0; p < sw->pt.nslots; p++) {
		if (v >= 0 && p != (unsigned)v)
			continue;
		if (sw->pt.v[p].nep || (all && sw->pt.v[p].exists))
			j_port(sw, j, p);
	}
	json_arr_end(j);
	json_obj_end(j);
	return 0;
}

static int j_port_printa(void *ctx, struct json *j, const char *args)
{
	return j_port_print(ctx, j, args, false);
}

static int j_port_allprint(void *ctx, struct json *j, const char *args)
{
	return j_port_print(ctx, j, args, true);
}

static void j_rate(struct json *j, const char *key, const struct sw *sw, unsigned p,
		   uint64_t win)
{
	double r[RATE_NVAL];

	if (!portrate_get(sw, p, win, r)) {
		json_null(j, key);
		return;
	}
	json_obj(j, key);
	json_dbl(j, "in_pkts", r[RATE_IN_PKTS]);
	json_dbl(j, "in_bytes", r[RATE_IN_BYTES]);
	json_dbl(j, "out_pkts", r[RATE_OUT_PKTS]);
	json_dbl(j, "out_bytes", r[RATE_OUT_BYTES]);
	json_dbl(j, "drops", r[RATE_DROPS]);
	json_obj_end(j);
}

static int j_port_stats(void *ctx, struct json *j, const char *args)
{
	struct sw *sw = ctx;
	const struct fwd_stats *s = &sw->fwd.st;
	unsigned p;
	long long v;

	if (j_arg(args, 0, PORT_MAX_NUMPORTS, &v) < 0)
		return EINVAL;
	if (v >= (long long)sw->pt.nslots)
		return ENXIO;
	json_obj(j, NULL);
	if (v < 0) {
		json_obj(j, "switch");
		json_u64(j, "frames", s->frames);
		json_u64(j, "unicast", s->unicast);
		json_u64(j, "flooded", s->flooded);
		json_u64(j, "pauses", sw->drops.pauses);
		json_obj(j, "drops");
		json_u64(j, "runt", s->runt);
		json_u64(j, "oversize", s->oversize);
		json_u64(j, "vlan", s->vlan);
		json_u64(j, "loop", s->loop);
		json_u64(j, "noport", s->noport);
		json_u64(j, "qfull", sw->drops.qfull);
		json_u64(j, "senderr", sw->drops.senderr);
		json_u64(j, "fdbfull", sw->fdb.full_drops);
		json_u64(j, "ctlrefused", sw->drops.ctl_refused);
		json_u64(j, "empty", sw->drops.empty);
		json_obj_end(j);
		json_obj(j, "fstp");
		json_u64(j, "bpdu_in", sw->fstp.st.rx);
		json_u64(j, "bpdu_out", sw->fstp.st.tx);
		json_u64(j, "bad", sw->fstp.st.rx_bad);
		json_u64(j, "ignored", sw->fstp.st.rx_ignored);
		json_u64(j, "topology_changes", sw->fstp.st.tc);
		json_u64(j, "blocked", s->blocked);
		json_obj_end(j);
		json_obj_end(j);
	}
	json_arr(j, "mirrors");
	for (p = 0; p < MIRROR_MAX; p++) {
		const struct mirror_session *ms = &sw->mirror.s[p];

		if (ms->used && (v < 0 || ms->monitor == (unsigned)v))
			j_mirror(j, NULL, ms);
	}
	json_arr_end(j);
	json_arr(j, "ports");
	for (p = 0; p < sw->pt.nslots; p++) {
		const struct port *pp = &sw->pt.v[p];
		const struct endpoint *ep;
		uint64_t queued = 0;

		if (v >= 0 ? p != (unsigned)v : !pp->exists)
			continue;
		for (ep = pp->eps; ep; ep = ep->next)
			queued += ep->q.frames;
		json_obj(j, NULL);
		json_u64(j, "port", p);
		json_u64(j, "in_pkts", pp->c.in_pkts);
		json_u64(j, "in_bytes", pp->c.in_bytes);
		json_u64(j, "out_pkts", pp->c.out_pkts);
		json_u64(j, "out_bytes", pp->c.out_bytes);
		json_obj(j, "drops");
		json_u64(j, "runt", pp->c.drop_runt);
		json_u64(j, "oversize", pp->c.drop_oversize);
		json_u64(j, "vlan", pp->c.drop_vlan);
		json_u64(j, "qfull", pp->c.drop_qfull);
		json_u64(j, "senderr", pp->c.drop_senderr);
		json_u64(j, "empty", pp->c.drop_empty);
		json_obj_end(j);
		json_u64(j, "queued", queued);
		j_rate(j, "rate_1s", sw, p, 1 * PORTRATE_TICK_NS);
		j_rate(j, "rate_10s", sw, p, 10 * PORTRATE_TICK_NS);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
	return 0;
}

struct j_hash {
	struct json *j;
	uint64_t now;
};

static void j_hash_cb(void *arg, size_t bucket, const struct fdb_entry *e)
{
	struct j_hash *h = arg;

	json_obj(h->j, NULL);
	json_u64(h->j, "bucket", bucket);
	j_mac(h->j, "mac", e->mac);
	json_u64(h->j, "vlan", e->vlan);
	json_u64(h->j, "port", e->port);
	json_u64(h->j, "age", h->now > e->last_seen ? (h->now - e->last_seen) / FDB_NSEC : 0);
	json_obj_end(h->j);
}

static int j_hash_print(void *ctx, struct json *j, const char *args)
{
	struct sw *sw = ctx;
	struct j_hash h = { j, loop_now_ns() };

	(void)args;
	fdb_expire(&sw->fdb, h.now);
	json_obj(j, NULL);
	json_arr(j, "entries");
	fdb_foreach(&sw->fdb, j_hash_cb, &h);
	json_arr_end(j);
	json_obj_end(j);
	return 0;
}

static void j_vlan(struct sw *sw, struct json *j, unsigned vid, bool all)
{
	unsigned p;

	json_obj(j, NULL);
	json_u64(j, "vlan", vid);
	json_arr(j, "ports");
	for (p = 0; p < sw->pt.nslots; p++) {
		const struct port *pp = &sw->pt.v[p];

		if (!pp->exists || !(pp->nep || all) || !port_vlan_member(pp, (uint16_t)vid))
			continue;
		json_obj(j, NULL);
		json_u64(j, "port", p);
		json_bool(j, "tagged", pp->untagged_vlan != vid);
		json_bool(j, "active", pp->nep > 0);
		json_str(j, "status", pp->nep ? fstp_status(&sw->fstp, (uint16_t)vid, p) :
						"Learning");
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
}

static int j_vlan_print(struct sw *sw, struct json *j, const char *args, bool all)
{
	unsigned v;
	long long n;

	/* as the text form: vlan/allprint refuses VLAN 0 */
	if (j_arg(args, all ? 1 : 0, VLAN_MAX_CREATE, &n) < 0)
		return EINVAL;
	if (n >= 0 && !vlan_exists(&sw->pt, n))
		return ENXIO;
	json_obj(j, NULL);
	json_arr(j, "vlans");
	for (v = 0; v < VLAN_NONE; v++)
		if ((n < 0 || v == (unsigned)n) && vlan_exists(&sw->pt, v))
			j_vlan(sw, j, v, all);
	json_arr_end(j);
	json_obj_end(j);
	return 0;
}

static int j_vlan_printa(void *ctx, struct json *j, const char *args)
{
	return j_vlan_print(ctx, j, args, false);
}

static int j_vlan_allprint(void *ctx, struct json *j, const char *args)
{
	return j_vlan_print(ctx, j, args, true);
}

static void j_fstp_vlan(struct sw *sw, struct json *j, uint16_t vid, uint64_t now)
{
	struct fstp_info fi;
	char b[24];
	unsigned p;

	fstp_info(&sw->fstp, vid, now, &fi);
	json_obj(j, NULL);
	json_u64(j, "vlan", vid);
	json_bool(j, "root_switch", fi.rootport == 0);
	json_str(j, "root", fstp_id_str(fi.root, b));
	if (fi.rootport)
		json_str(j, "designated", fstp_id_str(fi.designated, b));
	else
		json_null(j, "designated");
	json_u64(j, "rootport", fi.rootport);
	json_u64(j, "cost", fi.cost);
	json_u64(j, "age", fi.age);
	json_u64(j, "bonusport", fi.bonusport);
	json_u64(j, "bonuscost", fi.bonuscost);
	json_arr(j, "ports");
	for (p = 0; p < sw->pt.nslots; p++) {
		if (!port_active(&sw->pt, p) || !port_vlan_member(&sw->pt.v[p], vid))
			continue;
		json_obj(j, NULL);
		json_u64(j, "port", p);
		json_bool(j, "tagged", sw->pt.v[p].untagged_vlan != vid);
		json_u64(j, "portcost", FSTP_PORT_COST);
		json_str(j, "role", fstp_role(&sw->fstp, vid, p));
		json_str(j, "status", fstp_status(&sw->fstp, vid, p));
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
}

static int j_fstp_print(void *ctx, struct json *j, const char *args)
{
	struct sw *sw = ctx;
	uint64_t now = loop_now_ns();
	unsigned v;
	long long n;

	if (j_arg(args, 0, VLAN_NONE - 1, &n) < 0)
		return EINVAL;
	if (n >= 0 && !vlan_exists(&sw->pt, n))
		return ENXIO;
	json_obj(j, NULL);
	json_bool(j, "enabled", sw->fstp.enabled);
	json_arr(j, "vlans");
	for (v = 0; v < VLAN_NONE; v++)
		if ((n < 0 || v == (unsigned)n) && vlan_exists(&sw->pt, v))
			j_fstp_vlan(sw, j, (uint16_t)v, now);
	json_arr_end(j);
	json_obj_end(j);
	return 0;
}

static const struct console_json_cmd sw_json[] = {
	{ "showinfo", j_showinfo },
	{ "port/print", j_port_printa },
	{ "port/allprint", j_port_allprint },
	{ "port/stats", j_port_stats },
	{ "hash/print", j_hash_print },
	{ "vlan/print", j_vlan_printa },
	{ "vlan/allprint", j_vlan_allprint },
	{ "fstp/print", j_fstp_print },
};

/**
 * sw_json_register() - see commands.h
 */
int sw_json_register(struct sw *sw)
{
	return console_add_json(sw->con, sw_json, sizeof(sw_json) / sizeof(sw_json[0]));
}
