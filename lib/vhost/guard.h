/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/vhost/guard.h - SIGBUS in mapped guest memory: a flag, not a crash
 *
 * A front end may shrink the file its guest memory is mapped from (a memfd
 * without seals, a file on /dev/shm) while we map it; touching a page past
 * the new end raises SIGBUS, whose default action ends the process, so one
 * guest could stop a switch that serves others. Each mapping of guest
 * memory is registered here with a flag. The first registration installs a
 * process-wide SIGBUS handler (chained to the disposition before it): a
 * fault inside a registered mapping gets private zero pages mapped from the
 * faulting page to the end of the mapping, the mapping's flag set, and the
 * access retried (it reads zeros, its writes go nowhere); the owner checks
 * the flag after each use of guest memory and drops the device. A fault
 * anywhere else goes to the previous disposition (by default the process
 * dies, as it would have without us).
 *
 * The table is only changed between guest-memory accesses, on the thread
 * that makes them (a vhost device is used from one thread).
 */
#ifndef VDEKIT_VHOST_GUARD_H
#define VDEKIT_VHOST_GUARD_H

#include <signal.h>
#include <stddef.h>

/**
 * vhost_guard_add() - watch @len bytes of guest memory mapped at @start
 * @flag:	set to 1 by the handler when a fault hits the mapping
 * Return: 0, or -1 with errno (ENOMEM, or the handler could not be set).
 */
int vhost_guard_add(void *start, size_t len, volatile sig_atomic_t *flag);

/* vhost_guard_del() - forget the mapping at @start (before munmap()). */
void vhost_guard_del(void *start);

#endif
