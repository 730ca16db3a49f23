/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/common/accept.h - accept() that pauses instead of spinning when out of fds
 *
 * A listening socket in a level-triggered epoll set stays readable while a
 * connection waits in its backlog. When accept() fails for lack of file
 * descriptors or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM) the connection
 * stays there and the loop would wake up again at once: 100 % CPU until
 * the client gives up. accept_guarded() instead stops watching the socket,
 * counts the refusal, logs it (at most one line per ACCEPT_LOG_SEC, with
 * the number of refusals since the last line) and resumes watching after a
 * back-off (ACCEPT_PAUSE_MIN_MS doubling to ACCEPT_PAUSE_MAX_MS), so the
 * waiting client is served as soon as descriptors are free again.
 *
 * Used by every -M console (lib/common/console.c); the switch's ctl socket
 * can use it the same way: accept_guard_init() once the socket is in the
 * loop, accept_guarded() in its EPOLLIN callback, accept_guard_fini() before
 * the socket is closed.
 */
#ifndef VDEKIT_ACCEPT_H
#define VDEKIT_ACCEPT_H

#include <stdbool.h>
#include <stdint.h>

#define ACCEPT_PAUSE_MIN_MS	50
#define ACCEPT_PAUSE_MAX_MS	1000
#define ACCEPT_LOG_SEC		10

struct loop;

struct accept_guard {
	struct loop *l;
	int fd;				/* the listening socket, in l with EPOLLIN */
	const char *name;		/* for the log: "console /tmp/mgmt" */
	bool paused;
	long timer;			/* resume timer while paused */
	unsigned pause_ms;		/* current back-off */
	uint64_t refused;		/* accept() failures for lack of resources */
	uint64_t unlogged;		/* refusals not yet in a log line */
	uint64_t next_log_ns;		/* CLOCK_MONOTONIC, rate limit */
};

/* @name must outlive the guard. */
void accept_guard_init(struct accept_guard *g, struct loop *l, int fd, const char *name);
void accept_guard_fini(struct accept_guard *g);

/* accept4(g->fd, NULL, NULL, @flags). On a lack of resources: pause as
 * described above and return -1 with errno as accept4 set it. Other
 * errors (EAGAIN, ECONNABORTED, ...) are returned as they are. */
int accept_guarded(struct accept_guard *g, int flags);

#endif
