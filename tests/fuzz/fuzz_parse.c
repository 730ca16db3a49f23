// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/fuzz/fuzz_parse.c - fuzz parse_num, parse_mode and parse_mac
 *
 * Input: byte 0 selects the range for parse_num (8 fixed ranges); the rest,
 * up to the first NUL, is the string given to all three parsers.
 *
 * Invariants (abort() on violation):
 *  - parse_num: errstr is NULL or one of "invalid", "too small", "too
 *    large"; on error the value is 0; on success min <= v <= max, the input
 *    is non-empty, has no blanks or '+', and printing the value back (in
 *    decimal or "0x" hex, as the input was written) and parsing it again
 *    gives the same value; an accepted string with a leading '-' only
 *    happens when min < 0;
 *  - parse_mode: success only for 1+ octal digits, value <= 07777, and
 *    "%o" of it parses to the same mode;
 *  - parse_mac: success leaves 6 bytes that, formatted with ':' and '.',
 *    parse back to the same bytes; failure leaves the output untouched.
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const long long ranges[8][2] = {
	{ 0, 10 }, { 1, 4094 }, { -1, 1 }, { 0, INT_MAX },
	{ LLONG_MIN, LLONG_MAX }, { 0, LLONG_MAX }, { -100, -1 }, { 5, 5 },
};

static void check_num(const char *s, long long min, long long max)
{
	const char *err = (const char *)1, *err2;
	long long v = parse_num(s, min, max, &err), v2;
	char back[64];
	bool hex;

	if (err) {
		if (strcmp(err, "invalid") && strcmp(err, "too small") && strcmp(err, "too large"))
			abort();
		if (v != 0)
			abort();
		return;
	}
	if (v < min || v > max || !*s || strpbrk(s, " \t\n\r\v\f+"))
		abort();
	if (s[0] == '-' && min >= 0)
		abort();
	hex = strstr(s, "0x") || strstr(s, "0X");
	if (hex && v < 0)
		snprintf(back, sizeof(back), "-0x%llx", (unsigned long long)-(v + 1) + 1ULL);
	else if (hex)
		snprintf(back, sizeof(back), "0x%llx", (unsigned long long)v);
	else
		snprintf(back, sizeof(back), "%lld", v);
	v2 = parse_num(back, min, max, &err2);
	if (err2 || v2 != v)
		abort();
}

static void check_mode(const char *s)
{
	mode_t m = 0, m2 = 0;
	char back[16];
	size_t i;

	if (parse_mode(s, &m) != 0)
		return;
	if (!*s || m > 07777)
		abort();
	for (i = 0; s[i]; i++)
		if (s[i] < '0' || s[i] > '7')
			abort();
	snprintf(back, sizeof(back), "%o", (unsigned)m);
	if (parse_mode(back, &m2) != 0 || m2 != m)
		abort();
}

static void check_mac(const char *s)
{
	static const uint8_t canary[6] = { 0xde, 0xad, 0xbe, 0xef, 0x55, 0xaa };
	uint8_t mac[6], mac2[6];
	char back[32];

	memcpy(mac, canary, 6);
	if (parse_mac(s, mac) != 0) {
		if (memcmp(mac, canary, 6) != 0)
			abort();
		return;
	}
	snprintf(back, sizeof(back), "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	if (parse_mac(back, mac2) != 0 || memcmp(mac, mac2, 6) != 0)
		abort();
	snprintf(back, sizeof(back), "%x.%x.%x.%x.%x.%x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	if (parse_mac(back, mac2) != 0 || memcmp(mac, mac2, 6) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	size_t r;

	if (size < 1)
		return 0;
	r = data[0] & 7;
	s = malloc(size);
	if (!s)
		abort();
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	check_num(s, ranges[r][0], ranges[r][1]);
	check_mode(s);
	check_mac(s);
	free(s);
	return 0;
}
