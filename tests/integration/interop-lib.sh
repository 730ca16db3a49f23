# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/interop-lib.sh - helpers shared by the t-interop-*.sh tests.
# Source it after tests/lib/env.sh.
#
#   start_switch NAME BIN DIR [ARGS]  switch on DIR, console on $TMP/NAME.mgmt, stdin a
#                                     fifo we hold open (VDE 2 exits on stdin EOF)
#   start_plug NAME SWITCH BIN [ENV=..]  vde_plug: stdin fifo $TMP/NAME.in (vdestream),
#                                     stdout $TMP/NAME.out
#   start_peer NAME SWITCH [ENV=..]   vdeabi_peer: stdin fifo $TMP/NAME.in (hex lines),
#                                     stdout $TMP/NAME.out (hex lines); options in PEER_OPTS
#   wait_exit PID                     wait (WAIT_SECS) for a child to end, return its status
#                                     (124 if it is still running)
#   ourlib_env, OURLIB                see tests/lib/env.sh
#   close_fifo NAME                   close our end of NAME's stdin fifo: it sees EOF
#   uses_lib PID PATH                 the process has PATH mapped
#   mgmt NAME CMD                     console command on $TMP/NAME.mgmt
#   deb_close_dead NAME               port/epclose the endpoints of exited clients on
#                                     Debian's switch NAME (a VDE 2.3.2 bug; see there)
#   frames SRC DST LEN...             hex frames, see interop-util.py
#   wait_records FILE N / wait_lines FILE N   wait (WAIT_SECS) for output to arrive
#   wait_slow SECS CMD...             poll CMD every 0.5 s for up to SECS seconds
#   peer_frames FROM TO PATH SRC DST LEN...
#                                     the vdeabi_peer FROM sends frames of LEN bytes
#                                     from MAC SRC to DST; the peer TO gets them all,
#                                     byte for byte and in order (it got nothing
#                                     before); PATH names the way in failures
#   plug_peer_frames PLUG PEER MAC_PLUG MAC_PEER
#                                     the vdeabi_peer PEER (start_peer) broadcasts 6
#                                     frames of 60..1514 bytes, the vde_plug PLUG
#                                     (start_plug) gets them; PLUG sends 5 to the
#                                     peer's learnt MAC, PEER gets them: byte for
#                                     byte, in order, and PLUG gets nothing more
# generous deadline: wait_for polls, so it costs nothing when things work
: "${WAIT_SECS:=20}"
UTIL="python3 $top_srcdir/tests/integration/interop-util.py"
DEBLIB=/usr/lib/x86_64-linux-gnu/libvdeplug.so.2

[ -x "$DEB_SWITCH" ] || fail "$DEB_SWITCH missing: install Debian's vde2 (quickstart does)"
[ -x "$DEB_PLUG" ] || fail "$DEB_PLUG missing: install Debian's vdeplug (quickstart does)"
[ -e "$DEBLIB" ] || fail "$DEBLIB missing: install Debian's libvdeplug2"
command -v python3 >/dev/null || fail "python3 missing"

# _hold_fifo NAME: create the fifo $TMP/NAME.in and keep a writer on it (a
# sleeping process, pid in NAME_HOLD), so its reader sees no EOF until
# close_fifo NAME. (Not an fd of this shell: children would inherit it.)
_hold_fifo() {
	mkfifo "$TMP/$1.in" || fail "mkfifo $TMP/$1.in"
	spawn "$1.hold.log" sh -c 'exec sleep 100000 >"$0"' "$TMP/$1.in"
	eval "${1}_HOLD=$LASTPID"
}
close_fifo() {
	local pid
	eval "pid=\${${1}_HOLD}"
	kill "$pid" 2>/dev/null
}

start_switch() {
	local name=$1 bin=$2 dir=$3
	shift 3
	_hold_fifo "$name"
	spawn "$name.log" sh -c 'exec "$@" <"$0"' "$TMP/$name.in" \
		"$bin" -s "$dir" -M "$TMP/$name.mgmt" "$@"
	eval "${name}_PID=$LASTPID"
	wait_for sock_ready "$dir/ctl" || fail "$name ($bin): no $dir/ctl"
	wait_for sock_ready "$TMP/$name.mgmt" || fail "$name ($bin): no console $TMP/$name.mgmt"
	[ "$bin" = "$DEB_SWITCH" ] || fastpath_check "$dir"
}

start_plug() {
	local name=$1 sw=$2 bin=$3
	shift 3
	_hold_fifo "$name"
	: >"$TMP/$name.out"
	spawn "$name.log" env "$@" sh -c 'exec "$0" "$1" <"$2" >"$3"' \
		"$bin" "$sw" "$TMP/$name.in" "$TMP/$name.out"
	eval "${name}_PID=$LASTPID"
}

start_peer() {
	local name=$1 sw=$2
	shift 2
	_hold_fifo "$name"
	: >"$TMP/$name.out"
	# shellcheck disable=SC2086
	spawn "$name.log" env "$@" sh -c 'f=$0 d=$1 s=$2 i=$3 o=$4; shift 4
		exec "$f" -d "$d" "$@" "$s" <"$i" >"$o"' \
		"$(bin vdeabi_peer)" "$name" "$sw" "$TMP/$name.in" "$TMP/$name.out" ${PEER_OPTS:-}
	eval "${name}_PID=$LASTPID"
	wait_for grep -q '^connected' "$TMP/$name.log" || fail "$name did not connect to $sw"
}

uses_lib() {
	local real
	real=$(readlink -f "$2")
	grep -q " $real\$" "/proc/$1/maps" 2>/dev/null
}

mgmt() { $UTIL mgmt "$TMP/$1.mgmt" "$2"; }
frames() { $UTIL frames "$@"; }

_nrecords() { [ "$($UTIL count "$1")" -ge "$2" ]; }
_nlines() { [ "$(wc -l <"$1")" -ge "$2" ]; }
wait_records() { wait_for _nrecords "$1" "$2"; }
wait_lines() { wait_for _nlines "$1" "$2"; }

# endpoints NAME: number of endpoint lines in the switch's port/print
endpoints() { mgmt "$1" port/print | grep -c -- '-- endpoint'; }
_nendpoints() { [ "$(endpoints "$1")" -eq "$2" ]; }
wait_endpoints() { wait_for _nendpoints "$1" "$2"; }
# deb_close_dead NAME: on Debian's switch NAME, close (port/epclose) every
# endpoint whose client (pid= in its description) no longer exists, saying
# so: VDE 2.3.2 sometimes keeps a port after its client is gone
# (docs/protocol.md, tests/integration/port-churn.py). Only for waits on a
# Debian switch after the clients' exit was checked.
deb_close_dead() {
	mgmt "$1" port/print | awk '/^Port / {p = $2 + 0}
		/-- endpoint ID/ && match(tolower($0), /pid=[0-9]+/) {
			print p, $4 + 0, substr(tolower($0), RSTART + 4, RLENGTH - 4) }' |
	while read -r port id pid; do
		[ -e "/proc/$pid" ] && continue
		echo "$1: port $port kept the endpoint of exited pid $pid (VDE 2.3.2): port/epclose $port $id"
		mgmt "$1" "port/epclose $port $id" >/dev/null
	done
}

_gone() { [ ! -e "/proc/$1" ] || [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" = Z ]; }
wait_exit() { wait_for _gone "$1" || return 124; wait "$1"; }

wait_slow() {
	local end=$(( $(date +%s) + $1 ))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.5
	done
}

peer_frames() {
	local from=$1 to=$2 path=$3 src=$4 dst=$5 n
	shift 5
	n=$#
	frames "$src" "$dst" "$@" >"$TMP/$from.sent"
	cat "$TMP/$from.sent" >"$TMP/$from.in"
	wait_lines "$TMP/$to.out" "$n" || fail "$to got $(wc -l <"$TMP/$to.out") of $n frames ($path)"
	diff "$TMP/$from.sent" "$TMP/$to.out" >/dev/null || fail "frames changed on the way $path"
}

plug_peer_frames() {
	local plug=$1 peer=$2 mac_plug=$3 mac_peer=$4
	# peer -> switch -> vde_plug (broadcast)
	frames "$mac_peer" ff:ff:ff:ff:ff:ff 60 61 64 100 1000 1514 >"$TMP/a.hex"
	cat "$TMP/a.hex" >"$TMP/$peer.in"
	wait_records "$TMP/$plug.out" 6 || fail "vde_plug got $($UTIL count "$TMP/$plug.out") of 6 frames"
	$UTIL dec "$TMP/$plug.out" >"$TMP/a.got"
	diff "$TMP/a.hex" "$TMP/a.got" >/dev/null || fail "frames changed on the way peer -> vde_plug"
	# vde_plug -> switch -> peer (unicast to the learnt MAC)
	frames "$mac_plug" "$mac_peer" 1514 60 65 200 1513 >"$TMP/b.hex"
	$UTIL enc <"$TMP/b.hex" >"$TMP/$plug.in"
	wait_lines "$TMP/$peer.out" 5 || fail "peer got $(wc -l <"$TMP/$peer.out") of 5 frames"
	diff "$TMP/b.hex" "$TMP/$peer.out" >/dev/null || fail "frames changed on the way vde_plug -> peer"
	# nothing else was delivered (no reflection, no duplicates)
	[ "$($UTIL count "$TMP/$plug.out")" -eq 6 ] || fail "vde_plug got extra frames"
}
