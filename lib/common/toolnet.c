// SPDX-License-Identifier: GPL-2.0-or-later
/* lib/common/toolnet.c - the network option block and tool_open()
 *
 * Contract: the library (libvdeplug) returns -1 with errno and never
 * prints; this file turns (VNL, errno) into the one message every tool
 * shows: "cannot open VNL: what went wrong (what to do)". It only reads
 * the VNL's text (the module name before "://", a group= parameter), asks
 * whether a switch listens at a vde:// path and whether a tap:// name is
 * an interface, and never looks beneath the connection it opened.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "parse.h"
#include "tool.h"

/**
 * tool_opt_port() - parse a switch port option (-p N, --port N)
 * @arg:	the option's argument
 *
 * Return: the port, 1 to 0xffffff (VDE 2's range).
 */
int tool_opt_port(const char *arg)
{
	return (int)parse_num_arg("port", arg, 1, 0xffffff);
}

/* The module name of @vnl ("vde" for a bare path), in @buf. */
static const char *vnl_module(const char *vnl, char *buf, size_t size)
{
	const char *sep = vnl ? strstr(vnl, "://") : NULL;
	size_t len;

	if (!sep)
		return "vde";
	len = (size_t)(sep - vnl);
	if (len >= size)
		len = size - 1;
	memcpy(buf, vnl, len);
	buf[len] = '\0';
	return buf;
}

/* Is a switch listening on the ctl socket of @vnl (a switch directory)?
 * Then an ECONNREFUSED came from the switch refusing the port. */
static bool switch_alive(const char *vnl)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	bool live = false;
	int fd, n;

	if (!vnl || !*vnl)
		return false;
	if (!strncmp(vnl, "vde://", 6))
		vnl += 6;
	else if (strstr(vnl, "://"))
		return false;
	n = snprintf(sun.sun_path, sizeof(sun.sun_path), "%.*s/ctl", (int)strcspn(vnl, "["), vnl);
	if (n < 0 || (size_t)n >= sizeof(sun.sun_path))
		return false;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		live = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
		close(fd);
	}
	return live;
}

/* The group=NAME of @vnl's parameters, in @buf, when that group does not
 * exist: the library refuses it with EINVAL, as it does a syntax error. */
static const char *unknown_group(const char *vnl, char *buf, size_t size)
{
	const char *params = vnl ? strchr(vnl, '[') : NULL;
	const char *g = params ? strstr(params, "group=") : NULL;
	size_t len;
	gid_t gid;

	/* a parameter of its own: after '[' or '/', not portgroup= */
	if (!g || (g[-1] != '[' && g[-1] != '/'))
		return NULL;
	g += 6;
	len = strcspn(g, "/]");
	if (!len || len >= size)
		return NULL;
	memcpy(buf, g, len);
	buf[len] = '\0';
	return parse_group(buf, &gid) < 0 ? buf : NULL;
}

/**
 * tool_vnl_error() - explain why opening @vnl failed with @err
 * @vnl:	the VNL as given (NULL or "" = the default switch)
 * @err:	errno from vde_open()
 *
 * Return: "cannot open VNL: ..." in a static buffer.
 */
const char *tool_vnl_error(const char *vnl, int err)
{
	static char msg[1024];
	char modbuf[32], grp[64], gwhy[96];
	const char *name = vnl && *vnl ? vnl : "the default switch";
	const char *mod = vnl_module(vnl, modbuf, sizeof(modbuf));
	const char *why = NULL, *todo = NULL;
	bool tap = !strcmp(mod, "tap"), udp = !strcmp(mod, "udp");
	bool vde = !strcmp(mod, "vde");
	/* no VNL: where a switch started without -s listens, not "-s DIR" */
	const char *dflt = vnl && *vnl ? NULL
				     : "start vde_switch without -s: it listens on "
				       "/var/run/vde.ctl as root, /tmp/vde.ctl otherwise; or name a switch";

	switch (err) {
	case EPROTONOSUPPORT:
		why = "unknown VNL module";
		todo = "built in: vde, ptp, udp, tap, cmd, null, vxlan, vxvde, vhost-user; "
		       "any other (slirp too) needs a plugin, libvdeplug_MODULE.so; see vde(7)";
		break;
	case EINVAL:
		/* the kernel's answer for a name that another kind of
		 * interface has (vde(7)), not a syntax error */
		if (tap && if_nametoindex(vnl + 6)) {
			why = "not a tap interface";
			todo = "an interface of another kind has that name; choose another";
			break;
		}
		if (unknown_group(vnl, grp, sizeof(grp))) {
			snprintf(gwhy, sizeof(gwhy), "group=%s: unknown group", grp);
			why = gwhy;
			todo = "give a group of this system, by name or number";
			break;
		}
		why = "malformed VNL";
		todo = "see vde(7) for the syntax of each module";
		break;
	case ENAMETOOLONG:
		if (tap) {
			why = "interface name too long";
			todo = "Linux interface names have at most 15 characters";
		} else {
			why = "path too long";
			todo = "a UNIX socket path has at most 107 characters";
		}
		break;
	case EPERM: case EACCES:
		if (tap) {
			why = "not allowed to create or attach the tap interface";
			todo = "run with CAP_NET_ADMIN, or create a persistent tap owned by "
			       "this user first: ip tuntap add NAME mode tap user USER";
		} else {
			why = "permission denied";
			todo = vde ? "ask the switch's owner for access (vde_switch -m/-g, "
				     "port/setuser, port/setgroup)"
				   : "check the permissions of the socket and its directory";
		}
		break;
	case EBUSY:
		if (tap) {
			why = "the tap interface is in use";
			todo = "another program holds it; choose another name";
		}
		break;
	case ECONNABORTED: case EAFNOSUPPORT:
		if (udp) {
			why = "cannot resolve the host or set up the UDP socket";
			todo = "check the host names and ports: udp://[SRC:]SPORT->HOST:PORT";
		}
		break;
	case ENOENT:
		if (vde) {
			why = "no switch there";
			todo = dflt ? dflt : "start one with vde_switch -s DIR, or check the path";
		} else if (!strcmp(mod, "cmd")) {
			why = "command not found";
		}
		break;
	case ECONNREFUSED:
		if (vde && switch_alive(vnl)) {
			why = "the switch refused the port";
			todo = "beyond its number of ports, held by another user, not "
			       "allowed by port/setuser or port/setgroup, or the switch out "
			       "of file descriptors: its log says which";
		} else if (vde) {
			why = "no switch is listening there";
			todo = dflt ? dflt
				    : "start one with vde_switch -s DIR (a stale socket was left behind)";
		}
		break;
	case EPROTO:
		if (vde) {
			why = "not a switch's control socket";
			todo = "a management console? give the switch directory (-s), not -M";
		}
		break;
	case ENOTDIR:
		why = "not a directory";
		todo = "give the switch directory";
		break;
	default:
		break;
	}
	if (!why)
		why = strerror(err);
	snprintf(msg, sizeof(msg), "cannot open %s: %s%s%s%s", name, why,
		 todo ? " (" : "", todo ? todo : "", todo ? ")" : "");
	return msg;
}

/**
 * tool_recv() - receive a batch, with the errors sorted for a tool's loop
 * @conn:	connection
 * @msg:	@n descriptors, pointed at @bufs here
 * @bufs:	@n buffers of VDE_ETHBUFSIZE bytes
 * @n:		batch size
 *
 * Return: frames received, 0 for none, TOOL_GONE (closed), TOOL_ERROR.
 */
int tool_recv(VDECONN *conn, struct vde_msg *msg, unsigned char (*bufs)[VDE_ETHBUFSIZE],
	      unsigned int n)
{
	unsigned int i;
	ssize_t r;

	for (i = 0; i < n; i++) {
		msg[i].buf = bufs[i];
		msg[i].len = VDE_ETHBUFSIZE;
	}
	r = vde_recv_batch(conn, msg, n, 0);
	return tool_recv_sort(r);
}

/**
 * tool_recv_sort() - sort a batch receive's result for a tool's loop
 * @r:		what vde_recv_batch() or vde_recv_vnet() returned (errno set
 *		by it when -1)
 *
 * Return: frames received, 0 for none, TOOL_GONE (closed), TOOL_ERROR.
 */
int tool_recv_sort(ssize_t r)
{
	if (r > 0)
		return (int)r;
	if (r == 0)
		return TOOL_GONE;
	switch (errno) {
	case EINTR: case EAGAIN:	/* EWOULDBLOCK == EAGAIN on Linux */
		return 0;
	case ECONNRESET: case ECONNREFUSED: case ENOTCONN: case EPIPE:
		return TOOL_GONE;
	default:
		return TOOL_ERROR;
	}
}

/**
 * tool_open() - open one network end, or exit 1 with a clear message
 * @n:		the end (VNL and options)
 * @descr:	label for the switch's port/print
 *
 * Return: the connection (also kept in @n->conn).
 */
VDECONN *tool_open(struct tool_net *n, const char *descr)
{
	n->name = n->vnl && *n->vnl ? n->vnl : "the default switch";
	n->conn = vde_open(n->vnl, (char *)descr, &n->args);
	if (!n->conn)
		die("%s", tool_vnl_error(n->vnl, errno));
	return n->conn;
}
