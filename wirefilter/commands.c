// SPDX-License-Identifier: GPL-2.0-or-later
/* wirefilter/commands.c - wirefilter's management console commands
 *
 * VDE 2's command set and output lines (wirefilter(1); docs/protocol.md,
 * "Console protocol") on top of
 * the shared console server: every setter takes the value syntax of
 * value.h and answers 1022 Invalid argument for anything out of range
 * (VDE 2 silently accepted garbage). showinfo adds per-direction counters
 * of what each impairment did. Pure apart from the console: the handlers
 * only touch the model through struct wf_ctx, so the fuzz harness drives
 * them exactly as a session does.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "console.h"
#include "json.h"
#include "parse.h"
#include "wirefilter.h"

static const char *const feat_names[WF_NFEAT] = {
	[WF_LOSS] = "Loss  ", [WF_LOSTBURST] = "Lburst", [WF_DELAY] = "Delay ",
	[WF_DUP] = "Dup   ", [WF_BAND] = "Bandw ", [WF_SPEED] = "Speed ",
	[WF_NOISE] = "Noise ", [WF_MTU] = "MTU   ", [WF_CHANBUF] = "Cap.  ",
};

/* JSON keys of the settings (interface: documented in wirefilter(1)) */
static const char *const feat_keys[WF_NFEAT] = {
	[WF_LOSS] = "loss", [WF_LOSTBURST] = "lostburst", [WF_DELAY] = "delay",
	[WF_DUP] = "dup", [WF_BAND] = "bandwidth", [WF_SPEED] = "speed",
	[WF_NOISE] = "noise", [WF_MTU] = "mtu", [WF_CHANBUF] = "chanbufsize",
};

static const char *const dir_keys[WF_NDIRS] = { [WF_LR] = "LR", [WF_RL] = "RL" };

static const struct {
	const char *name;
	enum wf_feature f;
} option_names[] = {
	{ "loss", WF_LOSS }, { "lostburst", WF_LOSTBURST }, { "delay", WF_DELAY },
	{ "dup", WF_DUP }, { "bandwidth", WF_BAND }, { "band", WF_BAND },
	{ "speed", WF_SPEED }, { "noise", WF_NOISE }, { "mtu", WF_MTU },
	{ "chanbufsize", WF_CHANBUF }, { "capacity", WF_CHANBUF },
};

static uint64_t now_of(struct wf_ctx *w)
{
	return w->now ? w->now(w->arg) : 0;
}

static void changed(struct wf_ctx *w)
{
	if (w->changed)
		w->changed(w->arg);
}

/**
 * wf_feature_by_option() - map a command/option name to an impairment
 * @name:	"loss", "band", "capacity", ...
 *
 * Return: the enum wf_feature, or -1.
 */
int wf_feature_by_option(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(option_names) / sizeof(option_names[0]); i++)
		if (!strcmp(option_names[i].name, name))
			return (int)option_names[i].f;
	return -1;
}

/**
 * wf_apply() - parse and set one impairment
 * @w:		wirefilter state
 * @f:		impairment
 * @value:	text in the value syntax
 *
 * Return: 0 or EINVAL.
 */
int wf_apply(struct wf_ctx *w, enum wf_feature f, const char *value)
{
	struct wf_parsed p;
	int r = wf_parse_value(value, &p);

	if (!r)
		r = wf_model_set(w->m, f, &p);
	if (!r)
		changed(w);
	return r;
}

static void print_feature(struct wf_ctx *w, FILE *out, int node, enum wf_feature f)
{
	char a[64], b[64];
	int spread = f != WF_MTU;

	wf_format_value(a, sizeof(a), wf_model_get(w->m, node, f, WF_LR), spread);
	if (w->ndirs == 1) {
		fprintf(out, "%s %s\n", feat_names[f], a);
		return;
	}
	wf_format_value(b, sizeof(b), wf_model_get(w->m, node, f, WF_RL), spread);
	if (spread)
		fprintf(out, "%s L->R %s   R->L %s\n", feat_names[f], a, b);
	else
		fprintf(out, "%s L->R %s     R->L %s   \n", feat_names[f], a, b);
}

static void print_counters(struct wf_ctx *w, FILE *out, enum wf_dir d)
{
	const struct wf_counters *c = wf_model_counters(w->m, d);

	fprintf(out, "Stats  %s in %" PRIu64 " out %" PRIu64 " bytes-in %" PRIu64
		" bytes-out %" PRIu64 "\n", d == WF_LR ? "L->R" : "R->L",
		c->in_frames, c->out_frames, c->in_bytes, c->out_bytes);
	fprintf(out, "Drops  %s loss %" PRIu64 " mtu %" PRIu64 " capacity %" PRIu64
		" rate %" PRIu64 " overflow %" PRIu64 " invalid %" PRIu64 " tx-error %" PRIu64
		"\n", d == WF_LR ? "L->R" : "R->L", c->drop_loss, c->drop_mtu,
		c->drop_capacity, c->drop_rate, c->drop_overflow, c->drop_invalid,
		w->tx_errors[d]);
	fprintf(out, "Effect %s duplicated %" PRIu64 " corrupted %" PRIu64 " bits %" PRIu64
		" delayed %" PRIu64 "\n", d == WF_LR ? "L->R" : "R->L", c->dup, c->corrupted,
		c->bits_flipped, c->delayed);
	fprintf(out, "Timing %s late-median %" PRIu64 " us late-p99 %" PRIu64 " us late-max %"
		PRIu64 " us over %" PRIu64 " queued frames\n", d == WF_LR ? "L->R" : "R->L",
		wf_lateness_us(w->m, d, 0.5), wf_lateness_us(w->m, d, 0.99),
		c->late_max_ns / 1000, c->late_n);	if (w->stream_in[d])		/* each bad length slides the parser one byte */
		fprintf(out, "Stream %s resync-bytes %" PRIu64 " empty-records %" PRIu64 "\n",
			d == WF_LR ? "L->R" : "R->L", w->stream_in[d]->bad_len,
			w->stream_in[d]->empty);
}

static int parse_node(struct wf_ctx *w, const char *args, int *node)
{
	const char *errstr;

	if (!*args) {
		*node = wf_markov_current(w->m);
		return 0;
	}
	*node = (int)parse_num(args, 0, wf_markov_nodes(w->m) - 1, &errstr);
	return errstr ? EINVAL : 0;
}

static int cmd_showinfo(void *ctx, FILE *out, const char *args)
{
	struct wf_ctx *w = ctx;
	int node, f, r;

	r = parse_node(w, args, &node);
	if (r)
		return r;
	fprintf(out, "WireFilter: %sdirectional\n", w->ndirs == 2 ? "bi" : "mono");
	if (wf_markov_nodes(w->m) > 1)
		fprintf(out, "Node %d \"%s\" (0,..,%d) Markov-time %g\n", node,
			wf_markov_name(w->m, node), wf_markov_nodes(w->m) - 1,
			wf_markov_time(w->m));
	for (f = 0; f < WF_NFEAT; f++)
		print_feature(w, out, node, (enum wf_feature)f);
	if (w->ndirs == 2)
		fprintf(out, "Current Delay Queue size:   L->R %zu      R->L %zu   \n",
			wf_queue_bytes(w->m, WF_LR), wf_queue_bytes(w->m, WF_RL));
	else
		fprintf(out, "Current Delay Queue size:   %zu\n", wf_queue_bytes(w->m, WF_LR));
	fprintf(out, "Fifoness %s\n", wf_model_fifo(w->m) ? "TRUE" : "FALSE");
	fprintf(out, "Waiting packets in delay queues %zu\n",
		wf_queue_frames(w->m, WF_LR) + wf_queue_frames(w->m, WF_RL));
	if (w->blink_path)
		fprintf(out, "Blink socket: %s\nBlink id:     %s\n", w->blink_path,
			w->blink_id ? w->blink_id : "");
	fprintf(out, "Seed %" PRIu64 "\n", w->seed);
	print_counters(w, out, WF_LR);
	if (w->ndirs == 2)
		print_counters(w, out, WF_RL);
	return 0;
}

static void json_counters(struct wf_ctx *w, struct json *j, enum wf_dir d)
{
	const struct wf_counters *c = wf_model_counters(w->m, d);

	json_obj(j, dir_keys[d]);
	json_u64(j, "in_frames", c->in_frames);
	json_u64(j, "in_bytes", c->in_bytes);
	json_u64(j, "out_frames", c->out_frames);
	json_u64(j, "out_bytes", c->out_bytes);
	json_u64(j, "drop_loss", c->drop_loss);
	json_u64(j, "drop_mtu", c->drop_mtu);
	json_u64(j, "drop_capacity", c->drop_capacity);
	json_u64(j, "drop_rate", c->drop_rate);
	json_u64(j, "drop_overflow", c->drop_overflow);
	json_u64(j, "drop_invalid", c->drop_invalid);
	json_u64(j, "tx_errors", w->tx_errors[d]);
	json_u64(j, "duplicated", c->dup);
	json_u64(j, "corrupted", c->corrupted);
	json_u64(j, "bits_flipped", c->bits_flipped);
	json_u64(j, "delayed", c->delayed);
	json_u64(j, "late_median_us", wf_lateness_us(w->m, d, 0.5));
	json_u64(j, "late_p99_us", wf_lateness_us(w->m, d, 0.99));
	json_u64(j, "late_max_us", c->late_max_ns / 1000);
	json_u64(j, "late_frames", c->late_n);
	if (w->stream_in[d]) {
		json_u64(j, "stream_resync_bytes", w->stream_in[d]->bad_len);
		json_u64(j, "stream_empty_records", w->stream_in[d]->empty);
	}
	json_obj_end(j);
}

/* -j showinfo: the same facts as showinfo, field names in wirefilter(1) */
static int json_showinfo(void *ctx, struct json *j, const char *args)
{
	struct wf_ctx *w = ctx;
	int node, f, d, r;

	r = parse_node(w, args, &node);
	if (r)
		return r;
	json_obj(j, NULL);
	json_u64(j, "directions", (uint64_t)w->ndirs);
	json_u64(j, "node", (uint64_t)node);
	json_str(j, "node_name", wf_markov_name(w->m, node));
	json_u64(j, "nodes", (uint64_t)wf_markov_nodes(w->m));
	json_dbl(j, "markov_time_ms", wf_markov_time(w->m));
	json_bool(j, "fifo", wf_model_fifo(w->m));
	json_u64(j, "seed", w->seed);
	if (w->blink_path) {
		json_obj(j, "blink");
		json_str(j, "socket", w->blink_path);
		json_str(j, "id", w->blink_id ? w->blink_id : "");
		json_obj_end(j);
	}
	json_obj(j, "settings");
	for (f = 0; f < WF_NFEAT; f++) {
		json_obj(j, feat_keys[f]);
		for (d = 0; d < w->ndirs; d++) {
			const struct wf_value *v = wf_model_get(w->m, node, (enum wf_feature)f,
								(enum wf_dir)d);

			json_obj(j, dir_keys[d]);
			json_dbl(j, "value", v->val);
			json_dbl(j, "spread", v->plus);
			json_str(j, "distribution", v->alg == WF_ALG_NORMAL ? "normal" : "uniform");
			json_obj_end(j);
		}
		json_obj_end(j);
	}
	json_obj_end(j);
	json_obj(j, "queue");
	for (d = 0; d < w->ndirs; d++) {
		json_obj(j, dir_keys[d]);
		json_u64(j, "bytes", wf_queue_bytes(w->m, (enum wf_dir)d));
		json_u64(j, "frames", wf_queue_frames(w->m, (enum wf_dir)d));
		json_obj_end(j);
	}
	json_obj_end(j);
	json_obj(j, "counters");
	for (d = 0; d < w->ndirs; d++)
		json_counters(w, j, (enum wf_dir)d);
	json_obj_end(j);
	json_obj_end(j);
	return 0;
}

#define SETTER(fn, feat) \
	static int fn(void *ctx, FILE *out, const char *args) \
	{ \
		(void)out; \
		return wf_apply(ctx, feat, args); \
	}

SETTER(cmd_loss, WF_LOSS)
SETTER(cmd_lostburst, WF_LOSTBURST)
SETTER(cmd_delay, WF_DELAY)
SETTER(cmd_dup, WF_DUP)
SETTER(cmd_band, WF_BAND)
SETTER(cmd_speed, WF_SPEED)
SETTER(cmd_chanbuf, WF_CHANBUF)
SETTER(cmd_noise, WF_NOISE)
SETTER(cmd_mtu, WF_MTU)

static int cmd_fifo(void *ctx, FILE *out, const char *args)
{
	struct wf_ctx *w = ctx;
	const char *errstr;
	long long v = parse_num(args, 0, 1, &errstr);

	(void)out;
	if (errstr)
		return EINVAL;
	wf_model_set_fifo(w->m, v != 0);
	changed(w);
	return 0;
}

static int cmd_numnodes(void *ctx, FILE *out, const char *args)
{
	struct wf_ctx *w = ctx;
	const char *errstr;
	long long v = parse_num(args, 1, WF_MAX_NODES, &errstr);
	int r;

	(void)out;
	if (errstr)
		return EINVAL;
	r = wf_markov_resize(w->m, (int)v);
	if (!r)
		changed(w);
	return r;
}

static int cmd_setnode(void *ctx, FILE *out, const char *args)
{
	struct wf_ctx *w = ctx;
	const char *errstr;
	long long v = parse_num(args, 0, WF_MAX_NODES, &errstr);
	int r;

	(void)out;
	if (errstr)
		return EINVAL;
	r = wf_markov_setnode(w->m, (int)v);
	if (!r)
		changed(w);
	return r;
}

/* Split "a,b[,c]" into at most @max NUL-terminated fields of @buf. */
static int split_commas(const char *args, char *buf, size_t size, char **fields, int max)
{
	int n = 0;
	char *p;

	if (strlen(args) >= size)
		return -1;
	strcpy(buf, args);
	fields[n++] = buf;
	for (p = buf; *p; p++) {
		if (*p != ',')
			continue;
		if (n >= max)
			return -1;
		*p = '\0';
		fields[n++] = p + 1;
	}
	return n;
}

static int cmd_name(void *ctx, FILE *out, const char *args)
{
	struct wf_ctx *w = ctx;
	const char *comma = strchr(args, ',');
	char num[16];
	const char *errstr;
	long long v;

	(void)out;
	if (!comma || (size_t)(comma - args) >= sizeof(num))
		return EINVAL;
	memcpy(num, args, (size_t)(comma - args));
	num[comma - args] = '\0';
	v = parse_num(num, 0, WF_MAX_NODES, &errstr);
	if (errstr)
		return EINVAL;
	return wf_markov_setname(w->m, (int)v, comma + 1);
}

static int cmd_time(void *ctx, FILE *out, const char *args)
{
	struct wf_ctx *w = ctx;
	double ms;
	int r;

	(void)out;
	if (wf_parse_double(args, &ms))
		return EINVAL;
	r = wf_markov_settime(w->m, ms, now_of(w));
	if (!r)
		changed(w);
	return r;
}

static int cmd_setedge(void *ctx, FILE *out, const char *args)
{
	struct wf_ctx *w = ctx;
	char buf[128], *f[3];
	const char *e1, *e2;
	long long a, b;
	double wt;

	(void)out;
	if (split_commas(args, buf, sizeof(buf), f, 3) != 3)
		return EINVAL;
	a = parse_num(f[0], 0, WF_MAX_NODES, &e1);
	b = parse_num(f[1], 0, WF_MAX_NODES, &e2);
	if (e1 || e2 || wf_parse_double(f[2], &wt))
		return EINVAL;
	return wf_markov_setedge(w->m, (int)a, (int)b, wt);
}

static int cmd_showedges(void *ctx, FILE *out, const char *args)
{
	struct wf_ctx *w = ctx;
	int node, k, r;

	r = parse_node(w, args, &node);
	if (r)
		return r;
	for (k = 0; k < wf_markov_nodes(w->m); k++) {
		double wt = wf_markov_edge(w->m, node, k);

		if (wt > 0.0)
			fprintf(out, "Edge %d ->%d  \"%s\"->\"%s\" weigth %g\n", node, k,
				wf_markov_name(w->m, node), wf_markov_name(w->m, k), wt);
	}
	return 0;
}

static int cmd_showcurrent(void *ctx, FILE *out, const char *args)
{
	struct wf_ctx *w = ctx;
	int cur = wf_markov_current(w->m);

	(void)args;
	fprintf(out, "Current Markov Node %d \"%s\" (0,..,%d)\n", cur, wf_markov_name(w->m, cur),
		wf_markov_nodes(w->m) - 1);
	return 0;
}

/* VDE 2's per-session debug level, mapped onto the console's debug
 * subscriptions of the calling session. */
static int cmd_markov_debug(void *ctx, FILE *out, const char *args)
{
	struct wf_ctx *w = ctx;
	const char *errstr;
	long long v = parse_num(args, 0, 10, &errstr);
	FILE *sink;
	int r;

	(void)out;
	if (errstr)
		return EINVAL;
	if (!w->con)
		return 0;
	sink = fopen("/dev/null", "we");
	if (!sink)
		return errno;
	r = console_exec_line(w->con, v ? "debug/add markov/node" : "debug/del markov/node", sink);
	fclose(sink);
	return r == 1000 || (!v && r == 1000 + ENOENT) ? 0 : EINVAL;
}

static const struct console_cmd wf_cmds[] = {
	{ "showinfo", "[n]", "show status and parameter values (of Markov node n)",
	  cmd_showinfo, CONSOLE_OUTPUT },
	{ "delay", "[LR|RL]ms[+ms][U|N][[n]]", "set delay ms", cmd_delay, 0 },
	{ "loss", "[LR|RL]%[+%][U|N][[n]]", "set loss percentage", cmd_loss, 0 },
	{ "lostburst", "[LR|RL]len[[n]]", "mean length of lost packet bursts",
	  cmd_lostburst, 0 },
	{ "dup", "[LR|RL]%[+%][U|N][[n]]", "set dup packet percentage", cmd_dup, 0 },
	{ "bandwidth", "[LR|RL]B/s[K|M|G]", "set channel bandwidth bytes/sec", cmd_band, 0 },
	{ "band", "[LR|RL]B/s[K|M|G]", "set channel bandwidth bytes/sec", cmd_band, 0 },
	{ "speed", "[LR|RL]B/s[K|M|G]", "set interface speed bytes/sec", cmd_speed, 0 },
	{ "chanbufsize", "[LR|RL]bytes", "set channel buffer size (bytes)", cmd_chanbuf, 0 },
	{ "capacity", "[LR|RL]bytes", "set channel buffer size (bytes)", cmd_chanbuf, 0 },
	{ "noise", "[LR|RL]bits/MiB", "set noise factor bits/Mbyte", cmd_noise, 0 },
	{ "mtu", "[LR|RL]bytes", "set channel MTU (bytes)", cmd_mtu, 0 },
	{ "fifo", "0|1", "set channel fifoness", cmd_fifo, 0 },
	{ "markov-numnodes", "n", "markov mode: set number of states", cmd_numnodes, 0 },
	{ "markov-setnode", "n", "markov mode: set current state", cmd_setnode, 0 },
	{ "markov-name", "n,name", "markov mode: set state's name", cmd_name, 0 },
	{ "markov-time", "ms", "markov mode: transition period", cmd_time, 0 },
	{ "setedge", "n1,n2,w", "markov mode: set edge weight", cmd_setedge, 0 },
	{ "showedges", "[n]", "markov mode: show edge weights", cmd_showedges, CONSOLE_OUTPUT },
	{ "showcurrent", "", "markov mode: show current state", cmd_showcurrent,
	  CONSOLE_OUTPUT },
	{ "markov-debug", "n", "markov mode: report transitions (0 = off)",
	  cmd_markov_debug, 0 },
};

/* -j showedges: {"node","edges":[{"from","to","from_name","to_name","weight"}]} */
static int json_showedges(void *ctx, struct json *j, const char *args)
{
	struct wf_ctx *w = ctx;
	int node, k, r;

	r = parse_node(w, args, &node);
	if (r)
		return r;
	json_obj(j, NULL);
	json_u64(j, "node", (uint64_t)node);
	json_arr(j, "edges");
	for (k = 0; k < wf_markov_nodes(w->m); k++) {
		double wt = wf_markov_edge(w->m, node, k);

		if (wt <= 0.0)
			continue;
		json_obj(j, NULL);
		json_u64(j, "from", (uint64_t)node);
		json_u64(j, "to", (uint64_t)k);
		json_str(j, "from_name", wf_markov_name(w->m, node));
		json_str(j, "to_name", wf_markov_name(w->m, k));
		json_dbl(j, "weight", wt);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
	return 0;
}

/* -j showcurrent: {"node","name","nodes"} */
static int json_showcurrent(void *ctx, struct json *j, const char *args)
{
	struct wf_ctx *w = ctx;
	int cur = wf_markov_current(w->m);

	(void)args;
	json_obj(j, NULL);
	json_u64(j, "node", (uint64_t)cur);
	json_str(j, "name", wf_markov_name(w->m, cur));
	json_u64(j, "nodes", (uint64_t)wf_markov_nodes(w->m));
	json_obj_end(j);
	return 0;
}

static const struct console_json_cmd wf_json[] = {
	{ "showinfo", json_showinfo },
	{ "showedges", json_showedges },
	{ "showcurrent", json_showcurrent },
};

static const struct console_debug_cat wf_debug[] = {
	{ "markov/node", WF_DEBUG_MARKOV, "Markov node transitions" },
};

/**
 * wf_commands_register() - add wirefilter's commands to a console
 * @w:	wirefilter state (handlers' context; w->con is set here)
 * @c:	the console (created with w as its ctx)
 *
 * Return: 0 or -1 with errno.
 */
int wf_commands_register(struct wf_ctx *w, struct console *c)
{
	w->con = c;
	if (console_add_cmds(c, wf_cmds, sizeof(wf_cmds) / sizeof(wf_cmds[0])) < 0 ||
	    console_add_json(c, wf_json, sizeof(wf_json) / sizeof(wf_json[0])) < 0 ||
	    console_add_debug(c, wf_debug, sizeof(wf_debug) / sizeof(wf_debug[0])) < 0)
		return -1;
	return 0;
}
