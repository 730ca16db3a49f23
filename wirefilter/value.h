/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wirefilter/value.h - wirefilter's impairment value syntax
 *
 * VDE 2's value syntax (docs/architecture.md, "wirefilter: values and the
 * impairment pipeline"):
 *
 *     [LR|RL]<value>[+<spread>][K|M|G][U|N][[node]]
 *
 * No prefix sets both directions, LR or RL one of them. K, M, G multiply
 * value and spread by 2^10, 2^20, 2^30. U (default) draws uniformly in
 * value +- spread, N draws value + spread/3 * gauss. [node] selects the
 * Markov node (default 0). Unlike VDE 2 (sscanf "%lf") the numbers are
 * plain unsigned decimals with an optional exponent: no sign, no nan, no
 * inf, no hex, no trailing junk.
 */
#ifndef VDEKIT_WF_VALUE_H
#define VDEKIT_WF_VALUE_H

#include <stddef.h>

enum wf_dirmask {
	WF_DIR_LR	= 1U << 0,
	WF_DIR_RL	= 1U << 1,
	WF_DIR_BOTH	= WF_DIR_LR | WF_DIR_RL,
};

enum wf_alg {
	WF_ALG_UNIFORM	= 'U',
	WF_ALG_NORMAL	= 'N',
};

/* One impairment setting of one direction of one Markov node. */
struct wf_value {
	double val;
	double plus;		/* spread, >= 0 */
	char alg;		/* WF_ALG_UNIFORM or WF_ALG_NORMAL */
};

struct wf_parsed {
	unsigned dirs;		/* enum wf_dirmask */
	long node;		/* Markov node, 0 if not given */
	struct wf_value v;
};

/* Largest node index the syntax accepts; the model checks the real range. */
#define WF_VALUE_NODE_MAX	1000000L

int wf_parse_value(const char *s, struct wf_parsed *out);
int wf_parse_double(const char *s, double *out);
size_t wf_format_value(char *buf, size_t size, const struct wf_value *v, int with_spread);

#endif
