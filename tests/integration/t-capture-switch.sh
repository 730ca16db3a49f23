#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-capture-switch.sh - capture ports of our vde_switch, used by vdecapture run
# as an unprivileged user this test creates: every frame the switch accepts
# (one interface per port, inbound), one port in both directions (-i), one
# VLAN (--vlan), bytes equal to what was sent; a capture that stops reading
# loses copies at the switch, counted from the sequence numbers, while the
# ports still get every frame; the port ACLs decide who may capture.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/capture-lib.sh"
TEST_TIMEOUT=240

cap_user
[ -x "$top_builddir/switch/vde_switch" ] || skip "our vde_switch is not built"
S=$TMP/sw
# a lab switch run by root that ordinary users may plug into
"$SW" -d -s "$S" -p "$TMP/sw.pid" -M "$TMP/sw.mgmt" -m 666 --dirmode 755 >"$TMP/sw.log" 2>&1 </dev/null ||
	fail "vde_switch failed"
wait_for test -s "$TMP/sw.pid" || fail "switch: no pidfile"
fastpath_check "$S"
PIDS+=("$(cat "$TMP/sw.pid")")
wait_for sock_ready "$S/ctl" || fail "switch: no ctl socket"
for c in "vlan/create 10" "port/create 3" "port/create 4" "port/setvlan 3 10" \
	"port/setvlan 4 10"; do
	mgmt "$TMP/sw.mgmt" "$c"
done

started() { grep -q 'vdecapture: listening' "$TMP/$1"; }
ubg all.log "$CAP" -w "$U/all.pcapng" "$S"
all=$LASTPID
ubg p2.log "$CAP" -i 2 -w "$U/p2.pcapng" "$S"
p2=$LASTPID
ubg v10.log "$CAP" --vlan 10 -w "$U/v10.pcap" "$S"
v10=$LASTPID
ubg snap.log "$CAP" -s 64 -w "$U/snap.pcapng" "vde://$S"	# the switch as a locator
snap=$LASTPID
for l in all.log p2.log v10.log snap.log; do
	wait_for started $l || fail "$l: $(cat "$TMP/$l")"
done
[ "$(stat -c %U "/proc/$all")" = "$CAPUSER" ] || fail "vdecapture does not run as $CAPUSER"
console() { printf '%s\n' "$1" | socat -t 1 - "UNIX-CONNECT:$TMP/sw.mgmt" 2>/dev/null; }
console port/capture >"$TMP/pc.txt"
for f in "port all vlan all snaplen 0" "port 2 vlan all snaplen 0" "port all vlan 10 snaplen 0" \
	"port all vlan all snaplen 64"; do
	grep -q "^capture fd [0-9]* $f copies 0 dropped 0 received_dropped 0 \"vdecapture PID=" \
		"$TMP/pc.txt" || fail "port/capture lacks '$f': $(cat "$TMP/pc.txt")"
done

# port 1 -> port 2, then port 2 -> port 1, then port 3 -> port 4 (VLAN 10)
recv_start r2 "vde://$S[2]" 5
send c1 "vde://$S[1]" 5 80 1
recv_done r2
recv_start r1 "vde://$S[1]" 4
send c2 "vde://$S[2]" 4 120 2
recv_done r1
recv_start r4 "vde://$S[4]" 3
send c3 "vde://$S[3]" 3 90 3
recv_done r4
cmp -s "$TMP/c1.sent" "$TMP/r2.out" && cmp -s "$TMP/c2.sent" "$TMP/r1.out" &&
	cmp -s "$TMP/c3.sent" "$TMP/r4.out" || fail "the ports did not get the frames sent"
for p in $all $p2 $v10 $snap; do stop "$p"; [ "$RC" = 0 ] || fail "vdecapture exit $RC"; done

python3 "$PCAPREAD" frames "$U/all.pcapng" | awk '{print $1, $2, $3}' >"$TMP/all.txt" ||
	fail "reader rejects all.pcapng"
{
	sed 's/^/in port1 /' "$TMP/c1.sent"
	sed 's/^/in port2 /' "$TMP/c2.sent"
	sed 's/^/in port3 /' "$TMP/c3.sent"
} >"$TMP/all.want"
cmp -s "$TMP/all.want" "$TMP/all.txt" || fail "every-port capture: $(cut -c1-40 "$TMP/all.txt")"
python3 "$PCAPREAD" frames "$U/p2.pcapng" | awk '{print $1, $2, $3}' >"$TMP/p2.txt"
{
	sed 's/^/out port2 /' "$TMP/c1.sent"
	sed 's/^/in port2 /' "$TMP/c2.sent"
} >"$TMP/p2.want"
cmp -s "$TMP/p2.want" "$TMP/p2.txt" || fail "-i 2 capture: $(cut -c1-40 "$TMP/p2.txt")"
frames "$U/v10.pcap" | cmp -s - "$TMP/c3.sent" || fail "--vlan 10 capture: $(frames "$U/v10.pcap" | wc -l) frames"
[ "$(tcpdump -r "$U/all.pcapng" -nn 2>/dev/null | grep -c '^[0-9][0-9]:')" = 12 ] ||
	fail "tcpdump -r all.pcapng"
# -s 64: the switch sends 64 bytes of each frame, the original length is kept
cat "$TMP/c1.sent" "$TMP/c2.sent" "$TMP/c3.sent" | cut -c1-128 >"$TMP/snap.want"
frames "$U/snap.pcapng" | cmp -s - "$TMP/snap.want" || fail "-s 64: copies not cut to 64 bytes"
tcpdump -r "$U/snap.pcapng" -nn -e 2>/dev/null | grep '^[0-9]' | head -n 1 | grep -q 'length 80' ||
	fail "-s 64: original length 80 not kept"
for l in all.log p2.log v10.log snap.log; do
	[ "$(summary $l 'frames lost by the switch')" = 0 ] || fail "$l: copies lost on an idle switch"
done
pass "every port, -i 2 both directions, --vlan 10, -s 64: frames, ports, directions and bytes"

# what a capture client sends is dropped, not forwarded
recv_start r9 "vde://$S[1]" 1
mkfifo "$TMP/cc.in"
python3 "$top_srcdir/tests/integration/capture-client.py" "$S" 5 <"$TMP/cc.in" >"$TMP/cc.out" 2>&1 &
PIDS+=($!)
exec {ccin}>"$TMP/cc.in"
wait_for grep -q 'sent 5' "$TMP/cc.out" || fail "capture client: $(cat "$TMP/cc.out")"
send x1 "vde://$S[2]" 1 60 9
recv_done r9
cmp -s "$TMP/x1.sent" "$TMP/r9.out" || fail "a capture port's own frames were forwarded"
ccdropped() { console port/capture | grep -q 'received_dropped 5 "capture-client"'; }
wait_for ccdropped || fail "port/capture: $(console port/capture)"
exec {ccin}>&-
pass "a capture port's own frames are not forwarded"

# a capture that stops reading: the switch drops copies (counted by the
# client from the sequence numbers), the ports still get every frame
ubg slow.log "$CAP" -w "$U/slow.pcapng" "$S"
slow=$LASTPID
wait_for started slow.log || fail "slow capture did not start"
kill -STOP "$slow"
# (the switch's capture socket buffer is 4 MiB: 5000 frames of 1400 bytes overflow it)
recv_start r2 "vde://$S[2]" 5000
for s in 10 11 12 13 14 15 16 17 18 19; do
	send "d$s" "vde://$S[1]" 500 1400 "$s"
	wait_for nlines "$TMP/r2.out" $(( (s - 9) * 500 )) || fail "a stopped capture slowed or lost frames"
done
recv_done r2
console port/capture | grep -q "dropped [1-9]" || fail "port/capture shows no drop of the stopped capture"
kill -CONT "$slow"
recv_start r2b "vde://$S[2]" 1
send d20 "vde://$S[1]" 1 60 20
recv_done r2b
captured() { [ "$(frames "$U/slow.pcapng" 2>/dev/null | tail -n 1)" = "$(cat "$TMP/d20.sent")" ]; }
wait_for captured || fail "the capture did not resume"
stop "$slow"
cap=$(summary slow.log 'frames captured')
lost=$(summary slow.log 'frames lost by the switch')
drop=$(summary slow.log 'frames dropped')
[ -n "$cap" ] && [ -n "$lost" ] || fail "no summary: $(cat "$TMP/slow.log")"
[ "$lost" -gt 0 ] || fail "a stopped capture lost no copy: $(cat "$TMP/slow.log")"
[ $((cap + lost + drop)) = 5001 ] || fail "captured $cap + lost $lost + dropped $drop != 5001"
pass "stopped capture: $lost copies lost at the switch and counted, 5001 frames delivered"

# port ACLs: a port reserved to root cannot be captured by the user
mgmt "$TMP/sw.mgmt" "port/create 5"
mgmt "$TMP/sw.mgmt" "port/setuser 5 root"
ubg acl.log "$CAP" -i 5 -w "$U/acl.pcap" "$S"
acl=$LASTPID
wait_for gone "$acl" || fail "capture of a reserved port not refused"
wait "$acl"
[ $? = 1 ] && grep -q "refused the capture port" "$TMP/acl.log" || fail "acl: $(cat "$TMP/acl.log")"
ubg acl2.log "$CAP" -w "$U/acl2.pcap" "$S"
acl2=$LASTPID
wait_for gone "$acl2" || fail "capture of every port (one reserved) not refused"
grep -q "refused the capture port" "$TMP/acl2.log" || fail "acl2: $(cat "$TMP/acl2.log")"
"$CAP" -c 1 -i 5 -w "$TMP/root.pcap" "$S" 2>"$TMP/root.log" &
rootcap=$!
PIDS+=($rootcap)
wait_for started root.log || fail "root may not capture port 5: $(cat "$TMP/root.log")"
stop "$rootcap"
pass "port ACLs: the user may not capture a root port, root may"
