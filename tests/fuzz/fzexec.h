// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/fuzz/fzexec.h - one console line run into memory, for the console
 * fuzz harnesses (fuzz_console.c, fuzz_switch_console.c)
 *
 * fz_exec() runs @line on @c with console_exec_line() and returns what it
 * wrote (malloc'd, NUL-terminated, *@len bytes; the caller frees it) and
 * its status in *@rc. Aborts when the memory stream cannot be made or
 * closed: a harness has nothing better to do then.
 */
#ifndef VDEKIT_FZEXEC_H
#define VDEKIT_FZEXEC_H

#include <stdio.h>
#include <stdlib.h>

#include "console.h"

static inline char *fz_exec(struct console *c, const char *line, int *rc, size_t *len)
{
	char *out = NULL;
	FILE *f = open_memstream(&out, len);

	if (!f)
		abort();
	*rc = console_exec_line(c, line, f);
	if (fclose(f))
		abort();
	return out;
}

#endif
