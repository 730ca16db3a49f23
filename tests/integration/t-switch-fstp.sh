#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/t-switch-fstp.sh - fast spanning tree, our switches only:
# a ring of three (no broadcast storm, full reachability, re-convergence
# after a cut, its time printed; an edge port gets no BPDU), two switches
# joined by two cables plus a cable looping on one of them, the exact
# BPDU bytes a new port gets (untagged and tagged), the fstp/ console
# commands, and hub mode excluding FSTP.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/fstp-lib.sh"

mkdir "$TMP/ring" "$TMP/pair" || fail "mkdir"
$RING "$TMP/ring" ours ours ours || fail "ring of three of our switches"
$RING pair "$TMP/pair" ours ours || fail "two switches, two cables, a loop cable"

fstp_switch one "$VDE_SWITCH" -F --macaddr 02:00:00:00:00:0a --priority 0x1234
fstp_probe one
C=$(cat "$TMP/one.console")
for want in "MAC 02:00:00:00:00:0a Priority 4660 (0x1234)" "FSTP=true" \
	"FST DATA VLAN 0000 ROOTSWITCH " " ++ root 12:34:02:00:00:00:00:0a" \
	" ++ designated ff:ff:ff:ff:ff:ff:ff:ff" \
	" ++ rootport 0000 cost 0 age N bonusport 0000 bonuscost 0" \
	" -- Port 0001 tagged=0 portcost=20000000 role=Designated" \
	" -- Port 0001 tagged=1 portcost=20000000 role=Designated" \
	" ++ rootport 0000 cost 0 age N bonusport 0001 bonuscost 5000" \
	" -- Port 0001 tagged=0 portcost=20000000 role=Edge" \
	"FST DATA VLAN 0000 ROOTSWITCH FSTP IS DISABLED" "FSTP=false" \
	"1006 No such device or address"; do
	grep -qxF -- "$want" <<<"$C" || fail "fstp console: no line '$want' in: $C"
done
[ "$(cmd one 'fstp/setedge 99 1 1')" = "1006 No such device or address" ] ||
	fail "setedge on a missing VLAN"
[ "$(cmd one 'fstp/setedge 0 1 2')" = "1022 Invalid argument" ] || fail "setedge 0 1 2"
[ "$(cmd one 'fstp/bonus 0 1')" = "1022 Invalid argument" ] || fail "bonus with 2 args"
[ "$(cmd one 'fstp/setfstp x')" = "1022 Invalid argument" ] || fail "setfstp x"
cmd one "port/sethub 1" >/dev/null
cmd one "fstp/showinfo" | grep -qx "FSTP=false" || fail "port/sethub 1 left FSTP on"
[ "$(cmd one 'fstp/setfstp 1' | head -n 1)" = "Can't use fstp in hub mode" ] ||
	fail "fstp/setfstp 1 in hub mode"

fstp_switch hub "$VDE_SWITCH" -x -F
cmd hub "fstp/showinfo" | grep -qx "FSTP=false" || fail "-x -F: FSTP on"
cmd hub "port/showinfo" | grep -qx "HUB=true" || fail "-x -F: not a hub"
pass "fstp"
