/* SPDX-License-Identifier: GPL-2.0-or-later */
/* switch/portrate.h - per-port live rates for port/stats: a one-second
 * timer samples every port's counters into a struct rate (rate.h); the
 * data path does nothing more. */
#ifndef VDEKIT_SWITCH_PORTRATE_H
#define VDEKIT_SWITCH_PORTRATE_H

#include <stdbool.h>
#include <stdint.h>

#include "rate.h"

#define PORTRATE_TICK_NS	1000000000ULL

struct sw;

struct portrate {
	struct rate *r;			/* one per port slot */
	unsigned n;
	long timer;
};

/* portrate_start() - take a first sample and start the timer. 0 or -1. */
int portrate_start(struct sw *sw);

/* portrate_stop() - stop the timer and free the samples. */
void portrate_stop(struct sw *sw);

/* portrate_get() - rates of @port over @win_ns (false: not known yet). */
bool portrate_get(const struct sw *sw, unsigned port, uint64_t win_ns, double out[RATE_NVAL]);

#endif
