// SPDX-License-Identifier: GPL-2.0-or-later
/* switch/port.c - the switch's port table: slots, allocation, ACLs
 *
 * Theory of operation: a control request is mapped to a slot by
 * port_select() (pure: it only reads the table), then ep_dgram.c opens the
 * data socket and links the endpoint with port_ep_attach(). Access control
 * follows VDE 2: a slot restricted with port/setuser or port/setgroup
 * accepts uid 0, the named user or a member of the named group; a slot that
 * already has endpoints accepts more only from the same user, so two users
 * never share a port by accident.
 */
#include "config.h"

#include "port.h"
#include "endpoint.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void port_reset(struct port *p)
{
	memset(p, 0, sizeof(*p));
	p->cur_user = PORT_NOUSER;
	p->acl_user = PORT_NOUSER;
	p->acl_group = PORT_NOGROUP;
	p->untagged_vlan = 0;
}

/* Slot @pp comes into being (port/create, a client): untagged in VLAN 0,
 * or in no VLAN once VLAN 0 was removed (vlan/remove 0, which VDE 2 also
 * accepts), so that a new port never joins a VLAN that does not exist. */
static void port_appear(const struct port_table *pt, struct port *pp, bool allocatable)
{
	pp->exists = true;
	pp->allocatable = allocatable;
	if (!(pt->vlans[0] & 1))
		pp->untagged_vlan = VLAN_NONE;
}

int port_table_init(struct port_table *pt, unsigned numports)
{
	unsigned i;
	int ret = -1;

	memset(pt, 0, sizeof(*pt));
	if (numports == 0 || numports > PORT_MAX_NUMPORTS) {
		errno = EINVAL;
		goto out;
	}
	pt->v = calloc(numports + 1, sizeof(*pt->v));
	if (!pt->v) {
		errno = ENOMEM;
		goto out;
	}
	pt->nslots = numports + 1;
	pt->vlans[0] = 1;		/* VLAN 0 exists from the start */
	for (i = 0; i < pt->nslots; i++)
		port_reset(&pt->v[i]);
	ret = 0;
out:
	return ret;
}

void port_table_free(struct port_table *pt)
{
	free(pt->v);
	pt->v = NULL;
	pt->nslots = 0;
}

int port_table_resize(struct port_table *pt, unsigned numports)
{
	struct port *nv;
	unsigned i;
	int ret = 0;

	if (numports == 0 || numports > PORT_MAX_NUMPORTS) {
		ret = EINVAL;
		goto out;
	}
	for (i = numports + 1; i < pt->nslots; i++)
		if (pt->v[i].nep) {
			ret = EADDRINUSE;
			goto out;
		}
	nv = realloc(pt->v, (numports + 1) * sizeof(*nv));
	if (!nv) {
		ret = ENOMEM;
		goto out;
	}
	pt->v = nv;
	for (i = pt->nslots; i < numports + 1; i++)
		port_reset(&pt->v[i]);
	pt->nslots = numports + 1;
out:
	return ret;
}

int port_create(struct port_table *pt, unsigned p)
{
	int ret = 0;

	if (p == 0 || p >= pt->nslots)
		ret = ENXIO;
	else if (pt->v[p].exists)
		ret = EEXIST;
	else
		port_appear(pt, &pt->v[p], false);
	return ret;
}

int port_createauto(struct port_table *pt, unsigned *p)
{
	unsigned i;
	int ret = ENOSPC;

	for (i = 1; i < pt->nslots; i++)
		if (!pt->v[i].exists) {
			ret = port_create(pt, i);
			*p = i;
			break;
		}
	return ret;
}

int port_remove(struct port_table *pt, unsigned p)
{
	int ret = 0;

	if (p >= pt->nslots || !pt->v[p].exists)
		ret = ENXIO;
	else if (pt->v[p].nep)
		ret = EADDRINUSE;
	else
		port_reset(&pt->v[p]);
	return ret;
}

bool port_acl_ok(const struct port *pp, uid_t user,
		 bool (*gid_member)(uid_t user, gid_t gid))
{
	if (pp->acl_user == PORT_NOUSER && pp->acl_group == PORT_NOGROUP)
		return true;
	if (user == 0 || (pp->acl_user != PORT_NOUSER && user == pp->acl_user))
		return true;
	return pp->acl_group != PORT_NOGROUP && gid_member && gid_member(user, pp->acl_group);
}

int port_select(const struct port_table *pt, const struct ctl_request *req, uid_t user,
		bool (*gid_member)(uid_t user, gid_t gid), unsigned *p)
{
	const struct port *pp;
	unsigned n = 0, i;
	int ret = 0;

	if (req->type == CTL_REQ_NEW_PORT0) {
		n = 0;
	} else if (req->port) {
		n = req->port;
		if (n >= pt->nslots) {
			ret = ENXIO;
			goto out;
		}
	} else {
		for (i = 1; i < pt->nslots; i++) {
			pp = &pt->v[i];
			if (!pp->exists || (!pp->nep && pp->allocatable)) {
				n = i;
				break;
			}
		}
		if (!n) {
			ret = ENXIO;
			goto out;
		}
	}
	pp = &pt->v[n];
	if (!port_acl_ok(pp, user, gid_member)) {
		ret = EPERM;
		goto out;
	}
	if (pp->nep && pp->cur_user != user) {
		ret = EADDRINUSE;
		goto out;
	}
	*p = n;
out:
	return ret;
}

bool port_ep_attach(struct port_table *pt, struct endpoint *ep)
{
	struct port *pp = &pt->v[ep->port];
	bool became_active = pp->nep == 0;

	if (!pp->exists)
		port_appear(pt, pp, true);
	ep->next = pp->eps;
	pp->eps = ep;
	pp->nep++;
	pp->cur_user = ep->user;
	return became_active;
}

bool port_ep_detach(struct port_table *pt, struct endpoint *ep)
{
	struct port *pp = &pt->v[ep->port];
	struct endpoint **link;

	for (link = &pp->eps; *link; link = &(*link)->next)
		if (*link == ep) {
			*link = ep->next;
			pp->nep--;
			break;
		}
	ep->next = NULL;
	if (pp->nep == 0)
		pp->cur_user = PORT_NOUSER;
	return pp->nep == 0;
}
