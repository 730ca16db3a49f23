#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-tap-offload.sh - vde_plug2tap's tap offloads (lib/common/vnet.c) end to
# end: three namespaces on one hub-mode switch of ours, a and b with
# offloads (the default), c with --no-offload, which also captures every
# frame on the wire (tcpdump on its tap). TCP transfers compared byte for
# byte: a -> b over IPv4, b -> a over IPv6, a <-> c (offload <-> plain),
# a -> b at MTU 9000. Asserts: the network only carried frames of at most
# MTU + 14 bytes with correct IP and TCP checksums; a sent super-frames
# (TSO) whole to the switch, which cut them for c, and b merged segments
# (GRO); c used none. vdecapture on c's port records what c is sent (wire
# frames, correct checksums), on a's port what a sends (its super-frames
# whole, on rings).
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/tap-lib.sh"
need_root
P2T=$(bin vde_plug2tap)
bin vde_switch >/dev/null
command -v tcpdump >/dev/null || fail "tcpdump is needed"
command -v python3 >/dev/null || fail "python3 is needed"

mkns a b c
spawn sw.log vde_switch --nostdin -x -s "$TMP/sw" -p "$TMP/sw.pid" -M "$TMP/sw.mgmt"
wait_for test -s "$TMP/sw.pid" || fail "switch did not start"
fastpath_check "$TMP/sw"
spawn a.log n a "$P2T" -s "$TMP/sw" tap0
PA=$LASTPID
spawn b.log n b "$P2T" -s "$TMP/sw" tap0
PB=$LASTPID
spawn c.log n c "$P2T" --no-offload -s "$TMP/sw" tap0
PC=$LASTPID
tap_up a tap0 10.79.0.1
tap_up b tap0 10.79.0.2
tap_up c tap0 10.79.0.3
ipn a addr add fd79::1/64 dev tap0 nodad || fail "v6 a"
ipn b addr add fd79::2/64 dev tap0 nodad || fail "v6 b"
reach a 10.79.0.2 || fail "no ping a -> b"
reach a 10.79.0.3 || fail "no ping a -> c"
reach b fd79::1 || fail "no ping6 b -> a"

# capture: start tcpdump in c and wait until it listens
capture() {
	spawn "cap-$1.log" n c tcpdump -B 65536 -i tap0 -nn -U -w "$TMP/$1.pcap" tcp
	CAP=$LASTPID
	WAIT_SECS=10 wait_for grep -q "listening on" "$TMP/cap-$1.log" || fail "tcpdump did not start"
}
capture_end() {
	kill -TERM "$CAP"	# background jobs ignore SIGINT
	wait_gone "$CAP"
}

# check_pcap FILE MAXLEN: more than 100 frames, all <= MAXLEN bytes, all
# checksums correct; the summary in $TMP/pcap.out
check_pcap() {
	python3 "$top_srcdir/tests/integration/pcap-check.py" "$1" "$2" >"$TMP/pcap.out" ||
		fail "capture $1: $(cat "$TMP/pcap.out")"
}

# port_of PID: the switch port of the endpoint of process PID (spawn's PID
# is the shell running `n`; vde_plug2tap is its child)
port_of() {
	local pids
	pids=$(cat /proc/"$1"/task/*/children 2>/dev/null | tr -s ' ' '|')
	printf 'port/print\n' | socat -t 1 - "UNIX-CONNECT:$TMP/sw.mgmt" 2>/dev/null |
		awk -v re="PID=($1|${pids%|})\$" '/^Port /{p = $2 + 0} $0 ~ re {print p; exit}'
}
# vdecapture on the ports of a and c, in the switch's own pcap format
vcap() {
	local port
	port=$(port_of "$2")
	[ -n "$port" ] || fail "no port for $1 (pid $2)"
	spawn "vcap-$1.log" "$(bin vdecapture)" -i "$port" -w "$TMP/vcap-$1.pcap" "$TMP/sw"
	VCAP[$1]=$LASTPID
	wait_for grep -q "listening on" "$TMP/vcap-$1.log" || fail "vdecapture $1 did not start"
}
declare -A VCAP=()
vcap a "$PA"
vcap c "$PC"

capture mtu1500
xfer a b 10.79.0.2 5101 4194304
xfer b a fd79::1 5102 4194304
xfer a c 10.79.0.3 5103 2097152
xfer c a 10.79.0.1 5104 2097152
capture_end
pass "TCP intact: a -> b (v4), b -> a (v6), a <-> c (offload <-> plain)"
check_pcap "$TMP/mtu1500.pcap" 1514
pass "MTU 1500 on the wire: $(cat "$TMP/pcap.out")"
for h in a c; do
	kill -TERM "${VCAP[$h]}"
	wait_gone "${VCAP[$h]}"
done
check_pcap "$TMP/vcap-c.pcap" 1514
pass "vdecapture on c's port: what c was sent, $(cat "$TMP/pcap.out")"
python3 "$top_srcdir/tests/integration/pcap-check.py" "$TMP/vcap-a.pcap" 65535 >"$TMP/pcap.out" ||
	true	# the checksums of a super-frame are the offload's to finish
longest=$(sed -n 's/.*longest \([0-9]*\) bytes.*/\1/p' "$TMP/pcap.out")
if [ "${VDEPLUG_FASTPATH-}" = 0 ]; then
	[ "${longest:-0}" -le 1514 ] || fail "a on datagrams sent $longest-byte frames: $(cat "$TMP/pcap.out")"
	pass "vdecapture on a's port (datagrams: the library cuts): longest $longest bytes"
else
	[ "${longest:-0}" -gt 1514 ] || fail "a's super-frames were not captured whole: $(cat "$TMP/pcap.out")"
	pass "vdecapture on a's port: its super-frames whole, longest $longest bytes"
fi

for h in a b c; do ipn $h link set tap0 mtu 9000 || fail "mtu $h"; done
WAIT_SECS=20 wait_for n a ping -c 1 -W 1 -M do -s 8972 10.79.0.2 || fail "no 8972-byte ping"
capture mtu9000
xfer a b 10.79.0.2 5105 4194304
capture_end
pass "TCP intact at MTU 9000"
check_pcap "$TMP/mtu9000.pcap" 9014
pass "MTU 9000 on the wire: $(cat "$TMP/pcap.out")"

for h in a b c; do ipn $h link del tap0 || fail "link del $h"; done
wait_gone "$PA"
wait_gone "$PB"
wait_gone "$PC"
# super-frames go to the switch whole (rings with VNET, t-tap-ring-vnet.sh):
# the switch cut them for c; b merged the wire frames c sent
whole=$(sed -n 's/.*, \([0-9]*\) sent whole.*/\1/p' "$TMP/a.log")
merged=$(sed -n 's/.*; offloads: [0-9]* super-frames cut, \([0-9]*\) merged.*/\1/p' "$TMP/b.log")
[ "${whole:-0}" -gt 0 ] || fail "a sent no super-frames whole: $(cat "$TMP/a.log")"
[ "${merged:-0}" -gt 0 ] || fail "b merged no segments: $(cat "$TMP/b.log")"
grep -q "; no offloads: 0 super-frames cut, 0 merged, 0 sent whole" "$TMP/c.log" ||
	fail "--no-offload: $(cat "$TMP/c.log")"
pass "a sent $whole super-frames whole, b merged $merged runs, c (--no-offload) none"
