#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-console-fds.sh - a console out of file descriptors pauses accept
# instead of spinning: wirefilter and slirpvde run with "ulimit -n 16",
# sessions are opened until one more stays in the backlog; then the daemon
# must stay (nearly) idle (< 200 ms of CPU in 2 s, where a spinning loop
# takes all it gets), log the refusal, and serve the waiting client as soon
# as descriptors are free again.
. "$top_srcdir/tests/lib/env.sh"
CC="python3 $top_srcdir/tests/integration/console-client.py"

check_daemon() {	# NAME PID SOCK LOG
	local name=$1 pid=$2 sock=$3 log=$4 ms
	wait_for sock_ready "$sock" || fail "$name: no console"
	$CC hold "$sock" 12 "$TMP/$name.held" &
	local holder=$!
	PIDS+=("$holder")
	WAIT_SECS=60 wait_for test -s "$TMP/$name.held" || fail "$name: sessions not opened"
	[ "$(head -1 "$TMP/$name.held")" -lt 12 ] ||
		fail "$name: all 12 sessions got in with ulimit -n 16?"
	ms=$($CC cpu "$pid" 2) || fail "$name: cpu"
	[ "$ms" -lt 200 ] || fail "$name: ${ms} ms of CPU in 2 s with a connection it cannot accept"
	kill -0 "$pid" || fail "$name: died"
	wait_for grep -q 'cannot accept a connection (Too many open files): paused' "$TMP/$log" ||
		fail "$name: no refusal logged: $(cat "$TMP/$log")"
	# a client waits in the backlog; freeing descriptors lets it in
	$CC banner "$sock" 15 &
	local waiter=$!
	sleep 0.5	# (only so that the waiter is queued before the others leave)
	kill "$holder"
	wait "$holder" 2>/dev/null
	wait "$waiter" || fail "$name: the waiting client was not served once fds were free"
	pass "$name: accept paused out of fds (${ms} ms CPU in 2 s), resumed after"
}

mkfifo "$TMP/wfin" "$TMP/slin"
exec 7<>"$TMP/wfin" 8<>"$TMP/slin"
spawn wf.log bash -c 'ulimit -n 16 && exec "$@" <&7' _ "$(bin wirefilter)" -M "$TMP/wm"
check_daemon wirefilter "$LASTPID" "$TMP/wm" wf.log
spawn sl.log bash -c 'ulimit -n 16 && exec "$@" <&8' _ "$(bin slirpvde)" -s - -M "$TMP/sm"
check_daemon slirpvde "$LASTPID" "$TMP/sm" sl.log
