// SPDX-License-Identifier: LGPL-2.1-or-later
/* lib/common/parse.c - strict parsers for numbers, modes, MACs, users, groups
 *
 * Every number vdekit reads from argv, a console line or a file goes through
 * parse_num(), which has OpenBSD strtonum(3) semantics plus "0x" hexadecimal:
 * the whole string must be a number, with no blanks, no '+', a '-' only when
 * negative values are allowed, and the value must fit in [min, max]. These
 * functions are pure (no logging, no exit) so they can be unit tested and
 * fuzzed directly.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "parse.h"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/**
 * parse_num() - parse a decimal or 0x-hexadecimal integer within bounds
 * @s:		the string (whole of it must be the number)
 * @min:	smallest accepted value
 * @max:	largest accepted value
 * @errstr:	set to NULL on success, else "invalid", "too small" or "too large"
 *
 * Return: the value, or 0 on error.
 */
long long parse_num(const char *s, long long min, long long max, const char **errstr)
{
	const char *p = s;
	bool neg = false, hex = false;
	long long v = 0;
	char *end;

	*errstr = "invalid";
	if (!s || min > max)
		goto err;
	if (*p == '-') {
		neg = true;
		p++;
	}
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		hex = true;
		p += 2;
	}
	if (!*p)
		goto err;
	for (; *p; p++)
		if (hex ? hex_val(*p) < 0 : !is_digit(*p))
			goto err;
	if (neg && min >= 0) {
		*errstr = "too small";
		goto err;
	}
	errno = 0;
	/* the syntax is checked above; strtoll() accepts exactly that */
	v = strtoll(s, &end, hex ? 16 : 10);
	if (*end)
		goto err;
	if (errno == ERANGE) {
		*errstr = neg ? "too small" : "too large";
		goto err;
	}
	if (v < min || v > max) {
		*errstr = v < min ? "too small" : "too large";
		goto err;
	}
	*errstr = NULL;
	return v;
err:
	return 0;
}

/**
 * parse_mode() - parse an octal permission mode
 * @s:		"0660", "660", "4755" ...
 * @mode:	result
 *
 * Return: 0 on success, -1 if @s is not octal or above 07777.
 */
int parse_mode(const char *s, mode_t *mode)
{
	unsigned long v = 0;
	const char *p = s;
	int ret = -1;

	if (!s || !*s)
		goto out;
	for (; *p; p++) {
		if (*p < '0' || *p > '7')
			goto out;
		v = v * 8 + (unsigned long)(*p - '0');
		if (v > 07777)
			goto out;
	}
	*mode = (mode_t)v;
	ret = 0;
out:
	return ret;
}

/**
 * parse_mac() - parse a MAC address
 * @s:		six groups of 1-2 hex digits separated all by ':' or all by '.'
 * @mac:	result
 *
 * Return: 0 on success, -1 on malformed input (@mac unchanged).
 */
int parse_mac(const char *s, uint8_t mac[6])
{
	uint8_t tmp[6];
	const char *p = s;
	char sep = 0;
	int i, ret = -1;

	if (!s)
		goto out;
	for (i = 0; i < 6; i++) {
		int n = 0, v = 0, d;

		while ((d = hex_val(*p)) >= 0 && n < 3) {
			v = v * 16 + d;
			n++;
			p++;
		}
		if (n < 1 || n > 2)
			goto out;
		tmp[i] = (uint8_t)v;
		if (i == 5)
			break;
		if (*p != ':' && *p != '.')
			goto out;
		if (!sep)
			sep = *p;
		else if (*p != sep)
			goto out;
		p++;
	}
	if (*p)
		goto out;
	memcpy(mac, tmp, 6);
	ret = 0;
out:
	return ret;
}

static int parse_id(const char *s, unsigned long *id)
{
	const char *err;
	long long v;

	if (!s || !is_digit(*s))
		return -1;
	v = parse_num(s, 0, (long long)UINT_MAX - 1, &err);
	if (err)
		return -1;
	*id = (unsigned long)v;
	return 0;
}

/**
 * ifname_error() - check an interface name as the kernel would
 * @s:		the name
 *
 * Return: NULL for a valid name, else the reason it is not.
 */
const char *ifname_error(const char *s)
{
	if (!*s || strlen(s) > 15)	/* IFNAMSIZ - 1 */
		return "an interface name has 1 to 15 characters";
	if (strpbrk(s, "/: \t\n\v\f\r") || !strcmp(s, ".") || !strcmp(s, ".."))
		return "not a valid interface name";
	return NULL;
}

/**
 * parse_group() - resolve a group name or numeric gid
 * @s:		name or number
 * @gid:	result
 *
 * Return: 0 on success, -1 if unknown or malformed.
 */
int parse_group(const char *s, gid_t *gid)
{
	struct group *gr;
	unsigned long id;

	if (!s || !*s)
		return -1;
	if (parse_id(s, &id) == 0) {
		*gid = (gid_t)id;
		return 0;
	}
	gr = getgrnam(s);
	if (!gr)
		return -1;
	*gid = gr->gr_gid;
	return 0;
}

/**
 * parse_user() - resolve a user name or numeric uid
 * @s:		name or number
 * @uid:	result
 *
 * Return: 0 on success, -1 if unknown or malformed.
 */
int parse_user(const char *s, uid_t *uid)
{
	struct passwd *pw;
	unsigned long id;

	if (!s || !*s)
		return -1;
	if (parse_id(s, &id) == 0) {
		*uid = (uid_t)id;
		return 0;
	}
	pw = getpwnam(s);
	if (!pw)
		return -1;
	*uid = pw->pw_uid;
	return 0;
}

/**
 * parse_num_arg() - a number from the command line, or exit 1
 * @what:	the option's name for the message ("port", "numports")
 * @arg:	the text
 * @min:	smallest value accepted
 * @max:	largest value accepted
 *
 * Every tool reports a bad number the same way:
 * "port 5x: invalid (expected a number from 1 to 16777215)".
 *
 * Return: the value.
 */
long long parse_num_arg(const char *what, const char *arg, long long min, long long max)
{
	const char *errstr;
	long long v = parse_num(arg, min, max, &errstr);

	if (errstr)
		die("%s %s: %s (expected a number from %lld to %lld)", what, arg, errstr,
		    min, max);
	return v;
}

/**
 * parse_mode_arg() - an octal mode from the command line, or exit 1
 * @what:	the option's name for the message ("mode", "mgmtmode")
 * @arg:	the text
 *
 * Return: the mode.
 */
mode_t parse_mode_arg(const char *what, const char *arg)
{
	mode_t m;

	if (parse_mode(arg, &m) < 0)
		die("%s %s: invalid (expected an octal mode such as 0660)", what, arg);
	return m;
}

/**
 * parse_group_arg() - a group from the command line, or exit 1
 * @what:	the option's name for the message ("group", "--mgmtgroup")
 * @arg:	a group name or number
 *
 * Return: the gid.
 */
gid_t parse_group_arg(const char *what, const char *arg)
{
	gid_t g;

	if (parse_group(arg, &g) < 0)
		die("%s %s: unknown group", what, arg);
	return g;
}
