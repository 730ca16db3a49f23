#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-console-sessions.sh - idle console sessions cannot lock anyone out.
# wirefilter runs as a user created for the test (removed at exit), its
# console open to all (--mgmtmode 0666), idle timeout 3 s
# (VDEKIT_CONSOLE_IDLE=3). User nobody opens 64 idle sessions: the console
# is full, a 65th session of nobody is refused; the daemon's owner and root
# still get in (each closes the session idle the longest). Idle sessions
# get "9999 END OF SESSION" and are closed after 3 s; one that keeps
# sending commands stays.
. "$top_srcdir/tests/lib/env.sh"
need_root
command -v setpriv >/dev/null || fail "setpriv is needed"
command -v useradd >/dev/null || skip "needs useradd"
id nobody >/dev/null 2>&1 || skip "no user nobody"
PY=/usr/bin/python3
CC="$PY $top_srcdir/tests/integration/console-client.py"
VDECMD=$(bin vdecmd)
U=vdeto$$
useradd -M -s /usr/sbin/nologin "$U" || fail "useradd $U"
trap 'rc=$?; userdel -f "$U" >/dev/null 2>&1; (exit $rc); _cleanup' EXIT
chmod 755 "$TMP"
as() { local u=$1; shift; setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups "$@"; }

mkdir "$TMP/d"
chown "$U" "$TMP/d"
mkdir -m 1777 "$TMP/n"
mkfifo "$TMP/wfin"
exec 7<>"$TMP/wfin"
spawn wf.log env VDEKIT_CONSOLE_IDLE=3 setpriv --reuid="$U" --regid="$(id -g "$U")" \
	--init-groups bash -c 'exec "$@" <&7' _ "$(bin wirefilter)" -M "$TMP/d/wm" --mgmtmode 0666
wait_for sock_ready "$TMP/d/wm" || fail "no console"

# an active session (a command every second) outlives the idle timeout
$PY - "$TMP/d/wm" >"$TMP/active.out" 2>&1 <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.settimeout(5); s.connect(sys.argv[1])
def prompt():
    b = b""
    while not b.endswith(b"$ "):
        d = s.recv(65536)
        if not d:
            raise SystemExit("closed: " + repr(b))
        b += d
    return b
prompt()
for i in range(6):
    time.sleep(1)
    s.sendall(b"showcurrent\n")
    prompt()
print("alive")
PY
ACTIVE=$!
PIDS+=("$ACTIVE")

# (not through as(): $! must be the holder itself, for the cleanup)
setpriv --reuid=nobody --regid="$(id -g nobody)" --init-groups $CC hold "$TMP/d/wm" 64 \
	"$TMP/n/held" &
HOLDER=$!
PIDS+=("$HOLDER")
WAIT_SECS=30 wait_for test -s "$TMP/n/held" || fail "64 sessions not opened"
got=$(head -1 "$TMP/n/held")
[ "$got" -ge 62 ] || fail "only $got of 64 sessions of nobody got in"
# full now (64 with the active one): nobody is refused
as nobody $CC banner "$TMP/d/wm" 2 && fail "a 65th session of nobody got in"
# the owner and root are not locked out
out=$(as "$U" "$VDECMD" -t 5 "$TMP/d/wm" showcurrent) || fail "the daemon's owner is locked out"
grep -q 'Current Markov Node 0' <<<"$out" || fail "owner's command: $out"
out=$("$VDECMD" -t 5 "$TMP/d/wm" showcurrent) || fail "root is locked out"
wait_for grep -q 'sessions open, connection of uid' "$TMP/wf.log" || fail "refusal not logged"
pass "full console: nobody refused, the owner and root get in"

# idle sessions time out: nobody gets in again, the active one lives on
WAIT_SECS=15 wait_for as nobody $CC banner "$TMP/d/wm" 2 || fail "idle sessions did not time out"
wait "$ACTIVE" || fail "the active session was closed: $(cat "$TMP/active.out")"
grep -q alive "$TMP/active.out" || fail "active session: $(cat "$TMP/active.out")"
out=$(as nobody $PY - "$TMP/d/wm" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(sys.argv[1])
t0, b = time.time(), b""
while True:
    d = s.recv(4096)
    if not d:
        break
    b += d
print("%.1f %r" % (time.time() - t0, b[-25:]))
PY
)
grep -q "9999 END OF SESSION" <<<"$out" || fail "idle session end: $out"
secs=${out%% *}
[ "${secs%.*}" -ge 2 ] && [ "${secs%.*}" -le 8 ] || fail "idle session closed after $secs s (want ~3)"
pass "idle sessions closed after ${secs} s with 9999 END OF SESSION; an active one stays"
