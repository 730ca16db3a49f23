#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-switch-ring-qemu.sh - QEMU on OUR libvdeplug (LD_LIBRARY_PATH) with
# -netdev vde on our switch, and slirpvde -D on the same switch: both get
# shared-memory rings (port/print says "ring" for each) and the guest (TCG,
# diskless, the e1000 iPXE ROM, which DHCPs at once) gets its lease from
# slirpvde through them. TCG iPXE takes 5-20 s to DHCP on an idle
# machine: 100 s allowed.
TEST_TIMEOUT=${TEST_TIMEOUT:-150}
. "$top_srcdir/tests/lib/env.sh"
# about the rings themselves (NOFASTPATH_RING_TESTS in tests/integration/local.am)
[ "${VDEPLUG_FASTPATH-}" = 0 ] && skip "needs the fast path on: VDEPLUG_FASTPATH=0 is in the environment"
. "$top_srcdir/tests/integration/tap-lib.sh"
. "$top_srcdir/tests/integration/slirp-lib.sh"
need_root

. "$top_srcdir/tests/lib/qemu.sh"
need_qemu pxe-e1000.rom

mkns host
spawn sw.log vde_switch --nostdin -s "$TMP/sw" -M "$TMP/sw.mgmt"
wait_for sock_ready "$TMP/sw.mgmt" || fail "switch did not start"
[ -S "$TMP/sw/.fastpath" ] || fail "our switch offers no rings"
slirp_start slirp.log -D -v -s "$TMP/sw" -M "$TMP/mgmt"
MAC=52:54:00:12:34:7e
# shellcheck disable=SC2046  # one assignment a line
ipxe_guest qemu.log $MAC "$TMP/sw" $(ourlib_env)
QPID=$LASTPID
swports() { printf 'port/print\n' | socat -t 1 - "UNIX-CONNECT:$TMP/sw.mgmt"; }
WAIT_SECS=20 wait_for eval "[ \$(swports | grep -c 'module ring        : ') = 2 ]" ||
	fail "QEMU and slirpvde are not both on rings: $(swports)"
[[ "$(cat /proc/"$QPID"/maps)" == *" $OURLIB/libvdeplug.so.2"* ]] || fail "QEMU does not run our libvdeplug"
WAIT_SECS=100 wait_for grep -q "DHCP lease 10.0.2.15 to $MAC" "$TMP/slirp.log" ||
	fail "no lease to the QEMU guest $MAC"
st=$(printf 'port/stats\n' | socat -t 1 - "UNIX-CONNECT:$TMP/sw.mgmt" | grep -c ' ring: rx_frames [1-9].* bells pipe ')
[ "$st" = 2 ] || fail "frames did not go through both rings (pipe doorbells): $(printf 'port/stats\n' | socat -t 1 - "UNIX-CONNECT:$TMP/sw.mgmt")"
pass "QEMU (our libvdeplug) and slirpvde on rings with pipe doorbells: $(grep 'DHCP lease' "$TMP/slirp.log")"
