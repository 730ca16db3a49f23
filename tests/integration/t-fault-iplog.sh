#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-fault-iplog.sh - iplog's log file when its FIFO cannot be made
# non-blocking (switch/iplog.c): our vde_switch with tests/lib/faultinj.c
# making iplog's fcntl(F_SETFL) fail on FIFOs. iplog/logfile must refuse the FIFO
# (1005, the reason in the switch's log), keep the log file it had (lines
# still go there), leave no descriptor of the FIFO open, and never block
# on it; a regular file is not concerned.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/switch-common.sh"
. "$top_srcdir/tests/lib/faultinj.sh"
S=$TMP/s

# tool_open_out() makes the FIFO blocking (its first F_SETFL, let through),
# then iplog makes it non-blocking: that one fails
fault_cmd 'fcntl,cmd=F_SETFL,fd=fifo,after=1,errno=EPERM' vde_switch
"${FAULT_CMD[@]}" -s "$S" -M "$S.mgmt" --nostdin -p "$TMP/s.pid" >"$TMP/sw.log" 2>&1 &
PIDS+=($!)
SWPID=$!
wait_for test -s "$TMP/s.pid" || fail "our switch did not start: $(cat "$TMP/sw.log")"
fastpath_check "$S"
con() {
	[ "$(status s "$1")" = "1000 Success" ] || fail "$1: $(mgmt s "$1")"
}
# newip N: a frame from 10.1.0.N into port 1
newip() {
	printf 'open a 1\nsendhex a ffffffffffff02000000000108004500001400000000401100000a0100%02x0a000001%s\n' \
		"$1" "$(printf '%052d' 0)" | timeout 10 "$PROBE" "$S" >/dev/null || fail "a frame from 10.1.0.$1"
}
con "plugin/add iplog"
con "iplog/ipadd 10.0.0.0/8"
con "iplog/logfile $TMP/ip.log"
newip 1
wait_for grep -q "ipv4 10.1.0.1 " "$TMP/ip.log" || fail "no line in the regular log file"

mkfifo "$TMP/fifo"
exec 7<>"$TMP/fifo"
st=$(status s "iplog/logfile $TMP/fifo")
[ "$st" = "1005 Input/output error" ] || fail "a FIFO that cannot be non-blocking: '$st'"
fault_seen '^fcntl.*-> EPERM' || fail "the F_SETFL fault did not happen"
grep -q "iplog $TMP/fifo: cannot write without blocking: Operation not permitted" "$TMP/sw.log" ||
	fail "no reason in the switch's log: $(cat "$TMP/sw.log")"
body s "iplog/showinfo" | grep -qx "log on file $TMP/ip.log" ||
	fail "the log file before the refusal is gone: $(body s iplog/showinfo)"
ls -l "/proc/$SWPID/fd" | grep -q "$TMP/fifo" && fail "the refused FIFO is still open in the switch"
newip 2
wait_for grep -q "ipv4 10.1.0.2 " "$TMP/ip.log" || fail "no line in the log file kept"
python3 -c '
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
try:
    d = os.read(fd, 4096)
except BlockingIOError:
    d = b""
sys.exit("the FIFO got %r" % d[:80] if d else 0)
' "$TMP/fifo" || fail "something went into the refused FIFO"
[ "$(status s 'port/showinfo')" = "1000 Success" ] || fail "the switch after the refusal"
kill "$SWPID"
WAIT_SECS=10 wait_for sh -c "! kill -0 $SWPID" || fail "the switch did not stop"
wait "$SWPID" || fail "the switch exited with $?: $(tail -3 "$TMP/sw.log")"
exec 7>&-
pass "iplog/logfile to a FIFO that cannot be non-blocking: 1005, the reason logged, the old log kept"
