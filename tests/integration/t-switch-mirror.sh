#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-switch-mirror.sh - port mirroring on a real switch with raw clients:
# port/setmirror and port/delmirror errors; a monitor of all frames gets
# byte-exact copies of broadcast, known unicast between other ports, a
# 9000-byte frame and a tagged frame (tag as received); its own frames go
# nowhere; a source port filter copies frames received on and sent to that
# port only; a VLAN filter copies that VLAN only; counters in port/print
# and port/stats; a monitor that does not read loses copies (counted as
# drops, copies + drops = mirrored) while the real traffic loses nothing;
# after port/delmirror the port is a normal port again; port/remove ends
# a session; with -F the spanning tree sends no BPDU to a monitor.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/switch-common.sh"
command -v python3 >/dev/null || skip "needs python3"
TEST_TIMEOUT=${TEST_TIMEOUT:-90}

# hexframe DST SRC TCI|- LEN : DST SRC [8100 TCI] 88b5, then bytes 0,7,14..
PAYLOAD=$(python3 -c 'print("".join("%02x" % (i * 7 & 255) for i in range(9234)))')
hexframe() {
	local h=${1//:/}${2//:/}
	[ "$3" = - ] || h+=8100$3
	h+=88b5
	echo "$h${PAYLOAD:0:$(( $4 * 2 - ${#h} ))}"
}

ok_status() {	# ok_status CMD EXPECTED
	local got
	got=$(status sw "$1")
	[ "$got" = "$2" ] || fail "$1: got '$got', expected '$2'"
}

# phase N: let the probe run until it touches $TMP/phaseN (or dies)
phase() {
	WAIT_SECS=60 wait_for sh -c "test -e '$TMP/phase$1' || ! kill -0 $VP"
	[ -e "$TMP/phase$1" ] || { wait "$VP"; fail "probe, phase $1: $(cat "$TMP/probe.out")"; }
}

start_switch sw
# 1, 2 access VLAN 0; 3 access VLAN 10; 4 VLAN 0 untagged + 10 tagged; 5 monitor
for c in "vlan/create 10" "port/create 1" "port/create 2" "port/create 3" "port/create 4" \
	 "port/create 5" "port/setvlan 3 10" "vlan/addport 10 4"; do
	ok_status "$c" "1000 Success"
done
ok_status "port/setmirror 9" "1006 No such device or address"
ok_status "port/setmirror 5 9" "1006 No such device or address"
ok_status "port/setmirror 5 5" "1022 Invalid argument"
ok_status "port/setmirror 0" "1022 Invalid argument"
ok_status "port/setmirror 5 vlan=4095" "1022 Invalid argument"
ok_status "port/setmirror 5 vlan=x" "1022 Invalid argument"
ok_status "port/setmirror 5 1 2" "1022 Invalid argument"
ok_status "port/setmirror" "1022 Invalid argument"
ok_status "port/delmirror 5" "1006 No such device or address"
ok_status "port/setmirror 5" "1000 Success"
P=$(body sw "port/allprint 5")
echo "$P" | grep -qx ' Mirror monitor of all frames: pkts 0 bytes 0 drops 0 rxdrops 0' ||
	fail "port/allprint 5: $P"
body sw "help port" | grep -q '^port/setmirror  *N \[P|vlan=V\]' || fail "help port/setmirror"
# a session ends with its port
ok_status "port/create 6" "1000 Success"
ok_status "port/setmirror 6 vlan=10" "1000 Success"
ok_status "port/remove 6" "1000 Success"
ok_status "port/delmirror 6" "1006 No such device or address"

A=02:00:00:00:00:0a B=02:00:00:00:00:0b C=02:00:00:00:00:0c D=02:00:00:00:00:0d
M=02:00:00:00:00:0e BC=ff:ff:ff:ff:ff:ff
"$PROBE" "$TMP/sw" >"$TMP/probe.out" 2>&1 <<EOF &
open a 1
open b 2
open c 3
open d 4
open m 5
port m 5
# ---- monitor of all frames ----
# broadcast in VLAN 0 from a: b, d and the monitor, exact
sendhex a $(hexframe $BC $A - 60)
expecthex b $(hexframe $BC $A - 60)
expecthex d $(hexframe $BC $A - 60)
expecthex m $(hexframe $BC $A - 60)
none c 100
# known unicast between two other ports
sendhex b $(hexframe $A $B - 60)
expecthex a $(hexframe $A $B - 60)
expecthex m $(hexframe $A $B - 60)
none d 100
# a 9000-byte frame a -> b
sendhex a $(hexframe $B $A - 9000)
expecthex b $(hexframe $B $A - 9000)
expecthex m $(hexframe $B $A - 9000)
# tagged (VLAN 10, PCP 5) from d: c gets it untagged, the monitor as sent
sendhex d $(hexframe $BC $D a00a 100)
expecthex c $(hexframe $BC $D - 96)
expecthex m $(hexframe $BC $D a00a 100)
# the monitor's own frames go nowhere and are not copied back
sendhex m $(hexframe $BC $M - 60)
none a 200
none b 100
none d 100
none m 100
touch $TMP/phase1
wait $TMP/go2
# ---- source port 1 ----
sendhex b $(hexframe $A $B - 70)
expecthex a $(hexframe $A $B - 70)
expecthex m $(hexframe $A $B - 70)
sendhex a $(hexframe $BC $A - 80)
expecthex b $(hexframe $BC $A - 80)
expecthex d $(hexframe $BC $A - 80)
expecthex m $(hexframe $BC $A - 80)
sendhex c $(hexframe $BC $C - 60)
expecthex d $(hexframe $BC $C 000a 64)
sendhex d $(hexframe $B $D - 60)
expecthex b $(hexframe $B $D - 60)
none m 200
touch $TMP/phase2
wait $TMP/go3
# ---- VLAN 10 ----
sendhex c $(hexframe $BC $C - 90)
expecthex d $(hexframe $BC $C 000a 94)
expecthex m $(hexframe $BC $C - 90)
sendhex d $(hexframe $C $D 000a 64)
expecthex c $(hexframe $C $D - 60)
expecthex m $(hexframe $C $D 000a 64)
sendhex a $(hexframe $BC $A - 60)
expecthex b $(hexframe $BC $A - 60)
expecthex d $(hexframe $BC $A - 60)
none m 200
touch $TMP/phase3
wait $TMP/go4
# ---- a monitor that does not read loses copies, b nothing: 1500 jumbo
# frames to a itself (not forwarded, copied) overflow the monitor's
# socket (at most 8 MiB) and queue (2 MiB); then 500 frames to b ----
burst a $A $A 9000 1500
burst a $B $A 100 500
recvcount b 500 3000
recvall m 1500
touch $TMP/phase4
wait $TMP/go5
# ---- after port/delmirror: a normal VLAN 0 port ----
sendhex a $(hexframe $BC $A - 60)
expecthex b $(hexframe $BC $A - 60)
expecthex m $(hexframe $BC $A - 60)
none m 200
sendhex m $(hexframe $BC $M - 60)
expecthex a $(hexframe $BC $M - 60)
touch $TMP/phase5
EOF
VP=$!
PIDS+=($VP)

phase 1
P=$(body sw "port/print 5")
echo "$P" | grep -qx ' Mirror monitor of all frames: pkts 4 bytes 9220 drops 0 rxdrops 1' ||
	fail "counters after phase 1: $P"
ok_status "port/setmirror 5 1" "1000 Success"
body sw "port/print 5" | grep -qx ' Mirror monitor of port 0001: pkts 0 bytes 0 drops 0 rxdrops 0' ||
	fail "port/print after setmirror 5 1: $(body sw 'port/print 5')"
touch "$TMP/go2"
phase 2
S=$(body sw "port/stats")
echo "$S" | grep -qx 'Mirror to 0005 of port 0001: pkts 2 bytes 150 drops 0 rxdrops 0' ||
	fail "port/stats after phase 2: $S"
ok_status "port/setmirror 5 vlan=10" "1000 Success"
touch "$TMP/go3"
phase 3
S=$(body sw "port/stats 5")
echo "$S" | grep -qx 'Mirror to 0005 of VLAN 0010: pkts 2 bytes 154 drops 0 rxdrops 0' ||
	fail "port/stats 5 after phase 3: $S"
ok_status "port/setmirror 5" "1000 Success"
ok_status "port/resetcounter" "1000 Success"
touch "$TMP/go4"
phase 4
got=$(sed -n 's/^m received \([0-9]*\)$/\1/p' "$TMP/probe.out")
S=$(body sw "port/stats")
drops=$(echo "$S" | sed -n 's/^Mirror to 0005 of all frames: pkts 2000 bytes 13550000 drops \([0-9]*\) rxdrops 0$/\1/p')
[ -n "$got" ] && [ -n "$drops" ] || fail "burst counters: m got '$got'; $S"
[ "$drops" -gt 0 ] || fail "a monitor that does not read lost no copy? $S"
[ $((got + drops)) = 2000 ] || fail "monitor got $got, drops $drops: not 2000"
echo "$S" | grep -Eq "^Port 0005 .* qfull $drops " || fail "port 5 qfull != mirror drops: $S"
echo "$S" | grep -Eq '^Port 0002 .* qfull 0 senderr 0 ' || fail "port 2 lost frames: $S"
pass "monitor got $got copies, $drops dropped and counted; b got all 500"
ok_status "port/delmirror 5" "1000 Success"
ok_status "port/delmirror 5" "1006 No such device or address"
body sw "port/print 5" | grep -q Mirror && fail "Mirror line after delmirror"
body sw "port/stats" | grep -q Mirror && fail "Mirror line in port/stats after delmirror"
touch "$TMP/go5"
phase 5
wait "$VP" || fail "probe: $(cat "$TMP/probe.out")"

# with fast spanning tree on, a monitor gets no BPDU (a normal port does)
start_switch swf -F
for c in "port/create 1" "port/create 5" "port/setmirror 5"; do
	[ "$(status swf "$c")" = "1000 Success" ] || fail "swf $c: $(mgmt swf "$c")"
done
"$PROBE" "$TMP/swf" >"$TMP/fstp.out" 2>&1 <<EOF || fail "BPDU on the monitor: $(cat "$TMP/fstp.out")"
open m 5
open a 1
recvcount a 1 5000
none m 500
EOF
exit 0
