// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_vnl.c - VNL parser, port description and v3 request bytes
 *
 * Covers lib/vdeplug/vnl.c: module dispatch ("://", bare paths, VDE 2's
 * "sport->host:dport"), vde path parameters ([N], [0], [], vdeplug4's
 * [port=/group=/mode=/portgroup]), udp host:port forms (IPv4, IPv6 with and
 * without brackets), cmd quoting and shell detection, errors; the
 * description string and the exact request/reply bytes of protocol v3.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tap.h"
#include "vnl.h"

static struct vnl v;	/* large: keep it off the stack */

static int parse(const char *s)
{
	return vnl_parse(s, &v);
}

static int argv_is(const char *const *want)
{
	int i;

	for (i = 0; want[i]; i++)
		if (!v.argv[i] || strcmp(v.argv[i], want[i]))
			return 0;
	return v.argv[i] == NULL;
}

static void test_vde(void)
{
	ok(parse(NULL) == 0 && v.kind == VNL_VDE && v.path[0] == '\0', "NULL: default switch");
	ok(parse("") == 0 && v.kind == VNL_VDE && v.path[0] == '\0', "\"\": default switch");
	ok(parse("vde://") == 0 && v.kind == VNL_VDE && v.path[0] == '\0', "vde://: default switch");
	ok(parse("/tmp/sw") == 0 && v.kind == VNL_VDE && !strcmp(v.path, "/tmp/sw") &&
	   !v.has_port && !v.ptp_server, "bare path");
	ok(parse("rel/sw") == 0 && !strcmp(v.path, "rel/sw"), "relative path kept as is");
	ok(parse("vde:///tmp/sw") == 0 && v.kind == VNL_VDE && !strcmp(v.path, "/tmp/sw"),
	   "vde:///tmp/sw");
	ok(parse("/tmp/sw[3]") == 0 && !strcmp(v.path, "/tmp/sw") && v.has_port && v.port == 3,
	   "[3]: port 3");
	ok(parse("vde:///tmp/sw[0]") == 0 && v.has_port && v.port == 0, "[0]: port 0 (REQ_NEW_PORT0)");
	ok(parse("/tmp/sw[]") == 0 && v.ptp_server && !strcmp(v.path, "/tmp/sw"), "[]: p2p server");
	ok(parse("vde:///tmp/sw[port=3/group=kvm/mode=0660]") == 0 && v.has_port && v.port == 3 &&
	   !strcmp(v.group, "kvm") && v.has_mode && v.mode == 0660, "vdeplug4 params");
	ok(parse("/tmp/sw[mode=600]") == 0 && v.has_mode && v.mode == 0600 && !v.has_port,
	   "mode only");
	ok(parse("vde:///tmp/sw[uplink]") == 0 && !strcmp(v.portgroup, "uplink") && !v.has_port,
	   "vde://DIR[name]: port group");
	ok(parse("/tmp/sw[abc]") == -EINVAL, "bare DIR[abc]: VDE 2 syntax has no names (issue 15)");
	ok(parse("/tmp/sw[portgroup=abc]") == 0 && !strcmp(v.portgroup, "abc"),
	   "bare DIR[portgroup=abc]");
	ok(parse("vde:///tmp/sw[portgroup=g1/5]") == 0 && !strcmp(v.portgroup, "g1") && v.port == 5,
	   "portgroup= and bare port");
	ok(parse("/tmp/sw[16777215]") == 0 && v.port == 0xffffff, "largest port");
	ok(parse("/tmp/sw[16777216]") == -EINVAL, "port too large");
	ok(parse("/tmp/sw[-1]") == -EINVAL, "negative port");
	ok(parse("/tmp/sw[mode=999]") == -EINVAL, "bad mode");
	ok(parse("/tmp/sw[mode=]") == -EINVAL, "empty value");
	ok(parse("/tmp/sw[colour=red]") == -EINVAL, "unknown key");
	ok(parse("[3]") == -EINVAL, "no path before [");
	ok(parse("/tmp/sw3]") == -EINVAL, "] without [");
	ok(parse("/tmp/sw[3") == 0 && !strcmp(v.path, "/tmp/sw[3"), "unclosed [ is part of the path");
	ok(parse("/tmp/a://b") == 0 && v.kind == VNL_VDE && !strcmp(v.path, "/tmp/a://b"),
	   "\"://\" after a non-name is a path");
	{
		char *big = malloc(VNL_PATHMAX + 10);

		memset(big, 'a', VNL_PATHMAX + 9);
		big[0] = '/';
		big[VNL_PATHMAX + 9] = '\0';
		ok(parse(big) == -ENAMETOOLONG, "path too long");
		free(big);
	}
}

static void test_ptp_null(void)
{
	ok(parse("ptp:///tmp/p") == 0 && v.kind == VNL_PTP && !strcmp(v.path, "/tmp/p"), "ptp path");
	ok(parse("ptp:///tmp/p[mode=0666/group=users]") == 0 && v.mode == 0666 &&
	   !strcmp(v.group, "users"), "ptp params");
	ok(parse("ptp://") == -EINVAL, "ptp without path");
	ok(parse("ptp://relative") == -EINVAL && parse("ptp://rel/p") == -EINVAL,
	   "ptp relative path (issue 15)");
	ok(parse("ptp:///tmp/p[]") == -EINVAL, "ptp [] invalid");
	ok(parse("ptp:///tmp/p[port=3]") == -EINVAL, "ptp port invalid");
	ok(parse("null://") == 0 && v.kind == VNL_NULL, "null://");
	ok(parse("null://whatever") == 0 && v.kind == VNL_NULL, "null:// ignores its address");
	ok(parse("foo://239.0.0.1") == -EPROTONOSUPPORT, "unknown module");
	ok(parse("nul://x") == -EPROTONOSUPPORT && parse("nullx://x") == -EPROTONOSUPPORT &&
	   parse("vxla://10.0.0.1") == -EPROTONOSUPPORT && parse("tapx://tap0") == -EPROTONOSUPPORT,
	   "module names match exactly (a prefix or a longer name is another module)");
	ok(parse("tap://tap0") == 0 && v.kind == VNL_TAP && !strcmp(v.path, "tap0"), "tap://tap0");
	ok(parse("tap://abcdefghijklmno") == 0 && v.kind == VNL_TAP, "tap: 15-byte name");
	ok(parse("tap://abcdefghijklmnop") == -ENAMETOOLONG, "tap: 16-byte name too long");
	ok(parse("tap://") == -EINVAL && parse("tap://a/b") == -EINVAL &&
	   parse("tap://a b") == -EINVAL && parse("tap://..") == -EINVAL, "tap: bad names");
	ok(parse("VDE:///tmp/sw") == 0 && v.kind == VNL_VDE && !strcmp(v.path, "VDE:///tmp/sw"),
	   "module names are lowercase");
}

static void test_udp(void)
{
	ok(parse("udp://5000->127.0.0.1:5001") == 0 && v.kind == VNL_UDP && !v.src_host[0] &&
	   !strcmp(v.src_port, "5000") && !strcmp(v.dst_host, "127.0.0.1") &&
	   !strcmp(v.dst_port, "5001"), "udp://sport->host:dport");
	ok(parse("5000->10.0.0.1:6000") == 0 && v.kind == VNL_UDP && !strcmp(v.dst_host, "10.0.0.1"),
	   "VDE 2 form without scheme");
	ok(parse("udp://127.0.0.1:5000->127.0.0.2:5001") == 0 &&
	   !strcmp(v.src_host, "127.0.0.1") && !strcmp(v.src_port, "5000"), "src host:port");
	ok(parse("udp://[::1]:5000->[fe80::1]:5001") == 0 && !strcmp(v.src_host, "::1") &&
	   !strcmp(v.dst_host, "fe80::1") && !strcmp(v.dst_port, "5001"), "bracketed IPv6");
	ok(parse("udp://::1:5000->::1:5001") == 0 && !strcmp(v.src_host, "::1") &&
	   !strcmp(v.dst_host, "::1") && !strcmp(v.src_port, "5000"), "unbracketed IPv6, last ':'");
	ok(parse("udp://host.example:5000->other.example:5001") == 0 &&
	   !strcmp(v.dst_host, "other.example"), "host names");
	ok(parse("udp://0->127.0.0.1:5001") == 0 && !strcmp(v.src_port, "0"), "sport 0 (any)");
	ok(parse("udp://0x10->h:0X0100") == 0 && !strcmp(v.src_port, "16") &&
	   !strcmp(v.dst_port, "256"), "hex ports normalised to decimal");
	ok(parse("udp://5000->127.0.0.1") == -EINVAL, "missing dport");
	ok(parse("udp://5000->127.0.0.1:0") == -EINVAL, "dport 0");
	ok(parse("udp://70000->127.0.0.1:1") == -EINVAL, "sport too large");
	ok(parse("udp://->127.0.0.1:1") == -EINVAL, "missing sport");
	ok(parse("udp://5000") == -EINVAL, "missing ->");
	ok(parse("udp://5000->:1") == -EINVAL, "empty dst host");
	ok(parse("udp://[::1:5000->::1:1") == -EINVAL, "unbalanced bracket");
	ok(parse("udp://5000->h:12x") == -EINVAL, "non-numeric port");
}

static void test_vx(void)
{
	ok(parse("vxlan://10.0.0.2") == 0 && v.kind == VNL_VXLAN && v.vx.naddr == 1 &&
	   !strcmp(v.vx.addr[0], "10.0.0.2") && !v.vx.multicast && v.vx.port == 4789 &&
	   v.vx.vni == 1 && v.vx.family == AF_INET && v.vx.ttl == -1, "vxlan unicast, defaults");
	ok(parse("vxlan://239.1.2.3/vni=42/port=8472/ttl=5/if=veth0/local=10.0.0.1") == 0 &&
	   v.vx.multicast && v.vx.vni == 42 && v.vx.port == 8472 && v.vx.ttl == 5 &&
	   !strcmp(v.vx.ifname, "veth0") && !strcmp(v.vx.local, "10.0.0.1"), "vxlan group, options");
	ok(parse("vxlan://10.0.0.2/remote=10.0.0.3/remote=10.0.0.4") == 0 && v.vx.naddr == 3 &&
	   !strcmp(v.vx.addr[2], "10.0.0.4"), "vxlan remotes");
	ok(parse("vxlan://[fd00::2]/remote=fd00::3/vni=16777215") == 0 &&
	   v.vx.family == AF_INET6 && !strcmp(v.vx.addr[0], "fd00::2") && v.vx.vni == 0xffffff,
	   "vxlan IPv6");
	ok(parse("vxlan://ff05::5") == 0 && v.vx.multicast, "vxlan IPv6 group");
	ok(parse("vxlan://") == -EINVAL, "vxlan needs ADDR");
	ok(parse("vxlan://10.0.0.2/vni=16777216") == -EINVAL, "vni too large");
	ok(parse("vxlan://10.0.0.2/remote=fd00::1") == -EINVAL, "mixed families");
	ok(parse("vxlan://10.0.0.2/remote=239.1.1.1") == -EINVAL, "remote must be unicast");
	ok(parse("vxlan://10.0.0.2/colour=red") == -EINVAL, "unknown option");
	ok(parse("vxlan://10.0.0.2//vni=2") == -EINVAL, "empty option");
	ok(parse("vxlan://host.example") == -EINVAL, "names are not addresses");
	ok(parse("vxlan://0.0.0.0") == -EINVAL && parse("vxlan://255.255.255.255") == -EINVAL,
	   "unspecified and broadcast");
	ok(parse("vxlan://10.0.0.2/mtu=9000") == 0 && v.vx.mtu == 9000, "mtu");
	ok(parse("vxlan://10.0.0.2/v6") == -EINVAL, "v6 flag vs IPv4 address");
	ok(parse("vxvde://") == 0 && v.kind == VNL_VXVDE && !strcmp(v.vx.addr[0], "239.0.0.1") &&
	   v.vx.port == 14789 && v.vx.vni == 1 && v.vx.expire == 128, "vxvde defaults");
	ok(parse("vxvde:///v6") == 0 && !strcmp(v.vx.addr[0], "ff05:56de::1"), "vxvde v6 default");
	ok(parse("vxvde://239.0.0.9/vni=7/expiretime=30/hashsize=64") == 0 && v.vx.vni == 7 &&
	   v.vx.expire == 30, "vxvde options");
	ok(parse("vxvde://10.0.0.1") == -EINVAL, "vxvde needs a group");
	ok(parse("vxvde:///remote=10.0.0.1") == -EINVAL, "vxvde has no remote=");
}

static void test_cmd(void)
{
	static const char *const a1[] = { "cat", NULL };
	static const char *const a2[] = { "ssh", "h", "vde_plug", NULL };
	static const char *const a3[] = { "ssh", "h", "vde_plug /tmp/my sw", NULL };
	static const char *const a4[] = { "echo", "a b", "c\"d", NULL };
	static const char *const a5[] = { "ssh", "h", "vde_plug", "/tmp/sw[3]", NULL };
	static const char *const a6[] = { "/bin/sh", "-c", "cat | cat", NULL };
	static const char *const a7[] = { "vde_plug", "", NULL };

	ok(parse("cmd://cat") == 0 && v.kind == VNL_CMD && !v.use_shell && argv_is(a1), "cmd://cat");
	ok(parse("cmd://\"ssh h vde_plug\"") == 0 && argv_is(a2), "cmd://\"ssh h vde_plug\"");
	ok(parse("cmd://'ssh h vde_plug'") == 0 && argv_is(a2), "single-quoted wrapper");
	ok(parse("cmd://  ssh   h\tvde_plug  ") == 0 && argv_is(a2), "blanks collapse");
	ok(parse("cmd://ssh h 'vde_plug /tmp/my sw'") == 0 && argv_is(a3), "quoted word");
	ok(parse("cmd://echo a\\ b \"c\\\"d\"") == 0 && argv_is(a4), "backslash escapes");
	ok(parse("cmd://ssh h vde_plug /tmp/sw[3]") == 0 && !v.use_shell && argv_is(a5),
	   "brackets are not shell syntax");
	ok(parse("cmd://cat | cat") == 0 && v.use_shell && argv_is(a6), "pipe: /bin/sh -c");
	ok(parse("cmd://vde_plug ''") == 0 && argv_is(a7), "empty quoted word");
	ok(parse("cmd://") == -EINVAL, "empty command");
	ok(parse("cmd://\"\"") == -EINVAL, "empty quoted command");
	ok(parse("cmd://echo 'unterminated") == -EINVAL, "unterminated quote");
	ok(parse("cmd://echo \\") == -EINVAL, "trailing backslash");
	{
		char many[400] = "cmd://x";
		int i;

		for (i = 0; i < VNL_MAXARGS; i++)
			strcat(many, " y");
		ok(parse(many) == -E2BIG, "too many words");
	}
}

static void test_descr_request(void)
{
	char d[VDE_REQ_DESCRMAX], big[300], path[108];
	uint8_t req[VDE_REQ_MAXLEN], reply[VDE_SUN_LEN];
	size_t n;

	n = vnl_describe(d, sizeof(d), "t.c", "root", 18897, NULL);
	ok(n == 23 && !strcmp(d, "t.c user=root PID=18897"), "description as VDE 2 (145-byte request)");
	n = vnl_describe(d, sizeof(d), NULL, "bob", 7, "10.1.2.3 51234 22");
	ok(!strcmp(d, " user=bob PID=7 SSH=10.1.2.3") && n == strlen(d), "NULL descr, SSH_CLIENT");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	n = vnl_describe(d, sizeof(d), big, "root", 1, NULL);
	ok(n == 127 && strlen(d) == 127, "description cut to 127 bytes");

	n = vnl_request(req, VDE_REQ_NEW_CONTROL, 4, "/tmp/vt/sw1/.18897-00000",
			"t.c user=root PID=18897");
	ok(n == 145, "request length 122 + strlen(descr) = 145");
	ok(!memcmp(req, "\xce\xfa\xed\xfe\x03\x00\x00\x00\x00\x04\x00\x00\x01\x00", 14),
	   "magic ce fa ed fe, version 3, type 00 04 00 00, family 01 00");
	ok(!memcmp(req + 14, "/tmp/vt/sw1/.18897-00000", 25) && req[121] == 0,
	   "sun_path NUL-padded to offset 122");
	ok(!memcmp(req + 122, "t.c user=root PID=18897", 23), "description at 122, no NUL sent");
	n = vnl_request(req, VDE_REQ_NEW_PORT0, 0, "/a", "");
	ok(n == 122 && !memcmp(req + 8, "\x01\x00\x00\x00", 4), "REQ_NEW_PORT0 type 01 00 00 00");
	memset(big, 'p', 120);
	big[0] = '/';
	big[108] = '\0';
	ok(vnl_request(req, 0, 0, big, "") == 0, "socket path of 108 bytes refused");

	memset(reply, 0, sizeof(reply));
	memcpy(reply, "\x01\x00/tmp/vt/sw1/001.6", 19);
	ok(vnl_reply(reply, sizeof(reply), path) == 0 && !strcmp(path, "/tmp/vt/sw1/001.6"),
	   "reply parsed");
	ok(vnl_reply(reply, 109, path) == -EPROTO, "short reply refused");
	reply[0] = 2;
	ok(vnl_reply(reply, sizeof(reply), path) == -EPROTO, "wrong family refused");
	reply[0] = 1;
	memset(reply + 2, 'z', 108);
	ok(vnl_reply(reply, sizeof(reply), path) == -EPROTO, "unterminated path refused");
	memset(reply + 2, 0, 108);
	ok(vnl_reply(reply, sizeof(reply), path) == -EPROTO, "empty path refused");
}

int main(void)
{
	test_vde();
	test_ptp_null();
	test_vx();
	test_udp();
	test_cmd();
	test_descr_request();
	return tap_done();
}
