#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-console-logout.sh - a long answer followed by logout in the same write
# reaches a client that reads late, whole, before the session closes.
. "$top_srcdir/tests/lib/env.sh"

mkdir -p "$TMP/d"
for i in $(seq 1 4000); do echo "port/showinfo"; done > "$TMP/script"
spawn sw.log vde_switch -s "$TMP/sw" -M "$TMP/mgmt" --nostdin
wait_for sock_ready "$TMP/mgmt" || fail "switch did not start"

/usr/bin/python3 - "$TMP/mgmt" "$TMP/script" > "$TMP/out" <<'PY' || fail "client failed"
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.settimeout(20)
s.sendall(("load %s\nlogout\n" % sys.argv[2]).encode())
time.sleep(0.5)          # let the switch fill the socket buffer first
data = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    data += b
sys.stdout.buffer.write(data)
PY
n=$(grep -c '^Numports=' "$TMP/out")
[ "$n" = 4000 ] || fail "expected 4000 port/showinfo answers before logout, got $n"
tail -c 19 "$TMP/out" | grep -q '^9999 END OF SESSION$' || fail "session did not end with 9999 END OF SESSION"
kill -0 "$LASTPID" || fail "switch died"
pass "4000 answers and the logout line arrived"
