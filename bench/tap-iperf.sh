#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/tap-iperf.sh - iperf3 TCP between two namespaces through one switch
# and its taps, ours vs Debian's vde2, side by side in one run (issue 5)
#
#   bench/tap-iperf.sh [-r RUNS] [-t SECONDS] [-o FILE] [-b BASE_BUILD] BUILD_DIR   (root)
#   bench/tap-iperf.sh -V [-r RUNS] [-t SECONDS] BUILD_DIR
#       against a veth pair (issue 11): CONFIGS="veth ours ours-novnet ours-t
#       ours-t-rt",
#       BASE=veth, MTUS=1500 unless set: vde_plug2tap on both sides (with and
#       without super-frames on the rings) and -t taps, each as a ratio to veth
#
# Setups (CONFIGS, default "ours debian ours-t"; also "debian-t",
# "ours-t-nooff", "ours-t-rt" and "veth"):
#   ours      BUILD_DIR/switch/vde_switch, one BUILD_DIR/plug2tap/vde_plug2tap
#             in each namespace (tap0)
#   debian    /usr/bin/vde_switch + /usr/bin/vde_plug2tap, the same way
#   ours-t    our vde_switch -t A -t B: the switch itself owns both taps,
#             which are then moved into the namespaces (no plug2tap)
#   debian-t  the same with Debian's vde_switch -t
#   ours-t-nooff  ours-t with --no-offload (plain taps: no super-frames)
#   ours-t-rt ours-t with --rtprio 10: the switch forwards at SCHED_FIFO
#             priority, as the kernel's own path runs in softirq context
#   ours-novnet  ours with VDEPLUG_VNET=0 for the two vde_plug2tap: rings, but
#             wire frames only (the library cuts the tap's super-frames)
#   ours-sc   ours with vde_switch --shortcuts: the two vde_plug2tap write
#             to each other on shortcuts, super-frames whole (docs/fastpath.md
#             section 10)
#   veth      a veth pair between the namespaces, no switch (the kernel's
#             own path: the reference of issue 11)
#   base-t    ours-t with BASE_BUILD/switch/vde_switch (-b): an older build
#             side by side with BUILD_DIR's, interleaved (A/B of a change)
# BASE (default debian) is the setup the ratios are taken against; with
# BASE=veth the targets are ours-t >= 0.75x and ours >= 0.5x veth at MTU
# 1500 (issue 11). CC=NAME: the congestion control of the
# measured TCP connection (iperf3 -C; default: the machine's, printed).
## For every MTU in MTUS (default "1500 9000") and every round (RUNS, default
# 3) each setup is started fresh in rotating order, a ping must cross (and a
# full-MTU ping: Debian's tools truncate frames to 1518 bytes, so they are
# marked broken at MTU 9000), then iperf3 -c in h1 sends to iperf3 -s in h2
# for SECONDS (default 10, after 1 omitted second) in each direction of DIRS
# (default "fwd"; "rev" = iperf3 -R, h2 sends). Printed: each run (Mbit/s,
# TCP retransmits, CPU-seconds per second of the switch and of the two taps'
# processes, machine idle %, load), then medians, ratios to Debian's setup
# (of the medians, and the median of the per-round ratios) and the targets
# of performance.md: >= 1.5x Debian at MTU 1500, >= 4 Gbit/s at MTU 9000.
# The switch's CPU is also given per KiB carried (ns/KiB, in the summary).
. "$(dirname "$0")/opts-lib.sh"
BASEB=
bench_opt() {
	case $1 in
	V)	# veth, plug2tap both sides with and without super-frames, -t taps
		CONFIGS=${CONFIGS:-veth ours ours-novnet ours-t ours-t-rt} BASE=${BASE:-veth} MTUS=${MTUS:-1500} ;;
	b) BASEB=$(cd "$2" && pwd) ;;
	*) return 1 ;;
	esac
}
bench_args "r:t:o:b:V" "[-r RUNS] [-t SECONDS] [-o FILE] [-b BASE_BUILD] [-V] BUILD_DIR" 1 "$@"
OUR_SW=$B/switch/vde_switch
BASE_SW=${BASEB:+$BASEB/switch/vde_switch}
OUR_P2T=$B/plug2tap/vde_plug2tap
DEB_SW=/usr/bin/vde_switch
DEB_P2T=/usr/bin/vde_plug2tap
CONFIGS=${CONFIGS:-ours debian ours-t}
MTUS=${MTUS:-1500 9000}
DIRS=${DIRS:-fwd}
BASE=${BASE:-debian}
for f in "$OUR_SW" "$OUR_P2T" "$DEB_SW" "$DEB_P2T"; do
	case " $CONFIGS " in *" debian"*) ;; *) [ "$f" = "$DEB_SW" ] || [ "$f" = "$DEB_P2T" ] && continue ;; esac
	[ -x "$f" ] || { echo "bench: $f not found (build first / apt install vde2)" >&2; exit 1; }
done
. "$(dirname "$0")/iperf-lib.sh"

# setup CFG: start the switch and the taps of CFG; sets SWP, TAPP (pids)
setup() {
	local cfg=$1 kind h ta=${ID}a tb=${ID}b
	kind=${cfg%-t}
	case $cfg in
	veth)
		ip link add tap0 netns "$ID-h1" type veth peer name tap0 netns "$ID-h2" || return 1
		# shellcheck disable=SC2034 # read by cur_stop (iperf-lib.sh)
		VETH=1
		SWP=
		TAPP=
		;;
	*-t|*-t-*)
		local opts=()
		case $cfg in
		*-t-nooff) opts=(--no-offload) ;;
		*-t-rt) opts=(--rtprio 10) ;;
		esac
		kind=${cfg%%-t*}
		if [ "$kind" = base ]; then
			[ -x "$BASE_SW" ] || { echo "bench: base-t needs -b BASE_BUILD" >&2; return 1; }
			OUR_SW=$BASE_SW start_switch ours "$BT/sw" "${opts[@]}" -t "$ta" -t "$tb"
		elif [ "$kind" = ours ]; then
			start_switch ours "$BT/sw" "${opts[@]}" -t "$ta" -t "$tb"
		else
			start_switch debian "$BT/sw" -t "$ta" -t "$tb"
		fi
		SWP=${CUR[-1]}
		TAPP=
		waitcmd 100 ip link show "$tb" || return 1
		ip link set "$ta" netns "$ID-h1" && ip -n "$ID-h1" link set "$ta" name tap0 || return 1
		ip link set "$tb" netns "$ID-h2" && ip -n "$ID-h2" link set "$tb" name tap0 || return 1
		;;
	*)
		local env= swopts=()
		if [ "$cfg" = ours-novnet ]; then
			kind=ours
			env=VDEPLUG_VNET=0
		elif [ "$cfg" = ours-sc ]; then
			kind=ours
			swopts=(--shortcuts -M "$BT/sw.mgmt")
		fi
		start_switch "$kind" "$BT/sw" "${swopts[@]}"
		SWP=${CUR[-1]}
		TAPP=
		for h in h1 h2; do
			if [ "$kind" = ours ]; then
				cur_spawn "p2t-$h.log" ip netns exec "$ID-$h" env $env "$OUR_P2T" \
					-s "$BT/sw" tap0
			else
				cur_spawn "p2t-$h.log" ip netns exec "$ID-$h" "$DEB_P2T" -s "$BT/sw" tap0
			fi
			TAPP="$TAPP ${CUR[-1]}"
		done
		;;
	esac
}

# ours-sc: after each measurement, what went on the shortcuts (port/stats of
# the switch: the sum over both plug2taps), so that a run that did not take
# them shows it
measure() {
	"$IPERF_MEASURE" "$@"
	case $1 in
	cfg=ours-sc\ *)
		printf 'port/stats\n' | socat -t 1 - "UNIX-CONNECT:$BT/sw.mgmt" 2>/dev/null |
			awk -v run="$1" '/ ring:/ { for (i = 1; i < NF; i++) {
				if ($i == "sc_frames") f += $(i + 1); if ($i == "sc_bytes") b += $(i + 1) } }
				END { printf "# %s: shortcuts carried %.0f frames, %.0f bytes (%.0f a frame)\n",
					run, f, b, f ? b / f : 0 }'
		;;
	esac
}
IPERF_MEASURE=$BENCH_MEASURE
BENCH_MEASURE=measure

echo "# tap-iperf $(date -u '+%Y-%m-%d %H:%M UTC') on $(uname -n): $NCPU CPUs, kernel $(uname -r)"
echo "# load: $(cut -d' ' -f1-3 /proc/loadavg); ${SECS}s x $RUNS rounds; setups: $CONFIGS; MTUs: $MTUS; dirs: $DIRS; tcp cc: ${CC:-$(cat /proc/sys/net/ipv4/tcp_congestion_control)}"
echo "# ours: $B${BASEB:+; base-t: $BASEB}; Debian vde2 $(dpkg-query -W -f '${Version}' vde2 2>/dev/null)"
ns_setup
# shellcheck disable=SC2086
bench_rounds $MTUS
echo "# end load: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$BASE" = veth ]; then
	bench_summary veth "{('ours-t', 1500): ('ratio', 0.75), ('ours-t-rt', 1500): ('ratio', 0.75),
	('ours', 1500): ('ratio', 0.5)}"
else
	bench_summary "$BASE" "{('ours', 1500): ('ratio', 1.5), ('ours-t', 1500): ('ratio', 1.5),
	('ours', 9000): ('mbps', 4000), ('ours-t', 9000): ('mbps', 4000)}"
fi
