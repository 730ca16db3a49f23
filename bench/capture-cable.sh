#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/capture-cable.sh - what vdecapture in a cable costs (issue 12)
#
#   bench/capture-cable.sh [-r RUNS] [-n PINGS] BUILD_DIR
#
#   sw1 = dpipe vde_plug sw1 = STAGE = vde_plug sw2 = sw2
#
# Stages (interleaved, fresh chain for every measurement, RUNS rounds,
# default 3): "none" (vde_plug sw1 = vde_plug sw2), "wirefilter" (our
# wirefilter, no impairment: the reference pass-through stage), "capture"
# (vdecapture -w FILE.pcapng, FILE on /tmp). Measured through the cable with
# tests/vdeplug_client: the mean RTT of a ping-pong of PINGS 64-byte frames
# (default 20000) with an echo client on sw2, and the CPU time of the stage
# per frame. (A burst rate measured with vdeplug_client is bound by the
# client's hex printing, the same for every stage: not measured.) Printed:
# every run, then medians and ratios to "none" and to "wirefilter". Figures,
# not assertions.
PINGS=20000
. "$(dirname "$0")/opts-lib.sh"
bench_opt() {
	case $1 in
	n) PINGS=$2 ;;
	esac
}
bench_args "r:n:" "[-r RUNS] [-n PINGS] BUILD_DIR" 1 "$@"
SW=$B/switch/vde_switch PLUG=$B/plug/vde_plug DPIPE=$B/dpipe/dpipe
WF=$B/wirefilter/wirefilter CAP=$B/capture/vdecapture CLIENT=$B/tests/vdeplug_client
for f in "$SW" "$PLUG" "$DPIPE" "$WF" "$CAP" "$CLIENT"; do
	[ -x "$f" ] || { echo "bench: $f not built (make && make check TESTS=)" >&2; exit 1; }
done
T=$(mktemp -d /tmp/capbench.XXXXXX)
PIDS=()
cleanup() { local p; for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$T"; }
trap cleanup EXIT
"$SW" -d -s "$T/sw1" -p "$T/sw1.pid" && "$SW" -d -s "$T/sw2" -p "$T/sw2.pid" || exit 1
sleep 0.5
PIDS+=("$(cat "$T/sw1.pid")" "$(cat "$T/sw2.pid")")

chain() {	# STAGE: start the cable, pid in CHAIN
	case $1 in
	none) "$DPIPE" "$PLUG" "$T/sw1" = "$PLUG" "$T/sw2" 2>"$T/chain.log" & ;;
	wirefilter) "$DPIPE" "$PLUG" "$T/sw1" = "$WF" = "$PLUG" "$T/sw2" 2>"$T/chain.log" & ;;
	capture) "$DPIPE" "$PLUG" "$T/sw1" = "$CAP" -q -w "$T/c.pcapng" = "$PLUG" "$T/sw2" \
		2>"$T/chain.log" & ;;
	esac
	CHAIN=$!
	sleep 0.5
}
now() { date +%s.%N; }
declare -A RTT=() CPU=()
for r in $(seq "$RUNS"); do
	for st in none wirefilter capture; do
		chain $st
		"$CLIENT" -e -r "$PINGS" -t 120 "$T/sw2" >/dev/null 2>&1 &
		echo=$!
		sleep 0.2
		t0=$(now)
		"$CLIENT" -P -n "$PINGS" -r "$PINGS" -l 64 -t 120 "$T/sw1" >/dev/null 2>&1 || echo "rtt $st: client failed" >&2
		t1=$(now)
		wait "$echo"
		rtt=$(echo "($t1 - $t0) * 1000000 / $PINGS" | bc -l)
		# CPU time (utime + stime, ticks) of the middle stage, or 0 for none
		stage=$(pgrep -P "$CHAIN" -x "$([ $st = capture ] && echo vdecapture || echo wirefilter)")
		cpu=0
		[ -n "$stage" ] && cpu=$(awk '{print $14 + $15}' "/proc/$stage/stat")
		cpu_us=$(echo "$cpu * 1000000 / $(getconf CLK_TCK) / ($PINGS * 2)" | bc -l)
		kill "$CHAIN" 2>/dev/null
		wait "$CHAIN" 2>/dev/null
		RTT[$st]+="$rtt "
		CPU[$st]+="$cpu_us "
		printf 'run %d %-10s rtt_us=%.1f stage_cpu_us_per_frame=%.2f load=%s\n' "$r" "$st" "$rtt" \
			"$cpu_us" "$(cut -d' ' -f1 /proc/loadavg)"
	done
done
med() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "medians of $RUNS runs ($PINGS pings of 64 B):"
base=$(echo "${RTT[none]}" | med) wf=$(echo "${RTT[wirefilter]}" | med)
for st in none wirefilter capture; do
	r=$(echo "${RTT[$st]}" | med)
	printf '%-10s rtt_us=%.1f (x%.2f none, x%.2f wirefilter) stage_cpu_us_per_frame=%.2f\n' \
		"$st" "$r" "$(echo "$r / $base" | bc -l)" "$(echo "$r / $wf" | bc -l)" \
		"$(echo "${CPU[$st]}" | med)"
done
