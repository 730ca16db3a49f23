#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-tool-signals.sh - a tool whose input never stops (an endless stream of
# zero-length records: /dev/zero) still sees SIGTERM and SIGINT at once and
# exits 0, counting the empty records as drops: vde_plug in stream mode, in
# COMMAND mode (the command writes the zeros) and wirefilter; dpipe's stages
# end when dpipe is killed with SIGKILL, a nested dpipe's stages too.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/plug-lib.sh"

start_switch sw

# stop_within NAME PID SIG: PID must end within 10 s of SIG, status 0
stop_within() {
	kill -"$3" "$2" || fail "$1: not running before $3"
	wait_exit "$2" 10
	[ "$RC" = 0 ] || fail "$1: status $RC after SIG$3"
}
busy() {	# busy PID: it has used CPU (it is reading the zeros)
	local t
	t=$(awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null) || return 1
	[ "$t" -gt 5 ]
}

for sig in TERM INT; do
	"$PLUG" -v "$TMP/sw" </dev/zero >/dev/null 2>"$TMP/z$sig.log" &
	pid=$!
	PIDS+=($pid)
	WAIT_SECS=20 wait_for busy $pid || fail "vde_plug </dev/zero did not start reading"
	stop_within "vde_plug </dev/zero" $pid $sig
	grep -q "zero-length records in the input stream (dropped)" "$TMP/z$sig.log" ||
		fail "no count of the empty records: $(cat "$TMP/z$sig.log")"
done

"$PLUG" -v "$TMP/sw" = cat /dev/zero </dev/null >/dev/null 2>"$TMP/zc.log" &
pid=$!
PIDS+=($pid)
WAIT_SECS=20 wait_for busy $pid || fail "vde_plug = cat /dev/zero did not start reading"
stop_within "vde_plug = cat /dev/zero" $pid TERM

# a reader that never reads: the plug's output fills up, and it still ends
# at once on SIGTERM (it waits for POLLOUT with a bounded backlog, never in
# a blocking write)
mkfifo "$TMP/stall" "$TMP/stall.in"
exec {stall_r}<>"$TMP/stall"		# held open, never read
exec {stall_w}<>"$TMP/stall.in"		# the plug's stdin: open, silent
"$PLUG" -v "$TMP/sw" <"$TMP/stall.in" >"$TMP/stall" 2>"$TMP/stall.log" &
stalled=$!
PIDS+=($stalled)
wait_for grep -q "connected to" "$TMP/stall.log" || fail "stalled plug did not connect"
start_plug flood "$TMP/sw"
frames 02:00:00:00:00:0f ff:ff:ff:ff:ff:ff flood $(for i in $(seq 500); do echo 1514; done) >"$TMP/flood.bin"
# the pipe to the reader is full (>= 60000 bytes waiting in it)
pipe_full() {
	python3 - "$TMP/stall" <<'PY'
import fcntl, os, struct, sys, termios
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
n = struct.unpack('i', fcntl.ioctl(fd, termios.FIONREAD, b'\0' * 4))[0]
sys.exit(0 if n >= 60000 else 1)
PY
}
# (the switch drops what the stalled plug does not read: flood until full)
fill() { send flood "$TMP/flood.bin"; pipe_full; }
WAIT_SECS=30 wait_for fill || fail "the stalled plug's output did not fill up"
stop_within "vde_plug with a stalled reader" $stalled TERM
exec {stall_r}>&- {stall_w}>&-

# wirefilter between stdin/stdout and a switch
WF=$(bin wirefilter)
cat /dev/zero | "$WF" -v "-:$TMP/sw" >/dev/null 2>"$TMP/wf.log" &
pid=$!
PIDS+=($pid)
WAIT_SECS=20 wait_for busy $pid || fail "wirefilter </dev/zero did not start reading: $(cat "$TMP/wf.log")"
stop_within "wirefilter </dev/zero" $pid TERM

# vde_plug2tap -s - (root: its tap lives in a namespace of ours)
if [ "$(id -u)" = 0 ] && [ -c /dev/net/tun ] && ip netns list >/dev/null 2>&1; then
	mkns sig
	ip netns exec "$ID-sig" "$(bin vde_plug2tap)" -s - tapz </dev/zero >/dev/null 2>"$TMP/p2t.log" &
	pid=$!
	PIDS+=($pid)
	WAIT_SECS=20 wait_for busy $pid || fail "vde_plug2tap </dev/zero did not start reading: $(cat "$TMP/p2t.log")"
	stop_within "vde_plug2tap -s - </dev/zero" $pid TERM
fi

# dpipe killed with SIGKILL: its stages (and a nested dpipe's) end too
printf 'echo $$ >"$0.$1.pid"; exec sleep 600\n' >"$TMP/stage"
"$DPIPE" sh "$TMP/stage" a = sh -c 'exec "$0" sh "$1" b = sh "$1" c' "$DPIPE" "$TMP/stage" \
	</dev/null >"$TMP/dp.log" 2>&1 &
dp=$!
PIDS+=($dp)
for s in a b c; do
	wait_for test -s "$TMP/stage.$s.pid" || fail "stage $s did not start: $(cat "$TMP/dp.log")"
	PIDS+=("$(cat "$TMP/stage.$s.pid")")
done
kill -KILL $dp
for s in a b c; do
	WAIT_SECS=10 wait_for gone "$(cat "$TMP/stage.$s.pid")" || fail "stage $s outlived dpipe's SIGKILL"
done
pass "stop signals are seen under an endless input; dpipe stages end with dpipe"
