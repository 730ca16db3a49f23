#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-lib-cmd.sh - cmd:// (frames in stream framing through a command's
# stdin/stdout): loopback through cat (bursts of many frames, 14..9234
# bytes: one vde_recv per frame and poll() on the data fd never misses a
# buffered frame), quoting forms and the /bin/sh form, a record split over
# time plus zero-length and corrupt records, EOF when the command exits, a
# missing command, and a jumbo round trip through Debian's vde_plug.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/lib-helpers.sh"

# bursts: all frames are written before any is read back, so cat returns
# several records per read
# (at most ~100 KB in flight: cat and the socket buffers hold it all, so the
# client, which sends everything before reading, cannot deadlock with cat)
for len in 14 60 1514 9000 9234; do
	n=20
	[ $len -gt 1514 ] && n=10
	"$CLIENT" -n $n -r $n -l $len -S $((len % 256)) -o "$TMP/a$len.sent" -t 20 cmd://cat \
		>"$TMP/a$len.out" 2>"$TMP/a$len.log" || fail "cmd://cat ($len): $(cat "$TMP/a$len.log")"
	same "$TMP/a$len.sent" "$TMP/a$len.out" "cmd://cat $len-byte frames"
done

"$CLIENT" -n 3 -r 3 -o "$TMP/b.sent" 'cmd://"sh -c cat"' >"$TMP/b.out" || fail 'cmd://"sh -c cat"'
same "$TMP/b.sent" "$TMP/b.out" 'cmd://"sh -c cat"'
"$CLIENT" -n 3 -r 3 -o "$TMP/c.sent" "cmd://cat | cat" >"$TMP/c.out" || fail "cmd://cat | cat"
same "$TMP/c.sent" "$TMP/c.out" "cmd://cat | cat (shell)"

# a zero-length record, a corrupt header (resync), then a frame whose
# header is split 1+1 across a pause
"$CLIENT" -r 1 -t 10 "cmd://printf '\\000\\000\\377\\377\\000'; sleep 0.3; printf '\\016abcdefghijklmn'; exec sleep 5" \
	>"$TMP/d.out" || fail "split record not received"
[ "$(cat "$TMP/d.out")" = 6162636465666768696a6b6c6d6e ] || fail "split record: got $(cat "$TMP/d.out")"

# the command exits: end of stream
out=$("$CLIENT" -r 1 -t 10 cmd://true 2>&1) || fail "cmd://true: $out"
echo "$out" | grep -q zero-length || fail "cmd://true: no end of stream seen: $out"

out=$("$CLIENT" -F cmd://vdekit-no-such-command-here) || fail "missing command: $out"
[ "$out" = "open failed: ENOENT" ] || fail "missing command gave '$out'"

# through Debian's vde_plug (its vdestream) to our ptp echo server; without
# our LD_LIBRARY_PATH (set by libtool's wrapper), which would make it load
# our libvdeplug.so.2 and so our own stream code
client srv -e -r 6 -t 30 "ptp://$TMP/q"
"$CLIENT" -P -r 6 -n 6 -l 9000 -o "$TMP/e.sent" "cmd://env -u LD_LIBRARY_PATH $DEB_PLUG ptp://$TMP/q" >"$TMP/e.out" ||
	fail "cmd://vde_plug round trip failed"
finish srv
same "$TMP/e.sent" "$TMP/e.out" "cmd:// via Debian's vde_plug (9000-byte frames)"
same "$TMP/e.sent" "$TMP/srv.out" "ptp server behind Debian's vde_plug"
pass "cmd"
