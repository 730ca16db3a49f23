#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-vxlan-switchfull.sh - the switch's VTEP when its UDP sockets fill up:
# the underlay leaving namespace o is slow (tbf rate), so the sending
# socket's buffer fills and sendmmsg() says EAGAIN.
#  - a TCP stream from h2 (tap super-frames cut into UDP GSO runs) arrives
#    whole, so sending resumes after EAGAIN; super-frames cut short by a
#    full socket are counted (tx_cut_lost > 0);
#  - N UDP datagrams from h2, then 3 END markers: each one arrives at h1
#    or is counted by a drop counter on the way (tap0's queue, the switch,
#    the VXLAN endpoint, the qdisc, the kernel VTEP side, UDP in each
#    namespace): none is lost silently. h1 counts on after the first END
#    until the path is quiet: an END may overtake data queued on another CPU.
# Layout as t-vxlan-switchwire.sh: kernel vxlan0 + br0 + h1 (192.168.82.1)
# in k; `vde_switch --vxlan vxlan://10.99.0.1/vni=42 -t tap0` in o, tap0 in
# h2, which has no IPv6 (see the UDP part).
TEST_TIMEOUT=${TEST_TIMEOUT:-240}
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/tap-lib.sh"
. "$top_srcdir/tests/integration/vxlan-lib.sh"
. "$top_srcdir/tests/integration/switch-common.sh"
need_root
command -v tc >/dev/null || skip "tc not installed"

mkns h2
n h2 sysctl -qw net.ipv6.conf.default.disable_ipv6=1 || fail "IPv6 off in h2"
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

# The UDP part: every frame of it (N datagrams, then the END markers) must
# be received by h1 or counted dropped by one counter on the way, each
# counting frames once: the switch's drops (all kinds but the FDB's learning
# failures), its VXLAN endpoint's frames refused before sending (tx_runt,
# tx_big; refused by the socket: senderr in the switch's drops), every
# device's drops in the namespaces on the path (tap0 in h2, the underlay and
# kernel VTEP, bridge and veths; veth counts on its sending side), every root
# qdisc's drops there, and UDP's receive errors and datagrams for no socket
# there (a late one after h1's counter closed). To make a device's drop one
# of ours, the path is quiet but for the test: no IPv6 in h2 (no router
# solicitations or reports through the full tap0) and permanent neighbours
# where the datagrams leave h2 and o (no ARP, and no datagram waits in a
# neighbour's queue, whose drops no namespace shows).
# snap FILE: all those counters, "name value" a line
snap() {
	{
		body w port/stats | sed -n 's/^drops //p' | awk '{
			for (i = 1; i < NF; i += 2)
				if ($i != "fdbfull" && $i != "ctlrefused")
					print "switch." $i, $(i + 1) }'
		echo "vxlan.tx_runt $(swstat w tx_runt)"
		echo "vxlan.tx_big $(swstat w tx_big)"
	} >"$1"
	python3 - "$ID" h2 o k h1 >>"$1" <<'PY' || fail "counters"
import json, subprocess, sys
def run(*a):
    return subprocess.run(a, check=True, capture_output=True, text=True).stdout
pre = sys.argv[1]
for ns in sys.argv[2:]:
    for l in json.loads(run("ip", "-n", pre + "-" + ns, "-s", "-j", "link", "show")):
        for d in ("tx", "rx"):
            print("dev.%s.%s.%s" % (ns, l["ifname"], d), l["stats64"][d]["dropped"])
    for q in json.loads(run("tc", "-n", pre + "-" + ns, "-s", "-j", "qdisc", "show")):
        if q.get("root"):
            print("qdisc.%s.%s" % (ns, q["dev"]), q["drops"])
    udp = [l.split() for l in run("ip", "netns", "exec", pre + "-" + ns, "cat", "/proc/net/snmp").splitlines()
           if l.startswith("Udp:")]
    for k, v in zip(udp[0][1:], udp[1][1:]):
        if k in ("InErrors", "NoPorts"):
            print("udp.%s.%s" % (ns, k), v)
PY
}
# dropped BEFORE AFTER: the sum of the increments; each nonzero one on stderr
dropped() {
	awk 'NR == FNR { b[$1] = $2; next }
	     $2 != b[$1] { n += $2 - b[$1]; printf "#   %s +%d\n", $1, $2 - b[$1] > "/dev/stderr" }
	     END { print n + 0 }' "$1" "$2"
}
ipn h2 neigh replace 192.168.82.1 lladdr "$(macof h1 eth0)" dev tap0 nud permanent ||
	fail "neighbour h1 in h2"
ipn o neigh replace 10.99.0.1 lladdr "$(macof k uk)" dev uo nud permanent ||
	fail "neighbour k in o"
UC="python3 $top_srcdir/tests/integration/udpcount.py"
N=30000
snap "$TMP/before"
b_f=$(swstat w tx_full)
rm -f "$TMP/ucnt" "$TMP/uready"
spawn ucount.log n h1 $UC recv 5002 "$TMP/ucnt" "$TMP/uready"
wait_for test -e "$TMP/uready" || fail "udp counter did not start"
timeout 120 ip netns exec "$ID-h2" $UC send 192.168.82.1 5002 $N 1000 || fail "udp send"
WAIT_SECS=90 wait_for test -s "$TMP/ucnt" || fail "udp counter did not finish"
read -r got ends late <"$TMP/ucnt"
snap "$TMP/after"
echo "# UDP: sent $N and 3 END markers; received $got and $ends END ($late after the first END); dropped, by counter:"
d=$(dropped "$TMP/before" "$TMP/after")
echo "# $(body w port/stats | grep endpoint)"
[ $((got + ends + d)) = $((N + 3)) ] ||
	fail "$((N + 3)) datagrams sent, $((got + ends)) received and $d counted dropped"
[ "$(swstat w tx_full)" -gt "$b_f" ] || fail "the sending socket was never full with UDP"
pass "every datagram delivered or counted ($got delivered, $d dropped)"
stop_sw w
