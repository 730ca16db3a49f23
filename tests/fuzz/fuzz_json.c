// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/fuzz/fuzz_json.c - fuzz the JSON writer: whatever the bytes, valid JSON
 *
 * Input: one mode byte, then data.
 *  mode even: the data is one string (quotes, backslashes, control bytes,
 *    invalid UTF-8); it is written as a string, as a key and inside an
 *    array. Oracles: the output parses (validator below); the decoded
 *    string is well-formed UTF-8; when the input was well-formed UTF-8 the
 *    decoded string is exactly the input; otherwise it holds U+FFFD.
 *  mode odd: the data is a program of writer calls (open/close object and
 *    array, string, u64, i64, double from raw bits (NaN, Inf), bool, null,
 *    each with or without a key), misuse included. Oracle: whenever
 *    json_end() reports success the output parses as exactly one value.
 *
 * The validator and the UTF-8 check are written independently of json.c
 * (code point decoding with explicit range checks, not a lead-byte table).
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/* --- independent UTF-8 check -------------------------------------------- */

static bool utf8_ok(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char b = s[i];
		uint32_t cp;
		size_t len, k;

		if (b < 0x80) {
			i++;
			continue;
		}
		if ((b & 0xe0) == 0xc0) {
			len = 2;
			cp = b & 0x1f;
		} else if ((b & 0xf0) == 0xe0) {
			len = 3;
			cp = b & 0x0f;
		} else if ((b & 0xf8) == 0xf0) {
			len = 4;
			cp = b & 0x07;
		} else {
			return false;
		}
		if (n - i < len)
			return false;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

/* --- a strict JSON validator (RFC 8259) ---------------------------------- */

struct parser {
	const unsigned char *p, *end;
	unsigned char *dec;		/* decoded bytes of the last string */
	size_t dlen, dcap;
	int depth;
};

static void ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' ||
				   *ps->p == '\r'))
		ps->p++;
}

static void put_dec(struct parser *ps, const unsigned char *b, size_t n)
{
	if (ps->dlen + n > ps->dcap) {
		ps->dcap = (ps->dlen + n) * 2 + 16;
		ps->dec = realloc(ps->dec, ps->dcap);
		if (!ps->dec)
			abort();
	}
	memcpy(ps->dec + ps->dlen, b, n);
	ps->dlen += n;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool parse_string(struct parser *ps)
{
	const unsigned char *start;

	ps->dlen = 0;
	if (ps->p >= ps->end || *ps->p != '"')
		return false;
	ps->p++;
	start = ps->p;
	while (ps->p < ps->end && *ps->p != '"') {
		unsigned char c = *ps->p;

		if (c < 0x20)
			return false;
		if (c != '\\') {
			put_dec(ps, &c, 1);
			ps->p++;
			continue;
		}
		if (ps->end - ps->p < 2)
			return false;
		c = ps->p[1];
		ps->p += 2;
		switch (c) {
		case '"': case '\\': case '/':
			put_dec(ps, &c, 1);
			break;
		case 'b': put_dec(ps, (const unsigned char *)"\b", 1); break;
		case 'f': put_dec(ps, (const unsigned char *)"\f", 1); break;
		case 'n': put_dec(ps, (const unsigned char *)"\n", 1); break;
		case 'r': put_dec(ps, (const unsigned char *)"\r", 1); break;
		case 't': put_dec(ps, (const unsigned char *)"\t", 1); break;
		case 'u': {
			uint32_t cp = 0;
			unsigned char u[3];
			int k;

			if (ps->end - ps->p < 4)
				return false;
			for (k = 0; k < 4; k++) {
				int h = hexval(ps->p[k]);

				if (h < 0)
					return false;
				cp = cp << 4 | (uint32_t)h;
			}
			ps->p += 4;
			if (cp >= 0xd800 && cp <= 0xdfff)
				return false;	/* the writer never needs pairs */
			if (cp < 0x80) {
				u[0] = (unsigned char)cp;
				put_dec(ps, u, 1);
			} else if (cp < 0x800) {
				u[0] = (unsigned char)(0xc0 | cp >> 6);
				u[1] = (unsigned char)(0x80 | (cp & 0x3f));
				put_dec(ps, u, 2);
			} else {
				u[0] = (unsigned char)(0xe0 | cp >> 12);
				u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
				u[2] = (unsigned char)(0x80 | (cp & 0x3f));
				put_dec(ps, u, 3);
			}
			break;
		}
		default:
			return false;
		}
	}
	if (ps->p >= ps->end)
		return false;
	/* raw bytes >= 0x80 must be well-formed UTF-8 */
	if (!utf8_ok(start, (size_t)(ps->p - start)))
		return false;
	ps->p++;
	return true;
}

static bool digits(struct parser *ps)
{
	const unsigned char *s = ps->p;

	while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
		ps->p++;
	return ps->p > s;
}

static bool parse_number(struct parser *ps)
{
	if (ps->p < ps->end && *ps->p == '-')
		ps->p++;
	if (ps->p < ps->end && *ps->p == '0')
		ps->p++;
	else if (!digits(ps))
		return false;
	if (ps->p < ps->end && *ps->p == '.') {
		ps->p++;
		if (!digits(ps))
			return false;
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (!digits(ps))
			return false;
	}
	return true;
}

static bool lit(struct parser *ps, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, w, n) != 0)
		return false;
	ps->p += n;
	return true;
}

/* the next byte is @c: step over it */
static bool eat(struct parser *ps, unsigned char c)
{
	if (ps->p >= ps->end || *ps->p != c)
		return false;
	ps->p++;
	return true;
}

static bool parse_value(struct parser *ps)
{
	bool ok = true;

	ws(ps);
	if (ps->p >= ps->end || ++ps->depth > 200)
		return false;
	switch (*ps->p) {
	case '{':
		ps->p++;
		ws(ps);
		if (eat(ps, '}'))
			break;
		do {
			ws(ps);
			if (!parse_string(ps))
				return false;
			ws(ps);
			if (!eat(ps, ':') || !parse_value(ps))
				return false;
			ws(ps);
		} while (eat(ps, ','));
		if (!eat(ps, '}'))
			return false;
		break;
	case '[':
		ps->p++;
		ws(ps);
		if (eat(ps, ']'))
			break;
		do {
			if (!parse_value(ps))
				return false;
			ws(ps);
		} while (eat(ps, ','));
		if (!eat(ps, ']'))
			return false;
		break;
	case '"':
		ok = parse_string(ps);
		break;
	case 't':
		ok = lit(ps, "true");
		break;
	case 'f':
		ok = lit(ps, "false");
		break;
	case 'n':
		ok = lit(ps, "null");
		break;
	default:
		ok = parse_number(ps);
	}
	ps->depth--;
	return ok;
}

/* Exactly one JSON value, nothing else. */
static bool json_valid(struct parser *ps, const char *buf, size_t len)
{
	ps->p = (const unsigned char *)buf;
	ps->end = ps->p + len;
	ps->depth = 0;
	if (!parse_value(ps))
		return false;
	ws(ps);
	return ps->p == ps->end;
}

/* --- harness ------------------------------------------------------------- */

static void string_mode(const uint8_t *d, size_t n)
{
	struct parser ps = { 0 };
	char *out = NULL;
	size_t olen = 0;
	FILE *f = open_memstream(&out, &olen);
	bool valid = utf8_ok(d, n);

	if (!f)
		abort();
	json_write_string(f, (const char *)d, n);
	fclose(f);
	if (!json_valid(&ps, out, olen))
		abort();		/* not JSON */
	if (!utf8_ok(ps.dec, ps.dlen))
		abort();		/* decoded text is not UTF-8 */
	if (valid && (ps.dlen != n || (n && memcmp(ps.dec, d, n) != 0)))
		abort();		/* valid text did not round-trip */
	if (!valid && !(ps.dlen >= 3 && memmem(ps.dec, ps.dlen, "\xef\xbf\xbd", 3)))
		abort();		/* invalid bytes left no U+FFFD */
	free(out);
	free(ps.dec);
}

static void program_mode(const uint8_t *d, size_t n)
{
	struct parser ps = { 0 };
	struct json j;
	char *out = NULL;
	size_t olen = 0, i = 0;
	FILE *f = open_memstream(&out, &olen);
	int ok;

	if (!f)
		abort();
	json_init(&j, f);
	while (i < n) {
		uint8_t op = d[i++];
		char key[32];
		const char *k = NULL;
		uint64_t v = 0;
		double dv;
		size_t l;

		if (op & 0x80) {	/* a key from the next bytes */
			l = i < n ? d[i++] % sizeof(key) : 0;
			if (l > n - i)
				l = n - i;
			memcpy(key, d + i, l);
			key[l] = '\0';	/* json keys are C strings */
			i += l;
			k = key;
		}
		switch (op & 0x0f) {
		case 0: json_obj(&j, k); break;
		case 1: json_obj_end(&j); break;
		case 2: json_arr(&j, k); break;
		case 3: json_arr_end(&j); break;
		case 4:
			l = i < n ? d[i++] : 0;
			if (l > n - i)
				l = n - i;
			json_strn(&j, k, (const char *)d + i, l);
			i += l;
			break;
		case 5: case 6: case 9:
			l = n - i < 8 ? n - i : 8;
			memcpy(&v, d + i, l);
			i += l;
			if ((op & 0x0f) == 5) {
				json_u64(&j, k, v);
			} else if ((op & 0x0f) == 9) {
				json_i64(&j, k, (int64_t)v);
			} else {
				memcpy(&dv, &v, sizeof(dv));
				json_dbl(&j, k, dv);
			}
			break;
		case 7: json_bool(&j, k, op & 0x10); break;
		case 8: json_null(&j, k); break;
		default: json_str(&j, k, NULL); break;
		}
	}
	ok = json_end(&j);
	fclose(f);
	if (ok == 0 && !json_valid(&ps, out, olen))
		abort();		/* a document the writer called good is not JSON */
	free(out);
	free(ps.dec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1)
		program_mode(data + 1, size - 1);
	else
		string_mode(data + 1, size - 1);
	return 0;
}
