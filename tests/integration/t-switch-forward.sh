#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-switch-forward.sh - forwarding: flooding, learning (unicast to one port
# only), no reflection between sibling endpoints, 9000-byte frames intact,
# runts and empty datagrams dropped and counted, eager aging without traffic, hub mode (port 0
# excluded), -n numbering, bursts absorbed by the transmit queue.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/switch-common.sh"

A=02:00:00:00:00:0a B=02:00:00:00:00:0b C=02:00:00:00:00:0c
BC=ff:ff:ff:ff:ff:ff MC=01:00:5e:00:00:01 U=02:00:00:00:00:99

start_switch sw
probe_hold sw fwd forwarding <<EOF2
open a 0
open b 0
open c 0
open a2 1
port a 1
port a2 1
# broadcast from a: b and c get it, a's sibling a2 does not
send a $BC $A 60 1
expect b $A 60 1
expect c $A 60 1
none a2 200
# unicast to a (learned on port 1): only port 1's endpoints
send b $A $B 100 2
expect a $B 100 2
expect a2 $B 100 2
none c 200
# unicast to b (learned): only b
send a $B $A 64 3
expect b $A 64 3
none c 200
none a2 100
# unknown unicast and multicast flood
send c $U $C 70 4
expect a $C 70 4
expect a2 $C 70 4
expect b $C 70 4
send c $MC $C 71 5
expect a $C 71 5
expect a2 $C 71 5
expect b $C 71 5
# a multicast source is never learned: a frame to it floods
send b $MC $B 60 6
expect a $B 60 6
expect a2 $B 60 6
expect c $B 60 6
send c $MC $C 60 7
expect a $C 60 7
expect a2 $C 60 7
expect b $C 60 7
# jumbo frames are delivered intact (payload checked byte by byte)
send a $B $A 9000 8
expect b $A 9000 8
send a $BC $A 9234 9
expect b $A 9234 9
expect c $A 9234 9
# runts (< 14 bytes) dropped
sendhex a ffffffffffff0200000000
sendhex a ffffffffffff02000000000a08
none b 200
# zero-length datagrams: nothing forwarded, counted (empty in port/stats)
sendempty a
sendempty a
sendempty a
none b 200
# a 14-byte frame (header only) is forwarded
send a $BC $A 14
expect b $A 14
expect c $A 14
# port 0 is a normal port for data in switch mode
open z 0 port0
port z 0
send a $BC $A 60 10
expect z $A 60 10
expect b $A 60 10
expect c $A 60 10
# 802.1Q (as VDE 2): a tag for a VLAN the port is not in is dropped; VLAN 0
# is the ports' untagged VLAN, so its tag is stripped for untagged members
sendhex a ffffffffffff02000000000a8100000588b5000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d
none b 300
sendhex a ffffffffffff02000000000a8100e00088b5000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d
expecthex b ffffffffffff02000000000a88b5000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d
expecthex c ffffffffffff02000000000a88b5000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d
none a2 100
EOF2

S=$(body sw port/stats)
echo "$S" | grep -q 'drops runt 2 ' || fail "runts not counted: $S"
echo "$S" | grep -q ' vlan 1 ' || fail "VLAN drop not counted: $S"
echo "$S" | grep -Eq '^Port 0001 .* drop runt 2 ' || fail "per-port runts: $S"
echo "$S" | grep -Eq '^drops .* empty 3$' || fail "empty datagrams not counted: $S"
echo "$S" | grep -Eq '^Port 0001 .* empty 3$' || fail "per-port empty datagrams: $S"
H=$(body sw hash/print)
echo "$H" | grep -Eq "Addr: $A VLAN 0000 to port: 001 " || fail "hash/print: $H"
echo "$H" | grep -q "$MC" && fail "multicast source learned: $H"
F=$(body sw "hash/find $B")
echo "$F" | grep -Eq "Addr: $B VLAN 0000 to port: 002 " || fail "hash/find must print the true port: $F"
[ "$(status sw "hash/find $U")" = "1019 No such device" ] || fail "hash/find unknown"
probe_release fwd "forwarding probe"

# eager aging: entries vanish without any traffic
[ "$(status sw 'hash/setexpire 1')" = "1000 Success" ] || fail setexpire
[ "$(status sw 'hash/setgcint 1')" = "1000 Success" ] || fail setgcint
probe sw > "$TMP/aging.out" 2>&1 <<EOF2 &
open p 0
open q 0
send p $BC 02:00:00:00:01:01 60
expect q 02:00:00:00:01:01 60
touch $TMP/learned
wait $TMP/aged
# after aging, a frame to p floods again: both p and the new r get it
open r 0
send q 02:00:00:00:01:01 02:00:00:00:01:02 60
expect p 02:00:00:00:01:02 60
expect r 02:00:00:00:01:02 60
EOF2
AP=$!
PIDS+=($AP)
WAIT_SECS=30 wait_for test -e "$TMP/learned" || fail "aging probe: $(cat "$TMP/aging.out")"
body sw hash/print | grep -q 02:00:00:00:01:01 || fail "not learned"
WAIT_SECS=8 wait_for sh -c "! printf 'hash/print\nlogout\n' | socat - UNIX-CONNECT:$TMP/sw.mgmt | grep -q 02:00:00:00:01:01" ||
	fail "entry not aged out without traffic: $(body sw hash/print)"
touch "$TMP/aged"
wait "$AP" || fail "after aging: $(cat "$TMP/aging.out")"
[ "$(status sw 'hash/setexpire 100')" = "1000 Success" ] || fail setexpire

# bursts: 1000 frames sent back to back to a receiver that is not reading
# yet are queued by the switch, not dropped
probe sw <<EOF2 || fail "burst: $(body sw port/stats)"
open s 0
open t 0
send t $BC $B 60
send s $B $A 60
expect t $A 60
burst s $B $A 200 1000
sleep 300
recvcount t 1000 5000
EOF2
body sw port/stats | grep -q 'qfull 0 ' || fail "queue overflowed: $(body sw port/stats)"
# back-pressure: a live but slow receiver gets every frame of a long blast
# (the sender is slowed down instead of frames being dropped)
[ "$(status sw 'port/resetcounter')" = "1000 Success" ] || fail resetcounter
probe sw >"$TMP/bp-rx.out" 2>&1 <<EOF2 &
open r 0
send r $BC 02:00:00:00:02:02 60
touch $TMP/bp-ready
recvslow r 20000 200 2000
EOF2
RP=$!
PIDS+=($RP)
WAIT_SECS=30 wait_for test -e "$TMP/bp-ready" || fail "back-pressure receiver"
probe sw >"$TMP/bp-tx.out" 2>&1 <<EOF2 || fail "back-pressure sender: $(cat "$TMP/bp-tx.out")"
open s 0
burst s 02:00:00:00:02:02 02:00:00:00:02:01 1514 20000
EOF2
wait "$RP" || fail "back-pressure: $(cat "$TMP/bp-rx.out") $(body sw port/stats)"
body sw port/stats | grep -q 'qfull 0 ' || fail "back-pressure dropped: $(body sw port/stats)"

# far beyond the queue: the excess is dropped and counted, never blocks,
# and every frame is either delivered or counted
[ "$(status sw 'port/resetcounter')" = "1000 Success" ] || fail resetcounter
probe sw > "$TMP/ovf.out" <<EOF2 || fail "overflow"
open s 0
open t 0
send t $BC $B 60
send s $B $A 60
expect t $A 60
burst s $B $A 1514 6000
sleep 300
recvall t 3000
EOF2
GOT=$(sed -n 's/^t received //p' "$TMP/ovf.out")
Q=$(body sw port/stats | sed -n 's/^Port 0002 .* qfull \([0-9]*\) .*/\1/p')
[ -n "$GOT" ] && [ -n "$Q" ] || fail "overflow: no figures"
[ "$Q" -gt 0 ] || fail "overflow not counted: $(body sw port/stats)"
[ $((GOT + Q)) = 6000 ] || fail "frames lost silently: received $GOT + qfull $Q != 6000"
[ "$GOT" -ge 1000 ] || fail "only $GOT frames delivered"

# hub mode: everything to every other port, port 0 excluded, no learning
start_switch hub -x
[ "$(body hub port/showinfo | sed -n 2p)" = "HUB=true" ] || fail "HUB=true"
probe hub <<EOF2 || fail "hub"
open a 0
open b 0
open c 0
open z 0 port0
send b $BC $B 60
expect a $B 60
expect c $B 60
send a $B $A 60 1
expect b $A 60 1
expect c $A 60 1
none a 100
send z $BC $C 60 2
expect a $C 60 2
expect b $C 60 2
expect c $C 60 2
send a $BC $A 60 3
expect b $A 60 3
expect c $A 60 3
none z 300
EOF2
[ -z "$(body hub hash/print)" ] || fail "hub learned MACs"

# -n N gives ports 1..N
start_switch small -n 2
probe small <<EOF2 || fail "numports"
open a 0
port a 1
open b 0
port b 2
open c 0 refused
open d 3 refused
open e 2
EOF2
[ "$(body small port/showinfo | head -n 1)" = "Numports=2" ] || fail "Numports=2"
[ "$(status small 'port/setnumports 4')" = "1000 Success" ] || fail "setnumports"
probe small <<EOF2 || fail "numports after setnumports"
open a 4
port a 4
EOF2
pass "forwarding"
