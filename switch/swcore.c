// SPDX-License-Identifier: GPL-2.0-or-later
/* switch/swcore.c - make and undo the switch without its command line
 * (swcore.h): main.c's set-up and teardown of what every switch has, in
 * the order they need (the loop before the topology's timers, the
 * directory before the sockets in it, the console last, as its commands
 * reach everything else).
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "console.h"
#include "log.h"
#include "loop.h"
#include "switch.h"
#include "endpoint.h"
#include "commands.h"
#include "ctlserver.h"
#include "ep_ring.h"
#include "ep_vhost.h"
#include "swcore.h"
#include "swdir.h"
#include "topology.h"

/**
 * sw_defaults() - see swcore.h
 */
void sw_defaults(struct sw *sw)
{
	memset(sw, 0, sizeof(*sw));
	sw->mode = 0600;
	sw->dirmode = 02700;
	sw->group = (gid_t)-1;
	sw->mgmt_mode = 0600;
	sw->mgmt_group = (gid_t)-1;
	sw->priority = 0x8000;
	sw->gcint = FDB_DEF_GCINT;
	sw->ctl_fd = -1;
}

/* Commands that only report: they leave the shortcuts in place. */
static const char *const sc_readonly[] = {
	"help", "showinfo", "port/print", "port/allprint", "port/stats", "port/showinfo",
	"vlan/print", "vlan/allprint", "hash/print", "fstp/print", "debug/list",
	"plugin/list", "mirror/print", "capture/print", "pdump/print", "iplog/print",
};

/* Before every console command: one that may change how frames are
 * forwarded withdraws the shortcuts (docs/fastpath.md section 10); a
 * report first counts their frames in the ports' counters. */
static void sw_on_exec(void *ctx, const char *path, bool json)
{
	struct sw *sw = ctx;
	size_t i;

	if (!sw->sc_revoke_all)
		return;
	for (i = 0; !json && i < sizeof(sc_readonly) / sizeof(sc_readonly[0]); i++)
		if (!strcmp(path, sc_readonly[i]))
			break;
	if (json || i < sizeof(sc_readonly) / sizeof(sc_readonly[0]))
		sw->sc_sync(sw);	/* a report: with the shortcuts' frames counted */
	else
		sw->sc_revoke_all(sw);
}

/**
 * sw_core_setup() - see swcore.h
 */
int sw_core_setup(struct sw *sw, unsigned numports, size_t hashsize, bool hub,
		  void (*on_shutdown)(void *ctx), void (*on_stdin_eof)(void *ctx))
{
	struct console_config cc;
	const char *what = NULL;
	int ret = -1;

	if (port_table_init(&sw->pt, numports) < 0 ||
	    fdb_init(&sw->fdb, hashsize, FDB_DEF_CAPACITY) < 0) {
		what = "init";
		goto out;
	}
	sw->pt.hub = hub;
	sw->fwd.pt = &sw->pt;
	sw->fwd.fdb = &sw->fdb;
	sw->fwd.emit = ep_emit;
	sw->fwd.mirror = &sw->mirror;
	sw->fwd.arg = sw;
	sw->loop = loop_new();
	if (!sw->loop) {
		what = "loop";
		goto out;
	}
	sw->start_ns = loop_now_ns();
	topo_init(sw);
	if (sw->fstp_on && fstp_enable(&sw->fstp, &sw->pt, true, sw->start_ns) < 0) {
		what = "fstp";
		goto out;
	}
	if (swdir_init(sw) < 0)
		goto out;
	if (ep_core_init(sw) < 0) {
		log_err("out of memory");
		goto out;
	}
	if (ctlsrv_init(sw) < 0 || ep_ring_init(sw) < 0)
		goto out;
	memset(&cc, 0, sizeof(cc));
	cc.banner = SW_BANNER;
	cc.prompt = SW_PROMPT;
	cc.shutdown_help = "shutdown of the switch";
	cc.ctx = sw;
	cc.on_shutdown = on_shutdown;
	cc.on_stdin_eof = on_stdin_eof;
	cc.on_exec = sw_on_exec;
	sw->con = console_new(sw->loop, &cc);
	if (!sw->con || sw_commands_register(sw) < 0 || ep_vhost_register(sw) < 0) {
		what = "console";
		goto out;
	}
	ret = 0;
out:
	if (what)
		log_err("%s: %s", what, strerror(errno));
	return ret;
}

/**
 * sw_core_teardown() - see swcore.h
 */
void sw_core_teardown(struct sw *sw)
{
	ep_vhost_cleanup(sw);
	ep_core_cleanup(sw);
	plugins_cleanup(sw);
	portrate_stop(sw);
	ctlsrv_cleanup(sw);
	ep_ring_cleanup(sw);
	swdir_cleanup(sw);
	console_free(sw->con);
	sw->con = NULL;
	if (sw->loop)
		loop_free(sw->loop);
	sw->loop = NULL;
	fstp_free(&sw->fstp);
	fdb_free(&sw->fdb);
	port_table_free(&sw->pt);
}
