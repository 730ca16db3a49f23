// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/fuzz/jsoncheck.c - a strict JSON validator for the fuzz harnesses
 * (jsoncheck.h)
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsoncheck.h"

/* --- independent UTF-8 check -------------------------------------------- */

bool jc_utf8_ok(const unsigned char *s, size_t n)
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

static void ws(struct jc_parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' ||
				   *ps->p == '\r'))
		ps->p++;
}

static void put_dec(struct jc_parser *ps, const unsigned char *b, size_t n)
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

static bool parse_string(struct jc_parser *ps)
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
	if (!jc_utf8_ok(start, (size_t)(ps->p - start)))
		return false;
	ps->p++;
	return true;
}

static bool digits(struct jc_parser *ps)
{
	const unsigned char *s = ps->p;

	while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
		ps->p++;
	return ps->p > s;
}

static bool parse_number(struct jc_parser *ps)
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

static bool lit(struct jc_parser *ps, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, w, n) != 0)
		return false;
	ps->p += n;
	return true;
}

/* the next byte is @c: step over it */
static bool eat(struct jc_parser *ps, unsigned char c)
{
	if (ps->p >= ps->end || *ps->p != c)
		return false;
	ps->p++;
	return true;
}

static bool parse_value(struct jc_parser *ps)
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
bool jc_valid(struct jc_parser *ps, const char *buf, size_t len)
{
	ps->p = (const unsigned char *)buf;
	ps->end = ps->p + len;
	ps->depth = 0;
	if (!parse_value(ps))
		return false;
	ws(ps);
	return ps->p == ps->end;
}
