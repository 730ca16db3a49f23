#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-lib-linger.sh - frames a client sends just before vde_close() are not
# lost when the switch then sends to it. The kernel purges a datagram
# socket's receive queue when a send to its dead connected peer fails, so a
# switch that floods a frame to a client that has just closed would discard
# the frames that client sent last. vde_close() lingers until the switch has
# read them. Made deterministic by stopping the switch (SIGSTOP): C's
# broadcasts are queued first, then A sends its 8 frames and closes; when
# the switch resumes it floods C's frames to A before it reads A's. The
# receiver B must get all 16 frames, A's byte for byte.
. "$top_srcdir/tests/lib/env.sh"
CLIENT=$(bin vdeplug_client)

spawn sw.log vde_switch --nostdin -s "$TMP/sw" -p "$TMP/sw.pid"
PSW=$LASTPID
wait_for test -s "$TMP/sw.pid" || fail "switch did not start"
fastpath_check "$TMP/sw"

"$CLIENT" -r 16 -t 20 -R "$TMP/b.ready" "$TMP/sw" >"$TMP/b.out" 2>"$TMP/b.log" &
PB=$!
PIDS+=("$PB")
spawn a.log "$CLIENT" -n 8 -l 100 -S 5 -o "$TMP/a.sent" -R "$TMP/a.ready" \
	-W "$TMP/a.go" -A "$TMP/a.done" -t 20 "$TMP/sw"
PA=$LASTPID
spawn c.log "$CLIENT" -n 8 -l 100 -S 6 -o "$TMP/c.sent" -R "$TMP/c.ready" \
	-W "$TMP/c.go" -A "$TMP/c.done" -t 20 "$TMP/sw"
for f in a b c; do
	wait_for test -s "$TMP/$f.ready" || fail "client $f did not connect"
done

kill -STOP "$PSW"
touch "$TMP/c.go"
wait_for test -e "$TMP/c.done" || { kill -CONT "$PSW"; fail "C did not send"; }
touch "$TMP/a.go"
wait_for test -e "$TMP/a.done" || { kill -CONT "$PSW"; fail "A did not send"; }
# without lingering A is gone at once; with it, A sleeps (nanosleep or
# clock_nanosleep) until the switch has read its frames
gone_or_lingering() {
	! kill -0 "$PA" 2>/dev/null || grep -qE '^(35|230) ' "/proc/$PA/syscall"
}
wait_for gone_or_lingering || { kill -CONT "$PSW"; fail "A neither closed nor lingered"; }
kill -CONT "$PSW"

WAIT_SECS=15 wait_for eval '! kill -0 "$PB"' || fail "B got $(wc -l <"$TMP/b.out") of 16 frames"
wait "$PB" || fail "B failed: $(wc -l <"$TMP/b.out") of 16 frames"
[ "$(wc -l <"$TMP/b.out")" = 16 ] || fail "B got $(wc -l <"$TMP/b.out") frames, not 16"
while read -r line; do
	grep -qx "$line" "$TMP/b.out" || fail "a frame A sent before closing was lost"
done <"$TMP/a.sent"
pass "all 16 frames delivered, A's 8 last frames included"
