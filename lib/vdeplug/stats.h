/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/vdeplug/stats.h - counters line of a connection, on request
 *
 * The library never prints. A user who wants a module's counters sets
 * VDEPLUG_STATS=FILE: at vde_close() the module appends one line
 * "MODULE pid=N key=value ..." to FILE (created 0600 if absent).
 */
#ifndef VDEKIT_VDEPLUG_STATS_H
#define VDEKIT_VDEPLUG_STATS_H

#include <stddef.h>
#include <stdint.h>

struct vdeplug_counter {
	const char *name;
	uint64_t value;
};

/* vdeplug_stats_report() - append "@module pid=N name=value..." to
 * $VDEPLUG_STATS if set; errors are ignored (the connection is closing). */
void vdeplug_stats_report(const char *module, const struct vdeplug_counter *c, size_t n);

#endif
