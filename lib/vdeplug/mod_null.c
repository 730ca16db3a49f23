// SPDX-License-Identifier: LGPL-2.1-or-later
/* lib/vdeplug/mod_null.c - null:// module: a sink
 *
 * Frames sent are discarded; nothing is ever received. The data fd is an
 * eventfd that is never signalled, so poll() on it never fires and
 * vde_recv() on it fails with EAGAIN. Used to run a plug-based switch
 * stand-alone, or as a harmless placeholder in tests.
 */
#include "config.h"

#include <errno.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "mod.h"

static int null_open(VDECONN *conn, const struct vnl *v, const struct vde_open_opts *o)
{
	conn->fddata = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	conn->fdctl = -1;
	return conn->fddata < 0 ? -errno : 0;
}

static ssize_t null_recv(VDECONN *conn, void *buf, size_t len)
{
	errno = EAGAIN;
	return -1;
}

static ssize_t null_send(VDECONN *conn, const void *buf, size_t len)
{
	return (ssize_t)len;
}

static void null_close(VDECONN *conn)
{
	if (conn->fddata >= 0)
		close(conn->fddata);
	conn->fddata = -1;
}

const struct vde_module vdeplug_mod_null = {
	.name = "null",
	.open = null_open,
	.recv = null_recv,
	.send = null_send,
	.close = null_close,
};
