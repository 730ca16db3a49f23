/* SPDX-License-Identifier: GPL-2.0-or-later */
/* switch/ep_vxlan.h - a VXLAN tunnel endpoint inside the switch
 * (vde_switch --vxlan VNL)
 *
 * Endpoint kind "vxlan": one switch port per VTEP, the same vxlan:// VNL
 * syntax and semantics as the library module (lib/vdeplug/mod_vxlan.c,
 * vde_vxlan(7)): multicast group or unicast remotes with head-end
 * replication, learning and aging (lib/vdeplug/vxlan.c), counted drops of
 * malformed packets (port/stats shows them). Its ID (port/print) is a dup
 * of the receiving socket; its description is the VNL.
 */
#ifndef VDEKIT_SWITCH_EP_VXLAN_H
#define VDEKIT_SWITCH_EP_VXLAN_H

struct sw;

/**
 * ep_vxlan_add() - open the VTEP of @vnl (a vxlan:// VNL) on the lowest
 * free port
 * Return: 0, or -1 with errno (EINVAL / EPROTONOSUPPORT: not a valid
 * vxlan:// VNL, EADDRINUSE, ENODEV: no /if=, ENXIO: no free port, ...).
 */
int ep_vxlan_add(struct sw *sw, const char *vnl);

#endif
