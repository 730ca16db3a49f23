#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-switch-ctl.sh - the control protocol: port allocation (any, explicit,
# port 0, v1), reply bytes, data socket names and modes, and refusal
# without hanging for every kind of bad request; the switch keeps serving.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/switch-common.sh"

start_switch sw -n 8

# directory and socket modes (defaults 02700 / 0600)
[ "$(stat -c %a "$TMP/sw")" = 2700 ] || fail "ctl dir mode $(stat -c %a "$TMP/sw")"
[ "$(stat -c %a "$TMP/sw/ctl")" = 600 ] || fail "ctl mode $(stat -c %a "$TMP/sw/ctl")"
[ "$(stat -c %a "$TMP/sw.mgmt")" = 600 ] || fail "mgmt mode"

OUT=$(probe sw <<EOF2
open a 0 descr=first
port a 1
open b 0
port b 2
open c 8
port c 8
open z 0 port0
port z 0
open v 0 v1 descr=legacy
port v 3
# beyond -n 8: refused, not hung
open x 9 refused
open x 4096 refused
open x 16777215 refused
# garbage, short, split, bad magic, bad version, bad type, v1 with a port,
# bad family, paths that are missing, relative, abstract
raw 00
raw 0102030405060708090a0b0c0d0e0f
raw cefaedfe03000000
req len=121
req len=60
req split=60
req magic=0xfeedfacf
req ver=2
req ver=4
req ver=0xffffffff
req type=2
req type=0x1ff
req v1 type=0x500
req family=2
req path=/no/such/socket
req path=relative
req path=
req descr=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
# a silent client does not block the others
silent
open d 0
port d 4
touch $TMP/ready
wait $TMP/go
close a
touch $TMP/closed
wait $TMP/go2
EOF2
) &
PPID_=$!
PIDS+=($PPID_)
WAIT_SECS=30 wait_for test -e "$TMP/ready" || fail "probe did not get its ports"

# data socket names %03d.%d, modes 0600 (root: chowned to the user, & 0700)
ls "$TMP/sw" | grep -Eq '^001\.[0-9]+$' || fail "no 001.N data socket: $(ls "$TMP/sw")"
ls "$TMP/sw" | grep -Eq '^008\.[0-9]+$' || fail "no 008.N data socket"
ls "$TMP/sw" | grep -Eq '^000\.[0-9]+$' || fail "no 000.N data socket (port 0)"
f=$(ls "$TMP/sw" | grep -E '^001\.' | head -n1)
[ "$(stat -c %a "$TMP/sw/$f")" = 600 ] || fail "data socket mode $(stat -c %a "$TMP/sw/$f")"

P=$(body sw port/print)
echo "$P" | grep -q '^Port 0001 untagged_vlan=0000 ACTIVE - Unnamed Allocatable$' || fail "port/print: $P"
echo "$P" | grep -Eq '^  -- endpoint ID [0-9]{4} module unix prog   : first$' || fail "descr: $P"
echo "$P" | grep -q ': legacy$' || fail "v1 description: $P"
echo "$P" | grep -q '^Port 0000 ' || fail "port 0 not listed"
body sw port/stats | grep -Eq 'ctlrefused 2[0-9]' || fail "refusals not counted: $(body sw port/stats)"

touch "$TMP/go"
WAIT_SECS=30 wait_for test -e "$TMP/closed" || fail "probe did not close"
# port lifetime = ctl stream: closing a removes its data socket and port
wait_for sh -c "! ls '$TMP/sw' | grep -Eq '^001\\.'" || fail "data socket of port 1 not removed"
[ "$(status sw 'port/print 1')" = "1006 No such device or address" ] || fail "port 1 still active"
touch "$TMP/go2"
wait "$PPID_" || fail "probe failed"

# the switch still serves, and a freed port is reused
probe sw <<EOF2 || fail "switch stopped serving"
open e 0
port e 1
EOF2

# port/setuser: a client whose socket belongs to another user is refused
if [ "$(id -u)" = 0 ]; then
	[ "$(status sw 'port/create 5')" = "1000 Success" ] || fail "port/create 5"
	[ "$(status sw 'port/setuser 5 1')" = "1000 Success" ] || fail "port/setuser"
	probe sw <<EOF2 || fail "ACL"
open f 5 owner=65534 refused
open g 5 owner=1
port g 5
open h 5 owner=1
port h 5
close g
close h
open r 5 owner=0
port r 5
EOF2
	# a port in use by one user refuses another user's endpoint (ACL open)
	probe sw <<EOF2 || fail "same-user rule"
open i 6 owner=1
open j 6 owner=2 refused
open k 6 owner=1
EOF2
	[ "$(status sw 'port/setgroup 5 0')" = "1000 Success" ] || fail "port/setgroup"
	body sw 'port/allprint 5' | grep -q 'Access Control: (User: daemon - Group: root)' ||
		body sw 'port/allprint 5' | grep -q 'Access Control: (User: 1 - Group: 0)' ||
		fail "ACL display: $(body sw 'port/allprint 5')"
fi
# a client that connects and never sends a request is dropped after 10 s
probe sw <<EOF2 || fail "silent client kept"
silentclosed 20000
EOF2
pass "ctl protocol"
