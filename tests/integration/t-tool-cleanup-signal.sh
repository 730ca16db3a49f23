#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-tool-cleanup-signal.sh - a stop signal during the cleanup (stdin closed,
# then SIGTERM right after, as service managers and test drivers do)
# finishes the cleanup and exits 0, in every daemon that reads stdin.
#
# Made deterministic with the cgroup freezer (not SIGSTOP: every signal,
# SIGSTOP included, wakes a signalfd and puts it first in epoll's ready
# list): while the tool is frozen, its stdin reaches EOF and SIGTERM is
# queued (blocked, so pending); once thawed, one wake-up reports both, the
# EOF first, so the tool starts its cleanup with the signal still pending.
# Before loop_free() kept the loop's signals blocked, it unblocked them there
# and the pending SIGTERM killed the tool (status 143, its pid file left).
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/plug-lib.sh"

need_root
# a freezer: cgroup v2's cgroup.freeze, or v1's freezer.state
CG=
for d in /sys/fs/cgroup /sys/fs/cgroup/unified; do
	if [ -e "$d/cgroup.freeze" ] || [ -e "$d/cgroup.controllers" ]; then
		mkdir "$d/$ID" 2>/dev/null && [ -e "$d/$ID/cgroup.freeze" ] && { CG=$d/$ID; break; }
		rmdir "$d/$ID" 2>/dev/null
	fi
done
if [ -z "$CG" ] && [ -d /sys/fs/cgroup/freezer ] && mkdir "/sys/fs/cgroup/freezer/$ID" 2>/dev/null; then
	CG=/sys/fs/cgroup/freezer/$ID
fi
[ -n "$CG" ] || skip "no cgroup freezer"
PARENT_CG=$(dirname "$CG")
cg_cleanup() {	# thawed, emptied into its parent, removed
	local p
	freeze 0 0 2>/dev/null
	while read -r p; do echo "$p" >"$PARENT_CG/cgroup.procs"; done <"$CG/cgroup.procs"
	rmdir "$CG"
}
trap 'rc=$?; cg_cleanup 2>/dev/null; (exit $rc); _cleanup' EXIT
freeze() {	# freeze PID 1|0
	if [ -e "$CG/cgroup.freeze" ]; then
		echo "$2" >"$CG/cgroup.freeze"
		[ "$2" = 1 ] && { wait_for grep -qx "frozen 1" "$CG/cgroup.events" || fail "not frozen"; }
	elif [ "$2" = 1 ]; then
		echo FROZEN >"$CG/freezer.state"
		wait_for grep -qx FROZEN "$CG/freezer.state" || fail "not frozen"
	else
		echo THAWED >"$CG/freezer.state"
	fi
	return 0
}

start_switch sw
WF=$(bin wirefilter)
CAB=$(bin vde_cryptcab)
SLIRP=$(bin slirpvde)
( umask 077; "$CAB" genpsk >"$TMP/psk" ) || fail "genpsk"

# run_case NAME READY-CHECK CMD...: CMD's stdin is a FIFO we hold; once
# READY-CHECK passes: STOP, EOF, TERM, CONT; CMD must exit 0.
n=0
run_case() {
	local name=$1 ready=$2 pid fd
	shift 2
	n=$((n + 1))
	mkfifo "$TMP/in$n"
	exec {fd}<>"$TMP/in$n"
	( eval "exec $fd>&-"; exec "$@" <"$TMP/in$n" >/dev/null 2>"$TMP/c$n.log" ) &
	pid=$!
	PIDS+=($pid)
	CUR=$n
	WAIT_SECS=20 wait_for $ready || fail "$name did not start: $(cat "$TMP/c$n.log")"
	echo $pid >"$CG/cgroup.procs"
	freeze $pid 1
	exec {fd}>&-			# EOF, seen once it runs again
	kill -TERM $pid			# pending: the tool blocks it
	freeze $pid 0
	wait_exit $pid 20
	[ "$RC" = 0 ] || fail "$name: status $RC after EOF + SIGTERM (want 0): $(cat "$TMP/c$n.log")"
	echo "ok: $name"
}
pidfile_up() { test -s "$TMP/p$CUR.pid"; }
logged() { grep -q "$1" "$TMP/c$CUR.log"; }
connected() { logged "connected to"; }

run_case "wirefilter (stdin stream)" pidfile_up "$WF" -v "-:$TMP/sw" \
	--pidfile "$TMP/p$((n + 1)).pid"
[ ! -e "$TMP/p$n.pid" ] || fail "wirefilter left its pid file"
run_case "wirefilter (stdin console)" pidfile_up "$WF" -v "$TMP/sw:$TMP/sw" \
	--pidfile "$TMP/p$((n + 1)).pid"
[ ! -e "$TMP/p$n.pid" ] || fail "wirefilter left its pid file"
run_case "vde_cryptcab -s -" pidfile_up "$CAB" -s - -c 127.0.0.1:9 -P "$TMP/psk" \
	--pidfile "$TMP/p$((n + 1)).pid"
[ ! -e "$TMP/p$n.pid" ] || fail "vde_cryptcab left its pid file"
run_case "slirpvde -" pidfile_up "$SLIRP" -q --pidfile "$TMP/p$((n + 1)).pid" -
[ ! -e "$TMP/p$n.pid" ] || fail "slirpvde left its pid file"
run_case "vde_switch (stdin console)" pidfile_up "$SW" -s "$TMP/sw2" \
	-p "$TMP/p$((n + 1)).pid"
[ ! -e "$TMP/p$n.pid" ] || fail "vde_switch left its pid file"
run_case "vde_plug" connected "$PLUG" -v "$TMP/sw"
run_case "dpipe" pidfile_up "$DPIPE" sh -c 'echo $$ >"$0"; exec cat' "$TMP/p$((n + 1)).pid" = cat
if [ "$(id -u)" = 0 ] && [ -c /dev/net/tun ] && ip netns list >/dev/null 2>&1; then
	mkns cl
	run_case "vde_plug2tap -s -" pidfile_up ip netns exec "$ID-cl" "$(bin vde_plug2tap)" \
		--pidfile "$TMP/p$((n + 1)).pid" -s - tapc
fi
pass "EOF then SIGTERM during the cleanup: every tool exits 0"
