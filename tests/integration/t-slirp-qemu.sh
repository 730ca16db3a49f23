#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-slirp-qemu.sh - a QEMU guest (TCG, diskless, the e1000 iPXE ROM, which
# DHCPs at once) with -netdev vde on our switch gets its lease from
# slirpvde -D: slirpvde logs "DHCP lease 10.0.2.15 to <the guest's MAC>"
# (it saw its own DHCP ACK go out) and the console's leases table lists
# it. TCG iPXE takes 5-20 s to DHCP on an idle machine: 100 s allowed.
TEST_TIMEOUT=${TEST_TIMEOUT:-150}
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/tap-lib.sh"
. "$top_srcdir/tests/integration/slirp-lib.sh"
need_root

QEMU=/usr/bin/qemu-system-x86_64
ROM=/usr/lib/ipxe/qemu/pxe-e1000.rom
[ -x "$QEMU" ] || fail "$QEMU missing: install qemu-system-x86 (quickstart does)"
[ -e "$ROM" ] || fail "$ROM missing: install ipxe-qemu (quickstart does)"

mkns host
start_sw sw
slirp_start slirp.log -D -v -s "$TMP/sw" -M "$TMP/mgmt"
MAC=52:54:00:12:34:6c
spawn qemu.log "$QEMU" -M pc -accel tcg -m 64 -nodefaults -display none -no-reboot \
	-netdev vde,id=n0,sock="$TMP/sw" -device e1000,netdev=n0,mac=$MAC,romfile="$ROM" -boot n
WAIT_SECS=100 wait_for grep -q "DHCP lease 10.0.2.15 to $MAC" "$TMP/slirp.log" ||
	fail "no lease to the QEMU guest $MAC"
out=$(mgmt leases)
[[ "$out" == *"10.0.2.15 $MAC expires in "* ]] || fail "console leases: $out"
pass "QEMU/iPXE guest $MAC leased 10.0.2.15 by slirpvde: $(grep 'DHCP lease' "$TMP/slirp.log")"
