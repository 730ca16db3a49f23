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
REC=$top_srcdir/tests/integration/lib-records.py
nrec() { [ "$(python3 "$REC" count "$1")" -ge "$2" ]; }
mkns s o
underlay s us o uo 1
CASES="short noflag resflag resbyte vni runt empty zero big"
for fam in 4 6; do
	if [ $fam = 4 ]; then peer=10.99.0.1 me=10.99.0.2; else peer=fd99::1 me=fd99::2; fi
	mkfifo "$TMP/in$fam"
	spawn "o$fam.log" env VDEPLUG_STATS="$TMP/o$fam.stats" ip netns exec "$ID-o" \
		sh -c 'exec vde_plug "$1" <"$2" >"$3"' sh "vxlan://$peer/vni=42" "$TMP/in$fam" "$TMP/o$fam.out"
	eval "VTEP_o$fam=$LASTPID"
	exec 7>"$TMP/in$fam"
	wait_for eval "n o ss -Huan | grep -q ':4789 '" || fail "vde_plug did not bind"
	i=0
	for c in $CASES; do
		n s $FRAMES vxlan "$me" 4789 "$c" || fail "send $c"
		n s $FRAMES vxlan "$me" 4789 good || fail "send good"
		i=$((i + 1))
		WAIT_SECS=10 wait_for nrec "$TMP/o$fam.out" $i ||
			fail "IPv$fam: good packet after '$c' not delivered"
	done
	stop_vtep "o$fam"
	exec 7>&-
	[ "$(python3 "$REC" count "$TMP/o$fam.out")" = "$i" ] ||
		fail "IPv$fam: $(python3 "$REC" count "$TMP/o$fam.out") frames out, want $i"
	python3 "$REC" dec "$TMP/o$fam.out" "$TMP/o$fam.hex"
	grep -qv '^ffffffffffff02000000ee0188b5626164' "$TMP/o$fam.hex" &&
		fail "IPv$fam: a frame that is not the good one came out"
	st() { stat "o$fam" "$1"; }
	[ "$(st drop_short)" = 2 ] || fail "IPv$fam drop_short $(st drop_short), want 2 (short, zero)"
	[ "$(st drop_flags)" = 3 ] || fail "IPv$fam drop_flags $(st drop_flags), want 3"
	[ "$(st drop_vni)" = 1 ] || fail "IPv$fam drop_vni $(st drop_vni)"
	[ "$(st drop_runt)" = 2 ] || fail "IPv$fam drop_runt $(st drop_runt), want 2 (runt, empty)"
	[ "$(st drop_big)" = 1 ] || fail "IPv$fam drop_big $(st drop_big)"
	[ "$(st rx)" = "$i" ] || fail "IPv$fam rx $(st rx)"
	pass "IPv$fam: $CASES dropped and counted, $i good frames delivered"
done
