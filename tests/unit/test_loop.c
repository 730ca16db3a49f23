// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_loop.c - the epoll loop: timers, fds, signals, deletion
 *
 * Timer accuracy is checked leniently (never early, and on average within
 * a few milliseconds, which holds on a loaded 2-core CI box) while the
 * sub-millisecond resolution is checked by ordering: timers 100 us apart
 * must fire in deadline order.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"
#include "tap.h"

#define US 1000ULL
#define MS 1000000ULL

/* --- timers -------------------------------------------------------------- */

struct tstate {
	struct loop *l;
	int order[32];
	int n;
	uint64_t due[32], fired[32];
	int expect;
};

struct targ {
	struct tstate *st;
	int idx;
};

static uint64_t record(struct loop *l, void *arg)
{
	struct targ *a = arg;
	struct tstate *st = a->st;

	st->fired[a->idx] = loop_now_ns();
	if (st->n < 32)
		st->order[st->n++] = a->idx;
	if (st->n == st->expect)
		loop_stop(l);
	return LOOP_NOMORE;
}

static uint64_t stop_cb(struct loop *l, void *arg)
{
	(void)arg;
	loop_stop(l);
	return LOOP_NOMORE;
}

static void test_timer_order(void)
{
	struct loop *l = loop_new();
	struct tstate st = { .l = l, .expect = 10 };
	struct targ args[10];
	/* inserted out of order; 100 us apart */
	static const int perm[10] = { 7, 2, 9, 0, 5, 3, 8, 1, 6, 4 };
	uint64_t t0 = loop_now_ns(), late_sum = 0, base = 20 * MS, slack[10];
	int i, inorder = 1, early = 0;

	for (i = 0; i < 10; i++) {
		int k = perm[i];
		uint64_t now;

		args[k].st = &st;
		args[k].idx = k;
		st.due[k] = t0 + base + (uint64_t)k * 100 * US;
		now = loop_now_ns();
		/* descheduled past the deadline already: due at once */
		if (now > st.due[k])
			st.due[k] = now;
		loop_add_timer(l, st.due[k] - now, record, &args[k]);
		/* the loop reads its own clock: its deadline for k lies in
		 * [due, due + slack] (a preemption here widens it) */
		slack[k] = loop_now_ns() - now;
	}
	loop_add_timer(l, 5000 * MS, stop_cb, NULL);	/* safety net */
	ok(loop_run(l) == 0, "timers: loop_run returns 0 after loop_stop");
	ok(st.n == 10, "timers: all 10 fired (%d)", st.n);
	for (i = 0; i < st.n; i++) {
		/* out of order for sure: the earlier one's deadline is past the
		 * latest the later one's can be */
		if (i && st.due[st.order[i - 1]] > st.due[st.order[i]] + slack[st.order[i]])
			inorder = 0;
		if (st.fired[st.order[i]] < st.due[st.order[i]])
			early++;
		else
			late_sum += st.fired[st.order[i]] - st.due[st.order[i]];
	}
	ok(inorder, "timers: 100 us apart fire in deadline order");
	ok(early == 0, "timers: none fired early");
	/* gross errors only: a loaded CI box delays every wakeup */
	ok(st.n && late_sum / (uint64_t)st.n < 1000 * MS,
	   "timers: mean lateness %llu us (< 1 s)", (unsigned long long)(late_sum / (uint64_t)(st.n ? st.n : 1) / US));
	loop_free(l);
}

static uint64_t fired_at(struct loop *l, void *arg)
{
	*(uint64_t *)arg = loop_now_ns();
	loop_stop(l);
	return LOOP_NOMORE;
}

/* Sub-millisecond resolution: a 200 us timer, best of up to 200 tries,
 * must fire less than 1 ms late. A millisecond-granular implementation
 * (epoll timeout) never can; a loaded scheduler gets it right at least
 * once in a while. */
static void test_timer_resolution(void)
{
	struct loop *l = loop_new();
	uint64_t best = UINT64_MAX;
	int i;

	for (i = 0; i < 200 && best >= 1 * MS; i++) {
		uint64_t t0 = loop_now_ns(), t1 = 0;

		loop_add_timer(l, 200 * US, fired_at, &t1);
		loop_run(l);
		if (t1 >= t0 + 200 * US && t1 - t0 - 200 * US < best)
			best = t1 - t0 - 200 * US;
	}
	ok(best < 1 * MS, "timers: 200 us timer best lateness %llu us after %d tries (< 1 ms)",
	   (unsigned long long)(best / US), i);
	loop_free(l);
}

struct periodic {
	int count;
	long id;
	uint64_t last, min_gap;
};

static uint64_t periodic_cb(struct loop *l, void *arg)
{
	struct periodic *p = arg;
	uint64_t now = loop_now_ns();

	if (p->last && now - p->last < p->min_gap)
		p->min_gap = now - p->last;
	p->last = now;
	if (++p->count == 5) {
		loop_stop(l);
		return LOOP_NOMORE;
	}
	return 1 * MS;
}

static uint64_t zero_cb(struct loop *l, void *arg)
{
	int *n = arg;

	(void)l;
	(*n)++;
	return 0;			/* due again at once: must not starve others */
}

static uint64_t self_delete(struct loop *l, void *arg)
{
	struct periodic *p = arg;

	p->count++;
	loop_del_timer(l, p->id);	/* delete myself, then ask for more */
	return 1 * MS;
}

static uint64_t self_rearm(struct loop *l, void *arg)
{
	struct periodic *p = arg;

	p->count++;
	if (p->count == 1)
		loop_timer_rearm(l, p->id, 1 * MS);	/* overrides LOOP_NOMORE */
	return LOOP_NOMORE;
}

struct killer {
	long victim;
	int fired;
};

static uint64_t kill_other(struct loop *l, void *arg)
{
	struct killer *k = arg;

	k->fired++;
	loop_del_timer(l, k->victim);
	return LOOP_NOMORE;
}

static uint64_t must_not_run(struct loop *l, void *arg)
{
	int *ran = arg;

	(void)l;
	(*ran)++;
	return LOOP_NOMORE;
}

static void test_timer_lifecycle(void)
{
	struct loop *l = loop_new();
	struct periodic p = { .min_gap = UINT64_MAX };
	struct periodic sd = { 0 }, sr = { 0 };
	struct killer k = { 0 };
	int zeros = 0, ran = 0;
	long zid, id;

	loop_add_timer(l, 1 * MS, periodic_cb, &p);
	zid = loop_add_timer(l, 0, zero_cb, &zeros);
	sd.id = loop_add_timer(l, 0, self_delete, &sd);
	sr.id = loop_add_timer(l, 0, self_rearm, &sr);
	/* same deadline: the killer is queued first so it runs first */
	k.victim = -1;
	id = loop_add_timer(l, 2 * MS, kill_other, &k);
	k.victim = loop_add_timer(l, 2 * MS, must_not_run, &ran);
	ok(id > 0 && k.victim > id, "timers: ids are positive and increasing");
	loop_run(l);
	ok(p.count == 5, "timers: periodic timer ran 5 times");
	ok(p.min_gap >= 1 * MS, "timers: periodic gap >= 1 ms (min %llu us)",
	   (unsigned long long)(p.min_gap / US));
	ok(zeros >= 5, "timers: a 0-delay timer runs once per round without starving (%d)", zeros);
	ok(sd.count == 1, "timers: a timer that deleted itself ran once");
	ok(sr.count == 2, "timers: loop_timer_rearm from its own callback re-queues it");
	ok(k.fired == 1 && ran == 0, "timers: a timer deleted by another before its turn never runs");
	loop_del_timer(l, zid);
	loop_del_timer(l, zid);			/* unknown id: no-op */
	ok(loop_timer_rearm(l, zid, 1) == -1, "timers: rearm of a deleted id fails");

	/* rearm moves a far timer near */
	{
		struct periodic q = { .min_gap = UINT64_MAX };
		long qid = loop_add_timer(l, 3600000 * MS, stop_cb, &q);
		uint64_t t0 = loop_now_ns();

		ok(loop_timer_rearm(l, qid, 1 * MS) == 0, "timers: rearm known id");
		loop_run(l);
		ok(loop_now_ns() - t0 < 2000 * MS, "timers: rearmed timer fired early enough");
	}
	loop_free(l);
}

/* --- fds ----------------------------------------------------------------- */

struct fdstate {
	int p1[2], p2[2];
	int reads1, reads2;
	bool del_other;
};

static void fd_cb2(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct fdstate *s = arg;
	char b[16];

	(void)l;
	(void)events;
	if (read(fd, b, sizeof(b)) > 0)
		s->reads2++;
}

static void fd_cb1(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct fdstate *s = arg;
	char b[16];

	(void)events;
	if (read(fd, b, sizeof(b)) > 0)
		s->reads1++;
	if (s->del_other) {
		/* both fds are ready in this batch: delete the other one and
		 * re-add the same fd number with a new callback state */
		loop_del_fd(l, s->p2[0]);
		loop_del_fd(l, fd);		/* and myself */
	}
	loop_stop(l);
}

static void test_fds(void)
{
	struct loop *l = loop_new();
	struct fdstate s = { .del_other = false };

	if (pipe(s.p1) < 0 || pipe(s.p2) < 0) {
		ok(0, "pipe");
		return;
	}
	ok(loop_add_fd(l, s.p1[0], EPOLLIN, fd_cb1, &s) == 0, "fd: add");
	errno = 0;
	ok(loop_add_fd(l, s.p1[0], EPOLLIN, fd_cb1, &s) < 0 && errno == EEXIST, "fd: add twice -> EEXIST");
	ok(loop_add_fd(l, s.p2[0], EPOLLIN, fd_cb2, &s) == 0, "fd: add second");
	if (write(s.p1[1], "x", 1) != 1)
		ok(0, "write");
	loop_run(l);
	ok(s.reads1 == 1, "fd: readable event delivered");

	/* EPOLLOUT via mod */
	ok(loop_mod_fd(l, s.p1[0], 0) == 0, "fd: mod");
	errno = 0;
	ok(loop_mod_fd(l, 999, EPOLLIN) < 0 && errno == ENOENT, "fd: mod unknown -> ENOENT");

	/* deletion during dispatch: both fds ready in one batch */
	ok(loop_mod_fd(l, s.p1[0], EPOLLIN) == 0, "fd: mod back");
	s.del_other = true;
	if (write(s.p1[1], "y", 1) != 1 || write(s.p2[1], "z", 1) != 1)
		ok(0, "write");
	s.reads1 = s.reads2 = 0;
	/* whichever runs first: fd_cb1 stops the loop; if fd_cb2 ran first
	 * it just read. If fd_cb1 ran first, fd_cb2 must not run. */
	loop_run(l);
	ok(s.reads1 == 1, "fd: first callback ran");
	errno = 0;
	ok(loop_del_fd(l, s.p2[0]) < 0 && errno == ENOENT, "fd: deleted during dispatch");
	ok(loop_del_fd(l, s.p1[0]) < 0 && errno == ENOENT, "fd: deleted itself during dispatch");
	/* re-add works after deletion */
	s.del_other = false;
	ok(loop_add_fd(l, s.p2[0], EPOLLIN, fd_cb1, &s) == 0, "fd: re-add a deleted fd");
	{
		/* p2 still holds "z" if fd_cb2 did not read it; else time out */
		long safety = loop_add_timer(l, 200 * MS, stop_cb, NULL);

		loop_run(l);
		loop_del_timer(l, safety);
	}
	ok(s.reads1 + s.reads2 == 2, "fd: no byte lost, none read twice");
	close(s.p1[0]); close(s.p1[1]); close(s.p2[0]); close(s.p2[1]);
	loop_free(l);
}

/* Stress: many fds ready in one batch, each callback deletes a random other
 * one and itself; ASan catches any use after free. */
struct many {
	struct loop *l;
	int fds[40][2];
	int calls;
};

static struct many mst;

static void many_cb(struct loop *l, int fd, uint32_t events, void *arg)
{
	int idx = (int)(long)arg, other = (idx * 7 + 3) % 40;
	char b[4];

	(void)events;
	if (read(fd, b, sizeof(b)) < 0)
		return;
	mst.calls++;
	loop_del_fd(l, mst.fds[other][0]);
	loop_del_fd(l, fd);
	if (other != idx)	/* re-add the other one: a new record, same fd */
		loop_add_fd(l, mst.fds[other][0], EPOLLIN, many_cb, (void *)(long)other);
}

static uint64_t many_stop(struct loop *l, void *arg)
{
	(void)arg;
	loop_stop(l);
	return LOOP_NOMORE;
}

static void test_many(void)
{
	struct loop *l = loop_new();
	int i;

	mst.l = l;
	for (i = 0; i < 40; i++) {
		if (pipe(mst.fds[i]) < 0)
			return;
		loop_add_fd(l, mst.fds[i][0], EPOLLIN, many_cb, (void *)(long)i);
		if (write(mst.fds[i][1], "q", 1) != 1)
			return;
	}
	loop_add_timer(l, 200 * MS, many_stop, NULL);
	loop_run(l);
	ok(mst.calls >= 1 && mst.calls <= 40, "fd: 40 ready fds deleting each other: %d callbacks, no crash",
	   mst.calls);
	for (i = 0; i < 40; i++) {
		close(mst.fds[i][0]);
		close(mst.fds[i][1]);
	}
	loop_free(l);
}

/* --- signals ------------------------------------------------------------- */

static void sig_cb(struct loop *l, int signo, void *arg)
{
	int *got = arg;

	*got = signo;
	loop_stop(l);
}

static uint64_t send_signal(struct loop *l, void *arg)
{
	(void)l;
	(void)arg;
	kill(getpid(), SIGUSR1);
	return LOOP_NOMORE;
}

static void test_signals(void)
{
	struct loop *l = loop_new();
	sigset_t set, cur;
	int got = 0, got2 = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	ok(loop_add_signals(l, &set, sig_cb, &got) == 0, "signal: add SIGUSR1");
	sigprocmask(SIG_BLOCK, NULL, &cur);
	ok(sigismember(&cur, SIGUSR1) == 1, "signal: SIGUSR1 blocked");
	loop_add_timer(l, 1 * MS, send_signal, NULL);
	loop_run(l);
	ok(got == SIGUSR1, "signal: delivered through signalfd");

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	ok(loop_add_signals(l, &set, sig_cb, &got2) == 0, "signal: add SIGUSR2 later");
	kill(getpid(), SIGUSR2);
	loop_run(l);
	ok(got2 == SIGUSR2, "signal: second set delivered too");
	loop_signals_restore(l);
	sigprocmask(SIG_BLOCK, NULL, &cur);
	ok(sigismember(&cur, SIGUSR1) == 0 && sigismember(&cur, SIGUSR2) == 0,
	   "signal: loop_signals_restore restores the mask");
	sigprocmask(SIG_BLOCK, &set, NULL);
	loop_free(l);
}

/* A stop signal during the cleanup after loop_free() stays pending: it
 * cannot kill the process half way (before the fix, loop_free() unblocked
 * the loop's signals and a pending SIGTERM ended the process there). */
static void test_signals_free(void)
{
	struct loop *l = loop_new();
	sigset_t set, cur, pend;
	struct timespec zero = { 0, 0 };

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	ok(loop_add_signals(l, &set, sig_cb, NULL) == 0, "signal-free: add SIGTERM");
	kill(getpid(), SIGTERM);	/* pending, never read by the loop */
	loop_free(l);			/* would die here with SIGTERM */
	kill(getpid(), SIGTERM);	/* and here, during the cleanup */
	sigprocmask(SIG_BLOCK, NULL, &cur);
	ok(sigismember(&cur, SIGTERM) == 1, "signal-free: SIGTERM still blocked after loop_free");
	sigpending(&pend);
	ok(sigismember(&pend, SIGTERM) == 1, "signal-free: SIGTERM pending, not delivered");
	ok(sigtimedwait(&set, NULL, &zero) == SIGTERM, "signal-free: consumed");
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

int main(void)
{
	alarm(60);		/* a hang fails the test instead of blocking make check */
	test_timer_order();
	test_timer_resolution();
	test_timer_lifecycle();
	test_fds();
	test_many();
	test_signals();
	test_signals_free();
	return tap_done();
}
