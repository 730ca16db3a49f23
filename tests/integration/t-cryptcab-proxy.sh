#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-cryptcab-proxy.sh - two switches joined by vde_cryptcab through a
# fault-injecting UDP proxy (tests/cryptcab/evilproxy.py, fixed seed): drops,
# duplicates, reordering up to 1000 deep, every truncation and every bit
# flip of a data packet, every bit flip of the INIT and the RESP, replays
# later and from another source port. No bad frame may be delivered, each
# good one exactly once, and every drop counter must equal the proxy's model.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/cryptcab-lib.sh"

start_sw sw1
start_sw sw2
mkkey "$TMP/psk" genpsk
PS=$(free_port); PP=$(free_port)
mkfifo "$TMP/pctl"
exec 7<>"$TMP/pctl"
spawn proxy.log "$PY" "$top_srcdir/tests/cryptcab/evilproxy.py" --listen "$PP" --server "$PS" \
	--seed 7 --depth 1000 --control "$TMP/pctl"
wait_for grep -q ready "$TMP/proxy.log" || fail "proxy not ready"
done_gt() { [ "$(grep -c "^done $1" "$TMP/proxy.log")" -gt "$2" ]; }
pcmd() {
	local n; n=$(grep -c "^done $1" "$TMP/proxy.log")
	echo "$*" >&7
	wait_for done_gt "$1" "$n" || fail "proxy: $*"
}

start_cab srv -s "$TMP/sw1" -p "$PS" -P "$TMP/psk"
start_cab cli -s "$TMP/sw2" -c "127.0.0.1:$PP" -P "$TMP/psk"
spawn recv.txt "$CLIENT" -r 100000 -t 100 -R "$TMP/recv.ready" "$TMP/sw1"
RECV=$LASTPID
wait_for test -e "$TMP/recv.ready" || fail "receiver not ready"

# first frame: handshake (with the INIT and RESP bit flips) and session;
# repeated until one gets through (a switch may not forward the very first)
recv_ge() { [ "$(lines "$TMP/recv.txt")" -ge "$1" ]; }
for try in 1 2 3 4 5; do
	"$CLIENT" -n 1 -l 200 -S $((100 + try)) -o "$TMP/sent.0.$try" "$TMP/sw2" || fail "sender"
	WAIT_SECS=2 wait_for recv_ge 1 && break
done
recv_ge 1 || fail "no frame through the cable"

seen() { pcmd expect "$TMP/exp"; awk '$2 == "data_seen" {print $3}' "$TMP/exp"; }
seen_ge() { [ "$(seen)" -ge "$1" ]; }
total=$(seen)
for b in $(seq 2 11); do
	"$CLIENT" -n 100 -l $((60 + b * 97)) -S "$b" -o "$TMP/sent.$b" "$TMP/sw2" || fail "sender $b"
	total=$((total + 100))
	WAIT_SECS=10 wait_for seen_ge "$total" || fail "proxy saw $(seen) of $total frames"
done
pcmd flush
pcmd replay
pcmd expect "$TMP/exp"
dropped=$(awk '$2 == "dropped" {print $3}' "$TMP/exp")
total=$(awk '$2 == "data_seen" {print $3}' "$TMP/exp")
want=$((total - dropped))
WAIT_SECS=20 wait_for recv_ge "$want" ||
	fail "receiver got $(lines "$TMP/recv.txt") frames, want $want"
cat "$TMP"/sent.* | sort >"$TMP/sent.all"
sort "$TMP/recv.txt" >"$TMP/recv.sorted"
[ -z "$(uniq -d "$TMP/recv.sorted")" ] || fail "a frame was delivered twice"
[ -z "$(comm -13 "$TMP/sent.all" "$TMP/recv.sorted")" ] || fail "a frame that was never sent was delivered"
[ "$(lines "$TMP/recv.txt")" = "$want" ] || fail "delivered $(lines "$TMP/recv.txt"), want $want"
pass "$want of $total frames delivered intact, once each ($dropped dropped by the proxy)"

grep ANSWERED "$TMP/exp" && fail "the server answered the replay port"
bad=0
for c in rx_malformed rx_oversize rx_bad_mac1 rx_ratelimited rx_handshake_fail \
	 rx_handshake_replay rx_unknown_index rx_expired rx_replay rx_auth_fail rx_bad_frame \
	 rx_init rx_data rx_bad_cookie rx_no_cookie tx_cookie; do
	w=$(awk -v c=$c '$1 == "server" && $2 == c {print $3}' "$TMP/exp"); w=${w:-0}
	g=$(cab_stat srv $c)
	[ "$g" = "$w" ] || { echo "server $c: got $g, want $w"; bad=1; }
done
for c in rx_malformed rx_bad_mac1 rx_unknown_index rx_handshake_fail; do
	w=$(awk -v c=$c '$1 == "client" && $2 == c {print $3}' "$TMP/exp"); w=${w:-0}
	g=$(cab_stat cli $c)
	[ "$g" = "$w" ] || { echo "client $c: got $g, want $w"; bad=1; }
done
[ $bad = 0 ] || fail "counters differ from the injected faults"
pass "counters match: $(grep -E '^(server|client)' "$TMP/exp" | tr '\n' ' ')"
back=$(awk '$2 == "back_port" {print $3}' "$TMP/exp")
cab_cmd srv peers | grep -q "endpoint 127.0.0.1:$back\$" || fail "server endpoint moved: $(cab_cmd srv peers | grep endpoint)"
pass "replays from another port did not move the endpoint"
