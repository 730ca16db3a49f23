/* SPDX-License-Identifier: GPL-2.0-or-later */
/* switch/vlan.h - VLAN configuration and the per-frame VLAN decision, pure
 *
 * VDE 2's model (docs/architecture.md, "Switch: ports and VLANs"): VLANs 0..4094 (0 exists from the
 * start, vlan/create makes 1..4093), each port has one untagged VLAN
 * (VLAN_NONE = none) and any number of tagged ones; vdekit adds trunk
 * ports, tagged members of every VLAN. The configuration lives in the port
 * table, so it is kept on inactive ports and applies when a client
 * attaches. Functions return 0 or the errno value VDE 2 gives.
 */
#ifndef VDEKIT_SWITCH_VLAN_H
#define VDEKIT_SWITCH_VLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "port.h"

#define VLAN_MAX_CREATE	4093

static inline bool vlan_exists(const struct port_table *pt, long long vid)
{
	return vid >= 0 && vid < VLAN_NONE && (pt->vlans[vid / 64] >> (vid % 64)) & 1;
}

/* vlan_create() - EINVAL outside 1..4093, EEXIST. */
int vlan_create(struct port_table *pt, long long vid);
/* vlan_remove() - EINVAL outside 0..4094, ENXIO if absent, EADDRINUSE if a
 * port is a member (trunks do not count). */
int vlan_remove(struct port_table *pt, long long vid);
/* vlan_addport() - tagged membership; EINVAL for a VLAN outside 0..4093 or
 * a port out of range, ENXIO for an absent VLAN or port. Adding a port to
 * its untagged VLAN is a no-op (as VDE 2). */
int vlan_addport(struct port_table *pt, long long vid, long long port);
/* vlan_delport() - EINVAL, ENXIO as vlan_addport(); EADDRINUSE for the
 * port's untagged VLAN; not a member is success (as VDE 2). */
int vlan_delport(struct port_table *pt, long long vid, long long port);
/* vlan_setport() - the untagged VLAN of @port (VLAN_NONE allowed); EINVAL
 * for a port out of range, ENXIO for an absent port or VLAN. The port
 * leaves its tagged membership of @vid, if any. */
int vlan_setport(struct port_table *pt, long long port, long long vid);

/**
 * vlan_ingress() - classify a frame received on @in
 * @in: ingress port
 * @frame: at least 14 bytes
 * @len: frame length
 * @vid: the frame's VLAN on success
 * @tagged: whether it carries an 802.1Q tag
 *
 * Return: true if the frame belongs to a VLAN of @in; false if it must be
 * dropped (tagged for a VLAN the port is not in, 4095, a truncated tag,
 * or untagged on a port with no untagged VLAN).
 */
bool vlan_ingress(const struct port *in, const uint8_t *frame, size_t len, uint16_t *vid,
		  bool *tagged);

/* vlan_egress_tagged() - whether egress port @out sends VLAN @vid tagged
 * (only meaningful if it is a member). */
static inline bool vlan_egress_tagged(const struct port *out, uint16_t vid)
{
	return out->untagged_vlan != vid;
}

#endif
