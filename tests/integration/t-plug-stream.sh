#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-plug-stream.sh - vde_plug stream mode on a switch: records written to one
# plug's stdin come out of another plug's stdout byte for byte (broadcast and
# unicast, 60..9234-byte frames, a 1000-frame burst); a plug exits 0 on
# stdin EOF, when its output is closed, on SIGTERM and when its switch goes
# away.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/plug-lib.sh"

MAC_A=02:00:00:00:00:0a
MAC_B=02:00:00:00:00:0b
SIZES=${PLUG_TEST_SIZES:-"60 61 100 1000 1514 1518 4000 9000 9234"}
NF=$(echo $SIZES | wc -w)

start_switch sw
start_plug a "$TMP/sw"
start_plug b "$TMP/sw"

# A -> broadcast: B must get exactly these records
frames $MAC_A ff:ff:ff:ff:ff:ff "hello from a" $SIZES >"$TMP/a2b.bin"
send a "$TMP/a2b.bin"
wait_for records "$NF" "$TMP/b.out" || fail "b got $(python3 "$FRAMES" count "$TMP/b.out") of $NF frames"
cmp "$TMP/a2b.bin" "$TMP/b.out" || fail "frames a->b differ"

# B -> A unicast (the switch learned A's MAC from the broadcasts)
frames $MAC_B $MAC_A "hello from b" $SIZES >"$TMP/b2a.bin"
send b "$TMP/b2a.bin"
wait_for records "$NF" "$TMP/a.out" || fail "a got $(python3 "$FRAMES" count "$TMP/a.out") of $NF frames"
cmp "$TMP/b2a.bin" "$TMP/a.out" || fail "frames b->a differ"

# a record split across writes (header split 1+1) is reassembled
frames $MAC_A $MAC_B "split" 200 >"$TMP/split.bin"
# (the pauses only make separate reads likely; the check holds either way)
head -c 1 "$TMP/split.bin" >&"${IN[a]}"
sleep 0.1
tail -c +2 "$TMP/split.bin" | head -c 50 >&"${IN[a]}"
sleep 0.1
tail -c +52 "$TMP/split.bin" >&"${IN[a]}"
cat "$TMP/a2b.bin" "$TMP/split.bin" >"$TMP/b.expect"
wait_for records $((NF + 1)) "$TMP/b.out" || fail "split record not delivered"
cmp "$TMP/b.expect" "$TMP/b.out" || fail "split record differs"

# a burst of 1000 frames in one write: none lost, none reordered
frames $MAC_A $MAC_B "burst" $(for i in $(seq 1000); do echo 1514; done) >"$TMP/burst.bin"
send a "$TMP/burst.bin"
cat "$TMP/b.expect" "$TMP/burst.bin" >"$TMP/b.expect2"
wait_for records $((NF + 1001)) "$TMP/b.out" ||
	fail "burst: b got $(python3 "$FRAMES" count "$TMP/b.out") of $((NF + 1001)) frames"
cmp "$TMP/b.expect2" "$TMP/b.out" || fail "burst frames differ"

# the reader of its output goes away: d exits 0 at the next frame
mkfifo "$TMP/d.in"
( _close_fifos; "$PLUG" -v "$TMP/sw" <"$TMP/d.in" 2>"$TMP/d.log" | head -c 1 >/dev/null ) &
PIDS+=($!)
dpipeline=$!
exec {dfd}>"$TMP/d.in"
FIFO_FDS+=("$dfd")
wait_for grep -q "connected to" "$TMP/d.log" || fail "plug d did not connect"
frames $MAC_A ff:ff:ff:ff:ff:ff "to d" 60 >"$TMP/d.bin"
# (frames keep coming until head has gone and a write fails)
d_closed() { send a "$TMP/d.bin"; grep -q "output closed" "$TMP/d.log"; }
wait_for d_closed || fail "plug d: $(cat "$TMP/d.log")"
wait_exit "$dpipeline"

# stdin EOF: a exits 0
close_in a
wait_exit "${PID[a]}"
[ "$RC" = 0 ] || fail "vde_plug exit status $RC on stdin EOF"

# SIGTERM: a clean exit, status 0
start_plug c "$TMP/sw"
kill -TERM "${PID[c]}"
wait_exit "${PID[c]}"
[ "$RC" = 0 ] || fail "vde_plug exit status $RC after SIGTERM"
grep -q "terminated by signal" "$TMP/c.log" || fail "no exit reason after SIGTERM"

# the switch goes away: b exits 0 although its stdin stays open
kill "${PID[sw]}"
wait_exit "${PID[b]}"
[ "$RC" = 0 ] || fail "vde_plug exit status $RC when the switch went away"
grep -q "network connection closed" "$TMP/b.log" || fail "no exit reason in -v log"
pass "stream mode"
