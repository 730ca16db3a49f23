#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/wirefilter-iperf.sh - iperf3 TCP through a dpipe + wirefilter cable
# between two switches, ours vs Debian's, side by side in one run (issue 4)
#
#   bench/wirefilter-iperf.sh [-r RUNS] [-t SECONDS] [-o FILE] [-b BASE_BUILD] BUILD_DIR  (root)
#
#   h1 --tap-- sw1 = dpipe vde_plug sw1 = wirefilter = vde_plug sw2 = sw2 --tap-- h2
#
# Setups (CONFIGS, default "ours debian"):
#   ours    every tool from BUILD_DIR: vde_switch, vde_plug2tap, dpipe,
#           vde_plug, wirefilter (no impairment configured)
#   debian  Debian's /usr/bin/vde_switch, vde_plug2tap (vde2), dpipe and
#           vde_plug (vdeplug), wirefilter (vde-wirefilter)
#   ours-nowf  for reference: ours with vde_plug sw1 sw2 as the cable
#   debian-ourwf  for reference: Debian's chain with our wirefilter in it
#   ours-debwf  our chain with Debian's wirefilter in it (the same chain,
#           only the wirefilter differs)
#   base    (with -b BASE_BUILD) every tool from BASE_BUILD, e.g. a build of
#           an older commit: the before of a before/after comparison
#   base-cable  (with -b) our switches and taps, BASE_BUILD's dpipe,
#           vde_plug and wirefilter (only the cable differs)
#   ours-batch  ours, the cable run as SCHED_BATCH (chrt -b 0)
#   ours-samesess  ours, the cable in a process group of the bench's own
#           session instead of a new one (setsid): with sched_autogroup
#           (/proc/sys/kernel/sched_autogroup_enabled) a new session is a
#           scheduling group of its own; Debian's dpipe always calls setsid()
# For every MTU in MTUS (default "1500"; Debian's tools cannot carry more)
# and every round (RUNS, default 3) each setup is started fresh in rotating
# order, a ping must cross, then iperf3 -c in h1 sends to iperf3 -s in h2
# for SECONDS (default 10, after 1 omitted second) in each direction of
# DIRS (default "fwd"; "rev" = iperf3 -R). Printed: each run (Mbit/s,
# retransmits, CPU-seconds per second of the two switches and of the rest:
# taps + dpipe chain, idle %, load, context switches of those processes
# per MB), then per setup the medians of context switches and CPU ms per
# MB, the medians of Mbit/s, ratios to Debian's chain and the target of
# performance.md: >= 2x Debian's wirefilter chain; with -b, ratios to
# base and the target of issue 11: >= 1.5x the older build's chain.
BASE=
. "$(dirname "$0")/opts-lib.sh"
bench_opt() {
	case $1 in
	b) BASE=$(cd "$2" && pwd) ;;
	esac
}
bench_args "r:t:o:b:" "[-r RUNS] [-t SECONDS] [-o FILE] [-b BASE_BUILD] BUILD_DIR" 1 "$@"
OUR_SW=$B/switch/vde_switch
DEB_SW=/usr/bin/vde_switch
declare -A P2T=([ours]=$B/plug2tap/vde_plug2tap [debian]=/usr/bin/vde_plug2tap)
declare -A DPIPE=([ours]=$B/dpipe/dpipe [debian]=/usr/bin/dpipe)
declare -A PLUG=([ours]=$B/plug/vde_plug [debian]=/usr/bin/vde_plug)
declare -A WF=([ours]=$B/wirefilter/wirefilter [debian]=/usr/bin/wirefilter)
if [ -n "$BASE" ]; then
	P2T[base]=$BASE/plug2tap/vde_plug2tap
	DPIPE[base]=$BASE/dpipe/dpipe
	PLUG[base]=$BASE/plug/vde_plug
	WF[base]=$BASE/wirefilter/wirefilter
	BASE_SW=$BASE/switch/vde_switch
	CONFIGS=${CONFIGS:-ours base}
fi
CONFIGS=${CONFIGS:-ours debian}
MTUS=${MTUS:-1500}
DIRS=${DIRS:-fwd}
for k in "${!PLUG[@]}"; do
	for f in "${P2T[$k]}" "${DPIPE[$k]}" "${PLUG[$k]}" "${WF[$k]}"; do
		[ -x "$f" ] || { echo "bench: $f not found (build first / apt install vde2 vdeplug vde-wirefilter)" >&2; exit 1; }
	done
done
[ -x "$OUR_SW" ] && [ -x "$DEB_SW" ] || { echo "bench: vde_switch missing" >&2; exit 1; }
. "$(dirname "$0")/iperf-lib.sh"

# setup CFG: two switches, a tap on each, the cable; sets SWP, TAPP (pids)
setup() {
	local cfg=$1 kind=${1%-*} h i=0 wf how sk=${1%-*} sw=$OUR_SW
	[ "$cfg" = base-cable ] && sk=ours
	[ "$sk" = base ] && sw=$BASE_SW
	OUR_SW=$sw start_switch "${sk/base/ours}" "$BT/sw1"
	SWP=${CUR[-1]}
	OUR_SW=$sw start_switch "${sk/base/ours}" "$BT/sw2"
	SWP="$SWP ${CUR[-1]}"
	TAPP=
	for h in h1 h2; do
		i=$((i + 1))
		cur_spawn "p2t-$h.log" ip netns exec "$ID-$h" "${P2T[$sk]}" -s "$BT/sw$i" tap0
		TAPP="$TAPP ${CUR[-1]}"
	done
	if [ "$cfg" = ours-nowf ]; then
		cur_spawn cable.log "${PLUG[ours]}" "$BT/sw1" "$BT/sw2"
		TAPP="$TAPP ${CUR[-1]}"
	else
		wf=${WF[$kind]}
		[ "$cfg" = debian-ourwf ] && wf=${WF[ours]}
		[ "$cfg" = ours-debwf ] && wf=${WF[debian]}
		how=--
		[ "$kind" != debian ] && how=setsid
		[ "$cfg" = ours-samesess ] && how=pgrp
		local pre=()
		[ "$cfg" = ours-batch ] && pre=(chrt -b 0)
		cur_spawn_grp cable.log "$how" "${pre[@]}" \
			"${DPIPE[$kind]}" "${PLUG[$kind]}" "$BT/sw1" = "$wf" = "${PLUG[$kind]}" "$BT/sw2"
		# dpipe and its three children (all in the group we started)
		waitcmd 50 sh -c "[ \$(pgrep -c -g ${CUR[-1]}) -ge 4 ]"
		TAPP="$TAPP $(pgrep -g "${CUR[-1]}" | tr '\n' ' ')"
	fi
}

# ctx_sum PID...: context switches (voluntary + not) of these processes so far
ctx_sum() {
	local p t=0 v
	for p in "$@"; do
		v=$(awk '/ctxt_switches/ {s += $2} END {print s + 0}' "/proc/$p/status" 2>/dev/null)
		t=$((t + ${v:-0}))
	done
	echo "$t"
}
# ctx_note N: append ctx=N and ctx_per_mb (N / the MB the run moved, its
# omitted second included) to the last result line
ctx_note() {
	local last mbps per
	last=$(tail -n 1 "$RES")
	mbps=$(echo "$last" | sed -n 's/.* mbps=\([0-9]*\).*/\1/p')
	per=$(awk -v n="$1" -v m="${mbps:-0}" -v t="$SECS" \
		'BEGIN { mb = m * (t + 1) / 8; printf "%.0f", (mb > 0 ? n / mb : 0) }')
	sed -i '$ s/$/ ctx='"$1"' ctx_per_mb='"$per"'/' "$RES"
	echo "  ctx switches of the 7 path processes: $1 ($per per MB)"
}

# iperf_ctx: iperf_run (same arguments), its context switches noted
iperf_ctx() {
	local c0 c1
	# shellcheck disable=SC2086
	c0=$(ctx_sum $3 $4)
	iperf_run "$@"
	# shellcheck disable=SC2086
	c1=$(ctx_sum $3 $4)
	ctx_note "$((c1 - c0))"
}

echo "# wirefilter-iperf $(date -u '+%Y-%m-%d %H:%M UTC') on $(uname -n): $NCPU CPUs, kernel $(uname -r)"
echo "# load: $(cut -d' ' -f1-3 /proc/loadavg); ${SECS}s x $RUNS rounds; setups: $CONFIGS; MTUs: $MTUS; dirs: $DIRS; sched_autogroup: $(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null); tcp cc: ${CC:-$(cat /proc/sys/net/ipv4/tcp_congestion_control)}"
echo "# ours: $B; Debian vde2 $(dpkg-query -W -f '${Version}' vde2 2>/dev/null)," \
	"vdeplug $(dpkg-query -W -f '${Version}' vdeplug 2>/dev/null)," \
	"vde-wirefilter $(dpkg-query -W -f '${Version}' vde-wirefilter 2>/dev/null)"
ns_setup
BENCH_MEASURE=iperf_ctx
# shellcheck disable=SC2086
bench_rounds $MTUS
echo "# end load: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$RES" <<'EOF'
import statistics, sys
g = {}
for l in open(sys.argv[1]):
    w = dict(x.split('=', 1) for x in l.split() if '=' in x)
    if 'ctx_per_mb' in w and 'broken' not in w and float(w['mbps']) > 0:
        mbs = float(w['mbps']) / 8
        cpu = 1000 * (float(w['sw_cpu']) + float(w['tap_cpu'])) / mbs
        g.setdefault(w['cfg'], []).append((float(w['ctx_per_mb']), cpu))
print()
for c in sorted(g):
    v = g[c]
    print('# %s: per MB (the path processes: switches, taps, dpipe chain): '
          'context switches median %.0f (%s), CPU ms median %.1f (%s)'
          % (c, statistics.median(a for a, b in v), ' '.join('%.0f' % a for a, b in v),
             statistics.median(b for a, b in v), ' '.join('%.1f' % b for a, b in v)))
EOF
if [ -n "$BASE" ]; then
	bench_summary base "{('ours', 1500): ('ratio', 1.5)}"
else
	bench_summary debian "{('ours', 1500): ('ratio', 2.0)}"
fi
