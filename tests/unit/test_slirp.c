// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_slirp.c - slirpvde's pure pieces: settings parsers
 * (VDE 2's -H/-D/-N/-L/-U/-x forms, slirp:// parameters, defaults derived
 * from the network) and the frame checks (TCP URG cleared with a correct
 * checksum over IPv4 and IPv6, fragments that split a TCP header dropped,
 * length bounds, DHCP ACK recognition).
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "frame.h"
#include "refsum.h"
#include "tap.h"

static const char *ip4(struct in_addr a)
{
	static char b[4][INET_ADDRSTRLEN];
	static int i;

	i = (i + 1) % 4;
	return inet_ntop(AF_INET, &a, b[i], sizeof(b[i]));
}

static const char *ip6(const struct in6_addr *a)
{
	static char b[INET6_ADDRSTRLEN];

	return inet_ntop(AF_INET6, a, b, sizeof(b));
}

static void test_defaults(void)
{
	struct sconf c;
	char err[200];

	sconf_init(&c);
	ok(sconf_finish(&c, err, sizeof(err)) == 0, "defaults finish");
	ok(!strcmp(ip4(c.net), "10.0.2.0") && !strcmp(ip4(c.mask), "255.255.255.0"),
	   "10.0.2.0/24");
	ok(!strcmp(ip4(c.host), "10.0.2.2") && !strcmp(ip4(c.dns), "10.0.2.3") &&
	   !strcmp(ip4(c.dhcp_start), "10.0.2.15"), "host .2, dns .3, dhcp .15");
	ok(!c.dhcp && c.v4 && c.v6 && c.mtu == 1500 && !c.tftp && !c.restricted,
	   "dhcp off, v4+v6, mtu 1500, no tftp, not restricted");
	ok(!strcmp(ip6(&c.host6), "fd00::2") && c.prefix6_len == 64, "fd00::2/64");
	ok(!strcmp(ip6(&c.dns6), "fd00::3"), "dns6 fd00::3");
}

static void test_host(void)
{
	struct sconf c;
	char err[200];

	sconf_init(&c);
	ok(sconf_set_host(&c, "10.1.0.0/16", err, sizeof(err)) == 0 &&
	   sconf_finish(&c, err, sizeof(err)) == 0, "-H 10.1.0.0/16");
	ok(!strcmp(ip4(c.host), "10.1.0.2") && !strcmp(ip4(c.dns), "10.1.0.3") &&
	   !strcmp(ip4(c.dhcp_start), "10.1.0.15") && !strcmp(ip4(c.mask), "255.255.0.0"),
	   "network only: host .2 dns .3 dhcp .15");
	sconf_init(&c);
	ok(sconf_set_host(&c, "192.168.55.1", err, sizeof(err)) == 0 &&
	   sconf_finish(&c, err, sizeof(err)) == 0, "-H 192.168.55.1");
	ok(!strcmp(ip4(c.host), "192.168.55.1") && !strcmp(ip4(c.net), "192.168.55.0") &&
	   !strcmp(ip4(c.dns), "192.168.55.3"), "host given, /24 default");
	sconf_init(&c);
	ok(sconf_set_host(&c, "10.0.2.0/33", err, sizeof(err)) < 0, "/33 refused: %s", err);
	ok(sconf_set_host(&c, "10.0.2.0/", err, sizeof(err)) < 0, "empty length refused");
	ok(sconf_set_host(&c, "10.0.2/24", err, sizeof(err)) < 0, "bad address refused");
	ok(sconf_set_host(&c, "", err, sizeof(err)) < 0, "empty refused");
	sconf_init(&c);
	ok(sconf_set_host(&c, "10.0.2.3/24", err, sizeof(err)) == 0 &&
	   sconf_finish(&c, err, sizeof(err)) < 0, "host = dns refused: %s", err);
	sconf_init(&c);
	ok(sconf_set_host(&c, "10.9.9.0/30", err, sizeof(err)) == 0 &&
	   sconf_set_dhcp(&c, NULL, err, sizeof(err)) == 0 &&
	   sconf_finish(&c, err, sizeof(err)) < 0, "/30 with dhcp .15 refused: %s", err);
	sconf_init(&c);
	ok(sconf_set_dhcp(&c, "10.0.2.30", err, sizeof(err)) == 0 &&
	   sconf_finish(&c, err, sizeof(err)) == 0 && c.dhcp &&
	   !strcmp(ip4(c.dhcp_start), "10.0.2.30"), "--dhcp=10.0.2.30");
	sconf_init(&c);
	ok(sconf_set_dhcp(&c, "10.0.3.30", err, sizeof(err)) == 0 &&
	   sconf_finish(&c, err, sizeof(err)) < 0, "dhcp start outside refused");
	sconf_init(&c);
	ok(sconf_set_host6(&c, "fd01:1::/64", err, sizeof(err)) == 0 &&
	   sconf_finish(&c, err, sizeof(err)) == 0 && !strcmp(ip6(&c.host6), "fd01:1::2"),
	   "--host6 prefix only -> ::2");
	sconf_init(&c);
	ok(sconf_set_host6(&c, "fd01:1::9/64", err, sizeof(err)) == 0 &&
	   sconf_finish(&c, err, sizeof(err)) == 0 && !strcmp(ip6(&c.host6), "fd01:1::9"),
	   "--host6 with host part");
	ok(sconf_set_mtu(&c, "65520", err, sizeof(err)) == 0 && c.mtu == 65520, "mtu 65520");
	ok(sconf_set_mtu(&c, "65521", err, sizeof(err)) < 0, "mtu 65521 refused");
	ok(sconf_set_mtu(&c, "575", err, sizeof(err)) < 0, "mtu 575 refused");
	ok(sconf_set_mtu(&c, "1500x", err, sizeof(err)) < 0, "mtu junk refused");
}

static void test_fwd(void)
{
	struct sfwd f;
	char err[200], line[160];

	ok(sfwd_parse_inet(&f, SFWD_TCP, "8080:10.0.2.15:80", err, sizeof(err)) == 0 &&
	   f.host_port == 8080 && f.guest_port == 80 && !f.host_addr.s_addr &&
	   !strcmp(ip4(f.guest_addr), "10.0.2.15"), "-L 8080:10.0.2.15:80");
	sfwd_format(&f, line, sizeof(line));
	ok(!strcmp(line, "tcp 0.0.0.0:8080 -> 10.0.2.15:80"), "format: %s", line);
	ok(sfwd_parse_inet(&f, SFWD_UDP, "127.0.0.1:5353:10.0.2.15:53", err, sizeof(err)) == 0 &&
	   !strcmp(ip4(f.host_addr), "127.0.0.1") && f.kind == SFWD_UDP, "-U with host ip");
	ok(sfwd_parse_inet(&f, SFWD_TCP, "0:10.0.2.15:80", err, sizeof(err)) < 0, "port 0");
	ok(sfwd_parse_inet(&f, SFWD_TCP, "65536:10.0.2.15:80", err, sizeof(err)) < 0,
	   "port 65536");
	ok(sfwd_parse_inet(&f, SFWD_TCP, "80:10.0.2.15", err, sizeof(err)) < 0, "2 fields");
	ok(sfwd_parse_inet(&f, SFWD_TCP, "1:2:3:4:5", err, sizeof(err)) < 0, "5 fields");
	ok(sfwd_parse_inet(&f, SFWD_TCP, "80:0.0.0.0:80", err, sizeof(err)) < 0,
	   "guest 0.0.0.0");
	ok(sfwd_parse_inet(&f, SFWD_TCP, "80::80", err, sizeof(err)) < 0, "empty guest");
	ok(sfwd_parse_inet(&f, SFWD_TCP, "-1:10.0.2.15:80", err, sizeof(err)) < 0, "signed");
	ok(sfwd_parse_unix(&f, "6000:/tmp/.X11-unix/X0", err, sizeof(err)) == 0 &&
	   f.guest_port == 6000 && !f.guest_addr.s_addr && f.on_vhost &&
	   !strcmp(f.path, "/tmp/.X11-unix/X0"),
	   "-x 6000:/tmp/.X11-unix/X0");
	ok(sfwd_parse_unix(&f, "10.0.2.5:6000:/a:b", err, sizeof(err)) == 0 &&
	   !strcmp(ip4(f.guest_addr), "10.0.2.5") && !strcmp(f.path, "/a:b") && !f.on_vhost,
	   "-x with address, path with a colon");
	ok(sfwd_parse_unix(&f, "6000:", err, sizeof(err)) < 0, "empty path");
	ok(sfwd_parse_unix(&f, "6000", err, sizeof(err)) < 0, "no path");
	memset(line, 'a', sizeof(line));
	memcpy(line, "1:/", 3);
	line[sizeof(line) - 1] = '\0';
	ok(sfwd_parse_unix(&f, line, err, sizeof(err)) < 0, "path too long");
}

static void test_vnl(void)
{
	struct sconf c;
	bool verbose;
	char err[200];
	char s1[] = "/addr=10.1.0.2/16/dhcp=10.1.0.30/verbose/tcpfwd=8080:10.1.0.15:80,9090:10.1.0.16:90";
	char s2[] = "[v4/mtu=9000/restricted/unixfwd=6000:/tmp/x]";
	char s3[] = "/nodhcp/v6/addr6=fd02::/64/vnameserver6=fd02::53";
	char s4[] = "/bogus=1";
	char s5[] = "";
	char s6[] = "/unixfwd=6000:/tmp/a/b.sock,10.0.2.9:6001:/x/y/tftp_path=/srv/tftp/boot/mtu=2000";

	sconf_init(&c);
	ok(sconf_parse_vnl(&c, s1, &verbose, err, sizeof(err)) == 0, "vnl 1: %s", err);
	ok(verbose && c.dhcp && !strcmp(ip4(c.host), "10.1.0.2") &&
	   !strcmp(ip4(c.mask), "255.255.0.0") && !strcmp(ip4(c.dhcp_start), "10.1.0.30") &&
	   c.nfwd == 2 && c.fwd[1].host_port == 9090, "addr=A/LEN, dhcp=, tcpfwd list");
	sconf_init(&c);
	ok(sconf_parse_vnl(&c, s2, &verbose, err, sizeof(err)) == 0 && c.v4 && !c.v6 &&
	   c.mtu == 9000 && c.restricted && c.nfwd == 1 && c.fwd[0].kind == SFWD_UNIX &&
	   !verbose && c.dhcp, "bracketed, v4 only, mtu, restricted, unixfwd");
	sconf_init(&c);
	ok(sconf_parse_vnl(&c, s3, &verbose, err, sizeof(err)) == 0 && !c.dhcp && !c.v4 &&
	   c.v6 && !strcmp(ip6(&c.host6), "fd02::2") && !strcmp(ip6(&c.dns6), "fd02::53"),
	   "nodhcp, v6 only, addr6, vnameserver6");
	sconf_init(&c);
	ok(sconf_parse_vnl(&c, s4, &verbose, err, sizeof(err)) < 0, "unknown key: %s", err);
	sconf_init(&c);
	ok(sconf_parse_vnl(&c, s5, &verbose, err, sizeof(err)) == 0 && c.dhcp,
	   "empty: defaults, DHCP on");
	sconf_init(&c);
	ok(sconf_parse_vnl(&c, s6, &verbose, err, sizeof(err)) == 0 && c.nfwd == 2 &&
	   !strcmp(c.fwd[0].path, "/tmp/a/b.sock") && c.fwd[0].on_vhost &&
	   !strcmp(c.fwd[1].path, "/x/y") && !c.fwd[1].on_vhost && c.tftp &&
	   !strcmp(c.tftp, "/srv/tftp/boot") && c.mtu == 2000,
	   "paths with '/' run up to the next key: %s", err);
}

/* --- frames -------------------------------------------------------------- */

/* full TCP checksum check over IPv4: 0xffff when correct */
static uint16_t tcp4_sum(const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + 14;
	size_t tl = len - 14 - 20;
	uint32_t s = 0;

	s += ref_sum16(ip + 12, 8, 0);
	s += 6 + (uint32_t)tl;
	return ref_sum16(ip + 20, tl, s);
}

static void set_tcp4_sum(uint8_t *f, size_t len)
{
	f[14 + 20 + 16] = f[14 + 20 + 17] = 0;
	uint16_t c = (uint16_t)~tcp4_sum(f, len);

	f[14 + 20 + 16] = (uint8_t)(c >> 8);
	f[14 + 20 + 17] = (uint8_t)c;
}

static size_t mk_tcp4(uint8_t *f, uint8_t flags, uint16_t urp, size_t payload)
{
	size_t len = 14 + 20 + 20 + payload, i;

	memset(f, 0, len);
	memcpy(f, "\x52\x55\x0a\x00\x02\x02", 6);
	f[12] = 0x08;
	f[14] = 0x45;
	f[14 + 2] = (uint8_t)((len - 14) >> 8);
	f[14 + 3] = (uint8_t)(len - 14);
	f[14 + 8] = 64;
	f[14 + 9] = 6;
	memcpy(f + 14 + 12, "\x0a\x00\x02\x0f\x0a\x00\x02\x02", 8);
	f[34 + 0] = 0x9c;
	f[34 + 3] = 80;
	f[34 + 12] = 0x50;
	f[34 + 13] = flags;
	f[34 + 18] = (uint8_t)(urp >> 8);
	f[34 + 19] = (uint8_t)urp;
	for (i = 0; i < payload; i++)
		f[54 + i] = (uint8_t)(i * 7 + 3);
	set_tcp4_sum(f, len);
	return len;
}

static void test_frames(void)
{
	uint8_t f[2000], g[2000];
	size_t len;
	int u;

	ok(sframe_guest_check(f, 13, 1500) == SF_DROP_RUNT, "13 bytes: runt");
	memset(f, 0, sizeof(f));
	ok(sframe_guest_check(f, 14, 1500) == SF_DROP_NOTUS, "unicast to 00:00:..: not for us");
	f[0] = 0x02;
	ok(sframe_guest_check(f, 60, 1500) == SF_DROP_NOTUS, "unicast to 02:00:..: not for us");
	f[0] = 0x33;
	f[1] = 0x33;
	ok(sframe_guest_check(f, 60, 1500) == SF_PASS, "IPv6 multicast: pass");
	memset(f, 0xff, 6);
	ok(sframe_guest_check(f, 60, 1500) == SF_PASS, "broadcast: pass");
	f[0] = 0x52;
	f[1] = 0x56;
	ok(sframe_guest_check(f, 60, 1500) == SF_PASS, "52:56:.. (libslirp IPv6): pass");
	f[1] = 0x55;
	ok(sframe_guest_check(f, 1518, 1500) == SF_PASS, "1518 (room for a tag)");
	ok(sframe_guest_check(f, 1519, 1500) == SF_DROP_BIG, "1519: too big");

	for (u = 0; u < 4; u++) {
		uint16_t urp = (uint16_t[]){ 1, 0xffff, 0x8000, 0 }[u];

		len = mk_tcp4(f, 0x38, urp, (size_t)(u * 33 + 1));	/* URG|ACK|PSH */
		memcpy(g, f, len);
		ok(tcp4_sum(f, len) == 0xffff, "built checksum ok (urp %u)", urp);
		ok(sframe_has_urg(f, len), "has URG");
		ok(sframe_guest_check(f, len, 1500) == SF_PASS_URG, "URG -> cleared");
		ok(!sframe_has_urg(f, len) && f[34 + 13] == 0x18 && !f[34 + 18] && !f[34 + 19],
		   "flags 0x18, urgent pointer 0");
		ok(tcp4_sum(f, len) == 0xffff, "checksum still correct (urp %u)", urp);
		ok(!memcmp(f + 54, g + 54, len - 54), "payload untouched");
	}
	len = mk_tcp4(f, 0x10, 5, 10);
	memcpy(g, f, len);
	ok(sframe_guest_check(f, len, 1500) == SF_PASS && !memcmp(f, g, len),
	   "no URG: unchanged (urp ignored)");

	/* fragments */
	len = mk_tcp4(f, 0x20, 1, 100);
	f[14 + 6] = 0x00;
	f[14 + 7] = 1;			/* offset 8 bytes */
	ok(sframe_guest_check(f, len, 1500) == SF_DROP_TCPFRAG, "TCP fragment at 8: drop");
	f[14 + 7] = 2;
	ok(sframe_guest_check(f, len, 1500) == SF_DROP_TCPFRAG, "TCP fragment at 16: drop");
	f[14 + 7] = 3;
	ok(sframe_guest_check(f, len, 1500) == SF_PASS, "TCP fragment at 24: pass");
	len = mk_tcp4(f, 0x20, 1, 0);
	f[14 + 2] = 0;
	f[14 + 3] = 20 + 8;		/* 8 bytes of TCP only */
	f[14 + 6] = 0x20;		/* MF */
	ok(sframe_guest_check(f, 14 + 28, 1500) == SF_DROP_TCPFRAG,
	   "first fragment with 8 TCP bytes: drop");
	f[14 + 6] = 0;
	ok(sframe_guest_check(f, 14 + 28, 1500) == SF_DROP_TRUNC, "8-byte TCP datagram: drop");
	len = mk_tcp4(f, 0x20, 1, 0);
	ok(sframe_guest_check(f, 14 + 30, 1500) == SF_DROP_TRUNC, "frame cut in TCP header");
	len = mk_tcp4(f, 0x20, 1, 0);
	f[14] = 0x44;			/* IHL 4: libslirp drops it */
	ok(sframe_guest_check(f, len, 1500) == SF_PASS, "bad IHL left to libslirp");

	/* IPv6: URG cleared, checksum fixed (pseudo header unchanged) */
	memset(f, 0, sizeof(f));
	f[0] = 0x33;
	f[12] = 0x86;
	f[13] = 0xdd;
	f[14] = 0x60;
	f[14 + 5] = 20 + 4;
	f[14 + 6] = 6;
	f[14 + 40 + 13] = 0x20;
	f[14 + 40 + 18] = 0xff;
	f[14 + 40 + 16] = 0x12;
	f[14 + 40 + 17] = 0x34;
	{
		uint32_t before = ref_sum16(f + 54, 24, 0);

		ok(sframe_guest_check(f, 14 + 40 + 24, 1500) == SF_PASS_URG, "IPv6 URG cleared");
		ok(ref_sum16(f + 54, 24, 0) == before, "IPv6 TCP one's complement sum preserved");
	}
	f[14 + 6] = 0;			/* hop-by-hop: libslirp discards */
	f[14 + 40 + 13] = 0x20;
	ok(sframe_guest_check(f, 14 + 40 + 24, 1500) == SF_PASS, "IPv6 ext header: left alone");
	f[14 + 6] = 6;
	ok(sframe_guest_check(f, 14 + 40 + 10, 1500) == SF_DROP_TRUNC, "IPv6 TCP truncated");
}

static uint16_t ip4_hsum(const uint8_t *f)
{
	return ref_sum16(f + 14, 20, 0);
}

static void test_alias(void)
{
	struct sframe_alias a;
	uint8_t f[200], g[200];
	size_t len;

	memset(&a, 0, sizeof(a));
	inet_pton(AF_INET, "10.0.2.2", &a.vhost);
	inet_pton(AF_INET, "10.0.2.4", &a.alias);
	len = mk_tcp4(f, 0x02, 0, 5);
	f[34 + 2] = 6000 >> 8;
	f[34 + 3] = 6000 & 0xff;
	set_tcp4_sum(f, len);
	{	/* IP header checksum */
		f[24] = f[25] = 0;
		uint16_t c = (uint16_t)~ip4_hsum(f);

		f[24] = (uint8_t)(c >> 8);
		f[25] = (uint8_t)c;
	}
	memcpy(g, f, len);
	ok(sframe_alias_in(f, len, &a) == 0 && !memcmp(f, g, len), "no ports: unchanged");
	a.port[a.nport++] = 6000;
	ok(sframe_alias_in(f, len, &a) == 1 && f[14 + 19] == 4, "vhost:6000 -> alias");
	ok(ip4_hsum(f) == 0xffff && tcp4_sum(f, len) == 0xffff, "both checksums correct");
	ok(sframe_alias_in(f, len, &a) == 0, "already the alias: unchanged");
	/* the answer: swap the addresses and ports of the rewritten frame */
	memcpy(g, f, len);
	memcpy(g + 26, f + 30, 4);
	memcpy(g + 30, f + 26, 4);
	memcpy(g + 34, f + 36, 2);
	memcpy(g + 36, f + 34, 2);
	ok(sframe_alias_out(g, len, &a) == 1 && g[14 + 15] == 2, "alias:6000 -> vhost");
	ok(ip4_hsum(g) == 0xffff && tcp4_sum(g, len) == 0xffff, "answer checksums correct");
	a.port[0] = 6001;
	memcpy(g, f, len);
	ok(sframe_alias_in(g, len, &a) == 0 && !memcmp(f, g, len), "other port: unchanged");
}

/* an IPv4 UDP fragment frame: payload bytes [off, off+n) of a datagram
 * whose payload byte k is (k * 13 + id) & 0xff */
static size_t mk_frag(uint8_t *f, uint16_t id, size_t off, size_t n, int mf, uint8_t ttl)
{
	size_t i;
	uint32_t sum = 0;

	memset(f, 0, 14 + 20);
	f[12] = 0x08;
	f[14] = 0x45;
	f[14 + 2] = (uint8_t)((20 + n) >> 8);
	f[14 + 3] = (uint8_t)(20 + n);
	f[14 + 4] = (uint8_t)(id >> 8);
	f[14 + 5] = (uint8_t)id;
	f[14 + 6] = (uint8_t)((mf ? 0x20 : 0) | ((off / 8) >> 8));
	f[14 + 7] = (uint8_t)(off / 8);
	f[14 + 8] = ttl;
	f[14 + 9] = 17;
	memcpy(f + 14 + 12, "\x0a\x00\x02\x0f\x0a\x00\x02\x02", 8);
	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)(f[14 + i] << 8 | f[14 + i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	f[14 + 10] = (uint8_t)(~sum >> 8);
	f[14 + 11] = (uint8_t)~sum;
	for (i = 0; i < n; i++)
		f[34 + i] = (uint8_t)((off + i) * 13 + id);
	return 34 + n;
}

static int datagram_ok(const struct sreasm *r, long n, uint16_t id, size_t total)
{
	size_t i;

	if (n != (long)(34 + total) || ip4_hsum(r->out) != 0xffff ||
	    (r->out[14 + 2] << 8 | r->out[14 + 3]) != (int)(20 + total) ||
	    (r->out[14 + 6] & 0x3f) || r->out[14 + 7])
		return 0;
	for (i = 0; i < total; i++)
		if (r->out[34 + i] != (uint8_t)(i * 13 + id))
			return 0;
	return 1;
}

static void test_reasm(void)
{
	static struct sreasm r;
	static uint8_t f[70000];
	uint64_t t = 1000;
	size_t len;
	long n;
	int k;

	len = mk_tcp4(f, 0x10, 0, 10);
	ok(sreasm_feed(&r, f, len, t) == -1, "whole datagram: not taken");
	len = mk_frag(f, 1, 0, 1480, 1, 64);
	ok(sreasm_feed(&r, f, len, t) == 0, "first fragment held");
	len = mk_frag(f, 1, 1480, 1480, 1, 64);
	ok(sreasm_feed(&r, f, len, t) == 0, "middle held");
	len = mk_frag(f, 1, 2960, 100, 0, 64);
	n = sreasm_feed(&r, f, len, t);
	ok(datagram_ok(&r, n, 1, 3060), "in order: 3060-byte datagram, checksum, no MF/offset");

	len = mk_frag(f, 2, 16, 50, 0, 64);
	ok(sreasm_feed(&r, f, len, t) == 0, "lone last fragment (libslirp 4.7 crash) held");
	len = mk_frag(f, 2, 8, 8, 1, 64);
	ok(sreasm_feed(&r, f, len, t) == 0, "middle held");
	len = mk_frag(f, 2, 0, 16, 1, 64);	/* overlaps the middle */
	n = sreasm_feed(&r, f, len, t);
	ok(datagram_ok(&r, n, 2, 66), "reverse order with overlap: reassembled");

	len = mk_frag(f, 3, 0, 16, 1, 64);
	f[14 + 10] ^= 1;
	ok(sreasm_feed(&r, f, len, t) == 0 && r.dropped == 1, "bad header checksum dropped");
	len = mk_frag(f, 3, 0, 12, 1, 64);
	ok(sreasm_feed(&r, f, len, t) == 0 && r.dropped == 2, "MF with length not /8 dropped");
	len = mk_frag(f, 3, 0, 16, 1, 0);
	ok(sreasm_feed(&r, f, len, t) == 0 && r.dropped == 3, "TTL 0 dropped");
	len = mk_frag(f, 3, 65528, 8, 0, 64);
	ok(sreasm_feed(&r, f, len, t) == 0 && r.dropped == 4, "end past 65535 dropped");
	len = mk_frag(f, 3, 8, 8, 1, 64);
	ok(sreasm_feed(&r, f, len - 1, t) == 0 && r.dropped == 5, "frame shorter than IP length");

	/* two different ends */
	len = mk_frag(f, 4, 8, 8, 0, 64);
	sreasm_feed(&r, f, len, t);
	len = mk_frag(f, 4, 8, 16, 0, 64);
	ok(sreasm_feed(&r, f, len, t) == 0 && r.dropped == 6, "conflicting last fragments");

	/* eviction: more datagrams in flight than slots */
	for (k = 0; k < SREASM_SLOTS + 1; k++) {
		len = mk_frag(f, (uint16_t)(100 + k), 0, 8, 1, 64);
		sreasm_feed(&r, f, len, t + (uint64_t)k);
	}
	len = mk_frag(f, 100, 8, 8, 0, 64);
	ok(sreasm_feed(&r, f, len, t + 10) == 0, "the oldest was evicted: its end is held alone");
	len = mk_frag(f, 104, 8, 8, 0, 64);
	n = sreasm_feed(&r, f, len, t + 10);
	ok(datagram_ok(&r, n, 104, 16), "the newest completes");
	/* expiry */
	len = mk_frag(f, 200, 0, 8, 1, 64);
	sreasm_feed(&r, f, len, t);
	len = mk_frag(f, 200, 8, 8, 0, 64);
	ok(sreasm_feed(&r, f, len, t + SREASM_TTL_NS) == 0, "after the TTL the start is forgotten");
	/* the largest datagram */
	for (k = 0; k < 44; k++) {
		len = mk_frag(f, 300, (size_t)k * 1480, 1480, 1, 64);
		sreasm_feed(&r, f, len, t);
	}
	len = mk_frag(f, 300, 44 * 1480, 65515 - 44 * 1480, 0, 64);
	n = sreasm_feed(&r, f, len, t);
	ok(datagram_ok(&r, n, 300, 65515), "65535-byte datagram");
}

static void test_tftp(void)
{
	uint8_t f[200];
	struct in_addr vh;
	struct in6_addr vh6;

	inet_pton(AF_INET, "10.0.2.2", &vh);
	inet_pton(AF_INET6, "fd00::2", &vh6);
	memset(f, 0, sizeof(f));
	f[12] = 0x08;
	f[14] = 0x45;
	f[14 + 9] = 17;
	memcpy(f + 14 + 16, &vh, 4);
	f[34 + 3] = 69;
	ok(sframe_tftp_to(f, 60, vh, &vh6) == 1, "IPv4 TFTP to the virtual host");
	f[34 + 3] = 68;
	ok(sframe_tftp_to(f, 60, vh, &vh6) == 0, "other port");
	f[34 + 3] = 69;
	f[14 + 19] = 9;
	ok(sframe_tftp_to(f, 60, vh, &vh6) == 0, "TFTP elsewhere (NAT'd): not ours to stop");
	memset(f, 0, sizeof(f));
	f[12] = 0x86;
	f[13] = 0xdd;
	f[14] = 0x60;
	f[14 + 6] = 17;
	memcpy(f + 14 + 24, &vh6, 16);
	f[54 + 3] = 69;
	ok(sframe_tftp_to(f, 62, vh, &vh6) == 1, "IPv6 TFTP to the virtual host");
	ok(sframe_tftp_to(f, 40, vh, &vh6) == 0, "short frame");
}

static void test_dhcp(void)
{
	uint8_t f[600];
	struct sdhcp_lease l;
	uint8_t *ip = f + 14, *udp = ip + 20, *bp = udp + 8, *o = bp + 240;

	memset(f, 0, sizeof(f));
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[9] = 17;
	udp[1] = 67;
	udp[3] = 68;
	bp[0] = 2;
	bp[1] = 1;
	bp[2] = 6;
	memcpy(bp + 16, "\x0a\x00\x02\x0f", 4);
	memcpy(bp + 28, "\x52\x54\x00\x12\x34\x56", 6);
	memcpy(bp + 236, "\x63\x82\x53\x63", 4);
	memcpy(o, "\x35\x01\x05\x33\x04\x00\x01\x51\x80\xff", 10);
	ok(sframe_dhcp_ack(f, sizeof(f), &l) == 1 && l.lease_secs == 86400 &&
	   !strcmp(ip4(l.addr), "10.0.2.15") && l.mac[5] == 0x56, "DHCP ACK recognised");
	o[2] = 2;
	ok(sframe_dhcp_ack(f, sizeof(f), &l) == 0, "OFFER is not an ACK");
	o[2] = 5;
	o[4] = 200;		/* option 51 length runs past the end */
	ok(sframe_dhcp_ack(f, 14 + 20 + 8 + 240 + 6, &l) == 1, "truncated option: no overrun");
	ok(sframe_dhcp_ack(f, 100, &l) == 0, "short frame");
	udp[1] = 68;
	ok(sframe_dhcp_ack(f, sizeof(f), &l) == 0, "wrong port");
}

/* A forward's guest must be a guest host of the network (issue 14, item 9). */
static void test_fwd_target(void)
{
	static const struct { const char *spec; bool good; } t[] = {
		{ "8080:10.0.2.15:80", true },
		{ "8080:10.0.2.254:80", true },
		{ "8080:192.168.77.5:22", false },	/* outside the network */
		{ "8080:10.0.3.15:22", false },
		{ "8080:10.0.2.0:22", false },		/* network address */
		{ "8080:10.0.2.255:22", false },	/* broadcast */
		{ "8080:10.0.2.2:22", false },		/* virtual host */
		{ "8080:10.0.2.3:53", false },		/* DNS */
	};
	char err[200];
	struct sconf c;
	struct sfwd f;
	size_t i;

	sconf_init(&c);
	ok(sconf_finish(&c, err, sizeof(err)) == 0, "finish");
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		err[0] = 0;
		ok(sfwd_parse_inet(&f, SFWD_TCP, t[i].spec, err, sizeof(err)) == 0 &&
		   (sconf_check_fwd(&c, &f, err, sizeof(err)) == 0) == t[i].good,
		   "forward %s %s %s", t[i].spec, t[i].good ? "accepted" : "refused:", err);
	}
	/* at start: sconf_finish() checks the -L/-U list */
	sconf_init(&c);
	ok(sfwd_parse_inet(&f, SFWD_UDP, "5353:172.16.0.9:53", err, sizeof(err)) == 0 &&
	   sconf_add_fwd(&c, &f, err, sizeof(err)) == 0 &&
	   sconf_finish(&c, err, sizeof(err)) < 0 && strstr(err, "172.16.0.9"),
	   "finish refuses a forward outside the network: %s", err);
	ok(sconf_set_host(&c, "172.16.0.0/16", err, sizeof(err)) == 0 &&
	   sconf_finish(&c, err, sizeof(err)) == 0, "the same forward inside -H 172.16.0.0/16");
}

/* libslirp's connection table rows, for slirpvde's -j connections */
static void test_sconn(void)
{
	struct sconn c;

	ok(sconn_parse("  Protocol[State]    FD  Source Address  Port   Dest. Address  Port RecvQ SendQ",
		       &c) < 0, "sconn: header is not a row");
	ok(sconn_parse("  TCP[HOST_FORWARD]   5               *  5555       10.0.2.15    22     0     0",
		       &c) == 0 && !strcmp(c.proto, "TCP") && !strcmp(c.state, "HOST_FORWARD") &&
	   c.fd == 5 && !strcmp(c.src, "*") && c.src_port == 5555 &&
	   !strcmp(c.dst, "10.0.2.15") && c.dst_port == 22 && c.recvq == 0 && c.sendq == 0,
	   "sconn: host forward row");
	ok(sconn_parse("  UDP[236 sec]       -1       10.0.2.15 45000   192.0.2.1    53     0    12",
		       &c) == 0 && !strcmp(c.state, "236 sec") && c.fd == -1 && c.sendq == 12,
	   "sconn: a state with a blank, fd -1");
	ok(sconn_parse("  TCP[X] 1 a 2 b 3 4", &c) < 0, "sconn: six fields");
	ok(sconn_parse("  TCP[X] 1 a 2 b 3 4 5 6", &c) < 0, "sconn: eight fields");
	ok(sconn_parse("  TCP[X] 1 a -2 b 3 4 5", &c) < 0, "sconn: negative port");
	ok(sconn_parse("  TCP[X 1 a 2 b 3 4 5", &c) < 0, "sconn: no ]");
	ok(sconn_parse("[X] 1 a 2 b 3 4 5", &c) < 0, "sconn: no protocol");
	ok(sconn_parse("  TCPTCPTCP[X] 1 a 2 b 3 4 5", &c) < 0, "sconn: protocol too long");
	ok(sconn_parse("", &c) < 0, "sconn: empty");
}

static void test_sneigh(void)
{
	struct sneigh nb;

	ok(sneigh_parse("  Table  MacAddr            IP Address", &nb) < 0, "sneigh: header");
	ok(sneigh_parse("    ARP  52:54:00:12:34:56  10.0.2.15", &nb) == 0 &&
	   !strcmp(nb.table, "ARP") && !strcmp(nb.mac, "52:54:00:12:34:56") &&
	   !strcmp(nb.addr, "10.0.2.15"), "sneigh: ARP row");
	ok(sneigh_parse("    NDP  52:54:00:12:34:56  fe80::5054:ff:fe12:3456", &nb) == 0 &&
	   !strcmp(nb.addr, "fe80::5054:ff:fe12:3456"), "sneigh: NDP row");
	ok(sneigh_parse("    ARP  52:54:00:12:34  10.0.2.15", &nb) < 0, "sneigh: short MAC");
	ok(sneigh_parse("    ARP  52:54:00:12:34:56", &nb) < 0, "sneigh: two fields");
	ok(sneigh_parse("ARP 52:54:00:12:34:56 10.0.2.15 x", &nb) < 0, "sneigh: four fields");
}

int main(void)
{
	test_sconn();
	test_sneigh();
	test_defaults();
	test_host();
	test_fwd();
	test_fwd_target();
	test_vnl();
	test_frames();
	test_alias();
	test_reasm();
	test_tftp();
	test_dhcp();
	return tap_done();
}
