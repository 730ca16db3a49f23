#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/fastpath.sh - the shared-memory fast path: a libvdeplug at both
# ends, through a switch, ours vs Debian's, in one run.
#
# usage: bench/fastpath.sh [-r RUNS] BUILD_DIR    (or: make -C BUILD_DIR bench-fastpath)
#
# bench/libbench (linked against the libvdeplug ABI; LD_LIBRARY_PATH picks
# the library) measures, for every run (default 3), interleaved:
#   ring     our switch, our library at both ends (shared-memory rings)
#   deb      Debian's vde_switch, Debian's library at both ends
#   debours  our switch, Debian's library at both ends (no rings: VDE 2
#            clients on our switch must not lose to "deb")
#   dgram    our switch, our library with VDEPLUG_FASTPATH=0 (datagrams)
#   ringdg   rings with datagram doorbells (VDEPLUG_FASTPATH_PIPES=0: how a
#            client or switch of an older build rings; not in the default)
#   floor    RTT only: bench/bellfloor, three bare processes with the same
#            system calls and wake-ups as "ring" and nothing else (the
#            floor of one wake-up per hop; not in the default); its middle
#            calls setsid() as the switches' -d does, unless FG=1
#   ringsc   "ring" with vde_switch --shortcuts: known unicast between the
#            two clients leaves the switch out (docs/fastpath.md section 10)
#   floor2   RTT only: bellfloor -2, the two ends waking each other with no
#            middle process (the floor of a path without the switch in
#            the round trip, docs/fastpath.md section 10; not in the default)
#   ringbatch  "ring" with our switch under SCHED_BATCH (chrt -b 0): its
#            wake-ups never preempt (an experiment; not in the default)
#   ringrt   "ring" with vde_switch --rtprio 10 (SCHED_FIFO: its wake-ups
#            always preempt, nothing preempts it; not in the default)
#   ringag5  "ring" with the switch's scheduling group (its session's
#            autogroup, /proc/PID/autogroup) at nice 5 (an experiment)
# fwd (open loop, blocking vde_send, N frames, loss and integrity) at 64
# and 1514 B, and RTT 64 B with the switch and both ends on one CPU.
# Prints the raw lines, then medians, ratios and the switch's CPU time per
# frame. Environment: N64, N1514, NRTT, CPU, CONFIGS, PARTS ("fwd rtt":
# which parts run; PARTS=rtt CONFIGS="ring deb" for the RTT alone), HOG=1
# (a busy loop in a session of its own on the RTT's CPU during every RTT
# run: the price of the experiments in latency when the CPU is busy), FG=1
# (every switch in the foreground of the bench's session instead of -d: with
# sched_autogroup, in the clients' scheduling group instead of its own).
set -u
. "$(dirname "$0")/opts-lib.sh"
bench_args "r:" "[-r RUNS] BUILD_DIR" 1 "$@"
OURS=$B/switch/vde_switch
THEIRS=/usr/bin/vde_switch
LB=$B/bench/libbench
OURLIB=$B/lib/.libs
N64=${N64:-1000000}
N1514=${N1514:-300000}
NRTT=${NRTT:-20000}
CPU=${CPU:-0}
CONFIGS=${CONFIGS:-ring deb debours dgram}
PARTS=${PARTS:-fwd rtt}
part() { case " $PARTS " in *" $1 "*) return 0 ;; esac; return 1; }
for f in "$OURS" "$THEIRS" "$LB" "$OURLIB/libvdeplug.so.2"; do
	[ -e "$f" ] || { echo "bench: $f not found (make -C $B bench/libbench)" >&2; exit 1; }
done
for f in $CONFIGS; do
	case $f in floor|floor2) [ -x "$B/bench/bellfloor" ] ;; *) true ;; esac ||
		{ echo "bench: $B/bench/bellfloor not found (make -C $B bench/bellfloor)" >&2; exit 1; }
done
T=$(mktemp -d /tmp/fpbench.XXXXXX)
RES=$T/results.txt
SWPID=
HOGPID=
trap '[ -n "$SWPID" ] && kill "$SWPID" 2>/dev/null; [ -n "$HOGPID" ] && kill "$HOGPID" 2>/dev/null; rm -rf "$T"' EXIT

# sw CONFIG [taskset -c N]: start the switch of CONFIG on $T/sw
sw() {
	local cfg=$1 bin=$OURS i=0
	shift
	[ "$cfg" = deb ] && bin=$THEIRS
	[ "$cfg" = ringbatch ] && set -- "$@" chrt -b 0
	local opts=
	[ "$cfg" = ringsc ] && opts=--shortcuts
	[ "$cfg" = ringrt ] && opts="--rtprio 10"
	rm -rf "$T/sw"
	if [ "${FG:-0}" = 1 ]; then
		# in the foreground of this session; its console reads a fifo
		# that fd 9 holds open (end of input would stop it)
		[ -p "$T/in" ] || { mkfifo "$T/in" && exec 9<>"$T/in"; }
		"$@" "$bin" $opts -s "$T/sw" >/dev/null 2>&1 <"$T/in" &
		echo $! >"$T/sw.pid"
	else
		"$@" "$bin" $opts -d -s "$T/sw" -p "$T/sw.pid" >/dev/null 2>&1 </dev/null
	fi
	while [ ! -s "$T/sw.pid" ] || [ ! -S "$T/sw/ctl" ]; do
		i=$((i + 1)); [ $i -lt 250 ] || { echo "bench: $bin did not start" >&2; exit 1; }
		sleep 0.02
	done
	SWPID=$(cat "$T/sw.pid")
	rm -f "$T/sw.pid"
	[ "$cfg" != ringag5 ] || echo 5 >"/proc/$SWPID/autogroup" ||
		{ echo "bench: cannot set the switch's autogroup" >&2; exit 1; }
}
# hog_start / hog_stop: with HOG=1, a busy loop on $CPU in its own session
hog_start() {
	[ "${HOG:-0}" = 1 ] || return 0
	(exec setsid taskset -c "$CPU" sh -c 'while :; do :; done') &
	HOGPID=$!
}
hog_stop() { [ -z "$HOGPID" ] || { kill "$HOGPID"; wait "$HOGPID" 2>/dev/null; HOGPID=; }; }
sw_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$SWPID/stat"; }
sw_stop() { kill "$SWPID"; while kill -0 "$SWPID" 2>/dev/null; do sleep 0.02; done; SWPID=; }
# client CONFIG CMD...: the library and environment of CONFIG
client() {
	local cfg=$1
	shift
	case $cfg in
	ring | ringsc | ringrt | ringbatch | ringag5) env LD_LIBRARY_PATH="$OURLIB" "$@" ;;
	dgram) env LD_LIBRARY_PATH="$OURLIB" VDEPLUG_FASTPATH=0 "$@" ;;
	ringdg) env LD_LIBRARY_PATH="$OURLIB" VDEPLUG_FASTPATH_PIPES=0 "$@" ;;
	*) "$@" ;;
	esac
}
emit() { echo "$*" | tee -a "$RES"; }

echo "# vdekit fast-path bench $(date -u '+%Y-%m-%d %H:%M UTC') on $(uname -n): $(nproc) CPUs;" \
	"load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# runs=$RUNS N64=$N64 N1514=$N1514 NRTT=$NRTT configs: $CONFIGS parts: $PARTS hog: ${HOG:-0} fg: ${FG:-0}"
for r in $(seq "$RUNS"); do
	part fwd && for len in 64 1514; do
		[ "$len" = 64 ] && n=$N64 || n=$N1514
		for cfg in $CONFIGS; do
			case $cfg in floor|floor2) continue ;; esac
			sw "$cfg"
			line=$(client "$cfg" timeout 120 "$LB" fwd -s "$T/sw" -l "$len" -n "$n" -L "$cfg") ||
				line="mode=fwd impl=$cfg len=$len FAILED"
			emit "$line sw_cpu_s=$(sw_cpu) run=$r"
			sw_stop
		done
	done
	part rtt && for cfg in $CONFIGS; do
		if [ "$cfg" = floor ] || [ "$cfg" = floor2 ]; then
			hog_start
			if [ "$cfg" = floor2 ]; then
				line=$("$B/bench/bellfloor" -n "$NRTT" -c "$CPU" -2)
			else
				line=$("$B/bench/bellfloor" -n "$NRTT" -c "$CPU" $([ "${FG:-0}" = 1 ] || echo -s))
			fi || line="mode=rtt impl=$cfg len=64 FAILED"
			hog_stop
			emit "$line run=$r"
			continue
		fi
		sw "$cfg" taskset -c "$CPU"
		hog_start
		line=$(client "$cfg" taskset -c "$CPU" timeout 120 "$LB" rtt -s "$T/sw" -l 64 -n "$NRTT" -L "$cfg") ||
			line="mode=rtt impl=$cfg len=64 FAILED"
		hog_stop
		emit "$line sw_cpu_s=$(sw_cpu) run=$r"
		sw_stop
	done
done
echo "# load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$RES" <<'PY'
import statistics, sys
rows = [dict(x.split('=', 1) for x in l.split() if '=' in x) for l in open(sys.argv[1])]
def med(mode, impl, ln, key, f=float):
    v = [f(r[key]) for r in rows if r.get('mode') == mode and r.get('impl') == impl
         and r.get('len') == ln and key in r]
    return statistics.median(v) if v else None
def cpu(impl, ln):
    v = [float(r['sw_cpu_s']) / float(r['sent']) * 1e6 for r in rows
         if r.get('mode') == 'fwd' and r.get('impl') == impl and r.get('len') == ln and 'sent' in r]
    return statistics.median(v) if v else None
impls = [i for i in ['ring', 'ringsc', 'deb', 'debours', 'dgram', 'ringdg', 'floor', 'floor2', 'ringrt', 'ringbatch', 'ringag5']
         if any(r.get('impl') == i for r in rows)]
ratios = ['ring', 'debours'] + [i for i in ['ringsc', 'ringdg', 'floor', 'floor2', 'ringrt', 'ringbatch', 'ringag5'] if i in impls]
print('| test | len | ' + ' | '.join(impls) + ' | ' + ' | '.join(i + '/deb' for i in ratios) + ' |')
print('|---|---|' + '---|' * (len(impls) + len(ratios)))
def line(name, ln, vals, fmt):
    cells = [fmt % v if v is not None else '-' for v in vals]
    d = dict(zip(impls, vals))
    rat = lambda a, b: '%.2fx' % (d[a] / d[b]) if d.get(a) and d.get(b) else '-'
    print('| %s | %s | %s | %s |' % (name, ln, ' | '.join(cells), ' | '.join(rat(i, 'deb') for i in ratios)))
for ln in ['64', '1514'] if any(r.get('mode') == 'fwd' for r in rows) else []:
    line('fwd frames/s', ln, [med('fwd', i, ln, 'fps') for i in impls], '%.0f')
    line('fwd loss %', ln, [med('fwd', i, ln, 'loss_pct') for i in impls], '%.3f')
    line('switch CPU us/frame', ln, [cpu(i, ln) for i in impls], '%.3f')
line('RTT median us (1 CPU)', '64', [med('rtt', i, '64', 'median_us') for i in impls], '%.2f')
line('RTT p99 us (1 CPU)', '64', [med('rtt', i, '64', 'p99_us') for i in impls], '%.2f')
PY
