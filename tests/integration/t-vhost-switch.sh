#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-vhost-switch.sh - vhost-user ports of vde_switch with the test front end
# playing QEMU (tests/vhost_front): --vhost-user PATH:PORT and vhost/add
# make listening sockets (vhost/print, port/print kind "vhost-user"); two
# guests exchange frames byte for byte; a guest and a datagram client
# (mixed kinds) both ways; a burst larger than the guest's ring arrives
# whole (back-pressure: the sender is paused, nothing dropped); a TSO
# super-frame is cut into wire segments for a datagram client; every
# malformed case disconnects only that guest with its reason logged while
# the other guest keeps exchanging frames; kill -9 of a front end frees
# its port, mappings and fds; vhost/del closes the socket.
TEST_TIMEOUT=${TEST_TIMEOUT:-200}
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/lib-helpers.sh"
. "$top_srcdir/tests/integration/vhost-lib.sh"
FRONT=$(bin vhost_front)
[ -n "$OUR_SWITCH" ] || fail "switch/vde_switch not built"

# in the foreground (log on stderr, kept), console on the mgmt socket
G1=$TMP/g1.sock G2=$TMP/g2.sock
# (in $TMP, for the relative path of vhost/add below)
(cd "$TMP" && exec "$OUR_SWITCH" -s "$TMP/sw" -M "$TMP/sw.mgmt" --nostdin \
	--vhost-user "$G1:3") 2>"$TMP/sw.log" </dev/null &
SW=$!; PIDS+=("$SW")
wait_for sock_ready "$TMP/sw.mgmt" || fail "switch: no mgmt socket: $(cat "$TMP/sw.log")"
fastpath_check "$TMP/sw"
wait_for test -S "$G1" || fail "switch did not listen on $G1"
out=$(mgmt sw "vhost/add $G2")
echo "$out" | grep -q "1000 Success" || fail "vhost/add: $out"
out=$(mgmt sw "vhost/add $G2")
echo "$out" | grep -q "1098 Address already in use" || fail "vhost/add twice: $out"
out=$(mgmt sw "vhost/add $TMP/x.sock 3 junk")
echo "$out" | grep -q "1022 Invalid argument" || fail "vhost/add junk: $out"
# PORT is a console number as everywhere (parse_num): no sign, hex allowed
out=$(mgmt sw "vhost/add $TMP/y.sock +5")
echo "$out" | grep -q "1022 Invalid argument" || fail "vhost/add PATH +5: $out"
out=$(mgmt sw "vhost/add $TMP/y.sock 0x5")
echo "$out" | grep -q "1000 Success" || fail "vhost/add PATH 0x5: $out"
out=$(mgmt sw vhost/print)
echo "$out" | grep -qF "vhost-user $G1 port 3 no guest" || fail "vhost/print: $out"
echo "$out" | grep -qF "vhost-user $G2 port any no guest" || fail "vhost/print: $out"
# a relative path names the same socket for vhost/add, vhost/print and
# vhost/del (del looked the relative name up among absolute ones: 1002)
out=$(mgmt sw "vhost/add rel.sock")
echo "$out" | grep -q "1000 Success" || fail "vhost/add rel.sock: $out"
test -S "$TMP/rel.sock" || fail "no socket $TMP/rel.sock"
mgmt sw vhost/print | grep -qF "vhost-user $TMP/rel.sock port any" || fail "vhost/print rel.sock"
out=$(mgmt sw "vhost/del rel.sock")
echo "$out" | grep -q "1000 Success" || fail "vhost/del rel.sock: $out"
test ! -e "$TMP/rel.sock" || fail "vhost/del left $TMP/rel.sock"
pass "--vhost-user PATH:PORT and vhost/add listen; vhost/print lists both; bad arguments refused; a relative path"

# guest 2 receives while guest 1 sends: 300 frames byte for byte
front_rx rx2 "$G2" -r 300 -t 30
F2=$FRONTPID
out=$(mgmt sw port/print)
echo "$out" | grep -qE "endpoint ID [0-9]+ module vhost-user +: $G2" ||
	fail "port/print has no vhost-user endpoint: $out"
"$FRONT" -n 300 -l 60 -S 3 -o "$TMP/sent1" -t 30 "$G1" || fail "guest 1 send"
wait $F2 || fail "guest 2 receive: $(cat "$TMP/rx2.log")"
same "$TMP/sent1" "$TMP/rx2.out" "guest 1 -> guest 2"
pass "300 frames guest -> guest over two vhost-user ports; port/print kind vhost-user"

# mixed kinds: guest -> datagram client, client -> guest (1400 bytes)
client c1 -r 100 -t 20 "$TMP/sw"
"$FRONT" -n 100 -l 1400 -S 4 -o "$TMP/sent3" -t 20 "$G1" || fail "guest 1 send"
finish c1
same "$TMP/sent3" "$TMP/c1.out" "guest -> datagram client"
front_rx rx4 "$G2" -r 100 -t 30
F4=$FRONTPID
"$CLIENT" -n 100 -l 1400 -S 5 -o "$TMP/sent4" "$TMP/sw" >/dev/null || fail "client send"
wait $F4 || fail "guest 2 receive: $(cat "$TMP/rx4.log")"
same "$TMP/sent4" "$TMP/rx4.out" "datagram client -> guest"
pass "100 frames of 1400 bytes each way between a vhost-user port and a datagram client"

# VLAN and mirroring apply to a vhost-user port as to any: port 3 (guest
# 1) on VLAN 10 reaches port 8 (VLAN 10), not port 7 (VLAN 0); monitor
# port 9 gets a copy of what port 3 sends
for c in "vlan/create 10" "port/create 8" "port/setvlan 8 10" "port/setvlan 3 10" \
	"port/create 9" "port/setmirror 9 3"; do
	mgmt sw "$c" | grep -q "1000 Success" || fail "$c"
done
client c7 -p 7 -r 1000 -t 60 "$TMP/sw"
client c8 -p 8 -r 10 -t 20 "$TMP/sw"
client c9 -p 9 -r 10 -t 20 "$TMP/sw"
"$FRONT" -n 10 -l 80 -S 12 -o "$TMP/sent12" -t 20 "$G1" || fail "guest 1 send"
finish c8
finish c9
same "$TMP/sent12" "$TMP/c8.out" "guest on VLAN 10 -> port on VLAN 10"
same "$TMP/sent12" "$TMP/c9.out" "mirror of port 3"
out=$(mgmt sw "port/print 7")
echo "$out" | grep -qE "OUT: pkts +0 " || fail "port 7 (VLAN 0) got frames of VLAN 10: $out"
kill "${CPID[c7]}"
for c in "port/delmirror 9" "port/setvlan 3 0"; do
	mgmt sw "$c" | grep -q "1000 Success" || fail "$c"
done
pass "vhost-user port on VLAN 10: reaches VLAN 10 only; a monitor port mirrors it"

# back-pressure: 3000 frames back to back into a 256-entry receive ring
front_rx rx5 "$G2" -r 3000 -t 60
F5=$FRONTPID
"$FRONT" -n 3000 -l 200 -S 6 -o "$TMP/sent5" -t 60 "$G1" || fail "guest 1 send"
wait $F5 || fail "guest 2 got $(wc -l <"$TMP/rx5.out") of 3000: $(cat "$TMP/rx5.log")"
same "$TMP/sent5" "$TMP/rx5.out" "burst guest -> guest"
pass "3000 frames back to back guest -> guest (ring of 256): none lost, back-pressure"

# TSO super-frame from a guest: cut into 20 wire segments for a client
tso_cut "$G1"
pass "TSO super-frame of 20054 bytes from a guest: 20 wire segments, checksums and payload right"

# guest -> guest: whole to a guest that takes TSO (-G), with its header;
# cut into the same 20 segments for one that does not
front_rx rx9 "$G2" -G -r 2 -t 20
F9=$FRONTPID
"$FRONT" -T -l 20054 -S 9 -t 20 "$G1" || fail "front end TSO"
# copied once, straight from guest 1's memory (its endpoint's counter,
# while guest 2 is still there)
direct_ok() { mgmt sw port/stats | grep -qE " direct 1( |$)"; }
wait_for direct_ok || fail "super-frame guest -> guest not copied straight: $(mgmt sw port/stats)"
"$FRONT" -T -l 20054 -S 9 -t 20 "$G1" || fail "front end TSO"
wait $F9 || fail "guest 2 receive: $(cat "$TMP/rx9.log")"
read -r fl gso mss hex <"$TMP/rx9.out"
[ "$fl $gso $mss" = "flags=1 gso=1 mss=1000" ] || fail "super-frame header: $fl $gso $mss"
[ "${#hex}" = $((2 * 20054)) ] || fail "super-frame of $((${#hex} / 2)) bytes, not 20054"
# its payload, byte j = j * 13 + seed (vhost_front -T): from guest 1's
# memory, not a stale byte of the switch's buffers
want=$(python3 -c 'import sys; sys.stdout.write(bytes((j * 13 + 9) & 255 for j in range(20000)).hex())')
[ "${hex:108}" = "$want" ] || fail "super-frame payload guest -> guest differs from what guest 1 sent"
front_rx rx10 "$G2" -r 20 -t 20
F10=$FRONTPID
"$FRONT" -T -l 20054 -S 9 -t 20 "$G1" || fail "front end TSO"
wait $F10 || fail "guest 2 (no offloads) receive: $(cat "$TMP/rx10.log")"
cmp -s "$TMP/tso.out" "$TMP/rx10.out" || fail "segments for a guest without TSO differ from a client's"
out=$(mgmt sw port/stats)
echo "$out" | grep -qE "offload super in [1-9]" || fail "no super-frame counted in port/stats: $out"
pass "TSO super-frame guest -> guest: whole (20054 bytes, NEEDS_CSUM, TCPV4, MSS 1000, payload right, copied once) to a TSO guest, the same 20 segments to one without"

# 20 super-frames of 65535 bytes back to back into a ring that holds 8:
# those that wait are queued from guest 1's memory; every payload right
front_rx rx11 "$G2" -G -r 20 -t 60
F11=$FRONTPID
"$FRONT" -T -B -n 20 -l 65535 -S 9 -t 60 "$G1" >/dev/null || fail "front end TSO burst"
wait $F11 || fail "guest 2 receive: $(cat "$TMP/rx11.log")"
want=$(python3 -c 'import sys; sys.stdout.write(bytes((j * 13 + 9) & 255 for j in range(65535 - 54)).hex())')
n=0
while read -r fl gso mss hex; do
	[ "$fl $gso ${hex:108}" = "flags=1 gso=1 $want" ] || fail "super-frame $n of the burst differs from what guest 1 sent"
	n=$((n + 1))
done <"$TMP/rx11.out"
[ "$n" = 20 ] || fail "guest 2 got $n of 20 super-frames"
pass "20 super-frames of 65535 bytes back to back guest -> guest (some queued): all whole, payload right"

# malformed guests on port 3: each only loses its connection; guest 2
# (a live connection all along) keeps receiving from a datagram client
front_rx rx6 "$G2" -r 1000000 -t 120
F6=$FRONTPID
newlog() { tail -n +$(($1 + 1)) "$TMP/sw.log" | grep -qF "port 3: guest disconnected: $2"; }
k=0
for c in "${!VHOST_WHY[@]}"; do
	n0=$(wc -l <"$TMP/sw.log")
	out=$("$FRONT" -E "$c" -t 10 "$G1" 2>&1) || fail "case $c: $out"
	wait_for newlog "$n0" "${VHOST_WHY[$c]}" || fail "case $c: no log line '${VHOST_WHY[$c]}'"
	k=$((k + 1))
	"$CLIENT" -n 5 -l 100 -S $((20 + k)) "$TMP/sw" >/dev/null || fail "client send"
	wait_for nlines "$TMP/rx6.out" $((5 * k)) || fail "guest 2 stopped receiving after case $c"
done
kill -0 $SW || fail "switch died"
pass "${#VHOST_WHY[@]} malformed cases: that guest disconnected with the reason logged, the other one kept receiving"

# a front end that sends half a message and then stalls or hangs up: its
# connection closed and port 3 freed within HALF_MS (the switch never waits
# for the rest), the switch goes on forwarding for guest 2
HALF_MS=3000
noep() { ! mgmt sw port/print | grep -qF ": $G1"; }
half() {
	local tag=$1 bytes=$2 then=$3 why=$4 n0 t0 res
	n0=$(wc -l <"$TMP/sw.log")
	rm -f "$TMP/half.done"
	python3 - "$G1" "$TMP/half.done" "$bytes" "$then" <<'EOS' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
t0 = time.monotonic()
s.send(bytes.fromhex(sys.argv[3]))
if sys.argv[4] == "close":
    s.close()
    open(sys.argv[2], "w").write("closed 0")
    sys.exit(0)
s.settimeout(20)
try:
    closed = s.recv(1) == b""
except OSError:
    closed = False
ms = int((time.monotonic() - t0) * 1000)
open(sys.argv[2], "w").write("%s %d" % ("closed" if closed else "open", ms))
EOS
	HP=$!; PIDS+=("$HP")
	t0=$(date +%s%N)
	WAIT_SECS=25 wait_for test -s "$TMP/half.done" || fail "$tag: no answer from the test front end"
	read -r res ms <"$TMP/half.done"
	[ "$res" = closed ] || fail "$tag: connection not closed in 20 s"
	[ "$ms" -le $HALF_MS ] || fail "$tag: closed after $ms ms, want <= $HALF_MS"
	WAIT_SECS=25 wait_for noep || fail "$tag: port 3 still has the endpoint"
	t0=$((($(date +%s%N) - t0) / 1000000))
	[ "$t0" -le $((HALF_MS + 2000)) ] || fail "$tag: port 3 freed after $t0 ms"
	newlog "$n0" "$why" || fail "$tag: no log line '$why'"
	k=$((k + 1))
	"$CLIENT" -n 5 -l 100 -S $((40 + k)) "$TMP/sw" >/dev/null || fail "$tag: client send"
	wait_for nlines "$TMP/rx6.out" $((5 * k)) || fail "$tag: guest 2 stopped receiving"
	echo "# $tag: closed after $ms ms, port 3 free after $t0 ms"
}
# 5 of the 12 header bytes; a whole header (GET_FEATURES, 8-byte payload
# announced) with 3 of them; then silence or a hang-up
half "half a header, stall" 0100000001 stall "truncated message header"
half "header, half a payload, stall" 010000000100000008000000aabbcc stall \
	"truncated message payload"
half "half a header, hang-up" 0100000001 close "truncated message header"
kill -0 $SW || fail "switch died"
pass "half a message from a front end, then a stall or a hang-up: closed and port freed within $HALF_MS ms, reason logged, forwarding goes on"

# a guest that stops reading (its 256 receive buffers used up, never
# reposted) only loses its own frames: guest 2 gets all 1500
front_rx stuck "$G1" -t 60 -H "$TMP/never"
F11=$FRONTPID
for b in $(seq 0 14); do
	"$CLIENT" -n 100 -l 100 -S $((50 + b)) "$TMP/sw" >/dev/null || fail "client send"
	WAIT_SECS=15 wait_for nlines "$TMP/rx6.out" $((5 * k + 100 * b + 100)) ||
		fail "guest 2 got $(($(wc -l <"$TMP/rx6.out") - 5 * k)) of $((100 * b + 100)) with a stuck guest"
done
out=$(mgmt sw port/stats 3)
echo "$out" | grep -qE "qfull [1-9]" || fail "no queue-full drops counted on the stuck guest's port: $out"
kill $F11
wait_for noep || fail "the stuck guest's endpoint is still on port 3"
pass "a guest that stops reading loses its own frames (qfull on port 3), the other guest got 1500 of 1500"

# kill -9 of a front end: port, mappings and fds released
nfd() { ls /proc/$SW/fd | wc -l; }
nmap() { grep -c memfd:guest /proc/$SW/maps; }
base=$(nfd) basemap=$(nmap)
more_mapped() { [ "$(nmap)" -gt "$basemap" ]; }
maps_back() { [ "$(nmap)" = "$basemap" ]; }
fds_back() { [ "$(nfd)" = "$base" ]; }
"$FRONT" -r 1000000 -t 60 -H "$TMP/never" "$G1" >/dev/null 2>&1 &
F7=$!; PIDS+=("$F7")
wait_for more_mapped || fail "guest memory not mapped"
[ "$(nfd)" -gt "$base" ] || fail "no fds held for the guest"
mgmt sw port/print | grep -qF ": $G1" || fail "port 3 has no endpoint"
kill -9 $F7
wait_for maps_back || fail "guest memory still mapped after kill -9"
wait_for fds_back || fail "fds not released: $(nfd) vs $base"
wait_for noep || fail "endpoint still on port 3"
client c8 -r 10 -t 20 "$TMP/sw"
"$FRONT" -n 10 -l 100 -S 7 -o "$TMP/sent8" -t 20 "$G1" || fail "front end after kill -9"
finish c8
same "$TMP/sent8" "$TMP/c8.out" "after kill -9"
pass "front end killed with -9: endpoint, mappings and fds released ($base fds), the next one works"

# a second front end on a busy socket is refused; vhost/del ends both
out=$("$FRONT" -n 1 -t 5 "$G2" 2>&1) && fail "second front end accepted"
grep -q "refused a second front end" "$TMP/sw.log" || fail "no log line for the second front end"
out=$(mgmt sw "vhost/del $G2")
echo "$out" | grep -q "1000 Success" || fail "vhost/del: $out"
wait $F6 && fail "guest 2 still served after vhost/del"
test -e "$G2" && fail "socket $G2 not removed"
out=$(mgmt sw "vhost/del $G2")
echo "$out" | grep -q "1002 No such file or directory" || fail "vhost/del twice: $out"
pass "second front end refused; vhost/del disconnects the guest and removes the socket"

# no port for a guest (a switch of one port, a datagram client on it): the
# guest is refused with the reason logged and nothing of it kept (fds); it
# gets the port once the client is gone
G3=$TMP/g3.sock
"$OUR_SWITCH" -s "$TMP/sw3" -M "$TMP/sw3.mgmt" --nostdin -n 1 --vhost-user "$G3" \
	2>"$TMP/sw3.log" </dev/null &
SW3=$!; PIDS+=("$SW3")
wait_for test -S "$G3" || fail "switch 3 did not listen on $G3: $(cat "$TMP/sw3.log")"
client c31 -r 1000 -t 60 "$TMP/sw3"
nfd3() { ls /proc/$SW3/fd | wc -l; }
base3=$(nfd3)
out=$("$FRONT" -n 1 -t 5 "$G3" 2>&1) && fail "a guest got a port of a full switch"
grep -qF "vhost-user $G3: cannot take the guest: No such device or address (no free port)" \
	"$TMP/sw3.log" || fail "no log line for the refused guest: $(cat "$TMP/sw3.log")"
fds3_back() { [ "$(nfd3)" = "$base3" ]; }
wait_for fds3_back || fail "fds of the refused guest kept: $(nfd3) vs $base3"
mgmt sw3 vhost/print | grep -qF "vhost-user $G3 port any no guest" ||
	fail "vhost/print after the refused guest: $(mgmt sw3 vhost/print)"
kill "${CPID[c31]}"
noep3() { ! mgmt sw3 port/print | grep -q "endpoint ID"; }
wait_for noep3 || fail "the client's endpoint is still on port 1"
"$FRONT" -n 1 -t 10 "$G3" || fail "guest on the freed port"
grep -qF "vhost-user $G3: guest connected on port 1" "$TMP/sw3.log" ||
	fail "no log line for the guest on port 1: $(cat "$TMP/sw3.log")"
kill $SW3
wait $SW3
pass "no free port: the guest refused (reason logged, its fds closed), the listener takes the next one"

kill $SW
wait $SW
test -e "$G1" && fail "socket $G1 not removed at exit"
pass "switch exit removes the vhost-user sockets"

# a relative PATH with -d (which changes directory): made absolute, so the
# socket is where it was asked for and is removed at exit
(cd "$TMP" && "$OUR_SWITCH" -d -s "$TMP/sw2" -p "$TMP/sw2.pid" -M "$TMP/sw2.mgmt" \
	--vhost-user rel.sock:4) || fail "switch -d --vhost-user rel.sock:4"
wait_for test -s "$TMP/sw2.pid" || fail "switch 2: no pid file"
PIDS+=("$(cat "$TMP/sw2.pid")")
wait_for sock_ready "$TMP/sw2.mgmt" || fail "switch 2: no mgmt socket"
mgmt sw2 vhost/print | grep -qF "vhost-user $TMP/rel.sock port 4 no guest" ||
	fail "relative path: $(mgmt sw2 vhost/print)"
kill "$(cat "$TMP/sw2.pid")"
wait_for test ! -e "$TMP/rel.sock" || fail "relative socket not removed at exit"
pass "a relative --vhost-user path under -d: listened on and removed at exit as $TMP/rel.sock"
