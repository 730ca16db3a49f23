#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-vxlan-switchfull.sh - the switch's VTEP when its UDP sockets fill up:
# the underlay leaving namespace o is slow (tbf rate), so the sending
# socket's buffer fills and sendmmsg() says EAGAIN.
#  - a TCP stream from h2 (tap super-frames cut into UDP GSO runs) arrives
#    whole, so sending resumes after EAGAIN; super-frames cut short by a
#    full socket are counted (tx_cut_lost > 0);
#  - N UDP datagrams from h2: each one arrives at h1 or is counted by a
#    drop counter on the way (tap0's queue, the switch's port, the VXLAN
#    endpoint, the qdisc, the kernel VTEP side): none is lost silently.
# Layout as t-vxlan-switchwire.sh: kernel vxlan0 + br0 + h1 (192.168.82.1)
# in k; `vde_switch --vxlan vxlan://10.99.0.1/vni=42 -t tap0` in o, tap0 in h2.
TEST_TIMEOUT=${TEST_TIMEOUT:-240}
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/tap-lib.sh"
. "$top_srcdir/tests/integration/vxlan-lib.sh"
. "$top_srcdir/tests/integration/switch-common.sh"
need_root
command -v tc >/dev/null || skip "tc not installed"

kernel_and_switch 82 w
# a slow underlay: packets wait in the qdisc, charged to the sending socket
tc -n "$ID-o" qdisc add dev uo root tbf rate 40mbit burst 32k limit 100000000 ||
	skip "no tbf qdisc (sch_tbf)"

# long enough for TCP's window to outgrow the socket's buffer; reno's slow
# start does not stop early on a growing delay (cubic's HyStart does)
n h2 sysctl -qw net.ipv4.tcp_congestion_control=reno || fail "reno in h2"
head -c $((32 << 20)) /dev/urandom >"$TMP/data"
tcp_check h2 h1 192.168.82.1 tcp
echo "# TCP over a full socket: $(body w port/stats | grep endpoint)"
lost=$(swstat w tx_cut_lost) full=$(swstat w tx_full)
[ "${full:-0}" -gt 0 ] || fail "the sending socket was never full (tx_full ${full:-none})"
[ "${lost:-0}" -gt 0 ] || fail "no super-frame was cut short by a full socket (tx_cut_lost ${lost:-none})"
pass "TCP stream whole across EAGAIN; $lost segments of super-frames counted lost"

qdrops() { tc -s -n "$ID-o" qdisc show dev uo | sed -n 's/.*dropped \([0-9]*\).*/\1/p' | head -n 1; }
# every device's drops in the namespaces on the path (tap0 in h2, the
# underlay and the kernel VTEP, bridge and veths in o, k and h1): a frame is
# dropped once, at one device (veth counts on its sending side)
txdrop() {
	local ns
	for ns in h2 o k h1; do
		ipn "$ns" -s -j link show
	done | python3 -c '
import json, sys
d = json.JSONDecoder(); t = sys.stdin.read(); i = n = 0
while i < len(t):
    while i < len(t) and t[i].isspace():
        i += 1
    if i == len(t):
        break
    links, i = d.raw_decode(t, i)
    n += sum(l["stats64"]["tx"]["dropped"] + l["stats64"]["rx"]["dropped"] for l in links)
print(n)'
}
portdrops() {
	body w port/stats | python3 -c '
import re, sys
t = sys.stdin.read()
print(sum(int(x) for l in t.splitlines() if l.startswith("Port ")
          for x in re.findall(r"\b(?:qfull|senderr) (\d+)", l)))'
}
UC="python3 $top_srcdir/tests/integration/udpcount.py"
N=30000
b_q=$(qdrops) b_t=$(txdrop) b_p=$(portdrops) b_e=$(swstat w tx_err) b_f=$(swstat w tx_full)
rm -f "$TMP/ucnt" "$TMP/uready"
spawn ucount.log n h1 $UC recv 5002 "$TMP/ucnt" "$TMP/uready"
wait_for test -e "$TMP/uready" || fail "udp counter did not start"
timeout 120 ip netns exec "$ID-h2" $UC send 192.168.82.1 5002 $N 1000 || fail "udp send"
WAIT_SECS=30 wait_for test -s "$TMP/ucnt" || fail "udp counter did not finish"
got=$(cat "$TMP/ucnt")
q=$(( $(qdrops) - b_q )) t=$(( $(txdrop) - b_t )) p=$(( $(portdrops) - b_p ))
e=$(( $(swstat w tx_err) - b_e ))
k=$(n h1 nstat -az UdpRcvbufErrors | awk '/UdpRcvbufErrors/ {print $2}')
echo "# UDP: sent $N, received $got; dropped: devices $t, switch ports $p, vxlan tx_err $e, qdisc $q, h1 rcvbuf ${k:-0}"
echo "# $(body w port/stats | grep endpoint)"
[ $((got + t + p + e + q + ${k:-0})) = "$N" ] ||
	fail "$N datagrams sent, $got received and $((t + p + e + q + ${k:-0})) counted dropped"
[ "$(swstat w tx_full)" -gt "$b_f" ] || fail "the sending socket was never full with UDP"
pass "every datagram delivered or counted ($got delivered)"
stop_sw w
