#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/mem.sh - switch memory with 64 ports and 10 k MAC entries, ours vs Debian's.
#
# usage: bench/mem.sh [-r RUNS] BUILD_DIR      (or: make -C BUILD_DIR bench-mem)
#
# For every run (default 3), interleaved ours, theirs: start a fresh switch
# (-n NPORTS+1), attach NPORTS clients (bench/mem-load.py: one ctl stream and
# one datagram socket each, own port each), make the switch learn NMACS
# source MACs, then every client sends BURST frames of LEN bytes to the next
# port all at once (queues get used as under real traffic) and everyone
# drains. After SETTLE seconds idle, with the clients still attached, read
# VmRSS and VmHWM (/proc/PID/status) and Pss (/proc/PID/smaps_rollup) of the
# switch, and how many of 100 sampled MACs the switch knows (hash/find).
# Prints one line per measurement, then medians, ratios and the verdict
# against the target (RSS <= 8 MiB). Run it under the bench lock:
#   flock /tmp/bench.lock bench/mem.sh BUILD_DIR
# Environment: NPORTS (64), NMACS (10000), BURST (64), LEN (1514), SETTLE (3),
# STALL (0; 1: the clients read nothing until the whole burst is sent, so the
# switch has to queue it all: 64 slow receivers, the worst case for queues).
set -u
. "$(dirname "$0")/opts-lib.sh"
bench_args "r:" "[-r RUNS] BUILD_DIR" 1 "$@"
OURS=$B/switch/vde_switch
THEIRS=/usr/bin/vde_switch
HERE=$(cd "$(dirname "$0")" && pwd)
LOAD=$HERE/mem-load.py
NPORTS=${NPORTS:-64}
NMACS=${NMACS:-10000}
BURST=${BURST:-64}
LEN=${LEN:-1514}
SETTLE=${SETTLE:-3}
STALL=${STALL:-0}
for f in "$OURS" "$THEIRS"; do
	[ -x "$f" ] || { echo "bench-mem: $f not found" >&2; exit 1; }
done

T=$(mktemp -d /tmp/vdemem.XXXXXX)
RES=$T/results.txt
SWPID= HOLD= LPID= LHOLD=
stop_all() {
	[ -n "$LPID" ] && kill "$LPID" 2>/dev/null
	[ -n "$LHOLD" ] && kill "$LHOLD" 2>/dev/null
	[ -n "$SWPID" ] && kill "$SWPID" 2>/dev/null
	[ -n "$HOLD" ] && kill "$HOLD" 2>/dev/null
	wait 2>/dev/null
	SWPID= HOLD= LPID= LHOLD=
}
cleanup() {
	stop_all
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# kib FIELD FILE: the value in kB of "FIELD: N kB"
kib() { awk -v f="$1:" '$1 == f { print $2; exit }' "$2"; }

measure() {
	local impl=$1 bin=$2 r=$3 i=0 n
	rm -rf "$T/sw" "$T/in" "$T/lin" "$T/cl"
	mkdir "$T/cl"
	mkfifo "$T/in" "$T/lin"
	sleep 1000000 >"$T/in" &
	HOLD=$!
	"$bin" -n $((NPORTS + 1)) -s "$T/sw" -M "$T/mgmt" <"$T/in" >"$T/sw.log" 2>&1 &
	SWPID=$!
	while [ ! -S "$T/sw/ctl" ] || [ ! -S "$T/mgmt" ]; do
		i=$((i + 1))
		[ $i -lt 250 ] || { echo "bench-mem: $bin did not start:" >&2; cat "$T/sw.log" >&2; exit 1; }
		sleep 0.02
	done
	sleep 1000000 >"$T/lin" &
	LHOLD=$!
	python3 "$LOAD" "$T/sw" "$T/cl" "$NPORTS" "$NMACS" "$BURST" "$LEN" "$STALL" <"$T/lin" >"$T/load.out" 2>&1 &
	LPID=$!
	i=0
	while ! grep -qs '^sent=' "$T/load.out"; do
		kill -0 "$LPID" 2>/dev/null || { echo "bench-mem: load failed:" >&2; cat "$T/load.out" >&2; exit 1; }
		i=$((i + 1))
		[ $i -lt 3000 ] || { echo "bench-mem: load timed out" >&2; exit 1; }
		sleep 0.02
	done
	sleep "$SETTLE"
	n=$(python3 "$LOAD" --check "$T/mgmt" "$NMACS" 100)
	cp "/proc/$SWPID/status" "$T/status"
	cp "/proc/$SWPID/smaps_rollup" "$T/rollup"
	echo "impl=$impl run=$r rss_kib=$(kib VmRSS "$T/status") hwm_kib=$(kib VmHWM "$T/status")" \
		"pss_kib=$(kib Pss "$T/rollup") fdb=$n $(cat "$T/load.out")" | tee -a "$RES"
	stop_all
}

echo "# vdekit bench-mem $(date -u '+%Y-%m-%d %H:%M UTC') on $(uname -n): $(nproc) CPUs;" \
	"load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# ours: $OURS   theirs: $THEIRS ($(dpkg-query -W -f '${Version}' vde2 2>/dev/null || echo '?'))"
echo "# runs=$RUNS NPORTS=$NPORTS NMACS=$NMACS BURST=$BURST LEN=$LEN SETTLE=$SETTLE s STALL=$STALL"
for r in $(seq "$RUNS"); do
	measure ours "$OURS" "$r"
	measure debian "$THEIRS" "$r"
done
echo "# load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$RES" "$NPORTS" "$NMACS" <<'EOF'
import statistics, sys
rows = [dict(kv.split('=', 1) for kv in l.split()) for l in open(sys.argv[1])]
nports, nmacs = sys.argv[2], sys.argv[3]
def med(impl, k):
    return statistics.median(float(r[k]) for r in rows if r['impl'] == impl)
print('| metric (median) | ours | Debian vde_switch | ratio |')
print('|---|---|---|---|')
for k, name in (('rss_kib', 'VmRSS MiB'), ('hwm_kib', 'VmHWM MiB'), ('pss_kib', 'Pss MiB')):
    o, d = med('ours', k), med('debian', k)
    print('| %s | %.2f | %.2f | %.2fx |' % (name, o / 1024, d / 1024, o / d))
print('| sampled MACs learned | %s | %s | |' % tuple(
    ' '.join(r['fdb'] for r in rows if r['impl'] == i) for i in ('ours', 'debian')))
rss = med('ours', 'rss_kib') / 1024
print('verdict: ours VmRSS %.2f MiB with %s ports and %s MACs: %s (target <= 8 MiB)'
      % (rss, nports, nmacs, 'met' if rss <= 8 else 'MISSED'))
EOF
