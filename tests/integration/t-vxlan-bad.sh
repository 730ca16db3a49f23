#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-vxlan-bad.sh - malformed VXLAN packets on the wire are dropped and
# counted, never delivered (issue 13): from namespace s, python sends to
# our `vde_plug vxlan://...` in namespace o (IPv4 and IPv6 underlay) a
# short header, no I flag, a reserved flag bit, a reserved byte, another
# VNI, a runt inner frame, a header alone, an empty datagram and a frame
# larger than vde_plug's buffer, each followed by a good packet. Exactly
# the good frames come out of vde_plug, and each drop counter is exact.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/tap-lib.sh"
. "$top_srcdir/tests/integration/vxlan-lib.sh"
need_root
mkns s o
underlay s us o uo 1
for fam in 4 6; do
	if [ $fam = 4 ]; then peer=10.99.0.1 me=10.99.0.2; else peer=fd99::1 me=fd99::2; fi
	mkfifo "$TMP/in$fam"
	spawn "o$fam.log" env VDEPLUG_STATS="$TMP/o$fam.stats" ip netns exec "$ID-o" \
		sh -c 'exec vde_plug "$1" <"$2" >"$3"' sh "vxlan://$peer/vni=42" "$TMP/in$fam" "$TMP/o$fam.out"
	eval "VTEP_o$fam=$LASTPID"
	exec 7>"$TMP/in$fam"
	wait_for eval "n o ss -Huan | grep -q ':4789 '" || fail "vde_plug did not bind"
	bad_send s "$me" "$TMP/o$fam.out" "IPv$fam"
	stop_vtep "o$fam"
	exec 7>&-
	bad_out "IPv$fam" "$TMP/o$fam.out"
	st() { stat "o$fam" "$1"; }
	bad_check "IPv$fam" st
	pass "IPv$fam: $BAD_CASES dropped and counted, $NGOOD good frames delivered"
done
