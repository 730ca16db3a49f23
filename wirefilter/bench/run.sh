#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# wirefilter/bench/run.sh - frame throughput of vdekit's wirefilter against
# Debian's /usr/bin/wirefilter, side by side in the same run (interleaved,
# median of RUNS). Needs a build tree (BUILD=/path, default ../../ of this
# script's build) and Debian's vde2 (wirefilter, vde_switch, vde_plug, dpipe).
#
#   1. stream: tests/wf_probe spawns the wirefilter as in a dpipe chain and
#      pushes back-to-back frames through it (no impairment); receiver-side
#      bytes/s and frames/s, for 1500 B and 64 B frames.
#   2. chain: Debian's vde_switch sw1 = dpipe vde_plug = WIREFILTER =
#      vde_plug = sw2 (only the wirefilter differs); wf_probe sends on sw1
#      and counts on sw2 (frames the switches drop under overload count as
#      lost, as for a real client).
# usage: BUILD=/tmp/build RUNS=3 wirefilter/bench/run.sh
set -u
BUILD=${BUILD:?set BUILD to a configured and built vdekit tree}
RUNS=${RUNS:-3}
OURS=$BUILD/wirefilter/wirefilter
DEB=/usr/bin/wirefilter
PROBE=$BUILD/tests/wf_probe
TMP=$(mktemp -d /tmp/wfbench.XXXXXX)
PIDS=()
cleanup() { local p; for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"; }
trap cleanup EXIT
for b in "$OURS" "$DEB" "$PROBE" /usr/bin/vde_switch /usr/bin/vde_plug /usr/bin/dpipe; do
	[ -x "$b" ] || { echo "missing $b" >&2; exit 1; }
done
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
get() { sed -n "s/^$1=//p"; }

stream() {	# binary len frames -> B/s
	"$PROBE" -n "$3" -l "$2" -i 0 -s 0.2 -w 300 -- "$1" 2>/dev/null | get tput_Bps
}

echo "== 1. stream mode (probe -> wirefilter -> probe), no impairment, median of $RUNS"
for len in 1500 64; do
	n=$((len > 100 ? 300000 : 1000000))
	: >"$TMP/o" ; : >"$TMP/d"
	for r in $(seq "$RUNS"); do
		stream "$OURS" "$len" "$n" >>"$TMP/o"
		stream "$DEB" "$len" "$n" >>"$TMP/d"
	done
	o=$(median <"$TMP/o"); d=$(median <"$TMP/d")
	awk -v o="$o" -v d="$d" -v l="$len" 'BEGIN {
		printf "frames of %4d B: vdekit %8.1f MB/s %9.0f fr/s | Debian %8.1f MB/s %9.0f fr/s | ratio %.2f\n",
			l, o / 1e6, o / l, d / 1e6, d / l, o / d }'
done

echo "== 2. Debian switches and dpipe/vde_plug, only the wirefilter differs, median of $RUNS"
mkfifo "$TMP/i1" "$TMP/i2"
exec 5<>"$TMP/i1" 6<>"$TMP/i2"
/usr/bin/vde_switch -s "$TMP/sw1" <&5 >/dev/null 2>&1 & PIDS+=($!)
/usr/bin/vde_switch -s "$TMP/sw2" <&6 >/dev/null 2>&1 & PIDS+=($!)
for i in $(seq 100); do [ -S "$TMP/sw1/ctl" ] && [ -S "$TMP/sw2/ctl" ] && break; sleep 0.05; done
chain() {	# binary len frames gap -> "recv B/s"
	local pid out
	/usr/bin/dpipe /usr/bin/vde_plug "$TMP/sw1" = "$1" = /usr/bin/vde_plug "$TMP/sw2" >/dev/null 2>&1 &
	pid=$!
	out=$("$PROBE" -n "$3" -l "$2" -i "$4" -s 0.2 -w 500 -a "$TMP/sw1" -b "$TMP/sw2" 2>/dev/null)
	kill $(pgrep -P "$pid") "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	echo "$(echo "$out" | get recv) $(echo "$out" | get tput_Bps)"
}
for len in 1500 64; do
	: >"$TMP/o" ; : >"$TMP/d"
	for r in $(seq "$RUNS"); do
		chain "$OURS" "$len" 200000 0 >>"$TMP/o"
		chain "$DEB" "$len" 200000 0 >>"$TMP/d"
	done
	o=$(awk '{ print $2 }' "$TMP/o" | median); d=$(awk '{ print $2 }' "$TMP/d" | median)
	orc=$(awk '{ print $1 }' "$TMP/o" | median); drc=$(awk '{ print $1 }' "$TMP/d" | median)
	awk -v o="$o" -v d="$d" -v l="$len" -v orc="$orc" -v drc="$drc" 'BEGIN {
		printf "frames of %4d B: vdekit %7.1f MB/s (%d/200000 delivered) | Debian %7.1f MB/s (%d/200000) | ratio %.2f\n",
			l, o / 1e6, orc, d / 1e6, drc, (d > 0 ? o / d : 0) }'
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
