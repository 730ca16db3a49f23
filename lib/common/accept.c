// SPDX-License-Identifier: LGPL-2.1-or-later
/* lib/common/accept.c - accept() that pauses instead of spinning (see accept.h)
 *
 * Theory of operation: on EMFILE/ENFILE/ENOBUFS/ENOMEM the listening fd is
 * switched to no events (it stays registered, so resuming cannot fail for
 * lack of memory) and a one-shot timer re-enables EPOLLIN. A successful
 * accept resets the back-off. The log line is rate-limited by a deadline on
 * the monotonic clock.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "accept.h"
#include "log.h"
#include "loop.h"

void accept_guard_init(struct accept_guard *g, struct loop *l, int fd, const char *name)
{
	memset(g, 0, sizeof(*g));
	g->l = l;
	g->fd = fd;
	g->name = name;
	g->pause_ms = ACCEPT_PAUSE_MIN_MS;
}

void accept_guard_fini(struct accept_guard *g)
{
	if (g->timer > 0)
		loop_del_timer(g->l, g->timer);
	g->timer = 0;
	g->paused = false;
}

static uint64_t resume_cb(struct loop *l, void *arg)
{
	struct accept_guard *g = arg;

	g->timer = 0;
	g->paused = false;
	loop_mod_fd(l, g->fd, EPOLLIN);
	return LOOP_NOMORE;
}

static void pause_accept(struct accept_guard *g, int err)
{
	uint64_t now = loop_now_ns();

	g->refused++;
	g->unlogged++;
	if (now >= g->next_log_ns) {
		log_warn("%s: cannot accept a connection (%s): paused; %llu refusal(s) since the "
			 "last report, %llu in all", g->name, strerror(err),
			 (unsigned long long)g->unlogged, (unsigned long long)g->refused);
		g->unlogged = 0;
		g->next_log_ns = now + ACCEPT_LOG_SEC * 1000000000ULL;
	}
	if (g->paused)
		return;
	if (loop_mod_fd(g->l, g->fd, 0) < 0)
		return;			/* cannot pause: stay as we were */
	g->timer = loop_add_timer(g->l, (uint64_t)g->pause_ms * 1000000ULL, resume_cb, g);
	if (g->timer < 0) {
		g->timer = 0;
		loop_mod_fd(g->l, g->fd, EPOLLIN);
		return;
	}
	g->paused = true;
	if (g->pause_ms < ACCEPT_PAUSE_MAX_MS)
		g->pause_ms = g->pause_ms * 2 > ACCEPT_PAUSE_MAX_MS ? ACCEPT_PAUSE_MAX_MS :
								    g->pause_ms * 2;
}

/**
 * accept_guarded() - accept, or pause the listening socket when out of fds
 * @g:		guard of the listening socket
 * @flags:	accept4() flags (SOCK_NONBLOCK, SOCK_CLOEXEC)
 *
 * Return: the new fd, or -1 with errno.
 */
int accept_guarded(struct accept_guard *g, int flags)
{
	int fd = accept4(g->fd, NULL, NULL, flags);
	int e;

	if (fd >= 0) {
		g->pause_ms = ACCEPT_PAUSE_MIN_MS;
		return fd;
	}
	e = errno;
	if (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM)
		pause_accept(g, e);
	errno = e;
	return -1;
}
