#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-interop-qemu.sh - QEMU guests (iPXE, -netdev vde) on OUR switch.
#
# Two diskless TCG guests boot the e1000 iPXE ROM, which DHCPs at once:
#   qa: Debian's QEMU on Debian's libvdeplug.so.2
#   qb: Debian's QEMU on OUR libvdeplug.so.2 (LD_LIBRARY_PATH, checked in maps)
# Debian's vde_plug on a third port captures the vdestream; each guest's
# DHCPDISCOVER (UDP 68 -> 67 broadcast from its MAC) must show up there.
# TCG iPXE takes 5-20 s to send it on an idle machine: we allow 100 s.
TEST_TIMEOUT=${TEST_TIMEOUT:-170}
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/interop-lib.sh"

. "$top_srcdir/tests/lib/qemu.sh"
need_qemu pxe-e1000.rom

SW=$TMP/sw
start_switch sw "$(bin vde_switch)" "$SW"
start_plug cap "$SW" "$DEB_PLUG"
wait_endpoints sw 1 || fail "capture plug did not attach"

MAC_A=52:54:00:12:34:0a
MAC_B=52:54:00:12:34:0b
ipxe_guest "qemu-$MAC_A.log" $MAC_A "$SW"
QA=$LASTPID
# shellcheck disable=SC2046  # one assignment a line
ipxe_guest "qemu-$MAC_B.log" $MAC_B "$SW" $(ourlib_env)
QB=$LASTPID
wait_endpoints sw 3 || fail "the guests did not attach: $(mgmt sw port/print)"
uses_lib "$QA" "$DEBLIB" || fail "qa does not run on Debian's libvdeplug"
uses_lib "$QB" "$OURLIB/libvdeplug.so.2" || fail "qb does not run on our libvdeplug"

wait_slow 100 $UTIL dhcp "$TMP/cap.out" $MAC_A ||
	fail "no DHCPDISCOVER from $MAC_A (Debian's libvdeplug) in $($UTIL count "$TMP/cap.out") frames"
wait_slow 100 $UTIL dhcp "$TMP/cap.out" $MAC_B ||
	fail "no DHCPDISCOVER from $MAC_B (our libvdeplug) in $($UTIL count "$TMP/cap.out") frames"
mgmt sw port/print | grep -c -- '-- endpoint' | grep -qx 3 || fail "port/print does not list 3 endpoints"
pass "QEMU guests' DHCPDISCOVER crossed our switch, on Debian's and on our libvdeplug"
