#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-switch-nofastpath.sh - the main switch tests again with
# VDEPLUG_FASTPATH=0 in the environment of the switches and clients they
# start: no DIR/.fastpath, every client of our library on datagrams, as
# with a VDE 2 peer (the same tests without it run on rings by default).
# t-switch-forward, -vlan and -mirror drive the switch through the raw
# protocol (vdeswitch_probe), t-lib-switch through our library.
TEST_TIMEOUT=400
. "$top_srcdir/tests/lib/env.sh"
export VDEPLUG_FASTPATH=0
for t in t-switch-forward t-switch-vlan t-switch-mirror t-lib-switch; do
	start=$SECONDS
	bash "$top_srcdir/tests/integration/$t.sh" >"$TMP/$t.log" 2>&1
	rc=$?
	[ "$rc" = 77 ] && { echo "# $t skipped: $(tail -1 "$TMP/$t.log")"; continue; }
	[ "$rc" = 0 ] || fail "$t with VDEPLUG_FASTPATH=0 (exit $rc): $(tail -20 "$TMP/$t.log")"
	pass "$t with VDEPLUG_FASTPATH=0 ($((SECONDS - start)) s)"
done
