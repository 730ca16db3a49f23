// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/fuzz/fuzz_dpipe_chain.c - dpipe's command-line grammar
 *
 * The input is cut at NUL bytes into at most 64 words (each at most 16
 * bytes) and parsed with chain_parse(). On failure an error message must be
 * set. On success the wiring must be a valid dpipe: at least two stages;
 * every stage reads its stdin from exactly one pipe and writes its stdout to
 * exactly one; a stage has both alternate descriptors or neither, each on
 * at most one pipe; pipes only go from an output slot to an input slot; no
 * stage's stdout feeds its own stdin; every stage's argv is non-empty,
 * NULL-terminated and made of input words that are not separators; every
 * input word is either a separator or in exactly one stage.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXWORDS 64
#define MAXLEN 16

/* Independent restatement of the separator rule: [{}]?=[{}]? */
static bool is_sep(const char *s)
{
	if (*s == '{' || *s == '}')
		s++;
	if (*s++ != '=')
		return false;
	if (*s == '{' || *s == '}')
		s++;
	return *s == '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char words[MAXWORDS][MAXLEN + 1];
	char *argv[MAXWORDS + 1], *orig[MAXWORDS];
	int argc = 0, i;
	size_t pos = 0, k;
	struct chain c;
	const char *err = NULL;
	int uses[MAXWORDS][SLOT_N];
	size_t nwords_in_stages = 0, nsep = 0;

	while (pos < size && argc < MAXWORDS) {
		size_t n = 0;

		while (pos < size && data[pos] && n < MAXLEN)
			words[argc][n++] = (char)data[pos++];
		words[argc][n] = '\0';
		while (pos < size && data[pos])		/* rest of an overlong word */
			pos++;
		pos++;					/* the NUL */
		if (n == 0)
			continue;
		argv[argc] = words[argc];
		orig[argc] = words[argc];
		argc++;
	}
	argv[argc] = NULL;
	for (i = 0; i < argc; i++)
		nsep += is_sep(orig[i]);

	if (chain_parse(&c, argc, argv, &err) < 0) {
		if (!err || !*err)
			abort();
		chain_free(&c);
		return 0;
	}
	if (c.nst < 2 || c.nst > (size_t)argc)
		abort();
	memset(uses, 0, sizeof(uses));
	for (k = 0; k < c.nedge; k++) {
		const struct chain_edge *e = &c.edge[k];

		if (e->w >= c.nst || e->r >= c.nst)
			abort();
		if (e->ws != SLOT_OUT && e->ws != SLOT_ALT_OUT)
			abort();
		if (e->rs != SLOT_IN && e->rs != SLOT_ALT_IN)
			abort();
		uses[e->w][e->ws]++;
		uses[e->r][e->rs]++;
		if (e->w == e->r && e->ws == SLOT_OUT && e->rs == SLOT_IN)
			abort();			/* a stage talking to itself */
	}
	for (k = 0; k < c.nst; k++) {
		char **a = c.st[k].argv;
		size_t j;

		if (uses[k][SLOT_IN] != 1 || uses[k][SLOT_OUT] != 1)
			abort();
		if (uses[k][SLOT_ALT_IN] > 1 || uses[k][SLOT_ALT_IN] != uses[k][SLOT_ALT_OUT])
			abort();
		if (!a || !a[0])
			abort();
		for (j = 0; a[j]; j++) {
			if (a + j < argv || a + j >= argv + argc || is_sep(a[j]))
				abort();
			nwords_in_stages++;
		}
	}
	if (nwords_in_stages + nsep != (size_t)argc)
		abort();
	chain_free(&c);
	return 0;
}
