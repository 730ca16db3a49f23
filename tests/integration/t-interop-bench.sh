#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-interop-bench.sh - smoke test of the benchmark tool (not a benchmark).
#
# Runs vdebench with tiny counts so it cannot rot: the raw socketpair modes,
# then fwd and rtt through our switch. Asserts only that the tool works and
# its checks hold (frames delivered intact, pings answered), never a rate.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/interop-lib.sh"

VB=$top_builddir/bench/vdebench
[ -x "$VB" ] || fail "$VB not built"
"$VB" --help | grep -q '^usage: vdebench fwd' || fail "vdebench --help"
"$VB" fwd -n 10 2>/dev/null && fail "vdebench fwd without -s must fail"
"$VB" raw -l 10 2>/dev/null && fail "vdebench accepted a 10-byte frame"

# field VALUE-LINE KEY
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

out=$("$VB" raw -l 1500 -n 2000) || fail "vdebench raw failed"
[ "$(field "$out" delivered)" = 2000 ] || fail "raw: socketpair lost frames: $out"
[ "$(field "$out" bad_data)" = 0 ] || fail "raw: corrupt frames: $out"
out=$("$VB" rawrtt -n 200 -w 10) || fail "vdebench rawrtt failed"
[ "$(field "$out" pings)" = 200 ] || fail "rawrtt: $out"

SW=$TMP/sw
start_switch sw "$(bin vde_switch)" "$SW"
for len in 64 1514; do
	out=$("$VB" fwd -s "$SW" -l $len -n 2000 -L ours) || fail "vdebench fwd -l $len failed"
	echo "$out"
	[ "$(field "$out" delivered)" -gt 0 ] || fail "fwd $len: nothing delivered: $out"
	[ "$(field "$out" bad_data)" = 0 ] && [ "$(field "$out" bad_len)" = 0 ] ||
		fail "fwd $len: frames changed by the switch: $out"
done
wait_endpoints sw 0 || fail "vdebench left ports behind"
out=$("$VB" rtt -s "$SW" -n 200 -w 10 -L ours) || fail "vdebench rtt failed"
echo "$out"
[ "$(field "$out" pings)" = 200 ] || fail "rtt: $out"
pass "vdebench works"
