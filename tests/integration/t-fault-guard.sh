#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-fault-guard.sh - the SIGBUS guard of guest memory (lib/vhost/guard.c)
# when its system calls fail, in our vde_switch with a vhost-user port and
# tests/vhost_front as the guest, tests/lib/faultinj.c making them fail:
# 1. sigaction(SIGBUS) fails once: that guest is refused with the reason
#    and its cause (errno) logged (no guest memory used unwatched), the
#    switch goes on, and the next guest gets the guard (installed then):
#    its memory file shrinking costs it its connection, not the switch
#    its life;
# 2. the handler's mmap() of zero pages fails: the fault goes where it
#    would have gone without the guard, the switch dies of it at once (no
#    loop of faults, no hang).
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/lib-helpers.sh"
. "$top_srcdir/tests/lib/faultinj.sh"
FRONT=$(bin vhost_front)
G=$TMP/g.sock

# start RULES: our switch with a vhost-user socket $G on port 3
start() {
	: >"$TMP/sw.log"
	fault_cmd "$1" vde_switch
	"${FAULT_CMD[@]}" -s "$TMP/sw" -M "$TMP/sw.mgmt" --nostdin --vhost-user "$G:3" \
		2>"$TMP/sw.log" </dev/null &
	SW=$!
	PIDS+=("$SW")
	wait_for sock_ready "$TMP/sw.mgmt" || fail "switch: no mgmt socket: $(cat "$TMP/sw.log")"
	fastpath_check "$TMP/sw"
	wait_for test -S "$G" || fail "switch did not listen on $G"
}
said() { grep -qF "port 3: guest disconnected: $1" "$TMP/sw.log"; }

start 'sigaction,sig=SIGBUS,times=1,errno=EINVAL'
rc=0
out=$("$FRONT" -n 5 -l 60 -t 10 "$G" 2>&1) || rc=$?
[ $rc = 1 ] || fail "a guest whose memory cannot be watched: exit $rc: $out"
fault_seen '^sigaction.*-> EINVAL' || fail "the sigaction fault did not happen"
wait_for said "cannot watch a memory region: Invalid argument" ||
	fail "no reason logged for the refused guest: $(cat "$TMP/sw.log")"
"$FRONT" -n 5 -l 60 -t 10 "$G" || fail "the next guest (the guard installed now): exit $?"
out=$("$FRONT" -E shrink -t 10 "$G" 2>&1) || fail "a guest shrinking its memory: $out"
wait_for said "guest memory: its file shrank while mapped" ||
	fail "the shrink not caught by the guard: $(cat "$TMP/sw.log")"
kill -0 "$SW" || fail "the switch died: $(cat "$TMP/sw.log")"
kill "$SW"
wait "$SW" || fail "the switch exited with $?: $(tail -3 "$TMP/sw.log")"
pass "sigaction(SIGBUS) failing: that guest refused with the reason, the next one guarded"

# 2. no core file of the death expected here
ulimit -c 0
start 'mmap,fixed=1,errno=ENOMEM'
"$FRONT" -n 5 -l 60 -t 10 "$G" || fail "a guest before the fault: exit $?"
"$FRONT" -E shrink -t 10 "$G" >"$TMP/front.log" 2>&1 &
F=$!
PIDS+=("$F")
WAIT_SECS=10 wait_for sh -c "! kill -0 $SW" || fail "the switch still runs after a fault it could not mend"
rc=0
wait "$SW" || rc=$?
fault_seen '^mmap.*-> ENOMEM' || fail "the mmap fault did not happen (exit $rc): $(cat "$TMP/sw.log")"
# SIGBUS, or SIGABRT from the sanitizer's report of it
[ $rc = $((128 + $(kill -l BUS))) ] || grep -q "AddressSanitizer.*BUS" "$TMP/sw.log" ||
	fail "the switch ended with $rc, not of SIGBUS: $(tail -5 "$TMP/sw.log")"
WAIT_SECS=15 wait_for sh -c "! kill -0 $F" || fail "the guest did not end"
pass "the guard's mmap() failing: the switch dies of the SIGBUS at once (exit $rc), as without the guard"
