// SPDX-License-Identifier: GPL-2.0-or-later
/* wirefilter/value.c - parser and printer of wirefilter impairment values
 *
 * Pure: no I/O, no allocation. wf_parse_value() accepts VDE 2's syntax
 * (see value.h) strictly; wf_format_value() prints a value the way VDE 2's
 * showinfo does ("%g+%g%c", or "%g" for the MTU).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "value.h"

/* Scan an unsigned decimal: digits [. digits] [e|E [+|-] digits], at least
 * one digit in the mantissa. Returns the end or NULL. */
static const char *scan_decimal(const char *p, double *out)
{
	const char *start = p;
	size_t mant = 0;
	char tmp[64];
	size_t n;
	char *end;

	while (isdigit((unsigned char)*p)) {
		p++;
		mant++;
	}
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			p++;
			mant++;
		}
	}
	if (!mant)
		return NULL;
	if ((*p == 'e' || *p == 'E') &&
	    (isdigit((unsigned char)p[1]) ||
	     ((p[1] == '+' || p[1] == '-') && isdigit((unsigned char)p[2])))) {
		p += 2;
		while (isdigit((unsigned char)*p))
			p++;
	}
	n = (size_t)(p - start);
	if (n >= sizeof(tmp))
		return NULL;
	memcpy(tmp, start, n);
	tmp[n] = '\0';
	*out = strtod(tmp, &end);
	if (*end || !isfinite(*out))
		return NULL;
	return p;
}

/**
 * wf_parse_value() - parse "[LR|RL]value[+spread][K|M|G][U|N][[node]]"
 * @s:		the text; leading and trailing blanks are ignored
 * @out:	the result (directions, node, value)
 *
 * Return: 0, or EINVAL for anything that is not exactly this syntax, for
 * non-finite results and for node numbers above WF_VALUE_NODE_MAX.
 */
int wf_parse_value(const char *s, struct wf_parsed *out)
{
	const char *p = s, *end, *errstr;
	double mult = 1.0, v = 0.0, plus = 0.0;
	char nodebuf[16];
	size_t len, n;
	int ret = EINVAL;

	if (!s || !out)
		goto out;
	while (*p == ' ' || *p == '\t')
		p++;
	len = strlen(p);
	while (len && (p[len - 1] == ' ' || p[len - 1] == '\t' ||
		       p[len - 1] == '\n' || p[len - 1] == '\r'))
		len--;
	end = p + len;
	out->dirs = WF_DIR_BOTH;
	out->node = 0;
	out->v.alg = WF_ALG_UNIFORM;
	/* [node] suffix */
	if (len && end[-1] == ']') {
		const char *open = end - 1;

		while (open > p && *open != '[')
			open--;
		if (*open != '[')
			goto out;
		n = (size_t)(end - 1 - (open + 1));
		if (!n || n >= sizeof(nodebuf))
			goto out;
		memcpy(nodebuf, open + 1, n);
		nodebuf[n] = '\0';
		out->node = (long)parse_num(nodebuf, 0, WF_VALUE_NODE_MAX, &errstr);
		if (errstr)
			goto out;
		end = open;
	}
	if (end > p && (end[-1] == 'U' || end[-1] == 'u' || end[-1] == 'N' || end[-1] == 'n')) {
		out->v.alg = (end[-1] == 'N' || end[-1] == 'n') ? WF_ALG_NORMAL : WF_ALG_UNIFORM;
		end--;
	}
	if (end > p) {
		switch (end[-1]) {
		case 'k': case 'K': mult = 1024.0; end--; break;
		case 'm': case 'M': mult = 1048576.0; end--; break;
		case 'g': case 'G': mult = 1073741824.0; end--; break;
		default: break;
		}
	}
	if (end - p >= 2 && !strncmp(p, "LR", 2)) {
		out->dirs = WF_DIR_LR;
		p += 2;
	} else if (end - p >= 2 && !strncmp(p, "RL", 2)) {
		out->dirs = WF_DIR_RL;
		p += 2;
	}
	{
		char body[128];
		const char *q;

		n = (size_t)(end - p);
		if (!n || n >= sizeof(body))
			goto out;
		memcpy(body, p, n);
		body[n] = '\0';
		q = scan_decimal(body, &v);
		if (!q)
			goto out;
		if (*q == '+') {
			q = scan_decimal(q + 1, &plus);
			if (!q)
				goto out;
		}
		if (*q)
			goto out;
	}
	v *= mult;
	plus *= mult;
	if (!isfinite(v) || !isfinite(plus))
		goto out;
	out->v.val = v;
	out->v.plus = plus;
	ret = 0;
out:
	return ret;
}

/**
 * wf_parse_double() - a strict unsigned decimal (e.g. markov-time, edge weight)
 * @s:		the text, nothing else around it
 * @out:	the value
 *
 * Return: 0 or EINVAL.
 */
int wf_parse_double(const char *s, double *out)
{
	const char *end;

	if (!s || !out)
		return EINVAL;
	end = scan_decimal(s, out);
	return end && !*end ? 0 : EINVAL;
}

/**
 * wf_format_value() - print a value as VDE 2's showinfo does
 * @buf:	output
 * @size:	size of @buf
 * @v:		the value
 * @with_spread: 1 for "%g+%g%c", 0 for "%g" (MTU)
 *
 * Return: the length snprintf() reported.
 */
size_t wf_format_value(char *buf, size_t size, const struct wf_value *v, int with_spread)
{
	int n;

	if (with_spread)
		n = snprintf(buf, size, "%g+%g%c", v->val, v->plus, v->alg ? v->alg : 'U');
	else
		n = snprintf(buf, size, "%g", v->val);
	return n < 0 ? 0 : (size_t)n;
}
