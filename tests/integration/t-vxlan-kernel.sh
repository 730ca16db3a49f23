#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-vxlan-kernel.sh - vxlan:// against a Linux kernel vxlan device (issue 13)
#
# Namespace k: a kernel vxlan0 (VNI 42) in bridge br0 with a veth to host
# h1 (192.168.77.1). Namespace o: our vde_switch, `vde_plug vxlan://... SW`,
# and host h2 (192.168.77.2) behind vde_plug2tap. k and o are joined by a
# veth underlay (10.99.0.1/.2, fd99::1/::2, MTU 1600 so the overlay carries
# 1500). In four modes (IPv4 and IPv6 underlay; kernel unicast with an
# all-zero FDB entry, and kernel multicast group): ARP and ping h2 -> h1
# (IPv4 and IPv6 inside),
# and a 4 MiB TCP transfer each way compared byte for byte. Our VTEP's
# counters must show frames both ways and no drops. (h1 computes its own
# checksums: see csum_off in vxlan-lib.sh.)
TEST_TIMEOUT=${TEST_TIMEOUT:-300}
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/tap-lib.sh"
. "$top_srcdir/tests/integration/vxlan-lib.sh"
need_root
bin vde_plug2tap >/dev/null

kernel_and_ours 77
ipn h1 addr add fd77::1/64 dev eth0 nodad
ipn h2 addr add fd77::2/64 dev tap0 nodad

run_mode() {
	local tag=$1 ours=$2 fdb=$3 k; shift 3
	kernel_vtep k hk "$@"
	if [ "$fdb" != - ]; then
		bridge -n "$ID-k" fdb append 00:00:00:00:00:00 dev vxlan0 dst "$fdb" ||
			fail "$tag: bridge fdb append"
	fi
	our_vtep "$tag" o "$ours" "$TMP/sw"
	overlay_check "$tag" 77
	stop_vtep "$tag"
	[ "$(stat "$tag" rx)" -gt 100 ] && [ "$(stat "$tag" tx)" -gt 100 ] ||
		fail "$tag: counters show no traffic"
	for k in drop_short drop_flags drop_vni drop_runt drop_big tx_err tx_big; do
		[ "$(stat "$tag" $k)" = 0 ] || fail "$tag: $k is $(stat "$tag" $k)"
	done
	[ "$(stat "$tag" learned)" -ge 1 ] || fail "$tag: nothing learnt"
	pass "$tag: ARP, ping, 4 MiB TCP each way intact over $ours"
}

run_mode v4_unicast "vxlan://10.99.0.1/vni=42" 10.99.0.2 local 10.99.0.1 dev uk dstport 4789
run_mode v4_group "vxlan://239.1.1.1/vni=42/if=uo" - group 239.1.1.1 dev uk dstport 4789
run_mode v6_unicast "vxlan://fd99::1/vni=42" fd99::2 local fd99::1 dev uk dstport 4789
run_mode v6_group "vxlan://[ff05::4242]/vni=42/if=uo" - group ff05::4242 dev uk dstport 4789
