#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-tap-switch.sh - two network namespaces, each with a vde_plug2tap (run
# inside it, so its transient tap0 is created there) on one of our
# switches: ping both ways, a 4 MiB TCP transfer with its bytes compared
# (socat + cmp), MTU 9000 on both taps with 8972-byte don't-fragment pings,
# a second vde_plug2tap on a busy tap0 is refused clearly, deleting a tap
# ends its vde_plug2tap with status 0 and a message, and the switch going
# away ends the other one the same way.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/tap-lib.sh"
need_root
bin vde_plug2tap >/dev/null
TEST_TIMEOUT=${TEST_TIMEOUT:-120}

mkns a b
start_sw sw
spawn a.log n a vde_plug2tap -s "$TMP/sw" tap0
PA=$LASTPID
spawn b.log n b vde_plug2tap -s "$TMP/sw" tap0
PB=$LASTPID
tap_up a tap0 10.77.0.1
tap_up b tap0 10.77.0.2

ping_both a 10.77.0.1 b 10.77.0.2
pass "ping both ways"

# TCP: 4 MiB of random bytes from a to b, compared
xfer a b 10.77.0.2 5001 4194304
pass "4 MiB TCP transfer intact"

# jumbo frames: 8972 bytes of ICMP payload = 9014-byte frames, no fragmentation
jumbo_pings a 10.77.0.1 b 10.77.0.2
pass "MTU 9000"

# busy tap
out=$(n a vde_plug2tap -s "$TMP/sw" tap0 2>&1) && fail "second vde_plug2tap on tap0 succeeded"
[[ "$out" == *"tap tap0 is busy"* ]] || fail "busy tap message: $out"
pass "busy tap refused: $out"

# the tap deleted: a ends, status 0, with a message
ipn a link del tap0 || fail "link del"
wait_gone "$PA"
[ "$RC" = 0 ] || fail "vde_plug2tap exited $RC after its tap was deleted"
grep -q "tap interface deleted" "$TMP/a.log" || fail "no message: $(cat "$TMP/a.log")"
pass "tap deleted: $(cat "$TMP/a.log")"

# the switch goes away: b ends, status 0, with a message; its tap goes too
kill "$PSW"
wait_gone "$PB"
[ "$RC" = 0 ] || fail "vde_plug2tap exited $RC after the switch went away"
grep -q "switch closed the connection" "$TMP/b.log" || fail "no message: $(cat "$TMP/b.log")"
ipn b link show tap0 >/dev/null 2>&1 && fail "transient tap0 survived vde_plug2tap"
pass "switch gone: $(cat "$TMP/b.log")"
