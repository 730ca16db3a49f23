/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capture/capclient.h - open a capture port on a vde_switch (client I/O)
 *
 * The socket side of the request in capreq.h: connect DIR/ctl, bind a
 * datagram socket, send the capture request, wait (bounded) for the reply
 * with its "VCAP" acknowledgement, connect to the switch's data socket.
 */
#ifndef VDEKIT_CAPTURE_CAPCLIENT_H
#define VDEKIT_CAPTURE_CAPCLIENT_H

#include <stddef.h>

#include "capreq.h"

#define CAPCLIENT_REPLY_MS	5000	/* bound on the wait for the switch's reply */

struct capclient {
	int ctl_fd;			/* stream to DIR/ctl: EOF = switch gone */
	int data_fd;			/* datagrams: header + frame */
	size_t hdrlen;			/* per-frame header length from the reply */
};

/**
 * capclient_open() - ask switch @dir for a capture port
 * @dir:	the switch directory (as vde_switch -s)
 * @port:	filter port, 0 = every port
 * @vlan:	filter VLAN, CAPREQ_VLAN_ANY = every VLAN
 * @snaplen:	bytes of each frame the switch sends, 0 = whole frames
 * @c:		filled on success
 * @err, @errlen: message on failure
 *
 * Return: 0, or -1 with a message saying why (no switch, refused: a VDE 2
 * switch or a switch without capture ports, timeout).
 */
int capclient_open(const char *dir, unsigned port, unsigned vlan, unsigned snaplen,
		   struct capclient *c, char *err, size_t errlen);

void capclient_close(struct capclient *c);

#endif
