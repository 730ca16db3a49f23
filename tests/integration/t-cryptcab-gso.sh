#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-cryptcab-gso.sh - vde_cryptcab's UDP GSO runs when the kernel refuses
# them: both cable ends run in a namespace whose loopback has MTU 1280, so
# a run of equal-sized datagrams of about 1450 bytes (segments above the
# MTU) is refused (EINVAL); the cable sends that run's datagrams one by one
# (IP fragments them: the cable never sets DF on IPv4), says so once and
# sends one by one from then on. A burst of 32 frames of 1400 bytes from
# switch swc leaves the client end in one batch (the client is stopped
# while the switch queues them) and every frame reaches switch sw0; a
# second burst as well, with no transmit error counted.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/cryptcab-lib.sh"
need_root

mkns c
ipn c link set lo mtu 1280 || fail "lo mtu 1280 in c"
start_sw sw0
start_sw swc
mkkey "$TMP/psk" genpsk
spawn srv.log n c "$CAB" -v -M "$TMP/srv.mgmt" --pidfile "$TMP/srv.pid" -s "$TMP/sw0" \
	-p 7667 -P "$TMP/psk"
wait_for test -s "$TMP/srv.pid" || fail "cable server did not start"
spawn cli.log n c "$CAB" -v -M "$TMP/cli.mgmt" --pidfile "$TMP/cli.pid" -s "$TMP/swc" \
	-c 127.0.0.1:7667 -P "$TMP/psk"
CLI=$LASTPID
wait_for test -s "$TMP/cli.pid" || fail "cable client did not start"
wait_for sock_ready "$TMP/cli.mgmt" || fail "cable client: no console"
spawn r.txt "$CLIENT" -r 100000 -t 100 -R "$TMP/r.ready" "$TMP/sw0"
wait_for test -e "$TMP/r.ready" || fail "receiver on sw0"
# frames from seed S, broadcast (vdeplug_client -S S)
seen() { grep -c "^ffffffffffff02000000$(printf %02x "$1")" "$TMP/r.txt"; }
for try in 1 2 3 4 5; do
	"$CLIENT" -n 1 -l 100 -S 31 "$TMP/swc" || fail sender
	WAIT_SECS=2 wait_for eval '[ "$(seen 31)" -ge 1 ]' && break
done
[ "$(seen 31)" -ge 1 ] || fail "no frame through the cable: $(cat "$TMP/cli.log")"
grep -q "GSO refused" "$TMP/cli.log" && fail "GSO refused before any run: $(cat "$TMP/cli.log")"

# burst S: 32 frames of 1400 bytes while the client end is stopped, so
# that it reads them in one batch and sends one run
burst() {
	kill -STOP "$CLI" || fail "stop the client end"
	"$CLIENT" -n 32 -l 1400 -S "$1" "$TMP/swc" || { kill -CONT "$CLI"; fail sender; }
	kill -CONT "$CLI" || fail "resume the client end"
	WAIT_SECS=20 wait_for eval '[ "$(seen '"$1"')" -ge 32 ]' ||
		fail "burst $1: $(seen "$1") of 32 frames through the cable"
}
burst 41
grep -q "UDP GSO refused, sending datagrams one by one" "$TMP/cli.log" ||
	fail "no GSO run was refused: $(cat "$TMP/cli.log")"
burst 42
[ "$(cab_stat cli tx_data)" -ge 65 ] || fail "client end: tx_data $(cab_stat cli tx_data), want >= 65"
for k in tx_error tx_emsgsize; do
	[ "$(cab_stat cli "$k")" = 0 ] || fail "client end: $k $(cab_stat cli "$k")"
done
[ "$(grep -c "GSO refused" "$TMP/cli.log")" = 1 ] || fail "GSO refused said more than once"
pass "a refused GSO run goes out one datagram at a time, then GSO stays off: 2 x 32 frames through"
