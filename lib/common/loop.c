// SPDX-License-Identifier: LGPL-2.1-or-later
/* lib/common/loop.c - the epoll event loop shared by every vdekit daemon
 *
 * Theory of operation
 *
 * Every file descriptor registered with loop_add_fd() gets a small
 * registration record (fd, callback, argument) whose address is stored in
 * epoll's data.ptr. Records are also indexed by fd so loop_mod_fd() and
 * loop_del_fd() can find them. Deleting a record while events are being
 * dispatched only marks it dead and moves it to a zombie list: events of the
 * same epoll_wait() batch that still point at it are skipped, and the memory
 * is released after the batch. A new record for the same fd number is a new
 * address, so stale events never reach it.
 *
 * Timers live in a binary min-heap ordered by (deadline, sequence number);
 * the one timerfd (CLOCK_MONOTONIC, TFD_TIMER_ABSTIME) is armed to the
 * earliest deadline, so resolution is the kernel's hrtimer one, not epoll's
 * millisecond timeout. When the timerfd fires, every timer that was due at
 * that moment and was queued before the dispatch started runs once; the
 * value it returns is its next delay (LOOP_NOMORE deletes it). Timers added
 * or re-queued by callbacks wait for the next round, so a callback returning
 * 0 cannot starve the loop. A timer may delete or re-arm itself or others
 * from any callback.
 *
 * Signals are blocked and read from one signalfd; handlers never run logic.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"

#define LOOP_MAX_EVENTS	64

struct loop_fdreg {
	int fd;
	bool dead;
	loop_fd_cb cb;
	void *arg;
	struct loop_fdreg *next_zombie;
};

struct loop_timer {
	long id;
	uint64_t when;
	uint64_t seq;
	size_t idx;			/* position in the heap */
	loop_timer_cb cb;
	void *arg;
	bool deleted;			/* deleted during its own callback */
	bool rearmed;			/* re-armed during its own callback */
};

struct loop {
	int epfd;
	bool stop;
	int dispatching;

	struct loop_fdreg **fds;	/* indexed by fd */
	size_t nfds;
	struct loop_fdreg *zombies;

	int tfd;
	struct loop_fdreg *treg;
	struct loop_timer **heap;
	size_t nheap, heapcap;
	long next_id;
	uint64_t next_seq;
	uint64_t armed;			/* deadline the timerfd is set to, 0 = none */
	struct loop_timer *running;

	int sfd;
	struct loop_fdreg *sreg;
	sigset_t sigmask, oldmask;
	bool have_oldmask;
	struct {
		loop_signal_cb cb;
		void *arg;
	} sig[_NSIG];
};

/**
 * loop_now_ns() - current CLOCK_MONOTONIC time
 *
 * Return: nanoseconds since an arbitrary fixed point.
 */
uint64_t loop_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* --- timer heap ---------------------------------------------------------- */

static bool timer_before(const struct loop_timer *a, const struct loop_timer *b)
{
	return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void heap_set(struct loop *l, size_t i, struct loop_timer *t)
{
	l->heap[i] = t;
	t->idx = i;
}

static void heap_up(struct loop *l, size_t i)
{
	struct loop_timer *t = l->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!timer_before(t, l->heap[parent]))
			break;
		heap_set(l, i, l->heap[parent]);
		i = parent;
	}
	heap_set(l, i, t);
}

static void heap_down(struct loop *l, size_t i)
{
	struct loop_timer *t = l->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= l->nheap)
			break;
		if (c + 1 < l->nheap && timer_before(l->heap[c + 1], l->heap[c]))
			c++;
		if (!timer_before(l->heap[c], t))
			break;
		heap_set(l, i, l->heap[c]);
		i = c;
	}
	heap_set(l, i, t);
}

static int heap_push(struct loop *l, struct loop_timer *t)
{
	if (l->nheap == l->heapcap) {
		size_t cap = l->heapcap ? l->heapcap * 2 : 16;
		struct loop_timer **h = realloc(l->heap, cap * sizeof(*h));

		if (!h)
			return -1;
		l->heap = h;
		l->heapcap = cap;
	}
	heap_set(l, l->nheap++, t);
	heap_up(l, t->idx);
	return 0;
}

static void heap_remove(struct loop *l, struct loop_timer *t)
{
	size_t i = t->idx;
	struct loop_timer *last = l->heap[--l->nheap];

	if (i == l->nheap)
		return;
	heap_set(l, i, last);
	heap_up(l, i);
	heap_down(l, last->idx);
}

static struct loop_timer *timer_find(const struct loop *l, long id)
{
	size_t i;

	if (l->running && l->running->id == id)
		return l->running;
	for (i = 0; i < l->nheap; i++)
		if (l->heap[i]->id == id)
			return l->heap[i];
	return NULL;
}

static uint64_t deadline(uint64_t delay_ns)
{
	uint64_t now = loop_now_ns();

	return delay_ns > UINT64_MAX - now ? UINT64_MAX - 1 : now + delay_ns;
}

/* Arm the timerfd to the earliest deadline. @force: also when it moved later. */
static void timer_arm(struct loop *l, bool force)
{
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };
	uint64_t when = l->nheap ? l->heap[0]->when : 0;

	if (l->dispatching && l->running)
		return;			/* re-armed after the dispatch */
	if (!force && (when == l->armed || (l->armed && when > l->armed) || !when))
		return;
	if (when) {
		its.it_value.tv_sec = (time_t)(when / 1000000000ULL);
		its.it_value.tv_nsec = (long)(when % 1000000000ULL);
		if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
			its.it_value.tv_nsec = 1;
	}
	timerfd_settime(l->tfd, TFD_TIMER_ABSTIME, &its, NULL);
	l->armed = when;
}

static void timer_dispatch(struct loop *l, int fd, uint32_t events, void *arg)
{
	uint64_t expirations, now, start_seq = l->next_seq;

	(void)events;
	(void)arg;
	while (read(fd, &expirations, sizeof(expirations)) < 0 && errno == EINTR)
		;
	l->armed = 0;
	now = loop_now_ns();
	while (l->nheap && !l->stop) {
		struct loop_timer *t = l->heap[0];
		uint64_t next;

		if (t->when > now || t->seq >= start_seq)
			break;
		heap_remove(l, t);
		l->running = t;
		t->deleted = t->rearmed = false;
		next = t->cb(l, t->arg);
		l->running = NULL;
		if (t->deleted || (!t->rearmed && next == LOOP_NOMORE)) {
			free(t);
			continue;
		}
		if (!t->rearmed)
			t->when = deadline(next);
		t->seq = l->next_seq++;
		if (heap_push(l, t) < 0)
			free(t);
	}
	timer_arm(l, true);
}

/**
 * loop_add_timer() - start a timer
 * @l:		loop
 * @delay_ns:	first expiry, in nanoseconds from now
 * @cb:		callback; returns the next delay or LOOP_NOMORE
 * @arg:	callback argument
 *
 * Return: timer id (> 0), or -1 on allocation failure.
 */
long loop_add_timer(struct loop *l, uint64_t delay_ns, loop_timer_cb cb, void *arg)
{
	struct loop_timer *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	t->id = l->next_id++;
	t->when = deadline(delay_ns);
	t->seq = l->next_seq++;
	t->cb = cb;
	t->arg = arg;
	if (heap_push(l, t) < 0) {
		free(t);
		return -1;
	}
	timer_arm(l, false);
	return t->id;
}

/**
 * loop_timer_rearm() - move a timer's next expiry
 * @l:		loop
 * @id:		timer id
 * @delay_ns:	new delay from now
 *
 * Called from the timer's own callback this overrides the callback's
 * return value.
 *
 * Return: 0, or -1 if no such timer.
 */
int loop_timer_rearm(struct loop *l, long id, uint64_t delay_ns)
{
	struct loop_timer *t = timer_find(l, id);

	if (!t || t->deleted)
		return -1;
	t->when = deadline(delay_ns);
	if (t == l->running) {
		t->rearmed = true;
		return 0;
	}
	heap_remove(l, t);
	t->seq = l->next_seq++;
	if (heap_push(l, t) < 0) {
		free(t);
		return -1;
	}
	timer_arm(l, false);
	return 0;
}

/**
 * loop_del_timer() - stop and free a timer (no-op for unknown ids)
 * @l:		loop
 * @id:		timer id
 */
void loop_del_timer(struct loop *l, long id)
{
	struct loop_timer *t = timer_find(l, id);

	if (!t)
		return;
	if (t == l->running) {
		t->deleted = true;
		return;
	}
	heap_remove(l, t);
	free(t);
}

/* --- file descriptors ---------------------------------------------------- */

static struct loop_fdreg *fd_get(const struct loop *l, int fd)
{
	if (fd < 0 || (size_t)fd >= l->nfds)
		return NULL;
	return l->fds[fd];
}

/**
 * loop_add_fd() - watch a file descriptor
 * @l:		loop
 * @fd:		descriptor (not owned: never closed by the loop)
 * @events:	EPOLLIN, EPOLLOUT, ...
 * @cb:		callback run with the returned events
 * @arg:	callback argument
 *
 * Return: 0, or -1 with errno (EEXIST if @fd is already watched).
 */
int loop_add_fd(struct loop *l, int fd, uint32_t events, loop_fd_cb cb, void *arg)
{
	struct epoll_event ev;
	struct loop_fdreg *r;

	if (fd < 0) {
		errno = EBADF;
		return -1;
	}
	if (fd_get(l, fd)) {
		errno = EEXIST;
		return -1;
	}
	if ((size_t)fd >= l->nfds) {
		size_t n = (size_t)fd + 64;
		struct loop_fdreg **fds = realloc(l->fds, n * sizeof(*fds));

		if (!fds)
			return -1;
		memset(fds + l->nfds, 0, (n - l->nfds) * sizeof(*fds));
		l->fds = fds;
		l->nfds = n;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return -1;
	r->fd = fd;
	r->cb = cb;
	r->arg = arg;
	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.ptr = r;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		free(r);
		return -1;
	}
	l->fds[fd] = r;
	return 0;
}

/**
 * loop_mod_fd() - change the events watched on @fd
 * @l:		loop
 * @fd:		a descriptor added with loop_add_fd()
 * @events:	new event mask
 *
 * Return: 0, or -1 with errno (ENOENT if @fd is not watched).
 */
int loop_mod_fd(struct loop *l, int fd, uint32_t events)
{
	struct loop_fdreg *r = fd_get(l, fd);
	struct epoll_event ev;

	if (!r) {
		errno = ENOENT;
		return -1;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.ptr = r;
	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev);
}

/**
 * loop_del_fd() - stop watching @fd (call before closing it)
 * @l:		loop
 * @fd:		descriptor
 *
 * Safe from any callback, including @fd's own.
 *
 * Return: 0, or -1 with errno ENOENT if @fd is not watched.
 */
int loop_del_fd(struct loop *l, int fd)
{
	struct loop_fdreg *r = fd_get(l, fd);

	if (!r) {
		errno = ENOENT;
		return -1;
	}
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	l->fds[fd] = NULL;
	r->dead = true;
	if (l->dispatching) {
		r->next_zombie = l->zombies;
		l->zombies = r;
	} else {
		free(r);
	}
	return 0;
}

static void reap_zombies(struct loop *l)
{
	while (l->zombies) {
		struct loop_fdreg *r = l->zombies;

		l->zombies = r->next_zombie;
		free(r);
	}
}

/* --- signals ------------------------------------------------------------- */

static void signal_dispatch(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct signalfd_siginfo si;

	(void)events;
	(void)arg;
	while (!l->stop) {
		ssize_t n = read(fd, &si, sizeof(si));

		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(si))
			break;
		if (si.ssi_signo < _NSIG && l->sig[si.ssi_signo].cb)
			l->sig[si.ssi_signo].cb(l, (int)si.ssi_signo, l->sig[si.ssi_signo].arg);
	}
}

/**
 * loop_add_signals() - deliver the signals of @set to @cb through a signalfd
 * @l:		loop
 * @set:	signals (blocked from now on, loop_free() included: see there)
 * @cb:		callback, run from the loop, never from a signal handler
 * @arg:	callback argument
 *
 * May be called several times; a later call replaces the callback of the
 * signals it names.
 *
 * Return: 0, or -1 with errno.
 */
int loop_add_signals(struct loop *l, const sigset_t *set, loop_signal_cb cb, void *arg)
{
	sigset_t old;
	int s, fd;

	if (sigprocmask(SIG_BLOCK, set, &old) < 0)
		return -1;
	if (!l->have_oldmask) {
		l->oldmask = old;
		l->have_oldmask = true;
	}
	for (s = 1; s < _NSIG; s++) {
		if (sigismember(set, s) != 1)
			continue;
		sigaddset(&l->sigmask, s);
		l->sig[s].cb = cb;
		l->sig[s].arg = arg;
	}
	fd = signalfd(l->sfd, &l->sigmask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -1;
	if (l->sfd < 0) {
		l->sfd = fd;
		if (loop_add_fd(l, fd, EPOLLIN, signal_dispatch, NULL) < 0) {
			close(fd);
			l->sfd = -1;
			return -1;
		}
	}
	return 0;
}

/* --- the loop ------------------------------------------------------------ */

/**
 * loop_new() - create an event loop
 *
 * Return: the loop, or NULL with errno set.
 */
struct loop *loop_new(void)
{
	struct loop *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->epfd = l->tfd = l->sfd = -1;
	l->next_id = 1;
	sigemptyset(&l->sigmask);
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0)
		goto fail;
	l->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (l->tfd < 0)
		goto fail;
	if (loop_add_fd(l, l->tfd, EPOLLIN, timer_dispatch, NULL) < 0)
		goto fail;
	return l;
fail:
	loop_free(l);
	return NULL;
}

/**
 * loop_free() - release the loop (the registered fds are not closed)
 * @l:		loop, may be NULL
 *
 * The signals routed through the loop stay blocked: the caller is on its
 * way out, and a stop signal that arrives now (stdin closed, then SIGTERM
 * right after, as service managers and test drivers do) or that is already
 * pending must not kill it half way through its cleanup with the signal's
 * status instead of its own. A pending one is simply discarded at exit. A
 * caller that goes on and wants them back calls loop_signals_restore()
 * first.
 */
void loop_free(struct loop *l)
{
	size_t i;
	int e = errno;

	if (!l)
		return;
	for (i = 0; i < l->nfds; i++)
		free(l->fds[i]);
	free(l->fds);
	reap_zombies(l);
	for (i = 0; i < l->nheap; i++)
		free(l->heap[i]);
	free(l->heap);
	if (l->tfd >= 0)
		close(l->tfd);
	if (l->sfd >= 0)
		close(l->sfd);
	if (l->epfd >= 0)
		close(l->epfd);
	free(l);
	errno = e;
}

/**
 * loop_signals_restore() - unblock the signals loop_add_signals() blocked
 * @l:		loop
 *
 * The mask returns to what it was before the first loop_add_signals();
 * signals pending by then are delivered with their dispositions.
 */
void loop_signals_restore(struct loop *l)
{
	if (l->have_oldmask)
		sigprocmask(SIG_SETMASK, &l->oldmask, NULL);
}

/**
 * loop_run() - dispatch events until loop_stop()
 * @l:		loop
 *
 * Return: 0 after loop_stop(), -1 with errno if epoll_wait() failed.
 */
int loop_run(struct loop *l)
{
	struct epoll_event ev[LOOP_MAX_EVENTS];
	int ret = 0;

	while (!l->stop) {
		int i, n = epoll_wait(l->epfd, ev, LOOP_MAX_EVENTS, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -1;
			break;
		}
		l->dispatching++;
		for (i = 0; i < n && !l->stop; i++) {
			struct loop_fdreg *r = ev[i].data.ptr;

			if (r->dead)
				continue;
			r->cb(l, r->fd, ev[i].events, r->arg);
		}
		l->dispatching--;
		if (!l->dispatching)
			reap_zombies(l);
	}
	l->stop = false;
	return ret;
}

/**
 * loop_stop() - make loop_run() return after the current callback
 * @l:		loop
 */
void loop_stop(struct loop *l)
{
	l->stop = true;
}
