/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/tap.h - minimal TAP output for the C unit tests (sds testhelp style)
 *
 *   ok(cond, "name %d", i);   ... return tap_done();
 * tap_ms() is a monotonic clock in ms, for the deadlines of threaded checks.
 * Exit status is 0 only if every check passed and at least one ran.
 */
#ifndef VDEKIT_TAP_H
#define VDEKIT_TAP_H

#include <stdio.h>
#include <stdarg.h>
#include <time.h>

static int tap_n, tap_fail;

__attribute__((format(printf, 2, 3)))
static inline int ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("%s %d - ", cond ? "ok" : "not ok", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond)
		tap_fail++;
	return cond;
}

static inline long tap_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	if (tap_fail)
		printf("# %d of %d checks failed\n", tap_fail, tap_n);
	return tap_fail || !tap_n;
}

#endif
