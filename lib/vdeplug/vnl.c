// SPDX-License-Identifier: LGPL-2.1-or-later
/* lib/vdeplug/vnl.c - VNL parser and VDE v3 request encoder (pure functions)
 *
 * Theory of operation
 *
 * vnl_parse() splits the VNL at the first "://": the part before it (a
 * lowercase word) picks the module, the rest is that module's address.
 * Without "://" a string containing "->" is VDE 2's UDP form, anything else
 * is a path for the vde module (VDE 2 behaviour). Module addresses:
 *
 *   vde:   PATH[PARAMS]   PARAMS = "" (p2p server, VDE 2's "DIR[]"),
 *                         N (port; 0 = management port 0), or
 *                         '/'-separated port=N, portgroup=NAME, group=G,
 *                         mode=OCT, or bare N / NAME (vdeplug4 style)
 *   ptp:   PATH[mode=OCT/group=G]
 *   udp:   [SRC:]SPORT->DST:DPORT     hosts may be [bracketed] IPv6; an
 *                         unbracketed host is split at its last ':'
 *   cmd:   COMMAND        optionally wrapped in one pair of quotes; split
 *                         into words with '', "" and \ quoting and run with
 *                         execvp, or with /bin/sh -c if it contains one of
 *                         | & ; < > ( ) $ ` or a newline
 *   null:  anything (ignored)
 *   tap:   IFNAME         1..15 bytes, no '/' or whitespace (Linux rules)
 *   vxlan: ADDR[/OPT]...  ADDR a numeric IPv4/IPv6 unicast VTEP or multicast
 *                         group ([brackets] optional); OPT = vni=N, port=P,
 *                         local=IP, if=IFNAME, ttl=T, mtu=N, expire=S,
 *                         remote=IP (repeatable), v4, v6
 *   vxvde: [GROUP][/OPT]...  GROUP multicast (default 239.0.0.1, or
 *                         ff05:56de::1 with v6); the same options but
 *                         remote=, and vdeplug4's expiretime=/hashsize=
 *
 * The bare-path form is VDE 2's: inside [] only a port number, nothing,
 * or key=value pairs; a bare name as port group needs "vde://". A ptp://
 * path must be absolute (the peer finds it by that name).
 *
 * Nothing here touches the file system: default-switch lookup, path
 * canonicalisation and name resolution happen in the modules.
 */
#include "config.h"

#include <errno.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "parse.h"
#include "vnl.h"

static int copy_str(char *dst, size_t size, const char *src, size_t len)
{
	if (len >= size)
		return -ENAMETOOLONG;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return 0;
}

static bool all_digits(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static int parse_port(const char *s, size_t len, struct vnl *v)
{
	char tmp[16];
	const char *err;
	long long n = 0;

	if (len == 0 || len >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	n = parse_num(tmp, 0, VNL_PORTMAX, &err);
	if (err)
		return -EINVAL;
	v->has_port = true;
	v->port = (unsigned int)n;
	return 0;
}

/* One "key=value" or bare token of a [PARAMS] list; a bare name is a
 * port group only when @names_ok (vdeplug4's "vde://DIR[name]"). */
static int parse_param(const char *s, size_t len, struct vnl *v, bool names_ok)
{
	const char *eq = memchr(s, '=', len);
	const char *val;
	size_t klen, vlen;

	if (!eq) {
		if (v->kind != VNL_VDE)
			return -EINVAL;
		if (all_digits(s, len))
			return parse_port(s, len, v);
		if (!names_ok || s[0] == '-' || (s[0] >= '0' && s[0] <= '9'))
			return -EINVAL;	/* not a port, not a name */
		return copy_str(v->portgroup, sizeof(v->portgroup), s, len);
	}
	klen = (size_t)(eq - s);
	val = eq + 1;
	vlen = len - klen - 1;
	if (vlen == 0)
		return -EINVAL;
	if (klen == 4 && !memcmp(s, "mode", 4)) {
		char tmp[16];

		if (vlen >= sizeof(tmp))
			return -EINVAL;
		memcpy(tmp, val, vlen);
		tmp[vlen] = '\0';
		if (parse_mode(tmp, &v->mode))
			return -EINVAL;
		v->has_mode = true;
		return 0;
	}
	if (klen == 5 && !memcmp(s, "group", 5))
		return copy_str(v->group, sizeof(v->group), val, vlen);
	if (v->kind != VNL_VDE)
		return -EINVAL;
	if (klen == 4 && !memcmp(s, "port", 4))
		return parse_port(val, vlen, v);
	if (klen == 9 && !memcmp(s, "portgroup", 9))
		return copy_str(v->portgroup, sizeof(v->portgroup), val, vlen);
	return -EINVAL;
}

/* PATH or PATH[PARAMS] for vde and ptp. */
static int parse_path(const char *s, struct vnl *v, bool names_ok)
{
	size_t len = strlen(s);
	const char *open, *p, *end;
	int ret;

	if (len == 0 || s[len - 1] != ']')
		return copy_str(v->path, sizeof(v->path), s, len);
	open = strrchr(s, '[');
	if (!open)
		return -EINVAL;
	ret = copy_str(v->path, sizeof(v->path), s, (size_t)(open - s));
	if (ret)
		return ret;
	if (v->path[0] == '\0')
		return -EINVAL;
	p = open + 1;
	end = s + len - 1;
	if (p == end) {
		if (v->kind != VNL_VDE)
			return -EINVAL;
		v->ptp_server = true;
		return 0;
	}
	if (v->kind == VNL_VDE && all_digits(p, (size_t)(end - p)))
		return parse_port(p, (size_t)(end - p), v);
	while (p < end) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		const char *tok_end = slash ? slash : end;

		if (tok_end > p) {
			ret = parse_param(p, (size_t)(tok_end - p), v, names_ok);
			if (ret)
				return ret;
		}
		p = slash ? slash + 1 : end;
	}
	return 0;
}

/* "[v6]:port", "host:port", "v6::addr:port" (last ':'), or "port" when
 * @port_only_ok. Brackets are removed from the host. */
static int parse_hostport(const char *s, size_t len, bool port_only_ok,
			  char *host, char *port, unsigned int minport)
{
	const char *colon = NULL, *h = s;
	size_t hlen, i;
	const char *err;
	char tmp[8];
	long long n = 0;
	int ret;

	for (i = len; i > 0; i--)
		if (s[i - 1] == ':') {
			colon = s + i - 1;
			break;
		}
	if (!colon) {
		if (!port_only_ok)
			return -EINVAL;
		host[0] = '\0';
		colon = s - 1;
		hlen = 0;
	} else {
		hlen = (size_t)(colon - s);
		if (hlen >= 2 && s[0] == '[' && s[hlen - 1] == ']') {
			h = s + 1;
			hlen -= 2;
		} else if (memchr(s, '[', hlen) || memchr(s, ']', hlen)) {
			return -EINVAL;
		}
		if (hlen == 0)
			return -EINVAL;
		ret = copy_str(host, VNL_NAMEMAX, h, hlen);
		if (ret)
			return ret;
	}
	if (copy_str(tmp, sizeof(tmp), colon + 1, (size_t)(s + len - colon - 1)))
		return -EINVAL;
	n = parse_num(tmp, minport, 65535, &err);
	if (err)
		return -EINVAL;
	/* normalised to decimal ("0x10" -> "16") for getaddrinfo */
	snprintf(port, 8, "%lld", n);
	return 0;
}

static int parse_udp(const char *s, struct vnl *v)
{
	const char *arrow = strstr(s, "->");
	int ret;

	if (!arrow || arrow == s)
		return -EINVAL;
	ret = parse_hostport(s, (size_t)(arrow - s), true, v->src_host, v->src_port, 0);
	if (ret)
		return ret;
	return parse_hostport(arrow + 2, strlen(arrow + 2), false, v->dst_host,
			      v->dst_port, 1);
}

/* Split @v->cmdbuf in place into words; '' "" and \ quote like sh. */
static int split_words(struct vnl *v)
{
	char *r = v->cmdbuf, *w = v->cmdbuf;
	int argc = 0;

	for (;;) {
		while (*r == ' ' || *r == '\t')
			r++;
		if (!*r)
			break;
		if (argc == VNL_MAXARGS)
			return -E2BIG;
		v->argv[argc++] = w;
		while (*r && *r != ' ' && *r != '\t') {
			char q = *r;

			if (q == '\'' || q == '"') {
				r++;
				while (*r && *r != q) {
					if (q == '"' && *r == '\\' &&
					    (r[1] == '"' || r[1] == '\\'))
						r++;
					*w++ = *r++;
				}
				if (!*r)
					return -EINVAL;	/* unterminated quote */
				r++;
			} else if (q == '\\') {
				r++;
				if (!*r)
					return -EINVAL;
				*w++ = *r++;
			} else {
				*w++ = *r++;
			}
		}
		/* w never overtakes r, so the terminator cannot clobber input */
		if (*r)
			r++;
		*w++ = '\0';
	}
	v->argv[argc] = NULL;
	return argc ? 0 : -EINVAL;
}

static int parse_cmd(const char *s, struct vnl *v)
{
	size_t len;
	int ret;

	while (*s == ' ' || *s == '\t')
		s++;
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n'))
		len--;
	/* one pair of quotes around the whole command is just wrapping */
	if (len >= 2 && (s[0] == '"' || s[0] == '\'') && s[len - 1] == s[0] &&
	    !memchr(s + 1, s[0], len - 2)) {
		s++;
		len -= 2;
	}
	ret = copy_str(v->cmdbuf, sizeof(v->cmdbuf), s, len);
	if (ret)
		return ret;
	if (strpbrk(v->cmdbuf, "|&;<>()$`\n")) {
		v->use_shell = true;
		v->argv[0] = (char *)"/bin/sh";
		v->argv[1] = (char *)"-c";
		v->argv[2] = v->cmdbuf;
		v->argv[3] = NULL;
		return v->cmdbuf[0] ? 0 : -EINVAL;
	}
	return split_words(v);
}

/* tap: an interface name as Linux accepts it (dev_valid_name()). */
static int parse_ifname(const char *s, struct vnl *v)
{
	size_t len = strlen(s), i;

	if (len == 0 || !strcmp(s, ".") || !strcmp(s, ".."))
		return -EINVAL;
	if (len > VNL_IFNAMEMAX)
		return -ENAMETOOLONG;
	for (i = 0; i < len; i++)
		if (s[i] == '/' || s[i] == ':' || s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r'))
			return -EINVAL;
	return copy_str(v->path, sizeof(v->path), s, len);
}

/* A numeric address of @v's family (set by the first one). @s is NUL-terminated
 * and may be [bracketed]. 0 or -EINVAL. */
static int vx_addr(const char *s, size_t len, struct vnl_vx *x, char out[VNL_ADDRMAX],
		   bool *mcast)
{
	unsigned char bin[16];
	char tmp[VNL_ADDRMAX];
	int fam;

	if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
		s++;
		len -= 2;
	}
	if (len == 0 || len >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (inet_pton(AF_INET, tmp, bin) == 1)
		fam = AF_INET;
	else if (inet_pton(AF_INET6, tmp, bin) == 1)
		fam = AF_INET6;
	else
		return -EINVAL;
	if (x->family && x->family != fam)
		return -EINVAL;
	x->family = fam;
	if (fam == AF_INET) {
		if (bin[0] == 0 || bin[0] >= 240 || !memcmp(bin, "\xff\xff\xff\xff", 4))
			return -EINVAL;	/* 0.x, class E, broadcast */
		*mcast = bin[0] >= 224;
	} else {
		static const unsigned char zero[16];

		if (!memcmp(bin, zero, 16))
			return -EINVAL;
		*mcast = bin[0] == 0xff;
	}
	memcpy(out, tmp, len + 1);
	return 0;
}

static int vx_num(const char *s, size_t len, long long min, long long max, long long *n)
{
	char tmp[24];
	const char *err;

	if (len == 0 || len >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	*n = parse_num(tmp, min, max, &err);
	return err ? -EINVAL : 0;
}

static bool vx_key(const char *s, size_t klen, const char *key)
{
	return strlen(key) == klen && !memcmp(s, key, klen);
}

/* One vxlan/vxvde option. @want6 / @want4 collect the v6 / v4 flags. */
static int vx_option(const char *s, size_t len, struct vnl *v, bool *want4, bool *want6)
{
	struct vnl_vx *x = &v->vx;
	const char *eq = memchr(s, '=', len);
	const char *val;
	size_t klen, vlen;
	long long n = 0;
	bool mc;
	int ret;

	if (!eq) {
		if (len == 2 && !memcmp(s, "v4", 2))
			*want4 = true;
		else if (len == 2 && !memcmp(s, "v6", 2))
			*want6 = true;
		else
			return -EINVAL;
		return 0;
	}
	klen = (size_t)(eq - s);
	val = eq + 1;
	vlen = len - klen - 1;
	if (vlen == 0)
		return -EINVAL;
	if (vx_key(s, klen, "vni")) {
		ret = vx_num(val, vlen, 0, 0xffffff, &n);
		x->vni = (unsigned int)n;
	} else if (vx_key(s, klen, "port")) {
		ret = vx_num(val, vlen, 1, 65535, &n);
		x->port = (unsigned int)n;
	} else if (vx_key(s, klen, "ttl")) {
		ret = vx_num(val, vlen, 1, 255, &n);
		x->ttl = (int)n;
	} else if (vx_key(s, klen, "mtu")) {
		ret = vx_num(val, vlen, 68, 65000, &n);
		x->mtu = (unsigned int)n;
	} else if (vx_key(s, klen, "expire") || vx_key(s, klen, "expiretime")) {
		ret = vx_num(val, vlen, 1, 86400, &n);
		x->expire = (unsigned int)n;
	} else if (vx_key(s, klen, "hashsize") && v->kind == VNL_VXVDE) {
		ret = vx_num(val, vlen, 1, 1 << 20, &n);	/* accepted, not needed */
	} else if (vx_key(s, klen, "local")) {
		ret = vx_addr(val, vlen, x, x->local, &mc);
		if (!ret && mc)
			ret = -EINVAL;
	} else if (vx_key(s, klen, "if")) {
		size_t i;

		ret = vlen <= VNL_IFNAMEMAX ? 0 : -EINVAL;
		for (i = 0; !ret && i < vlen; i++)
			if (val[i] == ':' || val[i] == ' ' || (val[i] >= '\t' && val[i] <= '\r'))
				ret = -EINVAL;
		if (!ret)
			ret = copy_str(x->ifname, sizeof(x->ifname), val, vlen);
	} else if (vx_key(s, klen, "remote") && v->kind == VNL_VXLAN) {
		if (x->naddr >= VNL_MAXREMOTES)
			return -E2BIG;
		ret = vx_addr(val, vlen, x, x->addr[x->naddr], &mc);
		if (!ret && mc)
			ret = -EINVAL;	/* one group at most: ADDR */
		if (!ret)
			x->naddr++;
	} else {
		ret = -EINVAL;
	}
	return ret;
}

/* vxlan://ADDR[/OPT]... and vxvde://[GROUP][/OPT]... */
static int parse_vx(const char *s, struct vnl *v)
{
	struct vnl_vx *x = &v->vx;
	bool want4 = false, want6 = false, mc = false;
	const char *p = s, *slash;
	size_t alen;
	int ret;

	x->ttl = -1;
	x->vni = 1;
	x->port = v->kind == VNL_VXLAN ? 4789 : 14789;
	x->expire = v->kind == VNL_VXLAN ? 300 : 128;
	slash = strchr(s, '/');
	alen = slash ? (size_t)(slash - s) : strlen(s);
	if (alen > 0) {
		ret = vx_addr(s, alen, x, x->addr[0], &mc);
		if (ret)
			return ret;
		x->naddr = 1;
		x->multicast = mc;
	} else if (v->kind == VNL_VXLAN) {
		return -EINVAL;
	}
	if (v->kind == VNL_VXVDE && alen > 0 && !mc)
		return -EINVAL;		/* vxvde lives on a multicast group */
	p = s + alen;
	while (*p) {
		const char *end;

		p++;			/* the '/' */
		end = strchr(p, '/');
		if (!end)
			end = p + strlen(p);
		if (end == p)
			return -EINVAL;	/* empty option */
		ret = vx_option(p, (size_t)(end - p), v, &want4, &want6);
		if (ret)
			return ret;
		p = end;
	}
	if (want4 && want6)
		return -EINVAL;
	if ((want4 && x->family == AF_INET6) || (want6 && x->family == AF_INET))
		return -EINVAL;
	if (x->naddr == 0) {
		/* vxvde without a group: vdeplug4's defaults */
		const char *def = want6 ? "ff05:56de::1" : "239.0.0.1";

		ret = vx_addr(def, strlen(def), x, x->addr[0], &mc);
		if (ret)
			return -EINVAL;	/* local= of the other family */
		x->naddr = 1;
		x->multicast = true;
	}
	return 0;
}

/**
 * vnl_parse() - parse a VNL into its module and address fields
 * @s:	the VNL, NULL or "" for the default switch
 * @v:	output; fully initialised by this call
 *
 * Return: 0, or -EINVAL, -EPROTONOSUPPORT, -ENAMETOOLONG, -E2BIG.
 */
int vnl_parse(const char *s, struct vnl *v)
{
	/* the built-in modules, by their exact name before "://" */
	static const struct {
		const char *name;
		enum vnl_kind kind;
	} builtin[] = {
		{ "vde", VNL_VDE },	{ "ptp", VNL_PTP },	{ "vxlan", VNL_VXLAN },
		{ "vxvde", VNL_VXVDE },	{ "udp", VNL_UDP },	{ "null", VNL_NULL },
		{ "cmd", VNL_CMD },	{ "tap", VNL_TAP },
	};
	const char *sep, *rest;
	size_t mlen, i;

	memset(v, 0, sizeof(*v));
	v->kind = VNL_VDE;
	if (!s)
		s = "";
	if (!strncmp(s, "vhost-user://", 13)) {	/* '-': not in the generic name set */
		v->kind = VNL_VHOST;
		s += 13;
		return *s ? copy_str(v->path, sizeof(v->path), s, strlen(s)) : -EINVAL;
	}
	sep = strstr(s, "://");
	mlen = sep ? (size_t)(sep - s) : 0;
	for (i = 0; sep && i < mlen; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			sep = NULL;	/* not a module name: a path with "://" in it */
	if (sep && mlen == 0)
		sep = NULL;
	if (!sep) {
		if (strstr(s, "->")) {
			v->kind = VNL_UDP;
			return parse_udp(s, v);
		}
		return parse_path(s, v, false);
	}
	rest = sep + 3;
	for (i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
		if (strlen(builtin[i].name) == mlen && !memcmp(s, builtin[i].name, mlen))
			break;
	if (i == sizeof(builtin) / sizeof(builtin[0]))
		return -EPROTONOSUPPORT;	/* maybe a vdeplug4 plugin's */
	v->kind = builtin[i].kind;
	switch (v->kind) {
	case VNL_VDE:
		return parse_path(rest, v, true);
	case VNL_PTP:
		return *rest == '/' ? parse_path(rest, v, false) : -EINVAL;
	case VNL_VXLAN:
	case VNL_VXVDE:
		return parse_vx(rest, v);
	case VNL_UDP:
		return parse_udp(rest, v);
	case VNL_CMD:
		return parse_cmd(rest, v);
	case VNL_TAP:
		return parse_ifname(rest, v);
	default:		/* null: nothing after "://" is looked at */
		return 0;
	}
}

/**
 * vnl_describe() - build VDE 2's port description string
 * @out:	output buffer
 * @size:	its size; the result is cut to min(size, 128) - 1 bytes
 * @descr:	caller's label (NULL = "")
 * @login:	user name (or number as text)
 * @pid:	process id
 * @ssh_client:	$SSH_CLIENT or NULL; its first word is appended as SSH=
 *
 * Return: strlen(@out).
 */
size_t vnl_describe(char *out, size_t size, const char *descr,
		    const char *login, long pid, const char *ssh_client)
{
	char ssh[64] = "";
	int n;

	if (size == 0)
		return 0;
	if (size > VDE_REQ_DESCRMAX)
		size = VDE_REQ_DESCRMAX;
	if (ssh_client && *ssh_client) {
		size_t l = strcspn(ssh_client, " \t");

		if (l > sizeof(ssh) - 6)
			l = sizeof(ssh) - 6;
		memcpy(ssh, " SSH=", 5);
		memcpy(ssh + 5, ssh_client, l);
		ssh[5 + l] = '\0';
	}
	n = snprintf(out, size, "%s user=%s PID=%ld%s", descr ? descr : "",
		     login ? login : "", pid, ssh);
	if (n < 0) {
		out[0] = '\0';
		return 0;
	}
	return strlen(out);
}

static void put_u32(uint8_t *p, uint32_t x)
{
	/* the switch reads these as native C integers (little-endian on every
	 * platform VDE runs on in practice); memcpy keeps the native order */
	memcpy(p, &x, 4);
}

/**
 * vnl_request() - encode a VDE protocol v3 port request
 * @buf:	output, VDE_REQ_MAXLEN bytes
 * @reqtype:	VDE_REQ_NEW_CONTROL or VDE_REQ_NEW_PORT0
 * @port:	requested port, 0 = any
 * @sockpath:	absolute path of the client's datagram socket
 * @descr:	description (at most 128 bytes are allowed)
 *
 * Return: bytes to send, 0 if the path or description is too long.
 */
size_t vnl_request(uint8_t buf[VDE_REQ_MAXLEN], unsigned int reqtype,
		   unsigned int port, const char *sockpath, const char *descr)
{
	size_t plen = strlen(sockpath), dlen = strlen(descr);
	uint16_t fam = AF_UNIX;

	if (plen >= VDE_SUN_LEN - 2 || dlen > VDE_REQ_DESCRMAX || port > VNL_PORTMAX)
		return 0;
	memset(buf, 0, VDE_REQ_MAXLEN);
	put_u32(buf, VDE_REQ_MAGIC);
	put_u32(buf + 4, VDE_REQ_VERSION);
	put_u32(buf + 8, reqtype + (port << 8));
	memcpy(buf + 12, &fam, 2);
	memcpy(buf + 14, sockpath, plen);
	memcpy(buf + VDE_REQ_HDRLEN, descr, dlen);
	return VDE_REQ_HDRLEN + dlen;
}

/**
 * vnl_reply() - validate the switch's reply and extract the path
 * @buf:	reply bytes
 * @len:	their number (must be 110)
 * @path:	output, NUL-terminated
 *
 * Return: 0, or -EPROTO for a short reply, wrong family, empty or
 * unterminated path.
 */
int vnl_reply(const uint8_t *buf, size_t len, char path[108])
{
	uint16_t fam;
	size_t plen;

	if (len != VDE_SUN_LEN)
		return -EPROTO;
	memcpy(&fam, buf, 2);
	if (fam != AF_UNIX)
		return -EPROTO;
	plen = strnlen((const char *)buf + 2, VDE_SUN_LEN - 2);
	if (plen == 0 || plen == VDE_SUN_LEN - 2)
		return -EPROTO;
	memcpy(path, buf + 2, plen + 1);
	return 0;
}
