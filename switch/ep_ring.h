/* SPDX-License-Identifier: GPL-2.0-or-later */
/* switch/ep_ring.h - shared-memory rings for our libvdeplug's clients
 * (docs/fastpath.md): the DIR/.fastpath socket that grants them and the
 * endpoint kind "ring" a datagram endpoint becomes once they are active
 */
#ifndef VDEKIT_SWITCH_EP_RING_H
#define VDEKIT_SWITCH_EP_RING_H

struct sw;

#define EP_RING_ENV	"VDEPLUG_FASTPATH"	/* "0" in the switch's environment: no rings */
#define EP_RING_PIPES_ENV "VDEPLUG_FASTPATH_PIPES"	/* "0": datagram doorbells only */

/**
 * ep_ring_init() - create DIR/.fastpath (SOCK_SEQPACKET, the mode and
 * group of DIR/ctl) and serve it from the loop; call after ctlsrv_init().
 * A switch that cannot offer rings (a path too long, VDEPLUG_FASTPATH=0 in
 * its environment) runs without them: its clients stay on datagrams.
 * Return: 0, or -1 after logging why (the switch must not start).
 */
int ep_ring_init(struct sw *sw);

/* ep_ring_cleanup() - close pending negotiations and DIR/.fastpath, remove
 * it if we made it. Ring endpoints are closed by ep_core_cleanup(). Safe
 * before ep_ring_init() and after a failed one. */
void ep_ring_cleanup(struct sw *sw);

/* With --shortcuts (sw->shortcuts), ep_ring_init() also sets the hooks
 * sw->sc_unicast, sw->sc_revoke_all and sw->sc_revoke_mac (switch.h):
 * shortcuts between ring clients, docs/fastpath.md section 10. */

#endif
