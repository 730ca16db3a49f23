#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-lab.sh - the README's main job ends in scripts/lab.sh: it must build its
# namespaces, carry pings and a checked TCP transfer across the wirefilter
# cable, print the tables, and leave no namespace behind.
. "$top_srcdir/tests/lib/env.sh"
need_root
TEST_TIMEOUT=150

bash "$top_srcdir/scripts/lab.sh" "$top_builddir" >"$TMP/lab.log" 2>&1 &
LAB=$!
PIDS+=("$LAB")
wait "$LAB" || { cat "$TMP/lab.log"; fail "lab.sh failed"; }
grep -q '2 MiB arrived intact' "$TMP/lab.log" || fail "no checked transfer: $(tail -5 "$TMP/lab.log")"
grep -q '^Port 0001 untagged_vlan' "$TMP/lab.log" || fail "no port table"
grep -q 'Addr: 02:00:00:00:99:01' "$TMP/lab.log" || fail "h1's MAC not in sw1's table"
grep -q '^Stats' "$TMP/lab.log" || fail "no cable counters"
# sw1's clients (h1's and h2's vde_plug2tap, the cable's vde_plug) are all on
# our library: shared-memory rings, or datagrams with VDEPLUG_FASTPATH=0
ports=$(sed -n '/^== sw1: port\/print/,/^== sw1: hash/p' "$TMP/lab.log")
all=$(grep -c -- '-- endpoint' <<<"$ports")
kind=$(grep -cE -- "-- endpoint .*module $RING_KIND +:" <<<"$ports")
[ "$all" = 3 ] && [ "$kind" = 3 ] ||
	fail "sw1: $kind of $all endpoints of kind $RING_KIND, want 3 of 3: $ports"
[ "${VDEPLUG_FASTPATH-}" = 0 ] && FASTPATH_CHECKED=$((FASTPATH_CHECKED + 1))
pass "sw1's three clients of our library on endpoints of kind $RING_KIND"
! ip netns list | grep -q "vdelab-$LAB-" || fail "lab left namespaces behind"
pass "lab ran and cleaned up"
