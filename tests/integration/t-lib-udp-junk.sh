#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-lib-udp-junk.sh - a udp:// cable survives what any host can send it
# (issue 14.1): an empty datagram, a runt, an oversized datagram, and
# "connection refused" from ICMP while the peer is away. vde_plug keeps
# running and still delivers the next real frame; the drops are counted
# in the $VDEPLUG_STATS line written at close.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/lib-helpers.sh"
PLUG=$(bin vde_plug)

read -r PA PB <<<"$(python3 - <<'PY'
import socket
s = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(2)]
for x in s:
    x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))
PY
)"
mkfifo "$TMP/in"
VDEPLUG_STATS=$TMP/stats "$PLUG" "udp://127.0.0.1:$PA->127.0.0.1:$PB" <"$TMP/in" \
	>"$TMP/plug.out" 2>"$TMP/plug.log" &
PLUGPID=$!
PIDS+=($PLUGPID)
exec 7>"$TMP/in"
wait_for eval "ss -Huan | grep -q '127.0.0.1:$PA '" || fail "vde_plug did not bind :$PA"

# send DGRAM... to our plug from a third socket; then a real frame, whose
# arrival on stdout shows the plug read past the junk
send() {
	python3 - "$PA" "${SRC:-0}" "$@" <<'PY'
import socket, sys
port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[2])))
for arg in sys.argv[3:]:
    if arg == "empty":
        s.sendto(b"", ("127.0.0.1", port))
    elif arg == "runt":
        s.sendto(b"\x01\x02\x03\x04\x05", ("127.0.0.1", port))
    elif arg == "big":
        s.sendto(bytes(20000), ("127.0.0.1", port))
    else:
        n = int(arg)
        s.sendto(bytes([0xff] * 6 + [2, 0, 0, 0, 0, n]) + b"\x88\xb5" + bytes(46), ("127.0.0.1", port))
PY
}
nout() { [ "$(python3 "$REC" count "$TMP/plug.out")" -ge "$1" ]; }

send empty 1
wait_for nout 1 || fail "no frame after an empty datagram (plug alive: $(kill -0 $PLUGPID 2>/dev/null && echo yes || echo no))"
send runt big 2
wait_for nout 2 || fail "no frame after a runt and an oversized datagram"

# the plug sends a frame to PB where nobody listens: ICMP port unreachable
# comes back as ECONNREFUSED on its socket (now connected to PB, so the
# next frame comes from PB: the peer is back)
python3 -c 'import sys; f = bytes([0xff]*6 + [2,0,0,0,1,1]) + b"\x88\xb5" + bytes(46); sys.stdout.buffer.write(len(f).to_bytes(2, "big") + f)' >&7
refused() { SRC=$PB send 3; nout 3; }
WAIT_SECS=10 wait_for refused || fail "no frame after a refused send: $(cat "$TMP/plug.log")"
kill -0 $PLUGPID 2>/dev/null || fail "vde_plug exited: $(cat "$TMP/plug.log")"

kill -TERM $PLUGPID
exec 7>&-
wait $PLUGPID
wait_for test -s "$TMP/stats" || fail "no stats line"
line=$(cat "$TMP/stats")
echo "# $line"
for want in drop_empty=1 drop_runt=1 drop_big=1; do
	grep -q " $want " <<<"$line " || fail "stats: want $want in: $line"
done
grep -Eq ' refused=[1-9]' <<<"$line" || fail "stats: no refusal counted: $line"
grep -Eq ' rx=[3-9]' <<<"$line" || fail "stats: rx < 3: $line"
pass "udp cable survives junk and refusals"
