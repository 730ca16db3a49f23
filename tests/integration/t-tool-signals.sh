#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-tool-signals.sh - a tool whose input never stops (an endless stream of
# zero-length records: /dev/zero, of valid frames, of garbage) still sees
# SIGTERM and SIGINT at once and exits 0, counting the empty records as
# drops: vde_plug in stream mode, in COMMAND mode (the command writes the
# zeros), wirefilter (stream and two VNLs under a flood), vde_cryptcab -s -
# and slirpvde -, the three with a console flooded with commands, and
# timers still fire (vde_cryptcab's keepalive under endless garbage); a
# stdout reader that never reads does not hold vde_plug, vde_cryptcab,
# slirpvde or wirefilter; dpipe's stages end when dpipe is killed with
# SIGKILL, a nested dpipe's stages too.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/plug-lib.sh"

start_switch sw

# stop_within NAME PID SIG: PID must end within 10 s of SIG, status 0
stop_within() {
	kill -"$3" "$2" || fail "$1: not running before $3"
	WAIT_SECS=10 wait_for gone "$2" || fail "$1: still running 10 s after SIG$3"
	wait_exit "$2" 10
	[ "$RC" = 0 ] || fail "$1: status $RC after SIG$3"
}
# pipe_full_at FIFO: >= 32 KiB wait in it and a writer may not write
# (poll says no POLLOUT: every buffer slot is taken; a blocking writer
# would sleep now)
pipe_full_at() {
	python3 - "$1" <<'PY'
import fcntl, os, select, struct, sys, termios
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
n = struct.unpack('i', fcntl.ioctl(fd, termios.FIONREAD, b'\0' * 4))[0]
w = os.open(sys.argv[1], os.O_WRONLY | os.O_NONBLOCK)
p = select.poll()
p.register(w, select.POLLOUT)
sys.exit(0 if n >= 32768 and not p.poll(0) else 1)
PY
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
# the pipe to the reader is full
pipe_full() { pipe_full_at "$TMP/stall"; }
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

# endless inputs of another kind: valid frames without end (forever.py
# frames), garbage without end (forever.py garbage: lengths above the
# limit, the parser resynchronises byte by byte), zeros (/dev/zero)
cat >"$TMP/forever.py" <<'PY'
import os, struct, sys
mode = sys.argv[1]
if mode == 'frames':	# ARP who-has 10.0.2.2 from 10.0.2.15, broadcast
    f = (b'\xff' * 6 + b'\x52\x54\x00\x12\x34\x56' + b'\x08\x06' +
         b'\x00\x01\x08\x00\x06\x04\x00\x01' + b'\x52\x54\x00\x12\x34\x56' +
         bytes([10, 0, 2, 15]) + b'\x00' * 6 + bytes([10, 0, 2, 2]) + b'\x00' * 18)
    chunk = (struct.pack('>H', len(f)) + f) * 256
else:			# garbage: 0xff bytes, an impossible length at every offset
    chunk = b'\xff' * 65536
try:
    while True:
        os.write(1, chunk)
except OSError:
    pass
PY
forever() {
	if [ "$1" = zero ]; then exec cat /dev/zero; fi
	exec python3 "$TMP/forever.py" "$1"
}
CAB=$(bin vde_cryptcab)
SLIRP=$(bin slirpvde)
( umask 077; "$CAB" genpsk >"$TMP/psk" ) || fail "genpsk"
# endless_case NAME INPUT CMD...: CMD reads INPUT (zero, frames, garbage)
# without end; it must be busy, then end at once on SIGTERM/SIGINT
k=0
endless_case() {
	local name=$1 input=$2 sig pid
	shift 2
	for sig in TERM INT; do
		k=$((k + 1))
		# a pipe: epoll refuses /dev/zero itself
		( forever "$input" ) | "$@" >/dev/null 2>"$TMP/e$k.log" &
		pid=$!
		PIDS+=($pid)
		WAIT_SECS=20 wait_for busy $pid || fail "$name <$input did not start reading: $(cat "$TMP/e$k.log")"
		stop_within "$name <$input" $pid $sig
	done
}
for input in zero frames garbage; do
	endless_case "vde_cryptcab -s -" $input "$CAB" -s - -c 127.0.0.1:9 -P "$TMP/psk"
	endless_case "slirpvde -" $input "$SLIRP" -q -
	endless_case "wirefilter -v -:VNL" $input "$WF" -v "-:$TMP/sw"
done

# a console flooded with commands (a client that writes "showinfo"
# without end and reads the answers): SIGTERM/SIGINT still end the daemon
console_flood() {	# console_flood NAME MGMT PID SIG
	local i=0
	( yes showinfo | socat - "UNIX-CONNECT:$2" >/dev/null 2>&1 ) &
	PIDS+=($!)
	WAIT_SECS=20 wait_for busy $3 || fail "$1: the console flood did not start"
	stop_within "$1 with a flooded console" $3 $4
}
mkfifo "$TMP/conin"
exec {conin}<>"$TMP/conin"
for sig in TERM INT; do
	"$WF" -M "$TMP/wfc$sig.mgmt" "$TMP/sw" null:// <"$TMP/conin" >/dev/null 2>"$TMP/wfc$sig.log" &
	pid=$!
	PIDS+=($pid)
	wait_for sock_ready "$TMP/wfc$sig.mgmt" || fail "wirefilter -M: no console"
	console_flood "wirefilter" "$TMP/wfc$sig.mgmt" $pid $sig
	"$CAB" -s "$TMP/sw" -c 127.0.0.1:9 -P "$TMP/psk" -M "$TMP/cab$sig.mgmt" \
		</dev/null >/dev/null 2>"$TMP/cabc$sig.log" &
	pid=$!
	PIDS+=($pid)
	wait_for sock_ready "$TMP/cab$sig.mgmt" || fail "vde_cryptcab -M: no console: $(cat "$TMP/cabc$sig.log")"
	console_flood "vde_cryptcab" "$TMP/cab$sig.mgmt" $pid $sig
	"$SLIRP" -q -M "$TMP/sl$sig.mgmt" -s "$TMP/sw" </dev/null >/dev/null 2>"$TMP/slc$sig.log" &
	pid=$!
	PIDS+=($pid)
	wait_for sock_ready "$TMP/sl$sig.mgmt" || fail "slirpvde -M: no console: $(cat "$TMP/slc$sig.log")"
	console_flood "slirpvde" "$TMP/sl$sig.mgmt" $pid $sig
done
exec {conin}>&-

# timers still fire under an endless input: a vde_cryptcab client fed
# garbage without end sends its keepalive every second (-k 1), counted by
# the server, and still ends at once on SIGTERM
KS=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$CAB" -s "$TMP/sw" -p "$KS" -P "$TMP/psk" -M "$TMP/ka.mgmt" </dev/null >/dev/null 2>"$TMP/ka.log" &
PIDS+=($!)
wait_for sock_ready "$TMP/ka.mgmt" || fail "keepalive server: $(cat "$TMP/ka.log")"
( forever garbage ) | "$CAB" -s - -c "127.0.0.1:$KS" -P "$TMP/psk" -k 1 >/dev/null 2>"$TMP/kacli.log" &
kacli=$!
PIDS+=($kacli)
keepalives() {	# keepalives N: the server counted >= N
	local v
	v=$(printf 'stats\nlogout\n' | timeout 10 socat - "UNIX-CONNECT:$TMP/ka.mgmt" |
		awk '$1 == "rx_keepalive" {print $2}')
	[ "${v:-0}" -ge "$1" ]
}
WAIT_SECS=30 wait_for keepalives 3 || fail "no keepalives from a client under endless garbage: $(cat "$TMP/kacli.log")"
busy $kacli || fail "the keepalive client is not reading its input"
stop_within "vde_cryptcab -s - -k 1 <garbage" $kacli TERM

# wirefilter between two VNLs, one always readable: a plug floods the
# switch with broadcast frames read from an endless stream
start_switch sw2
( forever frames ) | "$PLUG" "$TMP/sw2" >/dev/null 2>"$TMP/flood2.log" &
PIDS+=($!)
mkfifo "$TMP/wfcon"
exec {wfcon}<>"$TMP/wfcon"		# its stdin console: open, silent
for sig in TERM INT; do
	"$WF" "$TMP/sw2" "$TMP/sw" <"$TMP/wfcon" >/dev/null 2>"$TMP/wf2$sig.log" &
	pid=$!
	PIDS+=($pid)
	WAIT_SECS=20 wait_for busy $pid || fail "wirefilter VNL VNL under a flood did not start: $(cat "$TMP/wf2$sig.log")"
	stop_within "wirefilter VNL VNL under a flood" $pid $sig
done
exec {wfcon}>&-

# vde_cryptcab -s - and slirpvde -: a stdout reader that never reads. They
# keep their backlog, drop past it, and still end at once on SIGTERM (stdout
# is non-blocking, as in vde_plug, never a blocking write)
PS=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkfifo "$TMP/cabout" "$TMP/cabin" "$TMP/slout"
exec {cab_r}<>"$TMP/cabout" {cab_w}<>"$TMP/cabin" {sl_r}<>"$TMP/slout"
"$CAB" -v -s - -p "$PS" -P "$TMP/psk" --pidfile "$TMP/cabsrv.pid" -M "$TMP/cab.mgmt" <"$TMP/cabin" >"$TMP/cabout" \
	2>"$TMP/cabsrv.log" &
cabsrv=$!
PIDS+=($cabsrv)
WAIT_SECS=20 wait_for test -s "$TMP/cabsrv.pid" || fail "vde_cryptcab server: $(cat "$TMP/cabsrv.log")"
( forever frames ) | "$CAB" -v -s - -c "127.0.0.1:$PS" -P "$TMP/psk" >/dev/null 2>"$TMP/cabcli.log" &
PIDS+=($!)
WAIT_SECS=30 wait_for pipe_full_at "$TMP/cabout" ||
	fail "vde_cryptcab's stdout did not fill up: $(cat "$TMP/cabsrv.log" "$TMP/cabcli.log"
		printf 'stats\nlogout\n' | timeout 10 socat - "UNIX-CONNECT:$TMP/cab.mgmt")"
stop_within "vde_cryptcab -s - with a stalled reader" $cabsrv TERM
( forever frames ) | "$SLIRP" -q - >"$TMP/slout" 2>"$TMP/slirp.log" &
slirp=$!
PIDS+=($slirp)
WAIT_SECS=30 wait_for pipe_full_at "$TMP/slout" || fail "slirpvde's stdout did not fill up: $(cat "$TMP/slirp.log")"
stop_within "slirpvde - with a stalled reader" $slirp TERM
# wirefilter -v -:VNL: its stdout stalled while the flood on sw2 goes on;
# SIGTERM ends it at once (its last flush at exit never waits on a signal)
mkfifo "$TMP/wfout" "$TMP/wfin"
exec {wf_r}<>"$TMP/wfout" {wf_w}<>"$TMP/wfin"
"$WF" -v "-:$TMP/sw2" <"$TMP/wfin" >"$TMP/wfout" 2>"$TMP/wfstall.log" &
wfstall=$!
PIDS+=($wfstall)
WAIT_SECS=30 wait_for pipe_full_at "$TMP/wfout" || fail "wirefilter's stdout did not fill up: $(cat "$TMP/wfstall.log")"
stop_within "wirefilter -v -:VNL with a stalled reader" $wfstall TERM
exec {cab_r}>&- {cab_w}>&- {sl_r}>&- {wf_r}>&- {wf_w}>&-

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
