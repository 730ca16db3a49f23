/* SPDX-License-Identifier: GPL-2.0-or-later */
/* switch/iplog.h - VDE 2's iplog plugin, built in: which IP addresses
 * appear on which port, VLAN, MAC and user (plugins.h loads it) */
#ifndef VDEKIT_SWITCH_IPLOG_H
#define VDEKIT_SWITCH_IPLOG_H

#include <stddef.h>
#include <stdint.h>

struct sw;

/* iplog_load() / iplog_unload() - plugin/add, plugin/del. 0 or an errno value. */
int iplog_load(struct sw *sw);
void iplog_unload(struct sw *sw);

/* iplog_rx() - a frame received on @port. */
void iplog_rx(struct sw *sw, unsigned port, const uint8_t *frame, size_t len);

/* iplog_port_gone() - @port closed: forget its addresses. */
void iplog_port_gone(struct sw *sw, unsigned port);

#endif
