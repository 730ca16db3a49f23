#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-switch-shortcut-churn.sh - shortcuts (vde_switch --shortcuts,
# docs/fastpath.md section 10) granted and withdrawn over and over under
# traffic. Six tests/vdeplug_peer clients in three pairs stream numbered
# frames to each other, both ways at once; each receives in a thread of its
# own, QEMU-style (poll() on vde_datafd() without a timeout, then one
# vde_recv() per wake-up), while its main thread sends on the same
# connection, and checks that each sender's numbers only grow (no frame
# reordered or duplicated across the switch's path and a shortcut).
#
# It found a frame reordered at a withdrawal (a frame of the switch's path
# still unread in the receiver's s2c ring behind a withdrawn shortcut's
# frames), fixed by the shortcut's mark and the sender's wait for the
# receiver to drain it (docs/fastpath.md section 10).
#  1. Undisturbed: every frame delivered, on shortcuts. ("Every frame" here
#     and below: but for those the switch counts as dropped for the
#     receiver's port, qfull, which its path does under load.)
#  2. Withdrawals that lose nothing, one per round while all six stream:
#     console commands (a report, hash/flush, hash/setexpire, hash/setgcint,
#     vlan/create and vlan/remove), a vdecapture starting, then stopping.
#     Every frame delivered, in order.
#  3. Withdrawals that may lose frames: a port moved to another VLAN and
#     back, a receiver stopped (SIGSTOP) then continued, a client killed
#     (-9) in its stream and started again. In order, nothing duplicated;
#     then an undisturbed round delivers every frame again.
#  4. Leaks and spins: the switch's fd count and a client's shared-memory
#     mappings are back to what they were; the switch and the clients use
#     next to no CPU while idle; two clients gone, the switch's fd count is
#     that from before they came.
#  5. The switch killed (-9) with shortcuts up: no client spins (their
#     data fds stay silent, as a datagram socket's whose switch died), each
#     quits cleanly.
TEST_TIMEOUT=240
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/lib-helpers.sh"
# about the rings themselves (NOFASTPATH_RING_TESTS in tests/integration/local.am)
[ "${VDEPLUG_FASTPATH-}" = 0 ] && skip "needs the fast path on: VDEPLUG_FASTPATH=0 is in the environment"
[ -n "$OUR_SWITCH" ] || fail "switch/vde_switch is not built"
command -v socat >/dev/null || fail "socat is needed"
PEER=$(bin vdeplug_peer)
CAP=$(bin vdecapture)

declare -A PFD PPID_ MAC PARTNER
# peer NAME MAC: a vdeplug_peer on the switch fed through a FIFO, receiving
# in its thread
peer() {
	local name=$1 fd
	MAC[$name]=$2
	mkfifo "$TMP/$name.cmd"
	( exec "$PEER" -D "$name" -M "$2" -o "$TMP/$name.sent" -i "$TMP/$name.recv" "$SW" ) \
		<"$TMP/$name.cmd" >"$TMP/$name.out" 2>"$TMP/$name.log" &
	PIDS+=($!)
	PPID_[$name]=$!
	exec {fd}>"$TMP/$name.cmd"
	PFD[$name]=$fd
	WAIT_SECS=30 wait_for grep -q '^open$' "$TMP/$name.out" ||
		fail "peer $name did not open: $(cat "$TMP/$name.log")"
	cmd "$name" announce; answer "$name" ok
	cmd "$name" listen; answer "$name" listening
}
declare -A MARK
cmd() { MARK[$1]=$(wc -l <"$TMP/$1.out"); echo "$2" >&"${PFD[$1]}"; }
newer() { tail -n "+$((MARK[$1] + 1))" "$TMP/$1.out" | grep -qx "$2"; }
last() { tail -n "+$((MARK[$1] + 1))" "$TMP/$1.out" | tail -1; }
answer() { WAIT_SECS=${WAIT_SECS:-60} wait_for newer "$1" "$2" || fail "$1: no '$2': $(last "$1")"; }
epid() { mgmt sw port/print | sed -n "s/^  -- endpoint ID \([0-9]*\) module .*: $1 user=.*/\1/p"; }
field() {	# NAME FIELD: on the ring line of NAME's endpoint in port/stats
	local id
	id=$(epid "$1")
	[ -n "$id" ] || return 0
	mgmt sw port/stats | awk -v id="$id" -v f="$2" '$0 ~ "endpoint ID " id " ring:" {
		for (i = 1; i < NF; i++) if ($i == f) { print $(i + 1); exit } }'
}
port_of() { mgmt sw port/print | awk -v n="$1" '/^Port /{p=$2} $0 ~ ": " n " user=" {print p+0; exit}'; }
qfull() { mgmt sw port/stats | awk -v p="$(printf 'Port %04d ' "$(port_of "$1")")" 'index($0, p) == 1 { print $17 }'; }
fds() { ls "/proc/$SWPID/fd" | wc -l; }
memfds() { grep -c memfd "/proc/${PPID_[$1]}/maps"; }

_start_switch "$OUR_SWITCH" sw -n 16 --shortcuts
SW=$TMP/sw
SWPID=$(cat "$SW.pid")
mgmt sw "hash/setgcint 1" >/dev/null

# pairs: p1 <-> p2, p3 <-> p4, p5 <-> p6
peer p1 02:00:00:00:01:01
peer p2 02:00:00:00:01:02
peer p3 02:00:00:00:01:03
peer p4 02:00:00:00:01:04
FD4=$(fds)
peer p5 02:00:00:00:01:05
peer p6 02:00:00:00:01:06
PARTNER=([p1]=p2 [p2]=p1 [p3]=p4 [p4]=p3 [p5]=p6 [p6]=p5)
P="p1 p2 p3 p4 p5 p6"
declare -A GOT GAPS QF	# frames each has from its partner, gaps in them, qfull drops, as last checked
declare -A GB QB	# gaps and qfull drops at the last rebase: a drop shows as a gap only
			# when a later frame comes, maybe in the next round

# start N LEN: each streams N frames to its partner (answered by finish)
start() { local p; for p in $P; do cmd "$p" "stream ${MAC[${PARTNER[$p]}]} $1 $2"; done; }
finish() { local p; for p in $P; do answer "$p" "streamed $1"; done; }
# delivered N: each has N more frames from its partner than at the last
# check, none out of order, none duplicated, no gap; but for frames the
# switch counted as dropped on the receiver's port (qfull: its queue
# overflowed, which the switch's path does under load, docs: epcore.c),
# each of which may be one of them, and may open a gap
delivered() {
	local p want have bad gaps dq
	for p in $P; do
		want=$((GOT[$p] + $1))
		# until all came, or 10 s without one (frames the switch dropped
		# never come); the answer within 120 s
		cmd "$p" "expect ${MAC[${PARTNER[$p]}]} $want 10000"
		WAIT_SECS=120 answer "$p" "have [0-9]* bad [0-9]* gaps [0-9]*"
		read -r _ have _ bad _ gaps <<<"$(last "$p")"
		dq=$(( $(qfull "$p") - QF[$p] ))
		[ "$bad" = 0 ] && [ "$have" -le "$want" ] && [ "$have" -ge $((want - dq)) ] &&
			[ "$gaps" -le $((GB[$p] + $(qfull "$p") - QB[$p])) ] ||
			stuck "$p" "$2: $p has from ${PARTNER[$p]}: '$(last "$p")', $want wanted, $dq dropped by the switch"
		[ "$dq" = 0 ] || echo "$2: the switch dropped $dq frames for $p (qfull), $((want - have)) of its partner's missing"
		GOT[$p]=$have
		GAPS[$p]=$gaps
		QF[$p]=$(qfull "$p")
	done
}
# the frames of a failed delivered: a late one from the partner wakes them up?
stuck() {
	local q=${PARTNER[$1]} msg=$2
	cmd "$1" stats; answer "$1" "stats got .*"
	msg+="; $1: $(last "$1")"
	msg+="; qfull drops on its port: $(qfull "$1")"
	[ -n "${DEBUG_CHURN-}" ] && msg+="; $(mgmt sw port/stats)"
	cmd "$q" "stream ${MAC[$1]} 1 200"; answer "$q" "streamed 1"
	cmd "$1" "expect ${MAC[$q]} 0 2000"; answer "$1" "have .*"
	fail "$msg; after one more frame from $q: $(last "$1"); $(cat "$TMP/$1.log")"
}
# in order (nothing duplicated or reordered, gaps allowed): the count so far
inorder() {
	local p
	for p in $P; do
		cmd "$p" stats
		answer "$p" "stats got .*"
		last "$p" | grep -q "^stats got [0-9]* bad 0 " || fail "$1: $p: $(last "$p"): $(cat "$TMP/$p.log")"
	done
}
# no frame has arrived for 1 s anywhere (bounded): the counts are final
quiet() {
	local p s0 s1 t
	for t in $(seq 30); do
		s0=""; s1=""
		for p in $P; do cmd "$p" stats; answer "$p" "stats got .*"; s0+="$(last "$p") "; done
		sleep 1
		for p in $P; do cmd "$p" stats; answer "$p" "stats got .*"; s1+="$(last "$p") "; done
		[ "$s0" = "$s1" ] && return 0
	done
	fail "frames still arriving after 30 s"
}
# the counts now, as the base of the next delivered
rebase() {
	local p
	for p in $P; do
		cmd "$p" "expect ${MAC[${PARTNER[$p]}]} 0 1"
		answer "$p" "have [0-9]* bad 0 gaps [0-9]*"
		GOT[$p]=$(last "$p" | awk '{ print $2 }')
		GAPS[$p]=$(last "$p" | awk '{ print $6 }')
		QF[$p]=$(qfull "$p")
		GB[$p]=${GAPS[$p]}
		QB[$p]=${QF[$p]}
	done
}

# --- 1. undisturbed -----------------------------------------------------------
for p in $P; do GOT[$p]=0; GAPS[$p]=0; QF[$p]=$(qfull "$p"); GB[$p]=0; QB[$p]=${QF[$p]}; done
start 3000 200
finish 3000
delivered 3000 "undisturbed"
for p in $P; do
	[ "$(field "$p" sc_grants)" -ge 1 ] || fail "$p: no shortcut granted: $(mgmt sw port/stats)"
done
FD6=$(fds)
MAPS1=$(memfds p1)
pass "6 clients, 3 pairs both ways: 3000 frames each delivered in order, on shortcuts"

# --- 2. withdrawals that lose nothing, under traffic ---------------------------
g0=$(field p1 sc_grants)
round=0
for c in "port/print" "hash/flush" "hash/setexpire 1" "hash/setexpire 300" "vlan/create 7" \
	 "vlan/remove 7" "hash/setgcint 2" capture-start capture-stop "hash/flush"; do
	round=$((round + 1))
	start 4000 200
	case $c in
	capture-start)
		spawn cap.log "$CAP" -w "$TMP/cap.pcapng" "$SW"
		CAPPID=$LASTPID
		WAIT_SECS=30 wait_for grep -q 'vdecapture: listening' "$TMP/cap.log" ||
			fail "vdecapture: $(cat "$TMP/cap.log")";;
	capture-stop)
		kill "$CAPPID"
		wait "$CAPPID" 2>/dev/null;;
	*)
		mgmt sw "$c" >/dev/null;;
	esac
	finish 4000
	delivered 4000 "round $round ($c)"
done
g1=$(field p1 sc_grants)
echo "p1 was granted $((g1 - g0)) shortcuts in $round rounds"
[ "$g1" -gt "$g0" ] || fail "no grant in the churn ($g0 -> $g1): nothing was withdrawn"
pass "$round rounds of withdrawals (console, hash, vlan, capture) under traffic: every frame delivered, in order"

# --- 3. withdrawals that may lose frames ---------------------------------------
PB=$(port_of p2)
[ -n "$PB" ] || fail "no port for p2"
mgmt sw "vlan/create 5" >/dev/null
start 4000 200
mgmt sw "port/setvlan $PB 5" >/dev/null
sleep 0.2
mgmt sw "port/setvlan $PB 0" >/dev/null
kill -STOP "${PPID_[p4]}"
sleep 0.5
kill -CONT "${PPID_[p4]}"
kill -9 "${PPID_[p6]}"
wait "${PPID_[p6]}" 2>/dev/null
for p in p1 p2 p3 p4 p5; do answer "$p" "streamed 4000"; done
exec {PFD[p6]}>&-
rm -f "$TMP/p6.cmd"
WAIT_SECS=30 wait_for eval '[ -z "$(port_of p6)" ]' || fail "p6's port not freed"
peer p6 02:00:00:00:01:06
cmd p6 "stream ${MAC[p5]} 2000 200"
answer p6 "streamed 2000"
quiet
inorder "vlan move, SIGSTOP, kill -9 and restart"
# a frame lost at the end of a stream shows as a gap only at the next one:
# one each, then the counts and gaps so far are the base
start 1 200
finish 1
quiet
rebase
start 3000 200
finish 3000
delivered 3000 "undisturbed after the lossy round"
pass "a VLAN move, a stopped receiver, a client killed and restarted: in order, nothing duplicated; then every frame again"

# --- 4. leaks and spins -------------------------------------------------------
WAIT_SECS=30 wait_for eval '[ "$(fds)" = "$FD6" ]' || fail "the switch's fds: $FD6 at the start, $(fds) now"
MAPS2=$(memfds p1)
# after ~15 grants, one leaked mapping each would show; a shortcut each way
# withdrawn and not yet dropped (its sender has not looked since) may not
[ "$MAPS2" -le $((MAPS1 + 2)) ] || fail "p1 maps $MAPS2 shared regions, $MAPS1 before the churn"
sleep 1
declare -A T0
for p in $P; do T0[$p]=$(cpu_ticks "${PPID_[$p]}"); done
s0=$(cpu_ticks "$SWPID")
sleep 2
for p in $P; do
	t=$(( $(cpu_ticks "${PPID_[$p]}") - T0[$p] ))
	[ "$t" -le 40 ] || fail "$p spins while idle: $t ticks in 2 s"
done
t=$(( $(cpu_ticks "$SWPID") - s0 ))
[ "$t" -le 40 ] || fail "the switch spins while idle: $t ticks in 2 s"
for p in p5 p6; do
	cmd "$p" quit
	WAIT_SECS=20 wait_for eval '! kill -0 ${PPID_[$p]}' || fail "$p does not exit"
	wait "${PPID_[$p]}" || fail "$p exited $?"
done
WAIT_SECS=30 wait_for eval '[ "$(fds)" = "$FD4" ]' || fail "the switch's fds: $FD4 before p5 and p6, $(fds) after them"
pass "switch fds back ($FD6, then $FD4), p1's shared regions $MAPS1 -> $MAPS2, idle switch and clients near 0 CPU"

# --- 5. the switch killed with shortcuts up --------------------------------------
P="p1 p2 p3 p4"
# a receiver that falls behind withdraws the shortcuts to it (on a loaded
# machine, often): stream until some are up (a report withdraws nothing)
up=0
for try in 1 2 3 4 5 6; do
	start 1000 200
	finish 1000
	for p in $P; do [ "$(field "$p" shortcuts_out)" = 1 ] && up=$((up + 1)); done
	[ "$up" -gt 0 ] && break
done
echo "shortcuts up when the switch is killed: $up of 4 clients (after $try streams)"
kill -9 "$SWPID"
# vde_datafd() just stays silent when the switch dies, as a datagram
# socket whose switch died (docs/fastpath.md section 6; the ctl stream
# tells): a thread asleep in poll() on it stays asleep, and nobody spins
sleep 0.5
for p in $P; do
	T0[$p]=$(cpu_ticks "${PPID_[$p]}")
done
sleep 2
for p in $P; do
	t=$(( $(cpu_ticks "${PPID_[$p]}") - T0[$p] ))
	[ "$t" -le 40 ] || fail "$p spins after the switch died: $t ticks in 2 s"
	cmd "$p" quit
done
for p in $P; do
	WAIT_SECS=20 wait_for eval '! kill -0 ${PPID_[$p]}' ||
		fail "$p does not exit after the switch died: $(last "$p"); $(grep -v '^0x' /proc/${PPID_[$p]}/task/*/stack 2>/dev/null | head -20; cat /proc/${PPID_[$p]}/task/*/wchan 2>/dev/null | tr '\n' ' ')"
	wait "${PPID_[$p]}" || fail "$p exited $? after the switch died: $(last "$p")"
done
pass "the switch killed with shortcuts up: no client spins, each quits"
