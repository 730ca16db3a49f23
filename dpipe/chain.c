// SPDX-License-Identifier: GPL-2.0-or-later
/* dpipe/chain.c - dpipe's command-line grammar: stages and pipe edges
 *
 * Theory of operation. The argument list is cut at separator words into
 * stages. A separator is a word that begins with "=", optionally preceded
 * by "}" or "{" (closing a one-way group) and optionally followed by "}"
 * or "{" (opening one); anything after that is ignored, as VDE 2 does:
 *
 *   a = b       a.stdout -> b.stdin and b.stdout -> a.stdin
 *   a = b = c   b talks to a on stdin/stdout and to c on its alternate
 *               descriptors ($ALTERNATE_STDIN / $ALTERNATE_STDOUT)
 *   a =} f... }= b   forward group: a -> f... -> b, and b -> a directly
 *   a ={ g... {= b   backward group: b -> g... -> a, and a -> b directly
 *
 * Stages outside braces are "endpoints"; consecutive endpoints X, Y are
 * joined by a link whose forward direction (X to Y) runs through the
 * stages of "=}...}=" groups in order, and whose backward direction (Y to
 * X) through the stages of "={...{=" groups, right to left. Inside a group
 * plain "=" separates further one-way stages; "}={" closes a forward group
 * and opens a backward one on the same link (and "{=}" the reverse), so
 * "a =} b }={ c {= d" is the ring a -> b -> d -> c -> a. Group stages use
 * only stdin and stdout; the first and last endpoint use stdin/stdout for
 * their only link; middle endpoints use stdin/stdout to the left and the
 * alternate descriptors to the right (VDE 2's convention). Nested groups,
 * unbalanced braces and empty stages are errors.
 *
 * Pure: no syscalls besides allocation, unit-tested in tests/unit/test_dpipe_chain.c.
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "chain.h"

static bool chain_is_brace(char ch)
{
	return ch == '{' || ch == '}';
}

/* A separator is a word that begins with "=", "}=" or "{=" (a brace before
 * the "=" closes a group); a brace right after the "=" opens one. What
 * follows is not looked at: VDE 2's and vdeplug4's dpipe cut there too, so
 * "==" or "=x" is "=" (taking it for an argument of the command before it
 * built another chain than theirs, silently for "a = b == c"). */
static bool chain_is_sep(const char *s, char *lead, char *trail)
{
	*lead = chain_is_brace(s[0]) && s[1] == '=' ? s[0] : 0;
	if (*lead)
		s++;
	if (s[0] != '=')
		return false;
	*trail = chain_is_brace(s[1]) ? s[1] : 0;
	return true;
}

static void chain_add_edge(struct chain *c, size_t w, enum chain_slot ws, size_t r, enum chain_slot rs)
{
	struct chain_edge *e = &c->edge[c->nedge++];

	e->w = w;
	e->ws = ws;
	e->r = r;
	e->rs = rs;
}

/* Join endpoint @x (its right side) to endpoint @y through the forward
 * group stages @f[0..nf) and backward group stages @b[0..nb). */
static void chain_link(struct chain *c, size_t x, bool x_first, size_t y,
		    const size_t *f, size_t nf, const size_t *b, size_t nb)
{
	enum chain_slot xout = x_first ? SLOT_OUT : SLOT_ALT_OUT;
	enum chain_slot xin = x_first ? SLOT_IN : SLOT_ALT_IN;
	size_t w = x, i;
	enum chain_slot ws = xout;

	for (i = 0; i < nf; i++) {
		chain_add_edge(c, w, ws, f[i], SLOT_IN);
		w = f[i];
		ws = SLOT_OUT;
	}
	chain_add_edge(c, w, ws, y, SLOT_IN);
	w = y;
	ws = SLOT_OUT;
	for (i = nb; i > 0; i--) {
		chain_add_edge(c, w, ws, b[i - 1], SLOT_IN);
		w = b[i - 1];
		ws = SLOT_OUT;
	}
	chain_add_edge(c, w, ws, x, xin);
}

/**
 * chain_parse() - split argv into stages and pipe edges (no syscalls)
 * @c:		filled in; free with chain_free() (also after a failure)
 * @argc:	number of words in @argv (after the options)
 * @argv:	the words; separators are replaced by NULL in place
 * @err:	set to a message on failure
 *
 * Return: 0 or -1.
 */
int chain_parse(struct chain *c, int argc, char **argv, const char **err)
{
	enum { G_NONE, G_FWD, G_BACK } group = G_NONE;
	size_t *f = NULL, *b = NULL, nf = 0, nb = 0, x = 0, nendpoints = 0;
	bool want_cmd = true;
	int i, ret = -1;

	memset(c, 0, sizeof(*c));
	f = calloc((size_t)argc + 1, sizeof(*f));
	b = calloc((size_t)argc + 1, sizeof(*b));
	c->st = calloc((size_t)argc + 1, sizeof(*c->st));
	c->edge = calloc(2 * (size_t)argc + 2, sizeof(*c->edge));
	if (!f || !b || !c->st || !c->edge) {
		*err = "out of memory";
		goto out;
	}
	for (i = 0; i < argc; i++) {
		char lead, trail;

		if (chain_is_sep(argv[i], &lead, &trail)) {
			if (want_cmd) {
				*err = i ? "empty command between separators" :
					   "the first word is a separator";
				goto out;
			}
			argv[i] = NULL;
			if ((lead == '}' && group != G_FWD) || (lead == '{' && group != G_BACK)) {
				*err = "closing brace without a matching open group";
				goto out;
			}
			if (lead)
				group = G_NONE;
			if (trail && group != G_NONE) {
				*err = "nested groups are not allowed";
				goto out;
			}
			if (trail)
				group = trail == '}' ? G_FWD : G_BACK;
			want_cmd = true;
			continue;
		}
		if (!want_cmd)
			continue;		/* an argument of the current stage */
		want_cmd = false;
		c->st[c->nst].argv = argv + i;
		if (group == G_FWD) {
			f[nf++] = c->nst;
		} else if (group == G_BACK) {
			b[nb++] = c->nst;
		} else {
			if (nendpoints > 0) {
				chain_link(c, x, nendpoints == 1, c->nst, f, nf, b, nb);
				nf = nb = 0;
			}
			x = c->nst;
			nendpoints++;
		}
		c->nst++;
	}
	if (want_cmd) {
		*err = argc ? "the last word is a separator" : "no command";
		goto out;
	}
	if (group != G_NONE) {
		*err = "unclosed group: missing \"}=\" or \"{=\"";
		goto out;
	}
	if (nendpoints < 2) {
		*err = "at least two commands joined by \"=\" are needed";
		goto out;
	}
	ret = 0;
out:
	free(f);
	free(b);
	return ret;
}

/**
 * chain_free() - release what chain_parse() allocated
 * @c:		the chain (may be zeroed or partly filled)
 */
void chain_free(struct chain *c)
{
	free(c->st);
	free(c->edge);
	c->st = NULL;
	c->edge = NULL;
	c->nst = c->nedge = 0;
}
