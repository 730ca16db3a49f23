// SPDX-License-Identifier: LGPL-2.1-or-later
/* lib/common/json.c - a small streaming JSON writer (see json.h)
 *
 * Theory of operation: the writer keeps, per open container, whether it is
 * an object and whether something was already written in it; that decides
 * the comma and whether a key is required. Strings go through
 * json_write_string(), a pure function of its bytes, fuzzed by
 * tests/fuzz/fuzz_json.c with a validator that parses every output.
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/* Length of the well-formed UTF-8 sequence at s[0..n), or 0 if it is not
 * one; *bad is then the length of the maximal invalid subpart (>= 1). */
static size_t utf8_seq(const unsigned char *s, size_t n, size_t *bad)
{
	unsigned char b = s[0], lo = 0x80, hi = 0xbf;
	size_t need, i;

	*bad = 1;
	if (b >= 0xc2 && b <= 0xdf)
		need = 1;
	else if (b >= 0xe0 && b <= 0xef)
		need = 2;
	else if (b >= 0xf0 && b <= 0xf4)
		need = 3;
	else
		return 0;
	if (b == 0xe0)
		lo = 0xa0;
	else if (b == 0xed)
		hi = 0x9f;		/* no surrogates */
	else if (b == 0xf0)
		lo = 0x90;		/* no overlong 4-byte forms */
	else if (b == 0xf4)
		hi = 0x8f;		/* nothing above U+10FFFF */
	for (i = 1; i <= need; i++) {
		if (i >= n || s[i] < lo || s[i] > hi) {
			*bad = i;
			return 0;
		}
		lo = 0x80;
		hi = 0xbf;
	}
	return need + 1;
}

/**
 * json_write_string() - write bytes as a JSON string literal
 * @f:		output
 * @s:		bytes (may hold NULs and invalid UTF-8)
 * @n:		number of bytes
 */
void json_write_string(FILE *f, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	fputc('"', f);
	while (i < n) {
		unsigned char b = p[i];
		size_t len, bad;

		if (b >= 0x80) {
			len = utf8_seq(p + i, n - i, &bad);
			if (len) {
				fwrite(p + i, 1, len, f);
				i += len;
			} else {
				fputs("\\ufffd", f);
				i += bad;
			}
			continue;
		}
		switch (b) {
		case '"':	fputs("\\\"", f); break;
		case '\\':	fputs("\\\\", f); break;
		case '\b':	fputs("\\b", f); break;
		case '\f':	fputs("\\f", f); break;
		case '\n':	fputs("\\n", f); break;
		case '\r':	fputs("\\r", f); break;
		case '\t':	fputs("\\t", f); break;
		default:
			if (b < 0x20 || b == 0x7f)
				fprintf(f, "\\u%04x", b);
			else
				fputc(b, f);
		}
		i++;
	}
	fputc('"', f);
}

/**
 * json_init() - start a document
 * @j:		writer
 * @f:		output
 */
void json_init(struct json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
}

/**
 * json_end() - finish a document
 * @j:		writer
 *
 * Return: 0 if one complete, balanced document was written, else -1.
 */
int json_end(struct json *j)
{
	return j->err || j->depth || !j->done ? -1 : 0;
}

/* Comma and key before a value; false (and the error flag) on misuse. */
static bool value_start(struct json *j, const char *key)
{
	if (j->err || j->done)
		goto bad;
	if (j->depth == 0) {
		if (key)
			goto bad;
		return true;
	}
	if (j->is_obj[j->depth - 1] != (key != NULL))
		goto bad;
	if (j->nonempty[j->depth - 1])
		fputc(',', j->f);
	j->nonempty[j->depth - 1] = true;
	if (key) {
		json_write_string(j->f, key, strlen(key));
		fputc(':', j->f);
	}
	return true;
bad:
	j->err = true;
	return false;
}

/* A scalar was written: at top level that ends the document. */
static void value_done(struct json *j)
{
	if (j->depth == 0)
		j->done = true;
}

static void open_container(struct json *j, const char *key, bool obj)
{
	if (j->depth >= JSON_DEPTH_MAX) {
		j->err = true;
		return;
	}
	if (!value_start(j, key))
		return;
	fputc(obj ? '{' : '[', j->f);
	j->is_obj[j->depth] = obj;
	j->nonempty[j->depth] = false;
	j->depth++;
}

static void close_container(struct json *j, bool obj)
{
	if (j->err || j->depth == 0 || j->is_obj[j->depth - 1] != obj) {
		j->err = true;
		return;
	}
	fputc(obj ? '}' : ']', j->f);
	j->depth--;
	value_done(j);
}

void json_obj(struct json *j, const char *key)
{
	open_container(j, key, true);
}

void json_obj_end(struct json *j)
{
	close_container(j, true);
}

void json_arr(struct json *j, const char *key)
{
	open_container(j, key, false);
}

void json_arr_end(struct json *j)
{
	close_container(j, false);
}

void json_strn(struct json *j, const char *key, const char *s, size_t n)
{
	if (!value_start(j, key))
		return;
	json_write_string(j->f, s, n);
	value_done(j);
}

void json_str(struct json *j, const char *key, const char *s)
{
	if (!s)
		json_null(j, key);
	else
		json_strn(j, key, s, strlen(s));
}

void json_u64(struct json *j, const char *key, uint64_t v)
{
	if (!value_start(j, key))
		return;
	fprintf(j->f, "%" PRIu64, v);
	value_done(j);
}

void json_i64(struct json *j, const char *key, int64_t v)
{
	if (!value_start(j, key))
		return;
	fprintf(j->f, "%" PRId64, v);
	value_done(j);
}

/* The shortest of %.15g/%.17g that reads back as the same double (0.1, not
 * 0.10000000000000001); "1e+20" is valid JSON; non-finite values are null. */
void json_dbl(struct json *j, const char *key, double v)
{
	if (!value_start(j, key))
		return;
	if (isfinite(v)) {
		char buf[40];

		snprintf(buf, sizeof(buf), "%.15g", v);
		if (strtod(buf, NULL) != v)
			snprintf(buf, sizeof(buf), "%.17g", v);
		fputs(buf, j->f);
	}
	else
		fputs("null", j->f);
	value_done(j);
}

void json_bool(struct json *j, const char *key, bool v)
{
	if (!value_start(j, key))
		return;
	fputs(v ? "true" : "false", j->f);
	value_done(j);
}

void json_null(struct json *j, const char *key)
{
	if (!value_start(j, key))
		return;
	fputs("null", j->f);
	value_done(j);
}
