#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/cryptcab-iperf.sh - iperf3 TCP through two switches joined by a cable
#
#   bench/cryptcab-iperf.sh BUILD_DIR [SECONDS] [RUNS]
#
# What is measured: two network namespaces h1 and h2 (root needed), each with
# a tap (Debian's vde_plug2tap) on its own vde_switch (ours, BUILD_DIR/switch).
# The two switches are joined over 127.0.0.1 by, in turn:
#   udp        an unencrypted cable: our vde_plug SW udp://A->127.0.0.1:B, twice
#   cryptcab   our vde_cryptcab, PSK mode, one client and one server
# iperf3 -c in h1 sends TCP to iperf3 -s in h2 for SECONDS (default 10), guest
# MTU 1400 (a 1414-byte frame is 1446 bytes of UDP payload on the cable, so
# nothing is fragmented). The two cables alternate for RUNS rounds (default
# 3); the median receiver throughput of each is printed with the ratio
# cryptcab/udp. Debian 12's vde2 package ships no vde_cryptcab, so the
# Blowfish cable cannot be measured here.
set -u
B=${1:?usage: $0 BUILD_DIR [SECONDS] [RUNS]}
SECS=${2:-10}
RUNS=${3:-3}
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; exit 77; }
for t in iperf3 /usr/bin/vde_plug2tap; do command -v $t >/dev/null || { echo "needs $t"; exit 77; }; done
SW=$B/switch/vde_switch
CAB=$B/cryptcab/vde_cryptcab
PLUG=$B/plug/vde_plug
TMP=$(mktemp -d /tmp/cabbench.XXXXXX)
ID=cabb$$
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	sleep 0.3
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	stop_path
	rm -rf "$TMP"
}
trap cleanup EXIT
bg() { "$@" >>"$TMP/log" 2>&1 & PIDS+=($!); }
waitfile() { local i; for i in $(seq 100); do [ -e "$1" ] && return 0; sleep 0.05; done; return 1; }

setup_hosts() {
	local h
	for h in h1 h2; do
		ip netns add $ID-$h
		ip -n $ID-$h link set lo up
	done
}

# start_path KIND: switches, taps and cable; returns when ping works
start_path() {
	local kind=$1 h pa pb
	PIDS=()
	setup_hosts
	rm -rf "$TMP"/sw1 "$TMP"/sw2 "$TMP"/*.pid
	for h in 1 2; do
		bg "$SW" -s "$TMP/sw$h" --nostdin -p "$TMP/sw$h.pid"
		waitfile "$TMP/sw$h.pid" || { echo "switch $h failed"; exit 1; }
		bg ip netns exec $ID-h$h /usr/bin/vde_plug2tap -s "$TMP/sw$h" tap0
	done
	pa=$((20000 + RANDOM % 20000)); pb=$((pa + 1))
	case $kind in
	udp)
		bg "$PLUG" "$TMP/sw1" "udp://$pa->127.0.0.1:$pb"
		bg "$PLUG" "$TMP/sw2" "udp://$pb->127.0.0.1:$pa"
		;;
	cryptcab)
		[ -e "$TMP/psk" ] || ( umask 077; "$CAB" genpsk >"$TMP/psk" )
		bg "$CAB" -s "$TMP/sw2" -p "$pa" -P "$TMP/psk"
		bg "$CAB" -s "$TMP/sw1" -c "127.0.0.1:$pa" -P "$TMP/psk" -k 1
		;;
	esac
	for h in 1 2; do
		local i
		for i in $(seq 100); do ip -n $ID-h$h link show tap0 >/dev/null 2>&1 && break; sleep 0.05; done
		ip -n $ID-h$h addr add 10.77.0.$h/24 dev tap0
		ip -n $ID-h$h link set tap0 mtu 1400 up
	done
	for i in $(seq 20); do
		ip netns exec $ID-h1 ping -c 1 -W 1 10.77.0.2 >/dev/null 2>&1 && return 0
	done
	return 1
}

stop_path() {
	local p h
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	PIDS=()
	for h in h1 h2; do
		for p in $(ip netns pids $ID-$h 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
		ip netns del $ID-$h 2>/dev/null
	done
}

measure() {
	local kind=$1 out
	if ! start_path "$kind"; then
		stop_path
		echo 0
		return
	fi
	ip netns exec $ID-h2 iperf3 -s -1 -D -I "$TMP/iperf.pid" >/dev/null 2>&1
	waitfile "$TMP/iperf.pid"
	sleep 0.2
	out=$(ip netns exec $ID-h1 iperf3 -c 10.77.0.2 -t "$SECS" -J 2>/dev/null)
	kill "$(cat "$TMP/iperf.pid" 2>/dev/null)" 2>/dev/null
	rm -f "$TMP/iperf.pid"
	stop_path
	echo "$out" | /usr/bin/python3 -c 'import json,sys
try:
    print("%.1f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e6))
except Exception:
    print(0)'
}

declare -A R
for r in $(seq "$RUNS"); do
	for kind in udp cryptcab; do
		v=$(measure $kind)
		R[$kind]="${R[$kind]:-} $v"
		echo "run $r $kind $v Mbit/s"
	done
done
median() { tr " " "\n" | grep -v "^0*$" | sort -n | awk "{a[NR]=\$1} END {print a[int((NR+1)/2)]}"; }
u=$(echo "${R[udp]}" | median)
c=$(echo "${R[cryptcab]}" | median)
echo "median udp:// cable      $u Mbit/s"
echo "median vde_cryptcab      $c Mbit/s"
echo "ratio cryptcab/udp       $(awk -v c="$c" -v u="$u" 'BEGIN {printf "%.2f", c / u}')"
