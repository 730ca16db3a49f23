// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_port.c - the switch port table: numbering (-n N gives
 * 1..N), allocation of "any" ports, port 0, create/remove, allocatable,
 * ACLs and the same-user rule, resize */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "endpoint.h"
#include "port.h"
#include "tap.h"

static bool in_group_7(uid_t user, gid_t gid)
{
	return user == 42 && gid == 7;
}

static struct ctl_request req(unsigned port, bool port0)
{
	struct ctl_request r;

	memset(&r, 0, sizeof(r));
	r.version = 3;
	r.port = port;
	r.type = port0 ? CTL_REQ_NEW_PORT0 : CTL_REQ_NEW_CONTROL;
	strcpy(r.path, "/x");
	return r;
}

int main(void)
{
	struct port_table pt;
	struct endpoint e1, e2, e3;
	struct ctl_request r;
	unsigned p = 99;

	ok(port_table_init(&pt, 0) < 0, "0 ports refused");
	ok(port_table_init(&pt, 4) == 0 && port_numports(&pt) == 4 && pt.nslots == 5,
	   "-n 4: slots 0..4");
	r = req(0, false);
	ok(port_select(&pt, &r, 1000, NULL, &p) == 0 && p == 1, "any -> 1");
	r = req(4, false);
	ok(port_select(&pt, &r, 1000, NULL, &p) == 0 && p == 4, "explicit 4 (= N) ok");
	r = req(5, false);
	ok(port_select(&pt, &r, 1000, NULL, &p) == ENXIO, "5 > N refused");
	r = req(0xffffff, false);
	ok(port_select(&pt, &r, 1000, NULL, &p) == ENXIO, "0xffffff refused");
	r = req(3, true);
	ok(port_select(&pt, &r, 1000, NULL, &p) == 0 && p == 0, "REQ_NEW_PORT0 -> 0");

	memset(&e1, 0, sizeof(e1));
	e1.port = 1;
	e1.user = 1000;
	ok(port_ep_attach(&pt, &e1) && port_active(&pt, 1) && pt.v[1].allocatable,
	   "attach activates an allocatable slot");
	r = req(0, false);
	ok(port_select(&pt, &r, 1000, NULL, &p) == 0 && p == 2, "any skips active 1");
	r = req(1, false);
	ok(port_select(&pt, &r, 1000, NULL, &p) == 0 && p == 1, "same user joins port 1");
	ok(port_select(&pt, &r, 1001, NULL, &p) == EADDRINUSE, "other user refused on port 1");
	ok(port_select(&pt, &r, 0, NULL, &p) == EADDRINUSE, "root too (same-user rule)");
	e2 = e1;
	ok(!port_ep_attach(&pt, &e2) && pt.v[1].nep == 2, "second endpoint");
	ok(!port_ep_detach(&pt, &e1) && pt.v[1].nep == 1 && pt.v[1].eps == &e2, "detach one");
	ok(port_ep_detach(&pt, &e2) && !port_active(&pt, 1) && pt.v[1].exists,
	   "detach last: inactive, slot kept");
	ok(pt.v[1].cur_user == PORT_NOUSER, "current user cleared");

	/* create / remove / allocatable */
	ok(port_create(&pt, 2) == 0 && !pt.v[2].allocatable, "create 2: not allocatable");
	ok(port_create(&pt, 2) == EEXIST, "create 2 again: EEXIST");
	ok(port_create(&pt, 9) == ENXIO && port_create(&pt, 0) == ENXIO, "create out of range");
	r = req(0, false);
	ok(port_select(&pt, &r, 1000, NULL, &p) == 0 && p == 1, "any reuses inactive 1");
	pt.v[1].allocatable = false;
	ok(port_select(&pt, &r, 1000, NULL, &p) == 0 && p == 3, "any skips non-allocatable");
	ok(port_createauto(&pt, &p) == 0 && p == 3, "createauto -> 3");
	ok(port_createauto(&pt, &p) == 0 && p == 4, "createauto -> 4");
	ok(port_createauto(&pt, &p) == ENOSPC, "createauto: none left");
	ok(port_select(&pt, &r, 1000, NULL, &p) == ENXIO, "any: none left");
	ok(port_remove(&pt, 4) == 0 && !pt.v[4].exists, "remove 4");
	ok(port_remove(&pt, 4) == ENXIO, "remove 4 again: ENXIO");
	memset(&e3, 0, sizeof(e3));
	e3.port = 3;
	port_ep_attach(&pt, &e3);
	ok(port_remove(&pt, 3) == EADDRINUSE, "remove active: EADDRINUSE");

	/* ACLs */
	pt.v[2].acl_user = 1000;
	r = req(2, false);
	ok(port_select(&pt, &r, 1000, NULL, &p) == 0, "ACL user ok");
	ok(port_select(&pt, &r, 1001, NULL, &p) == EPERM, "ACL other user refused");
	ok(port_select(&pt, &r, 0, NULL, &p) == 0, "ACL root ok");
	pt.v[2].acl_user = PORT_NOUSER;
	pt.v[2].acl_group = 7;
	ok(port_select(&pt, &r, 42, in_group_7, &p) == 0, "ACL group member ok");
	ok(port_select(&pt, &r, 43, in_group_7, &p) == EPERM, "ACL non-member refused");
	ok(port_select(&pt, &r, 42, NULL, &p) == EPERM, "no group lookup: refused");

	/* resize */
	ok(port_table_resize(&pt, 2) == EADDRINUSE, "shrink below active 3 refused");
	port_ep_detach(&pt, &e3);
	ok(port_table_resize(&pt, 2) == 0 && port_numports(&pt) == 2, "shrink to 2");
	ok(port_table_resize(&pt, 8) == 0 && !pt.v[8].exists && pt.v[8].acl_user == PORT_NOUSER,
	   "grow to 8: fresh slots");
	ok(pt.v[2].acl_group == 7, "kept slots keep their config");
	ok(port_table_resize(&pt, 0) == EINVAL, "0 refused");
	ok(pt.v[5].untagged_vlan == 0 && port_vlan_member(&pt.v[5], 0) &&
	   !port_vlan_member(&pt.v[5], 1), "new ports: untagged VLAN 0");
	pt.v[5].tagged[0] |= 1ULL << 10;
	ok(port_vlan_member(&pt.v[5], 10) && port_vlan_tagged(&pt.v[5], 10), "tagged member");
	/* VLAN 0 removed (vlan/remove 0): a port made after it is in no VLAN */
	pt.vlans[0] &= ~1ULL;
	ok(port_create(&pt, 6) == 0 && pt.v[6].untagged_vlan == VLAN_NONE &&
	   !port_vlan_member(&pt.v[6], 0), "port/create without VLAN 0: untagged 4095");
	memset(&e3, 0, sizeof(e3));
	e3.port = 7;
	port_ep_attach(&pt, &e3);
	ok(pt.v[7].exists && pt.v[7].allocatable && pt.v[7].untagged_vlan == VLAN_NONE,
	   "a client's new port without VLAN 0: untagged 4095");
	port_ep_detach(&pt, &e3);
	pt.vlans[0] |= 1;
	ok(port_create(&pt, 8) == 0 && pt.v[8].untagged_vlan == 0, "with VLAN 0: untagged 0");
	port_table_free(&pt);
	return tap_done();
}
