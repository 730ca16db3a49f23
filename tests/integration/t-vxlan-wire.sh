#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-vxlan-wire.sh - vxlan:// on the wire against a kernel VTEP (issue 13):
#  - flow entropy: 32 UDP flows from h2 leave our VTEP from several outer
#    source ports (the kernel side sees them), one flow from one port;
#  - jumbo frames: with an underlay of MTU 9100 and every overlay link at
#    9000, 8972-byte don't-fragment pings cross both ways;
#  - a configured /mtu=1500 drops larger frames and counts them (tx_big,
#    drop_big), while 1500-byte frames still cross.
# Layout as t-vxlan-kernel.sh: kernel vxlan0 + br0 + h1 in k, our switch,
# vde_plug vxlan:// and h2 (vde_plug2tap) on the o side.
TEST_TIMEOUT=${TEST_TIMEOUT:-240}
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/tap-lib.sh"
. "$top_srcdir/tests/integration/vxlan-lib.sh"
need_root
bin vde_plug2tap >/dev/null

kernel_and_ours 79
kernel_vtep k hk local 10.99.0.1 dev uk dstport 4789
bridge -n "$ID-k" fdb append 00:00:00:00:00:00 dev vxlan0 dst 10.99.0.2 || fail "fdb"
our_vtep w o "vxlan://10.99.0.1/vni=42" "$TMP/sw"
reach h2 192.168.79.1 || fail "no ping h2 -> h1"

# --- entropy
rm -f "$TMP/sp" "$TMP/sp.ready"
spawn sp.log n k $FRAMES sports uk 10.99.0.2 "$TMP/sp" "$TMP/sp.ready" 32
wait_for test -e "$TMP/sp.ready" || fail "port listener"
n h2 $FRAMES udpflows 192.168.79.1 9 32 || fail "udp flows"
WAIT_SECS=30 wait_for test -s "$TMP/sp" || fail "the kernel side saw no VXLAN packets"
read -r pk np <"$TMP/sp"
echo "# 32 flows: $pk packets from $np outer source ports"
[ "$np" -ge 4 ] || fail "32 flows left from only $np source port(s)"
rm -f "$TMP/sp" "$TMP/sp.ready"
spawn sp1.log n k $FRAMES sports uk 10.99.0.2 "$TMP/sp" "$TMP/sp.ready" 10
wait_for test -e "$TMP/sp.ready" || fail "port listener"
n h2 ping -c 10 -i 0.05 -W 2 192.168.79.1 >/dev/null || fail "pings"
WAIT_SECS=30 wait_for test -s "$TMP/sp" || fail "no VXLAN packets for the pings"
read -r pk np <"$TMP/sp"
[ "$np" = 1 ] || fail "one flow (10 pings) left from $np source ports"
pass "source port varies per inner flow ($pk pings: one port; 32 UDP flows: several)"

# --- jumbo frames
ipn k link set uk mtu 9100 && ipn o link set uo mtu 9100 || fail "underlay mtu"
ipn k link set vxlan0 mtu 9000 && ipn k link set hk mtu 9000 && ipn k link set br0 mtu 9000 &&
	ipn h1 link set eth0 mtu 9000 && ipn h2 link set tap0 mtu 9000 || fail "overlay mtu"
WAIT_SECS=20 wait_for n h2 ping -c 1 -W 1 -M do -s 8972 192.168.79.1 ||
	fail "no 8972-byte ping h2 -> h1"
n h1 ping -c 3 -i 0.2 -W 5 -M do -s 8972 192.168.79.2 >"$TMP/jumbo.out" ||
	fail "8972-byte pings h1 -> h2 lost: $(cat "$TMP/jumbo.out")"
pass "9000-byte frames cross both ways"
stop_vtep w
[ "$(stat w drop_big)" = 0 ] && [ "$(stat w tx_big)" = 0 ] || fail "jumbo frames counted as too big"

# --- /mtu=1500: larger frames are counted drops, smaller ones cross
our_vtep m o "vxlan://10.99.0.1/vni=42/mtu=1500" "$TMP/sw"
reach h2 192.168.79.1 || fail "no ping with /mtu=1500"
n h2 ping -c 2 -i 0.2 -W 5 -M do -s 1472 192.168.79.1 >/dev/null || fail "1500-byte packets lost"
n h2 ping -c 2 -i 0.2 -W 1 -M do -s 4000 192.168.79.1 >/dev/null && fail "4028-byte packets crossed /mtu=1500"
n h1 ping -c 2 -i 0.2 -W 1 -M do -s 4000 192.168.79.2 >/dev/null && fail "4028-byte packets crossed /mtu=1500 inbound"
stop_vtep m
[ "$(stat m tx_big)" -ge 2 ] || fail "tx_big $(stat m tx_big), want >= 2"
[ "$(stat m drop_big)" -ge 2 ] || fail "drop_big $(stat m drop_big), want >= 2"
pass "/mtu=1500: larger frames dropped and counted both ways"
