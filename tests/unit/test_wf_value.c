// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_wf_value.c - wirefilter value syntax: accepted and rejected forms */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "tap.h"
#include "value.h"

struct good {
	const char *in;
	unsigned dirs;
	double val, plus;
	char alg;
	long node;
};

static const struct good goods[] = {
	{ "10", WF_DIR_BOTH, 10, 0, 'U', 0 },
	{ " 10 \n", WF_DIR_BOTH, 10, 0, 'U', 0 },
	{ "LR50+10N", WF_DIR_LR, 50, 10, 'N', 0 },
	{ "RL2.5", WF_DIR_RL, 2.5, 0, 'U', 0 },
	{ "128+64KU", WF_DIR_BOTH, 131072, 65536, 'U', 0 },
	{ "1M", WF_DIR_BOTH, 1048576, 0, 'U', 0 },
	{ "1g", WF_DIR_BOTH, 1073741824.0, 0, 'U', 0 },
	{ "20+5N", WF_DIR_BOTH, 20, 5, 'N', 0 },
	{ "20+5n", WF_DIR_BOTH, 20, 5, 'N', 0 },
	{ "5[1]", WF_DIR_BOTH, 5, 0, 'U', 1 },
	{ "LR5+1KN[3]", WF_DIR_LR, 5120, 1024, 'N', 3 },
	{ ".5", WF_DIR_BOTH, 0.5, 0, 'U', 0 },
	{ "5.", WF_DIR_BOTH, 5, 0, 'U', 0 },
	{ "1e3", WF_DIR_BOTH, 1000, 0, 'U', 0 },
	{ "1e308", WF_DIR_BOTH, 1e308, 0, 'U', 0 },
	{ "0", WF_DIR_BOTH, 0, 0, 'U', 0 },
};

static const char *const bads[] = {
	"", " ", "]", "[", "[]", "10[-1]", "10[99999999]", "10[x]", "LR", "RL", "RL10+",
	"-5", "nan", "inf", "10K+5N", "10X", "0x10", "+5", "10+-5", "10++5", "LRRL5",
	"lr5", "10 5", "10,5", "1e308K", "1e", "e5", ".", "10[1", "10]", "5UN", "5NK",
	"10[1][2]", "1e999",
};

int main(void)
{
	struct wf_parsed p;
	struct wf_value v = { 131072, 65536, 'U' };
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		const struct good *g = &goods[i];
		int r = wf_parse_value(g->in, &p);

		ok(r == 0 && p.dirs == g->dirs && p.v.val == g->val && p.v.plus == g->plus &&
		   p.v.alg == g->alg && p.node == g->node,
		   "accept [%s] (r=%d dirs=%u val=%g plus=%g alg=%c node=%ld)", g->in, r,
		   p.dirs, p.v.val, p.v.plus, p.v.alg, p.node);
	}
	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++)
		ok(wf_parse_value(bads[i], &p) == EINVAL, "reject \"%s\"", bads[i]);
	ok(wf_parse_value(NULL, &p) == EINVAL, "reject NULL");

	wf_format_value(buf, sizeof(buf), &v, 1);
	ok(!strcmp(buf, "131072+65536U"), "format %s", buf);
	v.val = 1048576;
	v.plus = 0;
	wf_format_value(buf, sizeof(buf), &v, 1);
	ok(!strcmp(buf, "1.04858e+06+0U"), "format %s", buf);
	v.val = 1000;
	wf_format_value(buf, sizeof(buf), &v, 0);
	ok(!strcmp(buf, "1000"), "format mtu %s", buf);
	v.val = 10;
	v.plus = 2;
	v.alg = 'N';
	wf_format_value(buf, sizeof(buf), &v, 1);
	ok(!strcmp(buf, "10+2N"), "format %s", buf);
	return tap_done();
}
