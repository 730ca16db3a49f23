#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/cryptcab-cookie.sh - real handshakes a vde_cryptcab server completes
# under a flood of forged initiations, cookies on (auto) and off
#
#   bench/cryptcab-cookie.sh BUILD_DIR [WINDOW=15] [RUNS=3] [CLIENTS=8] [PPS=0]
#
# One private network namespace (root needed): a key-mode server on
# 10.99.0.1 (BUILD_DIR/cryptcab/vde_cryptcab) with CLIENTS peers, and
# tests/cryptcab/cookieflood.py sending raw UDP initiations with a valid mac1
# from random addresses of 10.99.0.0/16 for the whole run (PPS per second, 0 =
# as fast as one python process goes). Each round, for each mode in turn
# (auto = cookies under load, the default; off = debug/cookies off, the
# behaviour before cookies; the order alternates), CLIENTS fresh client
# cables start, each on its own switch (one switch for all would make a
# loop through the server's switch), and one frame into each makes them
# initiate; for WINDOW seconds we count the clients whose handshake
# completed (each client's `handshakes` counter, polled every 0.2 s), note
# when the first and the last completed (seconds, to 0.2 s), how many forged initiations arrived (every drop counter), and
# the server's CPU time. Printed: each run, then per mode the medians and
# the ratio auto/off of handshakes completed. Exit 0 even if the figures are
# bad: this is a benchmark, not a test.
set -u
. "$(dirname "$0")/opts-lib.sh"
bench_positional "BUILD_DIR [WINDOW] [RUNS] [CLIENTS] [PPS]" 1 5 "$@"
B=$1
WIN=${2:-15}
RUNS=${3:-3}
NC=${4:-8}
PPS=${5:-0}
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; exit 77; }
B=$(cd "$B" && pwd)
HERE=$(cd "$(dirname "$0")/.." && pwd)
CAB=$B/cryptcab/vde_cryptcab
SW=$B/switch/vde_switch
CLIENT=$B/tests/vdeplug_client
FLOOD=$HERE/tests/cryptcab/cookieflood.py
for t in "$CAB" "$SW" "$CLIENT"; do [ -x "$t" ] || { echo "no $t (build first, make check builds tests/vdeplug_client)"; exit 1; }; done
TMP=$(mktemp -d /tmp/cookiebench.XXXXXX)
NS=cookieb$$
PS=51820
PIDS=()
CPIDS=()
CLK=$(getconf CLK_TCK)

cleanup() {
	local p
	for p in "${CPIDS[@]}" "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${CPIDS[@]}" "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	for p in $(ip netns pids $NS 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
	ip netns del $NS 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cmd() { printf '%s\nlogout\n' "$2" | timeout 10 socat - "UNIX-CONNECT:$TMP/$1.mgmt" |
	awk '/0000 DATA END WITH/ {on=1; next} on && /^\.\r?$/ {exit} on {print}'; }
stat() { cmd "$1" stats | awk -v k="$2" '$1 == k {print $2}'; }
drops() { cmd srv stats | awk '$1 ~ /^rx_(no_cookie|bad_cookie|ratelimited|handshake_fail|handshake_replay|malformed|bad_mac1)$/ {s += $2} END {print s + 0}'; }
cpu() { awk -v c="$CLK" '{print ($14 + $15) / c}' "/proc/$1/stat"; }
wait_sock() { local i; for i in $(seq 100); do [ -S "$1" ] && return 0; sleep 0.05; done; return 1; }
now() { date +%s.%N; }

ip netns add $NS || exit 1
ip -n $NS link set lo up
ip netns exec $NS sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.lo.rp_filter=0
ip -n $NS addr add 10.99.0.1/16 dev lo
( umask 077; "$CAB" genkey >"$TMP/srv.key" )
SRVPUB=$("$CAB" pubkey <"$TMP/srv.key")
printf 'private-key %s\n' "$TMP/srv.key" >"$TMP/srv.conf"
for i in $(seq "$NC"); do
	( umask 077; "$CAB" genkey >"$TMP/c$i.key" )
	printf 'peer %s\n' "$("$CAB" pubkey <"$TMP/c$i.key")" >>"$TMP/srv.conf"
	printf 'private-key %s\npeer %s endpoint 10.99.0.1:%s\n' "$TMP/c$i.key" "$SRVPUB" "$PS" >"$TMP/c$i.conf"
done
for s in sws $(seq -f 'swc%g' "$NC"); do
	"$SW" -s "$TMP/$s" --nostdin >"$TMP/$s.log" 2>&1 &
	PIDS+=($!)
done
ip netns exec $NS "$CAB" -M "$TMP/srv.mgmt" -s "$TMP/sws" -p $PS -f "$TMP/srv.conf" >"$TMP/srv.log" 2>&1 &
SRV=$!
PIDS+=($SRV)
wait_sock "$TMP/srv.mgmt" || { echo "server did not start"; cat "$TMP/srv.log"; exit 1; }
sleep 0.3
ip netns exec $NS python3 "$FLOOD" 10.99.0.1 $PS "$SRVPUB" 100000 "$PPS" >"$TMP/flood.out" 2>&1 &
PIDS+=($!)
for i in $(seq 100); do grep -q ready "$TMP/flood.out" && break; sleep 0.05; done
echo "# $(date -u '+%F %T UTC'), $(nproc) CPUs, uptime:$(uptime | sed 's/.*up/ up/')"
echo "# window ${WIN}s, $NC clients, flood PPS=${PPS:-0} (0 = full speed)"
printf '%-5s %4s %9s %9s %9s %10s %8s\n' mode run up/"$NC" first_s last_s flood_pps srv_cpu%
declare -A RES

one() {	# mode run
	local mode=$1 run=$2 i d0 c0 t0 t first= last= n=0 h d c
	cmd srv "debug/cookies $mode" >/dev/null
	CPIDS=()
	rm -f "$TMP"/c*.mgmt
	d0=$(drops); c0=$(cpu $SRV); t0=$(now)
	for i in $(seq "$NC"); do
		ip netns exec $NS "$CAB" -M "$TMP/c$i.mgmt" -s "$TMP/swc$i" -f "$TMP/c$i.conf" >"$TMP/c$i.log" 2>&1 &
		CPIDS+=($!)
	done
	for i in $(seq "$NC"); do wait_sock "$TMP/c$i.mgmt"; done
	for i in $(seq "$NC"); do "$CLIENT" -n 1 -l 60 -S 9 "$TMP/swc$i" >/dev/null; done
	while :; do
		t=$(now)
		h=0
		for i in $(seq "$NC"); do
			[ "$(stat c$i handshakes)" -ge 1 ] 2>/dev/null && h=$((h + 1))
		done
		if [ $h -gt $n ]; then
			n=$h
			[ -z "$first" ] && first=$(printf '%.1f' "$(echo "$t - $t0" | bc)")
			last=$(printf '%.1f' "$(echo "$t - $t0" | bc)")
		fi
		[ $n -ge "$NC" ] && break
		[ "$(echo "$t - $t0 >= $WIN" | bc)" = 1 ] && break
		sleep 0.2
	done
	t=$(now); d=$(drops); c=$(cpu $SRV)
	if [ -n "${DEBUG:-}" ]; then
		for i in $(seq "$NC"); do echo "c$i $(cmd c$i stats | grep -E '^(tx_init|rx_cookie|handshakes|rx_bad_cookie_reply|rx_unknown_index) ' | tr '\n' ' ')"; done
		cmd srv stats | grep -E '^(rx_init|rx_no_cookie|rx_bad_cookie|rx_ratelimited|rx_handshake_fail|rx_handshake_replay|tx_cookie|tx_resp|handshakes) ' | tr '\n' ' '; echo
	fi
	local el pps cpup
	el=$(echo "$t - $t0" | bc)
	pps=$(echo "($d - $d0) / $el" | bc)
	cpup=$(echo "100 * ($c - $c0) / $el" | bc)
	printf '%-5s %4s %9s %9s %9s %10s %8s\n' "$mode" "$run" "$n" "${first:--}" "${last:--}" "$pps" "$cpup"
	RES[$mode.n]+="$n "
	if [ $n -ge "$NC" ]; then RES[$mode.last]+="$last "; else RES[$mode.last]+="never "; fi
	RES[$mode.pps]+="$pps "
	RES[$mode.cpu]+="$cpup "
	for i in "${CPIDS[@]}"; do kill "$i" 2>/dev/null; done
	for i in "${CPIDS[@]}"; do wait "$i" 2>/dev/null; done
	CPIDS=()
	sleep 1
}

for r in $(seq "$RUNS"); do
	if [ $((r % 2)) = 1 ]; then one auto "$r"; one off "$r"; else one off "$r"; one auto "$r"; fi
done
# median; "never" (not all clients up in the window) sorts above any time
med() { tr ' ' '\n' | grep -v '^$' | sed 's/^never$/1e99/' | sort -g |
	awk '{a[NR] = $1} END {v = NR ? a[int((NR + 1) / 2)] : 0; print v == 1e99 ? "never (window)" : v}'; }
echo "# medians of $RUNS runs"
for m in auto off; do
	echo "$m: clients up $(echo "${RES[$m.n]}" | med)/$NC in the ${WIN}s window, all up after $(echo "${RES[$m.last]}" | med) s, flood $(echo "${RES[$m.pps]}" | med) pps arriving, server CPU $(echo "${RES[$m.cpu]}" | med)%"
done
a=$(echo "${RES[auto.n]}" | med); o=$(echo "${RES[off.n]}" | med)
echo "clients connected under the flood (median), auto/off: $a/$o"
echo "# end: uptime:$(uptime | sed "s/.*up/ up/")"
