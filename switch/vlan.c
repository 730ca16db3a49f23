// SPDX-License-Identifier: GPL-2.0-or-later
/* switch/vlan.c - VLAN configuration (the vlan/ commands, port/setvlan) and ingress
 *
 * Theory of operation: VDE 2 kept one bitmap per VLAN with both untagged
 * and tagged members, a port being "tagged" in VLAN V when its untagged
 * VLAN is not V. We keep the untagged VLAN and a tagged bitmap per port,
 * never setting the tagged bit of a port's untagged VLAN, which gives the
 * same observable results: vlan/addport to the untagged VLAN is a no-op
 * and moving the untagged VLAN away drops the membership entirely.
 */
#include "config.h"

#include "vlan.h"

#include <errno.h>

#include "ether.h"

static void bit_set(uint64_t *b, unsigned i, bool v)
{
	if (v)
		b[i / 64] |= 1ULL << (i % 64);
	else
		b[i / 64] &= ~(1ULL << (i % 64));
}

int vlan_create(struct port_table *pt, long long vid)
{
	if (vid < 1 || vid > VLAN_MAX_CREATE)
		return EINVAL;
	if (vlan_exists(pt, vid))
		return EEXIST;
	bit_set(pt->vlans, (unsigned)vid, true);
	return 0;
}

int vlan_remove(struct port_table *pt, long long vid)
{
	unsigned p;
	int r = 0;

	if (vid < 0 || vid >= VLAN_NONE) {
		r = EINVAL;
		goto out;
	}
	if (!vlan_exists(pt, vid)) {
		r = ENXIO;
		goto out;
	}
	for (p = 0; p < pt->nslots; p++) {
		const struct port *pp = &pt->v[p];

		if (pp->exists && (pp->untagged_vlan == vid ||
				   ((pp->tagged[vid / 64] >> (vid % 64)) & 1))) {
			r = EADDRINUSE;
			goto out;
		}
	}
	bit_set(pt->vlans, (unsigned)vid, false);
out:
	return r;
}

static int vlan_port_check(const struct port_table *pt, long long vid, long long port)
{
	if (port < 0 || port >= pt->nslots || vid < 0 || vid > VLAN_MAX_CREATE)
		return EINVAL;
	if (!pt->v[port].exists || !vlan_exists(pt, vid))
		return ENXIO;
	return 0;
}

int vlan_addport(struct port_table *pt, long long vid, long long port)
{
	int r = vlan_port_check(pt, vid, port);

	if (!r && pt->v[port].untagged_vlan != vid)
		bit_set(pt->v[port].tagged, (unsigned)vid, true);
	return r;
}

int vlan_delport(struct port_table *pt, long long vid, long long port)
{
	int r = vlan_port_check(pt, vid, port);

	if (r)
		goto out;
	if (pt->v[port].untagged_vlan == vid) {
		r = EADDRINUSE;
		goto out;
	}
	bit_set(pt->v[port].tagged, (unsigned)vid, false);
out:
	return r;
}

int vlan_setport(struct port_table *pt, long long port, long long vid)
{
	int r = 0;

	if (port < 0 || port >= pt->nslots) {
		r = EINVAL;
		goto out;
	}
	if (!pt->v[port].exists || (vid != VLAN_NONE && !vlan_exists(pt, vid))) {
		r = ENXIO;
		goto out;
	}
	if (vid != VLAN_NONE)
		bit_set(pt->v[port].tagged, (unsigned)vid, false);
	pt->v[port].untagged_vlan = (uint16_t)vid;
out:
	return r;
}

bool vlan_ingress(const struct port *in, const uint8_t *frame, size_t len, uint16_t *vid,
		  bool *tagged)
{
	bool ok = false;

	*tagged = eth_is_tagged(frame);
	if (*tagged) {
		if (len < ETH_HDRLEN + VLAN_TAGLEN)
			goto out;
		*vid = eth_tci(frame) & 0x0fff;
	} else {
		*vid = in->untagged_vlan;
	}
	ok = port_vlan_member(in, *vid);
out:
	return ok;
}
