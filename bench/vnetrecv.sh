#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/vnetrecv.sh - vde_recv_vnet() through our switch: this build's
# library against another build's (before/after a change), in one run.
#
# usage: bench/vnetrecv.sh [-r RUNS] BUILD_DIR REF
#
# REF is another build directory, or a directory holding a copy of its
# libvdeplug.so.2 (cp -a OTHER/lib/.libs/libvdeplug.so* DIR). BUILD_DIR's
# vde_switch serves both. bench/libbench fwd -V: a sender with blocking
# vde_send() and a receiver that opens with VDE_OPEN_VNET and takes
# batches of 64 through vde_recv_vnet(), checking every frame and its
# zeroed header (mode V); libbench fwd -P: the same receiver with
# vde_recv() (mode P: the library strips each header). LD_LIBRARY_PATH
# picks the library ("ours" or "ref") for both ends. Interleaved, RUNS
# times (default 3) per mode and frame length. Prints the raw lines, then
# per mode and length the medians and ours/ref ratios of frames/s and of
# the receiver's and the switch's CPU time per frame.
# Environment: MODES (default "V P"), LENS (frame lengths, default
# "64 1514 9014"), N (frames per run, default 300000).
set -u
. "$(dirname "$0")/opts-lib.sh"
bench_args "r:" "[-r RUNS] BUILD_DIR REF" 2 "$@"
SW_BIN=$B/switch/vde_switch
LB=$B/bench/libbench
OURLIB=$B/lib/.libs
REFLIB=${BDIRS[1]}
[ -e "$REFLIB/lib/.libs/libvdeplug.so.2" ] && REFLIB=$REFLIB/lib/.libs
MODES=${MODES:-V P}
LENS=${LENS:-64 1514 9014}
N=${N:-300000}
for f in "$SW_BIN" "$LB" "$OURLIB/libvdeplug.so.2" "$REFLIB/libvdeplug.so.2"; do
	[ -e "$f" ] || { echo "bench: $f not found (make -C $B bench/libbench)" >&2; exit 1; }
done
T=$(mktemp -d /tmp/vnetrecv.XXXXXX)
RES=$T/results.txt
SWPID=
trap '[ -n "$SWPID" ] && kill "$SWPID" 2>/dev/null; rm -rf "$T"' EXIT

# A fresh switch on $T/sw for every run; its CPU seconds when stopped.
start_switch() {
	local i=0
	rm -rf "$T/sw"
	"$SW_BIN" -d -s "$T/sw" -p "$T/pid" >/dev/null 2>&1 </dev/null
	until [ -s "$T/pid" ] && [ -S "$T/sw/ctl" ]; do
		i=$((i + 1))
		[ $i -lt 250 ] || { echo "bench: $SW_BIN did not start" >&2; exit 1; }
		sleep 0.02
	done
	SWPID=$(cat "$T/pid")
	rm -f "$T/pid"
}
stop_switch() {
	awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$SWPID/stat"
	kill "$SWPID"
	while kill -0 "$SWPID" 2>/dev/null; do sleep 0.02; done
	SWPID=
}

echo "# vdekit vde_recv_vnet bench $(date -u '+%Y-%m-%d %H:%M UTC') on $(uname -n):" \
	"$(nproc) CPUs; load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# runs=$RUNS N=$N modes: $MODES lens: $LENS ours: $OURLIB ref: $REFLIB"
for r in $(seq "$RUNS"); do
	for m in $MODES; do
		for len in $LENS; do
			for impl in ours ref; do
				lib=$OURLIB
				[ "$impl" = ref ] && lib=$REFLIB
				start_switch
				line=$(env LD_LIBRARY_PATH="$lib" timeout 120 "$LB" fwd "-$m" -s "$T/sw" \
					-l "$len" -n "$N" -L "$impl-$m") ||
					line="mode=fwd impl=$impl-$m len=$len FAILED"
				line="$line sw_cpu_s=$(stop_switch) run=$r"
				echo "$line" | tee -a "$RES"
			done
		done
	done
done
echo "# load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$RES" <<'PY'
import statistics, sys
rows = [dict(x.split('=', 1) for x in l.split() if '=' in x) for l in open(sys.argv[1])]
rows = [r for r in rows if 'fps' in r]
def med(impl, ln, f):
    v = [f(r) for r in rows if r['impl'] == impl and r['len'] == ln]
    return statistics.median(v) if v else None
cols = [('frames/s', lambda r: float(r['fps']), '%.0f'),
        ('receiver CPU us/frame', lambda r: float(r['rx_cpu_s']) / float(r['sent']) * 1e6, '%.3f'),
        ('switch CPU us/frame', lambda r: float(r['sw_cpu_s']) / float(r['sent']) * 1e6, '%.3f')]
print('| mode | len | ' + ' | '.join('%s ours | ref | ours/ref' % c[0] for c in cols) + ' |')
print('|---|---|' + '---|---|---|' * len(cols))
for m in sorted({r['impl'].split('-')[1] for r in rows}, reverse=True):
    for ln in sorted({r['len'] for r in rows}, key=int):
        cells = []
        for _, f, fmt in cols:
            a, b = med('ours-' + m, ln, f), med('ref-' + m, ln, f)
            cells += [fmt % a if a is not None else '-', fmt % b if b is not None else '-',
                      '%.2fx' % (a / b) if a and b else '-']
        print('| %s | %s | %s |' % (m, ln, ' | '.join(cells)))
PY
