#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-switch-lifecycle.sh - vde_switch's command line and life cycle: help,
# version, bad options, single-dash long options, modes, rc file, stdin EOF
# (and SIGTERM during its cleanup), the console's shutdown (its log line),
# daemon + pidfile, stale socket replaced, live socket refused, cleanup on
# SIGTERM/SIGINT/SIGHUP, ports that go with their clients while the console
# is busy (port-churn.py).
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/switch-common.sh"

"$SWITCH" -h >"$TMP/h.out" 2>"$TMP/h.err" || fail "-h exit status"
grep -q '^usage: vde_switch' "$TMP/h.out" || fail "-h not on stdout"
[ -s "$TMP/h.err" ] && fail "-h wrote to stderr"
for o in --sock --mgmt --numports --hub --mode --dirmode --group --daemon --pidfile \
	 --rcfile --mgmtmode --mgmtgroup --macaddr --priority --hashsize --nostdin \
	 --debugclients --fstp --tap --version; do
	grep -q -- "$o" "$TMP/h.out" || fail "--help lacks $o"
done
"$SWITCH" --version >"$TMP/v.out" || fail "--version exit status"
grep -q 'VDE 2.3.2' "$TMP/v.out" || fail "--version: $(cat "$TMP/v.out")"
"$SWITCH" -v >/dev/null || fail "-v"
"$SWITCH" --bogus >"$TMP/b.out" 2>"$TMP/b.err"; [ $? = 1 ] || fail "bad option exit status"
grep -q usage "$TMP/b.err" || fail "bad option: no usage on stderr"
"$SWITCH" -n 0 -s "$TMP/x" 2>"$TMP/n.err" </dev/null; [ $? = 1 ] || fail "-n 0 accepted"
grep -q 'numports 0' "$TMP/n.err" || fail "-n 0 message: $(cat "$TMP/n.err")"
"$SWITCH" -n 4x -s "$TMP/x" 2>/dev/null </dev/null; [ $? = 1 ] || fail "-n 4x accepted"
"$SWITCH" -t abcdefghijklmnopq -s "$TMP/x" 2>"$TMP/t.err" </dev/null; [ $? = 1 ] || fail "-t with a 17-byte name accepted"
grep -q "^vde_switch: -t 'abcdefghijklmnopq': an interface name has 1 to 15 characters" "$TMP/t.err" ||
	fail "-t message: $(cat "$TMP/t.err")"
"$SWITCH" -s "$TMP/x" extra 2>/dev/null </dev/null; [ $? = 1 ] || fail "extra argument accepted"
[ -e "$TMP/x" ] && fail "a failed start left $TMP/x"
# a ctl directory whose path is too long for DIR/NNN.FD: refused, and the
# directory the switch made for it is not left behind
long="$TMP/$(printf '%0100d' 0)"
"$SWITCH" -s "$long" 2>"$TMP/l.err" </dev/null; [ $? = 1 ] || fail "too long -s accepted"
grep -q 'ctl directory path too long' "$TMP/l.err" || fail "too long -s message: $(cat "$TMP/l.err")"
[ -e "$long" ] && fail "a too long -s left the directory it made"
# -d with a pid file that cannot be written: exit 1 with a message on the
# terminal (not exit 0 and a line in syslog), nothing left behind
"$SWITCH" -d -s "$TMP/pf" -M "$TMP/pf.mgmt" -p "$TMP/nodir/pf.pid" 2>"$TMP/pf.err" </dev/null
[ $? = 1 ] || fail "-d with an unwritable pid file: exit status"
grep -q "pidfile $TMP/nodir/pf.pid: No such file or directory" "$TMP/pf.err" ||
	fail "-d with an unwritable pid file: message: $(cat "$TMP/pf.err")"
[ -e "$TMP/pf" ] || [ -e "$TMP/pf.mgmt" ] && fail "-d with an unwritable pid file left sockets"

# -s DIR whose parent is missing: exit 1, and the message says what is
# missing and how to make it (vde_switch(1)'s /run/vde example)
"$SWITCH" -s "$TMP/noparent/sw" --nostdin 2>"$TMP/np.err" </dev/null
[ $? = 1 ] || fail "missing parent of -s: exit status"
grep -q "its parent directory $TMP/noparent does not exist" "$TMP/np.err" &&
	grep -q "install -d -m 0755 $TMP/noparent" "$TMP/np.err" ||
	fail "missing parent of -s: message: $(cat "$TMP/np.err")"
"$SWITCH" -s "$TMP/noparent/sw" -g root --nostdin 2>"$TMP/np.err" </dev/null
grep -q "install -d -m 0775 -g root $TMP/noparent" "$TMP/np.err" ||
	fail "missing parent of -s with -g: message: $(cat "$TMP/np.err")"
[ -e "$TMP/noparent" ] && fail "missing parent of -s: it was created"

# an rc file that cannot be read: exit 1, no socket or directory left
"$SWITCH" -s "$TMP/rcf" -M "$TMP/rcf.mgmt" -f "$TMP/no.rc" 2>"$TMP/rcf.err" </dev/null
[ $? = 1 ] || fail "missing rc file: exit status"
grep -q "rcfile $TMP/no.rc: No such file or directory" "$TMP/rcf.err" || fail "missing rc file: $(cat "$TMP/rcf.err")"
[ -e "$TMP/rcf" ] || [ -e "$TMP/rcf.mgmt" ] && fail "missing rc file: sockets left behind"

# stdin EOF: the switch exits and cleans up
timeout 10 "$SWITCH" -s "$TMP/eof" </dev/null >"$TMP/eof.out" 2>"$TMP/eof.err"
rc=$?
[ $rc = 0 ] || fail "stdin EOF exit status $rc"
grep -q 'EOF on stdin' "$TMP/eof.err" || fail "stdin EOF message: $(cat "$TMP/eof.err")"
[ -e "$TMP/eof" ] && fail "stdin EOF left the ctl dir"

# the console's shutdown (stdin console and -M): exit 0, and the line VDE
# 2's switch logs, "Shutdown from mgmt command" (ours logged nothing)
mkfifo "$TMP/sd.in"
for sw in "$SWITCH" ${DEB_SWITCH:+"$DEB_SWITCH"}; do
	[ -x "$sw" ] || continue
	for how in stdin mgmt; do
		exec 8<>"$TMP/sd.in"
		timeout 20 "$sw" -s "$TMP/sd" -M "$TMP/sd.mgmt" <"$TMP/sd.in" >/dev/null 2>"$TMP/sd.err" &
		pid=$!
		PIDS+=("$pid")
		wait_for sock_ready "$TMP/sd.mgmt" || fail "$sw: no mgmt socket"
		if [ $how = stdin ]; then
			printf 'shutdown\n' >&8
		else
			printf 'shutdown\n' | timeout 10 socat - "UNIX-CONNECT:$TMP/sd.mgmt" >/dev/null
		fi
		rc=0
		wait "$pid" || rc=$?
		exec 8>&-
		[ "$rc" = 0 ] || fail "$sw: shutdown on $how: exit $rc: $(cat "$TMP/sd.err")"
		grep -q ': Shutdown from mgmt command$' "$TMP/sd.err" ||
			fail "$sw: shutdown on $how: no line: $(cat "$TMP/sd.err")"
	done
done

# stdin closed, then SIGTERM right after (a service manager's or a test
# driver's shutdown): the signal comes while the switch is already cleaning
# up for the EOF; it finishes and exits 0, not killed by the signal (143)
mkfifo "$TMP/sig.in"
"$SWITCH" -s "$TMP/sig" -p "$TMP/sig.pid" <"$TMP/sig.in" >/dev/null 2>"$TMP/sig.err" &
P=$!; PIDS+=($P)
exec 7>"$TMP/sig.in"
wait_for test -s "$TMP/sig.pid" || fail "EOF+SIGTERM: switch not ready"
exec 7>&-
kill -TERM $P
timeout 10 tail --pid=$P -f /dev/null || fail "EOF+SIGTERM: switch still running"
wait $P; rc=$?
[ $rc = 0 ] || fail "EOF+SIGTERM: exit status $rc: $(cat "$TMP/sig.err")"
[ -e "$TMP/sig" ] && fail "EOF+SIGTERM left the ctl dir"
[ -e "$TMP/sig.pid" ] && fail "EOF+SIGTERM left the pidfile"

# single-dash long options, -m derivation, rc file, -F accepted
printf '# comment\nport/create 9\n' >"$TMP/rc"
start_switch m -sock "$TMP/m2" -numports 12 -m 0660 -f "$TMP/rc" -F --mgmtmode 0660 \
	--macaddr 02:11:22:33:44:55 --hashsize 64 -D 3
[ -S "$TMP/m2/ctl" ] || fail "-sock ignored"
[ "$(stat -c %a "$TMP/m2")" = 2770 ] || fail "-m 0660: dir mode $(stat -c %a "$TMP/m2")"
[ "$(stat -c %a "$TMP/m2/ctl")" = 660 ] || fail "-m 0660: ctl mode"
[ "$(stat -c %a "$TMP/m.mgmt")" = 660 ] || fail "--mgmtmode"
body m port/showinfo | grep -q '^Numports=12$' || fail "-numports"
body m 'port/allprint 9' | grep -q '^Port 0009 ' || fail "rc file not run"
body m showinfo | grep -q 'MAC 02:11:22:33:44:55 ' || fail "--macaddr"
body m hash/showinfo | grep -q '^Hash size 64$' || fail "--hashsize"
kill -TERM "$SWPID"; wait "$SWPID"
"$SWITCH" -s "$TMP/d1" --dirmode 0750 --nostdin -p "$TMP/d1.pid" >/dev/null 2>&1 &
P=$!; PIDS+=($P)
wait_for test -s "$TMP/d1.pid" || fail "--dirmode start"
[ "$(stat -c %a "$TMP/d1")" = 750 ] || fail "--dirmode dir $(stat -c %a "$TMP/d1")"
[ "$(stat -c %a "$TMP/d1/ctl")" = 640 ] || fail "--dirmode alone: ctl $(stat -c %a "$TMP/d1/ctl")"
kill -INT $P; wait $P
[ -e "$TMP/d1" ] && fail "SIGINT left the dir"
[ -e "$TMP/d1.pid" ] && fail "SIGINT left the pidfile"
if [ "$(id -u)" = 0 ] && getent group daemon >/dev/null; then
	start_switch g -g daemon
	[ "$(stat -c %G "$TMP/g")" = daemon ] || fail "-g: dir group"
	[ "$(stat -c %G "$TMP/g/ctl")" = daemon ] || fail "-g: ctl group"
	# another user's live switch: the real reason, not "address in use"
	if command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
		chmod 0711 "$TMP"
		setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
			"$SWITCH" -s "$TMP/g" --nostdin </dev/null >/dev/null 2>"$TMP/acc.err"
		rc=$?
		[ $rc = 1 ] && grep -q "Could not bind to socket $TMP/g/ctl: Permission denied" "$TMP/acc.err" ||
			fail "foreign live switch: exit $rc, $(cat "$TMP/acc.err")"
		[ -S "$TMP/g/ctl" ] || fail "foreign live switch: its ctl socket went away"
	fi
	kill -HUP "$SWPID"; wait "$SWPID"
	[ -e "$TMP/g" ] && fail "SIGHUP left the dir"
fi

# daemon: the parent returns, the pidfile (readiness) names the daemon
"$SWITCH" -d -s "$TMP/dm" -p "$TMP/dm.pid" -M "$TMP/dm.mgmt" || fail "-d exit status"
wait_for test -s "$TMP/dm.pid" || fail "daemon pidfile not written"
DP=$(cat "$TMP/dm.pid")
PIDS+=($DP)
kill -0 "$DP" || fail "daemon not running"
[ -S "$TMP/dm/ctl" ] || fail "daemon ctl socket"
probe dm <<EOF2 || fail "daemon serves"
open a 0
EOF2
# a second switch on a live socket is refused and changes nothing
"$SWITCH" -s "$TMP/dm" --nostdin 2>"$TMP/live.err" </dev/null; [ $? = 1 ] || fail "live socket taken over"
grep -qi 'another switch' "$TMP/live.err" || fail "live socket message: $(cat "$TMP/live.err")"
[ -S "$TMP/dm/ctl" ] || fail "refused switch removed the live socket"
probe dm <<EOF2 || fail "daemon still serves"
open a 0
EOF2
# SIGTERM: everything we created disappears, exit status 0
probe dm >"$TMP/hold.out" 2>&1 <<EOF2 &
open a 0
open b 0
touch $TMP/held
wait $TMP/never
EOF2
HP=$!; PIDS+=($HP)
WAIT_SECS=30 wait_for test -e "$TMP/held" || fail "hold probe"
ls "$TMP/dm" | grep -Eq '^00[12]\.' || fail "no data sockets"
kill -TERM "$DP"
wait_for sh -c "! kill -0 $DP" || fail "daemon ignores SIGTERM"
ls "$TMP/dm" | grep -Eq '^[0-9]{3}\.[0-9]+$|^ctl$' && fail "sockets left after SIGTERM: $(ls -a "$TMP/dm")"
[ -e "$TMP/dm.mgmt" ] && fail "mgmt socket left"
[ -e "$TMP/dm.pid" ] && fail "pidfile left"
kill "$HP"; wait "$HP"

# relative paths with -d (the daemon changes directory): all removed at exit
mkdir "$TMP/rel"
(cd "$TMP/rel" && "$SWITCH" -d -s sw -M m -p pid) || fail "-d with relative paths"
wait_for test -s "$TMP/rel/pid" || fail "relative pidfile"
RP=$(cat "$TMP/rel/pid"); PIDS+=($RP)
[ -S "$TMP/rel/sw/ctl" ] && [ -S "$TMP/rel/m" ] || fail "relative sockets: $(ls -A "$TMP/rel")"
kill -TERM "$RP"
wait_for sh -c "! kill -0 $RP" || fail "relative daemon ignores SIGTERM"
[ -z "$(ls -A "$TMP/rel")" ] || fail "left behind: $(ls -A "$TMP/rel")"

# stale socket (a switch killed with -9) is replaced
start_switch st
kill -9 "$SWPID"; wait "$SWPID"
[ -S "$TMP/st/ctl" ] || fail "no stale socket to test with"
rm -f "$TMP/st.pid" "$TMP/st.mgmt"
# the data sockets of the dead switch's clients (NNN.FD) are stale too
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1])' \
	"$TMP/st/007.42" || fail "stale data socket"
: >"$TMP/st/not-ours"
start_switch st
[ -e "$TMP/st/007.42" ] && fail "stale data socket 007.42 not removed"
[ -e "$TMP/st/not-ours" ] || fail "a file that is not a data socket was removed"
rm "$TMP/st/not-ours"
probe st <<EOF2 || fail "switch on a stale socket does not serve"
open a 0
EOF2
kill -TERM "$SWPID"; wait "$SWPID"; rc=$?
[ $rc = 0 ] || fail "SIGTERM exit status $rc"
[ -e "$TMP/st" ] && fail "SIGTERM left the dir"
# clients that come and go while the console is busy: every port goes with
# its client (VDE 2.3.2 keeps some of them: docs/protocol.md)
start_switch churn
timeout 60 python3 "$top_srcdir/tests/integration/port-churn.py" "$TMP/churn" \
	"$TMP/churn.mgmt" "$(bin vde_plug)" 20 || fail "ports outlived their clients"
kill -TERM "$SWPID"; wait "$SWPID"
pass "lifecycle"
