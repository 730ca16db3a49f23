// SPDX-License-Identifier: GPL-2.0-or-later
/* switch/topology.c - FSTP and the MAC table wired to the data path and
 * the console
 *
 * fstp.c and fdb.c are pure: they report through callbacks. This file
 * gives them their I/O: BPDUs go out through ep_send_now() (never to a
 * monitor port), a topology change flushes a VLAN of the MAC table, and
 * their events become the console's debug lines (hash/+, hash/-, fstp/...,
 * vlan/drop). A port that becomes inactive (sw->port_event, from
 * epcore.c) forgets its MAC addresses; any change of ports or VLANs is
 * passed on to FSTP with topo_sync().
 */
#include "config.h"

#include "console.h"
#include "ether.h"
#include "log.h"
#include "loop.h"
#include "switch.h"
#include "endpoint.h"
#include "topology.h"

/* fdb.c callback: debug lines hash/+ and hash/-, a log line on a move. */
static void topo_fdb_event(void *arg, enum fdb_event ev, const struct fdb_entry *e,
			   uint32_t old_port)
{
	struct sw *sw = arg;

	switch (ev) {
	case FDB_EV_ADD:
		if (console_debug_wanted(sw->con, TOPO_DBG_HASH_ADD))
			console_debug(sw->con, TOPO_DBG_HASH_ADD, MAC_FMT " VLAN %02x:%02x Port %u",
				      MAC_ARGS(e->mac), e->vlan >> 8, e->vlan & 0xff, e->port);
		break;
	case FDB_EV_DEL:
		if (sw->sc_revoke_mac)
			sw->sc_revoke_mac(sw, e->mac);
		if (console_debug_wanted(sw->con, TOPO_DBG_HASH_DEL))
			console_debug(sw->con, TOPO_DBG_HASH_DEL, MAC_FMT " VLAN %02x:%02x Port %u",
				      MAC_ARGS(e->mac), e->vlan >> 8, e->vlan & 0xff, e->port);
		break;
	case FDB_EV_MOVE:
		if (sw->sc_revoke_mac)
			sw->sc_revoke_mac(sw, e->mac);
		log_debug("MAC " MAC_FMT " moved from port %u to port %u", MAC_ARGS(e->mac),
			  old_port, e->port);
		break;
	}
}

/* fwd_ctx.vlan_drop: the vlan/drop debug line. */
static void topo_vlan_drop(void *arg, unsigned port, bool tagged, uint16_t vid,
			   const uint8_t *frame)
{
	struct sw *sw = arg;

	if (!console_debug_wanted(sw->con, TOPO_DBG_VLANDROP))
		return;
	if (!tagged)
		console_debug(sw->con, TOPO_DBG_VLANDROP, "Port %u untagged frame from " MAC_FMT
			      ": no untagged VLAN", port, MAC_ARGS(frame + 6));
	else
		console_debug(sw->con, TOPO_DBG_VLANDROP, "Port %u frame from " MAC_FMT
			      " tagged VLAN %u: not a member", port, MAC_ARGS(frame + 6), vid);
}

/* fstp.c callbacks */
static void topo_fstp_send(void *arg, unsigned port, const uint8_t *frame, size_t len)
{
	struct sw *sw = arg;

	/* a monitor port (mirror.h) gets mirror copies only, no BPDUs */
	if (port < sw->pt.nslots && !mirror_is_monitor(&sw->mirror, port))
		ep_send_now(sw, port, frame, len);
}

static void topo_fstp_flush(void *arg, uint16_t vid)
{
	struct sw *sw = arg;

	fdb_flush_vlan(&sw->fdb, vid);
}

static void topo_fstp_debug(void *arg, unsigned tag, const char *line)
{
	struct sw *sw = arg;

	if (sw->con && console_debug_wanted(sw->con, tag))
		console_debug(sw->con, tag, "%s", line);
}

/* sw->port_event: an inactive port forgets its stations. */
static void topo_port_event(struct sw *sw, unsigned port, bool active)
{
	if (!active)
		fdb_flush_port(&sw->fdb, port);
	plugins_port_event(sw, port, active);	/* iplog forgets its addresses */
	topo_sync(sw);
}

/**
 * topo_init() - see topology.h
 */
void topo_init(struct sw *sw)
{
	static const struct fstp_ops ops = { topo_fstp_send, topo_fstp_flush, topo_fstp_debug };

	fstp_init(&sw->fstp, sw->mac, sw->priority, &ops, sw);
	sw->fwd.fstp = &sw->fstp;
	sw->fwd.vlan_drop = topo_vlan_drop;
	sw->fdb.cb = topo_fdb_event;
	sw->fdb.cb_arg = sw;
	sw->port_event = topo_port_event;
}

/**
 * topo_sync() - see topology.h
 */
void topo_sync(struct sw *sw)
{
	if (fstp_sync(&sw->fstp, &sw->pt, loop_now_ns()) < 0)
		log_warn("fstp: out of memory, some ports are not in the spanning tree");
}
