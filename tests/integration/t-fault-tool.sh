#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-fault-tool.sh - a poll loop tool whose poll fails (lib/common/tool.c,
# tool_wait()): vde_plug with tests/lib/faultinj.c making ppoll() fail, in
# its three modes (stream on stdin/stdout, a command, a cable). The
# promise (tool.h): "poll: why" logged, the loop ends, exit 1 with the end
# summary; no busy loop, no hang; a frame read before is sent, a command
# started is stopped.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/lib/faultinj.sh"

# run LOG RULES ARGS...: vde_plug -v ARGS with the faults, 10 s at most;
# its stderr in $TMP/LOG, its status in RC
run() {
	local log=$1 rules=$2
	shift 2
	fault_cmd "$rules" vde_plug
	RC=0
	timeout 10 "${FAULT_CMD[@]}" -v "$@" 2>"$TMP/$log" || RC=$?
	[ $RC != 124 ] || fail "vde_plug $* did not end after a poll failure: $(cat "$TMP/$log")"
}
want() {
	grep -q "$2" "$TMP/$1" || fail "$1: no '$2' in: $(cat "$TMP/$1")"
}

# stream: one frame (2-byte length, 14 bytes) on stdin, read in the first
# round and sent; the second ppoll fails, before the end of the input
printf '\000\016\377\377\377\377\377\377\002\000\000\000\000\001\210\265' >"$TMP/frame"
: >"$FAULT_LOG"
run stream.err 'ppoll,after=1,errno=ENOMEM' null:// <"$TMP/frame" >"$TMP/stream.out"
fault_seen '^ppoll.*-> ENOMEM' || fail "stream: the fault did not happen"
[ $RC = 1 ] || fail "stream: exit $RC after a poll failure: $(cat "$TMP/stream.err")"
want stream.err "^vde_plug: poll: Cannot allocate memory$"
want stream.err "^vde_plug: I/O error; frames sent 1, received 0, dropped 0$"
pass "stream mode: poll failing ends vde_plug with exit 1, the reason and the summary (the frame read was sent)"

# a command: it is started, the first ppoll fails, the command is stopped
: >"$FAULT_LOG"
run cmd.err 'ppoll,errno=EINVAL' null:// = sleep 30
fault_seen '^ppoll.*-> EINVAL' || fail "command: the fault did not happen"
[ $RC = 1 ] || fail "command: exit $RC after a poll failure: $(cat "$TMP/cmd.err")"
want cmd.err "^vde_plug: poll: Invalid argument$"
want cmd.err "^vde_plug: I/O error; frames sent 0"
pid=$(sed -n 's/^vde_plug: started sleep (pid \([0-9]*\))$/\1/p' "$TMP/cmd.err")
[ -n "$pid" ] || fail "command: no pid in: $(cat "$TMP/cmd.err")"
WAIT_SECS=10 wait_for sh -c "! kill -0 $pid" || { kill "$pid"; fail "command: sleep $pid left running"; }
pass "command mode: poll failing ends vde_plug with exit 1 and stops the command"

# a cable between two null networks
: >"$FAULT_LOG"
run cable.err 'ppoll,errno=ENOMEM' null:// null://
fault_seen '^ppoll.*-> ENOMEM' || fail "cable: the fault did not happen"
[ $RC = 1 ] || fail "cable: exit $RC after a poll failure: $(cat "$TMP/cable.err")"
want cable.err "^vde_plug: poll: Cannot allocate memory$"
pass "cable mode: poll failing ends vde_plug with exit 1 and the reason"
