/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/vdeplug/mod.h - the connection object and the built-in module table
 *
 * Each module (mod_vde.c, mod_ptp.c, mod_udp.c, mod_null.c, mod_cmd.c, mod_tap.c,
 * mod_vxlan.c, mod_vxvde.c, mod_vhost.c, and mod_plugin.c for vdeplug4
 * plugins) fills a struct vde_module; libvdeplug.c dispatches the public
 * calls to it. A module's open() gets the parsed VNL and the legacy open args and
 * sets up conn->fddata / conn->fdctl and its private part of the union.
 */
#ifndef VDEKIT_VDEPLUG_MOD_H
#define VDEKIT_VDEPLUG_MOD_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include "libvdeplug.h"
#include "stream.h"
#include "vnl.h"

/* Bound on the wait for the switch's reply: Debian's vde_switch 2.3.2
 * never answers a refused port request. */
#define VDE_REPLY_TIMEOUT_MS	10000
#define VDE_LINGER_MS		1000	/* vde_close(): longest wait for the switch to read our frames */
/* Bound on the wait for the rest of a stream record (cmd://): the sender
 * writes header and frame together, so the rest is already on its way. */
#define VDE_RECORD_TIMEOUT_MS	1000

struct vdeplug4_module;
struct vde_fastpath;

struct vde_open_opts {
	const char *descr;		/* caller's label, may be NULL */
	unsigned int port;		/* 0 = any */
	bool port0;			/* REQ_NEW_PORT0 */
	const char *group;		/* NULL = none */
	mode_t mode;			/* never 0 here (0 means 0700) */
	bool vnet;			/* VDE_OPEN_VNET: ask for super-frames */
};

struct vdeconn {
	const struct vde_module *mod;
	int fddata;
	int fdctl;
	uint8_t *vnet_seg;		/* vde_send_vnet(): a super-frame cut (lazy) */
	union {
		struct {
			char sock[sizeof(((struct sockaddr_un *)0)->sun_path)];
			bool sock_bound;	/* unlink sock at close */
			struct vde_fastpath *fp;	/* rings in use (fastpath.c) */
			bool closed;		/* a batch met the switch's close */
		} vde;
		struct {			/* ptp, udp and vde-2 p2p */
			struct sockaddr_storage peer;
			socklen_t peerlen;
			char sock[sizeof(((struct sockaddr_un *)0)->sun_path)];
			bool sock_bound;
		} p2p;
		struct {
			pid_t pid;
			struct stream_rx *rx;
		} cmd;
		struct {			/* vdeplug4 plugin (mod_plugin.c) */
			void *handle;
			const struct vdeplug4_module *ops;
			void *pconn;
		} plugin;
		/* Modules with larger state (vxlan, vhost-user, the
		 * shared-memory fast path) keep it behind one pointer that their
		 * close() frees. */
		void *priv;
	} u;
};

struct vde_module {
	const char *name;
	int (*open)(VDECONN *conn, const struct vnl *v, const struct vde_open_opts *o);
	ssize_t (*recv)(VDECONN *conn, void *buf, size_t len);
	ssize_t (*send)(VDECONN *conn, const void *buf, size_t len);
	void (*close)(VDECONN *conn);	/* releases fds and private state */
	/* Optional batch ops, semantics of vde_recv_batch()/vde_send_batch();
	 * NULL: libvdeplug.c loops over recv/send. */
	ssize_t (*recv_batch)(VDECONN *conn, struct vde_msg *msg, unsigned int n);
	ssize_t (*send_batch)(VDECONN *conn, const struct vde_msg *msg, unsigned int n);
	/* Optional, semantics of vde_recv_vnet()/vde_send_vnet() (@flags of
	 * the latter passed on); NULL: vdeplug_vnet_recv()/_send(). */
	ssize_t (*recv_vnet)(VDECONN *conn, struct vde_msg *msg, unsigned int n);
	ssize_t (*send_vnet)(VDECONN *conn, const struct vde_msg *msg, unsigned int n,
			     int flags);
};

/* vde_recv_vnet()/vde_send_vnet() for a connection that carries wire frames
 * only: zeroed headers on receive; super-frames cut and partial checksums
 * completed (lib/common/vnet.c) before sending. */
ssize_t vdeplug_vnet_recv(VDECONN *conn, struct vde_msg *msg, unsigned int n);

/**
 * vdeplug_vnet_frames() - where each vde_recv_vnet() buffer holds its frame
 * (vdeplug_vnet_recv() and the fast path's fastpath_recv_vnet())
 * @msg:	the caller's buffers: VDE_VNET_HDR_LEN bytes of header, then
 *		room for the frame
 * @n:		how many
 * @frame:	@n places: the part of each buffer behind its header
 *
 * Return: 0, or -1 with errno EINVAL if a buffer cannot hold the header
 * (nothing may be received then).
 */
static inline int vdeplug_vnet_frames(const struct vde_msg *msg, unsigned int n,
				      struct vde_msg *frame)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (msg[i].len < VDE_VNET_HDR_LEN) {
			errno = EINVAL;
			return -1;
		}
		frame[i].buf = (uint8_t *)msg[i].buf + VDE_VNET_HDR_LEN;
		frame[i].len = msg[i].len - VDE_VNET_HDR_LEN;
	}
	return 0;
}
ssize_t vdeplug_vnet_send(VDECONN *conn, const struct vde_msg *msg, unsigned int n,
			  int flags);

extern const struct vde_module vdeplug_mod_vde;
extern const struct vde_module vdeplug_mod_ptp;
extern const struct vde_module vdeplug_mod_udp;
extern const struct vde_module vdeplug_mod_null;
extern const struct vde_module vdeplug_mod_cmd;
extern const struct vde_module vdeplug_mod_tap;
extern const struct vde_module vdeplug_mod_plugin;
extern const struct vde_module vdeplug_mod_vxlan;
extern const struct vde_module vdeplug_mod_vxvde;
extern const struct vde_module vdeplug_mod_vhost;

/* Modules that are not built in: load vdeplug4's plugin. 0 or -errno. */
int vdeplug_plugin_open(VDECONN *conn, const char *vnl, char *descr,
			int interface_version, struct vde_open_args *args);

/* Shared by the datagram cable modules (ptp, udp, vde-2 p2p). */
ssize_t vdeplug_p2p_recv(VDECONN *conn, void *buf, size_t len);
ssize_t vdeplug_p2p_send(VDECONN *conn, const void *buf, size_t len);

/* chgrp (@group, NULL: none) and chmod our socket file. 0 or -errno. */
int vdeplug_set_perms(const char *path, mode_t mode, const char *group);

/* ptp open on a path; also used by the vde module for VDE 2's "DIR[]"
 * (@server) and for a path that is a datagram socket (client). */
int vdeplug_ptp_open_path(VDECONN *conn, const char *path, mode_t mode,
		      const char *group, int force_server);

#endif
