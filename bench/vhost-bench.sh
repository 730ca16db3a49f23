#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/vhost-bench.sh - frames/s into a switch through vde_plug vhost-user://
# (tests/vhost_front plays QEMU and the guest driver) vs the same traffic
# from a datagram client (vde_plug SWITCH fed the frames as a stream on its
# stdin: the same vde_plug, one vde_send per frame, only the source
# differs), in one run, interleaved, medians of RUNS.
#
# usage: bench/vhost-bench.sh [-r RUNS] BUILD_DIR     (or: make -C BUILD_DIR bench-vhost)
#
# Both send N broadcast frames of LEN bytes into a fresh switch whose port 1
# is a sink (vde_plug SWITCH null://); the figure is the switch's OUT counter
# of the sink's port divided by the sender's time (first frame to the last
# one taken: for vhost, the ring drained by vde_plug; for the client, from
# its start to its exit, which waits for the switch to read every frame). Frames lost on the way (a full socket buffer) are not counted.
# Environment: N (default 300000), SIZES (default "64 1514").
set -u
RUNS=3
while getopts "r:h" c; do
	case $c in
	r) RUNS=$OPTARG ;;
	h) sed -n '3,15p' "$0"; exit 0 ;;
	*) echo "usage: $0 [-r RUNS] BUILD_DIR" >&2; exit 1 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || { echo "usage: $0 [-r RUNS] BUILD_DIR" >&2; exit 1; }
B=$(cd "$1" && pwd)
N=${N:-300000}
SIZES=${SIZES:-64 1514}
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
switch_up() {
	rm -rf "$TMP/sw" "$TMP/sw.mgmt" "$TMP/sw.pid"
	"$B/switch/vde_switch" -d -s "$TMP/sw" -p "$TMP/sw.pid" -M "$TMP/sw.mgmt" || exit 1
	for _ in $(seq 100); do [ -s "$TMP/sw.pid" ] && [ -S "$TMP/sw.mgmt" ] && break; sleep 0.05; done
	SWPID=$(cat "$TMP/sw.pid")
	"$B/plug/vde_plug" "$TMP/sw" null:// 2>/dev/null &
	SINKPID=$!
	for _ in $(seq 100); do port_in >/dev/null && [ -n "$(port_in)" ] && break; sleep 0.05; done
}
switch_down() { kill "$SINKPID"; wait "$SINKPID" 2>/dev/null; SINKPID=; kill "$SWPID"; for _ in $(seq 100); do kill -0 "$SWPID" 2>/dev/null || break; sleep 0.05; done; SWPID=; }
port_in() {	# frames the switch sent to the sink (port 1)
	printf 'port/print\n' | socat -t 1 - "UNIX-CONNECT:$TMP/sw.mgmt" 2>/dev/null |
		awk '/^Port 0001/ { p = 1 } p && /OUT:/ { print $3; exit }'
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
	awk -v got="$got" '{ split($3, a, "="); printf "%.0f %d\n", got * 1000 / a[2], got }' "$TMP/front.out"
}

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
	: >"$TMP/v.$len"; : >"$TMP/d.$len"
	for r in $(seq "$RUNS"); do
		v=$(run_vhost "$len"); d=$(run_dgram "$len")
		echo "len=$len run=$r vhost: ${v% *} frames/s (${v#* } received)  dgram: ${d% *} frames/s (${d#* } received)"
		echo "${v% *}" >>"$TMP/v.$len"; echo "${d% *}" >>"$TMP/d.$len"
	done
done
echo
printf '%-6s %16s %16s %8s\n' len "vhost frames/s" "dgram frames/s" ratio
for len in $SIZES; do
	v=$(median <"$TMP/v.$len"); d=$(median <"$TMP/d.$len")
	printf '%-6s %16s %16s %8s\n' "$len" "$v" "$d" "$(awk -v v="$v" -v d="$d" 'BEGIN { printf "%.2f", d ? v / d : 0 }')"
done
