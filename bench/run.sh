#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/run.sh - vdekit's switch benchmark, ours vs Debian's vde_switch in one run.
#
# usage: bench/run.sh [-r RUNS] [-o FILE] BUILD_DIR      (or: make -C BUILD_DIR bench)
#
# For every run (default 3), interleaved ours, theirs, ours, theirs ...:
#   - open-loop forwarding port A -> port B of 64, 1514 and 9000-byte frames
#     (vdebench fwd: delivered frames/s, loss, integrity), a fresh switch each time;
#   - RTT ping-pong 64 B with both ends and the switch pinned to CPU 0 (taskset);
# plus the kernel's AF_UNIX SOCK_DGRAM limits (vdebench raw / rawrtt, no switch).
# Prints every raw line, then a table of medians and ours/theirs ratios with
# the targets in bench/README.md. Raw lines also go to FILE (-o).
# Environment: N64, N1514, N9000 (frames per fwd run), NRTT (pings), CPU (rtt cpu),
# PARTS (default "raw fwd rtt": which parts to run), SIZES (default "64 1514 9000").
set -u
. "$(dirname "$0")/opts-lib.sh"
bench_args "r:o:" "[-r RUNS] [-o FILE] BUILD_DIR" 1 "$@"
OURS=$B/switch/vde_switch
THEIRS=/usr/bin/vde_switch
VB=$B/bench/vdebench
UTIL=$(cd "$(dirname "$0")/.." && pwd)/tests/integration/interop-util.py
N64=${N64:-1000000}
N1514=${N1514:-500000}
N9000=${N9000:-200000}
NRTT=${NRTT:-50000}
CPU=${CPU:-0}
PARTS=${PARTS:-raw fwd rtt}
SIZES=${SIZES:-64 1514 9000}
part() { case " $PARTS " in *" $1 "*) return 0 ;; esac; return 1; }
for f in "$OURS" "$THEIRS" "$VB"; do
	[ -x "$f" ] || { echo "bench: $f not found (build first: make -C $B)" >&2; exit 1; }
done
command -v taskset >/dev/null || { echo "bench: taskset (util-linux) needed" >&2; exit 1; }

T=$(mktemp -d /tmp/vdebench.XXXXXX)
RES=$T/results.txt
SWPID=
HOLD=
cleanup() {
	[ -n "$SWPID" ] && kill "$SWPID" 2>/dev/null
	[ -n "$HOLD" ] && kill "$HOLD" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# sw_start BIN [taskset args]: a fresh switch on $T/sw, console on a held stdin fifo
sw_start() {
	local bin=$1 i=0
	shift
	rm -rf "$T/sw" "$T/in"
	mkfifo "$T/in"
	sleep 1000000 >"$T/in" &
	HOLD=$!
	"$@" "$bin" -s "$T/sw" -M "$T/mgmt" <"$T/in" >"$T/sw.log" 2>&1 &
	SWPID=$!
	while [ ! -S "$T/sw/ctl" ]; do
		i=$((i + 1))
		[ $i -lt 250 ] || { echo "bench: $bin did not start:" >&2; cat "$T/sw.log" >&2; exit 1; }
		sleep 0.02
	done
}
# sw_cpu: user+system seconds the switch used so far
sw_cpu() {
	awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$SWPID/stat"
}
# sw_drops: ours only: the switch's own drop counters (port/stats), as key=value
sw_drops() {
	python3 "$UTIL" mgmt "$T/mgmt" port/stats 2>/dev/null |
		awk '/^drops/ { for (i = 2; i < NF; i += 2)
			if ($i == "qfull" || $i == "senderr") printf " sw_%s=%s", $i, $(i + 1) }'
}
sw_stop() {
	kill "$SWPID" 2>/dev/null
	kill "$HOLD" 2>/dev/null
	wait "$SWPID" "$HOLD" 2>/dev/null
	SWPID=
	HOLD=
}
emit() { echo "$*" | tee -a "$RES"; }

echo "# vdekit bench $(date -u '+%Y-%m-%d %H:%M UTC') on $(uname -n): $(nproc) CPUs," \
	"$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
echo "# kernel $(uname -r); net.unix.max_dgram_qlen=$(cat /proc/sys/net/unix/max_dgram_qlen);" \
	"load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# ours: $OURS   theirs: $THEIRS ($(dpkg-query -W -f '${Version}' vde2 2>/dev/null || echo '?'))"
echo "# parts: $PARTS; sizes: $SIZES; runs=$RUNS N64=$N64 N1514=$N1514 N9000=$N9000 NRTT=$NRTT (rtt on CPU $CPU)"

for r in $(seq "$RUNS"); do
	if part raw; then
		for len in 64 1500 9000; do
			emit "$("$VB" raw -l $len -n "$N1514") run=$r"
		done
		emit "$(taskset -c "$CPU" "$VB" rawrtt -l 64 -n "$NRTT") run=$r"
	fi
	part fwd || SIZES=
	for len in $SIZES; do
		case $len in 64) n=$N64 ;; 1514) n=$N1514 ;; *) n=$N9000 ;; esac
		for impl in ours theirs; do
			[ $impl = ours ] && bin=$OURS || bin=$THEIRS
			sw_start "$bin"
			line=$("$VB" fwd -s "$T/sw" -l $len -n "$n" -L $impl) ||
				line="mode=fwd impl=$impl len=$len FAILED"
			extra=
			[ $impl = ours ] && extra=$(sw_drops)
			emit "$line sw_cpu_s=$(sw_cpu)$extra run=$r"
			sw_stop
		done
	done
	part rtt || continue
	for impl in ours theirs; do
		[ $impl = ours ] && bin=$OURS || bin=$THEIRS
		sw_start "$bin" taskset -c "$CPU"
		line=$(taskset -c "$CPU" "$VB" rtt -s "$T/sw" -l 64 -n "$NRTT" -L $impl) ||
			line="mode=rtt impl=$impl len=64 FAILED"
		emit "$line sw_cpu_s=$(sw_cpu) run=$r"
		sw_stop
	done
done
[ -n "$OUT" ] && cp "$RES" "$OUT"

python3 - "$RES" <<'EOF'
import statistics, sys
rows = []
for line in open(sys.argv[1]):
    kv = dict(x.split('=', 1) for x in line.split() if '=' in x)
    if 'sw_cpu_s' in kv and kv.get('sent'):
        kv['cpu_us'] = str(float(kv['sw_cpu_s']) / float(kv['sent']) * 1e6)
    rows.append(kv)

def med(mode, impl, ln, key):
    v = [float(r[key]) for r in rows if r.get('mode') == mode and r.get('impl') == impl
         and r.get('len') == ln and key in r]
    return statistics.median(v) if v else None

def pair_ratio(mode, ln, key):
    """median over runs of ours/theirs measured back to back in the same run"""
    by = {}
    for r in rows:
        if r.get('mode') == mode and r.get('len') == ln and key in r:
            by.setdefault(r.get('run'), {})[r.get('impl')] = float(r[key])
    v = [d['ours'] / d['theirs'] for d in by.values() if d.get('theirs') and 'ours' in d]
    return statistics.median(v) if v else None

def fmt(x, f='%.0f'):
    return '-' if x is None else f % x

print()
print('| test | len | ours | Debian vde_switch | ratio | target |')
print('|---|---|---|---|---|---|')
for ln in ('64', '1514', '9000'):
    o, t = med('fwd', 'ours', ln, 'fps'), med('fwd', 'theirs', ln, 'fps')
    ol, tl = med('fwd', 'ours', ln, 'loss_pct'), med('fwd', 'theirs', ln, 'loss_pct')
    obad = [r for r in rows if r.get('mode') == 'fwd' and r.get('impl') == 'ours' and r.get('len') == ln
            and (r.get('bad_len', '0') != '0' or r.get('bad_data', '0') != '0')]
    tbad = [r for r in rows if r.get('mode') == 'fwd' and r.get('impl') == 'theirs' and r.get('len') == ln
            and r.get('bad_len', '0') != '0']
    ratio = (o / t) if o and t else None
    if ln == '9000':
        tdesc = 'broken: truncated to %s B' % tbad[0].get('truncated_to', '?') if tbad else fmt(t)
        ok = o is not None and o >= 200000 and not obad and ol is not None and ol <= 0.5
        print('| fwd frames/s | %s | %s | %s | - | >= 200k intact: %s |' % (
            ln, fmt(o) + (' (CORRUPT)' if obad else ''), tdesc, 'met' if ok else 'MISSED'))
    else:
        ok = ratio is not None and ratio >= 1.3 and ol is not None and ol <= 0.5
        print('| fwd frames/s | %s | %s | %s | %s (per-run pairs: %s) | >= 1.3x, loss <= 0.5%%: %s |' % (
            ln, fmt(o), fmt(t), fmt(ratio, '%.2fx'), fmt(pair_ratio('fwd', ln, 'fps'), '%.2fx'),
            'met' if ok else 'MISSED'))
    print('| fwd loss %% | %s | %s | %s | | |' % (ln, fmt(ol, '%.2f'), fmt(tl, '%.2f')))
    oc, tc = med('fwd', 'ours', ln, 'cpu_us'), med('fwd', 'theirs', ln, 'cpu_us')
    print('| switch CPU us per frame sent | %s | %s | %s | %s | (less load-sensitive) |' % (
        ln, fmt(oc, '%.2f'), fmt(tc, '%.2f'), fmt(oc / tc if oc and tc else None, '%.2fx')))
for key, name in (('median_us', 'RTT median us'), ('p99_us', 'RTT p99 us')):
    o, t = med('rtt', 'ours', '64', key), med('rtt', 'theirs', '64', key)
    ok = o is not None and t is not None and o <= t
    print('| %s (1 CPU) | 64 | %s | %s | %s | <= vde_switch: %s |' % (
        name, fmt(o, '%.2f'), fmt(t, '%.2f'), fmt(o / t if o and t else None, '%.2fx'),
        'met' if ok else 'MISSED'))
o, t = med('rtt', 'ours', '64', 'sw_cpu_s'), med('rtt', 'theirs', '64', 'sw_cpu_s')
print('| switch CPU s per rtt run | 64 | %s | %s | | |' % (fmt(o, '%.2f'), fmt(t, '%.2f')))
for ln in ('64', '1500', '9000'):
    print('| raw AF_UNIX dgram msg/s (no switch) | %s | %s | | | |' % (ln, fmt(med('raw', '-', ln, 'fps'))))
print('| raw dgram RTT median / p99 us (1 CPU) | 64 | %s / %s | | | |' % (
    fmt(med('rawrtt', '-', '64', 'median_us'), '%.2f'), fmt(med('rawrtt', '-', '64', 'p99_us'), '%.2f')))
EOF
