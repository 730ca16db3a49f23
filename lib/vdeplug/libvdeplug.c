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
 * vde_open_real() - open a connection to the network named by a VNL
 * @vde_switch:		VNL (NULL or "" = default switch)
 * @descr:		port description, may be NULL
 * @interface_version:	LIBVDEPLUG_INTERFACE_VERSION (checked when
 *			@open_args is given)
 * @open_args:		legacy options, may be NULL
 *
 * Return: the connection, or NULL with errno: EINVAL (bad VNL or version),
 * EPROTONOSUPPORT (unknown module, no plugin for it), ENOMEM, ETIMEDOUT / ECONNREFUSED (the
 * switch did not grant the port), or the errno of the failing syscall.
 */
VDECONN *vde_open_real(char *vde_switch, char *descr, int interface_version,
		       struct vde_open_args *open_args)
{
	struct vde_open_opts o = { .descr = descr, .mode = 0700 };
	struct vnl *v = NULL;
	VDECONN *conn = NULL;
	const struct vde_module *mod;
	int err;

	if (open_args && interface_version != LIBVDEPLUG_INTERFACE_VERSION) {
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

	(void)flags;
	if (!conn || !msg) {
		errno = EBADF;
		return -1;
	}
	if (n == 0)
		return 0;
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

	(void)flags;
	if (!conn || !msg) {
		errno = EBADF;
		return -1;
	}
	if (n == 0)
		return 0;
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
	free(conn);
	return 0;
}
