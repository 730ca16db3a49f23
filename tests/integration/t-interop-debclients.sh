#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-interop-debclients.sh - Debian's clients on OUR switch.
#
# Debian's /usr/bin/vde_plug (vdeplug4, vdestream on stdin/stdout) and
# vdeabi_peer running on Debian's libvdeplug.so.2 attach to our vde_switch.
# Frames of 60..1514 bytes cross in both directions (broadcast one way,
# unicast to the learned MAC the other way) and must arrive byte for byte and
# in order; port/print must list both endpoints with their descriptions and
# count the frames; closing the clients must release their ports.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/interop-lib.sh"

SW=$TMP/sw
start_switch sw "$(bin vde_switch)" "$SW"

start_plug debplug "$SW" "$DEB_PLUG"
start_peer debpeer "$SW"
uses_lib "$debpeer_PID" "$DEBLIB" || fail "vdeabi_peer does not run on Debian's $DEBLIB"
wait_endpoints sw 2 || fail "port/print does not show 2 endpoints: $(mgmt sw port/print)"

# Debian libvdeplug client -> our switch -> Debian vde_plug (broadcast), and
# back to the learnt MAC; nothing else delivered
plug_peer_frames debplug debpeer 02:00:00:00:bb:02 02:00:00:00:aa:01

# the console shows both endpoints, their descriptions and the counters
mgmt sw port/print >"$TMP/print.txt" || fail "port/print failed"
grep -q -- '-- endpoint.*debpeer user=' "$TMP/print.txt" || fail "peer description missing: $(cat "$TMP/print.txt")"
grep -q -- '-- endpoint.*vdeplug' "$TMP/print.txt" || fail "vde_plug description missing: $(cat "$TMP/print.txt")"
# the peer's port received 6 frames and sent 5
awk '/^Port/ { p = $0 } /IN: +pkts/ { inp[p] = $3 } /OUT: +pkts/ { out[p] = $3 }
     /-- endpoint.*debpeer/ { me = p }
     END { exit !(inp[me] >= 6 && out[me] >= 5) }' "$TMP/print.txt" ||
	fail "port/print counters do not show 6 in / 5 out for the peer: $(cat "$TMP/print.txt")"

# closing the clients (stdin EOF: vde_close / vde_plug exit) releases their ports
close_fifo debpeer
close_fifo debplug
wait_exit "$debpeer_PID" || fail "vdeabi_peer did not exit cleanly on stdin EOF"
wait_endpoints sw 0 || fail "ports not released: $(mgmt sw port/print)"
pass "Debian vde_plug and Debian libvdeplug client interoperate with our switch"
