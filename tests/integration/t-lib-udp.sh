#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-lib-udp.sh - udp:// cables on loopback: between two of our clients (the
# vdeplug4 form udp://src:sport->dst:dport and VDE 2's sport->host:dport;
# 60, 1514 and 9000-byte frames), over IPv6 ::1 when available, and with
# Debian's vde_plug udp:// in both directions, bytes compared exactly.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/lib-helpers.sh"

# free UDP ports (bound and released; the kernel will not hand them out
# again right away)
free_ports() {
	python3 - "$1" <<'EOF'
import socket, sys
fam = socket.AF_INET6 if sys.argv[1] == "6" else socket.AF_INET
socks = []
for _ in range(2):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind(("::1" if fam == socket.AF_INET6 else "127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

# --- ours <-> ours, IPv4
read -r PA PB <<<"$(free_ports 4)"
client u1 -e -r 9 -t 30 "udp://127.0.0.1:$PA->127.0.0.1:$PB"
for len in 60 1514 9000; do
	"$CLIENT" -P -r 3 -n 3 -l $len -S $((len % 256)) -o "$TMP/a$len.sent" \
		"$PB->127.0.0.1:$PA" >"$TMP/a$len.out" || fail "udp client ($len) failed"
	same "$TMP/a$len.sent" "$TMP/a$len.out" "udp echo of $len-byte frames"
done
finish u1
cat "$TMP/a60.sent" "$TMP/a1514.sent" "$TMP/a9000.sent" >"$TMP/a.sent"
same "$TMP/a.sent" "$TMP/u1.out" "udp receiver"

# --- IPv6 loopback
if python3 -c 'import socket; socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).bind(("::1", 0))' 2>/dev/null; then
	read -r PA PB <<<"$(free_ports 6)"
	client u6 -e -r 2 -t 20 "udp://[::1]:$PA->[::1]:$PB"
	"$CLIENT" -P -r 2 -n 2 -l 9000 -o "$TMP/b.sent" "udp://$PB->::1:$PA" >"$TMP/b.out" ||
		fail "udp IPv6 client failed"
	finish u6
	same "$TMP/b.sent" "$TMP/b.out" "udp IPv6 echo"
else
	echo "# no IPv6 loopback: IPv6 part not run"
fi

# --- with Debian's vde_plug udp://
read -r PA PB <<<"$(free_ports 4)"
deb_plug du "udp://$PB->127.0.0.1:$PA"
client u2 -r 3 -n 2 -l 1514 -S 5 -o "$TMP/c.sent" -W "$TMP/go" -t 20 "udp://$PA->127.0.0.1:$PB"
"$CLIENT" -n 3 -l 9000 -S 6 -o "$TMP/d.sent" null:// || fail "null:// generator"
python3 "$REC" enc "$TMP/d.sent" "$TMP/d.rec"
cat "$TMP/d.rec" >&"${DIN[du]}"
# our client sends once Debian's plug is bound (its frames wait in our socket)
wait_for eval "ss -Huan | grep -q ':$PB '" || fail "Debian's udp plug did not bind :$PB"
touch "$TMP/go"
finish u2
same "$TMP/d.sent" "$TMP/u2.out" "Debian udp -> ours"
wait_for nrec "$TMP/du.out" 2 || fail "Debian got $(python3 "$REC" count "$TMP/du.out") of 2"
python3 "$REC" dec "$TMP/du.out" "$TMP/du.hex" || fail "Debian output has a partial record"
same "$TMP/c.sent" "$TMP/du.hex" "ours -> Debian udp"
deb_plug_close du
pass "udp"
