/* SPDX-License-Identifier: GPL-2.0-or-later */
/* switch/swdir.h - the switch directory (-s DIR): creation and removal */
#ifndef VDEKIT_SWITCH_SWDIR_H
#define VDEKIT_SWITCH_SWDIR_H

struct sw;

/**
 * swdir_init() - create sw->ctl_dir (mode sw->dirmode, group sw->group)
 * unless it exists, make it absolute and set sw->ctl_path to DIR/ctl
 * Return: 0, or -1 after logging why.
 */
int swdir_init(struct sw *sw);

/* swdir_remove_stale() - remove data sockets NNN.FD a dead switch left. */
void swdir_remove_stale(struct sw *sw);

/* swdir_cleanup() - remove the directory if we created DIR/ctl and it is
 * empty now; free the absolute path. Safe before swdir_init(). */
void swdir_cleanup(struct sw *sw);

#endif
