#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/vhost-bench.sh - frames/s through vhost-user ports of vde_switch
# (tests/vhost_front plays QEMU and the guest driver) against the same
# traffic through datagram clients, in one run, interleaved, medians of RUNS.
#
# usage: bench/vhost-bench.sh [-r RUNS] [-b BASE_BUILD] BUILD_DIR   (or: make -C BUILD_DIR bench-vhost)
#
# Modes (MODES, default "vv vd dd plug"), each on a fresh switch, N frames
# of LEN bytes (broadcast, type 0x88b5):
#   vv    guest -> guest: two --vhost-user ports, the receiving front end
#         counts every frame (back-pressure: none may be lost); frames/s
#         from its first frame to its last
#   vd    guest -> datagram client: a --vhost-user port to a sink
#         (vde_plug SWITCH null://); the sink port's OUT counter over the
#         sender's time
#   dd    datagram client -> datagram client: bench/vdebench fwd -b 1 (one
#         datagram per send, as QEMU's -netdev vde does); delivered frames/s
#   plug  the vhost-user:// VNL (vde_plug vhost-user:///SOCK SWITCH) into a
#         sink port; the sink's OUT counter over the sender's time
# Then, unless SUPER=0: NS (default 20000) TCP super-frames of 65535 bytes
# guest -> guest (the sender posts the same TSO frame, the receiver takes
# guest offloads: each arrives whole), Gbit/s of frame bytes, per run.
# With -b, each run of the super-frames is done with BASE_BUILD's vde_switch
# too (same front ends), interleaved: medians of both and their ratio.
# Switch CPU per frame: the switch's utime + stime (/proc) over the frames.
# Environment: N (default 300000), SIZES (default "64 1514"), MODES, NS, SUPER.
set -u
. "$(dirname "$0")/opts-lib.sh"
BASEB=
bench_opt() { [ "$1" = b ] && BASEB=$(cd "$2" && pwd); }
bench_args "r:b:" "[-r RUNS] [-b BASE_BUILD] BUILD_DIR" 1 "$@"
N=${N:-300000}
SIZES=${SIZES:-64 1514}
MODES=${MODES:-vv vd dd plug}
NS=${NS:-20000}
SUPER=${SUPER:-1}
TMP=$(mktemp -d /tmp/vhbench.XXXXXX)
SWPID=
PLUGPID=
SINKPID=
cleanup() {
	[ -n "$PLUGPID" ] && kill "$PLUGPID" 2>/dev/null
	[ -n "$SINKPID" ] && kill "$SINKPID" 2>/dev/null
	[ -n "$SWPID" ] && kill "$SWPID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

now_ns() { date +%s%N; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$SWPID/stat"; }
switch_up() {	# [ARGS for the switch] [nosink]
	local sink=1
	[ "${1:-}" = nosink ] && { sink=; shift; }
	rm -rf "$TMP/sw" "$TMP/sw.mgmt" "$TMP/sw.pid" "$TMP"/g?.sock
	"${SWB:-$B}/switch/vde_switch" -d -s "$TMP/sw" -p "$TMP/sw.pid" -M "$TMP/sw.mgmt" "$@" || exit 1
	for _ in $(seq 100); do [ -s "$TMP/sw.pid" ] && [ -S "$TMP/sw.mgmt" ] && break; sleep 0.05; done
	SWPID=$(cat "$TMP/sw.pid")
	[ -n "$sink" ] || return 0
	"$B/plug/vde_plug" "$TMP/sw" null:// 2>/dev/null &
	SINKPID=$!
	for _ in $(seq 100); do port_in >/dev/null && [ -n "$(port_in)" ] && break; sleep 0.05; done
}
switch_down() { [ -n "$SINKPID" ] && { kill "$SINKPID"; wait "$SINKPID" 2>/dev/null; SINKPID=; }; kill "$SWPID"; for _ in $(seq 100); do kill -0 "$SWPID" 2>/dev/null || break; sleep 0.05; done; SWPID=; }
port_in() {	# frames the switch sent to the sink (port 1)
	printf 'port/print\n' | socat -t 1 - "UNIX-CONNECT:$TMP/sw.mgmt" 2>/dev/null |
		awk '/^Port 0001/ { p = 1 } p && /OUT:/ { print $3; exit }'
}

# Each run_* prints "rate received cpu_ns_per_frame".
per_frame() { awk -v t="$1" -v n="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.0f", n ? t * 1e9 / hz / n : 0 }'; }

run_vv() {	# LEN
	local len=$1 c0 c1 got rate
	switch_up nosink --vhost-user "$TMP/g1.sock:1" --vhost-user "$TMP/g2.sock:2"
	rm -f "$TMP/ready"
	"$B/tests/vhost_front" -B -r "$N" -l "$len" -t 120 -R "$TMP/ready" "$TMP/g2.sock" \
		>"$TMP/rx.out" 2>"$TMP/rx.log" &
	local rp=$!
	for _ in $(seq 200); do [ -e "$TMP/ready" ] && break; sleep 0.05; done
	c0=$(cpu_ticks)
	"$B/tests/vhost_front" -B -n "$N" -l "$len" -t 120 "$TMP/g1.sock" >/dev/null || exit 1
	wait $rp || { echo "vv: receiver failed: $(cat "$TMP/rx.log")" >&2; exit 1; }
	c1=$(cpu_ticks)
	switch_down
	# received=N len= ms= rate=
	rate=$(awk '{ split($4, a, "="); print a[2] }' "$TMP/rx.out")
	echo "$rate $N $(per_frame $((c1 - c0)) "$N")"
}

run_ss() {	# -> "Gbit/s received cpu_ns_per_superframe"
	local c0 c1 rate
	switch_up nosink --vhost-user "$TMP/g1.sock:1" --vhost-user "$TMP/g2.sock:2"
	rm -f "$TMP/ready"
	"$B/tests/vhost_front" -G -B -r "$NS" -l 65535 -t 120 -R "$TMP/ready" "$TMP/g2.sock" \
		>"$TMP/rx.out" 2>"$TMP/rx.log" &
	local rp=$!
	for _ in $(seq 200); do [ -e "$TMP/ready" ] && break; sleep 0.05; done
	c0=$(cpu_ticks)
	"$B/tests/vhost_front" -B -T -n "$NS" -l 65535 -t 120 "$TMP/g1.sock" >/dev/null || exit 1
	wait $rp || { echo "ss: receiver failed: $(cat "$TMP/rx.log")" >&2; exit 1; }
	c1=$(cpu_ticks)
	switch_down
	rate=$(awk '{ split($4, a, "="); print a[2] }' "$TMP/rx.out")
	echo "$(awk -v r="$rate" 'BEGIN { printf "%.1f", r * 65535 * 8 / 1e9 }') $NS $(per_frame $((c1 - c0)) "$NS")"
}

run_vd() {	# LEN
	local len=$1 c0 c1 got
	switch_up --vhost-user "$TMP/g1.sock:2"
	c0=$(cpu_ticks)
	"$B/tests/vhost_front" -B -n "$N" -l "$len" -t 120 "$TMP/g1.sock" >"$TMP/front.out" || exit 1
	sleep 0.2
	c1=$(cpu_ticks)
	got=$(port_in)
	switch_down
	awk -v got="$got" -v c="$(per_frame $((c1 - c0)) "$got")" \
		'{ split($3, a, "="); printf "%.0f %d %s\n", got * 1000 / a[2], got, c }' "$TMP/front.out"
}

run_dd() {	# LEN
	local len=$1 c0 c1 out
	switch_up nosink
	c0=$(cpu_ticks)
	out=$("$B/bench/vdebench" fwd -s "$TMP/sw" -l "$len" -n "$N" -b 1) || exit 1
	c1=$(cpu_ticks)
	switch_down
	echo "$out" | awk -v c0="$c0" -v c1="$c1" -v hz="$(getconf CLK_TCK)" '{
		for (i = 1; i <= NF; i++) { split($i, a, "="); v[a[1]] = a[2] }
		printf "%.0f %d %.0f\n", v["fps"], v["delivered"], v["delivered"] ? (c1 - c0) * 1e9 / hz / v["delivered"] : 0 }'
}

run_vhost() {	# LEN -> "rate received"
	local len=$1 t0 t1 got
	switch_up
	"$B/plug/vde_plug" "vhost-user://$TMP/vm.sock" "$TMP/sw" 2>"$TMP/plug.log" &
	PLUGPID=$!
	for _ in $(seq 100); do [ -S "$TMP/vm.sock" ] && break; sleep 0.05; done
	"$B/tests/vhost_front" -B -n "$N" -l "$len" -t 120 "$TMP/vm.sock" >"$TMP/front.out" || exit 1
	sleep 0.2
	got=$(port_in)
	kill "$PLUGPID"; wait "$PLUGPID" 2>/dev/null; PLUGPID=
	switch_down
	# vhost_front prints frames= len= ms= rate=
	awk -v got="$got" '{ split($3, a, "="); printf "%.0f %d -\n", got * 1000 / a[2], got }' "$TMP/front.out"
}
run_plug() { run_vhost "$@"; }

run_dgram() {	# LEN -> "rate received": vde_plug SWITCH fed a record stream
	local len=$1 t0 t1 got
	switch_up
	t0=$(now_ns)
	python3 -c '
import sys
n, ln = int(sys.argv[1]), int(sys.argv[2])
f = bytes([0xff] * 6 + [2, 0, 0, 0, 0, 1, 0x88, 0xb5]) + bytes(ln - 14)
chunk = (ln.to_bytes(2, "big") + f) * 1000
out = sys.stdout.buffer
for _ in range(n // 1000):
    out.write(chunk)
out.write((ln.to_bytes(2, "big") + f) * (n % 1000))
' "$N" "$len" | "$B/plug/vde_plug" "$TMP/sw" 2>/dev/null
	t1=$(now_ns)
	sleep 0.2
	got=$(port_in)
	switch_down
	awk -v got="$got" -v ns=$((t1 - t0)) 'BEGIN { printf "%.0f %d\n", got * 1e9 / ns, got }'
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

echo "vhost-bench: N=$N frames, runs=$RUNS, $(nproc) CPUs, load: $(cut -d' ' -f1-3 /proc/loadavg)"
for len in $SIZES; do
	for m in $MODES; do : >"$TMP/$m.$len"; : >"$TMP/$m.$len.cpu"; done
	for r in $(seq "$RUNS"); do
		line="len=$len run=$r"
		for m in $MODES; do
			read -r a1 a2 a3 < <(run_"$m" "$len")
			set -- "$a1" "$a2" "$a3"
			line="$line  $m: $1 fps ($2 got, $3 ns cpu/frame)"
			echo "$1" >>"$TMP/$m.$len"; echo "$3" >>"$TMP/$m.$len.cpu"
		done
		echo "$line"
	done
done
echo
printf '%-6s' len; for m in $MODES; do printf ' %12s %9s' "$m fps" "ns/frame"; done
printf ' %8s %8s\n' vv/dd vd/dd
for len in $SIZES; do
	printf '%-6s' "$len"
	for m in $MODES; do printf ' %12s %9s' "$(median <"$TMP/$m.$len")" "$(median <"$TMP/$m.$len.cpu")"; done
	for m in vv vd; do
		if [ -s "$TMP/$m.$len" ] && [ -s "$TMP/dd.$len" ]; then
			printf ' %8s' "$(awk -v v="$(median <"$TMP/$m.$len")" -v d="$(median <"$TMP/dd.$len")" \
				'BEGIN { printf "%.2f", d ? v / d : 0 }')"
		else
			printf ' %8s' -
		fi
	done
	echo
done
if [ "$SUPER" != 0 ]; then
	echo
	: >"$TMP/ss"
	: >"$TMP/ssb"
	: >"$TMP/ssc"
	: >"$TMP/ssbc"
	for r in $(seq "$RUNS"); do
		if [ -n "$BASEB" ]; then
			read -r a1 a2 a3 < <(SWB=$BASEB run_ss)
			set -- "$a1" "$a2" "$a3"
			echo "super-frames 65535 B run=$r base: $1 Gbit/s ($2 got, $3 ns cpu/super-frame)"
			[ -n "$1" ] && { echo "$1" >>"$TMP/ssb"; echo "$3" >>"$TMP/ssbc"; }
		fi
		read -r a1 a2 a3 < <(run_ss)
		set -- "$a1" "$a2" "$a3"
		echo "super-frames 65535 B run=$r: $1 Gbit/s ($2 got, $3 ns cpu/super-frame)"
		# a failed run (the receiver missed frames) counts in no median
		[ -n "$1" ] && { echo "$1" >>"$TMP/ss"; echo "$3" >>"$TMP/ssc"; }
	done
	echo "super-frames 65535 B guest -> guest: median $(median <"$TMP/ss") Gbit/s, $(median <"$TMP/ssc") ns switch CPU each"
	if [ -n "$BASEB" ]; then
		echo "  base ($BASEB): median $(median <"$TMP/ssb") Gbit/s, $(median <"$TMP/ssbc") ns switch CPU each;" \
			"ratio $(awk -v a="$(median <"$TMP/ss")" -v b="$(median <"$TMP/ssb")" 'BEGIN { printf "%.2f", b ? a / b : 0 }')x"
	fi
fi
