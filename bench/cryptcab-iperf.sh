#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/cryptcab-iperf.sh - iperf3 TCP through two switches joined by a cable
#
#   [TAPS=switch|plug2tap] bench/cryptcab-iperf.sh BUILD_DIR [SECONDS] [RUNS]
#
# What is measured: two network namespaces h1 and h2 (root needed), each with
# a tap on its own vde_switch (ours, BUILD_DIR/switch). TAPS=switch (default):
# the switch runs in the namespace and owns the tap (vde_switch -t tap0);
# TAPS=plug2tap: the switch runs outside and Debian's vde_plug2tap joins the
# tap to it (one more process and one more AF_UNIX hop per frame and side).
# The switches and taps are started once; between them, one cable at a time:
#   ours    our vde_cryptcab (BUILD_DIR/cryptcab), PSK mode, client + server
#   debian  Debian's Blowfish /usr/bin/vde_cryptcab (package vde2-cryptcab),
#           pre-shared key mode (-P, 16-byte key + 8-byte IV), client + server
#           on two loopback ports. It needs OpenSSL 3's legacy provider for
#           Blowfish: OPENSSL_CONF points it at a config enabling default+legacy.
#   udp     an unencrypted cable: our vde_plug SW udp://A->127.0.0.1:B, twice
# For each measurement the cable is started, ping must cross it, then iperf3
# -c in h1 sends TCP to iperf3 -s in h2 for SECONDS (default 10), and the
# cable is stopped (the switches forget its MACs when its port closes). Guest
# MTU 1400, so no cable fragments (ours: 1414-byte frame -> 1446-byte UDP
# payload; Debian's: frame + 12-byte trailer, padded to 8 -> 1433 bytes).
# The three cables are interleaved for RUNS rounds (default 3), the order
# rotating each round. Printed: every run, with the CPU seconds used during
# the iperf3 run by the two cable processes and by the two switches + two
# taps, and the share of the machine's CPUs left idle; then the medians and
# the ratios ours/debian and ours/udp against the targets of performance.md
# (>= 5x, >= 70%). Exit 0 even if a target is missed: this is a benchmark,
# not a test.
set -u
. "$(dirname "$0")/opts-lib.sh"
bench_positional "BUILD_DIR [SECONDS] [RUNS]" 1 3 "$@"
B=$1
SECS=${2:-10}
RUNS=${3:-3}
TAPS=${TAPS:-switch}
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; exit 77; }
for t in iperf3 /usr/bin/vde_plug2tap /usr/bin/vde_cryptcab /usr/bin/python3; do
	command -v $t >/dev/null || { echo "needs $t"; exit 77; }
done
SW=$B/switch/vde_switch
CAB=$B/cryptcab/vde_cryptcab
PLUG=$B/plug/vde_plug
DEBCAB=/usr/bin/vde_cryptcab
for t in "$SW" "$CAB" "$PLUG"; do [ -x "$t" ] || { echo "no $t (build first)"; exit 1; }; done
TMP=$(mktemp -d /tmp/cabbench.XXXXXX)
ID=cabb$$
PIDS=()		# switches and taps, for the whole run
CPIDS=()	# the current cable
CLK=$(getconf CLK_TCK)

. "$(dirname "$0")/ns-lib.sh"

cleanup() {
	stop_cable
	pids_end "${PIDS[@]}"
	ns_del h1 h2
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
waitfile() { local i; for i in $(seq 100); do [ -e "$1" ] && return 0; sleep 0.05; done; return 1; }

# OpenSSL 3 keeps Blowfish in the legacy provider; without it Debian's
# vde_cryptcab cannot set up its cipher.
cat >"$TMP/openssl.cnf" <<'EOF'
openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
[provider_sect]
default = default_sect
legacy = legacy_sect
[default_sect]
activate = 1
[legacy_sect]
activate = 1
EOF
( umask 077; "$CAB" genpsk >"$TMP/psk"; head -c 24 /dev/urandom >"$TMP/bf.key" )

start_base() {
	local h i
	ns_add h1 h2
	for h in 1 2; do
		if [ "$TAPS" = switch ]; then
			ip netns exec $ID-h$h "$SW" -s "$TMP/sw$h" --nostdin -t tap0 \
				-p "$TMP/sw$h.pid" >>"$TMP/log" 2>&1 &
			PIDS+=($!)
			waitfile "$TMP/sw$h.pid" || { echo "switch $h failed"; exit 1; }
		else
			"$SW" -s "$TMP/sw$h" --nostdin -p "$TMP/sw$h.pid" >>"$TMP/log" 2>&1 &
			PIDS+=($!)
			waitfile "$TMP/sw$h.pid" || { echo "switch $h failed"; exit 1; }
			ip netns exec $ID-h$h /usr/bin/vde_plug2tap -s "$TMP/sw$h" tap0 >>"$TMP/log" 2>&1 &
			PIDS+=($!)
		fi
	done
	for h in 1 2; do
		for i in $(seq 100); do ip -n $ID-h$h link show tap0 >/dev/null 2>&1 && break; sleep 0.05; done
		ip -n $ID-h$h addr add 10.77.0.$h/24 dev tap0 || exit 1
		ip -n $ID-h$h link set tap0 mtu 1400 up || exit 1
	done
}

cbg() { "$@" >>"$TMP/log" 2>&1 & CPIDS+=($!); }

# start_cable KIND: returns 0 when ping crosses the cable
start_cable() {
	local kind=$1 pa pb i
	pa=$((20000 + RANDOM % 20000)); pb=$((pa + 1))
	case $kind in
	udp)
		cbg "$PLUG" "$TMP/sw1" "udp://$pa->127.0.0.1:$pb"
		cbg "$PLUG" "$TMP/sw2" "udp://$pb->127.0.0.1:$pa"
		;;
	ours)
		cbg "$CAB" -s "$TMP/sw2" -p "$pa" -P "$TMP/psk"
		cbg "$CAB" -s "$TMP/sw1" -c "127.0.0.1:$pa" -P "$TMP/psk" -k 1
		;;
	debian)
		cbg env OPENSSL_CONF="$TMP/openssl.cnf" "$DEBCAB" -s "$TMP/sw2" -p "$pa" -P "$TMP/bf.key"
		cbg env OPENSSL_CONF="$TMP/openssl.cnf" "$DEBCAB" -s "$TMP/sw1" -p "$pb" \
			-c "127.0.0.1:$pa" -P "$TMP/bf.key"
		;;
	esac
	for h in 1 2; do ip -n $ID-h$h neigh flush dev tap0 2>/dev/null; done
	for i in $(seq 20); do
		ip netns exec $ID-h1 ping -c 1 -W 1 10.77.0.2 >/dev/null 2>&1 && return 0
	done
	return 1
}

stop_cable() {
	pids_end "${CPIDS[@]}"
	CPIDS=()
}

# measure KIND: prints "Mbit/s cable_cpu_s path_cpu_s idle_%"; path = the
# two switches and two taps; idle = share of the machine's CPUs left idle
measure() {
	local kind=$1 out c0 c1 p0 p1 i0 i1 t0 t1 spid i
	if ! start_cable "$kind"; then
		echo "$kind: no ping across the cable" >&2
		stop_cable
		echo "0 0 0 0"
		return
	fi
	rm -f "$TMP/iperf.pid"
	ip netns exec $ID-h2 iperf3 -s -1 -D -I "$TMP/iperf.pid" >/dev/null 2>&1
	waitfile "$TMP/iperf.pid"
	sleep 0.2
	c0=$(pids_ticks "${CPIDS[@]}"); p0=$(pids_ticks "${PIDS[@]}"); i0=$(idle_ticks); t0=$(date +%s.%N)
	out=$(ip netns exec $ID-h1 iperf3 -c 10.77.0.2 -t "$SECS" -J 2>/dev/null)
	c1=$(pids_ticks "${CPIDS[@]}"); p1=$(pids_ticks "${PIDS[@]}"); i1=$(idle_ticks); t1=$(date +%s.%N)
	# the next measurement's iperf3 -s needs the port: wait for this one to go
	spid=$(cat "$TMP/iperf.pid" 2>/dev/null)
	if [ -n "$spid" ]; then
		kill "$spid" 2>/dev/null
		for i in $(seq 100); do kill -0 "$spid" 2>/dev/null || break; sleep 0.05; done
	fi
	stop_cable
	echo "$out" | /usr/bin/python3 -c 'import json,sys
j = {}
try:
    j = json.load(sys.stdin)
    v = j["end"]["sum_received"]["bits_per_second"] / 1e6
except Exception:
    v = 0
    print("iperf3 failed: %s" % j.get("error", "no result"), file=sys.stderr)
c, p, i, t0, t1, hz, n = (float(a) for a in sys.argv[1:])
t = t1 - t0
print("%.1f %.2f %.2f %.0f" % (v, c / hz, p / hz, 100 * i / hz / t / n))' \
		$((c1 - c0)) $((p1 - p0)) $((i1 - i0)) "$t0" "$t1" "$CLK" "$(nproc)"
}

median() { tr " " "\n" | grep -E "^[0-9.]+$" | grep -v "^[0.]*$" | sort -n | awk "{a[NR]=\$1} END {print a[int((NR+1)/2)]}"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a > 0 && b > 0) printf "%.2f", a / b; else print "n/a"}'; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN {print (r != "n/a" && r >= t) ? "met" : "MISSED"}'; }

# nsb MBITS CPU_S: cable CPU nanoseconds per byte carried
nsb() { awk -v v="$1" -v c="$2" -v t="$SECS" 'BEGIN {if (v > 0) printf "%.1f", c * 1e9 / (v * 1e6 * t / 8); else print 0}'; }

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), load: $(cut -d' ' -f1-3 /proc/loadavg), ${SECS}s x $RUNS rounds, taps: $TAPS"
start_base
KINDS=(ours debian udp)
declare -A R N V
RD='' RU='' UD=''
for r in $(seq "$RUNS"); do
	for i in 0 1 2; do
		kind=${KINDS[$(( (i + r - 1) % 3 ))]}
		measure "$kind" >"$TMP/m"
		read -r v cpu pcpu idle <"$TMP/m"
		V[$kind]=$v
		R[$kind]="${R[$kind]:-} $v"
		N[$kind]="${N[$kind]:-} $(nsb "$v" "$cpu")"
		printf "run %d %-6s %7s Mbit/s  CPU s: cable %5s, switches+taps %5s  idle %3s%%  load %s\n" \
			"$r" "$kind" "$v" "$cpu" "$pcpu" "$idle" "$(cut -d' ' -f1 /proc/loadavg)"
	done
	# ratios within the round: the three runs were back to back
	RD="$RD $(ratio "${V[ours]}" "${V[debian]}")"
	RU="$RU $(ratio "${V[ours]}" "${V[udp]}")"
	UD="$UD $(ratio "${V[udp]}" "${V[debian]}")"
done
o=$(echo "${R[ours]}" | median)
d=$(echo "${R[debian]}" | median)
u=$(echo "${R[udp]}" | median)
rd=$(ratio "${o:-0}" "${d:-0}")
ru=$(ratio "${o:-0}" "${u:-0}")
echo "median ours   (vde_cryptcab, ChaCha20-Poly1305) ${o:-failed} Mbit/s, cable CPU $(echo "${N[ours]}" | median) ns/byte"
echo "median debian (vde_cryptcab 2.3.2, Blowfish)    ${d:-failed} Mbit/s, cable CPU $(echo "${N[debian]}" | median) ns/byte"
echo "median udp    (our vde_plug udp://, cleartext)  ${u:-failed} Mbit/s, cable CPU $(echo "${N[udp]}" | median) ns/byte"
echo "ratio ours/debian  $rd of medians, per round:$RD, median $(echo "$RD" | median)  (target >= 5x: $(verdict "$rd" 5))"
echo "ratio ours/udp     $ru of medians, per round:$RU, median $(echo "$RU" | median)  (target >= 0.70: $(verdict "$ru" 0.70))"
echo "ratio udp/debian  $(ratio "${u:-0}" "${d:-0}") of medians, per round:$UD (for reference: the cleartext cable's own lead)"
echo "# end load: $(cut -d' ' -f1-3 /proc/loadavg)"
