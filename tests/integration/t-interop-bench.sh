#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-interop-bench.sh - smoke test of the benchmark tool (not a benchmark).
#
# Runs vdebench with tiny counts so it cannot rot: the raw socketpair modes,
# then fwd and rtt through our switch. Asserts only that the tool works and
# its checks hold (frames delivered intact, pings answered), never a rate.
# Every bench/*.sh script (not the *-lib.sh it sources) answers -h with its
# header comment and exit 0, and refuses an unknown option with exit 1,
# before it needs root, a build or a namespace.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/interop-lib.sh"

n=0
for f in "$top_srcdir"/bench/*.sh; do
	case $f in *-lib.sh) continue ;; esac
	name=${f##*/}
	out=$(timeout 10 bash "$f" -h </dev/null 2>&1) || fail "$name -h: exit $?: $out"
	echo "$out" | head -1 | grep -q "^# bench/$name - " || fail "$name -h: not its header: $out"
	rc=0
	timeout 10 bash "$f" --no-such-option </dev/null >/dev/null 2>&1 || rc=$?
	[ "$rc" = 1 ] || fail "$name --no-such-option: exit $rc, not 1"
	n=$((n + 1))
done
[ "$n" -ge 10 ] || fail "only $n bench scripts found in $top_srcdir/bench"
pass "$n bench scripts: -h prints the header, an unknown option exits 1"

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
