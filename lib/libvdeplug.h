/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libvdeplug.h - the VDE client library, vdekit implementation
 *
 * Drop-in for VDE 2's and vdeplug4's libvdeplug.so.2: same names, same
 * struct layout, same macros, same bytes on every wire. A program compiled
 * against either of those headers runs unchanged against this library.
 *
 * A connection is opened on a VNL (Virtual Network Locator),
 * "module://address": vde:// (or a bare path) attaches to a vde_switch,
 * ptp:// is a point-to-point cable over an AF_UNIX datagram socket, udp://
 * a cable over UDP, cmd:// a byte stream through a command's stdin/stdout,
 * null:// a sink. See libvdeplug(3) and vde(7).
 *
 * Every function returns -1 (or NULL) with errno set on failure; the library
 * never prints and never exits.
 */
#ifndef _LIBVDEPLUG_H
#define _LIBVDEPLUG_H

#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LIBVDEPLUG_INTERFACE_VERSION 1

/* Largest payload (MTU) and largest frame (Ethernet header + 802.1Q tag). */
#define VDE_MAXMTU 9216
#ifndef VDE_ETHBUFSIZE
#define VDE_ETHBUFSIZE (VDE_MAXMTU + 14 + 4)
#endif

struct vdeconn;
typedef struct vdeconn VDECONN;

/* Legacy open options (VDE 2); may be NULL. Same layout as VDE 2:
 * port at offset 0, group at 8, mode at 16 (LP64). port 0 = any free port,
 * port -1 = point-to-point server on the given path; mode 0 = 0700. */
struct vde_open_args {
	int port;
	char *group;
	mode_t mode;
};

#define vde_open(vde_switch, descr, open_args) \
	vde_open_real((vde_switch), (descr), LIBVDEPLUG_INTERFACE_VERSION, (open_args))

/* vde_open_real() - open a connection on @vde_switch (a VNL; NULL or "" =
 * the default switch). @descr labels the port (shown by port/print).
 * Returns the connection, or NULL with errno set. */
VDECONN *vde_open_real(char *vde_switch, char *descr, int interface_version,
		       struct vde_open_args *open_args);

/* vde_recv() - receive one frame. Returns its length, 0 when no frame was
 * delivered (peer reset, end of stream), -1 with errno (EAGAIN: nothing
 * complete yet). @flags is ignored. */
ssize_t vde_recv(VDECONN *conn, void *buf, size_t len, int flags);

/* vde_send() - send one frame. Returns @len, or -1 with errno. */
ssize_t vde_send(VDECONN *conn, const void *buf, size_t len, int flags);

/* Batches (vdekit extension, not in VDE 2 or vdeplug4: test for
 * VDE_HAVE_BATCH). Correct for every module, built-in or plugin: modules
 * that can (vde://) use recvmmsg/sendmmsg, the others loop over their own
 * receive and send, so a nested VNL (vlan://, agno://) still does its work.
 * A receive never waits; a send stops at the first frame the connection
 * does not take (modules whose send blocks may wait there). */
#define VDE_HAVE_BATCH 1

struct vde_msg {
	void *buf;
	size_t len;		/* in: capacity of buf; out (receive): frame length */
};

/* vde_recv_batch() - receive up to @n frames into @msg[0..n). Returns the
 * number of frames (each msg[i].len set), 0 when the connection is closed,
 * -1 with errno (EAGAIN: no frame now). @flags: 0. */
ssize_t vde_recv_batch(VDECONN *conn, struct vde_msg *msg, unsigned int n, int flags);

/* vde_send_batch() - send @msg[0..n). Returns the number of frames taken
 * (from the start; fewer than @n when the connection is full), or -1 with
 * errno when none was (EAGAIN: full). @flags: 0. */
ssize_t vde_send_batch(VDECONN *conn, const struct vde_msg *msg, unsigned int n, int flags);

/* Virtio-net headers (vdekit extension: test for VDE_HAVE_VNET). For a
 * program whose frames come from (or go to) a tap opened with IFF_VNET_HDR:
 * TCP super-frames of up to 64 KiB (TSO/GSO) and frames with a partial
 * checksum travel with their header. Each buffer of the two calls below
 * starts with a struct virtio_net_hdr (<linux/virtio_net.h>, 10 bytes,
 * host byte order: what such a tap reads and writes by default), followed
 * by the frame; msg[i].len counts both.
 *
 * Every connection takes them. Between our library and our vde_switch,
 * opened with VDE_OPEN_VNET, super-frames cross the shared-memory rings
 * whole (the switch cuts them only for peers that cannot take them);
 * anywhere else (datagrams, VDE 2 switches, cables, plugins) the library
 * cuts a super-frame into wire frames and completes a partial checksum
 * before sending, and received frames come with a zeroed header. */
#define VDE_HAVE_VNET 1
#define VDE_VNET_HDR_LEN 10		/* sizeof(struct virtio_net_hdr) */
#define VDE_VNET_BUFSIZE (VDE_VNET_HDR_LEN + 65600)	/* holds any frame */

/* vde_open_flags() flags */
#define VDE_OPEN_VNET 0x1		/* ask the switch for super-frames */

/* vde_send_vnet() flags */
#define VDE_SEND_WAIT 0x1		/* wait for room for each frame, as vde_send() */

/* vde_open_flags() - vde_open() with @flags (VDE_OPEN_VNET, or 0: the same
 * as vde_open()). */
VDECONN *vde_open_flags(char *vde_switch, char *descr, struct vde_open_args *open_args,
			unsigned int flags);

/* vde_recv_vnet() - vde_recv_batch() with a header before each frame:
 * msg[i].buf holds VDE_VNET_HDR_LEN + frame, msg[i].len its capacity in,
 * header + frame length out. Each buffer must hold at least the header
 * (EINVAL). @flags: 0. */
ssize_t vde_recv_vnet(VDECONN *conn, struct vde_msg *msg, unsigned int n, int flags);

/* vde_send_vnet() - vde_send_batch() with a header before each frame.
 * Returns the number of frames taken, or -1 with errno. Without
 * VDE_SEND_WAIT it never waits: a super-frame the library has to cut counts
 * as taken once its first segment is, and segments the connection does not
 * take then are lost, as on a congested wire; with it, each frame (each
 * segment) waits for room where vde_send() would. Errors:
 * EAGAIN (full), EINVAL (the first frame's header or length is malformed:
 * skip it). @flags: 0 or VDE_SEND_WAIT. */
ssize_t vde_send_vnet(VDECONN *conn, const struct vde_msg *msg, unsigned int n, int flags);

/* vde_datafd() - fd to poll for incoming frames. */
int vde_datafd(VDECONN *conn);

/* vde_ctlfd() - control stream (silent; readable or EOF = switch gone),
 * -1 for modules without one. */
int vde_ctlfd(VDECONN *conn);

/* vde_close() - close the connection and free it. 0 or -1. */
int vde_close(VDECONN *conn);

/* Byte-stream framing used over pipes, stdin/stdout and ssh: each frame is
 * a 2-byte big-endian length followed by the frame. */
#define PACKET_LENGTH_ERROR 1

struct vdestream;
typedef struct vdestream VDESTREAM;

VDESTREAM *vdestream_open(void *opaque, int fdout,
			  ssize_t (*frecv)(void *opaque, void *buf, size_t count),
			  void (*ferr)(void *opaque, int type, char *format, ...));
ssize_t vdestream_send(VDESTREAM *vdestream, const void *buf, size_t len);
void vdestream_recv(VDESTREAM *vdestream, unsigned char *buf, size_t len);
void vdestream_close(VDESTREAM *vdestream);

#ifdef __cplusplus
}
#endif

#endif
