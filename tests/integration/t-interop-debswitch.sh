#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-interop-debswitch.sh - OUR clients on Debian's vde_switch.
#
# Our vde_plug (vdestream on stdin/stdout) and vdeabi_peer running on OUR
# libvdeplug.so.2 (LD_LIBRARY_PATH) attach to Debian's /usr/bin/vde_switch
# (2.3.2). Frames of 60..1514 bytes cross in both directions byte for byte,
# Debian's port/print lists both endpoints, and both clients release their
# ports when they end.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/interop-lib.sh"

SW=$TMP/sw
start_switch sw "$DEB_SWITCH" "$SW"

start_plug ourplug "$SW" "$(bin vde_plug)"
start_peer ourpeer "$SW" $(ourlib_env)
uses_lib "$ourpeer_PID" "$OURLIB/libvdeplug.so.2" || fail "vdeabi_peer did not load our library"
wait_endpoints sw 2 || fail "Debian's port/print does not show 2 endpoints: $(mgmt sw port/print)"

MAC_PEER=02:00:00:00:aa:11
MAC_PLUG=02:00:00:00:bb:12

# our libvdeplug -> Debian's switch -> our vde_plug (broadcast)
frames $MAC_PEER ff:ff:ff:ff:ff:ff 60 61 64 100 1000 1514 >"$TMP/a.hex"
cat "$TMP/a.hex" >"$TMP/ourpeer.in"
wait_records "$TMP/ourplug.out" 6 || fail "vde_plug got $($UTIL count "$TMP/ourplug.out") of 6 frames"
$UTIL dec "$TMP/ourplug.out" >"$TMP/a.got"
diff "$TMP/a.hex" "$TMP/a.got" >/dev/null || fail "frames changed on the way peer -> vde_plug"

# our vde_plug -> Debian's switch -> our libvdeplug (unicast to the learned MAC)
frames $MAC_PLUG $MAC_PEER 1514 60 65 200 1513 >"$TMP/b.hex"
$UTIL enc <"$TMP/b.hex" >"$TMP/ourplug.in"
wait_lines "$TMP/ourpeer.out" 5 || fail "peer got $(wc -l <"$TMP/ourpeer.out") of 5 frames"
diff "$TMP/b.hex" "$TMP/ourpeer.out" >/dev/null || fail "frames changed on the way vde_plug -> peer"
[ "$($UTIL count "$TMP/ourplug.out")" -eq 6 ] || fail "vde_plug got extra frames"

mgmt sw port/print >"$TMP/print.txt" || fail "port/print failed"
grep -q -- '-- endpoint.*ourpeer' "$TMP/print.txt" || fail "peer description missing: $(cat "$TMP/print.txt")"
[ "$(grep -c -- '-- endpoint' "$TMP/print.txt")" -eq 2 ] || fail "expected 2 endpoints: $(cat "$TMP/print.txt")"

close_fifo ourpeer
close_fifo ourplug
wait_exit "$ourpeer_PID" || fail "vdeabi_peer on our library did not exit cleanly on stdin EOF"
wait_endpoints sw 0 || fail "ports not released: $(mgmt sw port/print)"
pass "our vde_plug and our libvdeplug interoperate with Debian's vde_switch"
