/* SPDX-License-Identifier: GPL-2.0-or-later */
/* slirp/conf.h - slirpvde / slirp:// settings and their parsers (pure)
 *
 * One struct sconf holds everything libslirp is configured with: the IPv4
 * network, virtual host (gateway), DNS proxy and DHCP start; the IPv6
 * prefix, host and DNS; MTU, restricted mode, TFTP; and the forwards to set
 * up at start. The parsers take VDE 2's slirpvde argument forms
 * ("10.1.0.0/16", "8080:10.0.2.15:80", "6000:/tmp/.X11-unix/X0") and
 * vdeplug4's slirp:// parameters ("/addr=10.0.2.2/dhcp=10.0.2.30/tcpfwd=.."),
 * and sconf_finish() derives the defaults VDE 2 uses (host .2, DNS .3,
 * DHCP from .15 of whatever network was given). No sockets, no exit, no
 * printing: errors come back as a message in a caller's buffer.
 */
#ifndef VDEKIT_SLIRP_CONF_H
#define VDEKIT_SLIRP_CONF_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/un.h>

#define SCONF_MAXFWD		64
#define SCONF_MTU_MIN		576	/* libslirp's minimum */
#define SCONF_MTU_MAX		65520	/* libslirp's maximum */
#define SCONF_MTU_DEFAULT	1500
#define SCONF_UNIXPATH		(sizeof(((struct sockaddr_un *)0)->sun_path))

enum sfwd_kind {
	SFWD_TCP,		/* host listens, guest gets the connections */
	SFWD_UDP,
	SFWD_UNIX,		/* guest connects, a host UNIX socket gets them */
};

struct sfwd {
	enum sfwd_kind kind;
	struct in_addr host_addr;	/* TCP/UDP: host bind address (0 = any) */
	int host_port;			/* TCP/UDP: host port */
	struct in_addr guest_addr;	/* TCP/UDP: guest; UNIX: virtual address */
	int guest_port;
	char path[SCONF_UNIXPATH];	/* UNIX: socket path */
	bool on_vhost;			/* UNIX, no address given: on the
					 * virtual host, as VDE 2 had it */
};

#define SCONF_MAXCONNS		1024
#define SCONF_MAXCONNS_GUEST	256

struct sconf {
	bool v4, v6;
	struct in_addr net, mask;
	struct in_addr host, dns, dhcp_start;	/* 0 = derive in sconf_finish() */
	bool dhcp;				/* DHCP server on */
	struct in6_addr prefix6, host6, dns6;
	unsigned prefix6_len;
	bool host6_set, dns6_set;
	size_t mtu;
	bool restricted;
	bool no_host_loopback;
	unsigned max_conns;		/* guests' TCP connections in all (0 = no bound) */
	unsigned max_conns_guest;	/* ... from one guest address */
	const char *tftp;		/* NULL = TFTP off */
	const char *bootfile;
	const char *hostname;
	const char *vdomain;
	struct sfwd fwd[SCONF_MAXFWD];
	size_t nfwd;
};

/* Defaults: 10.0.2.0/24, fd00::/64, IPv4 and IPv6 on, DHCP off, MTU 1500,
 * SCONF_MAXCONNS guest TCP connections in all, SCONF_MAXCONNS_GUEST from
 * one guest address. */
void sconf_init(struct sconf *c);

/* "ADDR[/LEN]" as slirpvde -H: network = ADDR/LEN (LEN 8..30, default 24);
 * a non-zero host part also sets the virtual host. 0 or -1. */
int sconf_set_host(struct sconf *c, const char *s, char *err, size_t errlen);
/* "ADDR6[/LEN]": IPv6 prefix and host (LEN 8..120? 64 recommended). */
int sconf_set_host6(struct sconf *c, const char *s, char *err, size_t errlen);
int sconf_set_dns(struct sconf *c, const char *s, char *err, size_t errlen);
int sconf_set_dns6(struct sconf *c, const char *s, char *err, size_t errlen);
/* NULL = DHCP on from the default start; "ADDR" = on from ADDR. */
int sconf_set_dhcp(struct sconf *c, const char *s, char *err, size_t errlen);
int sconf_set_mtu(struct sconf *c, const char *s, char *err, size_t errlen);
/* "N" (0..1000000, 0 = no bound) into *@dst; @what names the option. */
int sconf_set_maxconns(unsigned *dst, const char *what, const char *s, char *err,
		       size_t errlen);

/* "[HOSTIP:]HOSTPORT:GUESTIP:GUESTPORT" into @f (TCP or UDP). */
int sfwd_parse_inet(struct sfwd *f, enum sfwd_kind kind, const char *s, char *err,
		    size_t errlen);
/* "[ADDR:]PORT:PATH" (PATH absolute or relative) into @f. */
int sfwd_parse_unix(struct sfwd *f, const char *s, char *err, size_t errlen);
int sconf_add_fwd(struct sconf *c, const struct sfwd *f, char *err, size_t errlen);
/* A TCP/UDP forward's guest address is a guest host of the network (not
 * its network or broadcast address, not the virtual host or DNS). 0 or -1
 * with a message; UNIX forwards pass. Needs sconf_finish()ed settings. */
int sconf_check_fwd(const struct sconf *c, const struct sfwd *f, char *err, size_t errlen);

/* Derive host/DNS/DHCP start from the network, check everything is
 * consistent (addresses inside the network, not equal, DHCP start
 * leaving room). 0 or -1. */
int sconf_finish(struct sconf *c, char *err, size_t errlen);

/* vdeplug4 slirp:// parameters: the part after "slirp://", e.g.
 * "/v4/addr=10.0.2.2/24/dhcp=10.0.2.30/tcpfwd=8080:10.0.2.15:80,9090:..".
 * Also "[...]" bracketed. @s is modified (cut in place); string settings
 * point into it. Unknown keys are an error. DHCP is on by default here, as
 * with Debian's libvdeplug_slirp. Also calls sconf_finish(). */
int sconf_parse_vnl(struct sconf *c, char *s, bool *verbose, char *err, size_t errlen);

/* One-line text of a forward: "tcp 0.0.0.0:8080 -> 10.0.2.15:80". */
void sfwd_format(const struct sfwd *f, char *buf, size_t len);

/* One row of libslirp's connection table (slirp_connection_info()):
 * "  TCP[ESTABLISHED]   12  10.0.2.15 45678  192.0.2.1  80  0  0". */
struct sconn {
	char proto[8];			/* "TCP", "UDP", "ICMP" */
	char state[24];			/* "ESTABLISHED", "HOST_FORWARD", "236 sec" */
	long fd;
	char src[48], dst[48];		/* addresses as printed ("*" = any) */
	long src_port, dst_port;
	long recvq, sendq;
};
/* Parse one row (pure). 0, or -1 for the header and anything else. */
int sconn_parse(const char *line, struct sconn *out);

/* One row of libslirp's neighbour table (slirp_neighbor_info()):
 * "    ARP  52:54:00:12:34:56  10.0.2.15". */
struct sneigh {
	char table[8];			/* "ARP", "NDP" */
	char mac[18];
	char addr[48];
};
/* Parse one row (pure). 0, or -1 for the header and anything else. */
int sneigh_parse(const char *line, struct sneigh *out);

#endif
