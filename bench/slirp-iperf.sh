#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/slirp-iperf.sh - iperf3 TCP through a switch and a slirp NAT
#
#   bench/slirp-iperf.sh BUILD_DIR [SECONDS] [RUNS]
#
# What is measured: a guest namespace "g" with a tap (our vde_plug2tap) on
# our vde_switch, static address 10.0.2.15/24 via 10.0.2.2; a "host"
# namespace whose loopback runs iperf3 -s on 127.0.0.1. Between the switch
# and the host, one NAT at a time, started in the host namespace:
#   ours        our slirpvde (BUILD_DIR/slirp/slirpvde) on the switch
#   debian      Debian's /usr/bin/slirpvde (vde2, its own old slirp copy),
#               started with SIGPIPE ignored (env --ignore-signal=PIPE): as
#               shipped it is killed by SIGPIPE when an iperf3 connection
#               closes (status 141), which a first, separate run shows
#   debplug     Debian's libvdeplug_slirp: /usr/bin/vde_plug SW slirp://
#               (Debian's libvdeplug, libvdeslirp, libslirp 4.7)
#   ourplug     our slirp:// plugin: BUILD_DIR's vde_plug SW slirp://
#               (VDEPLUGIN_PATH=BUILD_DIR/slirp/.libs)
# For each measurement the NAT is started, a ping of 10.0.2.2 must pass,
# then iperf3 -c 10.0.2.2 in the guest runs SECONDS (default 5) guest->host
# ("up") and SECONDS with -R host->guest ("down"); the NAT is stopped. MTU
# 1500 everywhere. The four are interleaved for RUNS rounds (default 3),
# the order rotating each round. Printed: each run, then the medians and
# the ratios ours/debian and ours/debplug (target >= 1). Exit 0 even if a
# target is missed: this is a benchmark, not a test.
set -u
. "$(dirname "$0")/opts-lib.sh"
bench_positional "BUILD_DIR [SECONDS] [RUNS]" 1 3 "$@"
B=$1
SECS=${2:-5}
RUNS=${3:-3}
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; exit 77; }
for t in iperf3 /usr/bin/slirpvde /usr/bin/vde_plug python3; do
	command -v $t >/dev/null || { echo "needs $t"; exit 77; }
done
[ -f /usr/lib/x86_64-linux-gnu/vdeplug/libvdeplug_slirp.so ] ||
	{ echo "needs Debian's libvdeplug-slirp"; exit 77; }
SW=$B/switch/vde_switch
SLIRP=$B/slirp/slirpvde
PLUG=$B/plug/vde_plug
P2T=$B/plug2tap/vde_plug2tap
for t in "$SW" "$SLIRP" "$PLUG" "$P2T"; do [ -x "$t" ] || { echo "no $t (build first)"; exit 1; }; done
[ -f "$B/slirp/.libs/libvdeplug_slirp.so" ] || { echo "no slirp:// plugin in $B (build first)"; exit 1; }
TMP=$(mktemp -d /tmp/slirpbench.XXXXXX)
ID=slb$$
PIDS=()
NPID=

stop_nat() {
	[ -n "$NPID" ] || return 0
	kill "$NPID" 2>/dev/null
	wait "$NPID" 2>/dev/null
	NPID=
}

. "$(dirname "$0")/ns-lib.sh"

cleanup() {
	stop_nat
	pids_end "${PIDS[@]}"
	ns_del g host
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

waitfor() {	# SECS CMD...: poll
	local end=$(( $(date +%s) + $1 ))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.05
	done
}

ns_add g host
"$SW" --nostdin -s "$TMP/sw" >"$TMP/sw.log" 2>&1 &
PIDS+=($!)
waitfor 5 test -S "$TMP/sw/ctl" || { echo "switch did not start"; exit 1; }
ip netns exec $ID-g "$P2T" -s "$TMP/sw" tap0 >"$TMP/tap.log" 2>&1 &
PIDS+=($!)
waitfor 5 ip -n $ID-g link show tap0 || { echo "no tap0"; exit 1; }
ip -n $ID-g addr add 10.0.2.15/24 dev tap0
ip -n $ID-g link set tap0 up
ip -n $ID-g route add default via 10.0.2.2
ip netns exec $ID-host iperf3 -s -B 127.0.0.1 -p 5201 >"$TMP/iperf-s.log" 2>&1 &
PIDS+=($!)
waitfor 5 sh -c "ip netns exec $ID-host ss -ltn | grep -q ':5201 '" || { echo "no iperf3 -s"; exit 1; }

start_nat() {
	case $1 in
	ours) ip netns exec $ID-host "$SLIRP" -q "$TMP/sw" >"$TMP/nat.log" 2>&1 & ;;
	debian) ip netns exec $ID-host env --ignore-signal=PIPE /usr/bin/slirpvde -q -s "$TMP/sw" \
		>"$TMP/nat.log" 2>&1 & ;;
	debian-as-shipped) ip netns exec $ID-host /usr/bin/slirpvde -q -s "$TMP/sw" \
		>"$TMP/nat.log" 2>&1 & ;;
	debplug) ip netns exec $ID-host env -u VDEPLUGIN_PATH /usr/bin/vde_plug "$TMP/sw" slirp:// \
		>"$TMP/nat.log" 2>&1 & ;;
	ourplug) ip netns exec $ID-host env VDEPLUGIN_PATH="$B/slirp/.libs" "$PLUG" "$TMP/sw" slirp:// \
		>"$TMP/nat.log" 2>&1 & ;;
	esac
	NPID=$!
	# the guest's ARP entry for 10.0.2.2 may still be stale from the last NAT
	ip -n $ID-g neigh flush dev tap0 2>/dev/null
	waitfor 10 ip netns exec $ID-g ping -c 1 -W 1 10.0.2.2
}

# iperf3 JSON -> Gbit/s of the receiver
gbps() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("%.3f" % (d["end"]["sum_received"]["bits_per_second"]/1e9))' "$1" 2>/dev/null || echo 0
}

echo "# slirp iperf3: ${SECS}s per direction, $RUNS rounds; load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
# Debian's slirpvde as shipped: one short run, then its exit status
if start_nat debian-as-shipped; then
	ip netns exec $ID-g timeout 30 iperf3 -c 10.0.2.2 -p 5201 -t 2 -J >"$TMP/run.json" 2>/dev/null
	sleep 1
	if kill -0 "$NPID" 2>/dev/null; then
		echo "# Debian's slirpvde as shipped: survived a 2 s iperf3 run ($(gbps "$TMP/run.json") Gbit/s)"
		stop_nat
	else
		wait "$NPID"
		echo "# Debian's slirpvde as shipped: died during a 2 s iperf3 run, exit status $?" \
			"(141 = SIGPIPE); measured below with SIGPIPE ignored"
		NPID=
	fi
fi

NATS=(ours debian debplug ourplug)
declare -A R M
printf '%-8s %-6s %10s\n' nat dir Gbit/s
for ((r = 0; r < RUNS; r++)); do
	for ((k = 0; k < ${#NATS[@]}; k++)); do
		nat=${NATS[$(( (k + r) % ${#NATS[@]} ))]}
		if ! start_nat "$nat"; then
			echo "$nat: no ping through it: $(tail -3 "$TMP/nat.log")"
			stop_nat
			continue
		fi
		for dir in up down; do
			if ! kill -0 "$NPID" 2>/dev/null; then
				R[$nat.$dir]="${R[$nat.$dir]:-} 0"
				printf '%-8s %-6s %10s  (the NAT process had died)\n' "$nat" "$dir" 0
				continue
			fi
			flag=
			[ $dir = down ] && flag=-R
			ip netns exec $ID-g timeout $((SECS + 20)) iperf3 -c 10.0.2.2 -p 5201 -t "$SECS" \
				$flag -J >"$TMP/run.json" 2>/dev/null
			v=$(gbps "$TMP/run.json")
			R[$nat.$dir]="${R[$nat.$dir]:-} $v"
			printf '%-8s %-6s %10s%s\n' "$nat" "$dir" "$v" \
				"$(kill -0 "$NPID" 2>/dev/null || echo '  (the NAT process died during the run)')"
		done
		stop_nat
	done
done

median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print 0}'; }
echo "# medians (Gbit/s)"
for dir in up down; do
	for nat in "${NATS[@]}"; do
		M[$nat]=$(echo "${R[$nat.$dir]:-}" | median)
	done
	printf '%-5s ours %s  debian %s  debplug %s  ourplug %s\n' "$dir" "${M[ours]}" "${M[debian]}" \
		"${M[debplug]}" "${M[ourplug]}"
	awk -v o="${M[ours]}" -v d="${M[debian]}" -v p="${M[debplug]}" -v q="${M[ourplug]}" -v dir="$dir" \
		'BEGIN { f = "%-5s ours/debian %s  ours/debplug %.2fx  ourplug/debplug %.2fx  (target >= 1)\n"; printf f, dir, (d > 0 ? sprintf("%.2fx", o / d) : "inf (debian 0)"), (p > 0 ? o / p : 0), (p > 0 ? q / p : 0) }'
done
echo "# load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
