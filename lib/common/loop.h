/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/common/loop.h - the epoll event loop shared by every vdekit daemon
 *
 * Shaped like Redis ae: file events with a callback each, timers whose
 * callback returns the next delay (or LOOP_NOMORE), signals through
 * signalfd (handlers never run logic). Time is CLOCK_MONOTONIC in
 * nanoseconds; timers fire through one timerfd, so their resolution is
 * microseconds, not epoll's milliseconds.
 */
#ifndef VDEKIT_LOOP_H
#define VDEKIT_LOOP_H

#include <stdint.h>
#include <signal.h>
#include <sys/epoll.h>

#define LOOP_NOMORE	UINT64_MAX

struct loop;
typedef void (*loop_fd_cb)(struct loop *l, int fd, uint32_t events, void *arg);
typedef uint64_t (*loop_timer_cb)(struct loop *l, void *arg);	/* next delay ns */
typedef void (*loop_signal_cb)(struct loop *l, int signo, void *arg);

uint64_t loop_now_ns(void);			/* CLOCK_MONOTONIC */

struct loop *loop_new(void);
/* Leaves the signals of loop_add_signals() blocked, so a stop signal during
 * the caller's cleanup cannot cut it short (see loop.c). */
void loop_free(struct loop *l);
void loop_signals_restore(struct loop *l);	/* the mask from before */

int loop_add_fd(struct loop *l, int fd, uint32_t events, loop_fd_cb cb, void *arg);
int loop_mod_fd(struct loop *l, int fd, uint32_t events);
int loop_del_fd(struct loop *l, int fd);

/* Returns a timer id > 0, or -1. The callback returns the next delay in ns
 * from now, or LOOP_NOMORE to delete the timer. */
long loop_add_timer(struct loop *l, uint64_t delay_ns, loop_timer_cb cb, void *arg);
int loop_timer_rearm(struct loop *l, long id, uint64_t delay_ns);
void loop_del_timer(struct loop *l, long id);

/* Blocks the signals of @set and delivers them through a signalfd. Call it
 * after daemonize(): epoll reports a signalfd's readiness only to the
 * process that registered it, so one added before a fork stays silent.
 * They stay blocked after loop_free(); loop_signals_restore() unblocks. */
int loop_add_signals(struct loop *l, const sigset_t *set, loop_signal_cb cb, void *arg);

int loop_run(struct loop *l);			/* until loop_stop(); 0 or -1 */
void loop_stop(struct loop *l);

#endif
