#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-cryptcab-pskmulti.sh - PSK mode (-P) server with three clients at once
# (IPv4, IPv6, IPv4), each a session of its own on its own switch port: a
# broadcast from each client reaches the server's switch and the two other
# clients (a switch never sends a frame back out of the port it came in on,
# so this proves three ports); the server's switch lists three cable ports;
# killing one client leaves the others' sessions working; the restarted
# client gets a new session (its old one lingers, unused, until its keys
# are wiped); +600 s on the server's clock closes every session and releases
# every port. A client with another PSK gets no reply at all.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/cryptcab-lib.sh"
[ -x "$top_builddir/switch/vde_switch" ] || skip "needs our vde_switch (console)"

mkkey "$TMP/psk" genpsk
PS=$(free_port)
spawn sw0.sw.log "$top_builddir/switch/vde_switch" -s "$TMP/sw0" -M "$TMP/sw0.mgmt" \
	--nostdin -p "$TMP/sw0.swpid"
wait_for test -s "$TMP/sw0.swpid" || fail "switch sw0 not ready"
wait_for sock_ready "$TMP/sw0.mgmt" || fail "switch sw0: no console"
fastpath_check "$TMP/sw0"
for s in swa swb swc; do start_sw $s; done
start_cab srv -s "$TMP/sw0" -p "$PS" -P "$TMP/psk"
start_cab a -s "$TMP/swa" -c "127.0.0.1:$PS" -P "$TMP/psk"
start_cab b -s "$TMP/swb" -c "[::1]:$PS" -P "$TMP/psk"
start_cab c -s "$TMP/swc" -c "localhost:$PS" -P "$TMP/psk"
for s in sw0 swa swb swc; do
	spawn "r.$s.txt" "$CLIENT" -r 100000 -t 100 -R "$TMP/r.$s.ready" "$TMP/$s"
done
for s in sw0 swa swb swc; do
	wait_for test -e "$TMP/r.$s.ready" || fail "receiver on $s"
done
# frames of seed S start with ff*6 02:00:00:00:SS
has() { grep -q "^ffffffffffff02000000$(printf %02x "$2")" "$TMP/r.$1.txt"; }
send_until() {	# SWITCH SEED: until the server's switch has it
	local try
	for try in 1 2 3 4 5; do
		"$CLIENT" -n 1 -l 100 -S "$2" "$TMP/$1" || fail sender
		WAIT_SECS=2 wait_for has sw0 "$2" && return 0
	done
	fail "frames from $1 do not arrive"
}
send_until swa 17
send_until swb 18
send_until swc 19
# all three sessions are up: one broadcast from each reaches everyone
send_until swa 23
send_until swb 24
send_until swc 25
for f in "swb 23" "swc 23" "swa 24" "swc 24" "swa 25" "swb 25"; do
	WAIT_SECS=5 wait_for has $f || fail "frame $f not switched to the other client"
done
sw_ports() {
	printf 'port/print\nlogout\n' | timeout 10 socat - "UNIX-CONNECT:$TMP/sw0.mgmt" |
		grep -cE "module (unix prog|ring) +: vde_cryptcab peer"
}
[ "$(sw_ports)" = 3 ] || fail "server switch has $(sw_ports) cable ports, want 3"
# through the library's batch calls the cable gets our switch's rings
# (datagrams with VDEPLUG_FASTPATH=0)
rings=$(printf 'port/print\nlogout\n' | timeout 10 socat - "UNIX-CONNECT:$TMP/sw0.mgmt" |
	grep -c "module $RING_KIND *: vde_cryptcab peer")
[ "$rings" = 3 ] || fail "cable ports of kind $RING_KIND: $rings of 3"
cab_cmd srv peers >"$TMP/peers"
[ "$(grep -c ' client session$' "$TMP/peers")" = 3 ] || fail "sessions: $(cat "$TMP/peers")"
[ "$(grep endpoint "$TMP/peers" | sort -u | wc -l)" = 3 ] || fail "endpoints: $(grep endpoint "$TMP/peers")"
grep -q 'endpoint \[::1\]:' "$TMP/peers" || fail "no IPv6 client: $(grep endpoint "$TMP/peers")"
[ "$(grep -c 'session up' "$TMP/peers")" = 3 ] || fail "sessions: $(cat "$TMP/peers")"
[ "$(cab_stat srv sessions_opened)" = 3 ] || fail "sessions_opened $(cab_stat srv sessions_opened)"
pass "three PSK clients (IPv4, IPv6, IPv4), three sessions, three switch ports, frames switched between them"

# one client goes away: the others keep working
kill "$b_PID"; wait "$b_PID" 2>/dev/null
send_until swa 20
send_until swc 21
WAIT_SECS=5 wait_for has swc 20 && WAIT_SECS=5 wait_for has swa 21 ||
	fail "a and c stopped talking after b left"
pass "with b gone, a and c still reach the server and each other"

# b restarts (new source port): a new session and a new port
PB2=$(free_port)
start_cab b2 -s "$TMP/swb" -p "$PB2" -c "[::1]:$PS" -P "$TMP/psk"
send_until swb 22
WAIT_SECS=5 wait_for has swa 22 && WAIT_SECS=5 wait_for has swc 22 || fail "b2's frame not switched"
cab_cmd srv peers | grep -q "endpoint \[::1\]:$PB2\$" || fail "no session for b2: $(cab_cmd srv peers)"
[ "$(cab_stat srv sessions_opened)" = 4 ] || fail "sessions_opened $(cab_stat srv sessions_opened)"
[ "$(sw_ports)" = 4 ] || fail "server switch has $(sw_ports) cable ports, want 4"
pass "restarted client: session 4 on its own port"

# a client with another PSK, through a relay that logs every datagram: it
# tries, and not one byte comes back
RELAY="$top_srcdir/tests/cryptcab/udprelay.py"
mkkey "$TMP/psk2" genpsk
R=$(free_port)
spawn relay.out "$PY" "$RELAY" "$R" "$PS" "$TMP/relay"
wait_for grep -q ready "$TMP/relay.out" || fail relay
mac0=$(cab_stat srv rx_bad_mac1)
start_cab x -s "$TMP/swc" -c "127.0.0.1:$R" -P "$TMP/psk2" -k 1
sent_init() { grep -q "^c2s 148 1" "$TMP/relay"; }
WAIT_SECS=5 wait_for sent_init || fail "the wrong-PSK client did not try"
stat_ge() { [ "$(cab_stat srv "$1")" -ge "$2" ]; }
wait_for stat_ge rx_bad_mac1 $((mac0 + 1)) || fail "rx_bad_mac1 $(cab_stat srv rx_bad_mac1)"
kill "$x_PID"; wait "$x_PID" 2>/dev/null
grep -q "^s2c" "$TMP/relay" && fail "the server answered a client with the wrong PSK"
[ "$(cab_stat srv sessions_opened)" = 4 ] || fail "sessions_opened $(cab_stat srv sessions_opened)"
pass "wrong PSK: no reply at all, no session"

# the daemon's clock jumps 600 s: every session's keys are wiped, the
# sessions closed and their switch ports released
cab_cmd srv "debug/clock 600" | grep -q "clock +600 s" || fail "debug/clock"
wait_for stat_ge sessions_closed 4 || fail "sessions_closed $(cab_stat srv sessions_closed)"
[ "$(cab_stat srv keys_zeroed)" -ge 4 ] || fail "keys_zeroed $(cab_stat srv keys_zeroed)"
ports_gone() { [ "$(sw_ports)" = 0 ]; }
wait_for ports_gone || fail "server switch still has $(sw_ports) cable ports"
cab_cmd srv showinfo | grep -q "psk server: 0 client session" || fail "$(cab_cmd srv showinfo)"
pass "+600 s: all four sessions wiped and closed, their switch ports released"
