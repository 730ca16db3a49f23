#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-fault-tool.sh - a poll loop tool whose poll fails (lib/common/tool.c,
# tool_wait()): vde_plug with tests/lib/faultinj.c making ppoll() fail, in
# its three modes (stream on stdin/stdout, a command, a cable). The
# promise (tool.h): "poll: why" logged, the loop ends, exit 1 with the end
# summary; no busy loop, no hang; a frame read before is sent, a command
# started is stopped. And (no fault injected) vde_plug's output to a file
# that reaches the size limit (ulimit -f): the write error named, exit 1
# (SIGXFSZ killed it).
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/lib/faultinj.sh"
. "$top_srcdir/tests/integration/lib-helpers.sh"

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

# output to a file at the size limit: vde_plug on one end of a ptp:// cable
# writes what comes to a file under ulimit -f 4 (4 KiB); 20 frames of 1514
# bytes come from the other end (its input: a FIFO this script holds open)
P=$TMP/ptp
mkfifo "$TMP/in"
exec 8<>"$TMP/in"
(ulimit -f 4 && exec vde_plug -v "ptp://$P" 8>&-) >"$TMP/big.out" 2>"$TMP/big.err" <"$TMP/in" &
PLUG=$!
PIDS+=("$PLUG")
wait_for test -S "$P" || fail "vde_plug ptp:// did not listen: $(cat "$TMP/big.err")"
timeout 10 "$CLIENT" -n 20 -l 1514 "ptp://$P" >/dev/null 2>"$TMP/client.err" ||
	fail "the other end: $(cat "$TMP/client.err")"
WAIT_SECS=10 wait_for sh -c "! kill -0 $PLUG" || fail "vde_plug still runs past the size limit"
RC=0
wait "$PLUG" || RC=$?
[ $RC = 1 ] || fail "vde_plug at the file size limit: exit $RC: $(cat "$TMP/big.err")"
# the cause (EFBIG) and the side are said, also when the write that fails
# is that of the backlog (the flush path said nothing)
want big.err "^vde_plug: write to stdout: File too large$"
want big.err "^vde_plug: I/O error; frames sent 0, received [0-9]"
exec 8>&-
pass "vde_plug's output at the file size limit: the cause named, exit 1"

# the commands vde_plug starts (= COMMAND, and cmd:// through the library)
# get SIGXFSZ back to its default, as SIGPIPE; their stdin is the plug's
# output (empty), their stderr ours
xfsz_ignored() {	# the SigIgn mask of the command's shell, SIGXFSZ's bit
	grep -q "^SigIgn" "$TMP/$1" || fail "$1: no SigIgn line: $(cat "$TMP/$1")"
	local mask
	mask=$(sed -n 's/^SigIgn:[[:space:]]*//p' "$TMP/$1")
	(( 0x$mask & (1 << ($(kill -l XFSZ) - 1)) ))
}
probe='grep ^SigIgn /proc/$$/status >&2'
timeout 10 vde_plug null:// = sh -c "$probe" </dev/null >/dev/null 2>"$TMP/eq.err"
xfsz_ignored eq.err && fail "= COMMAND: SIGXFSZ ignored in the command"
timeout 10 vde_plug "cmd://\"sh -c '$probe'\"" </dev/null >/dev/null 2>"$TMP/cmd.err"
xfsz_ignored cmd.err && fail "cmd://: SIGXFSZ ignored in the command"
pass "the commands vde_plug starts have SIGXFSZ at its default"
