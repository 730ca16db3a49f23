#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-interop-abi.sh - our libvdeplug.so.2 is an ABI drop-in for Debian's.
#
# vdeabi_peer was compiled against the Debian ABI (its own declarations,
# linked with -l:libvdeplug.so.2 from the system). Run with LD_LIBRARY_PATH
# it must load OUR library (checked in /proc/PID/maps) and work unchanged
# against our switch: vde_open_real with open args, vde_datafd/vde_ctlfd,
# vde_send/vde_recv byte for byte both ways, vde_close on EOF releases the
# port, an explicit port request (-p) is honoured, and switch death is seen
# as EOF on vde_ctlfd.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/interop-lib.sh"

SW=$TMP/sw
start_switch sw "$(bin vde_switch)" "$SW"

start_peer p1 "$SW" $(ourlib_env)
start_peer p2 "vde://$SW" $(ourlib_env)
for p in $p1_PID $p2_PID; do
	uses_lib "$p" "$OURLIB/libvdeplug.so.2" || fail "pid $p did not load our libvdeplug.so.2"
	! uses_lib "$p" "$DEBLIB" || fail "pid $p loaded Debian's library too"
done
grep -q 'ctlfd=[0-9]' "$TMP/p1.log" || fail "vde_ctlfd() is not a valid fd: $(cat "$TMP/p1.log")"
wait_endpoints sw 2 || fail "port/print does not show 2 endpoints"

peer_frames p1 p2 "p1 -> p2" 02:00:00:00:cc:01 ff:ff:ff:ff:ff:ff 60 1514 77
peer_frames p2 p1 "p2 -> p1" 02:00:00:00:cc:02 02:00:00:00:cc:01 1514 60 999

# a port asked for by number (struct vde_open_args.port) is the one we get
start_peer p3 "$SW" $(ourlib_env)
close_fifo p3
wait_exit "$p3_PID" || fail "p3 did not exit cleanly"
PEER_OPTS="-p 7" start_peer p4 "$SW" $(ourlib_env)
mgmt sw port/print | grep -A4 '^Port 0007' | grep -q -- '-- endpoint.*p4' ||
	fail "port 7 was not given to p4: $(mgmt sw port/print)"
kill "$p4_PID"

# vde_close on stdin EOF releases the port
close_fifo p1
wait_exit "$p1_PID" || fail "p1 did not exit cleanly on stdin EOF"
wait_endpoints sw 1 || fail "p1's port not released: $(mgmt sw port/print)"

# switch death: vde_ctlfd() reports EOF, the client exits with status 2
kill "$sw_PID"
wait_exit "$p2_PID"
rc=$?
[ $rc -ne 124 ] || fail "p2 did not notice the switch going away"
[ $rc -eq 2 ] || fail "p2 exited with $rc, not 2 (EOF on vde_ctlfd())"
pass "a program built for Debian's libvdeplug runs unchanged on ours"
