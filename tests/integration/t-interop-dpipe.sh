#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-interop-dpipe.sh - Debian's dpipe + vde_plug as a cable between two of OUR switches.
#
#   sw1 <- /usr/bin/vde_plug = /usr/bin/dpipe = /usr/bin/vde_plug -> sw2
# A client on each switch (vdeabi_peer on Debian's libvdeplug) sends frames
# of 60..1514 bytes across the cable both ways; they must arrive byte for
# byte. Each switch must show the cable's vde_plug in port/print, and cutting
# the cable must release both ports.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/interop-lib.sh"

[ -x "$DEB_DPIPE" ] || fail "$DEB_DPIPE missing: install Debian's vdeplug (quickstart does)"
SW1=$TMP/sw1
SW2=$TMP/sw2
start_switch sw1 "$(bin vde_switch)" "$SW1"
start_switch sw2 "$(bin vde_switch)" "$SW2"

# dpipe makes itself a process group leader: the whole cable can be cut at once
spawn dpipe.log "$DEB_DPIPE" "$DEB_PLUG" "$SW1" = "$DEB_PLUG" "$SW2"
DPIPE=$LASTPID
wait_endpoints sw1 1 || fail "cable did not attach to sw1: $(mgmt sw1 port/print)"
wait_endpoints sw2 1 || fail "cable did not attach to sw2: $(mgmt sw2 port/print)"
mgmt sw1 port/print | grep -q -- '-- endpoint.*vdeplug' || fail "sw1 does not show Debian's vde_plug"

start_peer p1 "$SW1"
start_peer p2 "$SW2"
wait_endpoints sw1 2 || fail "p1 not on sw1"
wait_endpoints sw2 2 || fail "p2 not on sw2"

peer_frames p1 p2 "sw1 -> cable -> sw2" 02:00:00:00:dd:01 ff:ff:ff:ff:ff:ff 60 64 1514 500
peer_frames p2 p1 "sw2 -> cable -> sw1" 02:00:00:00:dd:02 02:00:00:00:dd:01 1514 61 1200

# cut the cable: both switches release its port
kill -TERM -- "-$DPIPE" 2>/dev/null
wait_endpoints sw1 1 || fail "sw1 kept the cable's port: $(mgmt sw1 port/print)"
wait_endpoints sw2 1 || fail "sw2 kept the cable's port: $(mgmt sw2 port/print)"
pass "Debian's dpipe + vde_plug carry frames between two of our switches"
