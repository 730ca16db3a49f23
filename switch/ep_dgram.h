/* SPDX-License-Identifier: GPL-2.0-or-later */
/* switch/ep_dgram.h - VDE 2 clients' datagram sockets as switch endpoints
 *
 * The endpoint kind of every client that came through DIR/ctl: a datagram
 * socket DIR/NNN.FD connected to the client's own socket, living exactly
 * as long as the client's ctl stream (whose fd is the endpoint's ID).
 */
#ifndef VDEKIT_SWITCH_EP_DGRAM_H
#define VDEKIT_SWITCH_EP_DGRAM_H

#include <sys/types.h>

#include "ctlreq.h"

struct sw;
struct endpoint;

/* A datagram endpoint's state (ep->priv). A kind that takes such an
 * endpoint over (ep_ring.c) keeps it first in its own state, so that
 * ep_dgram_close() still applies. */
struct ep_dgram {
	int ctl_fd;			/* -1 until the request is granted */
	char path[CTL_PATH_MAX + 1];	/* our data socket, "" if not bound */
};

/**
 * ep_dgram_peer() - open the client's socket file for a check without a
 * race: O_PATH, not following a symlink as the last component
 * @path:	the path the client named in its request
 * @user:	the client's user (SO_PEERCRED of its ctl stream)
 *
 * Return: an O_PATH fd of a socket owned by @user (any owner if @user is
 * root), to be passed to ep_dgram_open() and closed by the caller; or -1
 * with errno: as open(), ELOOP (a symlink), ENOTSOCK, EACCES (another
 * user's socket).
 */
int ep_dgram_peer(const char *path, uid_t user);

/**
 * ep_dgram_open() - grant a control request: open, bind and connect the
 * data socket, send the reply, attach the endpoint to @port
 * @sw:		switch
 * @ctl_fd:	the client's ctl stream (not watched by the loop); it
 *		becomes the endpoint's on success, stays the caller's on error
 * @req:	the parsed request
 * @peer:	the client's socket, from ep_dgram_peer() (stays the caller's)
 * @user:	the client's user (SO_PEERCRED of the ctl stream)
 * @port:	the port port_select() chose
 * @why:	on error, the step that failed (for the log line)
 *
 * Return: 0, or -1 with errno.
 */
int ep_dgram_open(struct sw *sw, int ctl_fd, const struct ctl_request *req, int peer,
		  uid_t user, unsigned port, const char **why);

/* ep_dgram_find() - the datagram endpoint whose data socket is bound at
 * @path (what its reply named), or NULL. */
struct endpoint *ep_dgram_find(struct sw *sw, const char *path);

/* ep_dgram_close() - ops->close of a datagram endpoint: unregister and
 * close the data socket and the ctl stream, unlink the socket file. */
void ep_dgram_close(struct endpoint *ep);

#endif
