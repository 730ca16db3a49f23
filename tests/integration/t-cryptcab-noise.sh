#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-cryptcab-noise.sh - the C handshake equals python3-dissononce's, byte for byte
# (msg1, msg2, both transport keys, first transport message), with and without PSK.
. "$top_srcdir/tests/lib/env.sh"
PY=/usr/bin/python3
[ -x "$PY" ] || skip "no /usr/bin/python3"
"$PY" -c 'import dissononce' 2>/dev/null || skip "python3-dissononce not installed"
KAT="$top_builddir/tests/unit/test_cable_noise"
[ -x "$KAT" ] || fail "$KAT not built"
for mode in psk nopsk; do
	"$PY" "$top_srcdir/tests/cryptcab/noise_vectors.py" $mode >"$TMP/py.$mode" || fail "dissononce script ($mode)"
	"$KAT" --vectors $mode >"$TMP/c.$mode" || fail "C vectors ($mode)"
	[ "$(wc -l <"$TMP/py.$mode")" = 5 ] || fail "dissononce printed $(cat "$TMP/py.$mode")"
	diff "$TMP/py.$mode" "$TMP/c.$mode" || fail "handshake differs from dissononce ($mode)"
	pass "$mode: $(cut -d' ' -f1 "$TMP/c.$mode" | tr '\n' ' ')identical"
done
