/* SPDX-License-Identifier: GPL-2.0-or-later */
/* switch/observe.h - the data path's observers: capture ports (capture.h)
 * and the built-in plugins (plugins.h)
 *
 * epcore.c calls obs_rx() for every frame it accepts from an endpoint,
 * before forwarding, and obs_tx() for every frame it sends to a port. Each
 * costs one test per frame while nobody observes.
 */
#ifndef VDEKIT_SWITCH_OBSERVE_H
#define VDEKIT_SWITCH_OBSERVE_H

#include "switch.h"
#include "capture.h"
#include "plugins.h"

static inline void obs_rx(struct sw *sw, unsigned port, const uint8_t *frame, size_t len)
{
	if (sw->capture.n)
		capture_rx(sw, port, frame, len);
	if (sw->plugins.rx)
		plugins_rx(sw, port, frame, len);
}

/* Whether obs_tx() has anybody to call (for work done only for them). */
static inline bool obs_tx_wanted(const struct sw *sw)
{
	return sw->capture.n || sw->plugins.tx;
}

static inline void obs_tx(struct sw *sw, unsigned port, const uint8_t *frame, size_t len)
{
	if (sw->capture.n)
		capture_tx(sw, port, frame, len);
	if (sw->plugins.tx)
		plugins_tx(sw, port, frame, len);
}

#endif
