#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-switch-shortcut-vnet.sh - shortcuts between rings that take super-frames
# (vde_switch --shortcuts, docs/fastpath.md section 10), end to end with
# vde_plug2tap in three namespaces made here:
#  a, b  vde_plug2tap with offloads: VNET rings with a control channel;
#  c     vde_plug2tap --no-offload: a plain ring.
#  1. 32 MiB of TCP a -> b (socat, cmp): the transfer crosses on VNET
#     shortcuts both ways (port/stats: a's sc_frames > 0 with more than
#     1514 bytes a frame, so super-frames went whole), port/stats counts
#     them on both ports (in on a's, out on b's, super in/out) and in the
#     switch's totals, as if they had crossed the switch.
#  2. The same while console commands (vlan/create, each while a part of
#     it flows) withdraw every shortcut 8 times: exact, new grants follow.
#  3. A capture started in the middle withdraws them: exact.
#  4. A plain ring to a VNET ring: c -> b on a plain shortcut (c's
#     sc_frames > 0, at most 1514 bytes a frame), exact; b -> c (super-frames
#     to a plain ring): no shortcut to c, the switch cuts them, exact.
TEST_TIMEOUT=300
. "$top_srcdir/tests/lib/env.sh"
# about the rings themselves (NOFASTPATH_RING_TESTS in tests/integration/local.am)
[ "${VDEPLUG_FASTPATH-}" = 0 ] && skip "needs the fast path on: VDEPLUG_FASTPATH=0 is in the environment"
. "$top_srcdir/tests/integration/tap-lib.sh"
need_root
P2T=$(bin vde_plug2tap)
bin vde_switch >/dev/null
CAPT=$(bin vdecapture)
command -v socat >/dev/null || fail "socat is needed"

mkns a b c
SW=$TMP/sw
spawn sw.log vde_switch --nostdin --shortcuts -s "$SW" -M "$SW.mgmt"
wait_for sock_ready "$SW/ctl" || fail "switch did not start"
wait_for sock_ready "$SW.mgmt" || fail "no mgmt socket"
mgmt() { printf '%s\n' "$1" | socat -t 1 - "UNIX-CONNECT:$SW.mgmt" 2>/dev/null; }
# ring PORT FIELD: the value of FIELD on the ring line of PORT in port/stats
ring() {
	mgmt port/stats | awk -v p="$1" -v f="$2" '/^Port /{ q = $2 + 0 }
		q == p && /^  -- endpoint ID .* ring:/ {
			for (i = 1; i < NF; i++) if ($i == f) { print $(i + 1); exit } }'
}
# portc PORT N: the Nth number of PORT's line in port/stats (1 in_pkts,
# 2 in_bytes, 3 out_pkts, 4 out_bytes)
portc() {
	mgmt port/stats | awk -v p="$1" -v n="$2" '$1 == "Port" && $2 + 0 == p {
		split("4 5 7 8", c, " "); print $(c[n]); exit }'
}
# superc PORT in|out: the port's offload counter (0 if none)
superc() {
	mgmt port/stats | awk -v p="$1" -v w="$2" '/^Port /{ q = $2 + 0 }
		q == p && /^  -- offload super/ { print (w == "in" ? $5 : $7); f = 1; exit }
		END { if (!f) print 0 }'
}
# total FIELD: the switch's totals line of port/stats (frames, unicast)
total() {
	mgmt port/stats | awk -v f="$1" '$1 == "frames" {
		for (i = 1; i < NF; i++) if ($i == f) { print $(i + 1); exit } }'
}

spawn a.log n a "$P2T" -s "$SW" -p 1 tap0
spawn b.log n b "$P2T" -s "$SW" -p 2 tap0
spawn c.log n c "$P2T" --no-offload -s "$SW" -p 3 tap0
tap_up a tap0 10.83.0.1
tap_up b tap0 10.83.0.2
tap_up c tap0 10.83.0.3
reach a 10.83.0.2 || fail "no ping a -> b"
reach c 10.83.0.2 || fail "no ping c -> b"
for p in 1 2; do
	[ "$(ring $p vnet)" = 1 ] || fail "port $p is not a VNET ring: $(mgmt port/stats)"
	[ -n "$(ring $p sc_grants)" ] || fail "port $p (VNET ring) has no shortcut channel: $(mgmt port/stats)"
done
[ "$(ring 3 vnet)" = 0 ] && [ -n "$(ring 3 sc_grants)" ] ||
	fail "port 3 is not a plain ring with a channel: $(mgmt port/stats)"
pass "a, b on VNET rings and c on a plain ring, all three with a shortcut channel"

# A transfer fed by the test, a MiB at a time, so that it can act in the
# middle of it: feed_start FROM TO ADDR PORT MIB, feed FIRST N (MiB FIRST..,
# written in the background: the test acts while they flow; feed_wait
# waits for them), feed_end (EOF, the receiver's file compared).
feed_start() {
	head -c "$(($5 * 1048576))" /dev/urandom >"$TMP/data"
	rm -f "$TMP/recv" "$TMP/feed"
	mkfifo "$TMP/feed"
	spawn "rx$4.log" n "$2" socat -u "TCP-LISTEN:$4,reuseaddr" OPEN:"$TMP/recv",creat,trunc
	PRX=$LASTPID
	WAIT_SECS=10 wait_for eval "n $2 ss -ltn | grep -q ':$4 '" || fail "socat did not listen"
	spawn "tx$4.log" n "$1" timeout 120 socat -u OPEN:"$TMP/feed" "TCP:$3:$4"
	PTX=$LASTPID
	exec {FEED}>"$TMP/feed"
}
feed() {
	timeout 60 dd if="$TMP/data" bs=1048576 skip="$1" count="$2" status=none >&"$FEED" &
	PDD=$!
}
feed_wait() { wait "$PDD" || fail "feeding the transfer failed (or took 60 s)"; }
feed_end() {
	local rc=0
	exec {FEED}>&-
	WAIT_SECS=130 wait_for eval "! kill -0 $PTX 2>/dev/null" || fail "sender did not finish"
	wait "$PTX" || rc=$?
	[ "$rc" = 0 ] || fail "TCP sender exited $rc: $(cat "$TMP/tx$1.log")"
	wait_gone "$PRX"
	[ "$RC" = 0 ] || fail "socat receiver exited $RC"
	cmp "$TMP/data" "$TMP/recv" || fail "TCP payload differs"
}

# 1. a -> b on VNET shortcuts
f0=$(total frames) u0=$(total unicast) sf0=$(ring 1 sc_frames) bf0=$(ring 2 sc_frames)
xfer a b 10.83.0.2 5301 33554432
sf=$(ring 1 sc_frames) sb=$(ring 1 sc_bytes) bf=$(ring 2 sc_frames)
[ "${sf:-0}" -gt 0 ] || fail "a sent nothing on a shortcut: $(mgmt port/stats)"
[ "${bf:-0}" -gt 0 ] || fail "b (ACKs) sent nothing on a shortcut: $(mgmt port/stats)"
[ $((sb / sf)) -gt 1514 ] || fail "a's shortcut frames are not super-frames: $sb bytes in $sf frames"
[ "$(ring 1 sc_grants)" -ge 1 ] && [ "$(ring 2 shortcuts_in)" -ge 1 ] ||
	fail "no shortcut a -> b in port/stats: $(mgmt port/stats)"
pass "32 MiB a -> b exact, $sf frames of $((sb / sf)) bytes on average on a's shortcut"
# what went round the switch is counted as if it had crossed it
[ "$(portc 1 1)" -ge "$sf" ] && [ "$(portc 2 3)" -ge "$sf" ] &&
	[ "$(portc 1 2)" -ge "$sb" ] && [ "$(portc 2 4)" -ge "$sb" ] ||
	fail "a's shortcut frames ($sf, $sb bytes) not in the ports' counters: $(mgmt port/stats)"
[ "$(superc 1 in)" -gt 0 ] && [ "$(superc 2 out)" -gt 0 ] ||
	fail "no super-frame counted in on a's port, out on b's: $(mgmt port/stats)"
n=$((sf + bf - sf0 - bf0))
[ $(($(total frames) - f0)) -ge $n ] && [ $(($(total unicast) - u0)) -ge $n ] ||
	fail "the switch's totals miss the shortcuts' $n frames: frames $f0 -> $(total frames)," \
	     "unicast $u0 -> $(total unicast): $(mgmt port/stats)"
pass "port/stats: in/out, super in/out and the switch's totals count the shortcuts' frames"

# 2. withdrawals in the middle of a transfer: a console command while
# each of 8 MiB 2..31 flows (a shortcut a -> b is live before each)
g0=$(ring 1 sc_grants)
feed_start a b 10.83.0.2 5302 32
feed 0 2
feed_wait
for k in $(seq 2 4 30); do
	WAIT_SECS=10 wait_for eval '[ "$(ring 1 shortcuts_out)" = 1 ]' ||
		fail "no shortcut a -> b before MiB $k: $(mgmt port/stats)"
	feed "$k" 4
	mgmt "vlan/create $((k + 100))" >/dev/null
	feed_wait
done
feed_end 5302
g1=$(ring 1 sc_grants)
[ "$g1" -ge $((g0 + 8)) ] || fail "not a new shortcut after each withdrawal: grants $g0 -> $g1"
pass "32 MiB a -> b exact while 8 console commands withdrew the shortcuts ($((g1 - g0)) grants)"

# 3. a capture started while a transfer flows (it records what crosses)
feed_start a b 10.83.0.2 5303 16
feed 0 4
feed_wait
WAIT_SECS=10 wait_for eval '[ "$(ring 1 shortcuts_out)" = 1 ]' ||
	fail "no shortcut a -> b before the capture: $(mgmt port/stats)"
feed 4 12
spawn cap.log "$CAPT" -c 200 -w "$TMP/cap.pcap" "$SW"
PCAP=$LASTPID
feed_wait
feed_end 5303
WAIT_SECS=30 wait_for eval "! kill -0 $PCAP" || kill -TERM "$PCAP" 2>/dev/null
wait_gone "$PCAP"
[ -s "$TMP/cap.pcap" ] || fail "the capture recorded nothing: $(cat "$TMP/cap.log")"
pass "16 MiB a -> b exact across a capture started in the middle"

# 4. plain ring -> VNET ring: a plain shortcut; VNET ring -> plain ring: none
c0=$(ring 3 sc_frames)
xfer c b 10.83.0.2 5304 8388608
cf=$(ring 3 sc_frames) cb=$(ring 3 sc_bytes)
[ "$cf" -gt "$c0" ] || fail "c (plain ring) sent nothing on a shortcut to b: $(mgmt port/stats)"
[ $((cb / cf)) -le 1514 ] || fail "c's shortcut carried more than wire frames: $cb bytes, $cf frames"
pass "8 MiB c (plain ring) -> b (VNET ring) exact, $((cf - c0)) frames on a plain shortcut"
xfer b c 10.83.0.3 5305 8388608
[ "$(ring 3 shortcuts_in)" = 0 ] || fail "c (plain ring) receives on a shortcut from a VNET ring: $(mgmt port/stats)"
mgmt port/stats | grep -q 'offload super in [0-9]* out [0-9]* cut [1-9]' ||
	fail "the switch cut no super-frame for c: $(mgmt port/stats)"
pass "8 MiB b (VNET ring) -> c (plain ring) exact, through the switch (super-frames cut)"
