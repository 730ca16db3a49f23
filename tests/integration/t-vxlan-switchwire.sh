#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-vxlan-switchwire.sh - the switch's own VTEP (vde_switch --vxlan) on the
# wire against a kernel VTEP, as t-vxlan-wire.sh checks vxlan://:
#  - flow entropy with batched sends (sendmmsg, UDP GSO): 64 UDP flows from
#    h2 leave from several outer source ports, one flow (10 pings) from one;
#    a 4 MiB TCP stream from h2 (GSO datagrams) leaves from one port too;
#  - /mtu=1500: larger frames are dropped and counted both ways (tx_big,
#    drop_big in port/stats), 1500-byte frames still cross.
# Layout: kernel vxlan0 + br0 + h1 (192.168.81.1) in k; in o,
# `vde_switch --vxlan vxlan://10.99.0.1/vni=42 -t tap0`, tap0 in h2.
TEST_TIMEOUT=${TEST_TIMEOUT:-240}
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/tap-lib.sh"
. "$top_srcdir/tests/integration/vxlan-lib.sh"
. "$top_srcdir/tests/integration/switch-common.sh"
need_root

kernel_and_switch 81 w

# ports PKTS: listen on the kernel side until PKTS VXLAN packets; sets pk np
ports_start() {
	rm -f "$TMP/sp" "$TMP/sp.ready"
	spawn "sp$1.log" n k $FRAMES sports uk 10.99.0.2 "$TMP/sp" "$TMP/sp.ready" "$1"
	wait_for test -e "$TMP/sp.ready" || fail "port listener"
}
ports_read() {
	WAIT_SECS=30 wait_for test -s "$TMP/sp" || fail "the kernel side saw no VXLAN packets ($1)"
	read -r pk np <"$TMP/sp"
}
# 64 flows, 32 packets wanted: frames of flows that hash to one socket may
# share a GSO datagram, which the capture sees as one packet
ports_start 32
n h2 $FRAMES udpflows 192.168.81.1 9 64 || fail "udp flows"
ports_read "udp flows"
echo "# 64 flows: $pk packets from $np outer source ports"
[ "$np" -ge 4 ] || fail "64 flows left from only $np source port(s)"
ports_start 10
n h2 ping -c 10 -i 0.05 -W 2 192.168.81.1 >/dev/null || fail "pings"
ports_read pings
[ "$np" = 1 ] || fail "one flow (10 pings) left from $np source ports"
ports_start 50
tcp_check h2 h1 192.168.81.1 tcp
ports_read tcp
echo "# TCP: $pk packets from $np outer source ports; $(body w port/stats | grep endpoint)"
[ "$np" = 1 ] || fail "one TCP flow left from $np source ports"
[ "$(swstat w tx_gso)" -ge 1 ] || fail "the TCP stream made no GSO datagram"
stop_sw w
pass "source port varies per inner flow, not within one (pings, a GSO-sent TCP stream)"

sw_vtep m o "vxlan://10.99.0.1/vni=42/mtu=1500" h2 192.168.81.2
ipn h2 link set tap0 mtu 9000
ipn k link set uk mtu 9100 && ipn o link set uo mtu 9100 || fail "underlay mtu"
ipn k link set vxlan0 mtu 9000 && ipn k link set hk mtu 9000 && ipn k link set br0 mtu 9000 &&
	ipn h1 link set eth0 mtu 9000 || fail "overlay mtu"
reach h2 192.168.81.1 || fail "no ping with /mtu=1500"
n h2 ping -c 2 -i 0.2 -W 5 -M do -s 1472 192.168.81.1 >/dev/null || fail "1500-byte packets lost"
n h2 ping -c 2 -i 0.2 -W 1 -M do -s 4000 192.168.81.1 >/dev/null && fail "4028-byte packets crossed /mtu=1500"
n h1 ping -c 2 -i 0.2 -W 1 -M do -s 4000 192.168.81.2 >/dev/null && fail "4028-byte packets crossed /mtu=1500 inbound"
[ "$(swstat m tx_big)" -ge 2 ] || fail "tx_big $(swstat m tx_big), want >= 2"
[ "$(swstat m drop_big)" -ge 2 ] || fail "drop_big $(swstat m drop_big), want >= 2"
stop_sw m
pass "/mtu=1500: larger frames dropped and counted both ways"
