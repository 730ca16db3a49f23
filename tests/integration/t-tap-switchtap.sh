#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-tap-switchtap.sh - vde_switch -t IF (repeatable): a switch run inside
# namespace a with taps tap0 and tap1 as endpoints, a vde_plug2tap in
# namespace b on it: pings both ways, 8972-byte pings at MTU 9000,
# port/print lists the taps with module "tuntap" and the interface name;
# deleting tap1 closes only its endpoint (the switch goes on forwarding);
# a busy tap is refused at start-up with a clear message; the switch's
# transient taps disappear when it exits.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/tap-lib.sh"
need_root
bin vde_plug2tap >/dev/null
bin vdecmd >/dev/null

mkns a b
spawn sw.log ip netns exec "$ID-a" vde_switch --nostdin -s "$TMP/sw" -M "$TMP/mgmt" -t tap0 -t tap1
PSW=$LASTPID
wait_for sock_ready "$TMP/mgmt" || fail "switch did not start"
fastpath_check "$TMP/sw"
spawn b.log ip netns exec "$ID-b" vde_plug2tap -s "$TMP/sw" tap0
tap_up a tap0 10.79.0.1
tap_up b tap0 10.79.0.2
ping_both a 10.79.0.1 b 10.79.0.2
pass "ping both ways"

jumbo_pings b 10.79.0.2 a 10.79.0.1
pass "MTU 9000"

vdecmd "$TMP/mgmt" port/print >"$TMP/ports" || fail "port/print failed"
grep -q "^  -- endpoint ID [0-9]\{4\} module tuntap      : tap0$" "$TMP/ports" ||
	fail "tap0 not in port/print: $(cat "$TMP/ports")"
grep -q "^  -- endpoint ID [0-9]\{4\} module tuntap      : tap1$" "$TMP/ports" ||
	fail "tap1 not in port/print: $(cat "$TMP/ports")"
grep -qE "module $RING_KIND +: vde_plug2tap:" "$TMP/ports" ||
	fail "plug2tap not on $RING_KIND in port/print: $(cat "$TMP/ports")"
pass "port/print shows module tuntap"

ipn a link del tap1 || fail "link del tap1"
WAIT_SECS=10 wait_for eval "! vdecmd '$TMP/mgmt' port/print | grep -q 'tuntap      : tap1'" ||
	fail "tap1 endpoint not closed"
grep -q "tap tap1: interface deleted, endpoint closed" "$TMP/sw.log" ||
	fail "no message: $(cat "$TMP/sw.log")"
kill -0 "$PSW" || fail "switch died with its tap"
n a ping -c 2 -i 0.2 -W 5 10.79.0.2 >"$TMP/ping2.out" || fail "no forwarding after tap1 went"
pass "deleted tap: endpoint closed, switch goes on"

out=$(n a vde_switch --nostdin -s "$TMP/sw2" -t tap0 2>&1) && fail "second switch on tap0 started"
[[ "$out" == *"tap tap0: Device or resource busy (the tap is in use by another process)"* ]] ||
	fail "busy message: $out"
[ -e "$TMP/sw2/ctl" ] && fail "refused switch left its ctl socket"
pass "busy tap refused: $out"

kill "$PSW"
wait_gone "$PSW"
[ "$RC" = 0 ] || fail "switch exited $RC"
ipn a link show tap0 >/dev/null 2>&1 && fail "transient tap0 survived the switch"
pass "switch exit removes its taps"
