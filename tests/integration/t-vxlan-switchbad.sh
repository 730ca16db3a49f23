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
# exact. Then the route to the peer refuses: broadcast frames from the
# vde_plug, flooded to the peer, are counted lost (senderr) as well as
# refused (tx_err). Unusable VNLs stop the start-up with status 1.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/tap-lib.sh"
. "$top_srcdir/tests/integration/vxlan-lib.sh"
. "$top_srcdir/tests/integration/switch-common.sh"
need_root
mkns s o
underlay s us o uo 1
# vxsenderr SW: senderr of the port of SW's VXLAN endpoint
vxsenderr() {
	body "$1" port/stats | awk '/^Port / { for (i = 1; i < NF; i++) if ($i == "senderr") s = $(i + 1) }
		/ -- endpoint .* vxlan:/ { print s; exit }'
}
# a VNL that is not a usable vxlan:// stops the start-up with a message
for v in "vxlan://notanip/vni=42" "vxlan://10.99.0.1/vni=99999999" "tap://tap9" \
	"vxlan://10.99.0.1/if=nosuchif0"; do
	rc=0
	n o timeout 10 "$SWITCH" --nostdin -s "$TMP/bad" --vxlan "$v" 2>"$TMP/bad.err" || rc=$?
	[ $rc = 1 ] && grep -qF "vxlan $v: " "$TMP/bad.err" ||
		fail "--vxlan $v: exit $rc, $(cat "$TMP/bad.err")"
done
pass "unusable --vxlan VNLs refused with status 1 and a message"
for fam in 4 6; do
	if [ $fam = 4 ]; then peer=10.99.0.1 me=10.99.0.2; else peer=fd99::1 me=fd99::2; fi
	sw=sw$fam
	spawn "$sw.log" ip netns exec "$ID-o" "$SWITCH" -s "$TMP/$sw" -M "$TMP/$sw.mgmt" --nostdin \
		-p "$TMP/$sw.pid" --vxlan "vxlan://$peer/vni=42"
	swpid=$LASTPID
	WAIT_SECS=10 wait_for test -s "$TMP/$sw.pid" || fail "switch --vxlan did not start"
	fastpath_check "$TMP/$sw"
	mkfifo "$TMP/in$fam"
	spawn "p$fam.log" sh -c 'exec vde_plug "$1" <"$2" >"$3"' sh "$TMP/$sw" "$TMP/in$fam" "$TMP/p$fam.out"
	exec 7>"$TMP/in$fam"
	WAIT_SECS=10 wait_for eval "[ \$(body $sw port/print | grep -c ' -- endpoint') -ge 2 ]" ||
		fail "vde_plug did not connect: $(body $sw port/print)"
	bad_send s "$me" "$TMP/p$fam.out" "IPv$fam"
	echo "# IPv$fam: $(body $sw port/stats | grep endpoint)"
	st() { swstat "$sw" "$1"; }
	bad_check "IPv$fam" st
	# sends the kernel refuses (a route that rejects the peer): each
	# datagram counted in tx_err, each frame lost in the port's senderr,
	# a flooded one (broadcast) as well as a unicast one
	ipn o route add unreachable "$peer" || fail "IPv$fam: unreachable route to $peer"
	b_e=$(st tx_err) b_s=$(vxsenderr "$sw")
	python3 "$top_srcdir/tests/integration/plugframes.py" gen 02:00:00:00:00:77 \
		ff:ff:ff:ff:ff:ff refused 60 60 60 60 60 >&7 || fail "write frames"
	WAIT_SECS=10 wait_for eval '[ "$(st tx_err)" -ge $((b_e + 5)) ]' ||
		fail "IPv$fam: refused sends: tx_err $(st tx_err), want $((b_e + 5))"
	[ "$(vxsenderr "$sw")" = $((b_s + 5)) ] ||
		fail "IPv$fam: 5 flooded frames refused, senderr +$(($(vxsenderr "$sw") - b_s))"
	ipn o route del unreachable "$peer" || fail "IPv$fam: route back"
	kill -TERM "$swpid"
	wait_gone "$swpid"
	[ "$RC" = 0 ] || fail "IPv$fam: switch exited $RC: $(cat "$TMP/$sw.log")"
	exec 7>&-
	bad_out "IPv$fam" "$TMP/p$fam.out"
	pass "IPv$fam: $BAD_CASES dropped and counted by the switch's VTEP, $NGOOD good frames forwarded; refused flooded frames counted lost"
done
