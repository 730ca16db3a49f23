// SPDX-License-Identifier: GPL-2.0-or-later
/* switch/portrate.c - per-port live rates: the sampling timer around the
 * pure rate.c (contract in portrate.h)
 *
 * Every PORTRATE_TICK_NS the counters of each port slot (in and out
 * packets and bytes, and the sum of its drop counters) are pushed into the
 * slot's history; a slot that does not exist has its history cleared, so a
 * port created again starts afresh. The table follows port/setnumports at
 * the next tick. Cost: one pass over the port table per second.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "loop.h"
#include "switch.h"
#include "portrate.h"

static void portrate_sample(struct sw *sw)
{
	struct portrate *pr = &sw->rates;
	uint64_t now = loop_now_ns(), v[RATE_NVAL];
	unsigned p;

	if (pr->n != sw->pt.nslots) {
		struct rate *r = realloc(pr->r, sizeof(*r) * sw->pt.nslots);

		if (!r)
			return;
		for (p = pr->n; p < sw->pt.nslots; p++)
			rate_reset(&r[p]);
		pr->r = r;
		pr->n = sw->pt.nslots;
	}
	for (p = 0; p < pr->n; p++) {
		const struct port *pp = &sw->pt.v[p];
		const struct port_counters *c = &pp->c;

		if (!pp->exists) {
			if (pr->r[p].n)
				rate_reset(&pr->r[p]);
			continue;
		}
		v[RATE_IN_PKTS] = c->in_pkts;
		v[RATE_IN_BYTES] = c->in_bytes;
		v[RATE_OUT_PKTS] = c->out_pkts;
		v[RATE_OUT_BYTES] = c->out_bytes;
		v[RATE_DROPS] = c->drop_runt + c->drop_oversize + c->drop_vlan + c->drop_qfull +
				c->drop_senderr + c->drop_empty;
		rate_push(&pr->r[p], now, v);
	}
}

static uint64_t portrate_cb(struct loop *l, void *arg)
{
	(void)l;
	portrate_sample(arg);
	return PORTRATE_TICK_NS;
}

/**
 * portrate_start() - see portrate.h
 */
int portrate_start(struct sw *sw)
{
	portrate_sample(sw);
	sw->rates.timer = loop_add_timer(sw->loop, PORTRATE_TICK_NS, portrate_cb, sw);
	return sw->rates.timer < 0 ? -1 : 0;
}

/**
 * portrate_stop() - see portrate.h
 */
void portrate_stop(struct sw *sw)
{
	if (sw->rates.timer > 0)
		loop_del_timer(sw->loop, sw->rates.timer);
	sw->rates.timer = 0;
	free(sw->rates.r);
	memset(&sw->rates, 0, sizeof(sw->rates));
}

/**
 * portrate_get() - see portrate.h
 */
bool portrate_get(const struct sw *sw, unsigned port, uint64_t win_ns, double out[RATE_NVAL])
{
	if (port >= sw->rates.n) {
		memset(out, 0, sizeof(double) * RATE_NVAL);
		return false;
	}
	return rate_get(&sw->rates.r[port], win_ns, out);
}
