#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-tap-vlan.sh - VLAN isolation with real hosts (issue 5): four network
# namespaces, each with a vde_plug2tap on one of our switches: h1 and h2
# on access ports of VLAN 10, h3 on an access port of VLAN 20 with an
# address in the same IP subnet (so only the switch can keep it apart),
# h4 on a port tagged in VLAN 10 with a Linux VLAN subinterface tap0.10
# (on a kernel without 802.1Q, CONFIG_VLAN_8021Q unset, vlanhost.py plays
# that subinterface: an IPv4 host sending and receiving VLAN 10 tagged
# frames on tap0 through a packet socket). Pings work within VLAN 10,
# also to and from the tagged host; they fail across VLANs both ways; no
# broadcast leaks: h3's tap receives not a single frame, h3's ARP requests
# leave no trace in the other hosts' neighbour tables, the tagged host
# never sees a VLAN 20 frame; the switch counts nothing sent to port 3.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/tap-lib.sh"
. "$top_srcdir/tests/integration/switch-common.sh"
need_root
bin vde_plug2tap >/dev/null
TEST_TIMEOUT=${TEST_TIMEOUT:-90}
NET=10.88.10

mkns h1 h2 h3 h4
start_switch sw
for c in "vlan/create 10" "vlan/create 20" "port/create 1" "port/create 2" "port/create 3" \
	 "port/create 4" "port/setvlan 1 10" "port/setvlan 2 10" "port/setvlan 3 20" \
	 "vlan/addport 10 4"; do
	[ "$(status sw "$c")" = "1000 Success" ] || fail "$c: $(mgmt sw "$c")"
done
for i in 1 2 3 4; do
	spawn "h$i.log" n "h$i" vde_plug2tap -s "$TMP/sw" -p "$i" tap0
done
tap_up h1 tap0 "$NET.1"
tap_up h2 tap0 "$NET.2"
tap_up h3 tap0 "$NET.3"
WAIT_SECS=10 wait_for ipn h4 link show tap0 || fail "tap0 did not appear in h4"
ipn h4 link set tap0 up || fail "h4 tap0 up"
WAIT_SECS=10 wait_for eval "[ \"\$(body sw port/print | grep -c '^Port 000[1-4] ')\" = 4 ]" ||
	fail "not every host attached: $(body sw port/print)"
reach h1 "$NET.2" || fail "no ping h1 -> h2 (VLAN 10)"
if ipn h4 link add link tap0 name tap0.10 type vlan id 10 2>/dev/null; then
	KVLAN=1
	ipn h4 addr add "$NET.4/24" dev tap0.10 || fail "address on h4/tap0.10"
	ipn h4 link set tap0.10 up || fail "h4 tap0.10 up"
	reach h4 "$NET.2" || fail "no ping h4 -> h2 (tagged -> access)"
	reach h4 "$NET.1" || fail "no ping h4 -> h1 (tagged -> access)"
else
	KVLAN=0
	command -v python3 >/dev/null || skip "no 802.1Q in the kernel and no python3"
	echo "no 802.1Q in this kernel: vlanhost.py is h4's tap0.10"
	spawn h4host.log n h4 python3 "$top_srcdir/tests/integration/vlanhost.py" tap0 10 \
		"$NET.4" --ping "$NET.2" --ping "$NET.1" --noreach "$NET.3" --until "$TMP/h4-stop"
	H4=$LASTPID
	WAIT_SECS=40 wait_for eval "grep -q '^noreach' '$TMP/h4host.log' || ! kill -0 $H4" ||
		fail "vlanhost.py: $(cat "$TMP/h4host.log")"
	grep -qx "ping $NET.2 ok" "$TMP/h4host.log" &&
		grep -qx "ping $NET.1 ok" "$TMP/h4host.log" ||
		fail "no ping h4 -> h1, h2 (tagged -> access): $(cat "$TMP/h4host.log")"
	grep -qx "noreach $NET.3 ok" "$TMP/h4host.log" ||
		fail "h4 (tagged VLAN 10) reached h3 (VLAN 20): $(cat "$TMP/h4host.log")"
fi
reach h1 "$NET.4" || fail "no ping h1 -> h4 (access -> tagged)"
n h2 ping -c 3 -i 0.2 -W 5 "$NET.4" >"$TMP/ping.out" ||
	fail "pings h2 -> h4 lost: $(cat "$TMP/ping.out")"
pass "pings within VLAN 10, through the tagged port too"

# across VLANs: every direction fails (bounded: -w 2), in parallel
PP=()
PAIRS=("h1 $NET.3" "h2 $NET.3" "h3 $NET.1" "h3 $NET.2" "h3 $NET.4")
[ "$KVLAN" = 1 ] && PAIRS+=("h4 $NET.3")
for pair in "${PAIRS[@]}"; do
	set -- $pair
	n "$1" ping -c 2 -i 0.3 -w 2 "$2" >"$TMP/x-$1-$2.out" 2>&1 &
	PP+=("$!:$1 -> $2")
done
for p in "${PP[@]}"; do
	wait "${p%%:*}" && fail "ping ${p#*:} crossed from one VLAN to the other"
done
pass "no ping between VLAN 10 and VLAN 20"

# no broadcast leak: h3's tap got nothing at all, h3's ARP requests for
# .1, .2 and .4 reached nobody (an ARP request for its own address makes
# Linux learn the sender), the others' ARP requests never reached h3
rx3=$(n h3 cat /sys/class/net/tap0/statistics/rx_packets)
[ "$rx3" = 0 ] || fail "h3 (VLAN 20) received $rx3 frames from VLAN 10"
rx1=$(n h1 cat /sys/class/net/tap0/statistics/rx_packets)
[ "$rx1" -gt 0 ] || fail "h1 rx counter does not count"
tx3=$(n h3 cat /sys/class/net/tap0/statistics/tx_packets)
[ "$tx3" -ge 3 ] || fail "h3 sent only $tx3 frames: the ARP requests were not sent"
for h in h1 h2 h4; do
	nb=$(ipn "$h" neigh show "$NET.3")
	[[ "$nb" == *lladdr* ]] && fail "$h learned h3's address from a leaked ARP request: $nb"
done
if [ "$KVLAN" = 0 ]; then
	touch "$TMP/h4-stop"
	wait_gone "$H4"
	[ "$RC" = 0 ] || fail "vlanhost.py exited $RC: $(cat "$TMP/h4host.log")"
	v=$(grep '^vlans ' "$TMP/h4host.log")
	[[ " ${v#vlans} " == *" 10:"* ]] || fail "h4 saw no VLAN 10 frame: $v"
	[[ " ${v#vlans} " == *" 20:"* ]] && fail "h4 received VLAN 20 frames: $v"
	echo "h4 received per VLAN: ${v#vlans }"
fi
S=$(body sw port/stats)
echo "$S" | grep -Eq '^Port 0003 in [1-9][0-9]* [0-9]+ out 0 0 ' ||
	fail "switch sent frames to the VLAN 20 port, or got none from it: $S"
pass "no frame from VLAN 10 reached h3 (rx 0, tx $tx3), no ARP leak"
exit 0
