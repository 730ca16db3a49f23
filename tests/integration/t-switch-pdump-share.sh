#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-switch-pdump-share.sh - two of our switches naming one pdump file
# (switch/pdump.c): a FIFO or a regular file takes one pcap stream. The
# second switch is refused with the reason (it wrote a second pcap header
# and its records among the first's into the FIFO, a capture the reader
# could not parse, and truncated and overwrote the first's regular file);
# the first's capture stays whole; the file is free again once the first
# switch names another; /dev/null is shared freely.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/switch-common.sh"
command -v python3 >/dev/null || skip "needs python3"

start_switch a
start_switch b
for s in a b; do
	[ "$(status $s 'plugin/add pdump')" = "1000 Success" ] || fail "$s: plugin/add pdump"
done
# traffic SW N: N 100-byte broadcasts into switch SW (each recorded once:
# no other port gets it)
traffic() {
	{ echo "open p 0"; for _ in $(seq "$2"); do
		echo "send p ff:ff:ff:ff:ff:ff 02:00:00:00:00:0$3 100"; done; } |
		timeout 30 "$PROBE" "$TMP/$1" || fail "traffic into $1"
}
# pcap FILE N: FILE is one pcap header and N whole 100-byte records
pcap() {
	python3 - "$1" "$2" <<'PY'
import struct, sys
data, want = open(sys.argv[1], "rb").read(), int(sys.argv[2])
if data[:4] != b"\xd4\xc3\xb2\xa1":
    sys.exit("no pcap header: %r" % data[:24])
off, n = 24, 0
while off < len(data):
    if off + 16 > len(data):
        sys.exit("record %d at %d: a cut header" % (n, off))
    caplen, wire = struct.unpack_from("<II", data, off + 8)
    if caplen != 100 or wire != 100 or off + 16 + caplen > len(data):
        sys.exit("record %d at %d: caplen %d len %d (%d bytes)" % (n, off, caplen, wire, len(data)))
    off += 16 + caplen
    n += 1
if n != want:
    sys.exit("%d records, want %d" % (n, want))
PY
}
refused() {	# refused SW FILE: pdump/filename FILE refused on SW, with the reason
	local out
	out=$(mgmt "$1" "pdump/filename $2")
	echo "$out" | grep -q '^1022 Invalid argument$' && echo "$out" |
		grep -q "^set_dumper() $2: another switch is dumping into it (one pcap stream per file)$" ||
		fail "$1: pdump/filename $2 not refused with the reason: $out"
}

# a FIFO: this script reads it (and holds it open)
mkfifo "$TMP/cap"
exec 7<>"$TMP/cap"
[ "$(status a "pdump/filename $TMP/cap")" = "1000 Success" ] || fail "a: pdump/filename FIFO"
[ "$(status a 'pdump/active 1')" = "1000 Success" ] || fail "a: pdump/active 1"
refused b "$TMP/cap"
for c in "pdump/filename $TMP/b.cap" "pdump/active 1"; do
	[ "$(status b "$c")" = "1000 Success" ] || fail "b: $c (its own file)"
done
traffic a 5 1
traffic b 3 2
drain_fifo "$TMP/cap" "$TMP/cap.bytes"
out=$(pcap "$TMP/cap.bytes" 5) || fail "the FIFO's capture: $out"
out=$(pcap "$TMP/b.cap" 3) || fail "b's own file: $out"
pass "a FIFO: the second switch refused with the reason, the first's capture whole"

# the first names another file: the FIFO is free for the second
[ "$(status a "pdump/filename $TMP/a.cap")" = "1000 Success" ] || fail "a: pdump/filename a.cap"
[ "$(status b "pdump/filename $TMP/cap")" = "1000 Success" ] || fail "b: the FIFO once a left it"
traffic b 2 2
: >"$TMP/cap.bytes"
drain_fifo "$TMP/cap" "$TMP/cap.bytes"
out=$(pcap "$TMP/cap.bytes" 2) || fail "the FIFO's capture from b: $out"
pass "the FIFO free again once the first switch names another file"

# a regular file: refused, and not truncated
traffic a 4 1
size=$(stat -c %s "$TMP/a.cap")
refused b "$TMP/a.cap"
[ "$(stat -c %s "$TMP/a.cap")" = "$size" ] || fail "a's file truncated by b's attempt"
traffic a 1 1
out=$(pcap "$TMP/a.cap" 5) || fail "a's file: $out"
pass "a regular file: the second switch refused, the first's file whole"

# /dev/null: shared
for s in a b; do
	[ "$(status $s 'pdump/filename /dev/null')" = "1000 Success" ] || fail "$s: /dev/null"
done
pass "/dev/null shared by both"
exec 7>&-
