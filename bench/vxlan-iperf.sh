#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/vxlan-iperf.sh - iperf3 TCP over a VXLAN segment between two hosts
# (issue 13), ours against the kernel's and Debian's vxvde, side by side in
# one run, interleaved
#
#   bench/vxlan-iperf.sh [-r RUNS] [-t SECONDS] [-o FILE] BUILD_DIR     (root)
#
#   h1 --tap0-- [VTEP side v1] ==veth underlay, MTU 1600== [VTEP side v2] --tap0-- h2
#
# Setups (CONFIGS, default "ours ours-switch kernel debvxvde"):
#   ours      on each side our vde_switch, vde_plug vxlan://PEER/vni=42 SW
#             (in v1/v2) and vde_plug2tap (tap0 in h1/h2)
#   ours-switch on each side one process: vde_switch --vxlan
#             vxlan://PEER/vni=42 -t tap0 (in v1/v2; tap0 moved to h1/h2)
#   kernel    on each side a kernel vxlan device (VNI 42, unicast remote)
#             in a bridge with a veth whose other end is "tap0" in h1/h2
#   debvxvde  Debian's vde_switch and vde_plug2tap (vde2) with Debian's
#             vde_plug vxvde://239.1.2.3 SW (vdeplug4's plugin) on each side
#   oursvxvde for reference: ours with vxvde:// instead of vxlan://
# Inner MTU 1500 (the underlay carries the 50-byte overhead). Printed: each
# run (Mbit/s, retransmits, CPU-seconds per second of the switches and of
# the rest), medians, ratios to the kernel path, and the targets of
# performance.md: >= 0.4x kernel VXLAN, >= 2x Debian's vxvde path; then
# per setup the ratio to debvxvde and CPU per byte: CPU-seconds per GB of
# the VTEP processes, and of the whole machine (from idle time: includes
# the kernel's softirq work, and other load of the machine).
. "$(dirname "$0")/opts-lib.sh"
bench_args "r:t:o:" "[-r RUNS] [-t SECONDS] [-o FILE] BUILD_DIR" 1 "$@"
OUR_SW=$B/switch/vde_switch
DEB_SW=/usr/bin/vde_switch
declare -A P2T=([ours]=$B/plug2tap/vde_plug2tap [debian]=/usr/bin/vde_plug2tap)
declare -A PLUG=([ours]=$B/plug/vde_plug [debian]=/usr/bin/vde_plug)
CONFIGS=${CONFIGS:-ours ours-switch kernel debvxvde}
DIRS=${DIRS:-fwd}
for f in "${P2T[@]}" "${PLUG[@]}" "$OUR_SW" "$DEB_SW"; do
	[ -x "$f" ] || { echo "bench: $f not found (build first / apt install vde2 vdeplug)" >&2; exit 1; }
done
. "$(dirname "$0")/iperf-lib.sh"

# the VTEP sides and their underlay, made once (removed at exit)
vx_cleanup() {
	ns_del v1 v2
	bench_cleanup
}
trap vx_cleanup EXIT
ns_add v1 v2
ip -n "$ID-v1" link add u mtu 1600 type veth peer name u netns "$ID-v2" mtu 1600 || exit 1
for i in 1 2; do
	ip -n "$ID-v$i" addr add "10.99.0.$i/24" dev u
	ip -n "$ID-v$i" link set u up
	ip -n "$ID-v$i" route add 224.0.0.0/4 dev u
done

# setup CFG: sets SWP (switch pids) and TAPP (the other processes)
setup() {
	local cfg=$1 i peer
	SWP= TAPP=
	for i in 1 2; do
		peer=10.99.0.$((3 - i))
		case $cfg in
		ours | oursvxvde)
			start_switch ours "$BT/sw$i"
			SWP="$SWP ${CUR[-1]}"
			if [ "$cfg" = ours ]; then
				cur_spawn vtep.log ip netns exec "$ID-v$i" "${PLUG[ours]}" "vxlan://$peer/vni=42" "$BT/sw$i"
			else
				cur_spawn vtep.log ip netns exec "$ID-v$i" "${PLUG[ours]}" "vxvde://239.1.2.3" "$BT/sw$i"
			fi
			TAPP="$TAPP ${CUR[-1]}"
			cur_spawn p2t.log ip netns exec "$ID-h$i" "${P2T[ours]}" -s "$BT/sw$i" tap0
			TAPP="$TAPP ${CUR[-1]}"
			;;
		ours-switch)
			rm -rf "$BT/sw$i"
			cur_spawn sw.log ip netns exec "$ID-v$i" "$OUR_SW" --nostdin -s "$BT/sw$i" \
				--vxlan "vxlan://$peer/vni=42" -t tap0
			SWP="$SWP ${CUR[-1]}"
			waitcmd 100 ip -n "$ID-v$i" link show tap0 || return 1
			ip -n "$ID-v$i" link set tap0 netns "$ID-h$i" || return 1
			;;
		debvxvde)
			start_switch debian "$BT/sw$i"
			SWP="$SWP ${CUR[-1]}"
			cur_spawn vtep.log ip netns exec "$ID-v$i" "${PLUG[debian]}" "vxvde://239.1.2.3" "$BT/sw$i"
			TAPP="$TAPP ${CUR[-1]}"
			cur_spawn p2t.log ip netns exec "$ID-h$i" "${P2T[debian]}" -s "$BT/sw$i" tap0
			TAPP="$TAPP ${CUR[-1]}"
			;;
		kernel)
			ip -n "$ID-v$i" link add vx0 type vxlan id 42 local "10.99.0.$i" remote "$peer" \
				dstport 4789 dev u || return 1
			ip -n "$ID-v$i" link add br0 type bridge || return 1
			ip -n "$ID-v$i" link add hp type veth peer name tap0 netns "$ID-h$i" || return 1
			ip -n "$ID-v$i" link set vx0 mtu 1500 master br0 up
			ip -n "$ID-v$i" link set hp master br0 up
			ip -n "$ID-v$i" link set br0 up
			;;
		esac
	done
}

# after cur_stop: the kernel setup's devices (its tap0 is a veth)
teardown() {
	local i
	for i in 1 2; do
		ip -n "$ID-v$i" link del vx0 2>/dev/null
		ip -n "$ID-v$i" link del br0 2>/dev/null
		ip -n "$ID-v$i" link del hp 2>/dev/null
	done
}

echo "# vxlan-iperf $(date -u '+%Y-%m-%d %H:%M UTC') on $(uname -n): $NCPU CPUs, kernel $(uname -r)"
echo "# load: $(cut -d' ' -f1-3 /proc/loadavg); ${SECS}s x $RUNS rounds; setups: $CONFIGS; dirs: $DIRS"
echo "# ours: $B; Debian vde2 $(dpkg-query -W -f '${Version}' vde2 2>/dev/null), vdeplug $(dpkg-query -W -f '${Version}' vdeplug 2>/dev/null)"
ns_setup
BENCH_AFTER=teardown
bench_rounds 1500
echo "# end load: $(cut -d' ' -f1-3 /proc/loadavg)"
bench_summary kernel "{('ours', 1500): ('ratio', 0.4), ('ours-switch', 1500): ('ratio', 0.4)}"
python3 - "$RES" "$NCPU" <<'PY'
import statistics, sys
rows = [dict(w.split('=', 1) for w in l.split() if '=' in w) for l in open(sys.argv[1])]
ncpu = int(sys.argv[2])
def med(c, f):
    v = [f(r) for r in rows if r['cfg'] == c and 'broken' not in r and float(r['mbps']) > 0]
    return statistics.median(v) if v else None
def mbps(r): return float(r['mbps'])
def proc(r): return (float(r['sw_cpu']) + float(r['tap_cpu'])) / (float(r['mbps']) / 8000)
def mach(r): return (100 - float(r['idle_pct'])) / 100 * ncpu / (float(r['mbps']) / 8000)
d = med('debvxvde', mbps)
print()
print('| setup | Mbit/s | vs debvxvde (target >= 2x) | VTEP process CPU-s/GB | machine CPU-s/GB |')
print('|---|---|---|---|---|')
for c in sorted({r['cfg'] for r in rows}):
    m = med(c, mbps)
    if m is None:
        print('| %s | broken | | | |' % c)
        continue
    ratio = '%.2fx%s' % (m / d, (' met' if m / d >= 2 else ' MISSED') if c.startswith('ours') else '') if d else '-'
    print('| %s | %.0f | %s | %.2f | %.2f |' % (c, m, ratio, med(c, proc), med(c, mach)))
PY
