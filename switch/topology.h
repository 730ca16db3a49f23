/* SPDX-License-Identifier: GPL-2.0-or-later */
/* switch/topology.h - the switch's wiring of FSTP and the MAC table
 *
 * The narrow interface through which the console (commands.c) and the
 * data path (epcore.c, through sw->port_event) tell the spanning tree
 * and the MAC table that ports or VLANs changed.
 */
#ifndef VDEKIT_SWITCH_TOPOLOGY_H
#define VDEKIT_SWITCH_TOPOLOGY_H

struct sw;

/* debug tags of the lines printed here (categories in commands.c) */
#define TOPO_DBG_HASH_ADD	011	/* hash/+ */
#define TOPO_DBG_HASH_DEL	012	/* hash/- */
#define TOPO_DBG_VLANDROP	051	/* vlan/drop (vdekit; VDE 2's 041 is fstp/+) */

/**
 * topo_init() - set up the (disabled) spanning tree with the switch's MAC
 * and priority, sending BPDUs through the data path, flushing the MAC
 * table and printing its debug lines; hook the MAC table's and the
 * forwarding core's events and sw->port_event.
 */
void topo_init(struct sw *sw);

/* topo_sync() - port activity or VLAN membership changed: tell FSTP. */
void topo_sync(struct sw *sw);

#endif
