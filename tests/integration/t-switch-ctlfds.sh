#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-switch-ctlfds.sh - the ctl socket under pressure (issue 14, items 8, 15):
#  - out of file descriptors (ulimit -n 16, then more clients than fit), the
#    switch neither spins (CPU time over 2 s near 0) nor floods its log (one
#    line per 10 s), counts the refusals in ctlrefused, and serves the client
#    that waited as soon as descriptors are free again;
#  - a flood of bad requests is logged 10 lines per second plus one summary
#    line per second, and every refusal is accounted for (logged, summed,
#    and counted in port/stats).
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/switch-common.sh"
command -v python3 >/dev/null || skip "needs python3"
CLIENT="python3 $top_srcdir/tests/integration/ctl-attack.py"


# ---- out of fds
spawn sw.log bash -c 'ulimit -n 16 && exec "$@"' ulimit "$SWITCH" -s "$TMP/sw" \
	-M "$TMP/sw.mgmt" --nostdin -p "$TMP/sw.pid"
SWPID=$LASTPID
wait_for test -s "$TMP/sw.pid" || fail "switch did not start with 16 fds"
spawn hold.log $CLIENT hold "$TMP/sw/ctl" 30 "$TMP/stop"
wait_for grep -q holding "$TMP/hold.log" || fail "holder did not connect"
wait_for grep -q 'Too many open files' "$TMP/sw.log" || fail "the switch never ran out of fds"
spawn wait.log $CLIENT wait "$TMP/sw/ctl" "$TMP/w.sock" 25
no_spin "$SWPID" "the switch out of fds"
grep -q granted "$TMP/wait.log" && fail "the waiting client was served while out of fds?"
n=$(grep -c 'Too many open files' "$TMP/sw.log")
[ "$n" = 1 ] || fail "$n log lines about the lack of fds in 2 s (want 1): $(grep -m3 'Too many' "$TMP/sw.log")"
grep -q 'cannot accept a connection (Too many open files): paused' "$TMP/sw.log" ||
	fail "refusal line: $(grep 'Too many' "$TMP/sw.log")"
touch "$TMP/stop"
WAIT_SECS=15 wait_for grep -q granted "$TMP/wait.log" ||
	fail "the waiting client was not served once fds were free: $(cat "$TMP/wait.log")"
stats=$(body sw port/stats)
r=$(echo "$stats" | sed -n 's/.*ctlrefused \([0-9]*\).*/\1/p')
[ -n "$r" ] && [ "$r" -ge 1 ] || fail "accept refusals not counted: $stats"
pass "out of fds: no spin, one log line, $r refusals counted, the waiting client served"

# ---- a flood of bad requests
start_switch sw2
out=$($CLIENT flood "$TMP/sw2/ctl" 20000) || fail "flood: $out"
echo "$out"
secs=$(echo "$out" | awk '{ print int($4) + 1 }')
# the summary of the last second comes when that second ends
WAIT_SECS=5 wait_for test "$(body sw2 port/stats | sed -n 's/.*ctlrefused \([0-9]*\).*/\1/p')" = 20000 ||
	fail "ctlrefused: $(body sw2 port/stats)"
sleep 1.2	# let the last window end: its summary is due within 1 s
one=$(grep -c 'request refused' "$TMP/sw2.log")
sums=$(grep -c 'more requests refused' "$TMP/sw2.log")
summed=$(grep -o '[0-9]* more requests refused' "$TMP/sw2.log" | awk '{ s += $1 } END { print s + 0 }')
echo "20000 refusals in $secs s: $one lines, $sums summaries of $summed"
[ "$one" -le $((10 * (secs + 2))) ] || fail "$one refusal lines for 20000 refusals in $secs s"
[ "$sums" -le $((secs + 2)) ] || fail "$sums summary lines in $secs s"
[ $((one + summed)) = 20000 ] || fail "logged $one + summed $summed != 20000 refusals"
pass "20000 bad requests: $one lines and $sums summaries"
