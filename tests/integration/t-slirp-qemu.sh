#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-slirp-qemu.sh - a QEMU guest (TCG, diskless, the e1000 iPXE ROM, which
# DHCPs at once) with -netdev vde on our switch gets its lease from
# slirpvde -D: slirpvde logs "DHCP lease 10.0.2.15 to <the guest's MAC>"
# (it saw its own DHCP ACK go out) and the console's leases table lists
# it. A second guest runs QEMU on OUR libvdeplug with -netdev
# vde,sock=slirp:///... (our plugin, no switch, no slirpvde): QEMU's
# filter-dump pcap of its NIC must hold a DHCP ACK for its MAC from the
# slirp:// network's virtual host. TCG iPXE takes 5-20 s to DHCP on an idle
# machine: 100 s allowed.
TEST_TIMEOUT=${TEST_TIMEOUT:-150}
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/tap-lib.sh"
. "$top_srcdir/tests/integration/slirp-lib.sh"
need_root

. "$top_srcdir/tests/lib/qemu.sh"
need_qemu pxe-e1000.rom

mkns host
start_sw sw
slirp_start slirp.log -D -v -s "$TMP/sw" -M "$TMP/mgmt"
MAC=52:54:00:12:34:6c
MAC2=52:54:00:12:34:6d
# shellcheck disable=SC2046  # one assignment a line
ipxe_guest qemu2.log $MAC2 "slirp:///addr=10.9.0.2/dhcp=10.9.0.20" $(ourlib_env) \
	VDEPLUGIN_PATH="$top_builddir/slirp/.libs" -- -object filter-dump,id=d0,netdev=n0,file="$TMP/q2.pcap"
Q2=$LASTPID
ipxe_guest qemu.log $MAC "$TMP/sw"
WAIT_SECS=100 wait_for grep -q "DHCP lease 10.0.2.15 to $MAC" "$TMP/slirp.log" ||
	fail "no lease to the QEMU guest $MAC"
out=$(mgmt leases)
[[ "$out" == *"10.0.2.15 $MAC expires in "* ]] || fail "console leases: $out"
pass "QEMU/iPXE guest $MAC leased 10.0.2.15 by slirpvde: $(grep 'DHCP lease' "$TMP/slirp.log")"

dhcp_ack() {	# pcap MAC: a DHCP ACK to MAC from 10.9.0.2 offering 10.9.0.20
	python3 - "$@" <<'EOS'
import struct, sys
data = open(sys.argv[1], "rb").read()
mac = bytes.fromhex(sys.argv[2].replace(":", ""))
off = 24
while off + 16 <= len(data):
    incl = struct.unpack("<I", data[off + 8:off + 12])[0]
    f = data[off + 16:off + 16 + incl]
    off += 16 + incl
    if len(f) < 14 + 20 + 8 + 240 or f[12:14] != b"\x08\x00" or f[23] != 17:
        continue
    ihl = (f[14] & 15) * 4
    udp = 14 + ihl
    bp = udp + 8
    if f[udp:udp + 4] != b"\x00\x43\x00\x44" or f[bp + 28:bp + 34] != mac:
        continue
    if f[26:30] != bytes([10, 9, 0, 2]) or f[bp + 16:bp + 20] != bytes([10, 9, 0, 20]):
        continue
    opts = f[bp + 240:]
    i = 0
    while i + 2 <= len(opts) and opts[i] != 255:
        if opts[i] == 0:
            i += 1
            continue
        if opts[i] == 53 and opts[i + 2] == 5:
            sys.exit(0)
        i += 2 + opts[i + 1]
sys.exit(1)
EOS
}
WAIT_SECS=100 wait_for dhcp_ack "$TMP/q2.pcap" $MAC2 || fail "no DHCP ACK for the QEMU guest on slirp://"
maps=$(cat /proc/"$Q2"/maps)
[[ "$maps" == *" $top_builddir/slirp/.libs/libvdeplug_slirp.so"* && "$maps" == *" $OURLIB/libvdeplug.so.2"* ]] ||
	fail "QEMU 2 does not run our libvdeplug and plugin"
pass "QEMU/iPXE guest $MAC2 on -netdev vde,sock=slirp:// (our libvdeplug + plugin): DHCP ACK 10.9.0.20"
