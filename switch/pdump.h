/* SPDX-License-Identifier: GPL-2.0-or-later */
/* switch/pdump.h - VDE 2's pdump plugin, built in: every frame the switch
 * receives and sends, into a pcap file (plugins.h loads it) */
#ifndef VDEKIT_SWITCH_PDUMP_H
#define VDEKIT_SWITCH_PDUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sw;
struct pdump;

/* pdump_load() / pdump_unload() - plugin/add, plugin/del. 0 or an errno value. */
int pdump_load(struct sw *sw);
void pdump_unload(struct sw *sw);

/* pdump_active() - pdump/active 1 and a file open. */
bool pdump_active(const struct pdump *pd);

/* pdump_frame() - record one frame (received or sent) if active. */
void pdump_frame(struct sw *sw, const uint8_t *frame, size_t len);

#endif
