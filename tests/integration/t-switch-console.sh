#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-switch-console.sh - the management console: exact bytes compared with
# Debian's vde_switch for every deterministic command, then what only a
# live switch shows (port/print with endpoints, async debug lines, epclose,
# hash/find's true port), and the stdin console.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/switch-common.sh"
command -v python3 >/dev/null || skip "needs python3"
CON="python3 $top_srcdir/tests/integration/switch-console.py"

start_switch sw
# the reference: Debian's vde_switch (2.3.2 has no --nostdin: a fifo as stdin)
if [ -x "$DEB_SWITCH" ]; then
	start_deb_switch deb
fi

printf 'port/create 7\nport/setuser 7 root\n' >"$TMP/rc"
CMDS=(
	"port/showinfo" "hash/showinfo" "ds/showinfo" "bogus"
	"port/create 5" "port/create 5" "port/allprint 5" "port/setuser 5 root"
	"port/setgroup 5 root" "port/allprint 5" "port/allocatable 5 1" "port/allprint 5"
	"port/setuser 5 NONE" "port/allprint" "port/print" "port/print 3" "port/remove 5"
	"port/remove 5" "port/createauto" "port/allprint 1" "hash/print"
	"hash/find 02:00:00:00:00:01" "port/setnumports 0" "port/sethub 1" "port/showinfo"
	"port/sethub 0" "port/resetcounter" "port/epclose 3 5" "port/setuser 9 root"
	"help port/print" "help hash" "debug/list port" "debug/add port" "debug/del port"
	"hash/setexpire 50" "hash/setminper 5" "hash/setgcint 3" "hash/showinfo"
	"port/setnumports 40" "port/showinfo" "load $TMP/rc" "port/allprint 7"
	"load $TMP/missing"
)
$CON "$TMP/sw.mgmt" "${CMDS[@]}" >"$TMP/ours.txt" || fail "console session: $(cat "$TMP/ours.txt")"
if [ -x "$DEB_SWITCH" ]; then
	$CON "$TMP/deb.mgmt" "${CMDS[@]}" >"$TMP/deb.txt" || fail "Debian session"
	sed -i "s|$TMP/deb|$TMP/sw|g" "$TMP/deb.txt"
	cmp -s "$TMP/ours.txt" "$TMP/deb.txt" ||
		fail "console bytes differ from Debian's vde_switch:
$(diff "$TMP/deb.txt" "$TMP/ours.txt")"
fi
grep -q 'Port 0001 untagged_vlan=0000 INACTIVE - NOT Unnamed Allocatable' "$TMP/ours.txt" ||
	fail "createauto"

# showinfo and the full help (not compared: pid, MAC, uptime, our extra command)
S=$(body sw showinfo)
echo "$S" | grep -Eq '^pid [0-9]+ MAC 00:ff(:[0-9a-f]{2}){4} uptime [0-9]+$' || fail "showinfo: $S"
echo "$S" | grep -q "^mgmt $TMP/sw.mgmt perm 0600$" || fail "showinfo mgmt: $S"
H=$(body sw help)
for c in ds/showinfo showinfo logout shutdown load debug/list debug/add debug/del \
	 hash/showinfo hash/setsize hash/setgcint hash/setexpire hash/setminper hash/print \
	 hash/find port/showinfo port/setnumports port/sethub port/createauto port/create \
	 port/remove port/allocatable port/setuser port/setgroup port/epclose \
	 port/resetcounter port/print port/allprint port/stats; do
	echo "$H" | grep -q "^$c " || fail "help lacks $c"
done
[ "$(status sw 'hash/setsize 0')" = "1022 Invalid argument" ] || fail "hash/setsize 0"
[ "$(status sw 'hash/setsize 100')" = "1000 Success" ] || fail "hash/setsize"
body sw hash/showinfo | grep -q '^Hash size 128$' || fail "hash size rounded"
[ "$(status sw 'port/setnumports 4x')" = "1022 Invalid argument" ] || fail "strict numbers"

# live switch: async debug lines, port/print with endpoints, epclose
[ "$(status sw 'port/remove 1')" = "1000 Success" ] || fail "port/remove 1"
python3 - "$TMP/sw.mgmt" >"$TMP/dbg.txt" 2>&1 <<'EOF2' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(b"debug/add port\n")
time.sleep(0.2)
s.sendall(b"debug/add hash\n")
open(sys.argv[1] + ".subscribed", "w").close()
s.settimeout(10)
data = b""
while b"3022 port/- 01" not in data:
    c = s.recv(4096)
    if not c:
        break
    data += c
sys.stdout.buffer.write(data)
EOF2
DP=$!
PIDS+=($DP)
wait_for test -e "$TMP/sw.mgmt.subscribed" || fail "debug session"
probe sw >"$TMP/p.out" 2>&1 <<EOF2 &
open a 0 descr=dbgtest
open b 0
send a ff:ff:ff:ff:ff:ff 02:00:00:00:00:77 60
expect b 02:00:00:00:00:77 60
touch $TMP/ready
wait $TMP/go
EOF2
PP=$!
PIDS+=($PP)
WAIT_SECS=30 wait_for test -e "$TMP/ready" || fail "probe: $(cat "$TMP/p.out")"
P=$(body sw 'port/print 1')
echo "$P" | grep -q '^Port 0001 untagged_vlan=0000 ACTIVE - Unnamed Allocatable$' || fail "print: $P"
echo "$P" | grep -q '^ Current User: root Access Control: (User: NONE - Group: NONE)$' ||
	[ "$(id -u)" != 0 ] || fail "print user: $P"
echo "$P" | grep -q '^ IN:  pkts          1          bytes                   60$' || fail "IN: $P"
echo "$P" | grep -q '^ OUT: pkts          0          bytes                    0$' || fail "OUT: $P"
ID=$(echo "$P" | sed -n 's/^  -- endpoint ID \([0-9]*\) module unix prog   : dbgtest$/\1/p')
[ -n "$ID" ] || fail "endpoint line: $P"
F=$(body sw 'hash/find 02:00:00:00:00:77')
echo "$F" | grep -Eq '^Hash: [0-9]{4} Addr: 02:00:00:00:00:77 VLAN 0000 to port: 001  age [0-9]+ secs$' ||
	fail "hash/find: $F"
[ "$(status sw "port/epclose 1 $((10#$ID))")" = "1000 Success" ] || fail "epclose"
[ "$(status sw 'port/print 1')" = "1006 No such device or address" ] || fail "port 1 still active"
wait "$DP" || true
D=$(sed "s/^vde\\$ //" "$TMP/dbg.txt")
for l in "3021 port/+ 01" "3031 port/ep/+ Port 01 FD $(printf '%2d' $((10#$ID)))" \
	 "3023 port/descr Port 01 FD $(printf '%2d' $((10#$ID))) -> \"dbgtest\"" \
	 "3011 hash/+ 02:00:00:00:00:77 VLAN 00:00 Port 1" \
	 "3032 port/ep/- Port 01 FD $(printf '%2d' $((10#$ID)))" "3022 port/- 01" \
	 "3012 hash/- 02:00:00:00:00:77 VLAN 00:00 Port 1"; do
	echo "$D" | grep -qxF "$l" || fail "debug line '$l' missing: $D"
done
touch "$TMP/go"
wait "$PP" || fail "probe: $(cat "$TMP/p.out")"

# the stdin console: same commands, answers on stdout
mkfifo "$TMP/in"
exec 9<>"$TMP/in"
"$SWITCH" -s "$TMP/sw2" <"$TMP/in" >"$TMP/stdin.log" 2>&1 &
SP=$!
PIDS+=($SP)
wait_for sock_ready "$TMP/sw2/ctl" || fail "stdin switch"
printf 'port/showinfo\n' >&9
wait_for grep -q '^Numports=32$' "$TMP/stdin.log" || fail "stdin console: $(cat "$TMP/stdin.log")"
printf 'shutdown\n' >&9
wait_for sh -c "! kill -0 $SP" || fail "shutdown on stdin did not stop the switch"
wait "$SP"; rc=$?
[ $rc = 0 ] || fail "shutdown exit status $rc"
[ ! -e "$TMP/sw2" ] || fail "shutdown left $TMP/sw2"
# a fifo as stdin got nothing before the first command (VDE 2's bytes)
[ "$(head -n 1 "$TMP/stdin.log")" = "0000 DATA END WITH '.'" ] ||
	fail "stdin console output before the first answer: $(head -c 80 "$TMP/stdin.log" | od -c)"

# on a terminal the prompt is there before the first command (README's
# interactive example), and the first answer follows it
python3 - "$SWITCH" "$TMP/sw3" >"$TMP/pty.log" 2>&1 <<'PYEOF' || fail "pty console: $(cat "$TMP/pty.log")"
import os, pty, select, signal, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], "-s", sys.argv[2]])
def read_until(what, secs):
    out, end = b"", time.monotonic() + secs
    while what not in out and time.monotonic() < end:
        if select.select([fd], [], [], 0.1)[0]:
            try:
                out += os.read(fd, 4096)
            except OSError:
                break
    return out
try:
    first = read_until(b"vde$ ", 10)
    if not first.endswith(b"vde$ "):
        sys.exit("no prompt at start on a terminal: %r" % first)
    os.write(fd, b"port/showinfo\n")
    answer = read_until(b"1000 Success", 10)
    if b"Numports=32" not in answer or not answer.startswith(b"port/showinfo"):
        sys.exit("answer on the terminal: %r" % answer)
    print("prompt %r, then the answer" % first)
finally:
    os.kill(pid, signal.SIGTERM)
    os.waitpid(pid, 0)
PYEOF
pass "console"
