// SPDX-License-Identifier: GPL-2.0-or-later
/* slirp/conf.c - slirpvde / slirp:// settings and their parsers (pure)
 *
 * See conf.h. Every number goes through parse_num(); addresses through
 * inet_pton(). Error messages name the offending text.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "parse.h"

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/**
 * sconf_init() - VDE 2's defaults plus IPv6
 * @c:	settings to fill
 */
void sconf_init(struct sconf *c)
{
	memset(c, 0, sizeof(*c));
	c->v4 = c->v6 = true;
	c->net.s_addr = htonl(0x0a000200);		/* 10.0.2.0 */
	c->mask.s_addr = htonl(0xffffff00);
	inet_pton(AF_INET6, "fd00::", &c->prefix6);
	c->prefix6_len = 64;
	c->mtu = SCONF_MTU_DEFAULT;
	c->max_conns = SCONF_MAXCONNS;
	c->max_conns_guest = SCONF_MAXCONNS_GUEST;
}

static uint32_t len2mask(unsigned len)
{
	return len ? 0xffffffffU << (32 - len) : 0;
}

/* "ADDR[/LEN]" with LEN in [minlen, maxlen]; copies ADDR to @a. */
static int split_prefix(const char *s, char *a, size_t alen, unsigned *len, unsigned deflen,
			unsigned minlen, unsigned maxlen, char *err, size_t errlen)
{
	const char *slash = strchr(s, '/'), *e;
	size_t n = slash ? (size_t)(slash - s) : strlen(s);

	if (n == 0 || n >= alen)
		return fail(err, errlen, "'%s': not an address", s);
	memcpy(a, s, n);
	a[n] = '\0';
	*len = deflen;
	if (slash) {
		long long v = parse_num(slash + 1, minlen, maxlen, &e);

		if (e)
			return fail(err, errlen, "'%s': prefix length %s (%u..%u)", s, e,
				    minlen, maxlen);
		*len = (unsigned)v;
	}
	return 0;
}

/**
 * sconf_set_host() - slirpvde -H ADDR[/LEN]
 * @c:		settings
 * @s:		"10.1.0.0/16" (network only) or "192.168.55.1" (host, /24)
 * @err:	message buffer
 * @errlen:	its size
 *
 * Return: 0, or -1 with a message.
 */
int sconf_set_host(struct sconf *c, const char *s, char *err, size_t errlen)
{
	char a[INET_ADDRSTRLEN];
	struct in_addr in;
	unsigned len;
	uint32_t m;

	if (split_prefix(s, a, sizeof(a), &len, 24, 8, 30, err, errlen))
		return -1;
	if (inet_pton(AF_INET, a, &in) != 1)
		return fail(err, errlen, "'%s': not an IPv4 address", s);
	m = len2mask(len);
	c->mask.s_addr = htonl(m);
	c->net.s_addr = htonl(ntohl(in.s_addr) & m);
	c->host.s_addr = (ntohl(in.s_addr) & ~m) ? in.s_addr : 0;
	return 0;
}

/**
 * sconf_set_host6() - IPv6 prefix and virtual host: ADDR6[/LEN]
 * @c:		settings
 * @s:		"fd00::2/64" (host ::2) or "fd01::/64" (prefix only, host ::2)
 * @err:	message buffer
 * @errlen:	its size
 *
 * Return: 0, or -1 with a message.
 */
int sconf_set_host6(struct sconf *c, const char *s, char *err, size_t errlen)
{
	char a[INET6_ADDRSTRLEN];
	struct in6_addr in, pfx;
	unsigned len, i;
	bool hostpart = false;

	if (split_prefix(s, a, sizeof(a), &len, 64, 8, 126, err, errlen))
		return -1;
	if (inet_pton(AF_INET6, a, &in) != 1)
		return fail(err, errlen, "'%s': not an IPv6 address", s);
	pfx = in;
	for (i = 0; i < 128; i++) {
		if (i < len)
			continue;
		if (pfx.s6_addr[i / 8] & (0x80 >> (i % 8)))
			hostpart = true;
		pfx.s6_addr[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
	}
	c->prefix6 = pfx;
	c->prefix6_len = len;
	c->host6_set = hostpart;
	if (hostpart)
		c->host6 = in;
	return 0;
}

/**
 * sconf_set_dns() - slirpvde -N ADDR: the DNS address given by DHCP, served
 * (forwarded to the host's resolver) when it is inside the network
 * @c:		settings
 * @s:		IPv4 address
 * @err:	message buffer
 * @errlen:	its size
 *
 * Return: 0, or -1 with a message.
 */
int sconf_set_dns(struct sconf *c, const char *s, char *err, size_t errlen)
{
	if (inet_pton(AF_INET, s, &c->dns) != 1 || !c->dns.s_addr)
		return fail(err, errlen, "'%s': not an IPv4 address", s);
	return 0;
}

/**
 * sconf_set_dns6() - the IPv6 DNS address announced and served
 * @c:		settings
 * @s:		IPv6 address
 * @err:	message buffer
 * @errlen:	its size
 *
 * Return: 0, or -1 with a message.
 */
int sconf_set_dns6(struct sconf *c, const char *s, char *err, size_t errlen)
{
	if (inet_pton(AF_INET6, s, &c->dns6) != 1)
		return fail(err, errlen, "'%s': not an IPv6 address", s);
	c->dns6_set = true;
	return 0;
}

/**
 * sconf_set_dhcp() - turn the DHCP server on (slirpvde -D[START])
 * @c:		settings
 * @s:		NULL for the default start (.15), or the first address leased
 * @err:	message buffer
 * @errlen:	its size
 *
 * Return: 0, or -1 with a message.
 */
int sconf_set_dhcp(struct sconf *c, const char *s, char *err, size_t errlen)
{
	c->dhcp = true;
	if (!s)
		return 0;
	if (inet_pton(AF_INET, s, &c->dhcp_start) != 1 || !c->dhcp_start.s_addr)
		return fail(err, errlen, "'%s': not an IPv4 address", s);
	return 0;
}

/**
 * sconf_set_mtu() - interface MTU of the virtual network (576..65520)
 * @c:		settings
 * @s:		decimal
 * @err:	message buffer
 * @errlen:	its size
 *
 * Return: 0, or -1 with a message.
 */
int sconf_set_mtu(struct sconf *c, const char *s, char *err, size_t errlen)
{
	const char *e;
	long long v = parse_num(s, SCONF_MTU_MIN, SCONF_MTU_MAX, &e);

	if (e)
		return fail(err, errlen, "mtu '%s': %s (%d..%d)", s, e, SCONF_MTU_MIN,
			    SCONF_MTU_MAX);
	c->mtu = (size_t)v;
	return 0;
}

/**
 * sconf_set_maxconns() - a bound on guests' TCP connections
 * @dst:	&c->max_conns or &c->max_conns_guest
 * @what:	option name for the message
 * @s:		"N", 0..1000000, 0 = no bound
 * @err:	message buffer
 * @errlen:	its size
 *
 * Return: 0, or -1 with a message.
 */
int sconf_set_maxconns(unsigned *dst, const char *what, const char *s, char *err,
		       size_t errlen)
{
	const char *e;
	long long v = parse_num(s, 0, 1000000, &e);

	if (e)
		return fail(err, errlen, "%s '%s': %s (0..1000000, 0 = no bound)", what, s, e);
	*dst = (unsigned)v;
	return 0;
}

static int parse_port(const char *s, size_t n, int *port)
{
	char b[8];
	const char *e;
	long long v;

	if (n == 0 || n >= sizeof(b))
		return -1;
	memcpy(b, s, n);
	b[n] = '\0';
	v = parse_num(b, 1, 65535, &e);
	if (e)
		return -1;
	*port = (int)v;
	return 0;
}

static int parse_ip4(const char *s, size_t n, struct in_addr *a)
{
	char b[INET_ADDRSTRLEN];

	if (n == 0 || n >= sizeof(b))
		return -1;
	memcpy(b, s, n);
	b[n] = '\0';
	return inet_pton(AF_INET, b, a) == 1 ? 0 : -1;
}

/**
 * sfwd_parse_inet() - a -L/-U forward: [HOSTIP:]HOSTPORT:GUESTIP:GUESTPORT
 * @f:		forward to fill
 * @kind:	SFWD_TCP or SFWD_UDP
 * @s:		the text
 * @err:	message buffer
 * @errlen:	its size
 *
 * Return: 0, or -1 with a message.
 */
int sfwd_parse_inet(struct sfwd *f, enum sfwd_kind kind, const char *s, char *err,
		    size_t errlen)
{
	const char *p[4];
	size_t n[4], k = 0;
	const char *q = s;
	size_t i;

	memset(f, 0, sizeof(*f));
	f->kind = kind;
	while (k < 4) {
		size_t len = strcspn(q, ":");

		p[k] = q;
		n[k++] = len;
		q += len;
		if (!*q)
			break;
		q++;
	}
	if (*q || k < 3)
		return fail(err, errlen, "'%s': expected [hostip:]hostport:guestip:guestport", s);
	i = 0;
	if (k == 4 && parse_ip4(p[i++], n[0], &f->host_addr))
		return fail(err, errlen, "'%s': bad host address", s);
	if (parse_port(p[i], n[i], &f->host_port))
		return fail(err, errlen, "'%s': bad host port", s);
	i++;
	if (parse_ip4(p[i], n[i], &f->guest_addr) || !f->guest_addr.s_addr)
		return fail(err, errlen, "'%s': bad guest address", s);
	i++;
	if (parse_port(p[i], n[i], &f->guest_port))
		return fail(err, errlen, "'%s': bad guest port", s);
	return 0;
}

/**
 * sfwd_parse_unix() - a -x forward: [ADDR:]PORT:PATH
 * @f:		forward to fill (guest_addr 0 = the default virtual address)
 * @s:		"6000:/tmp/.X11-unix/X0"
 * @err:	message buffer
 * @errlen:	its size
 *
 * Return: 0, or -1 with a message.
 */
int sfwd_parse_unix(struct sfwd *f, const char *s, char *err, size_t errlen)
{
	const char *c1 = strchr(s, ':'), *c2, *path;

	memset(f, 0, sizeof(*f));
	f->kind = SFWD_UNIX;
	if (!c1)
		return fail(err, errlen, "'%s': expected [addr:]port:/unix/path", s);
	c2 = strchr(c1 + 1, ':');
	if (c2 && !parse_ip4(s, (size_t)(c1 - s), &f->guest_addr)) {
		if (parse_port(c1 + 1, (size_t)(c2 - c1 - 1), &f->guest_port))
			return fail(err, errlen, "'%s': bad port", s);
		path = c2 + 1;
	} else {
		if (parse_port(s, (size_t)(c1 - s), &f->guest_port))
			return fail(err, errlen, "'%s': bad port", s);
		path = c1 + 1;
		f->on_vhost = true;
	}
	if (!*path || strlen(path) >= sizeof(f->path))
		return fail(err, errlen, "'%s': the path has 1 to %zu characters", s,
			    sizeof(f->path) - 1);
	strcpy(f->path, path);
	return 0;
}

/**
 * sconf_add_fwd() - append a forward set up at start
 * @c:		settings
 * @f:		forward
 * @err:	message buffer
 * @errlen:	its size
 *
 * Return: 0, or -1 (too many).
 */
int sconf_add_fwd(struct sconf *c, const struct sfwd *f, char *err, size_t errlen)
{
	if (c->nfwd >= SCONF_MAXFWD)
		return fail(err, errlen, "too many forwards (at most %d)", SCONF_MAXFWD);
	c->fwd[c->nfwd++] = *f;
	return 0;
}

static bool in_net(const struct sconf *c, struct in_addr a)
{
	return (a.s_addr & c->mask.s_addr) == c->net.s_addr;
}

static struct in_addr net_plus(const struct sconf *c, uint32_t n)
{
	struct in_addr a = { htonl(ntohl(c->net.s_addr) | (n & ~ntohl(c->mask.s_addr))) };

	return a;
}

static void addr6_plus(struct in6_addr *dst, const struct in6_addr *pfx, uint8_t n)
{
	*dst = *pfx;
	dst->s6_addr[15] |= n;
}

/**
 * sconf_finish() - derive defaults, check consistency
 * @c:		settings
 * @err:	message buffer
 * @errlen:	its size
 *
 * Return: 0, or -1 with a message.
 */
int sconf_finish(struct sconf *c, char *err, size_t errlen)
{
	uint32_t hostmask = ~ntohl(c->mask.s_addr);
	char a[INET_ADDRSTRLEN];

	if (!c->v4 && !c->v6)
		return fail(err, errlen, "IPv4 and IPv6 are both off");
	if (!c->host.s_addr)
		c->host = net_plus(c, 2);
	if (!c->dns.s_addr)
		c->dns = net_plus(c, 3);
	if (!c->dhcp_start.s_addr)
		c->dhcp_start = net_plus(c, 15);
	inet_ntop(AF_INET, &c->host, a, sizeof(a));
	if (!in_net(c, c->host) || (ntohl(c->host.s_addr) & hostmask) == hostmask)
		return fail(err, errlen, "virtual host %s is not a host of the network", a);
	if (c->dns.s_addr == c->host.s_addr)
		return fail(err, errlen, "the DNS address and the virtual host are both %s", a);
	if (c->dhcp) {
		uint32_t h = ntohl(c->dhcp_start.s_addr) & hostmask;

		inet_ntop(AF_INET, &c->dhcp_start, a, sizeof(a));
		if (!in_net(c, c->dhcp_start) || h == 0 || h == hostmask)
			return fail(err, errlen, "DHCP start %s is not a host of the network", a);
		if (c->dhcp_start.s_addr == c->host.s_addr ||
		    c->dhcp_start.s_addr == c->dns.s_addr)
			return fail(err, errlen, "DHCP start %s is the virtual host or DNS", a);
	}
	if (!c->host6_set)
		addr6_plus(&c->host6, &c->prefix6, 2);
	if (!c->dns6_set)
		addr6_plus(&c->dns6, &c->prefix6, 3);
	if (!memcmp(&c->host6, &c->dns6, sizeof(c->host6)))
		return fail(err, errlen, "the IPv6 DNS address and virtual host are equal");
	for (size_t i = 0; i < c->nfwd; i++)
		if (sconf_check_fwd(c, &c->fwd[i], err, errlen))
			return -1;
	return 0;
}

/**
 * sconf_check_fwd() - can a TCP/UDP forward reach a guest?
 * @c:		settings (sconf_finish()ed: host and DNS known)
 * @f:		the forward; UNIX forwards (-x) always pass here, their
 *		target is checked where they are set up
 * @err:	message buffer
 * @errlen:	its size
 *
 * The guest address must be a host of the virtual network, and neither
 * the virtual host nor the DNS address (those are slirp's own): a forward
 * to anything else would be accepted by libslirp and never connect.
 *
 * Return: 0, or -1 with a message.
 */
int sconf_check_fwd(const struct sconf *c, const struct sfwd *f, char *err, size_t errlen)
{
	uint32_t hostmask = ~ntohl(c->mask.s_addr);
	uint32_t h = ntohl(f->guest_addr.s_addr) & hostmask;
	char a[INET_ADDRSTRLEN], n[INET_ADDRSTRLEN];
	unsigned bits = 0;

	if (f->kind == SFWD_UNIX)
		return 0;
	inet_ntop(AF_INET, &f->guest_addr, a, sizeof(a));
	inet_ntop(AF_INET, &c->net, n, sizeof(n));
	for (uint32_t m = ntohl(c->mask.s_addr); m & 0x80000000u; m <<= 1)
		bits++;
	if (!in_net(c, f->guest_addr) || h == 0 || h == hostmask)
		return fail(err, errlen, "forward to %s:%u: not a guest address of the "
			    "virtual network %s/%u", a, f->guest_port, n, bits);
	if (f->guest_addr.s_addr == c->host.s_addr || f->guest_addr.s_addr == c->dns.s_addr)
		return fail(err, errlen, "forward to %s:%u: that is slirp's own %s address, "
			    "not a guest", a, f->guest_port,
			    f->guest_addr.s_addr == c->host.s_addr ? "virtual host" : "DNS");
	return 0;
}

/* slirp:// keys and what they set */
static int vnl_fwds(struct sconf *c, enum sfwd_kind kind, char *v, char *err, size_t errlen)
{
	char *save = NULL, *tok;
	struct sfwd f;

	for (tok = strtok_r(v, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (kind == SFWD_UNIX ? sfwd_parse_unix(&f, tok, err, errlen) :
		    sfwd_parse_inet(&f, kind, tok, err, errlen))
			return -1;
		if (sconf_add_fwd(c, &f, err, errlen))
			return -1;
	}
	return 0;
}

static const char *const vnl_keys[] = {
	"v4", "v6", "addr", "host", "addr6", "host6", "dhcp", "nodhcp", "vnameserver",
	"vnameserver6", "tcpfwd", "udpfwd", "unixfwd", "mtu", "restrict", "restricted",
	"max_conns", "max_conns_guest",
	"disable_host_loopback", "tftp_path", "bootfile", "hostname", "vdomainname", "verbose",
};

/* Is the segment [s, s+n) "key" or "key=..." for a known key? */
static bool is_key(const char *s, size_t n)
{
	size_t k = 0, i;

	while (k < n && s[k] != '=')
		k++;
	for (i = 0; i < sizeof(vnl_keys) / sizeof(vnl_keys[0]); i++)
		if (strlen(vnl_keys[i]) == k && !strncmp(s, vnl_keys[i], k))
			return true;
	return false;
}

static bool digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return n > 0;
}

/* Cut the next option out of *p: options are '/'-separated, but a path
 * value (unixfwd, tftp_path, bootfile) runs on over '/' up to the next
 * known key, and an address value takes a following all-digit segment as
 * its prefix length ("addr=10.0.2.2/24"). */
static char *next_opt(char **p)
{
	char *s = *p, *e;
	bool path, prefix;

	while (*s == '/')
		s++;
	if (!*s)
		return NULL;
	path = !strncmp(s, "unixfwd=", 8) || !strncmp(s, "tftp_path=", 10) ||
	       !strncmp(s, "bootfile=", 9);
	prefix = !strncmp(s, "addr=", 5) || !strncmp(s, "host=", 5) ||
		 !strncmp(s, "addr6=", 6) || !strncmp(s, "host6=", 6);
	e = s + strcspn(s, "/");
	while (*e == '/') {
		char *n = e + 1;
		size_t len = strcspn(n, "/");

		if (path && len && !is_key(n, len)) {
			e = n + len;
			continue;
		}
		if (prefix && digits(n, len)) {
			e = n + len;
			prefix = false;
			continue;
		}
		break;
	}
	*p = *e ? e + 1 : e;
	*e = '\0';
	return s;
}

/**
 * sconf_parse_vnl() - settings from a slirp:// address
 * @c:		settings (sconf_init()ed by the caller)
 * @s:		the text after "slirp://" (cut in place)
 * @verbose:	set by the "verbose" key
 * @err:	message buffer
 * @errlen:	its size
 *
 * Keys (vdeplug4's libvdeplug_slirp plus ours): v4, v6, addr=/host=
 * A[/LEN], addr6=/host6= A[/LEN], dhcp[=START], nodhcp, vnameserver=,
 * vnameserver6=, tcpfwd=, udpfwd=, unixfwd=, mtu=, restrict(ed),
 * disable_host_loopback, tftp_path=, bootfile=, hostname=, vdomainname=,
 * verbose. Several forwards are separated by ','.
 *
 * Return: 0, or -1 with a message.
 */
int sconf_parse_vnl(struct sconf *c, char *s, bool *verbose, char *err, size_t errlen)
{
	bool v4 = false, v6 = false;
	size_t n = strlen(s);
	char *tok;

	c->dhcp = true;
	*verbose = false;
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s[n - 1] = '\0';
		s++;
	}
	while ((tok = next_opt(&s))) {
		char *eq = strchr(tok, '='), *v = eq ? eq + 1 : NULL;
		int r = 0;

		if (eq)
			*eq = '\0';
		if (!strcmp(tok, "v4") && !v)
			v4 = true;
		else if (!strcmp(tok, "v6") && !v)
			v6 = true;
		else if ((!strcmp(tok, "addr") || !strcmp(tok, "host")) && v)
			r = sconf_set_host(c, v, err, errlen);
		else if ((!strcmp(tok, "addr6") || !strcmp(tok, "host6")) && v)
			r = sconf_set_host6(c, v, err, errlen);
		else if (!strcmp(tok, "dhcp"))
			r = sconf_set_dhcp(c, v, err, errlen);
		else if (!strcmp(tok, "nodhcp") && !v)
			c->dhcp = false;
		else if (!strcmp(tok, "vnameserver") && v)
			r = sconf_set_dns(c, v, err, errlen);
		else if (!strcmp(tok, "vnameserver6") && v)
			r = sconf_set_dns6(c, v, err, errlen);
		else if (!strcmp(tok, "tcpfwd") && v)
			r = vnl_fwds(c, SFWD_TCP, v, err, errlen);
		else if (!strcmp(tok, "udpfwd") && v)
			r = vnl_fwds(c, SFWD_UDP, v, err, errlen);
		else if (!strcmp(tok, "unixfwd") && v)
			r = vnl_fwds(c, SFWD_UNIX, v, err, errlen);
		else if (!strcmp(tok, "mtu") && v)
			r = sconf_set_mtu(c, v, err, errlen);
		else if (!strcmp(tok, "max_conns") && v)
			r = sconf_set_maxconns(&c->max_conns, tok, v, err, errlen);
		else if (!strcmp(tok, "max_conns_guest") && v)
			r = sconf_set_maxconns(&c->max_conns_guest, tok, v, err, errlen);
		else if ((!strcmp(tok, "restrict") || !strcmp(tok, "restricted")) && !v)
			c->restricted = true;
		else if (!strcmp(tok, "disable_host_loopback") && !v)
			c->no_host_loopback = true;
		else if (!strcmp(tok, "tftp_path") && v && *v)
			c->tftp = v;
		else if (!strcmp(tok, "bootfile") && v && *v)
			c->bootfile = v;
		else if (!strcmp(tok, "hostname") && v && *v)
			c->hostname = v;
		else if (!strcmp(tok, "vdomainname") && v && *v)
			c->vdomain = v;
		else if (!strcmp(tok, "verbose") && !v)
			*verbose = true;
		else
			return fail(err, errlen, "slirp:// '%s%s%s': unknown option", tok,
				    v ? "=" : "", v ? v : "");
		if (r)
			return -1;
	}
	if (v4 || v6) {
		c->v4 = v4;
		c->v6 = v6;
	}
	return sconf_finish(c, err, errlen);
}

/**
 * sfwd_format() - one line describing a forward
 * @f:		forward
 * @buf:	output
 * @len:	its size
 */
void sfwd_format(const struct sfwd *f, char *buf, size_t len)
{
	char h[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &f->host_addr, h, sizeof(h));
	inet_ntop(AF_INET, &f->guest_addr, g, sizeof(g));
	if (f->kind == SFWD_UNIX)
		snprintf(buf, len, "unix %s:%d -> %s", g, f->guest_port, f->path);
	else
		snprintf(buf, len, "%s %s:%d -> %s:%d", f->kind == SFWD_TCP ? "tcp" : "udp", h,
			 f->host_port, g, f->guest_port);
}

/* A number of the table: decimal, or -1 (a socket libslirp closed). */
static int conn_num(const char *tok, long *out)
{
	const char *err;

	if (!strcmp(tok, "-1")) {
		*out = -1;
		return 0;
	}
	*out = (long)parse_num(tok, 0, 0x7fffffffL, &err);
	return err ? -1 : 0;
}

/**
 * sconn_parse() - parse one row of libslirp's connection table
 * @line:	the row, without its newline
 * @out:	filled on success
 *
 * The row is "PROTO[STATE]" (STATE may hold a blank: "236 sec") followed
 * by seven blank-separated fields: fd, source address, source port,
 * destination address, destination port, receive and send queue.
 *
 * Return: 0, or -1 (the header line, or a row of another shape).
 */
int sconn_parse(const char *line, struct sconn *out)
{
	const char *open_b, *close_b;
	char rest[256], *tok[8], *save = NULL, *t;
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	while (*line == ' ')
		line++;
	open_b = strchr(line, '[');
	close_b = open_b ? strchr(open_b, ']') : NULL;
	if (!close_b || open_b == line || (size_t)(open_b - line) >= sizeof(out->proto) ||
	    (size_t)(close_b - open_b - 1) >= sizeof(out->state) ||
	    strlen(close_b + 1) >= sizeof(rest))
		return -1;
	memcpy(out->proto, line, (size_t)(open_b - line));
	memcpy(out->state, open_b + 1, (size_t)(close_b - open_b - 1));
	if (!strcmp(out->proto, "Protocol"))
		return -1;		/* the header */
	strcpy(rest, close_b + 1);
	for (t = strtok_r(rest, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		if (n == 8)
			return -1;
		tok[n++] = t;
	}
	if (n != 7 || strlen(tok[1]) >= sizeof(out->src) || strlen(tok[3]) >= sizeof(out->dst))
		return -1;
	strcpy(out->src, tok[1]);
	strcpy(out->dst, tok[3]);
	if (conn_num(tok[0], &out->fd) || conn_num(tok[2], &out->src_port) ||
	    conn_num(tok[4], &out->dst_port) || conn_num(tok[5], &out->recvq) ||
	    conn_num(tok[6], &out->sendq))
		return -1;
	return 0;
}

/**
 * sneigh_parse() - parse one row of libslirp's neighbour table
 * @line:	the row, without its newline
 * @out:	filled on success
 *
 * Return: 0, or -1 (the header, or a row that is not "TABLE MAC ADDRESS").
 */
int sneigh_parse(const char *line, struct sneigh *out)
{
	char buf[128], *tok[4], *save = NULL, *t;
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	if (strlen(line) >= sizeof(buf))
		return -1;
	strcpy(buf, line);
	for (t = strtok_r(buf, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		if (n == 4)
			return -1;
		tok[n++] = t;
	}
	if (n != 3 || !strcmp(tok[0], "Table") || strlen(tok[0]) >= sizeof(out->table) ||
	    strlen(tok[1]) != 17 || strlen(tok[2]) >= sizeof(out->addr))
		return -1;
	strcpy(out->table, tok[0]);
	strcpy(out->mac, tok[1]);
	strcpy(out->addr, tok[2]);
	return 0;
}
