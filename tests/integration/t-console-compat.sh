#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-console-compat.sh - every console (vde_switch, wirefilter, slirpvde,
# vde_cryptcab) matches commands exactly and runs commands written without a
# newline, as VDE 2 clients expect:
#  - "shu", "shutdow", "logou" are "1038 Function not implemented" (VDE 2's
#    bytes, checked against Debian's vde_switch) and the daemon lives on;
#  - a command written without "\n" (VDE 2's vdeterm: one write per command)
#    gets its answer, byte for byte VDE 2's on the switch; Debian's vdeterm
#    itself, in a pty, drives our switch and wirefilter;
#  - a command split over two writes 50 ms apart still runs once, whole.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/cryptcab-lib.sh"
CC="python3 $top_srcdir/tests/integration/console-client.py"
VDECMD=$(bin vdecmd)
[ -x "$DEB_SWITCH" ] || skip "needs Debian's vde_switch"

"$DEB_SWITCH" -d -s "$TMP/dsw" -M "$TMP/dm" -p "$TMP/dpid" || fail "Debian's switch"
wait_for test -s "$TMP/dpid" || fail "Debian's switch: no pid file"
PIDS+=("$(cat "$TMP/dpid")")
spawn sw.log "$(bin vde_switch)" --nostdin -s "$TMP/sw" -M "$TMP/m"
SWPID=$LASTPID
mkfifo "$TMP/wfin" "$TMP/slin"
exec 7<>"$TMP/wfin" 8<>"$TMP/slin"
spawn wf.log bash -c 'exec "$@" <&7' _ "$(bin wirefilter)" -M "$TMP/wm"
WFPID=$LASTPID
spawn sl.log bash -c 'exec "$@" <&8' _ "$(bin slirpvde)" -s - -M "$TMP/sm"
SLPID=$LASTPID
mkkey "$TMP/psk" genpsk
start_cab cab -s null:// -p "$(free_port)" -P "$TMP/psk"
for s in dm m wm sm cab.mgmt; do
	wait_for sock_ready "$TMP/$s" || fail "no console $s"
done

# --- abbreviations: VDE 2's bytes, nothing runs
want=$($CC send "$TMP/dm" 'shu\n' 'shutdow\n' 'port/showinfo')
[ "$(echo "$want" | head -2)" = '"1038 Function not implemented\n\nvde$ "
"1038 Function not implemented\n\nvde$ "' ] || fail "Debian's vde_switch answers: $want"
got=$($CC send "$TMP/m" 'shu\n' 'shutdow\n' 'port/showinfo')
[ "$got" = "$want" ] || fail "our switch: $got, VDE 2: $want"
kill -0 "$SWPID" || fail "shu shut our switch down"
pass "switch: shu/shutdow are 1038 and a newline-less port/showinfo runs, VDE 2's bytes"

for d in wm:WFPID sm:SLPID cab.mgmt:cab_PID; do
	sock=${d%%:*}; pidvar=${d#*:}
	got=$($CC send "$TMP/$sock" 'shu\n' 'shutdow\n' 'logou\n' 'showinfo')
	[ "$(echo "$got" | head -3 | sed 's/\\n\\n[^"]*\$ "$//')" = '"1038 Function not implemented
"1038 Function not implemented
"1038 Function not implemented' ] || fail "$sock: abbreviations: $got"
	echo "$got" | tail -1 | grep -q "^\"0000 DATA END WITH '.'" ||
		fail "$sock: newline-less showinfo: $got"
	kill -0 "${!pidvar}" || fail "$sock: the daemon died"
	"$VDECMD" "$TMP/$sock" showinfo >/dev/null || fail "$sock: no console after shu"
done
pass "wirefilter, slirpvde, vde_cryptcab: exact matching, newline-less commands"

# --- one command split over two writes without newline: runs once, whole
got=$($CC split "$TMP/wm" 50 "loss" " 7")
[ "$got" = '"1000 Success\n\nVDEwf$ "' ] || fail "split loss 7: $got"
"$VDECMD" -j "$TMP/wm" showinfo | grep -q '"loss":{"LR":{"value":7,' ||
	fail "split command did not set loss 7: $("$VDECMD" "$TMP/wm" showinfo)"
pass "a command split over two writes 50 ms apart"

# --- Debian's vdeterm
if command -v vdeterm >/dev/null; then
	$CC vdeterm "$TMP/m" port/showinfo "Numports=32" >"$TMP/vt1.out" ||
		fail "vdeterm on our switch: $(cat "$TMP/vt1.out")"
	$CC vdeterm "$TMP/wm" showcurrent "Current Markov Node 0" >"$TMP/vt2.out" ||
		fail "vdeterm on our wirefilter: $(cat "$TMP/vt2.out")"
	pass "Debian's vdeterm drives our switch and wirefilter"
else
	echo "vdeterm not installed: Debian's client not tried"
fi
