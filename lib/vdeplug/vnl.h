/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/vdeplug/vnl.h - VNL parsing and VDE request encoding (pure, internal)
 *
 * A VNL (Virtual Network Locator) names the other end of a connection:
 * "module://address", or a bare path for the vde module, or VDE 2's UDP
 * form "sport->host:dport". vnl_parse() turns one into a struct vnl without
 * touching the file system or the network, so it can be unit-tested and
 * fuzzed; the modules in lib/vdeplug/mod_*.c do the I/O.
 */
#ifndef VDEKIT_VNL_H
#define VDEKIT_VNL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum vnl_kind {
	VNL_VDE,	/* vde:// or bare path: a vde_switch directory */
	VNL_PTP,	/* ptp://path: AF_UNIX datagram cable */
	VNL_UDP,	/* udp://[src:]sport->dst:dport */
	VNL_NULL,	/* null:// sink */
	VNL_CMD,	/* cmd://command: byte stream via a child process */
	VNL_TAP,	/* tap://IFNAME: Linux tap interface (path = IFNAME) */
	VNL_VXLAN,	/* vxlan://ADDR[/OPT]...: RFC 7348 VTEP */
	VNL_VXVDE,	/* vxvde://[GROUP][/OPT]...: vdeplug4's vxvde network */
	VNL_VHOST,	/* vhost-user://PATH: vhost-user backend socket */
};

#define VNL_PATHMAX	4096
#define VNL_NAMEMAX	256
#define VNL_MAXARGS	64
#define VNL_IFNAMEMAX	15	/* IFNAMSIZ - 1 */
#define VNL_PORTMAX	0xffffff	/* the port travels as type >> 8 in a u32 */
#define VNL_MAXREMOTES	16	/* vxlan: ADDR plus /remote= entries */
#define VNL_ADDRMAX	46	/* INET6_ADDRSTRLEN */

/* vxlan:// and vxvde:// options; addresses are numeric (checked with
 * inet_pton), family 0 until an address is seen. */
struct vnl_vx {
	int family;			/* AF_INET or AF_INET6 */
	char addr[VNL_MAXREMOTES][VNL_ADDRMAX];	/* [0] = ADDR, then /remote= */
	unsigned int naddr;		/* 0 for vxvde:// without a group */
	bool multicast;			/* addr[0] is a multicast group */
	unsigned int vni;		/* 24 bits */
	unsigned int port;		/* UDP port */
	char local[VNL_ADDRMAX];	/* "" = any */
	char ifname[VNL_IFNAMEMAX + 1];	/* "" = any */
	int ttl;			/* -1 = default */
	unsigned int mtu;		/* largest inner frame; 0 = default */
	unsigned int expire;		/* seconds a learned MAC lives */
};

struct vnl {
	enum vnl_kind kind;
	char path[VNL_PATHMAX];		/* vde, ptp: "" = default switch; tap: IFNAME */
	bool has_port;			/* vde: explicit port; port 0 = "[0]" */
	unsigned int port;
	bool ptp_server;		/* vde "path[]": p2p server side */
	char portgroup[VNL_NAMEMAX];	/* vde: connect DIR/<portgroup> */
	char group[VNL_NAMEMAX];	/* "" = none */
	bool has_mode;
	mode_t mode;
	/* udp: hosts without brackets; src_host "" = any address */
	char src_host[VNL_NAMEMAX], src_port[8];
	char dst_host[VNL_NAMEMAX], dst_port[8];
	/* cmd: argv points into cmdbuf (do not copy a struct vnl) */
	char cmdbuf[VNL_PATHMAX];
	char *argv[VNL_MAXARGS + 1];
	bool use_shell;			/* argv = /bin/sh -c cmdbuf */
	struct vnl_vx vx;		/* vxlan, vxvde */
};

/* vnl_parse() - parse @s (NULL = "") into @v.
 * Return: 0, or -errno: EINVAL syntax, EPROTONOSUPPORT unknown module,
 * ENAMETOOLONG, E2BIG (too many cmd words). */
int vnl_parse(const char *s, struct vnl *v);

/* vnl_describe() - the port description VDE 2 sends:
 * "<descr> user=<login> PID=<pid>[ SSH=<ip>]", cut to 127 bytes.
 * @ssh_client is $SSH_CLIENT or NULL (its first word is used).
 * Return: strlen of the result. */
size_t vnl_describe(char *out, size_t size, const char *descr,
		    const char *login, long pid, const char *ssh_client);

#define VDE_REQ_MAGIC		0xfeedfaceU
#define VDE_REQ_VERSION		3
#define VDE_REQ_NEW_CONTROL	0
#define VDE_REQ_NEW_PORT0	1
#define VDE_SUN_LEN		110	/* sizeof(struct sockaddr_un) */
#define VDE_REQ_HDRLEN		(12 + VDE_SUN_LEN)	/* 122 */
#define VDE_REQ_DESCRMAX	128
#define VDE_REQ_MAXLEN		(VDE_REQ_HDRLEN + VDE_REQ_DESCRMAX)

/* vnl_request() - encode a protocol v3 request into @buf: magic, version,
 * type = reqtype + (port << 8), sockaddr_un of @sockpath (absolute, < 108
 * bytes), description without NUL.
 * Return: bytes to send (122 + strlen(descr)), or 0 if @sockpath or @descr
 * do not fit. */
size_t vnl_request(uint8_t buf[VDE_REQ_MAXLEN], unsigned int reqtype,
		   unsigned int port, const char *sockpath, const char *descr);

/* vnl_reply() - check a 110-byte reply (struct sockaddr_un) and copy the
 * NUL-terminated path it names into @path (108 bytes). 0 or -EPROTO. */
int vnl_reply(const uint8_t *buf, size_t len, char path[108]);

#endif
