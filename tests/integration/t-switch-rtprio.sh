#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-switch-rtprio.sh - vde_switch --rtprio N: the daemon (-d) that
# serves, not the parent that returned, runs as SCHED_FIFO at PRIO with
# the reset-on-fork flag; it forwards (pings, and 8 MiB over TCP exact
# between two taps in two namespaces) and sits idle without using CPU; a
# user who may not raise its priority gets a clear error, exit status 1,
# and nothing left behind; a priority out of 1-99 is refused; wirefilter
# --daemon --rtprio sets it in its daemon too, and refuses a user without
# the right the same way.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/tap-lib.sh"
need_root
command -v chrt >/dev/null || skip "no chrt"
command -v setpriv >/dev/null || skip "no setpriv"

mkns a b
n a vde_switch -d -s "$TMP/sw" -p "$TMP/sw.pid" --rtprio 7 -t tap0 -t tap1 \
	2>"$TMP/start.err" || fail "switch -d --rtprio 7 failed: $(cat "$TMP/start.err")"
PSW=$(cat "$TMP/sw.pid")
PIDS+=("$PSW")
pol=$(chrt -p "$PSW") || fail "chrt -p $PSW"
[[ "$pol" == *"scheduling policy: SCHED_FIFO|SCHED_RESET_ON_FORK"* ]] || fail "policy: $pol"
[[ "$pol" == *"scheduling priority: 7"* ]] || fail "priority: $pol"
pass "the daemon runs SCHED_FIFO|SCHED_RESET_ON_FORK at 7"

ipn a link set tap1 netns "$ID-b" || fail "tap1 to b"
tap_up a tap0 10.81.0.1
tap_up b tap1 10.81.0.2
ping_both a 10.81.0.1 b 10.81.0.2
head -c 8388608 /dev/urandom >"$TMP/data"
spawn recv.log n b socat -u TCP-LISTEN:5611,reuseaddr OPEN:"$TMP/recv",creat,trunc
WAIT_SECS=10 wait_for eval "n b ss -ltn | grep -q ':5611 '" || fail "no listener"
timeout 60 ip netns exec "$ID-a" socat -u OPEN:"$TMP/data" TCP:10.81.0.2:5611 ||
	fail "TCP transfer failed"
wait_gone "$LASTPID"
cmp -s "$TMP/data" "$TMP/recv" || fail "8 MiB over TCP not exact"
pass "pings and 8 MiB over TCP, exact"

no_spin "$PSW" "the idle switch at real-time priority"
pass "idle at real-time priority: no spin"

kill "$PSW"
wait_for eval "! kill -0 $PSW 2>/dev/null" || fail "switch did not stop"
[ -e "$TMP/sw" ] && fail "switch left its directory"
pass "stops cleanly"

# A user without the right: RLIMIT_RTPRIO 0 and no CAP_SYS_NICE.
chmod o+x "$TMP" && mkdir -m 1777 "$TMP/u" || fail "mkdir"
for d in "" -d; do
	rc=0
	out=$(prlimit --rtprio=0 setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$(bin vde_switch)" $d --nostdin -s "$TMP/u/sw" --rtprio 5 2>&1 </dev/null) || rc=$?
	[ "$rc" = 1 ] || fail "unprivileged ${d:-foreground}: exit $rc: $out"
	want="vde_switch: rtprio 5: Operation not permitted (needs root, CAP_SYS_NICE or an RLIMIT_RTPRIO that allows it)"
	[[ "$out" == *"$want"* ]] || fail "unprivileged ${d:-foreground} message: $out"
	[ -e "$TMP/u/sw" ] && fail "refused switch (${d:-foreground}) left $TMP/u/sw"
done
pass "unprivileged: clear error, exit 1, nothing left"

for bad in 0 100 x; do
	rc=0
	out=$(vde_switch --nostdin -s "$TMP/bad" --rtprio "$bad" 2>&1 </dev/null) || rc=$?
	[ "$rc" = 1 ] || fail "--rtprio $bad: exit $rc"
	[[ "$out" == "vde_switch: rtprio $bad: "* ]] || fail "--rtprio $bad: $out"
	[ -e "$TMP/bad" ] && fail "--rtprio $bad: the switch started"
done
pass "priorities out of 1-99 refused"

# wirefilter's --rtprio is the same (tool_rtprio()): set in the daemon
# that serves, not lost at the fork of --daemon
for s in s1 s2; do
	spawn "$s.log" vde_switch --nostdin -s "$TMP/$s" -p "$TMP/$s.pid"
	wait_for test -s "$TMP/$s.pid" || fail "switch $s did not start"
done
wirefilter --daemon --pidfile "$TMP/wf.pid" --rtprio 6 "$TMP/s1" "$TMP/s2" 2>"$TMP/wf.err" ||
	fail "wirefilter --daemon --rtprio 6: $(cat "$TMP/wf.err")"
PWF=$(cat "$TMP/wf.pid")
PIDS+=("$PWF")
pol=$(chrt -p "$PWF") || fail "chrt -p $PWF"
[[ "$pol" == *"SCHED_FIFO|SCHED_RESET_ON_FORK"* && "$pol" == *"priority: 6"* ]] ||
	fail "wirefilter policy: $pol"
pass "wirefilter --daemon --rtprio 6: the daemon runs SCHED_FIFO|SCHED_RESET_ON_FORK at 6"
# and refuses the same way without the right
rc=0
out=$(prlimit --rtprio=0 setpriv --reuid=nobody --regid=nogroup --clear-groups \
	"$(bin wirefilter)" --rtprio 5 null:// null:// 2>&1 </dev/null) || rc=$?
[ "$rc" = 1 ] && [[ "$out" == *"wirefilter: rtprio 5: Operation not permitted (needs root, CAP_SYS_NICE"* ]] ||
	fail "unprivileged wirefilter --rtprio 5: exit $rc: $out"
pass "unprivileged wirefilter --rtprio: clear error, exit 1"
