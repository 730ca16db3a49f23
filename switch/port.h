/* SPDX-License-Identifier: GPL-2.0-or-later */
/* switch/port.h - the switch's port table: slots, endpoints, ACLs, counters
 *
 * Port numbering: with -n N the table has N+1 slots; port 0 is the
 * management port (REQ_NEW_PORT0 only) and ports 1..N are usable, so -n N
 * really gives N ports (VDE 2.3.2 gave N-1). A slot exists once a client
 * got it or port/create made it; it is "active" while it has endpoints.
 * Its configuration (VLAN, ACL, allocatable flag, counters) outlives the
 * endpoints. This module does no I/O: endpoints (endpoint.h) carry their
 * fds and queues, and are opened and closed by the endpoint kinds.
 */
#ifndef VDEKIT_SWITCH_PORT_H
#define VDEKIT_SWITCH_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "ctlreq.h"

#define PORT_DEF_NUMPORTS	32
#define PORT_MAX_NUMPORTS	4096
#define PORT_NOUSER		((uid_t)-1)
#define PORT_NOGROUP		((gid_t)-1)
#define VLAN_NONE		4095
#define VLAN_WORDS		(4096 / 64)

struct endpoint;			/* endpoint.h: port.c uses next, port, user */


struct port_counters {
	uint64_t in_pkts, in_bytes, out_pkts, out_bytes;
	uint64_t drop_runt, drop_oversize, drop_vlan, drop_qfull, drop_senderr;
	uint64_t drop_empty;		/* zero-length datagrams */
	/* offload super-frames (endpoint.h): received and sent whole, cut
	 * into wire frames, NEEDS_CSUM frames completed for a plain peer */
	uint64_t super_in, super_out, super_cut, csum_done;
};

struct port {
	bool exists;
	bool allocatable;		/* may be chosen for "any port" */
	unsigned nep;
	struct endpoint *eps;
	uid_t cur_user;
	uid_t acl_user;
	gid_t acl_group;
	uint16_t untagged_vlan;		/* VLAN_NONE: no untagged membership */
	uint64_t tagged[VLAN_WORDS];	/* tagged VLAN membership (vlan.h) */
	bool trunk;			/* tagged member of every VLAN (vdekit) */
	struct port_counters c;
};

struct port_table {
	struct port *v;
	unsigned nslots;		/* numports + 1 */
	bool hub;
	uint64_t vlans[VLAN_WORDS];	/* VLANs that exist (vlan/create) */
};

/* port_table_init() - @numports usable ports (1..numports). 0 or -1/errno. */
int port_table_init(struct port_table *pt, unsigned numports);
void port_table_free(struct port_table *pt);

static inline unsigned port_numports(const struct port_table *pt) { return pt->nslots - 1; }
static inline bool port_active(const struct port_table *pt, unsigned p)
{
	return p < pt->nslots && pt->v[p].nep > 0;
}

/* port_table_resize() - change numports; EADDRINUSE if a removed slot is
 * active, EINVAL for 0 or too many. Returns 0 or an errno value. */
int port_table_resize(struct port_table *pt, unsigned numports);

/* port_create() - make slot @p exist (not allocatable). 0, EEXIST, ENXIO. */
int port_create(struct port_table *pt, unsigned p);
/* port_createauto() - like port_create() on the lowest free slot >= 1;
 * stores it in *@p. 0 or ENOSPC. */
int port_createauto(struct port_table *pt, unsigned *p);
/* port_remove() - forget slot @p. 0, ENXIO, EADDRINUSE (active). */
int port_remove(struct port_table *pt, unsigned p);

/**
 * port_select() - choose the port a control request gets
 * @pt: table
 * @req: parsed request
 * @user: owner uid of the client's socket
 * @gid_member: callback telling whether @user is in group @gid (may be NULL)
 * @p: the port on success
 *
 * Port 0 for REQ_NEW_PORT0, the named port, or the lowest slot >= 1 that is
 * empty or an inactive allocatable port. Then the ACL and the same-user
 * rule for extra endpoints are checked. Does not change the table.
 * Return: 0, or ENXIO (bad/none free), EPERM (ACL), EADDRINUSE (in use by
 * another user).
 */
int port_select(const struct port_table *pt, const struct ctl_request *req, uid_t user,
		bool (*gid_member)(uid_t user, gid_t gid), unsigned *p);

/* port_acl_ok() - whether @user may open port @pp (port/setuser, setgroup). */
bool port_acl_ok(const struct port *pp, uid_t user, bool (*gid_member)(uid_t user, gid_t gid));

/* port_ep_attach() / port_ep_detach() - link an endpoint to its port (the
 * slot is created, allocatable, when it did not exist). attach returns
 * true if the port became active, detach if it became inactive. */
bool port_ep_attach(struct port_table *pt, struct endpoint *ep);
bool port_ep_detach(struct port_table *pt, struct endpoint *ep);

/* VLAN membership of a port: its untagged VLAN, its tagged VLANs, or
 * with port/settrunk every VLAN but 4095 (tagged). */
static inline bool port_vlan_tagged(const struct port *p, uint16_t vid)
{
	if (vid >= VLAN_NONE || p->untagged_vlan == vid)
		return false;
	return p->trunk || ((p->tagged[vid / 64] >> (vid % 64)) & 1);
}
static inline bool port_vlan_member(const struct port *p, uint16_t vid)
{
	return vid < VLAN_NONE && (p->untagged_vlan == vid || port_vlan_tagged(p, vid));
}

#endif
