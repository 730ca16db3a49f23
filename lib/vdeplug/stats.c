// SPDX-License-Identifier: LGPL-2.1-or-later
/* lib/vdeplug/stats.c - append a connection's counters to $VDEPLUG_STATS
 *
 * One write(2) of one line with O_APPEND, so lines of several processes
 * sharing the file do not interleave.
 */
#include "config.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "stats.h"

void vdeplug_stats_report(const char *module, const struct vdeplug_counter *c, size_t n)
{
	const char *path = getenv("VDEPLUG_STATS");
	char line[1024];
	size_t off, i;
	int fd, k;

	if (!path || !*path)
		return;
	k = snprintf(line, sizeof(line), "%s pid=%ld", module, (long)getpid());
	if (k < 0 || (size_t)k >= sizeof(line))
		return;
	off = (size_t)k;
	for (i = 0; i < n; i++) {
		k = snprintf(line + off, sizeof(line) - off, " %s=%" PRIu64, c[i].name, c[i].value);
		if (k < 0 || (size_t)k >= sizeof(line) - off - 1)
			return;
		off += (size_t)k;
	}
	line[off++] = '\n';
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	if (write(fd, line, off) < 0) {
		/* nothing to do: the connection is going away */
	}
	close(fd);
}
