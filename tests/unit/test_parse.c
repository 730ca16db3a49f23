// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_parse.c - parse_num, parse_mode, parse_mac, parse_user/group
 *
 * Table-driven edge cases: every accepted spelling, every rejected one,
 * and the exact errstr for range errors.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "tap.h"

struct num_case {
	const char *s;
	long long min, max;
	long long want;
	const char *err;	/* NULL = accepted */
};

static const struct num_case num_cases[] = {
	{ "0", 0, 10, 0, NULL },
	{ "7", 0, 10, 7, NULL },
	{ "10", 0, 10, 10, NULL },
	{ "11", 0, 10, 0, "too large" },
	{ "010", 0, 100, 10, NULL },		/* decimal, not octal */
	{ "0x10", 0, 100, 16, NULL },
	{ "0X1f", 0, 100, 31, NULL },
	{ "0xFF", 0, 255, 255, NULL },
	{ "0x100", 0, 255, 0, "too large" },
	{ "0x", 0, 100, 0, "invalid" },
	{ "0xg", 0, 100, 0, "invalid" },
	{ "0x-1", -10, 100, 0, "invalid" },
	{ "0x 1", 0, 100, 0, "invalid" },
	{ "", 0, 10, 0, "invalid" },
	{ " ", 0, 10, 0, "invalid" },
	{ " 1", 0, 10, 0, "invalid" },
	{ "1 ", 0, 10, 0, "invalid" },
	{ "\t1", 0, 10, 0, "invalid" },
	{ "1\n", 0, 10, 0, "invalid" },
	{ "+1", 0, 10, 0, "invalid" },
	{ "+1", -10, 10, 0, "invalid" },
	{ "-1", -10, 10, -1, NULL },
	{ "-10", -10, 10, -10, NULL },
	{ "-11", -10, 10, 0, "too small" },
	{ "-0x10", -100, 100, -16, NULL },
	{ "-1", 0, 10, 0, "too small" },
	{ "-0", 0, 10, 0, "too small" },
	{ "--1", -10, 10, 0, "invalid" },
	{ "-", -10, 10, 0, "invalid" },
	{ "1e3", 0, 100000, 0, "invalid" },
	{ "1.5", 0, 10, 0, "invalid" },
	{ "12abc", 0, 1000, 0, "invalid" },
	{ "abc", 0, 1000, 0, "invalid" },
	{ "99999999999", 0, INT_MAX, 0, "too large" },
	{ "2147483647", 0, INT_MAX, INT_MAX, NULL },
	{ "2147483648", 0, INT_MAX, 0, "too large" },
	{ "9223372036854775807", 0, LLONG_MAX, LLONG_MAX, NULL },
	{ "9223372036854775808", 0, LLONG_MAX, 0, "too large" },
	{ "-9223372036854775808", LLONG_MIN, 0, LLONG_MIN, NULL },
	{ "-9223372036854775809", LLONG_MIN, 0, 0, "too small" },
	{ "0x7fffffffffffffff", 0, LLONG_MAX, LLONG_MAX, NULL },
	{ "0x8000000000000000", 0, LLONG_MAX, 0, "too large" },
	{ "99999999999999999999999", 0, 10, 0, "too large" },
	{ "-99999999999999999999999", -10, 10, 0, "too small" },
	{ "4094", 1, 4094, 4094, NULL },
	{ "4095", 1, 4094, 0, "too large" },
	{ "0", 1, 4094, 0, "too small" },
	{ "5", 10, 0, 0, "invalid" },		/* min > max */
	{ "00000000000000000000000001", 0, 10, 1, NULL },
	{ "1\0" "2", 0, 100, 1, NULL },		/* C string ends at the NUL */
};

/* the input, printable on one TAP line */
static const char *shown(const char *s)
{
	static char buf[128];
	size_t i;

	for (i = 0; s[i] && i < sizeof(buf) - 1; i++)
		buf[i] = (unsigned char)s[i] < 32 ? '?' : s[i];
	buf[i] = '\0';
	return buf;
}

static void test_num(void)
{
	size_t i;

	for (i = 0; i < sizeof(num_cases) / sizeof(num_cases[0]); i++) {
		const struct num_case *t = &num_cases[i];
		const char *err = "unset";
		long long v = parse_num(t->s, t->min, t->max, &err);
		int good;

		if (t->err)
			good = err && strcmp(err, t->err) == 0 && v == 0;
		else
			good = err == NULL && v == t->want;
		ok(good, "parse_num(\"%s\", %lld, %lld) = %lld, %s (want %s)", shown(t->s), t->min,
		   t->max, v, err ? err : "ok", t->err ? t->err : "ok");
	}
}

static void test_mode(void)
{
	static const struct { const char *s; int ret; mode_t want; } cases[] = {
		{ "0660", 0, 0660 }, { "660", 0, 0660 }, { "0", 0, 0 }, { "7777", 0, 07777 },
		{ "07777", 0, 07777 }, { "0000600", 0, 0600 }, { "10000", -1, 0 },
		{ "0800", -1, 0 }, { "", -1, 0 }, { " 600", -1, 0 }, { "600 ", -1, 0 },
		{ "-600", -1, 0 }, { "0x1ff", -1, 0 }, { "6a0", -1, 0 },
		{ "777777777777777777777777", -1, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mode_t m = 01234;
		int r = parse_mode(cases[i].s, &m);

		ok(r == cases[i].ret && (r || m == cases[i].want),
		   "parse_mode(\"%s\") = %d, %04o", cases[i].s, r, (unsigned)m);
	}
}

static void test_mac(void)
{
	static const struct { const char *s; int ret; uint8_t want[6]; } cases[] = {
		{ "00:11:22:aa:BB:ff", 0, { 0x00, 0x11, 0x22, 0xaa, 0xbb, 0xff } },
		{ "00.11.22.aa.bb.ff", 0, { 0x00, 0x11, 0x22, 0xaa, 0xbb, 0xff } },
		{ "0:1:2:a:b:f", 0, { 0, 1, 2, 0xa, 0xb, 0xf } },
		{ "2:0:0:0:0:77", 0, { 2, 0, 0, 0, 0, 0x77 } },
		{ "ff:ff:ff:ff:ff:ff", 0, { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } },
		{ "00:11:22:33:44", -1, { 0 } },
		{ "00:11:22:33:44:55:66", -1, { 0 } },
		{ "00:11:22:33:44:", -1, { 0 } },
		{ ":00:11:22:33:44", -1, { 0 } },
		{ "000:11:22:33:44:55", -1, { 0 } },
		{ "00:11:22:33:44:5g", -1, { 0 } },
		{ "00-11-22-33-44-55", -1, { 0 } },
		{ "00:11.22:33:44:55", -1, { 0 } },	/* mixed separators */
		{ "00::11:22:33:44", -1, { 0 } },
		{ "", -1, { 0 } },
		{ " 00:11:22:33:44:55", -1, { 0 } },
		{ "00:11:22:33:44:55 ", -1, { 0 } },
		{ "001122334455", -1, { 0 } },
		{ "0x0:1:2:3:4:5", -1, { 0 } },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t mac[6] = { 9, 9, 9, 9, 9, 9 }, untouched[6] = { 9, 9, 9, 9, 9, 9 };
		int r = parse_mac(cases[i].s, mac);

		ok(r == cases[i].ret &&
		   memcmp(mac, r ? untouched : cases[i].want, 6) == 0,
		   "parse_mac(\"%s\") = %d", cases[i].s, r);
	}
}

static void test_ids(void)
{
	uid_t uid = 77;
	gid_t gid = 77;

	ok(parse_user("root", &uid) == 0 && uid == 0, "parse_user(root) = 0");
	ok(parse_user("0", &uid) == 0 && uid == 0, "parse_user(0)");
	ok(parse_user("1234", &uid) == 0 && uid == 1234, "parse_user(1234): numbers need no entry");
	ok(parse_user("no-such-user-vdekit", &uid) < 0, "parse_user: unknown name");
	ok(parse_user("", &uid) < 0, "parse_user: empty");
	ok(parse_user("12x", &uid) < 0, "parse_user: number with junk");
	ok(parse_user("4294967295", &uid) < 0, "parse_user: (uid_t)-1 refused");
	ok(parse_user("-1", &uid) < 0, "parse_user: negative");
	ok(parse_group("root", &gid) == 0 && gid == 0, "parse_group(root)");
	ok(parse_group("0x10", &gid) == 0 && gid == 16, "parse_group(0x10)");
	ok(parse_group("5000", &gid) == 0 && gid == 5000, "parse_group(5000)");
	ok(parse_group("no-such-group-vdekit", &gid) < 0, "parse_group: unknown");
	ok(parse_group(" 0", &gid) < 0, "parse_group: blank");
}

static void test_ifname(void)
{
	ok(!ifname_error("tap0") && !ifname_error("abcdefghijklmno"), "ifname: 4 and 15 bytes");
	ok(ifname_error("") && strstr(ifname_error(""), "1 to 15"), "ifname: empty");
	ok(ifname_error("abcdefghijklmnop") && strstr(ifname_error("abcdefghijklmnop"), "1 to 15"),
	   "ifname: 16 bytes");
	ok(ifname_error("a/b") && ifname_error("a:b") && ifname_error("a b") && ifname_error("a\vb") &&
	   ifname_error(".") && ifname_error(".."), "ifname: '/', ':', white space, . and ..");
	ok(!ifname_error("..."), "ifname: ... is a name");
}

int main(void)
{
	test_num();
	test_mode();
	test_mac();
	test_ids();
	test_ifname();
	return tap_done();
}
