#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/t-switch-fstp-mixed.sh - fast spanning tree with
# Debian's vde_switch -F (VDE 2.3.2): rings of three mixing its switches
# and ours (one tree, no storm, full reachability, re-convergence after a
# cut, time printed; the second ring in VLAN 10, tagged on the cables), a
# pair joined by two cables plus a loop cable, the same BPDU bytes from
# both for a new port (untagged and tagged) and the same fstp/ console
# output (ages masked; VDE 2 prints role=Unknown for tagged ports, we
# print the role).
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/fstp-lib.sh"
[ -x "$DEB_SWITCH" ] || fail "$DEB_SWITCH missing: install Debian's vde2 (quickstart does)"

mkdir "$TMP/r1" "$TMP/r2" "$TMP/p1" || fail "mkdir"
$RING "$TMP/r1" deb ours deb || fail "ring deb/ours/deb (the root Debian's)"
$RING "$TMP/r2" ours deb ours 10 || fail "ring ours/deb/ours in VLAN 10 (root ours)"
$RING pair "$TMP/p1" deb ours || fail "VDE 2 and ours, two cables, a loop cable on VDE 2"

fstp_switch deb "$DEB_SWITCH" -F --macaddr 02:00:00:00:00:0a --priority 0x1234
fstp_probe deb
fstp_switch ours "$VDE_SWITCH" -F --macaddr 02:00:00:00:00:0a --priority 0x1234
fstp_probe ours
sed -i 's/\(tagged=1 .*\)role=Unknown$/\1role=Designated/' "$TMP/deb.console"
diff -u "$TMP/deb.console" "$TMP/ours.console" || fail "fstp console differs from VDE 2's"
pass "fstp with VDE 2"
