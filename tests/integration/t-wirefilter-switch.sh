#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-wirefilter-switch.sh - wirefilter between real switches:
#   1. as a cable between two VNLs (-v VNL1:VNL2, then VNL1 VNL2 with
#      --daemon/--pidfile): loss within the 99.9 % binomial interval, counted
#      on showinfo;
#   2. in a dpipe chain (dpipe vde_plug sw1 = wirefilter = vde_plug sw2):
#      delay both ways (LR and RL), nothing lost;
#   3. the same chain built with Debian's dpipe, vde_plug and vde_switch.
TEST_TIMEOUT=${TEST_TIMEOUT:-180}
. "$top_srcdir/tests/lib/env.sh"
WF=$(bin wirefilter)
PROBE=$(bin wf_probe)
SW=$(bin vde_switch)
PLUG=$(bin vde_plug)
DPIPE=$(bin dpipe)

# the dpipe chains run as their own process groups (setsid); end them
# whatever happens
CHAIN= DCHAIN=
end_groups() {
	local g
	for g in $CHAIN; do
		[ "$g" -gt 1 ] && kill -- -"$g" 2>/dev/null
	done
	# Debian's dpipe and the children it started
	for g in $DCHAIN; do
		kill $(pgrep -P "$g") "$g" 2>/dev/null
	done
	CHAIN= DCHAIN=
	return 0
}
trap 'rc=$?; end_groups; (exit $rc); _cleanup' EXIT

get() { sed -n "s/^$2=//p" "$TMP/$1"; }
fcmp() { awk "BEGIN { exit !($1) }"; }

start_switch() {	# switch-binary dir
	spawn "$(basename "$2").log" "$1" -s "$2" --nostdin -p "$2.pid"
	wait_for test -s "$2.pid" || fail "switch $2 did not start"
	wait_for sock_ready "$2/ctl" || fail "switch $2: no ctl socket"
	fastpath_check "$2"
}
start_debian_switch() {
	mkfifo "$1.in"
	exec {fd}<>"$1.in"
	spawn "$(basename "$1").log" bash -c 'exec "$@" <&'$fd _ "$DEB_SWITCH" -s "$1"
	wait_for sock_ready "$1/ctl" || fail "Debian switch $1 did not start"
}
probe() {	# out args...
	local out=$1; shift
	"$PROBE" "$@" >"$TMP/$out" 2>>"$TMP/probe.log" || fail "probe $out: $(tail -3 "$TMP/probe.log")"
}
# a console command on a mgmt socket, the answer on stdout
console() {
	python3 - "$@" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(sys.argv[1])
out = b""
def until(tok):
    global out
    while not out.endswith(tok):
        d = s.recv(65536)
        if not d:
            return
        out += d
until(b"$ ")
out = b""
s.sendall(sys.argv[2].encode() + b"\n")
until(b"$ ")
sys.stdout.buffer.write(out)
PY
}

start_switch "$SW" "$TMP/sw1"
start_switch "$SW" "$TMP/sw2"

# --- 1. cable between two VNLs; stdin is the console, keep it open
mkfifo "$TMP/wfin"
exec 7<>"$TMP/wfin"
spawn wf1.log bash -c 'exec "$@" <&7' _ "$WF" -l 10 --seed 11 -M "$TMP/wf1.mgmt" -v "$TMP/sw1:$TMP/sw2"
WF1=$LASTPID
wait_for sock_ready "$TMP/wf1.mgmt" || fail "cable wirefilter did not start"
probe cable -n 5000 -i 200 -w 500 -a "$TMP/sw1" -b "$TMP/sw2"
sent=$(get cable sent); recv=$(get cable recv)
console "$TMP/wf1.mgmt" showinfo >"$TMP/info1"
lost=$(sed -n 's/^Drops  L->R loss \([0-9]*\) .*/\1/p' "$TMP/info1")
awk -v s="$sent" -v r="$recv" 'BEGIN { p = 0.1; m = 1 - r / s; h = 3.2905 * sqrt(p * (1 - p) / s);
	printf "REPORT cable loss 10%%: measured %.4f (%d of %d), interval %.4f..%.4f\n", m, s - r, s, p - h, p + h;
	exit !(m >= p - h && m <= p + h) }' || fail "cable: loss outside the 99.9 % interval"
[ -n "$lost" ] && [ "$lost" -ge $((sent - recv - 5)) ] && [ "$lost" -le $((sent - recv)) ] ||
	fail "cable: showinfo counts $lost losses, the receiver missed $((sent - recv))"
grep -q '^WireFilter: bidirectional$' "$TMP/info1" || fail "cable: not bidirectional"
# with two VNLs stdin/stdout is a console too
printf 'showcurrent\n' >&7
wait_for grep -q '^Current Markov Node 0 "" (0,..,0)$' "$TMP/wf1.log" || fail "stdin console did not answer"
kill "$WF1"
exec 7>&-

# --- positional VNLs, --daemon, --pidfile (written once ready)
"$WF" --daemon --pidfile "$TMP/wfd.pid" -d 1 "$TMP/sw1" "$TMP/sw2" || fail "--daemon failed"
wait_for test -s "$TMP/wfd.pid" || fail "no pidfile"
PIDS+=("$(cat "$TMP/wfd.pid")")
probe daemon -n 200 -i 500 -w 300 -a "$TMP/sw1" -b "$TMP/sw2"
[ "$(get daemon recv)" = 200 ] && fcmp "$(get daemon lat_min_us) >= 1000" ||
	fail "daemon cable: $(get daemon recv)/200, min $(get daemon lat_min_us) us"
kill "$(cat "$TMP/wfd.pid")"

# --- 2. dpipe chain, delay 5 ms each way
# setsid: the chain is one process group we can end as a whole
spawn chain.log setsid "$DPIPE" "$PLUG" "$TMP/sw1" = "$WF" -d 5 -M "$TMP/wf2.mgmt" = "$PLUG" "$TMP/sw2"
CHAIN=$LASTPID
wait_for sock_ready "$TMP/wf2.mgmt" || fail "dpipe chain did not start"
probe lr -n 1000 -i 1000 -w 500 -e 5 -a "$TMP/sw1" -b "$TMP/sw2"
probe rl -n 1000 -i 1000 -w 500 -e 5 -a "$TMP/sw2" -b "$TMP/sw1"
for d in lr rl; do
	echo "REPORT dpipe chain $d: $(get $d recv)/$(get $d sent) frames, latency min $(get $d lat_min_us) us median $(get $d lat_median_us) us"
	[ "$(get $d recv)" = "$(get $d sent)" ] || fail "chain $d: lost frames"
	fcmp "$(get $d lat_min_us) >= 5000" || fail "chain $d: frame faster than the 5 ms delay"
	# five processes in a row: the median is only a sanity bound on a loaded box
	fcmp "$(get $d lat_median_us) <= 100000" || fail "chain $d: median $(get $d lat_median_us) us"
done
console "$TMP/wf2.mgmt" showinfo >"$TMP/info2"
grep -q '^Stats  L->R in [1-9]' "$TMP/info2" && grep -q '^Stats  R->L in [1-9]' "$TMP/info2" ||
	fail "chain: counters of both directions: $(grep Stats "$TMP/info2")"
end_groups

# --- 3. Debian's dpipe, vde_plug and vde_switch around our wirefilter
if [ -x "$DEB_SWITCH" ] && [ -x "$DEB_PLUG" ] && [ -x "$DEB_DPIPE" ]; then
	start_debian_switch "$TMP/dsw1"
	start_debian_switch "$TMP/dsw2"
	# (Debian's dpipe makes its own process group; it refuses to run under setsid)
	spawn dchain.log "$DEB_DPIPE" "$DEB_PLUG" "$TMP/dsw1" = "$WF" -d LR3 -d RL6 -M "$TMP/wf3.mgmt" = "$DEB_PLUG" "$TMP/dsw2"
	DCHAIN=$LASTPID
	wait_for sock_ready "$TMP/wf3.mgmt" || fail "Debian dpipe chain did not start"
	probe dlr -n 500 -i 1000 -w 500 -a "$TMP/dsw1" -b "$TMP/dsw2"
	probe drl -n 500 -i 1000 -w 500 -a "$TMP/dsw2" -b "$TMP/dsw1"
	echo "REPORT Debian chain: LR $(get dlr recv)/500 min $(get dlr lat_min_us) us, RL $(get drl recv)/500 min $(get drl lat_min_us) us"
	[ "$(get dlr recv)" = 500 ] && [ "$(get drl recv)" = 500 ] || fail "Debian chain lost frames"
	fcmp "$(get dlr lat_min_us) >= 3000 && $(get dlr lat_median_us) < 100000" || fail "Debian chain: LR delay"
	fcmp "$(get drl lat_min_us) >= 6000" || fail "Debian chain: RL delay"
	end_groups
else
	echo "REPORT Debian vde2 binaries missing: interop part not run"
fi
pass "wirefilter between switches"
