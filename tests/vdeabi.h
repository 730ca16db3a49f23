/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/vdeabi.h - the libvdeplug ABI as Debian ships it (vdeplug4, soname
 * libvdeplug.so.2, interface version 1), declared here on purpose rather
 * than taken from our header: tests/vdeabi_peer and bench/libbench are
 * compiled against it and linked with -l:libvdeplug.so.2 alone, so the
 * same binary runs on Debian's library or, with LD_LIBRARY_PATH, on ours */
#ifndef VDEKIT_TESTS_VDEABI_H
#define VDEKIT_TESTS_VDEABI_H

#include <sys/types.h>

#define ABI_INTERFACE_VERSION 1

struct vdeconn;
struct vde_open_args {
	int port;
	char *group;
	mode_t mode;
};
struct vdeconn *vde_open_real(char *vnl, char *descr, int interface_version,
			      struct vde_open_args *open_args);
ssize_t vde_recv(struct vdeconn *conn, void *buf, size_t len, int flags);
ssize_t vde_send(struct vdeconn *conn, const void *buf, size_t len, int flags);
int vde_datafd(struct vdeconn *conn);
int vde_ctlfd(struct vdeconn *conn);
int vde_close(struct vdeconn *conn);

#endif
