/* SPDX-License-Identifier: GPL-2.0-or-later */
/* switch/ep_vhost.h - vhost-user guests as switch endpoints
 *
 * vde_switch --vhost-user PATH[:PORT] and the console's vhost/add,
 * vhost/del, vhost/print: the switch listens on the UNIX socket PATH as a
 * vhost-user backend (lib/vhost); the virtio-net NIC of the guest that
 * connects (QEMU -chardev socket,path=PATH) is one endpoint of kind
 * "vhost-user" on PORT (or the lowest free port), with the VLANs, FSTP,
 * mirroring, counters and back-pressure of any port. One guest per PATH at
 * a time; a guest that goes away (or breaks the protocol or its rings: it
 * is disconnected with a log line) frees the port, and the socket keeps
 * listening so that the guest (QEMU's reconnect=) can come back.
 */
#ifndef VDEKIT_SWITCH_EP_VHOST_H
#define VDEKIT_SWITCH_EP_VHOST_H

struct sw;

/**
 * ep_vhost_listen() - listen on @spec, "PATH" or "PATH:PORT"
 * Return: 0, or -1 with errno (EADDRINUSE: PATH is live or already ours,
 * EINVAL: bad PORT, ENAMETOOLONG, what socket() and bind() say).
 */
int ep_vhost_listen(struct sw *sw, const char *spec);

/* ep_vhost_register() - the console's vhost/ commands. 0 or -1. */
int ep_vhost_register(struct sw *sw);

/* ep_vhost_cleanup() - disconnect every guest, close and remove every
 * socket (before ep_core_cleanup()). */
void ep_vhost_cleanup(struct sw *sw);

#endif
