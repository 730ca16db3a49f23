/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/fuzz/jsoncheck.h - a strict JSON validator for the fuzz harnesses
 *
 * Written independently of lib/common/json.c (the writer it checks): an
 * RFC 8259 parser that accepts exactly one value and keeps the decoded
 * bytes of the last string it read, and a UTF-8 check with explicit code
 * point ranges. Used by fuzz_json.c (the writer) and
 * fuzz_switch_console.c (the switch's -j answers).
 */
#ifndef VDEKIT_TESTS_JSONCHECK_H
#define VDEKIT_TESTS_JSONCHECK_H

#include <stdbool.h>
#include <stddef.h>

struct jc_parser {
	const unsigned char *p, *end;
	unsigned char *dec;		/* decoded bytes of the last string (malloc) */
	size_t dlen, dcap;
	int depth;
};

/* well-formed UTF-8: no overlong forms, surrogates or code points > U+10FFFF */
bool jc_utf8_ok(const unsigned char *s, size_t n);
/* @buf holds exactly one JSON value (blanks around it allowed); the caller
 * frees ps->dec */
bool jc_valid(struct jc_parser *ps, const char *buf, size_t len);

#endif
