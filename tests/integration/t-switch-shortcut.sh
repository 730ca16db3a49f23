#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-switch-shortcut.sh - shortcuts between ring clients (vde_switch
# --shortcuts, docs/fastpath.md section 10), with tests/vdeplug_peer: two
# clients with MAC addresses of their own, driven line by line.
#  1. A ping-pong of 300 frames a <-> b goes through shortcuts (port/stats:
#     shortcuts_out 1 on both ports, sc_frames counting most of the frames),
#     port/print counts them on both ports as if they had crossed the
#     switch, the switch's totals (port/stats: frames, unicast) count
#     them exactly, and every frame arrives exact and in order, both ways, across the
#     change from the switch's path to the shortcut. A burst of 20000
#     frames far beyond the ring's size arrives whole and in order
#     (back-pressure, as on the switch's path).
#     Traffic on the shortcuts keeps both MAC addresses learnt (4 s with
#     a 2-s expire and a 1-s sweep: no entry ages out, no new grant).
#  2. A console command withdraws them: b's port moved to VLAN 5, a's
#     frames to b's MAC no longer reach b (0 of 50), and neither port has a
#     shortcut left. Back in VLAN 0, a new ping-pong is exact and takes new
#     shortcuts.
#  3. A capture started on the switch withdraws them too: it records the
#     frames a sends b while it runs.
#  4. A killed (-9) in the middle of a burst on its shortcut: b gets an
#     exact start of it and goes on, the switch frees a's port, and a new client
#     c ping-pongs with b, exact, on a new shortcut.
#  5. No shortcut without --shortcuts, nor for a client with
#     VDEPLUG_SHORTCUTS=0: their port/stats have no shortcut fields, and
#     frames are exact.
#  6. The receiver takes its rings in turn: b stopped, 100 frames of a
#     datagram client g wait in b's s2c ring (forwarded: b's tx_frames
#     says so), then 20 of h on its shortcut; b's first frames read hold
#     h's (not all 100 of g's first), each sender's in order.
#  7. The sender's drain wait running out: b stopped, 30 frames of h wait
#     on its shortcut, a console command withdraws it, h sends 30 more
#     (it waits 200 ms for b, then goes through the switch, and counts it:
#     sc_late 1 in port/stats); b then reads all 60 in h's order (the
#     shortcut's before the switch's).
#  8. Making a shortcut fails half-way (faultinj: sealing its memfd fails,
#     after the two clients' regions): the pair's frames go through the
#     switch, exact; no shortcut, nothing left open or mapped in the
#     switch; it tries again at most once a second, not per frame.
#  9. Or at its last step: SC_TX to the sender cannot be sent (faultinj:
#     sendmsg of 3 fds fails) after SC_RX went to the receiver: the
#     sender's channel is closed, the receiver drops the shortcut it was
#     given (SC_REVOKE follows), the pair goes on through the switch, exact,
#     and the switch keeps no region of it.
# 10. Clients on rings with super-frames (vdeplug_peer -V: VDE_OPEN_VNET,
#     vde_send_vnet()/vde_recv_vnet(), VNET records): 1's ping-pong, exact
#     and in order across the change to VNET shortcuts, counted on the
#     ports; 7's withdrawal that the receiver does not wait for (sc_late 1,
#     all 60 frames in the sender's order); a plain client to a VNET one
#     on a plain shortcut, none from the VNET one back to the plain one.
TEST_TIMEOUT=180
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/lib-helpers.sh"
. "$top_srcdir/tests/lib/faultinj.sh"
# about the rings themselves (NOFASTPATH_RING_TESTS in tests/integration/local.am)
[ "${VDEPLUG_FASTPATH-}" = 0 ] && skip "needs the fast path on: VDEPLUG_FASTPATH=0 is in the environment"
[ -n "$OUR_SWITCH" ] || fail "switch/vde_switch is not built"
command -v socat >/dev/null || fail "socat is needed"
PEER=$(bin vdeplug_peer)
CAP=$(bin vdecapture)
PCAPREAD=$top_srcdir/tests/integration/pcapread.py
MA=02:00:00:00:0a:01
MB=02:00:00:00:0b:01
MC=02:00:00:00:0c:01

declare -A PFD PPID_
# peer NAME MAC SWITCHDIR [ENV...]: start a vdeplug_peer fed through a FIFO
# (with the options in PEER_OPTS)
PEER_OPTS=
peer() {
	local name=$1 mac=$2 dir=$3 fd
	shift 3
	mkfifo "$TMP/$name.cmd"
	# shellcheck disable=SC2086 # PEER_OPTS: words
	( exec env "$@" "$PEER" $PEER_OPTS -D "$name" -M "$mac" -o "$TMP/$name.sent" -i "$TMP/$name.recv" \
		"$dir" ) <"$TMP/$name.cmd" >"$TMP/$name.out" 2>"$TMP/$name.log" &
	PIDS+=($!)
	PPID_[$name]=$!
	exec {fd}>"$TMP/$name.cmd"
	PFD[$name]=$fd
	wait_for grep -q '^open$' "$TMP/$name.out" || fail "peer $name did not open: $(cat "$TMP/$name.log")"
}
declare -A MARK
# cmd NAME LINE: one command; answer NAME REGEX: its answer (a line after it)
cmd() { MARK[$1]=$(wc -l <"$TMP/$1.out"); echo "$2" >&"${PFD[$1]}"; }
newer() { tail -n "+$((MARK[$1] + 1))" "$TMP/$1.out" | grep -qx "$2"; }
answer() { WAIT_SECS=${WAIT_SECS:-30} wait_for newer "$1" "$2" || fail "$1: no '$2': $(tail -3 "$TMP/$1.out")"; }
stats() { mgmt "$1" port/stats; }
epid() { mgmt "$1" port/print | sed -n "s/^  -- endpoint ID \([0-9]*\) module .*: $2 user=.*/\1/p"; }
# the value of FIELD on the ring line of port/stats for the endpoint of NAME
field() {	# SW NAME FIELD
	local id
	id=$(epid "$1" "$2")
	[ -n "$id" ] || return 0
	stats "$1" | awk -v id="$id" -v f="$3" '$0 ~ "endpoint ID " id " ring:" {
		for (i = 1; i < NF; i++) if ($i == f) { print $(i + 1); exit } }'
}
port_of() { mgmt "$1" port/print | awk -v n="$2" '/^Port /{p=$2} $0 ~ ": " n " user=" {print p+0; exit}'; }
swapped() { awk '{ print substr($0, 13, 12) substr($0, 1, 12) substr($0, 25) }' "$1"; }
# NAME's frames arrived exact at OTHER, and the echoes came back exact
exact() {	# NAME OTHER FROM TO (line numbers of NAME's sent file)
	sed -n "$3,$4p" "$TMP/$1.sent" >"$TMP/x.sent"
	sed -n "$3,$4p" "$TMP/$2.recv" >"$TMP/x.other"
	sed -n "$3,$4p" "$TMP/$1.recv" >"$TMP/x.back"
	cmp -s "$TMP/x.sent" "$TMP/x.other" || fail "$1 -> $2, frames $3..$4: not exact"
	swapped "$TMP/x.sent" | cmp -s - "$TMP/x.back" || fail "$2 -> $1 echoes $3..$4: not exact"
}
pingpong() {	# A B DSTMAC N SEED: B echoes N, A ping-pongs N
	cmd "$2" "echo $4 5000"
	cmd "$1" "pingpong $3 $4 100 $5 5000"
	answer "$1" "pingpong $4"
	answer "$2" "echoed $4"
}

_start_switch "$OUR_SWITCH" sw -n 8 --shortcuts
SW=$TMP/sw

# --- 1. a ping-pong on shortcuts, exact ------------------------------------
peer a $MA "$SW"
peer b $MB "$SW"
cmd a announce; answer a ok
cmd b announce; answer b ok
pingpong a b $MB 300 7
exact a b 1 300
for p in a b; do
	[ "$(field sw $p shortcuts_out)" = 1 ] && [ "$(field sw $p shortcuts_in)" = 1 ] ||
		fail "$p: no shortcut both ways: $(stats sw)"
done
na=$(field sw a sc_frames)
nb=$(field sw b sc_frames)
echo "frames on shortcuts: a $na, b $nb of 300 each"
[ "$na" -ge 200 ] && [ "$nb" -ge 200 ] || fail "too few frames on the shortcuts: a $na, b $nb"
# port/print counts them as if they had crossed the switch: in on a's
# port (300 and the announce), out on b's (300 from a)
inpkts() { mgmt "$1" port/print | awk -v p="$(printf 'Port %04d ' "$2")" \
	'index($0, p) == 1 { on = 1; next } on && /IN:/ { print $3; exit }'; }
outpkts() { mgmt "$1" port/print | awk -v p="$(printf 'Port %04d ' "$2")" \
	'index($0, p) == 1 { on = 1; next } on && /OUT:/ { print $3; exit }'; }
PA=$(port_of sw a)
PB=$(port_of sw b)
[ "$(inpkts sw "$PA")" -ge 301 ] && [ "$(outpkts sw "$PB")" -ge 300 ] ||
	fail "port counters miss the shortcut frames: in $(inpkts sw "$PA") on a's, out $(outpkts sw "$PB") on b's"
# so do the switch's totals: the two announces (flooded) and the 600
# frames of the ping-pong (known unicast), on shortcuts or not
tot=$(mgmt sw port/stats | sed -n 's/^frames \([0-9]*\) unicast \([0-9]*\) flooded \([0-9]*\) .*/\1 \2 \3/p')
[ "$tot" = "602 600 2" ] || fail "the switch's totals (frames unicast flooded) are '$tot', not '602 600 2'"
pass "300-frame ping-pong: shortcuts both ways ($na, $nb frames on them), every frame exact, counted in port/print and the totals"
# a burst far beyond the ring: back-pressure, none lost, in order
n0=$(wc -l <"$TMP/a.sent")
n1=$(wc -l <"$TMP/b.recv")
cmd b "recv 20000 3000"
cmd a "send $MB 20000 1000 6"
answer a "sent 20000"
answer b "got 20000"
tail -n "+$((n0 + 1))" "$TMP/a.sent" >"$TMP/burst.sent"
tail -n "+$((n1 + 1))" "$TMP/b.recv" | cmp -s "$TMP/burst.sent" - ||
	fail "a burst of 20000 frames on the shortcut: not exact"
full=$(field sw a sc_full)
echo "the burst found the shortcut full $full times"
pass "a burst of 20000 frames of 1000 bytes on the shortcut: none lost, in order"

# --- 1b. traffic on a shortcut keeps the addresses learnt ----------------
# with a 2-second expire (the sweep each second: it refreshes the senders
# of shortcuts that moved frames), 4 s of ping-pongs on the shortcuts: the
# switch sees none of their frames, yet no entry ages out (which would
# withdraw the shortcuts and grant new ones)
mgmt sw "hash/setgcint 1" >/dev/null
mgmt sw "hash/setexpire 2" >/dev/null
pingpong a b $MB 20 20		# the command above withdrew them: again
g0=$(field sw a sc_grants)
end=$((SECONDS + 4))
while [ $SECONDS -lt $end ]; do
	pingpong a b $MB 20 21
	sleep 0.2
done
g1=$(field sw a sc_grants)
h=$(mgmt sw hash/print)
echo "$h" | grep -qi "$MA" && echo "$h" | grep -qi "$MB" || fail "addresses aged out: $h"
[ "$g1" = "$g0" ] || fail "the shortcut was withdrawn and granted again ($g0 -> $g1 grants)"
mgmt sw "hash/setexpire 100" >/dev/null
mgmt sw "hash/setgcint 2" >/dev/null
pass "4 s of traffic on the shortcuts with a 2-s expire: both addresses learnt, no new grant"

# --- 2. withdrawn by a console command: VLANs hold ------------------------
[ -n "$PB" ] || fail "no port for b: $(mgmt sw port/print)"
mgmt sw "vlan/create 5" >/dev/null
mgmt sw "port/setvlan $PB 5" >/dev/null
cmd b "recv 50 1500"
cmd a "send $MB 50 100 8"
answer a "sent 50"
answer b "got 0"
[ "$(field sw a shortcuts_out)" = 0 ] && [ "$(field sw b shortcuts_out)" = 0 ] ||
	fail "shortcuts left after port/setvlan: $(stats sw)"
pass "b moved to VLAN 5: its shortcut gone, 0 of 50 frames from a crossed"
mgmt sw "port/setvlan $PB 0" >/dev/null
n0=$(wc -l <"$TMP/a.sent")
n1=$(wc -l <"$TMP/b.recv")
na0=$(field sw a sc_frames)
cmd b announce; answer b ok
pingpong a b $MB 200 9
# a's file holds the 50 frames that did not cross: compare from there
sed -n "$((n0 + 1)),\$p" "$TMP/a.sent" >"$TMP/a2.sent"
sed -n "$((n1 + 1)),\$p" "$TMP/b.recv" >"$TMP/b2.recv"
cmp -s "$TMP/a2.sent" "$TMP/b2.recv" || fail "after VLAN 0 again: a -> b not exact"
tail -n 200 "$TMP/a.recv" >"$TMP/a2.recv"
swapped "$TMP/a2.sent" | cmp -s - "$TMP/a2.recv" || fail "after VLAN 0 again: echoes not exact"
[ "$(field sw a sc_frames)" -gt "$na0" ] || fail "no new shortcut after VLAN 0 again: $(stats sw)"
pass "back in VLAN 0: 200 frames exact, on a new shortcut"

# --- 3. withdrawn by a capture ---------------------------------------------
spawn cap.log "$CAP" -c 20 -w "$TMP/cap.pcapng" "$SW"
CAPPID=$LASTPID
wait_for grep -q 'vdecapture: listening' "$TMP/cap.log" || fail "vdecapture: $(cat "$TMP/cap.log")"
cmd b "recv 20 3000"
cmd a "send $MB 20 100 10"
answer a "sent 20"
answer b "got 20"
wait_for eval '! kill -0 $CAPPID 2>/dev/null' || fail "vdecapture did not see 20 frames: $(cat "$TMP/cap.log")"
n=$(python3 "$PCAPREAD" frames "$TMP/cap.pcapng" | grep -c "$(echo $MB$MA | tr -d :)88b5")
[ "$n" -ge 20 ] || fail "the capture has $n of a's 20 frames to b"
pass "a capture withdraws the shortcuts: it recorded the $n frames a sent b"

# --- 4. a killed in a burst -------------------------------------------------
pingpong a b $MB 100 11		# shortcuts again
[ "$(field sw a shortcuts_out)" = 1 ] || fail "no shortcut before the burst: $(stats sw)"
n0=$(wc -l <"$TMP/a.sent")
n1=$(wc -l <"$TMP/b.recv")
cmd b "recv 1000000 2000"
cmd a "send $MB 1000000 100 12"
sleep 0.3
kill -9 "${PPID_[a]}"
wait "${PPID_[a]}" 2>/dev/null
WAIT_SECS=20 answer b "got [0-9]*"
got=$(tail -1 "$TMP/b.out" | awk '{print $2}')
echo "b got $got frames of the burst before a was killed"
[ "$got" -gt 0 ] || fail "b got nothing of the burst"
tail -n "+$((n0 + 1))" "$TMP/a.sent" | head -n "$got" >"$TMP/kill.sent"
tail -n "+$((n1 + 1))" "$TMP/b.recv" | cmp -s "$TMP/kill.sent" - ||
	fail "what b got of the burst is not the start of what a sent"
wait_for eval '[ -z "$(port_of sw a)" ]' || fail "a's port not freed: $(mgmt sw port/print)"
peer c $MC "$SW"
cmd c announce; answer c ok
cmd b announce; answer b ok
pingpong c b $MB 200 13
tail -n 200 "$TMP/b.recv" >"$TMP/b3.recv"
cmp -s "$TMP/c.sent" "$TMP/b3.recv" || fail "c -> b after a's death: not exact"
swapped "$TMP/c.sent" | cmp -s - "$TMP/c.recv" || fail "b -> c after a's death: not exact"
[ "$(field sw c shortcuts_out)" = 1 ] || fail "c has no shortcut: $(stats sw)"
pass "a killed in a burst: b got $got and went on, a's port freed, c <-> b exact on a shortcut"
cmd c quit

# --- 5. none without --shortcuts, none for VDEPLUG_SHORTCUTS=0 -------------
_start_switch "$OUR_SWITCH" sw2 -n 8
peer d 02:00:00:00:0d:01 "$TMP/sw2"
peer e 02:00:00:00:0e:01 "$TMP/sw2"
cmd d announce; answer d ok
cmd e announce; answer e ok
pingpong d e 02:00:00:00:0e:01 100 14
exact d e 1 100
stats sw2 | grep -q shortcuts_out && fail "shortcut fields without --shortcuts: $(stats sw2)"
peer f 02:00:00:00:0f:01 "$SW" VDEPLUG_SHORTCUTS=0
cmd f announce; answer f ok
pingpong f b $MB 100 15
tail -n 100 "$TMP/b.recv" | cmp -s "$TMP/f.sent" - || fail "f -> b: not exact"
swapped "$TMP/f.sent" | cmp -s - "$TMP/f.recv" || fail "b -> f: not exact"
[ -z "$(field sw f shortcuts_out)" ] || fail "VDEPLUG_SHORTCUTS=0 client has shortcuts: $(stats sw)"
pass "no shortcuts without --shortcuts or with VDEPLUG_SHORTCUTS=0; frames exact"

# --- 6. the receiver's turn: s2c and shortcuts taken in turn ---------------
MG=02:00:00:00:10:01
MH=02:00:00:00:11:01
peer g $MG "$SW" VDEPLUG_FASTPATH=0
peer h $MH "$SW"
cmd g announce; answer g ok
cmd h announce; answer h ok
cmd b announce; answer b ok
pingpong h b $MB 100 30
[ "$(field sw h shortcuts_out)" = 1 ] || fail "h has no shortcut to b: $(stats sw)"
# mine NAME: b's frames from NAME's MAC (hex, source at 13..24) in NEW
from() { awk -v m="$(echo "$2" | tr -d :)" 'substr($0, 13, 12) == m' "$1"; }
n1=$(wc -l <"$TMP/b.recv")
t0=$(field sw b tx_frames)
cmd g "send $MB 100 100 31"
answer g "sent 100"
WAIT_SECS=30 wait_for eval '[ "$(field sw b tx_frames)" -ge $((t0 + 100)) ]' ||
	fail "the switch did not put g's 100 frames into b's ring: $(stats sw)"
s0=$(field sw h sc_frames)
cmd h "send $MB 20 100 32"
answer h "sent 20"
[ "$(field sw h sc_frames)" = $((s0 + 20)) ] || fail "h's 20 frames did not take the shortcut: $(stats sw)"
cmd b "recv 120 3000"
answer b "got 120"
tail -n "+$((n1 + 1))" "$TMP/b.recv" >"$TMP/turn.recv"
first=$(awk -v m="$(echo $MH | tr -d :)" 'substr($0, 13, 12) == m { print NR; exit }' "$TMP/turn.recv")
lasth=$(awk -v m="$(echo $MH | tr -d :)" 'substr($0, 13, 12) == m { n = NR } END { print n }' "$TMP/turn.recv")
echo "h's 20 frames: read as frames $first..$lasth of 120 (g's 100 waited first)"
from "$TMP/turn.recv" $MH | cmp -s - <(tail -n 20 "$TMP/h.sent") || fail "h -> b: not exact, in order"
from "$TMP/turn.recv" $MG | cmp -s - "$TMP/g.sent" || fail "g -> b: not exact, in order"
[ -n "$first" ] && [ "$first" -le 4 ] && [ "$lasth" -le 44 ] ||
	fail "b read h's shortcut only after its s2c ring: h's frames at $first..$lasth of 120"
pass "b takes its rings in turn: h's 20 shortcut frames among its first 44 reads (from $first), g's 100 and h's 20 each exact and in order"

# --- 7. the sender's drain wait runs out -------------------------------------
# late_fallback SW SENDER RECEIVER MAC SEED: RECEIVER stopped, SENDER's 30
# frames on its shortcut, a withdrawal (vlan/create), 30 more: SENDER's
# drain wait runs out and it falls back to the switch; RECEIVER then reads
# all 60 in SENDER's order, and sc_late counts the wait
late_fallback() {
	local sw=$1 s=$2 r=$3 mac=$4 seed=$5 n1 s0 o0 pr
	n1=$(wc -l <"$TMP/$r.recv")
	s0=$(field "$sw" "$s" sc_frames)
	cmd "$s" "send $mac 30 100 $seed"
	answer "$s" "sent 30"
	[ "$(field "$sw" "$s" sc_frames)" = $((s0 + 30)) ] ||
		fail "$s's 30 frames did not take the shortcut: $(stats "$sw")"
	mgmt "$sw" "vlan/create 7" >/dev/null	# withdraws every shortcut
	[ "$(field "$sw" "$s" shortcuts_out)" = 0 ] || fail "$s's shortcut not withdrawn: $(stats "$sw")"
	# (once through the switch, a new shortcut may take the last of them:
	# the receiver's port counts both)
	pr=$(port_of "$sw" "$r")
	o0=$(outpkts "$sw" "$pr")
	cmd "$s" "send $mac 30 100 $((seed + 1))"
	WAIT_SECS=30 answer "$s" "sent 30"
	WAIT_SECS=30 wait_for eval '[ "$(outpkts "$sw" "$pr")" -ge $((o0 + 30)) ]' ||
		fail "$s's 30 later frames did not reach $r's ring: $(mgmt "$sw" port/print)"
	cmd "$r" "recv 60 3000"
	answer "$r" "got 60"
	tail -n "+$((n1 + 1))" "$TMP/$r.recv" | cmp -s - <(tail -n 60 "$TMP/$s.sent") ||
		fail "$s -> $r across a withdrawal $r did not wait for: not in $s's order"
	[ "$(field "$sw" "$s" sc_late)" = 1 ] ||
		fail "$s's wait that ran out is not counted (sc_late): $(stats "$sw")"
}
late_fallback sw h b "$MB" 33
pass "a withdrawn shortcut b stopped reading: h fell back after its wait (sc_late 1), b read all 60 frames in h's order"
for p in b g h; do cmd $p quit; done

# --- 8. making a shortcut fails half-way -------------------------------------
# fault_switch NAME RULES: a switch with --shortcuts under faultinj
fault_switch() {
	local d=$TMP/$1
	fault_cmd "$2" "$OUR_SWITCH"
	"${FAULT_CMD[@]}" -d -s "$d" -p "$d.pid" -M "$d.mgmt" -n 8 --shortcuts >"$TMP/$1.log" 2>&1 \
		</dev/null || fail "vde_switch under faultinj: $(cat "$TMP/$1.log")"
	wait_for test -s "$d.pid" || fail "switch $1: no pidfile"
	PIDS+=("$(cat "$d.pid")")
	wait_for sock_ready "$d.mgmt" || fail "switch $1: no mgmt socket"
}
# F_ADD_SEALS (1033): the 3rd region the switch makes is the shortcut's
fault_switch sw3 'fcntl,cmd=1033,after=2,errno=ENOMEM'
SW3=$TMP/sw3
SW3PID=$(cat "$SW3.pid")
MI=02:00:00:00:12:01
MJ=02:00:00:00:13:01
peer i $MI "$SW3"
peer j $MJ "$SW3"
cmd i announce; answer i ok
cmd j announce; answer j ok
fd0=$(ls "/proc/$SW3PID/fd" | wc -l)
t0=$(date +%s)
pingpong i j $MJ 200 40
secs=$(($(date +%s) - t0))
exact i j 1 200
fault_seen '^fcntl' || fail "the fault never happened: the switch made no shortcut region"
n=$(grep -c '^fcntl' "$FAULT_LOG")
for p in i j; do
	[ "$(field sw3 $p shortcuts_out)" = 0 ] && [ "$(field sw3 $p sc_grants)" = 0 ] ||
		fail "$p has a shortcut the switch could not make: $(stats sw3)"
done
# (the console connections of field may still be closing: wait for it)
swfds() { ls "/proc/$SW3PID/fd" | wc -l; }
WAIT_SECS=10 wait_for eval '[ "$(swfds)" = "$fd0" ]' ||
	fail "the failed shortcuts left descriptors open in the switch: $fd0 -> $(swfds)"
m=$(grep -c memfd "/proc/$SW3PID/maps")
[ "$m" -le 2 ] || fail "the failed shortcuts left regions mapped in the switch: $m memfd mappings"
echo "400 frames in about $secs s, $n failed attempts"
[ "$n" -le $((secs + 2)) ] ||
	fail "the switch tried to make the shortcut $n times in a 400-frame ping-pong of $secs s"
pass "making a shortcut fails half-way: i <-> j exact through the switch, no shortcut, no fd or mapping left, $n attempts"
for p in i j; do cmd $p quit; done

# --- 9. the last step fails: SC_TX cannot be sent -----------------------------
fault_switch sw4 'sendmsg,fds=3,errno=EPIPE'
SW4=$TMP/sw4
SW4PID=$(cat "$SW4.pid")
: >"$FAULT_LOG"
peer k 02:00:00:00:14:01 "$SW4"
peer l 02:00:00:00:15:01 "$SW4"
cmd k announce; answer k ok
cmd l announce; answer l ok
fd0=$(ls "/proc/$SW4PID/fd" | wc -l)
pingpong k l 02:00:00:00:15:01 200 41
exact k l 1 200
fault_seen '^sendmsg' || fail "the fault never happened: no SC_TX was sent"
# k's channel is gone (its port/stats line has no shortcut fields), l keeps
# its own; the shortcut it was given is withdrawn
[ -z "$(field sw4 k shortcuts_out)" ] || fail "k kept its channel: $(stats sw4)"
[ "$(field sw4 l shortcuts_in)" = 0 ] || fail "l keeps a shortcut from k: $(stats sw4)"
swfds4() { ls "/proc/$SW4PID/fd" | wc -l; }
WAIT_SECS=10 wait_for eval '[ "$(swfds4)" = $((fd0 - 1)) ]' ||
	fail "the switch holds $(swfds4) fds, not $((fd0 - 1)) (before, less k's channel)"
m=$(grep -c memfd "/proc/$SW4PID/maps")
[ "$m" -le 2 ] || fail "the failed shortcut left its region mapped in the switch: $m memfd mappings"
WAIT_SECS=10 wait_for eval '[ "$(grep -c memfd "/proc/${PPID_[l]}/maps")" = "$(grep -c memfd "/proc/${PPID_[k]}/maps")" ]' ||
	fail "l still maps the shortcut it was given"
pass "SC_TX cannot be sent: k's channel closed, l dropped the shortcut, k <-> l exact through the switch, nothing left"
for p in k l; do cmd $p quit; done

# --- 10. clients with super-frames: VNET shortcuts ----------------------------
_start_switch "$OUR_SWITCH" sw5 -n 8 --shortcuts
SW5=$TMP/sw5
MV=02:00:00:00:16:01
MW=02:00:00:00:17:01
MP=02:00:00:00:18:01
PEER_OPTS=-V
peer v $MV "$SW5"
peer w $MW "$SW5"
PEER_OPTS=
peer pl $MP "$SW5"
for p in v w pl; do cmd $p announce; answer $p ok; done
pingpong v w $MW 300 50
exact v w 1 300
for p in v w; do
	[ "$(field sw5 $p vnet)" = 1 ] || fail "$p is not on a VNET ring: $(stats sw5)"
	[ "$(field sw5 $p shortcuts_out)" = 1 ] && [ "$(field sw5 $p shortcuts_in)" = 1 ] ||
		fail "$p (VNET ring): no shortcut both ways: $(stats sw5)"
done
nv=$(field sw5 v sc_frames)
nw=$(field sw5 w sc_frames)
[ "$nv" -ge 200 ] && [ "$nw" -ge 200 ] || fail "too few frames on the VNET shortcuts: v $nv, w $nw"
[ "$(mgmt sw5 port/stats | awk '$1 == "frames" { print $4 }')" -ge 600 ] ||
	fail "the switch's totals miss the VNET shortcuts' frames: $(stats sw5)"
pass "VNET rings: 300 frames ping-pong v <-> w exact and in order, v $nv and w $nw of them on VNET shortcuts, counted"

# 7's case: w stopped, a withdrawal it does not wait for
late_fallback sw5 v w "$MW" 51
pass "VNET rings: a withdrawn shortcut w stopped reading: v fell back after its wait (sc_late 1), w read all 60 in v's order"

# a plain ring to a VNET ring: a plain shortcut; back: none (the switch cuts
# super-frames for the plain one)
n1=$(wc -l <"$TMP/w.recv")
pingpong pl w $MW 100 53
tail -n "+$((n1 + 1))" "$TMP/w.recv" | cmp -s - "$TMP/pl.sent" || fail "pl -> w: not exact"
swapped "$TMP/pl.sent" | cmp -s - "$TMP/pl.recv" || fail "w -> pl echoes: not exact"
[ "$(field sw5 pl vnet)" = 0 ] && [ "$(field sw5 pl shortcuts_out)" = 1 ] ||
	fail "pl (plain ring) has no shortcut to w (VNET ring): $(stats sw5)"
[ "$(field sw5 pl shortcuts_in)" = 0 ] || fail "pl (plain ring) receives on a shortcut from a VNET ring: $(stats sw5)"
pass "a plain ring to a VNET ring on a shortcut, exact; none from the VNET ring back to the plain one"
for p in v w pl; do cmd $p quit; done
