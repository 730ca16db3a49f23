#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-plug-cable.sh - vde_plug between two switches: the two-VNL form
# (vde_plug VNL1 VNL2), the "= COMMAND" form, -d with a pidfile; the cable
# ends when a switch goes away; -p/--port/-D reach the switch; command-line
# errors are clear; login-shell
# use (-c) runs only a stream-mode vde_plug.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/plug-lib.sh"

MAC_A=02:00:00:00:01:0a
MAC_B=02:00:00:00:01:0b
SIZES=${PLUG_TEST_SIZES:-"60 1514 9000"}

# check_cable TAG: a on sw1 and b on sw2 exchange frames both ways
check_cable() { cable_frames "$1" $MAC_A $MAC_B $SIZES; }

start_switch sw1
start_switch sw2

# 1. two-VNL cable, ended by sw2 going away
bg cable.log "$PLUG" -v "$TMP/sw1" "$TMP/sw2"
cable=$LASTPID
wait_for nconnected cable.log 2 || fail "cable did not connect"
check_cable c
kill "${PID[sw2]}"
wait_exit "$cable"
[ "$RC" = 0 ] || fail "cable exit status $RC when a switch went away"
restart_switch sw2

# 2. "= COMMAND": the stream goes through a second vde_plug
bg cmd.log "$PLUG" -v "$TMP/sw1" = "$PLUG" -v "$TMP/sw2"
cmdplug=$LASTPID
wait_for nconnected cmd.log 2 || fail "= COMMAND did not connect"
check_cable m
# the command ends (its switch goes away): the outer plug ends too, status 0
kill "${PID[sw2]}"
wait_exit "$cmdplug"
[ "$RC" = 0 ] || fail "= COMMAND exit status $RC"
restart_switch sw2

# "= COMMAND" that fails: its status is ours; one that cannot run: 127
"$PLUG" "$TMP/sw1" = sh -c 'exit 5' </dev/null 2>"$TMP/err"; rc=$?
[ $rc = 5 ] || fail "= COMMAND exiting 5: status $rc"
"$PLUG" "$TMP/sw1" = no-such-command-vdekit </dev/null 2>"$TMP/err"; rc=$?
[ $rc = 127 ] || fail "= missing command: status $rc"
grep -q "cannot run no-such-command-vdekit" "$TMP/err" || fail "= missing command: $(cat "$TMP/err")"

# 3. -d with a pidfile: returns at once; the pidfile (the readiness signal)
#    names the live daemon
"$PLUG" -d -p "$TMP/plug.pid" "$TMP/sw1" "$TMP/sw2" >"$TMP/daemon.log" 2>&1 ||
	fail "vde_plug -d failed"
wait_for test -s "$TMP/plug.pid" || fail "no pidfile from vde_plug -d"
dpid=$(cat "$TMP/plug.pid")
PIDS+=("$dpid")
[ "$(tr -d '\n' <"/proc/$dpid/comm")" = vde_plug ] || fail "pidfile does not name vde_plug"
check_cable d
kill "$dpid"
wait_for test ! -e "$TMP/plug.pid" || fail "pidfile not removed at exit"
"$PLUG" --pidfile "$TMP/plug2.pid" -d "$TMP/sw1" "$TMP/sw2" || fail "--pidfile"
wait_for test -s "$TMP/plug2.pid" || fail "no --pidfile"
dpid=$(cat "$TMP/plug2.pid")
PIDS+=("$dpid")
kill "${PID[sw1]}"
wait_for test ! -e "$TMP/plug2.pid" || fail "daemon did not end with its switch"

# 4. command-line contract
out=$("$PLUG" "$TMP/nonexistent" 2>&1 </dev/null); rc=$?
[ $rc = 1 ] || fail "missing switch: status $rc"
case $out in
"vde_plug: cannot open $TMP/nonexistent: no switch there "*) ;;
*) fail "missing switch message: $out" ;;
esac
"$PLUG" --help >"$TMP/help" 2>&1 || fail "--help status"
grep -q '^usage: vde_plug' "$TMP/help" || fail "--help text"
"$PLUG" -h | cmp - "$TMP/help" || fail "-h differs from --help"
"$PLUG" -V | grep -q '^vde_plug (vdekit) ' || fail "-V"
"$PLUG" --bogus >/dev/null 2>"$TMP/err" && fail "bad option accepted"
grep -q '^usage:' "$TMP/err" || fail "bad option: no usage on stderr"
"$PLUG" -p 0 "$TMP/sw1" 2>/dev/null && fail "port 0 accepted"
"$PLUG" -d "$TMP/sw1" 2>/dev/null && fail "-d in stream mode accepted"
"$PLUG" "$TMP/sw1" = 2>/dev/null && fail "'=' without command accepted"
"$PLUG" a b c 2>/dev/null && fail "three VNLs accepted"

# 5. -p PORT (VDE 2), --port, -D: the switch shows the port and description
VDECMD=$(bin vdecmd)
start_plug p5 -p 5 -D "plug five" "$TMP/sw2"
start_plug p7 --port 7 "$TMP/sw2"
"$VDECMD" "$TMP/sw2.mgmt" port/print >"$TMP/ports" || fail "vdecmd port/print"
grep -A4 '^Port 0005' "$TMP/ports" | grep -q 'plug five' || fail "-p 5 -D: $(cat "$TMP/ports")"
grep -q '^Port 0007' "$TMP/ports" || fail "--port 7: $(cat "$TMP/ports")"
close_in p5
close_in p7
wait_exit "${PID[p5]}"
wait_exit "${PID[p7]}"

# 6. login-shell use (sshd: vde_plug -c 'COMMAND LINE')
restart_switch sw1
for cmd in "sh -c id" "vde_plug $TMP/sw1 = sh" "vde_plug $TMP/sw1 $TMP/sw2" \
	   "vde_plug -d --pidfile $TMP/x.pid $TMP/sw1 $TMP/sw2" "vde_plug -c vde_plug"; do
	"$PLUG" -c "$cmd" </dev/null >/dev/null 2>"$TMP/err" && fail "login shell ran '$cmd'"
	grep -q "VDE cable endpoint" "$TMP/err" || fail "login shell '$cmd': $(cat "$TMP/err")"
done
[ -e "$TMP/x.pid" ] && fail "login shell wrote a pidfile"
SSH_CLIENT="192.0.2.1 40000 22" "$PLUG" -c "vde_plug -v $TMP/sw1" </dev/null 2>"$TMP/err" ||
	fail "login shell refused a stream-mode vde_plug: $(cat "$TMP/err")"
grep -q "connected to $TMP/sw1" "$TMP/err" || fail "login shell: stream mode did not connect"
pass "cable, = COMMAND, -d/-p, CLI, login shell"
