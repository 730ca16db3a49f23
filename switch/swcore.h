/* SPDX-License-Identifier: GPL-2.0-or-later */
/* switch/swcore.h - make and undo the switch without its command line
 *
 * What main.c builds for every switch, whatever its options: tables, loop,
 * topology, FSTP, the directory with DIR/ctl and DIR/.fastpath, and the
 * console with every command table. main.c adds the process around it
 * (umask, SIGPIPE, fd limit, management socket, taps, VXLAN and vhost-user
 * ports of the command line, rc file, daemon, pidfile); the console fuzz
 * harness (tests/fuzz/fuzz_switch_console.c) uses it as is.
 */
#ifndef VDEKIT_SWITCH_SWCORE_H
#define VDEKIT_SWITCH_SWCORE_H

#include <stdbool.h>
#include <stddef.h>

struct sw;

/* sw_defaults() - zero @sw and set the defaults of the options (modes,
 * groups, priority, GC interval; no MAC: the caller chooses it). */
void sw_defaults(struct sw *sw);

/* sw_core_setup() - build the switch: @numports ports, @hashsize MAC table
 * buckets, hub mode, FSTP if sw->fstp_on; sw->ctl_dir is made (or used)
 * and made absolute; @on_shutdown and @on_stdin_eof are the console's.
 * 0, or -1 after logging why; sw_core_teardown() undoes it either way. */
int sw_core_setup(struct sw *sw, unsigned numports, size_t hashsize, bool hub,
		  void (*on_shutdown)(void *ctx), void (*on_stdin_eof)(void *ctx));

/* sw_core_teardown() - undo whatever of sw_core_setup() exists (endpoints
 * and their sockets, DIR/ctl, the directory if empty, the console and its
 * sockets, the loop, the tables). */
void sw_core_teardown(struct sw *sw);

#endif
