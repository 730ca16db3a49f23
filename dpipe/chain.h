/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dpipe/chain.h - dpipe's command-line grammar (see chain.c) */
#ifndef VDEKIT_DPIPE_CHAIN_H
#define VDEKIT_DPIPE_CHAIN_H

#include <stddef.h>

/* The four descriptors a stage may have. */
enum chain_slot { SLOT_IN, SLOT_OUT, SLOT_ALT_IN, SLOT_ALT_OUT, SLOT_N };

struct chain_stage {
	char **argv;		/* points into the parsed argv, NULL-terminated */
};

struct chain_edge {		/* one pipe: stage w's slot ws -> stage r's slot rs */
	size_t w, r;
	enum chain_slot ws, rs;
};

struct chain {
	struct chain_stage *st;
	size_t nst;
	struct chain_edge *edge;
	size_t nedge;
};

/* Split @argv (@argc words, after the options) into stages and edges.
 * Separator words are replaced by NULL in place. 0, or -1 with *err set to
 * a message. Call chain_free() in both cases. */
int chain_parse(struct chain *c, int argc, char **argv, const char **err);
void chain_free(struct chain *c);

#endif
