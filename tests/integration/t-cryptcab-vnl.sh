#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-cryptcab-vnl.sh - vde_cryptcab -s takes any VNL: a VDE byte stream on
# stdin/stdout ("-s -", here behind dpipe and vde_plug), frames both ways;
# and (root) a tap (-s tap://IF) in a network namespace of its own, pinged
# through the cable from another namespace whose switch has a tap port.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/cryptcab-lib.sh"
DPIPE=$(bin dpipe)
PLUG=$(bin vde_plug)

start_sw sw0
start_sw swc
mkkey "$TMP/psk" genpsk
PS=$(free_port)
start_cab srv -s "$TMP/sw0" -p "$PS" -P "$TMP/psk"
spawn cli.log "$DPIPE" "$PLUG" "$TMP/swc" = "$CAB" -v -s - -c "127.0.0.1:$PS" -P "$TMP/psk"
for s in sw0 swc; do
	spawn "r.$s.txt" "$CLIENT" -r 100000 -t 100 -R "$TMP/r.$s.ready" "$TMP/$s"
	wait_for test -e "$TMP/r.$s.ready" || fail "receiver on $s"
done
has() { grep -q "^ffffffffffff02000000$(printf %02x "$2")" "$TMP/r.$1.txt"; }
for try in 1 2 3 4 5; do
	"$CLIENT" -n 1 -l 100 -S 31 "$TMP/swc" || fail sender
	WAIT_SECS=2 wait_for has sw0 31 && break
done
has sw0 31 || fail "no frame from the stdin/stdout client"
"$CLIENT" -n 1 -l 300 -S 32 "$TMP/sw0" || fail sender
WAIT_SECS=5 wait_for has swc 32 || fail "no frame to the stdin/stdout client"
pass "-s -: frames both ways through a VDE stream on stdin/stdout"

need_root
mkns a b
mkkey "$TMP/srv.key" genkey
mkkey "$TMP/cli.key" genkey
printf 'private-key %s\npeer %s\n' "$TMP/srv.key" "$("$CAB" pubkey <"$TMP/cli.key")" >"$TMP/srv.conf"
printf 'private-key %s\npeer %s endpoint 127.0.0.1:7667\n' "$TMP/cli.key" \
	"$("$CAB" pubkey <"$TMP/srv.key")" >"$TMP/cli.conf"
n a ip link set lo up
# a: the cable's server end on a tap; b: a switch with a tap port, whose
# socket (a path, not netns-scoped) the client end in a plugs into
spawn swb.log n b "$(bin vde_switch)" -s "$TMP/swb" --nostdin -t tap0 -p "$TMP/swb.pid"
wait_for test -s "$TMP/swb.pid" || fail "switch in b"
spawn tsrv.log n a "$CAB" -v -s tap://ctap0 -f "$TMP/srv.conf" --pidfile "$TMP/tsrv.pid"
wait_for test -s "$TMP/tsrv.pid" || fail "tap cable server"
spawn tcli.log n a "$CAB" -v -s "$TMP/swb" -f "$TMP/cli.conf" --pidfile "$TMP/tcli.pid"
wait_for test -s "$TMP/tcli.pid" || fail "tap cable client"
ipn a addr add 10.91.0.1/24 dev ctap0 && ipn a link set ctap0 up || fail "ctap0 in a"
ipn b addr add 10.91.0.2/24 dev tap0 && ipn b link set tap0 up || fail "tap0 in b"
WAIT_SECS=15 wait_for n a ping -c 1 -W 1 10.91.0.2 >/dev/null || fail "no ping through the tap cable"
n a ping -c 3 -i 0.2 -W 2 10.91.0.2 >/dev/null || fail "pings lost through the tap cable"
pass "-s tap://ctap0: ping from namespace a through the cable to b's switch tap"
