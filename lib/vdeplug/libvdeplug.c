// SPDX-License-Identifier: LGPL-2.1-or-later
/* lib/vdeplug/libvdeplug.c - public VDE API: VNL dispatch to built-in modules
 *
 * vde_open_real() parses the VNL (vnl.c), resolves the default switch when
 * none is named, merges the legacy struct vde_open_args with the VNL's own
 * parameters (VNL wins) and hands over to the module. The other calls just
 * dispatch. vde, ptp, udp, null, cmd and tap are built in; any other module
 * name is looked up as a vdeplug4 plugin (mod_plugin.c). The library never
 * prints and never exits.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mod.h"
#include "vnet.h"

static const struct vde_module *const modules[] = {
	[VNL_VDE] = &vdeplug_mod_vde,
	[VNL_PTP] = &vdeplug_mod_ptp,
	[VNL_UDP] = &vdeplug_mod_udp,
	[VNL_NULL] = &vdeplug_mod_null,
	[VNL_CMD] = &vdeplug_mod_cmd,
	[VNL_TAP] = &vdeplug_mod_tap,
	[VNL_VXLAN] = &vdeplug_mod_vxlan,
	[VNL_VXVDE] = &vdeplug_mod_vxvde,
	[VNL_VHOST] = &vdeplug_mod_vhost,
};

/* First line of @path (a "default" file holding a VNL), without newline. */
static int read_first_line(const char *path, char *line, size_t size)
{
	int fd, ret = -1;
	ssize_t n;
	char *nl;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, line, size - 1);
	if (n < 0)
		goto out;
	line[n] = '\0';
	nl = strchr(line, '\n');
	if (nl)
		*nl = '\0';
	if (nl && nl > line && nl[-1] == '\r')
		nl[-1] = '\0';
	ret = 0;
out:
	close(fd);
	return ret;
}

static const char *home_dir(void)
{
	const char *home = getenv("HOME");
	struct passwd *pw;

	if (home && *home)
		return home;
	pw = getpwuid(getuid());
	return pw ? pw->pw_dir : NULL;
}

/* Default switch: ~/.vdeplug/default, ~/.vde2/default.switch (a switch dir,
 * a symlink to one, or a file whose first line is a VNL), ~/.vde2/stdsock,
 * then /var/run/vde.ctl, /tmp/vde.ctl. Re-parses @v. 0 or -errno. */
static int default_switch(struct vnl *v)
{
	static const char *const rel[] = {
		"/.vdeplug/default", "/.vde2/default.switch", "/.vde2/stdsock",
	};
	static const char *const sys[] = { "/var/run/vde.ctl", "/tmp/vde.ctl" };
	const char *home = home_dir();
	char path[VNL_PATHMAX];
	struct stat st;
	size_t i;

	for (i = 0; home && i < sizeof(rel) / sizeof(rel[0]); i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s%s", home, rel[i]) >= sizeof(path))
			continue;
		if (lstat(path, &st))
			continue;
		if (S_ISREG(st.st_mode)) {
			char line[VNL_PATHMAX];
			int ret;

			if (read_first_line(path, line, sizeof(line)))
				return -errno;
			ret = vnl_parse(line, v);
			if (ret)
				return ret;
			/* one level only: an empty VNL in the file is an error */
			if (v->kind == VNL_VDE && !v->path[0])
				return -ENOENT;
			return 0;
		}
		return vnl_parse(path, v);
	}
	for (i = 0; i < sizeof(sys) / sizeof(sys[0]); i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/ctl", sys[i]) >= sizeof(path))
			continue;
		if (!stat(path, &st) && S_ISSOCK(st.st_mode))
			return vnl_parse(sys[i], v);
	}
	/* VDE 2's old layout: /tmp/vde.ctl is the ctl socket itself */
	return vnl_parse("/tmp/vde.ctl", v);
}

/**
 * vde_open_common() - open a connection to the network named by a VNL
 * (vde_open_real(), vde_open_flags())
 * @vde_switch:		VNL (NULL or "" = default switch)
 * @descr:		port description, may be NULL
 * @interface_version:	LIBVDEPLUG_INTERFACE_VERSION (checked when
 *			@open_args is given)
 * @open_args:		legacy options, may be NULL
 * @flags:		VDE_OPEN_VNET or 0 (anything else: EINVAL)
 *
 * Return: the connection, or NULL with errno: EINVAL (bad VNL or version),
 * EPROTONOSUPPORT (unknown module, no plugin for it), ENOMEM, ETIMEDOUT / ECONNREFUSED (the
 * switch did not grant the port), or the errno of the failing syscall.
 */
static VDECONN *vde_open_common(char *vde_switch, char *descr, int interface_version,
				struct vde_open_args *open_args, unsigned int flags)
{
	struct vde_open_opts o = { .descr = descr, .mode = 0700,
				   .vnet = flags & VDE_OPEN_VNET };
	struct vnl *v = NULL;
	VDECONN *conn = NULL;
	const struct vde_module *mod;
	int err;

	if ((open_args && interface_version != LIBVDEPLUG_INTERFACE_VERSION) ||
	    (flags & ~(unsigned int)VDE_OPEN_VNET)) {
		err = EINVAL;
		goto fail;
	}
	v = malloc(sizeof(*v));
	conn = calloc(1, sizeof(*conn));
	if (!v || !conn) {
		err = ENOMEM;
		goto fail;
	}
	conn->fddata = conn->fdctl = -1;
	err = -vnl_parse(vde_switch, v);
	if (err == EPROTONOSUPPORT) {
		conn->mod = &vdeplug_mod_plugin;
		err = -vdeplug_plugin_open(conn, vde_switch, descr, interface_version, open_args);
		if (err)
			goto fail;
		free(v);
		return conn;
	}
	if (!err && v->kind == VNL_VDE && !v->path[0])
		err = -default_switch(v);
	if (err)
		goto fail;

	if (v->has_port) {
		o.port = v->port;
		o.port0 = v->port == 0;
	} else if (open_args && open_args->port > 0) {
		o.port = (unsigned int)open_args->port;
	}
	o.group = v->group[0] ? v->group : open_args ? open_args->group : NULL;
	if (v->has_mode && v->mode)
		o.mode = v->mode;
	else if (!v->has_mode && open_args && open_args->mode)
		o.mode = open_args->mode;

	if (v->kind == VNL_VDE && (v->ptp_server || (open_args && open_args->port == -1))) {
		/* VDE 2's point-to-point server "DIR[]": same protocol as ptp:// */
		conn->mod = &vdeplug_mod_ptp;
		err = -vdeplug_ptp_open_path(conn, v->path, o.mode, o.group, 1);
	} else {
		mod = modules[v->kind];
		conn->mod = mod;
		err = -mod->open(conn, v, &o);
	}
	if (err)
		goto fail;
	free(v);
	return conn;
fail:
	free(v);
	free(conn);
	errno = err;
	return NULL;
}

/* vde_open_real() - vde_open_common() without flags (the VDE 2 call) */
VDECONN *vde_open_real(char *vde_switch, char *descr, int interface_version,
		       struct vde_open_args *open_args)
{
	return vde_open_common(vde_switch, descr, interface_version, open_args, 0);
}

/**
 * vde_open_flags() - vde_open() with flags
 * @vde_switch:	VNL (NULL or "" = default switch)
 * @descr:	port description, may be NULL
 * @open_args:	legacy options, may be NULL
 * @flags:	VDE_OPEN_VNET: ask our switch for super-frames on the rings
 *		(only vde:// uses it; the others ignore it), or 0
 *
 * Return: the connection, or NULL with errno (EINVAL: an unknown flag).
 */
VDECONN *vde_open_flags(char *vde_switch, char *descr, struct vde_open_args *open_args,
			unsigned int flags)
{
	return vde_open_common(vde_switch, descr, LIBVDEPLUG_INTERFACE_VERSION, open_args,
			       flags);
}

/**
 * vde_recv() - receive one frame
 * @conn:	connection
 * @buf:	buffer (VDE_ETHBUFSIZE bytes hold any frame)
 * @len:	its size; longer frames are truncated
 * @flags:	ignored
 *
 * Return: frame length, 0 if no frame was delivered (zero-length datagram,
 * peer reset, end of stream), -1 with errno.
 */
ssize_t vde_recv(VDECONN *conn, void *buf, size_t len, int flags)
{
	if (!conn) {
		errno = EBADF;
		return -1;
	}
	return conn->mod->recv(conn, buf, len);
}

/**
 * vde_send() - send one frame
 * @conn:	connection
 * @buf:	frame
 * @len:	its length
 * @flags:	ignored
 *
 * Return: @len, or -1 with errno.
 */
ssize_t vde_send(VDECONN *conn, const void *buf, size_t len, int flags)
{
	if (!conn) {
		errno = EBADF;
		return -1;
	}
	return conn->mod->send(conn, buf, len);
}

/* Is @fd readable (or writable) right now? Never waits. */
static bool fd_ready(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };

	return fd >= 0 && poll(&p, 1, 0) > 0 && (p.revents & (events | POLLHUP | POLLERR));
}

/*
 * batch_args() - the argument checks shared by the batch calls
 * (vde_recv_batch(), vde_send_batch(), vde_recv_vnet(), vde_send_vnet())
 * @conn:	connection
 * @msg:	the caller's array
 * @n:		its length
 *
 * Nothing is looked at beyond the two pointers: the modules check each
 * buffer.
 *
 * Return: -1 with EBADF for a NULL connection or array (whatever @n), 0
 * for an empty batch (errno left alone): the call returns that; 1: it
 * goes on.
 */
static ssize_t batch_args(const VDECONN *conn, const struct vde_msg *msg, unsigned int n)
{
	if (!conn || !msg) {
		errno = EBADF;
		return -1;
	}
	return n != 0;
}

/**
 * vde_recv_batch() - receive up to @n frames
 * @conn:	connection
 * @msg:	buffers (len: capacity in, frame length out)
 * @n:		number of buffers
 * @flags:	0
 *
 * The module's own batch receive when it has one; otherwise its receive in
 * a loop, asking the data fd (poll, no wait) before every frame, so the
 * call never waits. Frames the module drops
 * (length 1, the libvdeplug "arrived, ignore" answer) are not returned.
 *
 * Return: frames received, 0 when the connection is closed, -1 with errno
 * (EAGAIN when no frame is there).
 */
ssize_t vde_recv_batch(VDECONN *conn, struct vde_msg *msg, unsigned int n, int flags)
{
	unsigned int got = 0, i;
	ssize_t ret;

	(void)flags;
	if ((ret = batch_args(conn, msg, n)) <= 0)
		return ret;
	if (conn->mod->recv_batch)
		return conn->mod->recv_batch(conn, msg, n);
	for (i = 0; i < n && got < n; i++) {
		ssize_t r;

		if (!fd_ready(conn->fddata, POLLIN))
			break;
		r = conn->mod->recv(conn, msg[got].buf, msg[got].len);
		if (r < 0 || r == 0) {
			if (got)	/* report the rest on the next call */
				break;
			return r;
		}
		if (r == 1)		/* the module dropped it */
			continue;
		msg[got++].len = (size_t)r;
	}
	if (!got) {
		errno = EAGAIN;
		return -1;
	}
	return (ssize_t)got;
}

/**
 * vde_send_batch() - send up to @n frames
 * @conn:	connection
 * @msg:	frames
 * @n:		number of frames
 * @flags:	0
 *
 * The module's own batch send when it has one; otherwise its send in a
 * loop, stopping at the first frame it does not take.
 *
 * Return: frames taken (from the first), -1 with errno when none was.
 */
ssize_t vde_send_batch(VDECONN *conn, const struct vde_msg *msg, unsigned int n, int flags)
{
	unsigned int i;
	ssize_t ret;

	(void)flags;
	if ((ret = batch_args(conn, msg, n)) <= 0)
		return ret;
	if (conn->mod->send_batch)
		return conn->mod->send_batch(conn, msg, n);
	for (i = 0; i < n; i++) {
		if (conn->mod->send(conn, msg[i].buf, msg[i].len) < 0) {
			if (i)
				break;
			return -1;
		}
	}
	return (ssize_t)i;
}

#define VNET_CHUNK	64	/* frames per inner batch */
#define VNET_SEG_MAX	1024	/* segments of one super-frame (MSS >= 64) */
#define VNET_SEG_ROOM	(VNET_MAX_PKT + VNET_SEG_MAX * 160)

/* A super-frame cut into wire frames (conn->vnet_seg). */
struct vnet_scratch {
	size_t lens[VNET_SEG_MAX];
	uint8_t buf[VNET_SEG_ROOM];
};

/**
 * vdeplug_vnet_recv() - vde_recv_vnet() on a connection of wire frames
 * @conn:	connection
 * @msg:	buffers: header, then frame
 * @n:		how many
 *
 * Return: as vde_recv_batch(); each header zeroed.
 */
ssize_t vdeplug_vnet_recv(VDECONN *conn, struct vde_msg *msg, unsigned int n)
{
	struct vde_msg m[VNET_CHUNK];
	unsigned int i;
	ssize_t r;

	if (n > VNET_CHUNK)
		n = VNET_CHUNK;
	if (vdeplug_vnet_frames(msg, n, m))
		return -1;
	r = vde_recv_batch(conn, m, n, 0);
	for (i = 0; r > 0 && i < (unsigned int)r; i++) {
		memset(msg[i].buf, 0, VDE_VNET_HDR_LEN);
		msg[i].len = m[i].len + VDE_VNET_HDR_LEN;
	}
	return r;
}

/* Send @k wire frames; @wait (VDE_SEND_WAIT): for room for each of them,
 * where vde_send() would wait. Return: how many were taken, -1 (errno) if
 * none. */
static ssize_t vnet_send_wire(VDECONN *conn, const struct vde_msg *m, unsigned int k, bool wait)
{
	unsigned int done = 0;
	ssize_t r;

	while (done < k) {
		r = vde_send_batch(conn, m + done, k - done, 0);
		if (r > 0) {
			done += (unsigned int)r;
			continue;
		}
		if (!wait || errno != EAGAIN)
			break;
		/* vde_send() waits where the connection can (a blocking
		 * socket, a full ring of a blocking connection) */
		if (conn->mod->send(conn, m[done].buf, m[done].len) < 0)
			break;
		done++;
	}
	return done ? (ssize_t)done : -1;
}

/* Cut (or checksum) one frame with header @h into conn->vnet_seg and send
 * the pieces. 1 taken, 0 not taken (errno), -1 malformed (EINVAL). */
static int vnet_send_cut(VDECONN *conn, const struct virtio_net_hdr *h, const uint8_t *frame,
			 size_t len, bool wait)
{
	struct vnet_scratch *sc = (struct vnet_scratch *)conn->vnet_seg;
	struct vde_msg m[VNET_CHUNK];
	unsigned int nseg, i, k;
	size_t off = 0;
	ssize_t r;
	int ret;

	if (!sc) {
		sc = malloc(sizeof(*sc));
		if (!sc)
			return 0;	/* errno ENOMEM */
		conn->vnet_seg = (uint8_t *)sc;
	}
	if (h->gso_type == VIRTIO_NET_HDR_GSO_NONE) {
		if (len > sizeof(sc->buf))
			goto bad;
		memcpy(sc->buf, frame, len);
		if (vnet_finish_csum(h, sc->buf, len) < 0)
			goto bad;
		sc->lens[0] = len;
		nseg = 1;
	} else {
		ret = vnet_segment(h, frame, len, sc->buf, sizeof(sc->buf), sc->lens,
				   VNET_SEG_MAX);
		if (ret < 0)
			goto bad;
		nseg = (unsigned int)ret;
	}
	for (i = 0; i < nseg; i += k) {
		for (k = 0; k < VNET_CHUNK && i + k < nseg; k++) {
			m[k].buf = sc->buf + off;
			m[k].len = sc->lens[i + k];
			off += sc->lens[i + k];
		}
		r = vnet_send_wire(conn, m, k, wait);
		if (i == 0 && r <= 0)
			return 0;	/* the first segment was not taken */
		if (r < (ssize_t)k)
			break;		/* no wait: the rest is lost, as on a congested wire */
	}
	return 1;
bad:
	errno = EINVAL;
	return -1;
}

/**
 * vdeplug_vnet_send() - vde_send_vnet() on a connection of wire frames
 * @conn:	connection
 * @msg:	header, then frame
 * @n:		how many
 * @flags:	0 or VDE_SEND_WAIT
 *
 * Return: as vde_send_vnet().
 */
ssize_t vdeplug_vnet_send(VDECONN *conn, const struct vde_msg *msg, unsigned int n,
			  int flags)
{
	struct vde_msg m[VNET_CHUNK];
	unsigned int i, k = 0, taken = 0;
	int err = 0;
	ssize_t r;

	for (i = 0; i <= n; i++) {
		struct virtio_net_hdr h;
		const uint8_t *frame = NULL;
		size_t len = 0;
		bool plain = false;
		int c;

		if (i < n) {
			if (msg[i].len < VDE_VNET_HDR_LEN) {
				err = EINVAL;
				break;
			}
			memcpy(&h, msg[i].buf, VDE_VNET_HDR_LEN);
			frame = (const uint8_t *)msg[i].buf + VDE_VNET_HDR_LEN;
			len = msg[i].len - VDE_VNET_HDR_LEN;
			plain = !(h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
				h.gso_type == VIRTIO_NET_HDR_GSO_NONE;
			if (plain) {
				m[k].buf = (void *)frame;
				m[k].len = len;
				k++;
			}
		}
		/* wire frames leave in batches, in order with the cut ones */
		if (k && (k == VNET_CHUNK || i == n || !plain || i + 1 == n)) {
			r = vnet_send_wire(conn, m, k, flags & VDE_SEND_WAIT);
			if (r < 0) {
				err = errno;
				break;
			}
			taken += (unsigned int)r;
			if (r < (ssize_t)k) {
				k = 0;
				break;
			}
			k = 0;
		}
		if (i == n || plain)
			continue;
		c = vnet_send_cut(conn, &h, frame, len, flags & VDE_SEND_WAIT);
		if (c <= 0) {
			err = errno;
			break;
		}
		taken++;
	}
	if (!taken && n) {
		errno = err ? err : EAGAIN;
		return -1;
	}
	return (ssize_t)taken;
}

/**
 * vde_recv_vnet() - receive up to @n frames, each behind its virtio_net_hdr
 * @conn:	connection
 * @msg:	buffers (len: capacity in, header + frame length out)
 * @n:		number of buffers
 * @flags:	0
 *
 * Return: as vde_recv_batch().
 */
ssize_t vde_recv_vnet(VDECONN *conn, struct vde_msg *msg, unsigned int n, int flags)
{
	ssize_t ret;

	(void)flags;
	if ((ret = batch_args(conn, msg, n)) <= 0)
		return ret;
	if (conn->mod->recv_vnet)
		return conn->mod->recv_vnet(conn, msg, n);
	return vdeplug_vnet_recv(conn, msg, n);
}

/**
 * vde_send_vnet() - send @msg[0..n), each a virtio_net_hdr and a frame
 * @conn:	connection
 * @msg:	frames
 * @n:		number of frames
 * @flags:	0 or VDE_SEND_WAIT
 *
 * Return: frames taken (from the first), -1 with errno when none was.
 */
ssize_t vde_send_vnet(VDECONN *conn, const struct vde_msg *msg, unsigned int n, int flags)
{
	ssize_t ret;

	if ((ret = batch_args(conn, msg, n)) <= 0)
		return ret;
	if (conn->mod->send_vnet)
		return conn->mod->send_vnet(conn, msg, n, flags);
	return vdeplug_vnet_send(conn, msg, n, flags);
}

/**
 * vde_datafd() - file descriptor to poll for incoming frames
 * @conn:	connection
 *
 * Return: the fd, or -1 with errno EBADF.
 */
int vde_datafd(VDECONN *conn)
{
	if (!conn) {
		errno = EBADF;
		return -1;
	}
	return conn->fddata;
}

/**
 * vde_ctlfd() - the control stream of a switch connection
 * @conn:	connection
 *
 * The stream is silent after the handshake: readable or EOF means the
 * switch closed the port.
 *
 * Return: the fd, or -1 if the module has none (or EBADF).
 */
int vde_ctlfd(VDECONN *conn)
{
	if (!conn) {
		errno = EBADF;
		return -1;
	}
	return conn->fdctl;
}

/**
 * vde_close() - close a connection and free it
 * @conn:	connection
 *
 * Return: 0, or -1 with errno EBADF for NULL.
 */
int vde_close(VDECONN *conn)
{
	if (!conn) {
		errno = EBADF;
		return -1;
	}
	conn->mod->close(conn);
	free(conn->vnet_seg);
	free(conn);
	return 0;
}
