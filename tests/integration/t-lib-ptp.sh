#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-lib-ptp.sh - ptp:// cables: between two of our clients (60, 1514 and
# 9000-byte frames; a new client attaches after the previous one left), and
# with Debian's vdeplug4 vde_plug ptp:// in both roles (server/client) and
# both directions, bytes compared exactly. Also VDE 2's "DIR[]" server form.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/lib-helpers.sh"

# --- ours <-> ours; each client leaves with a zero-length datagram, after
# which the server accepts the next one
client srv -e -r 9 -t 30 "ptp://$TMP/p1"
test -S "$TMP/p1" || fail "server socket missing"
i=0
left() { [ "$(grep -c zero-length "$TMP/srv.log")" -ge "$1" ]; }	# polled, not expanded once
for len in 60 1514 9000; do
	# the previous client said goodbye (zero-length datagram) before we attach
	wait_for left $i ||
		fail "server did not see client $i leave"
	"$CLIENT" -P -r 3 -n 3 -l $len -S $((len % 256)) -o "$TMP/c$len.sent" \
		"ptp://$TMP/p1" >"$TMP/c$len.out" || fail "ptp client ($len) failed"
	same "$TMP/c$len.sent" "$TMP/c$len.out" "ptp echo of $len-byte frames"
	i=$((i + 1))
done
finish srv
cat "$TMP"/c60.sent "$TMP"/c1514.sent "$TMP"/c9000.sent >"$TMP/c.sent"
same "$TMP/c.sent" "$TMP/srv.out" "ptp server received"
[ -e "$TMP/p1" ] && fail "server socket not unlinked at close"
[ -e "$TMP/p1+" ] && fail "client socket not unlinked at close"

# --- VDE 2 "DIR[]" is the same server
client srv2 -e -r 2 -t 20 "$TMP/p2[]"
"$CLIENT" -P -r 2 -n 2 -l 100 -o "$TMP/d.sent" "$TMP/p2" >"$TMP/d.out" ||
	fail "client to DIR[] server failed (bare path = p2p client)"
finish srv2
same "$TMP/d.sent" "$TMP/d.out" "DIR[] echo"

# --- our client -> Debian's server, then Debian's server -> our client
deb_plug dsrv "ptp://$TMP/p3"
wait_for test -S "$TMP/p3" || fail "Debian ptp server did not bind"
"$CLIENT" -n 4 -l 1514 -S 7 -o "$TMP/e1.sent" "ptp://$TMP/p3" || fail "client to Debian failed"
"$CLIENT" -n 2 -l 9000 -S 8 -o "$TMP/e2.sent" "ptp://$TMP/p3" || fail "jumbo client to Debian failed"
cat "$TMP/e1.sent" "$TMP/e2.sent" >"$TMP/e.sent"
wait_for nrec "$TMP/dsrv.out" 6 || fail "Debian server got $(python3 "$REC" count "$TMP/dsrv.out") of 6"
python3 "$REC" dec "$TMP/dsrv.out" "$TMP/dsrv.hex" || fail "Debian output has a partial record"
same "$TMP/e.sent" "$TMP/dsrv.hex" "our client -> Debian ptp server"

client c4 -r 3 -t 20 "ptp://$TMP/p3"
"$CLIENT" -n 3 -l 9000 -S 9 -o "$TMP/f.sent" null:// || fail "null:// generator"
python3 "$REC" enc "$TMP/f.sent" "$TMP/f.rec"
cat "$TMP/f.rec" >&"${DIN[dsrv]}"
finish c4
same "$TMP/f.sent" "$TMP/c4.out" "Debian ptp server -> our client"
deb_plug_close dsrv

# --- Debian's client -> our server, then our server -> Debian's client
client srv5 -r 3 -t 20 -n 2 -l 1514 -S 10 -o "$TMP/g.sent" -W "$TMP/go" "ptp://$TMP/p5"
"$CLIENT" -n 3 -l 9000 -S 11 -o "$TMP/h.sent" null:// || fail "null:// generator"
python3 "$REC" enc "$TMP/h.sent" "$TMP/h.rec"
deb_plug dcli "ptp://$TMP/p5"
wait_for test -S "$TMP/p5+" || fail "Debian ptp client did not bind p5+"
touch "$TMP/go"
wait_for nrec "$TMP/dcli.out" 2 || fail "Debian client got $(python3 "$REC" count "$TMP/dcli.out") of 2"
cat "$TMP/h.rec" >&"${DIN[dcli]}"
wait_for nlines "$TMP/srv5.out" 3 || fail "our server got $(wc -l <"$TMP/srv5.out") of 3"
finish srv5
same "$TMP/h.sent" "$TMP/srv5.out" "Debian ptp client -> our server"
python3 "$REC" dec "$TMP/dcli.out" "$TMP/dcli.hex" || fail "Debian output has a partial record"
same "$TMP/g.sent" "$TMP/dcli.hex" "our ptp server -> Debian client"
deb_plug_close dcli
pass "ptp"
