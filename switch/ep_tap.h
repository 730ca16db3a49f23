/* SPDX-License-Identifier: GPL-2.0-or-later */
/* switch/ep_tap.h - tap interfaces as switch endpoints (vde_switch -t IF)
 *
 * Endpoint kind "tuntap": a /dev/net/tun fd in IFF_TAP|IFF_NO_PI mode,
 * read and written one frame per read()/write(). It has no ctl stream;
 * its ID (shown by port/print) is a dup of the tun fd, and its description
 * is the interface name. A deleted interface closes just that endpoint.
 */
#ifndef VDEKIT_SWITCH_EP_TAP_H
#define VDEKIT_SWITCH_EP_TAP_H

struct sw;

/**
 * ep_tap_add() - attach tap @ifname (created if it does not exist) to the
 * lowest free port, as VDE 2's -t
 * Return: 0, or -1 with errno (ENOENT: no /dev/net/tun, EPERM: no
 * CAP_NET_ADMIN, EBUSY: in use, EINVAL: not a tap, ENAMETOOLONG, ENXIO:
 * no free port).
 */
int ep_tap_add(struct sw *sw, const char *ifname);

#endif
