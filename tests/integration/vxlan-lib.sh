# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/vxlan-lib.sh - helpers for t-vxlan-*.sh (sourced after
# env.sh and tap-lib.sh): an underlay of namespaces, kernel VTEPs, ours.
#
#   underlay NS1 IF1 NS2 IF2 N   veth IF1 (in NS1) <-> IF2 (in NS2), MTU 1600,
#                                10.99.0.N / fd99::N on IF1, .N+1 / ::N+1 on IF2
#   kernel_vtep NS DEV ARGS...   ip link add vxlan0 type vxlan id 42 ARGS..., MTU 1500,
#                                in a bridge br0 of NS with host veth DEV
#   host_ns HOST NS PORTIF ADDR  namespace HOST with veth "eth0" ADDR/24 whose
#                                peer PORTIF is in NS
#   our_vtep NAME NS VNL SW      vde_plug VNL SW in NS, VDEPLUG_STATS=$TMP/NAME.stats
#   stop_vtep NAME               SIGTERM it, wait, its stats line in $TMP/NAME.stats
#   stat NAME KEY                a counter from the stats line
#   tcp_check FROM TO ADDR TAG   4 MiB TCP FROM -> ADDR (in TO), compared byte for byte
#   overlay_check TAG NET        h2 -> h1 (192.168.NET.1, fdNET::1): ARP, ping, IPv6
#                                ping; tcp_check both ways (h2 is 192.168.NET.2)
#   sw_vtep NAME NS VNL HOST ADDR  vde_switch --vxlan VNL -t tap0 in NS (needs
#                                switch-common.sh), tap0 moved to HOST with ADDR/24
#   kernel_and_switch NET SW     namespaces k (kernel VTEP 10.99.0.1 in br0 with
#                                host h1 = 192.168.NET.1, checksums computed)
#                                and o (switch SW: vde_switch --vxlan, its tap0
#                                in h2 = 192.168.NET.2), underlay uk/uo; h2 pings h1
#   stop_sw NAME                 SIGTERM it; it must exit 0
#   swstat NAME KEY              a counter of its VXLAN endpoint (port/stats)
#   bad_send NS DST OUT TAG      each of $BAD_CASES then a good packet, NS -> DST:4789;
#                                waits for each good one in records file OUT; NGOOD
#   bad_check TAG GETTER         the drop counters after bad_send (GETTER KEY reads one)
#   bad_out TAG OUT              OUT holds exactly the NGOOD good frames

underlay() {
	local n1=$1 i1=$2 n2=$3 i2=$4 a=$5
	ipn "$n1" link add "$i1" mtu 1600 type veth peer name "$i2" netns "$ID-$n2" mtu 1600 ||
		fail "veth $i1/$i2"
	ipn "$n1" addr add "10.99.0.$a/24" dev "$i1"
	ipn "$n2" addr add "10.99.0.$((a + 1))/24" dev "$i2"
	ipn "$n1" addr add "fd99::$a/64" dev "$i1" nodad
	ipn "$n2" addr add "fd99::$((a + 1))/64" dev "$i2" nodad
	ipn "$n1" link set "$i1" up
	ipn "$n2" link set "$i2" up
}

host_ns() {
	local h=$1 ns=$2 pif=$3 addr=$4
	mkns "$h"
	ipn "$ns" link add "$pif" type veth peer name eth0 netns "$ID-$h" || fail "veth $pif"
	ipn "$h" addr add "$addr/24" dev eth0
	ipn "$h" link set eth0 up
	ipn "$ns" link set "$pif" up
}

kernel_vtep() {
	local ns=$1 dev=$2; shift 2
	ipn "$ns" link del vxlan0 2>/dev/null
	ipn "$ns" link add vxlan0 type vxlan id 42 "$@" || fail "kernel vxlan in $ns: $*"
	ipn "$ns" link set vxlan0 mtu 1500
	if ! ipn "$ns" link show br0 >/dev/null 2>&1; then
		ipn "$ns" link add br0 type bridge || fail "bridge"
		ipn "$ns" link set br0 up
		ipn "$ns" link set "$dev" master br0
	fi
	ipn "$ns" link set vxlan0 master br0
	ipn "$ns" link set vxlan0 up
}

our_vtep() {
	local name=$1 ns=$2 vnl=$3 sw=$4
	rm -f "$TMP/$name.stats"
	spawn "$name.log" env VDEPLUG_STATS="$TMP/$name.stats" ip netns exec "$ID-$ns" \
		vde_plug "$vnl" "$sw"
	eval "VTEP_$name=$LASTPID"
	wait_for eval "n $ns ss -Huan | grep -q ':${VXPORT:-4789} '" ||
		fail "vde_plug $vnl did not bind: $(cat "$TMP/$name.log")"
}

stop_vtep() {
	local pid
	eval "pid=\$VTEP_$1"
	kill -TERM "$pid" 2>/dev/null
	wait_gone "$pid"
	wait_for test -s "$TMP/$1.stats" || fail "$1: no stats line: $(cat "$TMP/$1.log")"
	echo "# $1: $(cat "$TMP/$1.stats")"
}

stat() {
	sed -n "s/.* $2=\([0-9]*\).*/\1/p" "$TMP/$1.stats" | tail -n 1
}

tcp_check() {
	local from=$1 to=$2 addr=$3 tag=$4 prx
	[ -f "$TMP/data" ] || head -c 4194304 /dev/urandom >"$TMP/data"
	rm -f "$TMP/recv"
	spawn "rx-$tag.log" n "$to" socat -u TCP6-LISTEN:5001,reuseaddr,ipv6only=0 \
		OPEN:"$TMP/recv",creat,trunc
	prx=$LASTPID
	WAIT_SECS=10 wait_for eval "n $to ss -ltn | grep -q ':5001 '" || fail "socat did not listen"
	timeout 60 ip netns exec "$ID-$from" socat -u OPEN:"$TMP/data" "TCP:$addr:5001" 2>"$TMP/tx-$tag.log" ||
		fail "$tag: TCP send failed"
	wait_gone "$prx"
	[ "$RC" = 0 ] || fail "$tag: socat receiver exited $RC"
	cmp -s "$TMP/data" "$TMP/recv" || fail "$tag: TCP payload differs"
}

# csum_off NS IF: turn off transmit checksum offload on IF (ethtool -K IF
# tx off, through the ioctl: ethtool is not installed everywhere). On one
# machine a kernel VTEP hands our UDP socket frames whose inner TCP/UDP
# checksum is still left to an offload that no NIC will do (veth); a real
# NIC between hosts fills it in. See CAVEATS in vde_vxlan(7).
csum_off() {
	ip netns exec "$ID-$1" python3 - "$2" <<'PY' || fail "tx checksum off on $1/$2"
import ctypes, fcntl, socket, struct, sys
ETHTOOL_STXCSUM, SIOCETHTOOL = 0x17, 0x8946
val = ctypes.create_string_buffer(struct.pack("II", ETHTOOL_STXCSUM, 0))
ifr = struct.pack("16sP", sys.argv[1].encode(), ctypes.addressof(val)) + bytes(16)
fcntl.ioctl(socket.socket(), SIOCETHTOOL, ifr)
PY
}

# listen_frames NS IF TAG: count test frames tagged TAG on IF (in NS) until
# the end marker; result in $TMP/TAG.IF.NS (progress in ...part)
FRAMES="python3 $top_srcdir/tests/integration/vxlan-frames.py"
listen_frames() {
	local f=$TMP/$3.$2.$1
	rm -f "$f" "$f.part" "$f.ready"
	spawn "listen-$3-$1.log" n "$1" $FRAMES listen "$2" "$3" "$f" "$f.ready"
	wait_for test -e "$f.ready" || fail "listener $1/$2 did not start"
}
# got NS IF TAG: the final count (waits for the end marker)
got() {
	local f=$TMP/$3.$2.$1
	WAIT_SECS=20 wait_for test -s "$f" || fail "no end marker on $1/$2 for $3"
	cat "$f"
}
part() { local f=$TMP/$3.$2.$1.part; [ -s "$f" ] && cat "$f" || echo 0; }
macof() { ipn "$1" -j link show "$2" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])'; }

# tap_host HOST NS SW ADDR: vde_plug2tap on switch SW, started in NS (its
# tap0 appears there), then tap0 moved to a new namespace HOST with ADDR/24
tap_host() {
	spawn "$1.log" n "$2" vde_plug2tap -s "$3" tap0
	mkns "$1"
	WAIT_SECS=10 wait_for ipn "$2" link show tap0 || fail "no tap0 in $2"
	ipn "$2" link set tap0 netns "$ID-$1" || fail "move tap0 to $1"
	tap_up "$1" tap0 "$4"
}

# kernel_and_ours NET: namespaces k (kernel side, host h1 = 192.168.NET.1
# behind bridge port hk, its checksums computed) and o (our switch $TMP/sw,
# host h2 = 192.168.NET.2 on vde_plug2tap), underlay uk/uo as "underlay"
kernel_and_ours() {
	mkns k o
	underlay k uk o uo 1
	host_ns h1 k hk "192.168.$1.1"
	csum_off h1 eth0
	start_sw sw
	tap_host h2 o "$TMP/sw" "192.168.$1.2"
}

# sw_vtep NAME NS VNL HOST ADDR: vde_switch --vxlan VNL -t tap0 in NS, mgmt
# $TMP/NAME.mgmt; its tap0 moved to HOST (created if needed) with ADDR/24
sw_vtep() {
	local name=$1 ns=$2 vnl=$3 host=$4 addr=$5
	rm -f "$TMP/$name.pid"
	spawn "$name.log" ip netns exec "$ID-$ns" "$SWITCH" -s "$TMP/$name" -M "$TMP/$name.mgmt" \
		--nostdin -p "$TMP/$name.pid" --vxlan "$vnl" -t tap0
	eval "SW_$name=$LASTPID"
	WAIT_SECS=10 wait_for test -s "$TMP/$name.pid" ||
		fail "vde_switch --vxlan $vnl did not start: $(cat "$TMP/$name.log")"
	fastpath_check "$TMP/$name"
	ip netns list | awk '{print $1}' | grep -qx "$ID-$host" || mkns "$host"
	ipn "$ns" link set tap0 netns "$ID-$host" || fail "move tap0 to $host"
	tap_up "$host" tap0 "$addr"
}
kernel_and_switch() {
	mkns k o
	underlay k uk o uo 1
	host_ns h1 k hk "192.168.$1.1"
	csum_off h1 eth0
	kernel_vtep k hk local 10.99.0.1 dev uk dstport 4789
	bridge -n "$ID-k" fdb append 00:00:00:00:00:00 dev vxlan0 dst 10.99.0.2 || fail "fdb"
	sw_vtep "$2" o "vxlan://10.99.0.1/vni=42" h2 "192.168.$1.2"
	reach h2 "192.168.$1.1" || fail "no ping h2 -> h1"
}
stop_sw() {
	local pid
	eval "pid=\$SW_$1"
	kill -TERM "$pid" 2>/dev/null
	wait_gone "$pid"
	[ "$RC" = 0 ] || fail "switch $1 exited $RC: $(cat "$TMP/$1.log")"
}
# swstat NAME KEY: a counter of the switch's VXLAN endpoint (port/stats)
swstat() {
	body "$1" port/stats | sed -n "s/.*endpoint ID [0-9]* vxlan:.* $2 \([0-9a-z]*\).*/\1/p" | head -n 1
}

overlay_check() {
	local tag=$1 net=$2
	reach h2 "192.168.$net.1" || fail "$tag: no ping h2 -> h1"
	n h2 ping -c 3 -i 0.2 -W 5 "192.168.$net.1" >"$TMP/ping.out" ||
		fail "$tag: pings lost: $(cat "$TMP/ping.out")"
	WAIT_SECS=20 wait_for n h2 ping -6 -c 1 -W 1 "fd$net::1" ||
		fail "$tag: no IPv6 ping in the overlay"
	tcp_check h2 h1 "192.168.$net.1" "$tag"
	tcp_check h1 h2 "192.168.$net.2" "$tag-back"
}

# the malformed packets of t-vxlan-bad (vxlan-frames.py), each followed by a
# good broadcast frame
BAD_CASES="short noflag resflag resbyte vni runt empty zero big"
REC=$top_srcdir/tests/integration/lib-records.py
nrec() { [ "$(python3 "$REC" count "$1")" -ge "$2" ]; }
bad_send() {
	local ns=$1 dst=$2 out=$3 tag=$4 c
	NGOOD=0
	for c in $BAD_CASES; do
		n "$ns" $FRAMES vxlan "$dst" 4789 "$c" || fail "send $c"
		n "$ns" $FRAMES vxlan "$dst" 4789 good || fail "send good"
		NGOOD=$((NGOOD + 1))
		WAIT_SECS=10 wait_for nrec "$out" $NGOOD ||
			fail "$tag: good packet after '$c' not delivered"
	done
}
bad_check() {
	local tag=$1 get=$2
	[ "$($get drop_short)" = 2 ] || fail "$tag drop_short $($get drop_short), want 2 (short, zero)"
	[ "$($get drop_flags)" = 3 ] || fail "$tag drop_flags $($get drop_flags), want 3"
	[ "$($get drop_vni)" = 1 ] || fail "$tag drop_vni $($get drop_vni)"
	[ "$($get drop_runt)" = 2 ] || fail "$tag drop_runt $($get drop_runt), want 2 (runt, empty)"
	[ "$($get drop_big)" = 1 ] || fail "$tag drop_big $($get drop_big)"
	[ "$($get rx)" = "$NGOOD" ] || fail "$tag rx $($get rx), want $NGOOD"
}
bad_out() {
	local tag=$1 out=$2
	[ "$(python3 "$REC" count "$out")" = "$NGOOD" ] ||
		fail "$tag: $(python3 "$REC" count "$out") frames out, want $NGOOD"
	python3 "$REC" dec "$out" "$out.hex"
	grep -qv '^ffffffffffff02000000ee0188b5626164' "$out.hex" &&
		fail "$tag: a frame that is not the good one came out"
	return 0
}
