// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/fuzz/fuzz_wf_value.c - fuzz wirefilter's value parser and the model's setters
 *
 * Invariants (abort on violation): a parse is deterministic; an accepted
 * value has a known direction mask, a known distribution, finite
 * non-negative value and spread and a node within the syntax's range; its
 * showinfo form parses again to the same direction-free value (to %g
 * precision); whatever the model accepts keeps wf_model_check() clean, and
 * a few frames through the model keep it clean too.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wf_parsed a, b, c;
	struct wf_model *m;
	char s[256], fmt[128];
	uint8_t frame[1600];
	int ra, rb, f;
	uint64_t now = 0;

	if (size >= sizeof(s))
		size = sizeof(s) - 1;
	memcpy(s, data, size);
	s[size] = '\0';
	ra = wf_parse_value(s, &a);
	rb = wf_parse_value(s, &b);
	if (ra != rb || (ra && ra != 22))
		abort();
	if (ra)
		return 0;
	if (a.v.val != b.v.val || a.v.plus != b.v.plus || a.v.alg != b.v.alg ||
	    a.dirs != b.dirs || a.node != b.node)
		abort();
	if ((a.dirs & ~(unsigned)WF_DIR_BOTH) || !a.dirs ||
	    (a.v.alg != WF_ALG_UNIFORM && a.v.alg != WF_ALG_NORMAL) ||
	    !isfinite(a.v.val) || !isfinite(a.v.plus) || a.v.val < 0 || a.v.plus < 0 ||
	    a.node < 0 || a.node > WF_VALUE_NODE_MAX)
		abort();
	wf_format_value(fmt, sizeof(fmt), &a.v, 1);
	if (wf_parse_value(fmt, &c) || c.dirs != WF_DIR_BOTH || c.node != 0 ||
	    c.v.alg != a.v.alg ||
	    fabs(c.v.val - a.v.val) > 1e-5 * fabs(a.v.val) ||
	    fabs(c.v.plus - a.v.plus) > 1e-5 * fabs(a.v.plus))
		abort();

	m = wf_model_new(size, 0);
	if (!m)
		return 0;
	wf_markov_resize(m, 3);
	memset(frame, 0x55, sizeof(frame));
	for (f = 0; f < WF_NFEAT; f++) {
		int r = wf_model_set(m, (enum wf_feature)f, &a);

		if (r && r != 22)
			abort();
		if (wf_model_check(m))
			abort();
	}
	wf_markov_setnode(m, (int)(a.node % 3));
	for (f = 0; f < 20; f++) {
		wf_input(m, (enum wf_dir)(f & 1), frame, 60 + (size_t)f * 70, now, NULL, NULL);
		now += 1000000;
		wf_run(m, now, NULL, NULL);
	}
	wf_run(m, (uint64_t)1 << 62, NULL, NULL);
	if (wf_model_check(m) || wf_queue_frames(m, WF_LR) || wf_queue_frames(m, WF_RL))
		abort();
	wf_model_free(m);
	return 0;
}
