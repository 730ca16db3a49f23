/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/common/json.h - a small streaming JSON writer for the consoles' -j output
 *
 * One document per struct json, written straight to a FILE (the console's
 * memstream): objects and arrays are opened and closed explicitly, commas
 * and colons are placed by the writer. Members take a key; array elements
 * and the top-level value pass NULL. The output is compact (one line).
 *
 * Strings are always valid JSON: '"' and '\\' are escaped, control bytes
 * become \b \f \n \r \t or \u00XX, and every byte sequence that is not
 * well-formed UTF-8 (stray continuation bytes, overlong forms, surrogates,
 * code points above U+10FFFF, truncated sequences) becomes U+FFFD, one per
 * maximal invalid subpart. Non-finite doubles are written as null.
 *
 * Misuse (a member without a key, a value after the document ended, more
 * than JSON_DEPTH_MAX levels, closing what is not open) is not written:
 * it sets the error flag that json_end() reports, so the document never
 * becomes invalid JSON.
 */
#ifndef VDEKIT_JSON_H
#define VDEKIT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_DEPTH_MAX	32

struct json {
	FILE *f;
	unsigned depth;			/* open containers */
	bool is_obj[JSON_DEPTH_MAX];	/* container kind per level */
	bool nonempty[JSON_DEPTH_MAX];	/* a value was written at this level */
	bool done;			/* the top-level value is complete */
	bool err;
};

void json_init(struct json *j, FILE *f);
/* 0 if exactly one complete document was written without misuse, else -1 */
int json_end(struct json *j);

void json_obj(struct json *j, const char *key);
void json_obj_end(struct json *j);
void json_arr(struct json *j, const char *key);
void json_arr_end(struct json *j);

void json_str(struct json *j, const char *key, const char *s);	/* NULL -> null */
void json_strn(struct json *j, const char *key, const char *s, size_t n);
void json_u64(struct json *j, const char *key, uint64_t v);
void json_i64(struct json *j, const char *key, int64_t v);
void json_dbl(struct json *j, const char *key, double v);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);

/* The pure core: @n bytes of @s as a quoted JSON string to @f. */
void json_write_string(FILE *f, const char *s, size_t n);

#endif
