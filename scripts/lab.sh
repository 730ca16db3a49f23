#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# scripts/lab.sh - the live lab that ends ./quickstart (root, no arguments)
#
#   scripts/lab.sh [BUILD_DIR]      (default: ./build next to this script)
#
# Builds a small virtual network in network namespaces it creates and removes:
#
#   h1 --tap-- sw1 --tap-- h2          two hosts on one switch (vde_plug2tap)
#               |
#      dpipe vde_plug = wirefilter -d 10 -l 2 = vde_plug     (a lossy cable)
#               |
#   h3 --tap-- sw2
#
# then pings across, copies a file over TCP from h1 to h3 and checks it, and
# prints the switches' port and MAC tables and the cable's counters. Cleans up
# on exit and on Ctrl-C; finishes by itself in about 20 seconds.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" 2>/dev/null && pwd) || { echo "lab: no build directory ${1:-$top/build}" >&2; exit 1; }
SWITCH=$build/switch/vde_switch
PLUG=$build/plug/vde_plug
P2T=$build/plug2tap/vde_plug2tap
DPIPE=$build/dpipe/dpipe
WF=$build/wirefilter/wirefilter
VDECMD=$build/vdecmd/vdecmd
for b in "$SWITCH" "$PLUG" "$P2T" "$DPIPE" "$WF" "$VDECMD"; do
	[ -x "$b" ] || { echo "lab: $b is missing: build first (./quickstart build)" >&2; exit 1; }
done
if [ "$(id -u)" != 0 ] || [ ! -c /dev/net/tun ] || ! ip netns list >/dev/null 2>&1; then
	echo "lab: the lab needs root, /dev/net/tun and ip netns; skipped"
	exit 0
fi
for c in socat cmp; do
	command -v $c >/dev/null || { echo "lab: $c is needed" >&2; exit 1; }
done

ID=vdelab-$$
WORK=$(mktemp -d /tmp/vdekit-lab.XXXXXX)
PIDS=()
NS=()
CABLE=""
cleanup() {
	local p ns
	trap - EXIT INT TERM
	[ -n "$CABLE" ] && kill -- "-$CABLE" 2>/dev/null	# the whole dpipe chain
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do
		local i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 40 ]; do sleep 0.05; i=$((i + 1)); done
		kill -9 "$p" 2>/dev/null
	done
	for ns in "${NS[@]}"; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'echo; echo "lab: interrupted, cleaning up"; exit 130' INT TERM

wait_for() {	# SECS CMD...
	local end=$(( $(date +%s) + $1 )); shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.05
	done
}
if [ -t 1 ]; then
	say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
	say() { printf '\n== %s\n' "$*"; }
fi
die() { echo "lab: $*" >&2; exit 1; }
n() { local ns=$1; shift; ip netns exec "$ID-$ns" "$@"; }
spawn() {	# LOG CMD...
	local log=$1; shift
	"$@" >"$WORK/$log" 2>&1 </dev/null &
	PIDS+=($!)
}
accepts() { socat -u /dev/null "UNIX-CONNECT:$1"; }

say "two switches, sw1 and sw2"
for sw in sw1 sw2; do
	spawn $sw.log "$SWITCH" -s "$WORK/$sw" -M "$WORK/$sw.mgmt" --nostdin
	wait_for 5 accepts "$WORK/$sw.mgmt" || die "$sw did not start: $(cat "$WORK/$sw.log")"
done
echo "sw1 and sw2 are up"

say "three hosts in network namespaces: h1 and h2 on sw1, h3 on sw2"
i=0
for h in h1:sw1 h2:sw1 h3:sw2; do
	host=${h%%:*} sw=${h#*:}
	i=$((i + 1))
	ip netns add "$ID-$host" || die "ip netns add"
	NS+=("$ID-$host")
	n "$host" ip link set lo up
	spawn "$host.log" ip netns exec "$ID-$host" "$P2T" -s "$WORK/$sw" tap0
	wait_for 5 n "$host" ip link show tap0 || die "$host: no tap0: $(cat "$WORK/$host.log")"
	n "$host" ip addr add "10.99.0.$i/24" dev tap0
	n "$host" ip link set tap0 address "02:00:00:00:99:0$i" up
	echo "$host: tap0 10.99.0.$i on $sw"
done

say "a cable from sw1 to sw2 through wirefilter (10 ms delay, 2% loss)"
spawn cable.log setsid "$DPIPE" "$PLUG" "$WORK/sw1" = "$WF" -d 10 -l 2 -M "$WORK/wf.mgmt" --seed 1 = "$PLUG" "$WORK/sw2"
CABLE=${PIDS[-1]}
wait_for 5 accepts "$WORK/wf.mgmt" || die "the cable did not start: $(cat "$WORK/cable.log")"
echo "dpipe vde_plug sw1 = wirefilter -d 10 -l 2 = vde_plug sw2"

say "h1 pings h2 (same switch)"
n h1 ping -c 3 -i 0.2 -W 2 10.99.0.2 || die "h1 cannot reach h2"

say "h1 pings h3 (across the cable: about 20 ms more round trip, some loss)"
n h1 ping -c 10 -i 0.2 -W 2 10.99.0.3 | tail -n 3
n h1 ping -c 3 -i 0.2 -W 2 10.99.0.3 >/dev/null || n h1 ping -c 5 -W 2 10.99.0.3 >/dev/null ||
	die "h1 cannot reach h3"

say "h1 sends 2 MiB to h3 over TCP; TCP repairs the cable's losses"
head -c 2097152 /dev/urandom >"$WORK/file.in"
spawn recv.log ip netns exec "$ID-h3" socat -u TCP-LISTEN:5001,reuseaddr "OPEN:$WORK/file.out,creat,trunc"
wait_for 5 n h3 sh -c 'ss -ltn | grep -q :5001' || die "receiver did not listen"
start=$(date +%s.%N)
timeout 60 ip netns exec "$ID-h1" socat -u "OPEN:$WORK/file.in" TCP:10.99.0.3:5001 || die "transfer failed"
wait_for 10 cmp -s "$WORK/file.in" "$WORK/file.out" || die "the received file differs"
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" 'BEGIN { printf "2 MiB arrived intact in %.2f s\n", e - s }'

say "sw1: port/print"
"$VDECMD" "$WORK/sw1.mgmt" port/print
say "sw1: hash/print (who is where)"
"$VDECMD" "$WORK/sw1.mgmt" hash/print
say "the cable: wirefilter showinfo"
"$VDECMD" "$WORK/wf.mgmt" showinfo | grep -E '^(Loss|Delay|Stats|Drops)'

say "done: removing the namespaces, taps, cable and switches"
