#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-switch-access.sh - a client's identity is the user of its ctl stream
# (SO_PEERCRED), not the owner of the socket file it names (issue 14, item 10):
#  - an unprivileged user who names a root-owned datagram socket (the /dev/log
#    trick) neither becomes root nor gets a port reserved for another user;
#  - a symlink as the socket's own name is refused;
#  - a directory symlink swapped between the switch's check and its
#    connect() never joins another user's port nor connects the switch to
#    another user's socket (3 s of racing, frames flooded to every port);
#  - the same user's own socket is still granted (the race must see both).
# Runs as two users made here (useradd, removed at exit).
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/switch-common.sh"
[ "$(id -u)" = 0 ] || skip "needs root (useradd)"
command -v useradd >/dev/null && command -v setpriv >/dev/null || skip "needs useradd, setpriv"
command -v python3 >/dev/null || skip "needs python3"

ATK=vdea$$
VIC=vdev$$
USERS=()
deluser() { local u; for u in "${USERS[@]}"; do userdel "$u" 2>/dev/null; done; }
trap 'rc=$?; deluser; (exit $rc); _cleanup' EXIT
for u in $ATK $VIC; do
	useradd -M -N -d /nonexistent -s /usr/sbin/nologin "$u" || fail "useradd $u"
	USERS+=("$u")
done
as() { local u=$1; shift; setpriv --reuid="$u" --regid="$(id -g "$u")" --clear-groups "$@"; }
PY3=/usr/bin/python3
[ -x "$PY3" ] || skip "needs /usr/bin/python3 (runs as an unprivileged user)"
CLIENT="$PY3 $top_srcdir/tests/integration/ctl-attack.py"

chmod 0711 "$TMP"
start_switch sw -m 0666 -n 32
CTL=$TMP/sw/ctl
[ "$(status sw 'port/create 3')" = "1000 Success" ] || fail "port/create 3"
[ "$(status sw "port/setuser 3 $VIC")" = "1000 Success" ] || fail "port/setuser 3 $VIC"

# a live root-owned datagram socket, as /dev/log is (and /dev/log itself
# when this machine has one)
spawn rootsock.log python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1]); time.sleep(60)' "$TMP/log.sock"
wait_for test -S "$TMP/log.sock" || fail "root socket"
roots=("$TMP/log.sock")
[ -S /dev/log ] && [ "$(stat -L -c %u /dev/log)" = 0 ] && roots+=(/dev/log)
for r in "${roots[@]}"; do
	for p in 3 0; do
		got=$(as $ATK $CLIENT once "$CTL" "$r" $p) || fail "client failed naming $r"
		[ "$got" = refused ] || fail "$ATK naming root's $r asking port $p: $got (treated as root)"
	done
done
# the switch counted the refusals and is not confused
body sw 'port/print' | grep -q ctl-attack && fail "an attacker endpoint exists: $(body sw port/print)"
pass "a root-owned socket does not make a user root"

# the same user's own socket: granted, as that user
mkdir "$TMP/a" "$TMP/v" && chown $ATK "$TMP/a" && chown $VIC "$TMP/v" && chmod 0755 "$TMP/v"
got=$(as $ATK $PY3 -c '
import socket, subprocess, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1])
print(subprocess.run(sys.argv[2:], capture_output=True, text=True).stdout.strip())' \
	"$TMP/a/own" $CLIENT once "$CTL" "$TMP/a/own" 0)
case $got in "granted "*) ;; *) fail "own socket not granted: $got" ;; esac
# ... but not through a symlink as its last component
ln -s own2 "$TMP/a/ownlink"
got=$(as $ATK $PY3 -c '
import socket, subprocess, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1])
print(subprocess.run(sys.argv[2:], capture_output=True, text=True).stdout.strip())' \
	"$TMP/a/own2" $CLIENT once "$CTL" "$TMP/a/ownlink" 0)
[ "$got" = refused ] || fail "a symlink to the socket: $got"

# the race: the victim holds a socket and counts what reaches it; root
# floods broadcast frames from port 1 to every port meanwhile
spawn victim.log as $VIC $CLIENT recv "$TMP/v/sock" 30 "$TMP/stop"
wait_for test -S "$TMP/v/sock" || fail "victim socket"
{
	echo "open inj 1"
	for i in $(seq 500); do echo "send inj ff:ff:ff:ff:ff:ff 02:00:00:00:00:01 60 $i"; echo "sleep 10"; done
} >"$TMP/inject"
spawn inject.log "$PROBE" "$TMP/sw" <"$TMP/inject"
INJ=$LASTPID
race=$(as $ATK $CLIENT race "$CTL" "$TMP/a" "$TMP/v" 3 3) || fail "race client failed"
echo "race: $race"
touch "$TMP/stop"
wait_for grep -q received "$TMP/victim.log" || fail "victim did not report"
kill "$INJ" 2>/dev/null
set -- $race
[ "$1 $3 $5" = "victimport anyport refused" ] || fail "race output: $race"
[ "$2" = 0 ] || fail "the symlink race joined $VIC's port $2 times in 3 s"
grep -q '^received 0$' "$TMP/victim.log" ||
	fail "the switch was connected to $VIC's socket: $(cat "$TMP/victim.log")"
[ "$4" -gt 0 ] && [ "$6" -gt 0 ] ||
	fail "the race did not exercise both targets (granted $4, refused $6)"
pass "symlink swap race: 0 successes ($race)"
