#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-cryptcab-cookie.sh - cookie replies under a flood of forged initiations.
# In a private network namespace, tests/cryptcab/cookieflood.py sends raw
# UDP initiations with a valid mac1 from random source addresses of
# 10.99.0.0/16 to a key-mode server on 10.99.0.1 (FLOOD_PPS, default 5000
# per second, 25 times the global handshake budget; much faster, on a loaded
# machine the server's socket queue overflows and frames are lost whatever
# the cable does). While it runs, a real client starts: its handshake must
# complete within HS_MAX seconds (default 20) through a cookie reply, then
# 200 frames cross byte for byte; the server's drop counters (text and
# JSON) show the flood answered with cookies and almost no public-key work.
# COOKIES=off runs the same with the cookie logic off (debug/cookies off, the
# behaviour before cookies): expected to FAIL, the flood keeps the real
# initiation out of the rate limits it exhausts.
TEST_TIMEOUT=${TEST_TIMEOUT:-150}
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/cryptcab-lib.sh"
need_root
FLOOD="$top_srcdir/tests/cryptcab/cookieflood.py"
VDECMD=$(bin vdecmd)
MODE=${COOKIES:-auto}
HS_MAX=${HS_MAX:-20}
PS=51820

mkns c
n c sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.lo.rp_filter=0 \
	net.ipv4.conf.default.rp_filter=0 || fail "sysctl in the namespace"
ipn c addr add 10.99.0.1/16 dev lo || fail "address on lo"
for k in srv a; do mkkey "$TMP/$k.key" genkey; done
pub() { "$CAB" pubkey <"$TMP/$1.key"; }
printf 'private-key %s\npeer %s\n' "$TMP/srv.key" "$(pub a)" >"$TMP/srv.conf"
printf 'private-key %s\npeer %s endpoint 10.99.0.1:%s\n' "$TMP/a.key" "$(pub srv)" "$PS" >"$TMP/a.conf"

# a cable in the namespace (its switch and console are UNIX sockets, outside)
ncab() {
	local name=$1; shift
	spawn "$name.log" ip netns exec "$ID-c" "$CAB" -v -M "$TMP/$name.mgmt" \
		--pidfile "$TMP/$name.pid" "$@"
	wait_for test -s "$TMP/$name.pid" || fail "cable $name did not start"
	wait_for sock_ready "$TMP/$name.mgmt" || fail "cable $name: no console"
}
stat_ge() { [ "$(cab_stat "$1" "$2")" -ge "$3" ]; }
ms() { echo $(( $(date +%s%N) / 1000000 )); }

start_sw sw0
start_sw swa
ncab srv -s "$TMP/sw0" -p "$PS" -f "$TMP/srv.conf"
cab_cmd srv "debug/cookies $MODE" | grep -qx "cookies $MODE" || fail "debug/cookies $MODE"
spawn flood.out ip netns exec "$ID-c" "$PY" "$FLOOD" 10.99.0.1 "$PS" "$(pub srv)" 100 \
	"${FLOOD_PPS:-5000}"
FLOOD_PID=$LASTPID
wait_for grep -q ready "$TMP/flood.out" || fail "flood did not start: $(cat "$TMP/flood.out")"
if [ "$MODE" = off ]; then
	WAIT_SECS=10 wait_for stat_ge srv rx_ratelimited 1000 || fail "flood not arriving"
else
	WAIT_SECS=10 wait_for sh -c "printf 'showinfo\nlogout\n' | timeout 5 socat - UNIX-CONNECT:$TMP/srv.mgmt | grep -q 'cookies $MODE, under load'" ||
		fail "server not under load: $(cab_cmd srv showinfo; cab_cmd srv stats)"
fi
pass "flood of forged initiations arriving ($MODE): $(cab_stat srv rx_no_cookie) without cookie, $(cab_stat srv rx_ratelimited) rate-limited so far"

# the real client starts during the flood
spawn r1.txt "$CLIENT" -r 100000 -t 100 -R "$TMP/r1.ready" "$TMP/sw0"
wait_for test -e "$TMP/r1.ready" || fail "receiver"
t0=$(ms)
ncab a -s "$TMP/swa" -f "$TMP/a.conf"
up=0
while [ $(( $(ms) - t0 )) -lt $((HS_MAX * 1000)) ]; do
	"$CLIENT" -n 1 -l 100 -S 17 "$TMP/swa" || fail sender
	if WAIT_SECS=1 wait_for stat_ge a handshakes 1; then up=1; break; fi
done
hs_ms=$(( $(ms) - t0 ))
[ $up = 1 ] || fail "no handshake within $HS_MAX s under the flood ($MODE): client $(cab_cmd a stats | grep -E '^(tx_init|rx_cookie|handshakes) ' | tr '\n' ' '), server $(cab_cmd srv stats | grep -E '^(rx_no_cookie|rx_bad_cookie|tx_cookie|rx_ratelimited|rx_init|rx_handshake_fail) ' | tr '\n' ' ')"
WAIT_SECS=5 wait_for grep -q "^ffffffffffff0200000011" "$TMP/r1.txt" || fail "first frame did not cross"
pass "real handshake under the flood in $hs_ms ms (client: $(cab_stat a rx_cookie) cookie reply, $(cab_stat a tx_init) INITs)"

# 200 frames byte for byte while the flood goes on
spawn r2.txt "$CLIENT" -r 200 -t 60 -R "$TMP/r2.ready" "$TMP/sw0"
wait_for test -e "$TMP/r2.ready" || fail "receiver 2"
"$CLIENT" -n 200 -l 300 -S 21 -o "$TMP/sent.txt" "$TMP/swa" || fail "sender of 200 frames"
got21() { [ "$(grep -c "^ffffffffffff0200000015" "$TMP/r2.txt")" -ge 200 ]; }
WAIT_SECS=20 wait_for got21 || fail "only $(grep -c "^ffffffffffff0200000015" "$TMP/r2.txt") of 200 frames arrived"
grep "^ffffffffffff0200000015" "$TMP/r2.txt" | cmp -s - "$TMP/sent.txt" ||
	fail "frames differ from what was sent"
kill -0 "$FLOOD_PID" 2>/dev/null || fail "the flood ended too early: $(cat "$TMP/flood.out")"
pass "200 frames of 300 bytes crossed byte for byte during the flood"

# counters: text and JSON
cab_cmd srv stats >"$TMP/st"
v() { awk -v k="$1" '$1 == k {print $2}' "$TMP/st"; }
[ "$(v rx_no_cookie)" -ge 1000 ] || fail "rx_no_cookie $(v rx_no_cookie)"
[ "$(v tx_cookie)" -eq $(( $(v rx_no_cookie) + $(v rx_bad_cookie) )) ] ||
	fail "tx_cookie $(v tx_cookie) != rx_no_cookie + rx_bad_cookie"
dh=$(( $(v rx_handshake_fail) + $(v rx_init) ))
[ "$dh" -le 160 ] || fail "public-key work on $dh initiations"
[ "$(v rx_init)" -ge 1 ] && [ "$(v handshakes)" -ge 1 ] || fail "server handshakes $(v handshakes)"
[ "$(cab_stat a rx_cookie)" -ge 1 ] || fail "client rx_cookie $(cab_stat a rx_cookie)"
"$VDECMD" -j "$TMP/srv.mgmt" stats >"$TMP/sj" || fail "vdecmd -j stats"
"$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
c = d["counters"]
assert d["under_load"] is True and d["cookies"] == "auto", d
assert c["rx_no_cookie"] >= int(sys.argv[2]) and c["tx_cookie"] >= int(sys.argv[3]), c
for k in ("rx_bad_cookie", "rx_bad_cookie_reply", "rx_cookie"):
    assert k in c, k
' "$TMP/sj" "$(v rx_no_cookie)" "$(v tx_cookie)" || fail "JSON stats: $(cat "$TMP/sj")"
pass "server: $(v rx_no_cookie) initiations answered with a cookie, public-key work on $dh, $(v rx_ratelimited) rate-limited; JSON agrees"

kill "$FLOOD_PID"
wait "$FLOOD_PID" 2>/dev/null
not_loaded() { cab_cmd srv showinfo | grep -q "cookies auto, not under load"; }
WAIT_SECS=5 wait_for not_loaded || fail "still under load after the flood: $(cab_cmd srv showinfo)"
pass "load gone a second after the flood"
