#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-tool-daemon.sh - `-d` returns only when the daemon is ready, and fails
# visibly when start-up fails after the fork (lib/common/daemon.c):
#  - right after `vde_switch -d -p PID` and `vde_plug -d -p PID A B` exit 0,
#    the pid file exists and the switch's ctl socket accepts (10 runs each);
#  - `dpipe -d true = nosuchcmd` exits non-zero and names the command;
#  - with NOTIFY_SOCKET set, vde_switch, vde_plug and dpipe send READY=1
#    (systemd's notify datagram) once ready, and STOPPING=1 at the end.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/plug-lib.sh"

for i in $(seq 10); do
	d=$TMP/s$i
	"$SW" -s "$d" -d -p "$d.pid" </dev/null >"$TMP/s$i.log" 2>&1 || fail "vde_switch -d run $i: status $?"
	# no waiting: -d returned, so everything must be there now
	[ -s "$d.pid" ] || fail "run $i: vde_switch -d returned before its pid file existed"
	PIDS+=("$(cat "$d.pid")")
	fastpath_check "$d"
	sock_ready "$d/ctl" || fail "run $i: vde_switch -d returned before its ctl socket listened"
done
for i in $(seq 10); do
	"$PLUG" -d -p "$TMP/p$i.pid" "$TMP/s1" "$TMP/s2" </dev/null >"$TMP/p$i.log" 2>&1 ||
		fail "vde_plug -d run $i: status $? $(cat "$TMP/p$i.log")"
	[ -s "$TMP/p$i.pid" ] || fail "run $i: vde_plug -d returned before its pid file existed"
	PIDS+=("$(cat "$TMP/p$i.pid")")
done

# start-up failure after the fork: non-zero and the reason on stderr
out=$(cd "$TMP" && timeout 20 "$DPIPE" -d true = nosuchcmd-$$ 2>&1)
rc=$?
[ $rc -ne 0 ] || fail "dpipe -d true = nosuchcmd: status 0 (output: $out)"
[ $rc -ne 124 ] || fail "dpipe -d true = nosuchcmd: hung"
case $out in
*"cannot run nosuchcmd-$$"*) ;;
*) fail "dpipe -d true = nosuchcmd said: '$out'" ;;
esac
# the same without -d: one clear message, status 127
out=$(timeout 20 "$DPIPE" cat = nosuchcmd-$$ </dev/null 2>&1)
rc=$?
[ $rc = 127 ] || fail "dpipe cat = nosuchcmd: status $rc"
[ "$(printf '%s\n' "$out" | grep -c "nosuchcmd-$$")" = 1 ] || fail "dpipe cat = nosuchcmd said: '$out'"

# NOTIFY_SOCKET: READY=1 once ready, STOPPING=1 when stopping
notify_listen() {	# notify_listen NAME: datagram socket $TMP/NAME.sock, lines to $TMP/NAME.got
	python3 - "$TMP/$1.sock" "$TMP/$1.got" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(60)
with open(sys.argv[2], 'a') as out:
    try:
        while True:
            out.write(s.recv(4096).decode().replace('\n', ' ') + '\n')
            out.flush()
    except socket.timeout:
        pass
PY
	PIDS+=($!)
	wait_for test -S "$TMP/$1.sock" || fail "notify socket $1"
}
notify_listen sw
NOTIFY_SOCKET=$TMP/sw.sock "$SW" --nostdin -s "$TMP/ns" </dev/null >"$TMP/ns.log" 2>&1 &
nspid=$!
PIDS+=($nspid)
wait_for grep -q "READY=1" "$TMP/sw.got" || fail "vde_switch: no READY=1 on NOTIFY_SOCKET"
grep -q "MAINPID=$nspid" "$TMP/sw.got" || fail "vde_switch: READY without MAINPID=$nspid: $(cat "$TMP/sw.got")"
sock_ready "$TMP/ns/ctl" || fail "vde_switch said READY=1 before its ctl socket listened"
kill -TERM $nspid
wait_for grep -q "STOPPING=1" "$TMP/sw.got" || fail "vde_switch: no STOPPING=1"

notify_listen plug
NOTIFY_SOCKET=$TMP/plug.sock "$PLUG" "$TMP/s1" "$TMP/s2" </dev/null >"$TMP/np.log" 2>&1 &
PIDS+=($!)
wait_for grep -q "READY=1" "$TMP/plug.got" || fail "vde_plug: no READY=1 on NOTIFY_SOCKET"

# abstract socket names ("@name") too
python3 - "@vdet-notify-$$" "$TMP/abs.got" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind('\0' + sys.argv[1][1:])
open(sys.argv[2] + '.ready', 'w').close()
s.settimeout(60)
try:
    open(sys.argv[2], 'w').write(s.recv(4096).decode())
except socket.timeout:
    pass
PY
PIDS+=($!)
wait_for test -e "$TMP/abs.got.ready" || fail "abstract notify socket"
NOTIFY_SOCKET=@vdet-notify-$$ "$DPIPE" cat = cat </dev/null >/dev/null 2>&1 &
PIDS+=($!)
wait_for grep -q "READY=1" "$TMP/abs.got" || fail "dpipe: no READY=1 on an abstract NOTIFY_SOCKET"
pass "daemons are ready when -d returns; failures after the fork are reported; READY=1"
