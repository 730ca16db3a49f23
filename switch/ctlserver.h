/* SPDX-License-Identifier: GPL-2.0-or-later */
/* switch/ctlserver.h - the server side of the VDE control protocol (DIR/ctl) */
#ifndef VDEKIT_SWITCH_CTLSERVER_H
#define VDEKIT_SWITCH_CTLSERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct sw;

/**
 * ctlsrv_init() - refuse to start over a live switch, remove a dead one's
 * sockets, create DIR/ctl (sw->ctl_path) listening and watch it
 * Return: 0, or -1 after logging why.
 */
int ctlsrv_init(struct sw *sw);

/* ctlsrv_sweep() - close connections that sent no request within
 * SW_REQ_TIMEOUT_NS of @now (so silent clients cannot pile up). */
void ctlsrv_sweep(struct sw *sw, uint64_t now);

/* ctlsrv_gid_member() - whether @user is in group @gid (primary or
 * supplementary): the port ACL check of port_select(), capture.c. */
bool ctlsrv_gid_member(uid_t user, gid_t gid);

/* ctlsrv_cleanup() - close pending connections and DIR/ctl, and remove it
 * if we created it. Safe before ctlsrv_init(). */
void ctlsrv_cleanup(struct sw *sw);

#endif
