#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-switch-ring-bells.sh - the fast path's doorbells (docs/fastpath.md §6)
# between our switch and our library, on pipes and on datagrams:
#  1. Our client gets pipe doorbells: port/stats says "bells pipe", its
#     vde_datafd() is a pipe opened read-write (it polls writable, as the
#     VDE 2 socket does: tools wait for POLLOUT after EAGAIN), the switch holds two more fds for
#     it. A client with VDEPLUG_FASTPATH_PIPES=0 (it asks as a library of an
#     older build does) gets rings with datagram doorbells ("bells dgram");
#     a ping-pong between the two is exact.
#  2. A switch with VDEPLUG_FASTPATH_PIPES=0 (it grants what a switch of an
#     older build grants) gives our client datagram doorbells; frames flow.
#  3. A client that never reads its doorbell pipe but keeps asking for
#     doorbells (ring-tool.py sleepy) fills its pipe; the switch does not
#     block or spin on it, and a ping-pong between two others stays exact.
#  4. A frame on a ring endpoint's data socket is a protocol error:
#     counted (stray), with pipes and with datagram doorbells.
#  5. The switch killed: a client that polls vde_datafd() and calls
#     vde_recv() on every wake-up, as QEMU does, gets no wake-up: it uses
#     (almost) no CPU over the next second.
TEST_TIMEOUT=300
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/lib-helpers.sh"
# about the rings themselves (NOFASTPATH_RING_TESTS in tests/integration/local.am)
[ "${VDEPLUG_FASTPATH-}" = 0 ] && skip "needs the fast path on: VDEPLUG_FASTPATH=0 is in the environment"
need_root
[ -n "$OUR_SWITCH" ] || fail "switch/vde_switch is not built"
command -v socat >/dev/null || fail "socat is needed"
TOOL=$top_srcdir/tests/integration/ring-tool.py

our_switch sw -n 32
SW=$TMP/sw
SWPID=$(cat "$SW.pid")
ports() { mgmt sw port/print; }
# bells ID-PID: the doorbell kind in port/stats of the endpoint of client PID
bells_of() {
	local port
	port=$(ports | sed -n "/^Port /h; /PID=$1\$/{x;s/^Port 0*\([0-9]*\) .*/\1/p}")
	[ -n "$port" ] || return 0
	mgmt sw port/stats | sed -n "/^Port 0*$port /,/^Port /s/^  -- endpoint ID [0-9]* ring:.* bells \([a-z]*\).*/\1/p"
}
stat_of() {	# PID NAME: a ring counter of client PID's endpoint
	local port
	port=$(ports | sed -n "/^Port /h; /PID=$1\$/{x;s/^Port 0*\([0-9]*\) .*/\1/p}")
	mgmt sw port/stats | sed -n "/^Port 0*$port /,/^Port /s/^  -- endpoint ID [0-9]* ring:.* $2 \([0-9]*\).*/\1/p"
}
datafd() { awk '{ print $2 }' "$TMP/$1.ready"; }

# --- 1. pipes for our client, datagrams when it does not ask ------------
nfd() { ls "/proc/$SWPID/fd" | wc -l; }
fd0=$(nfd)
client echo -D echo -e -r 200 -t 60 "$SW"
[ "$(bells_of "${CPID[echo]}")" = pipe ] || fail "our client has no pipe doorbells: $(mgmt sw port/stats)"
[ "$(nfd)" = $((fd0 + 4)) ] || fail "the switch holds $(( $(nfd) - fd0 )) fds for a pipe client, not 4 (ctl, data socket, 2 pipe ends)"
link=$(readlink "/proc/${CPID[echo]}/fd/$(datafd echo)")
case $link in pipe:*) ;; *) fail "vde_datafd() of a pipe client is $link, not a pipe" ;; esac
grep -q "^flags:.*[0-7]2\$" "/proc/${CPID[echo]}/fdinfo/$(datafd echo)" ||
	fail "vde_datafd() is not opened read-write (it must poll writable): $(cat "/proc/${CPID[echo]}/fdinfo/$(datafd echo)")"
VDEPLUG_FASTPATH_PIPES=0 "$CLIENT" -D old -P -r 200 -n 200 -l 80 -S 21 -o "$TMP/pp.sent" "$SW" \
	>"$TMP/pp.echo" 2>"$TMP/pp.log" &
PP=$!
PIDS+=("$PP")
wait_for eval "[ \"\$(bells_of $PP)\" = dgram ] || ! kill -0 $PP" ||
	fail "VDEPLUG_FASTPATH_PIPES=0 client: doorbells $(bells_of $PP)"
wait "$PP" || fail "ping-pong pipe <-> datagram doorbells: $(cat "$TMP/pp.log")"
finish echo
same "$TMP/pp.sent" "$TMP/echo.out" "frames datagram-doorbell client -> pipe client"
same "$TMP/pp.sent" "$TMP/pp.echo" "echoes pipe client -> datagram-doorbell client"
pass "pipe doorbells for our client (vde_datafd() a pipe opened read-write, 4 switch fds); VDEPLUG_FASTPATH_PIPES=0 client on datagram doorbells; 200-frame ping-pong exact"

# --- 2. a switch that grants no pipes ----------------------------------
VDEPLUG_FASTPATH_PIPES=0 our_switch old -n 4
client oldrx -D oldrx -r 50 -t 30 "$TMP/old"
mgmt old port/stats | grep -q "ring:.* bells dgram" || fail "no datagram doorbells: $(mgmt old port/stats)"
"$CLIENT" -n 50 -l 70 -S 22 -o "$TMP/old.sent" "$TMP/old" >/dev/null || fail "sender on the old switch"
finish oldrx
same "$TMP/old.sent" "$TMP/oldrx.out" "ring client of a switch without pipes"
pass "a switch that grants no pipes: our client on datagram doorbells, 50 frames exact"

# --- 3. a client that never reads its doorbell pipe ---------------------
client lazy -D lazy -W "$TMP/never" -t 250 "$SW"
LPID=${CPID[lazy]}
[ "$(bells_of "$LPID")" = pipe ] || fail "lazy client not on pipes"
python3 "$TOOL" sleepy "$LPID" "$(datafd lazy)" 150 "$TMP/sleepy.stop" >"$TMP/sleepy.out" 2>&1 &
SLEEPY=$!
PIDS+=("$SLEEPY")
wait_for grep -q "^sleepy ready" "$TMP/sleepy.out" || fail "sleepy: $(cat "$TMP/sleepy.out")"
# ping-pongs of broadcasts (an echo client, a sender that waits for each
# echo): the frames ring the sleepy client whenever the switch finds it
# asleep, and its pipe (8192 bytes) fills on the way. How many frames that
# takes depends on the scheduling (a slower build delivers in bigger
# batches: 13000 round trips gave 3886 doorbells under ASan on a loaded
# machine), so rounds of 3000 go on until the pipe is full (at most 60).
# ppall.*: what every round's sender sent and got back, echo.all what the
# echo clients received; a last round of 300 larger frames then runs next to
# the full pipe, before the sleepy client stops.
: >"$TMP/ppall.sent"; : >"$TMP/ppall.echo"; : >"$TMP/echo.all"
pingpong() {	# ROUND FRAMES LEN
	client "echo$1" -D "echo$1" -e -r "$2" -t 150 "$SW"
	"$CLIENT" -P -r "$2" -n "$2" -l "$3" -S "$1" -t 120 -o "$TMP/pp$1.sent" "$SW" \
		>"$TMP/pp$1.echo" 2>"$TMP/pp$1.log" ||
		fail "ping-pong $1 while the doorbell pipe fills: $(cat "$TMP/pp$1.log")"
	finish "echo$1"
	cat "$TMP/pp$1.sent" >>"$TMP/ppall.sent"
	cat "$TMP/pp$1.echo" >>"$TMP/ppall.echo"
	cat "$TMP/echo$1.out" >>"$TMP/echo.all"
}
round=0
until grep -q "^sleepy full" "$TMP/sleepy.out"; do
	round=$((round + 1))
	[ "$round" -le 60 ] || fail "the lazy client's pipe was not filled by 60 x 3000 round trips: $(cat "$TMP/sleepy.out"); $(mgmt sw port/stats | grep -B1 "ring:")"
	pingpong "$round" 3000 100
done
# the pipe full: the others still forward, exactly, and the switch's
# doorbells to the sleepy client find the pipe full
pingpong 99 300 1000
: >"$TMP/sleepy.stop"
wait "$SLEEPY" || fail "sleepy: $(cat "$TMP/sleepy.out")"
full=$(sed -n 's/^pipe \([0-9]*\) .*/\1/p' "$TMP/sleepy.out")
[ "${full:-0}" -ge 8192 ] || fail "the lazy client's pipe was not filled: $(cat "$TMP/sleepy.out")"
same "$TMP/ppall.sent" "$TMP/echo.all" "ping-pongs while and after the doorbell pipe fills"
same "$TMP/ppall.sent" "$TMP/ppall.echo" "their echoes"
tx=$(stat_of "$LPID" doorbells_tx)
[ "${tx:-0}" -gt "$full" ] || fail "the switch rang $tx times, no more than the pipe holds ($full)"
kill -0 "$SWPID" || fail "the switch died"
t1=$(cpu_ticks "$SWPID")
sleep 1	# a measuring window, not a synchronisation
[ $(( $(cpu_ticks "$SWPID") - t1 )) -lt 20 ] || fail "the switch spins next to a full doorbell pipe"
pass "a client that never reads its doorbell pipe: pipe full ($full bytes) after $round round(s) of 3000 round trips, $tx doorbells tried, $(wc -l <"$TMP/ppall.sent") frames of others' ping-pongs exact, switch idle after"
kill "$LPID"; wait "$LPID" 2>/dev/null

# --- 4. a frame on a ring endpoint's data socket -------------------------
for feat in 2 0; do
	rm -f "$TMP/hold"
	python3 "$TOOL" stray "$SW" "$feat" "$TMP/hold" >"$TMP/stray.out" 2>&1 &
	ST=$!
	PIDS+=("$ST")
	wait_for grep -q "^stray sent" "$TMP/stray.out" || fail "stray: $(cat "$TMP/stray.out")"
	nfds=$(awk '{ print $3 }' "$TMP/stray.out")
	[ "$feat" = 2 ] && [ "$nfds" != 4 ] && fail "an OFFER with pipes carried $nfds fds, not 4"
	[ "$feat" = 0 ] && [ "$nfds" != 1 ] && fail "an OFFER without pipes carried $nfds fds, not 1"
	wait_for eval "[ \"\$(stat_of $ST stray)\" = 1 ]" ||
		fail "features $feat: a frame on the data socket not counted: $(mgmt sw port/stats)"
	touch "$TMP/hold"
	wait "$ST" || fail "stray: $(cat "$TMP/stray.out")"
done
kill -0 "$SWPID" || fail "the switch died"
pass "a frame on a ring endpoint's data socket: counted (stray 1) with pipe and with datagram doorbells"

# --- 5. the switch killed under a QEMU-style poller ----------------------
# We hold a writer of s2c (vde_datafd() is opened read-write), so the
# switch's end closing is no EOF: vde_datafd() just never becomes readable
# again, as a VDE 2 datagram socket whose switch died; vde_ctlfd() tells.
client q -D q -r 1000 -t 4 "$SW"
QPID=${CPID[q]}
[ "$(bells_of "$QPID")" = pipe ] || fail "poller not on pipes"
kill "$SWPID"
wait_for eval '! kill -0 "$SWPID" 2>/dev/null' || fail "the switch did not exit"
c0=$(cpu_ticks "$QPID")
sleep 1	# a measuring window, not a synchronisation
c1=$(cpu_ticks "$QPID")
[ $((c1 - c0)) -le 5 ] || fail "the poller used $((c1 - c0)) ticks in 1 s after the switch died (spinning)"
wait "$QPID"
pass "switch killed: vde_datafd() stays quiet under a poller ($((c1 - c0)) ticks in 1 s)"
