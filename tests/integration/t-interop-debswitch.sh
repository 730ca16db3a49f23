#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-interop-debswitch.sh - OUR clients on Debian's vde_switch.
#
# Our vde_plug (vdestream on stdin/stdout) and vdeabi_peer running on OUR
# libvdeplug.so.2 (LD_LIBRARY_PATH) attach to Debian's /usr/bin/vde_switch
# (2.3.2). Frames of 60..1514 bytes cross in both directions byte for byte,
# Debian's port/print lists both endpoints, and both clients exit and release
# their ports when their input ends (a port Debian's switch keeps after its
# client is gone, a VDE 2.3.2 bug, is closed with port/epclose and said).
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/interop-lib.sh"

SW=$TMP/sw
start_switch sw "$DEB_SWITCH" "$SW"

start_plug ourplug "$SW" "$(bin vde_plug)"
start_peer ourpeer "$SW" $(ourlib_env)
uses_lib "$ourpeer_PID" "$OURLIB/libvdeplug.so.2" || fail "vdeabi_peer did not load our library"
wait_endpoints sw 2 || fail "Debian's port/print does not show 2 endpoints: $(mgmt sw port/print)"

# our libvdeplug -> Debian's switch -> our vde_plug (broadcast), and back
# to the learnt MAC; nothing else delivered
plug_peer_frames ourplug ourpeer 02:00:00:00:bb:12 02:00:00:00:aa:11

mgmt sw port/print >"$TMP/print.txt" || fail "port/print failed"
grep -q -- '-- endpoint.*ourpeer' "$TMP/print.txt" || fail "peer description missing: $(cat "$TMP/print.txt")"
[ "$(grep -c -- '-- endpoint' "$TMP/print.txt")" -eq 2 ] || fail "expected 2 endpoints: $(cat "$TMP/print.txt")"

close_fifo ourpeer
close_fifo ourplug
wait_exit "$ourpeer_PID" || fail "vdeabi_peer on our library did not exit cleanly on stdin EOF"
wait_exit "$ourplug_PID" || fail "our vde_plug did not exit on stdin EOF"
wait_endpoints sw 0 || { deb_close_dead sw; wait_endpoints sw 0; } ||
	fail "ports not released: $(mgmt sw port/print)"
pass "our vde_plug and our libvdeplug interoperate with Debian's vde_switch"
