#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-fault-iplog.sh - iplog's log file when its FIFO cannot be made
# non-blocking (switch/iplog.c): our vde_switch with tests/lib/faultinj.c
# making iplog's fcntl(F_SETFL) fail on FIFOs. iplog/logfile must refuse the FIFO
# (1005, the reason in the switch's log), keep the log file it had (lines
# still go there), leave no descriptor of the FIFO open, and never block
# on it; a regular file is not concerned. Then lines that cannot be
# written (writev() failing with ENOSPC): said, then counted, not lost
# without a word (they were logged at debug level only).
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/switch-common.sh"
. "$top_srcdir/tests/lib/faultinj.sh"
S=$TMP/s

# tool_open_out() makes the FIFO blocking (its first F_SETFL, let through),
# then iplog makes it non-blocking: that one fails; and the third and fourth
# line written to the regular log file fail as on a full disk
fault_cmd 'fcntl,cmd=F_SETFL,fd=fifo,after=1,errno=EPERM;writev,path=ip.log,after=2,times=2,errno=ENOSPC' vde_switch
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
pass "iplog/logfile to a FIFO that cannot be non-blocking: 1005, the reason logged, the old log kept"

# lines that cannot be written (ENOSPC): said once with the reason, then
# counted when a line goes again
newip 3
newip 4
wait_for grep -q "iplog $TMP/ip.log: No space left on device: lines lost" "$TMP/sw.log" ||
	fail "a line lost to a write error not said: $(cat "$TMP/sw.log")"
fault_seen '^writev.*-> ENOSPC' || fail "the writev fault did not happen"
newip 5
wait_for grep -q "ipv4 10.1.0.5 " "$TMP/ip.log" || fail "no line after the write errors"
grep -q "iplog $TMP/ip.log: 2 lines lost to write errors" "$TMP/sw.log" ||
	fail "the lines lost not counted: $(cat "$TMP/sw.log")"
[ "$(grep -c "No space left" "$TMP/sw.log")" = 1 ] || fail "the reason said more than once"
grep -q "ipv4 10.1.0.[34] " "$TMP/ip.log" && fail "a line that failed is in the file"
kill "$SWPID"
WAIT_SECS=10 wait_for sh -c "! kill -0 $SWPID" || fail "the switch did not stop"
wait "$SWPID" || fail "the switch exited with $?: $(tail -3 "$TMP/sw.log")"
exec 7>&-
pass "iplog lines lost to write errors: the reason said once, then the 2 lost counted"
