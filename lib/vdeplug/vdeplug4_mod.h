/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/vdeplug/vdeplug4_mod.h - the vdeplug4 plugin ABI (libvdeplug_mod.h)
 *
 * A vdeplug4 plugin libvdeplug_<module>.so exports "vdeplug_ops", this
 * struct; every connection it returns starts with {handle, module}, which
 * the loading library fills in. Shared by the loader (mod_plugin.c) and the
 * plugins this project builds (slirp/plugin.c).
 */
#ifndef VDEKIT_VDEPLUG4_MOD_H
#define VDEKIT_VDEPLUG4_MOD_H

#include <sys/types.h>

#include "libvdeplug.h"

struct vdeplug4_module {
	int flags;
	void *(*vde_open_real)(const char *vnl, char *descr, int interface_version,
			       struct vde_open_args *open_args);
	ssize_t (*vde_recv)(void *conn, void *buf, size_t len, int flags);
	ssize_t (*vde_send)(void *conn, const void *buf, size_t len, int flags);
	int (*vde_datafd)(void *conn);
	int (*vde_ctlfd)(void *conn);
	int (*vde_close)(void *conn);
};

/* the head of every vdeplug4 plugin connection */
struct vdeplug4_conn {
	void *handle;
	struct vdeplug4_module *module;
};

#endif
