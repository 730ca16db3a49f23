// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/fuzz/fuzz_wf_cmd.c - fuzz wirefilter's console commands through the console server
 *
 * Each input is a set of lines run through console_exec_line() against a
 * fresh model, with frames pushed through the model between lines (fake
 * clock). Invariants (abort on violation): every line answers a valid
 * status (0 for empty/comment, 1000..1999, 9999), a data answer is framed
 * by "0000 DATA END WITH '.'" and ".\n", the model stays consistent
 * (wf_model_check), and every queued frame drains.
 * "load" lines are skipped (they would read arbitrary files).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "loop.h"
#include "wirefilter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct loop *L;
static struct console *C;
static struct wf_ctx W;
static uint64_t fake_now;

static uint64_t fake_clock(void *arg)
{
	(void)arg;
	return fake_now;
}

static void setup(void)
{
	struct console_config cc;

	memset(&cc, 0, sizeof(cc));
	cc.banner = WF_BANNER;
	cc.prompt = WF_PROMPT;
	cc.ctx = &W;
	L = loop_new();
	if (!L)
		abort();
	C = console_new(L, &cc);
	if (!C)
		abort();
	W.ndirs = 2;
	W.now = fake_clock;
	if (wf_commands_register(&W, C))
		abort();
}

static void check_answer(int rc, const char *out, size_t len)
{
	if (!(rc == 0 || rc == 9999 || (rc >= 1000 && rc <= 1999)))
		abort();
	if (len >= 5 && !memcmp(out, "0000 ", 5) && !strstr(out, "\n.\n") &&
	    strncmp(out, "0000 DATA END WITH '.'\n.\n", 25))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, *line, *save = NULL;
	uint8_t frame[1600];
	int i;

	if (!C)
		setup();
	if (size > 8192)
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	fake_now = 0;
	W.m = wf_model_new(size, 0);
	if (!W.m)
		abort();
	memset(frame, 0xa5, sizeof(frame));
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *p = line;
		char *out = NULL;
		size_t olen = 0;
		FILE *f;
		int rc;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!strncmp(p, "load", 4))
			continue;
		f = open_memstream(&out, &olen);
		if (!f)
			abort();
		rc = console_exec_line(C, line, f);
		fclose(f);
		check_answer(rc, out, olen);
		free(out);
		if (wf_model_check(W.m))
			abort();
		for (i = 0; i < 4; i++) {
			wf_input(W.m, (enum wf_dir)(i & 1), frame, 60 + (size_t)i * 400, fake_now,
				 NULL, NULL);
			fake_now += 250000;
			wf_run(W.m, fake_now, NULL, NULL);
		}
	}
	wf_run(W.m, (uint64_t)1 << 62, NULL, NULL);
	if (wf_model_check(W.m) || wf_queue_frames(W.m, WF_LR) || wf_queue_frames(W.m, WF_RL))
		abort();
	wf_model_free(W.m);
	W.m = NULL;
	free(text);
	return 0;
}
