#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-vxlan-three.sh - three VTEPs with head-end replication (issue 13): a
# kernel vxlan (namespace k, 10.99.0.1, all-zero FDB entries to the other
# two) and two of ours (o1 .2 and o2 .3: vde_switch + vde_plug
# vxlan://10.99.0.1/remote=...), on one underlay bridge. Hosts: h1 behind
# the kernel's bridge, h2 and h3 behind vde_plug2tap on our switches.
#  - broadcast from each side reaches every other host exactly once
#    (counted up to an end marker that follows the same path);
#  - unicast from h2 to h3 goes only to o2 (h1 sees none; o1 counts it
#    as unicast);
#  - aging: a MAC learnt behind o2 moves silently behind the kernel VTEP;
#    after /expire=3 s o1 floods again and the frames reach it there; its
#    first frame from there moves the entry (counter "moved").
TEST_TIMEOUT=${TEST_TIMEOUT:-240}
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/tap-lib.sh"
. "$top_srcdir/tests/integration/vxlan-lib.sh"
need_root
bin vde_plug2tap >/dev/null

mkns u k o1 o2
ipn u link add ub type bridge || fail "underlay bridge"
ipn u link set ub up
i=1
for ns in k o1 o2; do
	ipn "$ns" link add ul mtu 1600 type veth peer name "p$i" netns "$ID-u" mtu 1600 ||
		fail "veth $ns"
	ipn "$ns" addr add "10.99.0.$i/24" dev ul
	ipn "$ns" link set ul up
	ipn u link set "p$i" master ub
	ipn u link set "p$i" up
	i=$((i + 1))
done
host_ns h1 k hk 192.168.78.1
csum_off h1 eth0
kernel_vtep k hk local 10.99.0.1 dev ul dstport 4789
for r in 10.99.0.2 10.99.0.3; do
	bridge -n "$ID-k" fdb append 00:00:00:00:00:00 dev vxlan0 dst "$r" || fail "fdb $r"
done
start_sw swo1
start_sw swo2
tap_host h2 o1 "$TMP/swo1" 192.168.78.2
tap_host h3 o2 "$TMP/swo2" 192.168.78.3
our_vtep o1 o1 "vxlan://10.99.0.1/remote=10.99.0.3/vni=42/expire=3" "$TMP/swo1"
our_vtep o2 o2 "vxlan://10.99.0.1/remote=10.99.0.2/vni=42" "$TMP/swo2"
reach h2 192.168.78.1 || fail "no ping h2 -> h1"
reach h2 192.168.78.3 || fail "no ping h2 -> h3"
reach h3 192.168.78.1 || fail "no ping h3 -> h1"
pass "three VTEPs: everyone reaches everyone"

# broadcast from ours (h2) and from the kernel's side (h1): exactly once each
listen_frames h1 eth0 B2
listen_frames h3 tap0 B2
n h2 $FRAMES send tap0 ff:ff:ff:ff:ff:ff 5 B2 end || fail "send"
[ "$(got h1 eth0 B2)" = 5 ] || fail "h1 got $(got h1 eth0 B2) of 5 broadcasts from h2"
[ "$(got h3 tap0 B2)" = 5 ] || fail "h3 got $(got h3 tap0 B2) of 5 broadcasts from h2"
listen_frames h2 tap0 B1
listen_frames h3 tap0 B1
n h1 $FRAMES send eth0 ff:ff:ff:ff:ff:ff 5 B1 end || fail "send"
[ "$(got h2 tap0 B1)" = 5 ] || fail "h2 got $(got h2 tap0 B1) of 5 broadcasts from h1"
[ "$(got h3 tap0 B1)" = 5 ] || fail "h3 got $(got h3 tap0 B1) of 5 broadcasts from h1"
pass "broadcast reaches each host exactly once (ours and kernel head-end replication)"

# unicast h2 -> h3 only to o2
H3=$(macof h3 tap0)
listen_frames h1 eth0 U
listen_frames h3 tap0 U
ipn h1 link set eth0 promisc on
n h2 $FRAMES send tap0 "$H3" 20 U end || fail "send"
[ "$(got h3 tap0 U)" = 20 ] || fail "h3 got $(got h3 tap0 U) of 20 unicast frames"
[ "$(got h1 eth0 U)" = 0 ] || fail "h1 (promiscuous) saw $(got h1 eth0 U) unicast frames for h3"
ipn h1 link set eth0 promisc off
pass "unicast goes only to the learnt VTEP"

# aging: M behind o2, then silently behind k
M=02:00:00:00:77:01
n h3 $FRAMES send tap0 ff:ff:ff:ff:ff:ff 3 M3 "$M" || fail "send from M"
ipn h1 link set eth0 address "$M" || fail "h1 takes M"
listen_frames h1 eth0 A
aged() { n h2 $FRAMES send tap0 "$M" 1 A; [ "$(part h1 eth0 A)" -ge 1 ]; }
WAIT_SECS=20 wait_for aged || fail "frames for M never reached its new place"
n h2 $FRAMES send tap0 ff:ff:ff:ff:ff:ff 0 A end || fail "end marker"
got h1 eth0 A >/dev/null
listen_frames h2 tap0 M1
n h1 $FRAMES send eth0 ff:ff:ff:ff:ff:ff 1 M1 end || fail "send from M at h1"
[ "$(got h2 tap0 M1)" = 1 ] || fail "h2 did not hear M's new place"

pass "aged out: frames for a moved MAC found it behind the kernel VTEP"
stop_vtep o1
[ "$(stat o1 moved)" -ge 1 ] || fail "o1: no move counted"
[ "$(stat o1 tx_unicast)" -ge 20 ] || fail "o1: unicast not counted"
[ "$(stat o1 tx_flood)" -ge 5 ] || fail "o1: floods not counted"
pass "counters: $(cat "$TMP/o1.stats")"
