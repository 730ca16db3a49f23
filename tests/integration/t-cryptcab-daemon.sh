#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-cryptcab-daemon.sh - a daemonised vde_cryptcab (-d --pidfile) ends on
# SIGTERM and removes its pidfile (its signalfd must be set up after the fork).
. "$top_srcdir/tests/lib/env.sh"

vde_cryptcab genpsk > "$TMP/psk" || fail "genpsk"
chmod 600 "$TMP/psk"
spawn sw.log vde_switch -s "$TMP/sw" --nostdin -p "$TMP/sw.pid"
wait_for test -s "$TMP/sw.pid" || fail "switch did not start"
fastpath_check "$TMP/sw"
vde_cryptcab -s "$TMP/sw" -p $((20000 + $$ % 20000)) -P "$TMP/psk" -d --pidfile "$TMP/cc.pid" 2>"$TMP/cc.log" ||
	fail "vde_cryptcab -d failed"
wait_for test -s "$TMP/cc.pid" || fail "no pidfile"
pid=$(cat "$TMP/cc.pid")
PIDS+=("$pid")
kill -0 "$pid" || fail "daemon not running"
kill -TERM "$pid"
wait_for sh -c "! kill -0 $pid" || fail "daemonised vde_cryptcab ignored SIGTERM"
[ ! -e "$TMP/cc.pid" ] || fail "pidfile left behind"
pass "daemon ended on SIGTERM and removed its pidfile"
