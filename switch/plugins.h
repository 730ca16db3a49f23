/* SPDX-License-Identifier: GPL-2.0-or-later */
/* switch/plugins.h - VDE 2's switch plugins, built in: pdump, dump, iplog
 *
 * VDE 2 users load plugins from the console (`plugin/add pdump.so`, in an
 * rc file or live); vde_switch has the three plugins Debian ships built in
 * and `plugin/add` enables one by its file name, with or without ".so"
 * and any directory (/usr/lib/vde2/plugins/pdump.so, pdump). Loading
 * appends its commands and debug categories, as VDE 2 does; `plugin/del`
 * removes them. Any other name is refused (1095 Operation not supported)
 * with a log line: no file is ever loaded.
 *
 * The data path calls plugins_rx() for each frame received and
 * plugins_tx() for each frame sent to a port (observe.h), only while a
 * loaded plugin looks at frames (struct plugins.rx / .tx).
 */
#ifndef VDEKIT_SWITCH_PLUGINS_H
#define VDEKIT_SWITCH_PLUGINS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PLUGINS_N	3

struct sw;
struct pdump;
struct iplog;

struct plugins {
	unsigned order[PLUGINS_N];	/* loaded plugins, in load order */
	unsigned nloaded;
	bool rx, tx;			/* a plugin looks at received / sent frames */
	bool dump_on;			/* dump loaded and dump/active 1 */
	char *dumpline;			/* dump's line buffer (loaded) */
	struct pdump *pdump;		/* NULL unless loaded */
	struct iplog *iplog;		/* NULL unless loaded */
};

/* plugins_register() - plugin/list, plugin/add, plugin/del. 0 or -1. */
int plugins_register(struct sw *sw);

/* plugins_cleanup() - unload every plugin (switch exit). */
void plugins_cleanup(struct sw *sw);

/* plugins_update() - recompute rx / tx after a plugin changed state. */
void plugins_update(struct sw *sw);

/* plugins_rx() / plugins_tx() - a frame received on / sent to @port. */
void plugins_rx(struct sw *sw, unsigned port, const uint8_t *frame, size_t len);
void plugins_tx(struct sw *sw, unsigned port, const uint8_t *frame, size_t len);

/* plugins_port_event() - @port became active or inactive. */
void plugins_port_event(struct sw *sw, unsigned port, bool active);

#endif
