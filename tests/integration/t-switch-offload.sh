#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-switch-offload.sh - offload super-frames through vde_switch -t (issue 11):
# a switch in namespace s with taps ta and tb, moved into namespaces a and b
# (offloads on: the switch created them); c is a plain client (vde_plug2tap
# --no-offload, port 3) and d a plain mirror monitor of everything (port 4),
# both capturing on their taps. TCP compared byte for byte: a -> b (IPv4),
# b -> a (IPv6), a <-> c; then in VLAN 10 (a and b untagged, c tagged):
# a -> b, b -> a, and UDP broadcasts from a (checksum offload) that reach c
# tagged. Asserts: port/stats shows super-frames received whole from both
# taps and sent whole to both (passed tap -> tap), cut for c and for the
# monitor, checksums completed for tagged c (at csum_start + 4); c and d
# only saw frames of at most 1514 (1518 tagged) bytes with correct TCP/UDP
# checksums. Then: taps of --no-offload and persistent taps are plain.
TEST_TIMEOUT=${TEST_TIMEOUT:-300}
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/tap-lib.sh"
need_root
P2T=$(bin vde_plug2tap)
bin vde_switch >/dev/null
bin vdecmd >/dev/null
for t in tcpdump python3; do
	command -v $t >/dev/null || fail "$t is needed"
done
CHECK=$top_srcdir/tests/integration/pcap-check.py

mkns s a b c d
spawn sw.log ip netns exec "$ID-s" vde_switch --nostdin -s "$TMP/sw" -M "$TMP/mgmt" -t ta -t tb
PSW=$LASTPID
wait_for sock_ready "$TMP/mgmt" || fail "switch did not start"
fastpath_check "$TMP/sw"
WAIT_SECS=10 wait_for ipn s link show tb || fail "taps did not appear"
for h in a b; do
	ipn s link set "t$h" netns "$ID-$h" || fail "move t$h"
	ipn $h link set "t$h" name tap0 || fail "rename t$h"
done
spawn c.log n c "$P2T" --no-offload -p 3 -s "$TMP/sw" tap0
spawn d.log n d "$P2T" --no-offload -p 4 -s "$TMP/sw" tap0
tap_up a tap0 10.79.0.1
tap_up b tap0 10.79.0.2
tap_up c tap0 10.79.0.3
tap_up d tap0 10.79.0.4
ipn a addr add fd79::1/64 dev tap0 nodad || fail "v6 a"
ipn b addr add fd79::2/64 dev tap0 nodad || fail "v6 b"
sw() { vdecmd "$TMP/mgmt" "$@"; }
sw port/setmirror 4 >/dev/null || fail "port/setmirror 4"
reach a 10.79.0.2 || fail "no ping a -> b"
reach a 10.79.0.3 || fail "no ping a -> c"
reach b fd79::1 || fail "no ping6 b -> a"
# vnet_hdr NS IF: the tap's owner opened it with IFF_VNET_HDR (0x4000)
vnet_hdr() {
	local f
	f=$(n "$1" cat "/sys/class/net/$2/tun_flags") || fail "no tun_flags for $2"
	[ $((f & 0x4000)) != 0 ]
}
vnet_hdr a tap0 || fail "the switch's tap has no virtio-net header"
if command -v ethtool >/dev/null; then
	n a ethtool -k tap0 | grep -q "^tcp-segmentation-offload: on" ||
		fail "no TSO on the switch's tap: $(n a ethtool -k tap0)"
fi

# capture NAME [FILTER]: tcpdump on c and on d (the monitor), until capture_end
capture() {
	local h
	CAPS=()
	for h in c d; do
		spawn "cap-$1-$h.log" ip netns exec "$ID-$h" tcpdump --immediate-mode -B 65536 -i tap0 -nn -U -w "$TMP/$1-$h.pcap" "${2:-tcp}"
		CAPS+=("$LASTPID")
		WAIT_SECS=10 wait_for grep -q "listening on" "$TMP/cap-$1-$h.log" ||
			fail "tcpdump did not start in $h"
	done
}
capture_end() {
	local p
	for p in "${CAPS[@]}"; do
		kill -TERM "$p"
		wait_gone "$p"
	done
}

# offl PORT FIELD: a counter of the port's offload line in port/stats
# (in, out, cut or csum; 0 when the line is absent)
offl() {
	sw port/stats "$1" | sed -n "s/^  -- offload super .*\<$2 \([0-9]*\).*/\1/p" |
		grep . || echo 0
}

capture plain
xfer a b 10.79.0.2 5101 4194304
xfer b a fd79::1 5102 4194304
xfer a c 10.79.0.3 5103 2097152
xfer c a 10.79.0.1 5104 2097152
capture_end
pass "TCP intact: a -> b (v4), b -> a (v6), a <-> c (offload <-> plain)"
sw port/stats >"$TMP/stats1" || fail "port/stats"
grep -q "^Port 0001 in [0-9]* [0-9]* out [0-9]* [0-9]* drop runt 0 oversize 0 vlan 0 " \
	"$TMP/stats1" || fail "port 1 line: $(cat "$TMP/stats1")"
in1=$(offl 1 in) in2=$(offl 2 in) out1=$(offl 1 out) out2=$(offl 2 out)
cut3=$(offl 3 cut) cut4=$(offl 4 cut)
[ "$in1" -gt 0 ] && [ "$in2" -gt 0 ] || fail "no super-frames from the taps: $(cat "$TMP/stats1")"
[ "$out1" -gt 0 ] && [ "$out2" -gt 0 ] || fail "no super-frames passed whole: $(cat "$TMP/stats1")"
[ "$cut3" -gt 0 ] || fail "no super-frames cut for the plain client: $(cat "$TMP/stats1")"
[ "$cut4" -gt 0 ] || fail "no super-frames cut for the monitor: $(cat "$TMP/stats1")"
[ "$(offl 3 out)" = 0 ] && [ "$(offl 4 out)" = 0 ] ||
	fail "super-frames sent whole to a plain endpoint: $(cat "$TMP/stats1")"
pass "super-frames: in $in1/$in2, passed whole $out1/$out2, cut for c $cut3, for the monitor $cut4"
python3 "$CHECK" "$TMP/plain-c.pcap" 1514 >"$TMP/pc.out" || fail "plain client: $(cat "$TMP/pc.out")"
python3 "$CHECK" "$TMP/plain-d.pcap" 1514 >"$TMP/pd.out" || fail "monitor: $(cat "$TMP/pd.out")"
pass "plain client saw $(cat "$TMP/pc.out"); monitor saw $(cat "$TMP/pd.out")"

# ---- VLAN 10: a and b untagged, c tagged ----
# (no 802.1Q in some kernels: c's tagged frames are only captured; UDP
# broadcasts from a, sent with checksum offload, reach c tagged)
for c in "vlan/create 10" "port/setvlan 1 10" "port/setvlan 2 10" "vlan/addport 10 3"; do
	sw $c >/dev/null || fail "$c"
done
ipn a addr add 10.80.0.1/24 dev tap0 || fail "10.80 a"
ipn b addr add 10.80.0.2/24 dev tap0 || fail "10.80 b"
reach a 10.80.0.2 || fail "no ping a -> b in VLAN 10"
capture vlan "tcp or udp or vlan"
xfer a b 10.80.0.2 5201 4194304
xfer b a fd79::1 5202 4194304
# paced (5 ms apart): UDP has no flow control, and a burst of 200 copies
# outruns a slow client (ASan, a loaded machine), whose switch port then
# drops most of them, as it should
n a timeout 20 python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
for i in range(1, 201):
    s.sendto(b"%1000d" % i, ("10.80.0.255", 9))
    time.sleep(0.005)
' || fail "UDP broadcast from a"
capture_end
pass "TCP intact in VLAN 10: a -> b (v4), b -> a (v6)"
sw port/stats >"$TMP/stats2" || fail "port/stats"
[ "$(offl 2 out)" -gt "$out2" ] && [ "$(offl 1 out)" -gt "$out1" ] ||
	fail "no super-frames passed whole in VLAN 10: $(cat "$TMP/stats2")"
[ "$(offl 3 csum)" -gt 0 ] || fail "no checksum completed for tagged c: $(cat "$TMP/stats2")"
python3 "$CHECK" "$TMP/vlan-c.pcap" 1518 50 >"$TMP/vc.out" ||
	fail "tagged client: $(cat "$TMP/vc.out")"
grep -q "frames (0 tagged)" "$TMP/vc.out" && fail "c saw no tagged frames: $(cat "$TMP/vc.out")"
python3 "$CHECK" "$TMP/vlan-d.pcap" 1514 >"$TMP/vd.out" || fail "monitor: $(cat "$TMP/vd.out")"
pass "VLAN: tagged client saw $(cat "$TMP/vc.out"); monitor saw $(cat "$TMP/vd.out")"

kill "$PSW"
wait_gone "$PSW"
[ "$RC" = 0 ] || fail "switch exited $RC"

# ---- no offloads: --no-offload, and a persistent tap ----
ipn s tuntap add tp mode tap || fail "persistent tap"
spawn sw2.log ip netns exec "$ID-s" vde_switch --nostdin --no-offload -s "$TMP/sw2" -M "$TMP/mgmt2" -t tn
P2=$LASTPID
spawn sw3.log ip netns exec "$ID-s" vde_switch --nostdin -s "$TMP/sw3" -M "$TMP/mgmt3" -t tp
P3=$LASTPID
wait_for sock_ready "$TMP/mgmt2" || fail "--no-offload switch did not start"
wait_for sock_ready "$TMP/mgmt3" || fail "persistent-tap switch did not start"
fastpath_check "$TMP/sw2"
fastpath_check "$TMP/sw3"
if command -v ethtool >/dev/null; then
	for t in tn tp; do
		n s ethtool -k $t | grep -q "^tcp-segmentation-offload: off" ||
			fail "$t has TSO: $(n s ethtool -k $t)"
	done
	pass "--no-offload and persistent taps: no TSO"
fi
for t in tn tp; do
	WAIT_SECS=10 wait_for ipn s link show $t || fail "$t did not appear"
	vnet_hdr s $t && fail "$t opened with IFF_VNET_HDR"
done
vde_switch --help | grep -q -- "--no-offload" || fail "--help lacks --no-offload"
kill "$P2" "$P3"
wait_gone "$P2"
wait_gone "$P3"
ipn s tuntap del tp mode tap
pass "--no-offload and a persistent tap start plain taps"
