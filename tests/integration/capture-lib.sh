# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/capture-lib.sh - helpers for t-capture-*.sh (sourced after env.sh)
#
#   cap_user               create the unprivileged user $CAPUSER (removed at exit)
#                          and $U, a directory it owns; skips unless root
#   as_user CMD...         print CMD prefixed so that it runs as $CAPUSER
#   cap_switch NAME        vde_switch run by $CAPUSER on $U/NAME, ready
#                          (console on $U/NAME.mgmt)
#   mgmt SOCKET CMD        one console command
#   ubg LOG CMD...         CMD as $CAPUSER in the background (stdin /dev/null,
#                          stdout+stderr to $TMP/LOG); pid in LASTPID
#   recv_start NAME VNL N  vdeplug_client receiving N frames (hex lines in
#                          $TMP/NAME.out), ready when it returns; pid in RPID[NAME]
#   recv_done NAME         wait for it; fail unless it got its frames
#   send NAME VNL N LEN SEED  send N frames (hex of each in $TMP/NAME.sent)
#   frames FILE...         hex of every recorded frame, in order
#   dirs FILE...           direction of every recorded frame, one per line
#   summary LOG WHAT       the number in vdecapture's "N WHAT" exit line
CAP=$(bin vdecapture)
SW=$(bin vde_switch)
PLUG=$(bin vde_plug)
DPIPE=$(bin dpipe)
CLIENT=$(bin vdeplug_client)
PCAPREAD=$top_srcdir/tests/integration/pcapread.py
WAIT_SECS=${WAIT_SECS:-20}
CAPUSER=
U=$TMP
declare -A RPID=()

_cap_cleanup() {
	local rc=$? p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do
		local i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 40 ]; do sleep 0.05; i=$((i+1)); done
	done
	[ -n "$CAPUSER" ] && userdel -f "$CAPUSER" 2>/dev/null
	(exit $rc)
	_cleanup
}

cap_user() {
	[ "$(id -u)" = 0 ] || skip "needs root (creates an unprivileged user)"
	command -v useradd >/dev/null && command -v setpriv >/dev/null || skip "no useradd/setpriv"
	CAPUSER=vdecap$$
	useradd -M -U -s /usr/sbin/nologin "$CAPUSER" || { CAPUSER=; skip "useradd failed"; }
	trap _cap_cleanup EXIT
	chmod 711 "$TMP"
	U=$TMP/u
	mkdir "$U"
	chown "$CAPUSER:$CAPUSER" "$U"
	# the build tree must be reachable by the user
	setpriv --reuid="$CAPUSER" --regid="$CAPUSER" --clear-groups -- test -x "$CAP" ||
		skip "$CAP is not executable by an unprivileged user"
}

as_user() {
	if [ -n "$CAPUSER" ]; then
		echo setpriv --reuid="$CAPUSER" --regid="$CAPUSER" --clear-groups --
	fi
}

cap_switch() {
	local d=$U/$1
	$(as_user) "$SW" -s "$d" -d -p "$d.pid" -M "$d.mgmt" >"$TMP/$1.log" 2>&1 </dev/null ||
		fail "vde_switch -s $d failed"
	wait_for test -s "$d.pid" || fail "switch $1: no pidfile"
	wait_for sock_ready "$d/ctl" || fail "switch $1: no ctl socket"
	fastpath_check "$d"
	PIDS+=("$(cat "$d.pid")")
}

ubg() {
	local log=$1; shift
	( exec $(as_user) "$@" ) >"$TMP/$log" 2>&1 </dev/null &
	PIDS+=($!)
	LASTPID=$!
}

recv_start() {
	local name=$1 vnl=$2 n=$3
	rm -f "$TMP/$name.ready"
	"$CLIENT" -R "$TMP/$name.ready" -r "$n" -t 60 "$vnl" >"$TMP/$name.out" 2>"$TMP/$name.log" &
	PIDS+=($!)
	RPID[$name]=$!
	wait_for test -s "$TMP/$name.ready" || fail "receiver $name did not open"
}

recv_done() {
	local rc
	wait "${RPID[$1]}"
	rc=$?
	[ "$rc" = 0 ] || fail "receiver $1 exited $rc: $(cat "$TMP/$1.log")"
}

send() {
	timeout 60 "$CLIENT" -n "$3" -l "$4" -S "$5" -o "$TMP/$1.sent" "$2" >"$TMP/$1.slog" 2>&1 ||
		fail "sender $1 failed: $(cat "$TMP/$1.slog")"
}

mgmt() { printf '%s\n' "$2" | socat -t 1 - "UNIX-CONNECT:$1" >/dev/null 2>&1; }
nlines() { [ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ]; }
frames() { python3 "$PCAPREAD" frames "$@" | awk '{print $3}'; }
dirs() { python3 "$PCAPREAD" frames "$@" | awk '{print $1}'; }
summary() { sed -n "s/^\([0-9][0-9]*\) $2.*/\1/p" "$TMP/$1" | tail -n 1; }
# gone PID: exited (a zombie child of ours counts as exited)
gone() { [ ! -e "/proc/$1" ] || grep -q '^[0-9]* (.*) Z' "/proc/$1/stat" 2>/dev/null; }

# stop PID: SIGTERM, then wait (bounded) until it exited; status in RC
stop() {
	kill "$1" 2>/dev/null
	wait_for gone "$1" || fail "pid $1 did not exit after SIGTERM"
	wait "$1" 2>/dev/null
	RC=$?
}
