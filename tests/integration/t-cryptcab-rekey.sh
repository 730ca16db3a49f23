#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-cryptcab-rekey.sh - the daemons' timers with an injected clock (console
# debug/clock): +121 s on the client rekeys on send, +166 s rekeys on
# receive, +181 s makes the key unusable (frames staged, new handshake), and
# +541 s on both sides wipes every key. No frame may be lost at any step.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/cryptcab-lib.sh"

start_sw sw1
start_sw sw2
mkkey "$TMP/psk" genpsk
PS=$(free_port)
start_cab srv -s "$TMP/sw1" -p "$PS" -P "$TMP/psk"
start_cab cli -s "$TMP/sw2" -c "127.0.0.1:$PS" -P "$TMP/psk"
spawn r1.txt "$CLIENT" -r 100000 -t 100 -R "$TMP/r1.ready" "$TMP/sw1"
spawn r2.txt "$CLIENT" -r 100000 -t 100 -R "$TMP/r2.ready" "$TMP/sw2"
wait_for test -e "$TMP/r1.ready" -a -e "$TMP/r2.ready" || fail "receivers"
count() { grep -c "^ffffffffffff02000000$(printf %02x "$2")" "$TMP/$1"; }
got() { [ "$(count "$1" "$2")" -ge "$3" ]; }
for try in 1 2 3 4 5; do
	"$CLIENT" -n 1 -l 100 -S 1 "$TMP/sw2" || fail sender
	WAIT_SECS=2 wait_for got r1.txt 1 1 && break
done
got r1.txt 1 1 || fail "no session"
stat_ge() { [ "$(cab_stat "$1" "$2")" -ge "$3" ]; }
# A rekey INIT that reaches the server within 20 ms (server time) of the
# previous one is refused as a flood (WireGuard's INITIATIONS_PER_SECOND);
# the client retries after REKEY_TIMEOUT (5 s + jitter), so waits for a new
# handshake allow for one retry.
hs_wait() { WAIT_SECS=12 wait_for "$@"; }

burst() {	# burst FROM_SW TO_FILE SEED
	"$CLIENT" -n 20 -l 300 -S "$3" "$TMP/$1" || fail sender
	WAIT_SECS=10 wait_for got "$2" "$3" 20 || fail "seed $3: $(count "$2" "$3") of 20 frames arrived"
}

i0=$(cab_stat srv rx_init)
cab_cmd cli "debug/clock 121" >/dev/null
burst sw2 r1.txt 2
hs_wait stat_ge srv rx_init $((i0 + 1)) || fail "+121 s: no rekey on send"
pass "+121 s: 20/20 frames, rekeyed on send"

i0=$(cab_stat srv rx_init)
cab_cmd cli "debug/clock 166" >/dev/null
burst sw1 r2.txt 3
hs_wait stat_ge srv rx_init $((i0 + 1)) || fail "+166 s: no rekey on receive"
pass "+166 s: 20/20 frames, rekeyed on receive"

i0=$(cab_stat srv rx_init); s0=$(cab_stat cli tx_staged)
cab_cmd cli "debug/clock 181" >/dev/null
burst sw2 r1.txt 4
hs_wait stat_ge srv rx_init $((i0 + 1)) || fail "+181 s: no new handshake"
[ "$(cab_stat cli tx_staged)" -gt "$s0" ] || fail "+181 s: frames sent on an expired key"
[ "$(cab_stat cli tx_staged_drop)" = 0 ] || fail "staged frames dropped"
pass "+181 s: expired key not used, frames staged and delivered after the handshake"

cab_cmd srv "debug/clock 541" >/dev/null
cab_cmd cli "debug/clock 541" >/dev/null
wait_for stat_ge srv keys_zeroed 1 && wait_for stat_ge cli keys_zeroed 1 || fail "+541 s: keys not wiped"
pass "+541 s of silence: keys wiped on both sides"
for s in srv cli; do
	for c in rx_replay rx_auth_fail rx_malformed rx_bad_mac1 rx_handshake_fail; do
		[ "$(cab_stat $s $c)" = 0 ] || fail "$s $c = $(cab_stat $s $c)"
	done
done
