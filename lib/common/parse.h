/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/common/parse.h - the one strict number/MAC/mode parser of vdekit
 *
 * Every number that comes from argv, a console line or a file goes through
 * parse_num() (OpenBSD strtonum(3) semantics): no empty input, no trailing
 * junk, no overflow, range-checked.
 */
#ifndef VDEKIT_PARSE_H
#define VDEKIT_PARSE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* parse_num() - decimal (or 0x-prefixed hexadecimal) integer in [min, max].
 * Leading/trailing blanks are not accepted. On error returns 0 and sets
 * *errstr to "invalid", "too small" or "too large"; on success *errstr = NULL.
 */
long long parse_num(const char *s, long long min, long long max, const char **errstr);

/* parse_num_arg() - parse_num() for a command-line option, or exit 1 with
 * the one message format of every tool: "WHAT ARG: invalid (expected a
 * number from MIN to MAX)". */
long long parse_num_arg(const char *what, const char *arg, long long min, long long max);

/* parse_mode() - octal permission string ("0660", "660"), at most 07777. */
int parse_mode(const char *s, mode_t *mode);

/* parse_mac() - "xx:xx:xx:xx:xx:xx" or "xx.xx.xx.xx.xx.xx". 0 ok, -1 bad. */
int parse_mac(const char *s, uint8_t mac[6]);

/* parse_mode_arg() - parse_mode() for a command-line option, or exit 1 with
 * "WHAT ARG: invalid (expected an octal mode such as 0660)". */
mode_t parse_mode_arg(const char *what, const char *arg);

/* ifname_error() - is @s a name Linux takes for an interface (1 to 15
 * bytes, no '/', ':' or white space, not "." nor "..": dev_valid_name(),
 * as lib/vdeplug/vnl.c checks tap://)? NULL if so, else what is wrong
 * with it, for "'NAME': REASON". */
const char *ifname_error(const char *s);

/* parse_group() / parse_user() - name or number. 0 ok, -1 unknown. */
int parse_group(const char *s, gid_t *gid);
int parse_user(const char *s, uid_t *uid);

/* parse_group_arg() - parse_group() for a command-line option, or exit 1
 * with "WHAT ARG: unknown group". */
gid_t parse_group_arg(const char *what, const char *arg);

#endif
