#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-wirefilter-resync.sh - a damaged byte stream into wirefilter: the bytes
# it skips to find the next record and the empty records are counted, on
# the console (showinfo's "Stream" line) and in its JSON, and the good
# frames around the damage all come out.
. "$top_srcdir/tests/lib/env.sh"
WF=$(bin wirefilter)

mkfifo "$TMP/in"
# record = 2-byte big-endian length + frame; garbage = 5 bytes 0xff, each
# an impossible length that makes the parser slide one byte; then two
# zero-length records
python3 - "$TMP/stream" <<'PY'
import struct, sys
frame = lambda n: bytes([0xff] * 6 + [2, 0, 0, 0, 0, n] + [0x88, 0xb5]) + bytes(46)
rec = lambda f: struct.pack(">H", len(f)) + f
data = rec(frame(1)) + b"\xff" * 5 + rec(frame(2)) + b"\0\0\0\0" + rec(frame(3))
open(sys.argv[1], "wb").write(data)
PY
spawn wf.log sh -c 'exec "$0" -M "$1/wf.mgmt" <"$1/in" >"$1/out"' "$WF" "$TMP"
exec 7>"$TMP/in"
wait_for test -S "$TMP/wf.mgmt" || fail "console did not appear: $(cat "$TMP/wf.log")"
cat "$TMP/stream" >&7
wait_for eval '[ "$(stat -c %s "$TMP/out")" = $((3 * 62)) ]' ||
	fail "frames out: $(stat -c %s "$TMP/out") bytes, expected 3 records of 62"
out=$(printf 'showinfo\nlogout\n' | socat -t 5 - "UNIX-CONNECT:$TMP/wf.mgmt")
[[ "$out" == *"Stream L->R resync-bytes 5 empty-records 2"* ]] ||
	fail "showinfo has no resync counters: $out"
js=$(vdecmd -j "$TMP/wf.mgmt" showinfo) || fail "vdecmd -j showinfo"
python3 -c '
import json, sys
d = json.loads(sys.argv[1])
s = json.dumps(d)
assert "\"stream_resync_bytes\": 5" in s and "\"stream_empty_records\": 2" in s, s' "$js" ||
	fail "JSON: $js"
exec 7>&-
pass "5 garbage bytes skipped and 2 empty records counted (text and JSON); the 3 frames came out"
