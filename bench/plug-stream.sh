#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/plug-stream.sh - vde_plug stream mode through one switch, two builds
# side by side (before/after a change to vde_plug or libvdeplug)
#
#   bench/plug-stream.sh [-r RUNS] [-n FRAMES] [-s SIZE] BUILD_A BUILD_B
#
# For each run and each build (interleaved A, B, A, B ...): a fresh switch
# (BUILD_A's, the same for both), a receiving `vde_plug SW >out` and a
# sending `vde_plug SW <file` of FRAMES records of SIZE bytes (default
# 200000 x 1514). Delivered frames/s = records in out / (time from the
# sender's start to the last byte arriving); loss = 1 - delivered / sent;
# CPU = user+system seconds of the two plugs per 100k frames. Then medians
# and the ratio B/A.
N=200000
SIZE=1514
. "$(dirname "$0")/opts-lib.sh"
bench_opt() {
	case $1 in
	n) N=$2 ;;
	s) SIZE=$2 ;;
	esac
}
bench_args "r:n:s:" "[-r RUNS] [-n FRAMES] [-s SIZE] BUILD_A BUILD_B" 2 "$@"
A=${BDIRS[0]} B=${BDIRS[1]}
T=$(mktemp -d /tmp/plugbench.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$T"; }
trap cleanup EXIT

python3 - "$N" "$SIZE" >"$T/in" <<'PY'
import struct, sys
n, size = int(sys.argv[1]), int(sys.argv[2])
f = bytes.fromhex('02000000000b' '02000000000a') + b'\x88\xb5'
f += bytes(i & 0xff for i in range(size - len(f)))
rec = struct.pack('>H', len(f)) + f
sys.stdout.buffer.write(rec * n)
PY

mkfifo "$T/hold"
exec 7<>"$T/hold"	# the receivers' stdin: open, silent, never EOF

cpu() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
now() { date +%s%N; }

one() {	# one BUILD LABEL
	local b=$1 sw=$T/sw.$$ rp sp t0 t1 size last cpu_r cpu_s tck
	rm -rf "$sw" "$T/out"
	rm -f "$T/sw.pid"
	"$A/switch/vde_switch" --nostdin -s "$sw" -d -p "$T/sw.pid" || exit 1
	# (a switch from before daemon_ready() returns before its pid file)
	for _ in $(seq 250); do [ -s "$T/sw.pid" ] && break; sleep 0.02; done
	PIDS+=("$(cat "$T/sw.pid")")
	"$b/plug/vde_plug" "$sw" <"$T/hold" >"$T/out" 2>/dev/null &
	rp=$!
	PIDS+=($rp)
	# the receiver is attached when the switch lists 1 port
	sleep 0.3
	t0=$(now)
	"$b/plug/vde_plug" "$sw" <"$T/in" >/dev/null 2>/dev/null &
	sp=$!
	cpu_s=0
	while kill -0 $sp 2>/dev/null; do cpu_s=$(cpu $sp); sleep 0.02; done
	wait $sp
	# the last byte: out stops growing for 300 ms
	last=-1
	while :; do
		size=$(stat -c %s "$T/out")
		[ "$size" = "$last" ] && break
		last=$size
		t1=$(now)
		sleep 0.3
	done
	cpu_r=$(cpu $rp)
	kill $rp "$(cat "$T/sw.pid")" 2>/dev/null
	wait $rp 2>/dev/null
	tck=$(getconf CLK_TCK)
	python3 - "$2" "$size" "$SIZE" "$N" "$t0" "$t1" "$cpu_r" "$cpu_s" "$tck" <<'PY'
import sys
label, size, fs, n, t0, t1, cr, cs, tck = sys.argv[1:]
got = int(size) // (int(fs) + 2)
el = (int(t1) - int(t0)) / 1e9
print('%s frames/s %.0f loss %.2f%% cpu_s_per_100k %.3f' % (
    label, got / el, 100.0 * (1 - got / int(n)),
    (int(cr) + int(cs)) / int(tck) / max(got, 1) * 1e5))
PY
}

echo "# plug-stream: $N x $SIZE B, $RUNS runs; load: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%F %H:%M UTC')"
for r in $(seq "$RUNS"); do
	one "$A" A
	one "$B" B
done | tee "$T/raw"
python3 - "$T/raw" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
for lab in 'AB':
    fps = [float(r[2]) for r in rows if r[0] == lab]
    loss = [float(r[4].rstrip('%')) for r in rows if r[0] == lab]
    cpu = [float(r[6]) for r in rows if r[0] == lab]
    print('%s median: %.0f frames/s, loss %.2f%%, plug CPU s/100k frames %.3f' % (
        lab, statistics.median(fps), statistics.median(loss), statistics.median(cpu)))
a = statistics.median(float(r[2]) for r in rows if r[0] == 'A')
b = statistics.median(float(r[2]) for r in rows if r[0] == 'B')
print('ratio B/A (frames/s): %.2f' % (b / a))
PY
