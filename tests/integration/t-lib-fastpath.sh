#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-lib-fastpath.sh - the fast path is negotiated, never assumed: with a
# real switch whose directory holds a .fastpath socket that does not grant
# rings (refuses, closes, answers garbage, offers without a memfd) or a
# .fastpath that is not a socket, our libvdeplug asks once and then carries
# every frame, byte for byte, over the VDE 2 datagram path; with
# VDEPLUG_FASTPATH=0 it does not even connect.
TEST_TIMEOUT=120
. "$top_srcdir/tests/lib/env.sh"
# about the rings themselves (NOFASTPATH_RING_TESTS in tests/integration/local.am)
[ "${VDEPLUG_FASTPATH-}" = 0 ] && skip "needs the fast path on: VDEPLUG_FASTPATH=0 is in the environment"
. "$top_srcdir/tests/integration/lib-helpers.sh"
PEER=$top_srcdir/tests/integration/fastpath-peer.py

if [ -n "$OUR_SWITCH" ]; then our_switch sw -n 8; else deb_switch sw -n 8; fi
FP=$TMP/sw/.fastpath

# run NAME: an echoing receiver and a ping-pong sender through the switch
run() {
	local name=$1; shift
	client "$name-rx" -e -r 12 -t 30 "$TMP/sw"
	env "$@" "$CLIENT" -P -r 12 -n 12 -l 1514 -S 7 -o "$TMP/$name.sent" "$TMP/sw" \
		>"$TMP/$name.echo" 2>"$TMP/$name.log" || fail "$name: sender failed: $(cat "$TMP/$name.log")"
	finish "$name-rx"
	same "$TMP/$name.sent" "$TMP/$name-rx.out" "$name: frames through the switch"
	same "$TMP/$name.sent" "$TMP/$name.echo" "$name: echoed frames"
}

for mode in refuse eof garbage offer-nofd; do
	: >"$TMP/peer-$mode.log"
	python3 "$PEER" "$FP" "$mode" "$TMP/peer-$mode.log" 2>"$TMP/peer-$mode.err" &
	PIDS+=($!)
	ppid=$!
	wait_for grep -q listening "$TMP/peer-$mode.log" || fail "$mode: peer did not start"
	run "$mode"
	# both clients asked, with a well-formed REQUEST
	[ "$(grep -c 'REQUEST-OK' "$TMP/peer-$mode.log")" = 2 ] ||
		fail "$mode: the library did not ask as expected: $(cat "$TMP/peer-$mode.log")"
	kill "$ppid"; wait "$ppid" 2>/dev/null
	pass "$mode: asked, then datagrams"
done

# VDEPLUG_FASTPATH=0: not even a connection
: >"$TMP/peer-off.log"
python3 "$PEER" "$FP" refuse "$TMP/peer-off.log" 2>"$TMP/peer-off.err" &
PIDS+=($!)
ppid=$!
wait_for grep -q listening "$TMP/peer-off.log" || fail "off: peer did not start"
export VDEPLUG_FASTPATH=0
run off VDEPLUG_FASTPATH=0
unset VDEPLUG_FASTPATH
grep -q conn "$TMP/peer-off.log" && fail "VDEPLUG_FASTPATH=0 still connected: $(cat "$TMP/peer-off.log")"
kill "$ppid"; wait "$ppid" 2>/dev/null
pass "VDEPLUG_FASTPATH=0: no connection"

# not a socket
rm -f "$FP"; echo junk >"$FP"
run file
pass ".fastpath that is a file: datagrams"
