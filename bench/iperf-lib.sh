# SPDX-License-Identifier: GPL-2.0-or-later
# bench/iperf-lib.sh - shared part of the iperf3-through-namespaces benchmarks
# (bench/tap-iperf.sh, bench/wirefilter-iperf.sh); sourced, not run.
#
# Two network namespaces $ID-h1 and $ID-h2 (10.78.0.1 and .2 on tap0) are
# created once. Each measurement starts its own daemons (recorded with
# cur_spawn, so their CPU time can be read and only they are killed), brings
# the taps up, checks that a ping crosses (and, at a jumbo MTU, that a
# full-size frame crosses), runs iperf3 -c in h1 against iperf3 -s in h2 for
# $SECS seconds, and stops the daemons again. One result line per
# measurement goes to $RES as key=value words; bench_summary prints medians
# and ratios from it. Everything started is killed by PID (never by name)
# and the namespaces are removed, also on Ctrl-C.
set -u
[ "$(id -u)" = 0 ] || { echo "bench: needs root (network namespaces, taps)" >&2; exit 77; }
for t in iperf3 python3 ip; do
	command -v $t >/dev/null || { echo "bench: needs $t" >&2; exit 77; }
done
[ -c /dev/net/tun ] || { echo "bench: needs /dev/net/tun" >&2; exit 77; }

ID=vbi$$
. "$(dirname "${BASH_SOURCE[0]}")/ns-lib.sh"
BT=$(mktemp -d /tmp/vdebench-iperf.XXXXXX)
RES=$BT/results.txt
CUR=()		# daemons of the current measurement
CURGRP=()	# process groups (setsid chains) of the current measurement
HOLD=()		# fifo holders (stdin of Debian's switch)
CLK=$(getconf CLK_TCK)
NCPU=$(nproc)
: >"$RES"

bench_cleanup() {
	trap - EXIT INT TERM
	cur_stop
	ns_del h1 h2
	[ -n "${OUT:-}" ] && cp "$RES" "$OUT"
	rm -rf "$BT"
}
trap bench_cleanup EXIT
trap 'echo "bench: interrupted, cleaning up" >&2; exit 130' INT TERM

waitcmd() {	# TENTHS CMD...: poll CMD every 0.05 s for TENTHS/10 seconds
	local i
	for i in $(seq $(($1 * 2))); do
		"${@:2}" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	return 1
}
n() { local h=$1; shift; ip netns exec "$ID-$h" "$@"; }

ns_setup() { ns_add h1 h2; }

# cur_spawn LOG CMD...: start a daemon of this measurement
cur_spawn() {
	local log=$1
	shift
	"$@" >>"$BT/$log" 2>&1 </dev/null &
	CUR+=($!)
}
# cur_spawn_grp LOG setsid|pgrp|-- CMD...: a chain (dpipe) in its own process
# group: through setsid (a new session, so with sched_autogroup a
# scheduling group of its own), a plain process group in the bench's
# session (pgrp: bash job control), or made by CMD itself (Debian's dpipe
# calls setsid() and fails if it is a group leader already)
cur_spawn_grp() {
	local log=$1 how=$2
	shift 2
	if [ "$how" = setsid ]; then
		setsid "$@" >>"$BT/$log" 2>&1 </dev/null &
	elif [ "$how" = pgrp ]; then
		set -m
		"$@" >>"$BT/$log" 2>&1 </dev/null &
		set +m
	else
		"$@" >>"$BT/$log" 2>&1 </dev/null &
	fi
	CUR+=($!)
	CURGRP+=($!)
}

# start_switch KIND DIR [ARGS...]: ours (--nostdin) or Debian's (stdin on a
# held fifo: it exits at EOF on its console); waits for DIR/ctl
start_switch() {
	local kind=$1 dir=$2
	shift 2
	rm -rf "$dir"
	if [ "$kind" = ours ]; then
		cur_spawn sw.log "$OUR_SW" --nostdin -s "$dir" "$@"
	else
		rm -f "$dir.in"
		mkfifo "$dir.in"
		sleep 100000 >"$dir.in" &
		HOLD+=($!)
		"$DEB_SW" -s "$dir" "$@" <"$dir.in" >>"$BT/sw.log" 2>&1 &
		CUR+=($!)
	fi
	waitcmd 100 test -S "$dir/ctl" || { echo "bench: $kind switch did not start" >&2; cat "$BT/sw.log" >&2; exit 1; }
}

cur_stop() {
	local p i
	for p in "${CURGRP[@]}"; do kill -- "-$p" 2>/dev/null; done
	for p in "${CUR[@]}" "${HOLD[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${CUR[@]}" "${HOLD[@]}"; do
		for i in $(seq 40); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	CUR=() CURGRP=() HOLD=()
	if [ -n "${VETH:-}" ]; then
		ip -n "$ID-h1" link del tap0 2>/dev/null
		VETH=
	fi
	# transient taps vanish with the fd that created them
	for h in h1 h2; do
		waitcmd 40 sh -c "! ip -n $ID-$h link show tap0" || true
	done
}

# taps_up MTU: address, MTU and link up on both tap0s (after both exist)
taps_up() {
	local h i=0
	for h in h1 h2; do
		i=$((i + 1))
		waitcmd 100 ip -n "$ID-$h" link show tap0 || { echo "bench: no tap0 in $h" >&2; return 1; }
	done
	i=0
	for h in h1 h2; do
		i=$((i + 1))
		ip -n "$ID-$h" addr add "10.78.0.$i/24" dev tap0 || return 1
		ip -n "$ID-$h" link set tap0 address "02:00:00:00:78:0$i" mtu "$1" up || return 1
	done
}

# path_ok MTU: a ping crosses, and a frame of the full MTU too (Debian's
# tools truncate frames to 1518 bytes); prints why not on failure
path_ok() {
	local i
	for i in $(seq 20); do
		n h1 ping -c 1 -W 1 10.78.0.2 >/dev/null 2>&1 && break
	done
	[ "$i" -lt 20 ] || { echo "no ping"; return 1; }
	if [ "$1" -gt 1500 ]; then
		n h1 ping -c 2 -W 2 -M do -s $(($1 - 28)) 10.78.0.2 >/dev/null 2>&1 ||
			{ echo "$1-byte packets do not cross (frames truncated)"; return 1; }
	fi
	return 0
}


# iperf_run KEYS DIR SWPIDS TAPPIDS: iperf3 h1 -> h2 (DIR fwd) or h2 -> h1
# (rev, iperf3 -R); appends a result line "KEYS mbps=... sw_cpu=... ..."
# (CPU as CPU-seconds per second of the run, idle as % of all CPUs)
iperf_run() {
	local keys=$1 dir=$2 swp=$3 tapp=$4 out s0 s1 t0 t1 i0 i1 w0 w1 spid i rflag=
	[ "$dir" = rev ] && rflag=-R
	rm -f "$BT/iperf.pid"
	n h2 iperf3 -s -1 -D -I "$BT/iperf.pid" >/dev/null 2>&1
	waitcmd 100 test -s "$BT/iperf.pid"
	waitcmd 100 n h2 sh -c 'ss -ltn | grep -q :5201'
	# shellcheck disable=SC2086
	s0=$(pids_ticks $swp); t0=$(pids_ticks $tapp); i0=$(idle_ticks); w0=$(date +%s.%N)
	out=$(n h1 timeout $((SECS + 30)) iperf3 -c 10.78.0.2 -t "$SECS" -O 1 $rflag ${CC:+-C "$CC"} -J 2>/dev/null)
	# shellcheck disable=SC2086
	s1=$(pids_ticks $swp); t1=$(pids_ticks $tapp); i1=$(idle_ticks); w1=$(date +%s.%N)
	spid=$(cat "$BT/iperf.pid" 2>/dev/null)
	if [ -n "$spid" ]; then
		kill "$spid" 2>/dev/null
		for i in $(seq 100); do kill -0 "$spid" 2>/dev/null || break; sleep 0.05; done
	fi
	echo "$out" | python3 -c '
import json, sys
keys = sys.argv[1]
ds, dt, di, w0, w1, hz, n = (float(a) for a in sys.argv[2:])
try:
    j = json.load(sys.stdin)
    v = j["end"]["sum_received"]["bits_per_second"] / 1e6
    rt = j["end"]["sum_sent"].get("retransmits", 0)
except Exception:
    v, rt = 0, -1
t = w1 - w0
print("%s mbps=%.0f retr=%d sw_cpu=%.2f tap_cpu=%.2f idle_pct=%.0f" % (
    keys, v, rt, ds / hz / t, dt / hz / t, 100 * di / hz / t / n))' \
		"$keys load=$(cut -d' ' -f1 /proc/loadavg)" $((s1 - s0)) $((t1 - t0)) $((i1 - i0)) \
		"$w0" "$w1" "$CLK" "$NCPU" | tee -a "$RES"
}

# bench_rounds MTU...: at each MTU, RUNS rounds; in each, every setup of
# $CONFIGS once, the order rotated by the round (none always goes first):
# the script's setup CFG (daemons recorded with cur_spawn, their pids in SWP
# and TAPP), taps_up, path_ok, then $BENCH_MEASURE (iperf_run or a wrapper
# taking the same arguments) for each of $DIRS; when the path does not
# work, one result line "broken=WHY" for each direction instead. Then
# cur_stop and $BENCH_AFTER (a command, when set).
BENCH_MEASURE=iperf_run
BENCH_AFTER=
bench_rounds() {
	local mtu r i d cfg why cfgs nc
	read -r -a cfgs <<<"$CONFIGS"
	nc=${#cfgs[@]}
	for mtu in "$@"; do
		for r in $(seq "$RUNS"); do
			for i in $(seq 0 $((nc - 1))); do
				cfg=${cfgs[$(( (i + r - 1) % nc ))]}
				why=setup_failed
				if ! setup "$cfg" || ! taps_up "$mtu" || ! why=$(path_ok "$mtu"); then
					[ "$why" = setup_failed ] && echo "bench: $cfg: setup failed" >&2
					for d in $DIRS; do
						echo "cfg=$cfg mtu=$mtu dir=$d run=$r mbps=0 broken=${why// /_}" | tee -a "$RES"
					done
				else
					for d in $DIRS; do
						"$BENCH_MEASURE" "cfg=$cfg mtu=$mtu dir=$d run=$r" "$d" "$SWP" "$TAPP"
					done
				fi
				cur_stop
				[ -z "$BENCH_AFTER" ] || $BENCH_AFTER
			done
		done
	done
}

# bench_summary BASELINE TARGETS: medians per (cfg, mtu, dir) and ratios
# against cfg BASELINE of the same mtu and dir; TARGETS is a python dict
# literal {(cfg, mtu): ("ratio" | "mbps", threshold)} for the verdicts
bench_summary() {
	python3 - "$RES" "$1" "$2" <<'EOF'
import ast, statistics, sys
rows = [dict(w.split('=', 1) for w in l.split() if '=' in w) for l in open(sys.argv[1])]
base = sys.argv[2]
targets = ast.literal_eval(sys.argv[3])
groups = {}
for r in rows:
    groups.setdefault((r['mtu'], r['dir']), {}).setdefault(r['cfg'], []).append(r)
def med(rs, k):
    v = [float(r[k]) for r in rs if k in r and r.get('broken') is None]
    return statistics.median(v) if v else None
def per_round(a, b):
    ra = {r['run']: float(r['mbps']) for r in a}
    rb = {r['run']: float(r['mbps']) for r in b}
    v = [ra[k] / rb[k] for k in ra if k in rb and rb[k] > 0]
    return statistics.median(v) if v else None
f = lambda x, p='%.0f': '-' if x is None else p % x
print()
print('| MTU | dir | setup | Mbit/s median (runs) | ratio vs %s (of medians; median per round) | switch CPU | switch ns/KiB | taps/chain CPU | idle %% | target |' % base)
print('|---|---|---|---|---|---|---|---|---|---|')
for (mtu, d) in sorted(groups, key=lambda k: (int(k[0]), k[1])):
    g = groups[(mtu, d)]
    b = g.get(base)
    bm = med(b, 'mbps') if b else None
    for cfg in sorted(g, key=lambda c: (c != base, c)):
        rs = g[cfg]
        m = med(rs, 'mbps')
        broken = [r['broken'] for r in rs if 'broken' in r]
        runs = ' '.join(r.get('mbps', '0') if 'broken' not in r else 'x' for r in rs)
        ratio = '-'
        if cfg != base and m and bm:
            ratio = '%.2fx; %s' % (m / bm, f(per_round(rs, b), '%.2fx'))
        elif cfg != base and m and bm == 0:
            ratio = 'n/a: %s median is 0' % base
        verdict = ''
        t = targets.get((cfg, int(mtu)))
        if t:
            kind, th = t
            if kind == 'ratio':
                ok = bool(m and bm) and m / bm >= th
                verdict = '>= %.2gx %s: %s' % (th, base, 'met' if ok else 'MISSED')
                if m and bm == 0:
                    verdict = '>= %.1fx %s: met (%s delivers nothing)' % (th, base, base)
            else:
                ok = m is not None and m >= th
                verdict = '>= %.1f Gbit/s: %s' % (th / 1000, 'met' if ok else 'MISSED')
        desc = f(m) + ' (' + runs + ')'
        if broken and m is None:
            desc = 'broken: ' + broken[0].replace('_', ' ')
        swc = med(rs, 'sw_cpu')
        nskib = swc * 1e9 / (m * 1e6 / 8 / 1024) if swc and m else None
        print('| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |' % (
            mtu, d, cfg, desc, ratio, f(swc, '%.2f'), f(nskib),
            f(med(rs, 'tap_cpu'), '%.2f'), f(med(rs, 'idle_pct')), verdict))
EOF
}
