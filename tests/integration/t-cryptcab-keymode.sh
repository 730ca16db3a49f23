#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-cryptcab-keymode.sh - key mode end to end: one server, two clients (IPv4
# and IPv6) each on its own switch port; stealth against a key not on the
# allow-list, a wrong server key and a wrong cable name (a relay proves not
# one byte comes back); roaming to a new client address and port while a spoofed packet
# from a third port does not move the endpoint; an INIT flood with valid mac1
# does not stop the established session (rate limits, then cookie replies).
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/cryptcab-lib.sh"
RELAY="$top_srcdir/tests/cryptcab/udprelay.py"

for n in srv a b c; do mkkey "$TMP/$n.key" genkey; done
pub() { "$CAB" pubkey <"$TMP/$1.key"; }
PS=$(free_port)
cat >"$TMP/srv.conf" <<EOC
private-key $TMP/srv.key
peer $(pub a)
peer $(pub b)
EOC
cat >"$TMP/a.conf" <<EOC
private-key $TMP/a.key
peer $(pub srv) endpoint 127.0.0.1:$PS
EOC
cat >"$TMP/b.conf" <<EOC
private-key $TMP/b.key
peer $(pub srv) endpoint [::1]:$PS
EOC
for s in sw0 swa swb swx; do start_sw $s; done
start_cab srv -s "$TMP/sw0" -p "$PS" -f "$TMP/srv.conf"
start_cab a -s "$TMP/swa" -f "$TMP/a.conf"
start_cab b -s "$TMP/swb" -f "$TMP/b.conf"
spawn r0.txt "$CLIENT" -r 100000 -t 100 -R "$TMP/r0.ready" "$TMP/sw0"
spawn rb.txt "$CLIENT" -r 100000 -t 100 -R "$TMP/rb.ready" "$TMP/swb"
wait_for test -e "$TMP/r0.ready" -a -e "$TMP/rb.ready" || fail "receivers"
has() { grep -q "^$2" "$TMP/$1"; }
# frames of seed S start with ff*6 02:00:00:00:SS
for try in 1 2 3 4 5; do
	"$CLIENT" -n 1 -l 100 -S 17 "$TMP/swa" || fail sender
	WAIT_SECS=2 wait_for has r0.txt ffffffffffff0200000011 && break
done
for try in 1 2 3 4 5; do
	"$CLIENT" -n 1 -l 100 -S 18 "$TMP/swb" || fail sender
	WAIT_SECS=2 wait_for has r0.txt ffffffffffff0200000012 && break
done
has r0.txt ffffffffffff0200000011 || fail "client a (IPv4) frames do not arrive"
has r0.txt ffffffffffff0200000012 || fail "client b (IPv6) frames do not arrive"
WAIT_SECS=5 wait_for has rb.txt ffffffffffff0200000011 || fail "a's frame not switched to b's port"
cab_cmd srv peers >"$TMP/peers"
grep -q "endpoint 127.0.0.1:" "$TMP/peers" && grep -q "endpoint \[::1\]:" "$TMP/peers" ||
	fail "server endpoints: $(grep endpoint "$TMP/peers")"
[ "$(grep -c 'session up' "$TMP/peers")" = 2 ] || fail "sessions: $(cat "$TMP/peers")"
pass "two clients (IPv4, IPv6), each on its own port, frames switched between them"

# stealth: no byte back for a key not allowed, a wrong server key, a wrong name
R1=$(free_port); R2=$(free_port); R3=$(free_port)
spawn relay1.out "$PY" "$RELAY" "$R1" "$PS" "$TMP/relay1"
spawn relay2.out "$PY" "$RELAY" "$R2" "$PS" "$TMP/relay2"
spawn relay3.out "$PY" "$RELAY" "$R3" "$PS" "$TMP/relay3"
wait_for grep -q ready "$TMP/relay1.out" "$TMP/relay2.out" "$TMP/relay3.out" || fail relays
printf 'private-key %s\npeer %s endpoint 127.0.0.1:%s\n' "$TMP/c.key" "$(pub srv)" "$R1" >"$TMP/c.conf"
printf 'private-key %s\npeer %s endpoint 127.0.0.1:%s\n' "$TMP/a.key" "$(pub c)" "$R2" >"$TMP/d.conf"
printf 'private-key %s\npeer %s endpoint 127.0.0.1:%s\n' "$TMP/a.key" "$(pub srv)" "$R3" >"$TMP/e.conf"
fail0=$(cab_stat srv rx_handshake_fail); mac0=$(cab_stat srv rx_bad_mac1)
start_cab c -s "$TMP/swx" -f "$TMP/c.conf"
start_cab d -s "$TMP/swx" -f "$TMP/d.conf"
start_cab e -s "$TMP/swx" -f "$TMP/e.conf" -n other-cable
"$CLIENT" -n 3 -l 100 -S 19 "$TMP/swx" || fail sender
sent_init() { grep -q "^c2s 148 1" "$TMP/$1"; }
WAIT_SECS=5 wait_for sent_init relay1 && wait_for sent_init relay2 && wait_for sent_init relay3 ||
	fail "the wrong clients did not try"
stat_ge() { [ "$(cab_stat srv "$1")" -ge "$2" ]; }
wait_for stat_ge rx_handshake_fail $((fail0 + 2)) || fail "rx_handshake_fail $(cab_stat srv rx_handshake_fail)"
wait_for stat_ge rx_bad_mac1 $((mac0 + 1)) || fail "rx_bad_mac1 $(cab_stat srv rx_bad_mac1)"
for r in relay1 relay2 relay3; do
	grep -q "^s2c" "$TMP/$r" && fail "the server answered a wrong client ($r)"
done
pass "stealth: unknown key, wrong server key, wrong cable name get no reply at all"

# roaming: client a restarts on another local port and another address
# (it now reaches the server over ::1 instead of 127.0.0.1)
kill "$a_PID"; wait "$a_PID" 2>/dev/null
PA2=$(free_port)
sed "s/endpoint 127.0.0.1:/endpoint [::1]:/" "$TMP/a.conf" >"$TMP/a2.conf"
start_cab a2 -s "$TMP/swa" -p "$PA2" -f "$TMP/a2.conf"
for try in 1 2 3 4 5; do
	"$CLIENT" -n 1 -l 100 -S 20 "$TMP/swa" || fail sender
	WAIT_SECS=2 wait_for has r0.txt ffffffffffff0200000014 && break
done
has r0.txt ffffffffffff0200000014 || fail "no frame after the client moved"
cab_cmd srv peers | grep -q "endpoint \[::1\]:$PA2\$" || fail "endpoint did not follow: $(cab_cmd srv peers | grep endpoint)"
u0=$(cab_stat srv rx_unknown_index)
"$PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(50):
    s.sendto(bytes([4, 0, 0, 0]) + bytes(range(i, i + 60)), ("127.0.0.1", int(sys.argv[1])))
' "$PS"
wait_for stat_ge rx_unknown_index $((u0 + 50)) || fail "spoofed packets not counted"
cab_cmd srv peers | grep -q "endpoint \[::1\]:$PA2\$" || fail "a spoofed packet moved the endpoint"
pass "roaming from 127.0.0.1 to [::1]:$PA2 followed; spoofed packets from a third address:port ignored"

# INIT flood with valid mac1 from 127.0.0.1 while a sends 200 frames
"$PY" -c '
import hashlib, os, socket, sys, base64
pub = base64.b64decode(sys.argv[2])
key = hashlib.blake2b(b"mac1----" + pub, digest_size=32).digest()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(3000):
    m = bytes([1, 0, 0, 0]) + os.urandom(112)
    m += hashlib.blake2b(m, digest_size=16, key=key).digest() + bytes(16)
    s.sendto(m, ("127.0.0.1", int(sys.argv[1])))
' "$PS" "$(pub srv)" &
FLOOD=$!
before=$(grep -c "^ffffffffffff0200000015" "$TMP/r0.txt")
"$CLIENT" -n 200 -l 200 -S 21 "$TMP/swa" || fail sender
wait "$FLOOD"
count21() { [ "$(grep -c "^ffffffffffff0200000015" "$TMP/r0.txt")" -ge 190 ]; }
WAIT_SECS=10 wait_for count21 || fail "only $(grep -c "^ffffffffffff0200000015" "$TMP/r0.txt") of 200 frames during the flood"
rl=$(cab_stat srv rx_ratelimited); nc=$(cab_stat srv rx_no_cookie)
# the first 100 meet the rate limits, then the server is under load: cookies
[ $((rl + nc)) -gt 2000 ] && [ "$nc" -gt 1000 ] ||
	fail "flood not stopped: $rl rate-limited, $nc answered with a cookie"
hf=$(cab_stat srv rx_handshake_fail)
pass "INIT flood: session kept forwarding ($(grep -c "^ffffffffffff0200000015" "$TMP/r0.txt")/200), $rl rate-limited, $nc answered with a cookie, DH work on $((hf - fail0)) INITs"

# injectable clock: 600 s without a new handshake wipes every key
z0=$(cab_stat srv keys_zeroed)
cab_cmd srv "debug/clock 600" | grep -q "clock +600 s" || fail "debug/clock"
wait_for stat_ge keys_zeroed $((z0 + 2)) || fail "keys not zeroed after +600 s: $(cab_stat srv keys_zeroed)"
cab_cmd srv peers | grep -q "session up" && fail "a session survived 540 s without a handshake"
pass "+600 s on the daemon's clock: both peers' keys wiped"
