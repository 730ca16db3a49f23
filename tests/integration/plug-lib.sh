# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/plug-lib.sh - helpers for t-plug-*.sh and t-dpipe-*.sh
# (sourced after tests/lib/env.sh)
#
#   start_switch NAME         vde_switch -s $TMP/NAME -M $TMP/NAME.mgmt in the
#                             background, ready
#   restart_switch NAME       after killing it: wait, clean up, start again
#   start_plug NAME ARGS...   vde_plug -v ARGS with stdin from a FIFO we hold
#                             open as fd ${IN[NAME]}, stdout to $TMP/NAME.out,
#                             stderr to $TMP/NAME.log; waits for "connected"
#   bg LOG CMD...             start CMD in the background (stdout+stderr to
#                             $TMP/LOG), without our FIFO writer fds
#   send NAME FILE            write FILE to NAME's stdin
#   close_in NAME             close NAME's stdin (EOF)
#   wait_exit PID [SECS]      wait until PID ended; its status in $RC
#   frames SRC DST TEXT SIZE...  stream records (plugframes.py gen)
#   nconnected LOG N          $TMP/LOG has at least N "connected to" lines
#   cable_frames TAG MAC_A MAC_B SIZE...
#                             plugs aTAG on $TMP/sw1 and bTAG on $TMP/sw2
#                             exchange one frame of each SIZE both ways
#                             (a broadcasts, b answers MAC_A), compared byte
#                             for byte; both plugs then end at EOF
FRAMES="$top_srcdir/tests/integration/plugframes.py"
# readiness deadlines: generous, a loaded 2-core CI machine with ASan is slow
WAIT_SECS=${WAIT_SECS:-20}
command -v python3 >/dev/null || fail "python3 is needed"
SW=$(bin vde_switch)
PLUG=$(bin vde_plug)
DPIPE=$(bin dpipe)
declare -A IN=() PID=()
FIFO_FDS=()

_close_fifos() {
	local f
	for f in "${FIFO_FDS[@]}"; do eval "exec $f>&-"; done
}

bg() {
	local log=$1; shift
	( _close_fifos; exec "$@" ) >"$TMP/$log" 2>&1 </dev/null &
	PIDS+=($!)
	LASTPID=$!
}

start_switch() {
	local d=$TMP/$1
	"$SW" -s "$d" -M "$d.mgmt" -d -p "$d.pid" >"$TMP/$1.log" 2>&1 </dev/null ||
		fail "vde_switch -s $d failed"
	wait_for test -s "$d.pid" || fail "switch $1: no pidfile"
	wait_for sock_ready "$d/ctl" || fail "switch $1: no ctl socket"
	fastpath_check "$d"
	PID[$1]=$(cat "$d.pid")
	PIDS+=("${PID[$1]}")
}

# restart_switch NAME: a fresh switch after the previous one was killed
restart_switch() {
	wait_for gone "${PID[$1]}" || fail "switch $1 did not exit"
	rm -rf "$TMP/$1" "$TMP/$1.pid" "$TMP/$1.mgmt"
	start_switch "$1"
}

start_plug() {
	local name=$1 fd; shift
	mkfifo "$TMP/$name.in"
	( _close_fifos; exec "$PLUG" -v "$@" ) <"$TMP/$name.in" >"$TMP/$name.out" 2>"$TMP/$name.log" &
	PIDS+=($!)
	PID[$name]=$!
	exec {fd}>"$TMP/$name.in"
	IN[$name]=$fd
	FIFO_FDS+=("$fd")
	wait_for grep -q "connected to" "$TMP/$name.log" || fail "plug $name did not connect"
}

send() { cat "$2" >&"${IN[$1]}"; }

close_in() {
	local fd=${IN[$1]} f keep=()
	eval "exec $fd>&-"
	for f in "${FIFO_FDS[@]}"; do [ "$f" = "$fd" ] || keep+=("$f"); done
	FIFO_FDS=("${keep[@]}")
}

# gone: not running (a zombie not yet reaped by bash counts as gone)
gone() {
	local st
	st=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) || return 0
	[ "$st" = Z ]
}

wait_exit() {
	local pid=$1
	WAIT_SECS=${2:-$WAIT_SECS} wait_for gone "$pid" || fail "pid $pid did not exit"
	wait "$pid"
	RC=$?
}

frames() { python3 "$FRAMES" gen "$@"; }
records() { python3 "$FRAMES" records "$@"; }

nconnected() { [ "$(grep -c 'connected to' "$TMP/$1")" -ge "$2" ]; }

cable_frames() {
	local tag=$1 mac_a=$2 mac_b=$3 nf
	shift 3
	nf=$#
	start_plug "a$tag" "$TMP/sw1"
	start_plug "b$tag" "$TMP/sw2"
	frames "$mac_a" ff:ff:ff:ff:ff:ff "$tag a" "$@" >"$TMP/$tag.a2b"
	send "a$tag" "$TMP/$tag.a2b"
	wait_for records "$nf" "$TMP/b$tag.out" || fail "$tag: frames a->b lost"
	cmp "$TMP/$tag.a2b" "$TMP/b$tag.out" || fail "$tag: frames a->b differ"
	frames "$mac_b" "$mac_a" "$tag b" "$@" >"$TMP/$tag.b2a"
	send "b$tag" "$TMP/$tag.b2a"
	wait_for records "$nf" "$TMP/a$tag.out" || fail "$tag: frames b->a lost"
	cmp "$TMP/$tag.b2a" "$TMP/a$tag.out" || fail "$tag: frames b->a differ"
	close_in "a$tag"
	close_in "b$tag"
	wait_exit "${PID[a$tag]}"
	wait_exit "${PID[b$tag]}"
}
