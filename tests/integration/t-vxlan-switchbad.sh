#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-vxlan-switchbad.sh - malformed VXLAN packets reaching the switch's own
# VTEP (vde_switch --vxlan) are dropped and counted in port/stats, never
# forwarded: from namespace s, t-vxlan-bad's sender sends to the switch in
# namespace o (IPv4 and IPv6 underlay) a short header, no I flag, a
# reserved flag bit, a reserved byte, another VNI, a runt inner frame, a
# header alone, an empty datagram and a 20 KB frame (above the switch's
# largest frame), each followed by a good broadcast frame. A vde_plug on
# the switch receives exactly the good frames, and each drop counter is
# exact.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/tap-lib.sh"
. "$top_srcdir/tests/integration/vxlan-lib.sh"
. "$top_srcdir/tests/integration/switch-common.sh"
need_root
REC=$top_srcdir/tests/integration/lib-records.py
nrec() { [ "$(python3 "$REC" count "$1")" -ge "$2" ]; }
swstat() {
	body "$1" port/stats | sed -n "s/.*endpoint ID [0-9]* vxlan:.* $2 \([0-9]*\).*/\1/p" | head -n 1
}
mkns s o
underlay s us o uo 1
CASES="short noflag resflag resbyte vni runt empty zero big"
for fam in 4 6; do
	if [ $fam = 4 ]; then peer=10.99.0.1 me=10.99.0.2; else peer=fd99::1 me=fd99::2; fi
	sw=sw$fam
	spawn "$sw.log" ip netns exec "$ID-o" "$SWITCH" -s "$TMP/$sw" -M "$TMP/$sw.mgmt" --nostdin \
		-p "$TMP/$sw.pid" --vxlan "vxlan://$peer/vni=42"
	swpid=$LASTPID
	WAIT_SECS=10 wait_for test -s "$TMP/$sw.pid" || fail "switch --vxlan did not start"
	mkfifo "$TMP/in$fam"
	spawn "p$fam.log" sh -c 'exec vde_plug "$1" <"$2" >"$3"' sh "$TMP/$sw" "$TMP/in$fam" "$TMP/p$fam.out"
	exec 7>"$TMP/in$fam"
	WAIT_SECS=10 wait_for eval "[ \$(body $sw port/print | grep -c ' -- endpoint') -ge 2 ]" ||
		fail "vde_plug did not connect: $(body $sw port/print)"
	i=0
	for c in $CASES; do
		n s $FRAMES vxlan "$me" 4789 "$c" || fail "send $c"
		n s $FRAMES vxlan "$me" 4789 good || fail "send good"
		i=$((i + 1))
		WAIT_SECS=10 wait_for nrec "$TMP/p$fam.out" $i ||
			fail "IPv$fam: good packet after '$c' not forwarded"
	done
	echo "# IPv$fam: $(body $sw port/stats | grep endpoint)"
	st() { swstat "$sw" "$1"; }
	[ "$(st drop_short)" = 2 ] || fail "IPv$fam drop_short $(st drop_short), want 2 (short, zero)"
	[ "$(st drop_flags)" = 3 ] || fail "IPv$fam drop_flags $(st drop_flags), want 3"
	[ "$(st drop_vni)" = 1 ] || fail "IPv$fam drop_vni $(st drop_vni)"
	[ "$(st drop_runt)" = 2 ] || fail "IPv$fam drop_runt $(st drop_runt), want 2 (runt, empty)"
	[ "$(st drop_big)" = 1 ] || fail "IPv$fam drop_big $(st drop_big)"
	[ "$(st rx)" = "$i" ] || fail "IPv$fam rx $(st rx)"
	kill -TERM "$swpid"
	wait_gone "$swpid"
	exec 7>&-
	[ "$(python3 "$REC" count "$TMP/p$fam.out")" = "$i" ] ||
		fail "IPv$fam: $(python3 "$REC" count "$TMP/p$fam.out") frames out, want $i"
	python3 "$REC" dec "$TMP/p$fam.out" "$TMP/p$fam.hex"
	grep -qv '^ffffffffffff02000000ee0188b5626164' "$TMP/p$fam.hex" &&
		fail "IPv$fam: a frame that is not the good one came out"
	pass "IPv$fam: $CASES dropped and counted by the switch's VTEP, $i good frames forwarded"
done
