// SPDX-License-Identifier: GPL-2.0-or-later
/* switch/plugins.c - plugin/list, plugin/add, plugin/del over the built-in
 * equivalents of VDE 2's switch plugins, and the dump plugin itself
 *
 * Theory of operation (plugins.h): a built-in plugin is a row of
 * plugin_defs with a load() that registers its console commands and debug
 * categories (appended, so help and debug/list show them last, in load
 * order, as VDE 2 does) and an unload() that removes them. Names and help
 * texts, command paths, syntax, outputs and status codes are VDE 2.3.2's
 * (checked side by side with Debian's vde_switch loading its .so files in
 * t-switch-plugins.sh).
 *
 * dump: `dump/active 1` sends every frame received (debug category
 * dump/packetin, tag 0101) and every frame sent to a port (dump/packetout,
 * 0102) in hex to the console sessions that asked for it with debug/add:
 * "3101 dump/packetin Pkt: Port 0001 len=0060 ff ff ... \n". The line is
 * formatted only when a session listens.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "log.h"
#include "parse.h"
#include "switch.h"
#include "plugins.h"
#include "pdump.h"
#include "iplog.h"

#define DUMP_TAG_IN	0101
#define DUMP_TAG_OUT	0102
#define DUMP_HEAD_MAX	32		/* "Pkt: Port 0001 len=0060 " */

struct plugin_def {
	const char *name;
	const char *help;		/* plugin/list */
	int (*load)(struct sw *sw);	/* 0 or an errno value */
	void (*unload)(struct sw *sw);
};

/* ---- dump ---- */

static int dump_active(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	const char *errstr = NULL;
	long long v = 0;

	(void)out;
	/* VDE 2 reads the argument with atoi(): none means 0 */
	if (*args)
		v = parse_num(args, 0, 1LL << 31, &errstr);
	if (errstr)
		return EINVAL;
	sw->plugins.dump_on = v != 0;
	plugins_update(sw);
	return 0;
}

static const struct console_cmd dump_cmds[] = {
	{ "dump", "============", "DUMP Packets", NULL, CONSOLE_MENU },
	{ "dump/active", "0/1", "start dumping data", dump_active, 0 },
};

static const struct console_debug_cat dump_cats[] = {
	{ "dump/packetin", DUMP_TAG_IN, "dump incoming packet" },
	{ "dump/packetout", DUMP_TAG_OUT, "dump outgoing packet" },
};

static int dump_load(struct sw *sw)
{
	sw->plugins.dumpline = malloc(DUMP_HEAD_MAX + 3 * (size_t)FWD_FRAME_MAX);
	if (!sw->plugins.dumpline)
		return ENOMEM;
	if (console_add_cmds(sw->con, dump_cmds, sizeof(dump_cmds) / sizeof(dump_cmds[0])) < 0 ||
	    console_add_debug(sw->con, dump_cats, sizeof(dump_cats) / sizeof(dump_cats[0])) < 0)
		return ENOMEM;
	return 0;
}

static void dump_unload(struct sw *sw)
{
	console_del_cmds(sw->con, dump_cmds, sizeof(dump_cmds) / sizeof(dump_cmds[0]));
	console_del_debug(sw->con, dump_cats, sizeof(dump_cats) / sizeof(dump_cats[0]));
	sw->plugins.dump_on = false;
	free(sw->plugins.dumpline);
	sw->plugins.dumpline = NULL;
}

static void dump_frame(struct sw *sw, unsigned tag, const char *cat, unsigned port,
		       const uint8_t *frame, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char *p = sw->plugins.dumpline;
	size_t i;
	int n;

	if (!console_debug_wanted(sw->con, tag) || len > FWD_FRAME_MAX)
		return;
	n = snprintf(p, DUMP_HEAD_MAX, "Pkt: Port %04u len=%04zu ", port, len);
	if (n < 0 || n >= DUMP_HEAD_MAX)
		return;
	p += n;
	for (i = 0; i < len; i++) {
		*p++ = hex[frame[i] >> 4];
		*p++ = hex[frame[i] & 15];
		*p++ = ' ';
	}
	console_debug_text(sw->con, cat, sw->plugins.dumpline,
			   (size_t)(p - sw->plugins.dumpline));
}

/* ---- the table ---- */

static const struct plugin_def plugin_defs[PLUGINS_N] = {
	{ "dump", "dump packets", dump_load, dump_unload },
	{ "pdump", "dump packets to file, in pcap format", pdump_load, pdump_unload },
	{ "iplog", "log ip/port/user assignment", iplog_load, iplog_unload },
};

/**
 * plugins_update() - see plugins.h
 */
void plugins_update(struct sw *sw)
{
	struct plugins *pl = &sw->plugins;
	bool pd = pl->pdump && pdump_active(pl->pdump);

	pl->rx = pl->dump_on || pd || pl->iplog;
	pl->tx = pl->dump_on || pd;
}

/**
 * plugins_rx() - see plugins.h
 */
void plugins_rx(struct sw *sw, unsigned port, const uint8_t *frame, size_t len)
{
	struct plugins *pl = &sw->plugins;

	if (pl->dump_on)
		dump_frame(sw, DUMP_TAG_IN, "dump/packetin", port, frame, len);
	if (pl->pdump)
		pdump_frame(sw, frame, len);
	if (pl->iplog)
		iplog_rx(sw, port, frame, len);
}

/**
 * plugins_tx() - see plugins.h
 */
void plugins_tx(struct sw *sw, unsigned port, const uint8_t *frame, size_t len)
{
	struct plugins *pl = &sw->plugins;

	if (pl->dump_on)
		dump_frame(sw, DUMP_TAG_OUT, "dump/packetout", port, frame, len);
	if (pl->pdump)
		pdump_frame(sw, frame, len);
}

/**
 * plugins_port_event() - see plugins.h
 */
void plugins_port_event(struct sw *sw, unsigned port, bool active)
{
	if (!active && sw->plugins.iplog)
		iplog_port_gone(sw, port);
}

/* The built-in plugin a plugin/add argument names: its file name without
 * directory and ".so" (VDE 2 also tries NAME.so in its plugin dirs). */
static int plugin_find(const char *arg)
{
	const char *base = strrchr(arg, '/');
	size_t n, i;

	base = base ? base + 1 : arg;
	n = strlen(base);
	if (n > 3 && strcmp(base + n - 3, ".so") == 0)
		n -= 3;
	for (i = 0; i < PLUGINS_N; i++)
		if (strlen(plugin_defs[i].name) == n && !strncmp(plugin_defs[i].name, base, n))
			return (int)i;
	return -1;
}

static int plugin_loaded(const struct plugins *pl, unsigned idx)
{
	unsigned i;

	for (i = 0; i < pl->nloaded; i++)
		if (pl->order[i] == idx)
			return (int)i;
	return -1;
}

static void plugin_unload_at(struct sw *sw, unsigned pos)
{
	struct plugins *pl = &sw->plugins;
	unsigned idx = pl->order[pos];

	plugin_defs[idx].unload(sw);
	memmove(pl->order + pos, pl->order + pos + 1, (pl->nloaded - pos - 1) * sizeof(pl->order[0]));
	pl->nloaded--;
	plugins_update(sw);
}

static int plugin_add(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	struct plugins *pl = &sw->plugins;
	int idx, r;

	(void)out;
	if (!*args)
		return EINVAL;
	idx = plugin_find(args);
	if (idx < 0) {
		log_warn("plugin/add %s: not one of the built-in plugins (pdump, dump, iplog): "
			 "vde_switch loads no plugin file", args);
		return EOPNOTSUPP;
	}
	if (plugin_loaded(pl, (unsigned)idx) >= 0)
		return EEXIST;
	pl->order[pl->nloaded++] = (unsigned)idx;
	r = plugin_defs[idx].load(sw);
	if (r) {
		plugin_unload_at(sw, pl->nloaded - 1);
		return r;
	}
	plugins_update(sw);
	log_info("plugin %s enabled (built in)", plugin_defs[idx].name);
	return 0;
}

static int plugin_del(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	struct plugins *pl = &sw->plugins;
	size_t n = strlen(args);
	unsigned i;

	(void)out;
	/* VDE 2: the first loaded plugin whose name starts with the argument */
	for (i = 0; i < pl->nloaded; i++)
		if (!strncmp(plugin_defs[pl->order[i]].name, args, n)) {
			plugin_unload_at(sw, i);
			return 0;
		}
	return ENOENT;
}

static int plugin_list(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	struct plugins *pl = &sw->plugins;
	size_t n = strlen(args);
	unsigned i;
	int rv = ENOENT;

	fprintf(out, "%-22s %s\n", "NAME", "HELP");
	fprintf(out, "%-22s %s\n", "------------", "----");
	for (i = 0; i < pl->nloaded; i++) {
		const struct plugin_def *d = &plugin_defs[pl->order[i]];

		if (strncmp(d->name, args, n))
			continue;
		fprintf(out, "%-22s %s\n", d->name, d->help);
		rv = 0;
	}
	return rv;
}

static const struct console_cmd plugin_cmds[] = {
	{ "plugin", "============", "PLUGINS MENU", NULL, CONSOLE_MENU },
	{ "plugin/list", "", "list plugins", plugin_list, CONSOLE_OUTPUT },
	{ "plugin/add", "library", "load a plugin", plugin_add, 0 },
	{ "plugin/del", "name", "unload a plugin", plugin_del, 0 },
};

/**
 * plugins_register() - see plugins.h
 */
int plugins_register(struct sw *sw)
{
	return console_add_cmds_before(sw->con, "hash", plugin_cmds,
				       sizeof(plugin_cmds) / sizeof(plugin_cmds[0]));
}

/**
 * plugins_cleanup() - see plugins.h
 */
void plugins_cleanup(struct sw *sw)
{
	while (sw->plugins.nloaded)
		plugin_unload_at(sw, sw->plugins.nloaded - 1);
}
