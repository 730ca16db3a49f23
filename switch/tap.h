/* SPDX-License-Identifier: GPL-2.0-or-later */
/* switch/tap.h - tap interfaces as switch endpoints (vde_switch -t IF)
 *
 * A tap endpoint is an endpoint whose data fd is a /dev/net/tun fd in
 * IFF_TAP|IFF_NO_PI mode: datasock.c reads and writes it with read() and
 * write() instead of recvmmsg() and sendmmsg(), one frame each. It has no
 * ctl stream; its ID (shown by port/print, module "tuntap") is a dup of
 * the tun fd, and its description is the interface name.
 */
#ifndef VDEKIT_SWITCH_TAP_H
#define VDEKIT_SWITCH_TAP_H

#include <sys/socket.h>

struct sw;

/* swtap_open() - open /dev/net/tun non-blocking and attach to tap @ifname
 * (created if it does not exist). Return: the fd, or -1 with errno
 * (ENOENT: no /dev/net/tun, EPERM: no CAP_NET_ADMIN, EBUSY: in use,
 * EINVAL: not a tap, ENAMETOOLONG). */
int swtap_open(const char *ifname);

/* swtap_send() - write the frames of @msg[0..n) to @fd, one write each.
 * Return: frames consumed (written, or counted in *@errors when the tap
 * refused them, e.g. EIO while it is down); stops early at EAGAIN. */
unsigned swtap_send(int fd, const struct mmsghdr *msg, unsigned n, unsigned *errors);

/* swtap_recv() - read up to SW_BATCH frames from @fd into sw->rxbuf slots,
 * setting sw->rxmsg[i].msg_len (and MSG_TRUNC for frames that filled a
 * whole slot). Return: frames read, 0 if none, -1 with errno when the tap
 * is gone (EBADFD after the interface was deleted). */
int swtap_recv(struct sw *sw, int fd);

/* ds_tap_add() - (datasock.c) attach tap @ifname to the lowest free port,
 * as VDE 2's -t. 0, or -1 with errno (ENXIO: no free port). */
int ds_tap_add(struct sw *sw, const char *ifname);

#endif
