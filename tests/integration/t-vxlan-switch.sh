#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-vxlan-switch.sh - the switch's own VTEP (vde_switch --vxlan VNL) against
# a Linux kernel vxlan device, and against a `vde_plug vxlan://` VTEP
#
# Namespace k: a kernel vxlan0 (VNI 42) in bridge br0 with a veth to host
# h1 (192.168.79.1). Namespace o: `vde_switch --vxlan VNL -t tap0`, its tap0
# moved to host h2 (192.168.79.2). k and o are joined by a veth underlay
# (10.99.0.1/.2, fd99::1/::2, MTU 1600). In four modes (IPv4 and IPv6
# underlay; kernel unicast with an all-zero FDB entry, and a multicast
# group): ARP and ping h2 -> h1 (IPv4 and IPv6 inside), 4 MiB TCP each way
# compared byte for byte; port/print shows the port's kind "vxlan" and
# port/stats the VTEP's counters: traffic both ways, learning, no drops.
# Then a switch VTEP in namespace s and `vde_plug vxlan://` on a switch in
# p (host h4 behind vde_plug2tap) on one segment: ping and TCP both ways.
# Offloads: during the TCP transfers the switch VTEP merged received
# segments into super-frames for its tap (rx_merged) and cut the tap's
# super-frames for the wire (tx_cut); a capture of the underlay in k
# (tcpdump -B 65536) holds only plain VXLAN datagrams from o, each with an
# inner frame of at most 1514 bytes, no IP fragments (o's underlay veth has
# gso_max_segs 1, so the kernel cuts our UDP GSO messages into the
# datagrams a real wire carries before the capture sees them).
# Last, two switch VTEPs (UDP GSO one way, GRO the other): TCP both ways at
# inner MTU 1500, then at 4000 over the 1600-byte underlay (the kernel
# refuses GSO segments above the MTU: those frames go one per datagram, in
# IP fragments, none lost).
TEST_TIMEOUT=${TEST_TIMEOUT:-400}
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/tap-lib.sh"
. "$top_srcdir/tests/integration/vxlan-lib.sh"
. "$top_srcdir/tests/integration/switch-common.sh"
need_root
bin vde_plug2tap >/dev/null

kernel_and_ours_sw() {
	mkns k o
	underlay k uk o uo 1
	ipn o link set dev uo gso_max_segs 1 || fail "gso_max_segs on uo"
	host_ns h1 k hk 192.168.79.1
	csum_off h1 eth0
	ipn h1 addr add fd79::1/64 dev eth0 nodad
}

run_mode() {
	local tag=$1 ours=$2 fdb=$3 k st cap; shift 3
	kernel_vtep k hk "$@"
	if [ "$fdb" != - ]; then
		bridge -n "$ID-k" fdb append 00:00:00:00:00:00 dev vxlan0 dst "$fdb" ||
			fail "$tag: bridge fdb append"
	fi
	sw_vtep "$tag" o "$ours" h2 192.168.79.2
	ipn h2 addr add fd79::2/64 dev tap0 nodad
	body "$tag" port/print | grep -F "$ours" | grep -q "module vxlan " || fail "$tag: port/print shows no vxlan endpoint"
	spawn "cap-$tag.log" ip netns exec "$ID-k" tcpdump --immediate-mode -B 65536 -i uk -nn -U \
		-s 128 -w "$TMP/$tag.pcap" src host 10.99.0.2 or src host fd99::2
	cap=$LASTPID
	WAIT_SECS=10 wait_for grep -q "listening on" "$TMP/cap-$tag.log" ||
		fail "$tag: tcpdump did not start: $(cat "$TMP/cap-$tag.log")"
	overlay_check "$tag" 79
	kill -TERM "$cap"
	wait_gone "$cap"
	python3 - "$TMP/$tag.pcap" >"$TMP/$tag.wire" <<'PY' || fail "$tag: underlay: $(cat "$TMP/$tag.wire")"
import struct, sys
d = open(sys.argv[1], "rb").read()
assert struct.unpack("<I", d[:4])[0] == 0xa1b2c3d4 and struct.unpack("<I", d[20:24])[0] == 1
off, n, big, bad = 24, 0, 0, []
while off + 16 <= len(d):
    incl, orig = struct.unpack("<II", d[off + 8:off + 16])
    p = d[off + 16:off + 16 + incl]
    off += 16 + incl
    et = struct.unpack("!H", p[12:14])[0]
    if et == 0x0800:
        ihl = (p[14] & 15) * 4
        if struct.unpack("!H", p[20:22])[0] & 0x3fff:
            bad.append("IPv4 fragment")
            continue
        proto, u = p[23], 14 + ihl
    elif et == 0x86dd:
        proto, u = p[20], 54
        if proto == 44:
            bad.append("IPv6 fragment")
            continue
    else:
        continue
    if proto != 17:
        continue
    dport, ulen = struct.unpack("!HH", p[u + 2:u + 6])
    if dport != 4789:
        continue
    if orig != u + ulen:
        bad.append("datagram of %d bytes in a %d-byte packet" % (ulen, orig))
    inner = ulen - 16
    n += 1
    big = max(big, inner)
    if inner > 1514:
        bad.append("inner frame of %d bytes" % inner)
print("%d datagrams, largest inner frame %d" % (n, big))
if bad:
    print("; ".join(bad[:5]))
    sys.exit(1)
if n < 2000 or big < 1400:
    print("not the TCP transfer")
    sys.exit(1)
PY
	echo "# $tag: underlay from o: $(cat "$TMP/$tag.wire")"
	body "$tag" port/stats >"$TMP/$tag.stats"
	echo "# $tag: $(grep -A1 'endpoint' "$TMP/$tag.stats" | tr -s ' ' | head -c 600)"
	[ "$(swstat "$tag" rx)" -gt 100 ] && [ "$(swstat "$tag" tx)" -gt 100 ] ||
		fail "$tag: counters show no traffic: $(cat "$TMP/$tag.stats")"
	for k in drop_short drop_flags drop_vni drop_runt drop_big tx_err tx_big; do
		st=$(swstat "$tag" $k)
		[ "$st" = 0 ] || fail "$tag: $k is '$st'"
	done
	[ "$(swstat "$tag" learned)" -ge 1 ] || fail "$tag: nothing learnt"
	[ "$(swstat "$tag" rx_merged)" -gt 0 ] && [ "$(swstat "$tag" tx_cut)" -gt 0 ] ||
		fail "$tag: no super-frames merged on receive or cut on send: $(cat "$TMP/$tag.stats")"
	[ "$(swstat "$tag" tx_cut_lost)" = 0 ] && [ "$(swstat "$tag" tx_cut_bad)" = 0 ] ||
		fail "$tag: segments of super-frames lost"
	stop_sw "$tag"
	pass "$tag: ARP, ping, 4 MiB TCP each way intact over vde_switch --vxlan $ours; super-frames merged and cut, wire datagrams <= 1514-byte frames"
}

kernel_and_ours_sw
run_mode v4_unicast "vxlan://10.99.0.1/vni=42" 10.99.0.2 local 10.99.0.1 dev uk dstport 4789
run_mode v4_group "vxlan://239.1.1.1/vni=42/if=uo" - group 239.1.1.1 dev uk dstport 4789
run_mode v6_unicast "vxlan://fd99::1/vni=42" fd99::2 local fd99::1 dev uk dstport 4789
run_mode v6_group "vxlan://[ff05::4242]/vni=42/if=uo" - group ff05::4242 dev uk dstport 4789

# a switch VTEP (namespace s) and a vde_plug vxlan:// VTEP (namespace p)
mkns s p
underlay s us p pu 1
sw_vtep mixed s "vxlan://10.99.0.2/vni=42" h3 192.168.79.3
start_sw swp
our_vtep plug p "vxlan://10.99.0.1/vni=42" "$TMP/swp"
tap_host h4 p "$TMP/swp" 192.168.79.4
reach h3 192.168.79.4 || fail "mixed: no ping switch VTEP -> vde_plug VTEP"
tcp_check h3 h4 192.168.79.4 mixed
tcp_check h4 h3 192.168.79.3 mixed-back
echo "# mixed: $(body mixed port/stats | grep endpoint)"
[ "$(swstat mixed rx)" -gt 100 ] && [ "$(swstat mixed tx)" -gt 100 ] || fail "mixed: no traffic counted"
stop_vtep plug
[ "$(stat plug drop_big)" = 0 ] && [ "$(stat plug drop_flags)" = 0 ] || fail "mixed: vde_plug dropped"
pass "mixed: switch VTEP and vde_plug vxlan:// VTEP: ping, 4 MiB TCP each way intact"

# two switch VTEPs; jumbo frames over a smaller underlay
mkns j1 j2
underlay j1 ja j2 jb 1
sw_vtep ja j1 "vxlan://10.99.0.2/vni=42" h5 192.168.79.5
sw_vtep jb j2 "vxlan://10.99.0.1/vni=42" h6 192.168.79.6
reach h5 192.168.79.6 || fail "switch-switch: no ping"
tcp_check h5 h6 192.168.79.6 ss
tcp_check h6 h5 192.168.79.5 ss-back
ipn h5 link set tap0 mtu 4000
ipn h6 link set tap0 mtu 4000
n h5 ping -c 1 -W 5 -M do -s 3900 192.168.79.6 >/dev/null || fail "jumbo: no 3928-byte ping"
tcp_check h5 h6 192.168.79.6 jumbo
tcp_check h6 h5 192.168.79.5 jumbo-back
for s in ja jb; do
	echo "# $s: $(body $s port/stats | grep endpoint)"
	[ "$(swstat $s tx_big)" = 0 ] && [ "$(swstat $s tx_err)" = 0 ] || fail "$s: frames lost in sending"
	[ "$(swstat $s drop_big)" = 0 ] || fail "$s: drop_big"
done
stop_sw ja
stop_sw jb
stop_sw mixed
pass "switch-switch: 4 MiB TCP each way at inner MTU 1500 and 4000 over a 1600-byte underlay"
