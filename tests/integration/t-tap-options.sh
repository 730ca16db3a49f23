#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-tap-options.sh - vde_plug2tap -d -P PIDFILE -p PORT: it daemonises
# (the parent returns 0 once tap and port are set up), writes its pid,
# sits on the requested switch port with descr "vde_plug2tap:" (the PID in
# it is the pre-fork one, as VDE 2 connects before daemon()), and on
# SIGTERM removes the pidfile and its transient tap; in the foreground a
# SIGTERM ends it with status 0 and a message.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/tap-lib.sh"
need_root
P2T=$(bin vde_plug2tap)
bin vdecmd >/dev/null

mkns a
spawn sw.log vde_switch --nostdin -s "$TMP/sw" -M "$TMP/mgmt"
wait_for sock_ready "$TMP/sw/ctl" || fail "switch did not start"
wait_for sock_ready "$TMP/mgmt" || fail "no management socket"
fastpath_check "$TMP/sw"

n a "$P2T" -d -P "$TMP/p2t.pid" -p 5 -s "$TMP/sw" tapd || fail "vde_plug2tap -d failed"
wait_for test -s "$TMP/p2t.pid" || fail "no pidfile"
read -r pid <"$TMP/p2t.pid"
PIDS+=("$pid")
kill -0 "$pid" || fail "daemon $pid not running"
ipn a link show tapd >/dev/null || fail "tapd missing in the namespace"
vdecmd "$TMP/mgmt" port/print >"$TMP/ports" || fail "port/print failed"
grep -q "^Port 0005 " "$TMP/ports" || fail "not on port 5: $(cat "$TMP/ports")"
grep -qE "module $RING_KIND +: vde_plug2tap: user=root PID=[0-9]" "$TMP/ports" || fail "descr: $(cat "$TMP/ports")"
pass "daemon on port 5"

# -d with a pid file that cannot be written: refused before detaching
out=$(n a "$P2T" -d -P "$TMP/no/such/dir/p.pid" -s "$TMP/sw" tapbad 2>&1); rc=$?
[ "$rc" = 1 ] && grep -q "pidfile $TMP/no/such/dir/p.pid" <<<"$out" ||
	fail "unwritable pidfile with -d: status $rc, '$out'"
pass "unwritable pid file refused before detaching: $out"

kill "$pid"
WAIT_SECS=20 wait_for eval "! kill -0 $pid 2>/dev/null" || fail "daemon did not end on SIGTERM"
[ -e "$TMP/p2t.pid" ] && fail "pidfile left behind"
ipn a link show tapd >/dev/null 2>&1 && fail "transient tapd left behind"
pass "daemon ends on SIGTERM, cleans up"

spawn fg.log ip netns exec "$ID-a" "$P2T" -s "$TMP/sw" tapf
PF=$LASTPID
WAIT_SECS=10 wait_for ipn a link show tapf || fail "tapf did not appear"
kill "$PF"
wait_gone "$PF"
[ "$RC" = 0 ] || fail "SIGTERM: exit status $RC"
grep -q "tapf: terminated by signal" "$TMP/fg.log" || fail "no message: $(cat "$TMP/fg.log")"
pass "foreground SIGTERM: $(cat "$TMP/fg.log")"
