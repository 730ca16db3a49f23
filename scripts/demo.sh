#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# scripts/demo.sh - the live demo run by ./quickstart (no arguments needed)
#
#   scripts/demo.sh [BUILD_DIR]      (default: ./build next to this script)
#
# Starts our vde_switch on its default socket (/var/run/vde.ctl as root, or a
# private directory if a live switch already owns it or we are not root),
# with a management socket; attaches two vde_plug clients; sends broadcast
# and unicast frames with readable payloads through the switch and prints
# what each client receives, decoded; then shows the switch's port and MAC
# tables through vdecmd. Finishes by itself in a few seconds, cleans up on
# exit and on Ctrl-C.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" 2>/dev/null && pwd) || { echo "demo: no build directory ${1:-$top/build}" >&2; exit 1; }
SWITCH=$build/switch/vde_switch
PLUG=$build/plug/vde_plug
VDECMD=$build/vdecmd/vdecmd
FRAMES=$top/tests/integration/plugframes.py
for b in "$SWITCH" "$PLUG" "$VDECMD"; do
	[ -x "$b" ] || { echo "demo: $b is missing: build first (./quickstart build)" >&2; exit 1; }
done
command -v python3 >/dev/null || { echo "demo: python3 is needed" >&2; exit 1; }

WORK=$(mktemp -d /tmp/vdekit-demo.XXXXXX)
PIDS=()
CREATED_SOCK=""
cleanup() {
	local p
	trap - EXIT INT TERM
	exec 7>&- 8>&- 2>/dev/null
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do
		local i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 40 ]; do sleep 0.05; i=$((i + 1)); done
		kill -9 "$p" 2>/dev/null
	done
	[ -n "$CREATED_SOCK" ] && rm -rf "$CREATED_SOCK"
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'echo; echo "demo: interrupted"; exit 130' INT TERM

# wait_for SECS CMD...: poll CMD until it succeeds
wait_for() {
	local end=$(( $(date +%s) + $1 )); shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.05
	done
}
live_socket() {
	python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])' "$1" 2>/dev/null
}
if [ -t 1 ]; then
	say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
	say() { printf '\n== %s\n' "$*"; }
fi

# 1. the switch, on its default socket unless that one is taken
SOCK=/var/run/vde.ctl
if [ "$(id -u)" != 0 ]; then
	SOCK=$WORK/switch
	echo "demo: not root: using the private switch directory $SOCK"
elif [ -S "$SOCK/ctl" ] && live_socket "$SOCK/ctl"; then
	echo "demo: a switch is already running on $SOCK: using a private directory instead"
	SOCK=$WORK/switch
elif [ ! -e "$SOCK" ]; then
	CREATED_SOCK=$SOCK
fi
MGMT=$WORK/mgmt
say "starting vde_switch -s $SOCK -M $MGMT"
"$SWITCH" -s "$SOCK" -M "$MGMT" --nostdin >"$WORK/switch.log" 2>&1 </dev/null &
PIDS+=($!)
if ! wait_for 5 live_socket "$SOCK/ctl" || ! wait_for 5 live_socket "$MGMT"; then
	echo "demo: the switch did not start:" >&2
	cat "$WORK/switch.log" >&2
	exit 1
fi
echo "switch ready (control socket $SOCK/ctl, pid ${PIDS[0]})"

# 2. two clients; each one's stdin is a FIFO we write frames into, each
#    one's stdout (the frames it receives) is decoded and printed
MAC1=02:00:00:00:00:01
MAC2=02:00:00:00:00:02
start_client() {	# N FD
	local n=$1
	mkfifo "$WORK/in$n"
	"$PLUG" -v -D "demo client $n" "$SOCK" <"$WORK/in$n" 2>"$WORK/plug$n.log" |
		python3 "$FRAMES" decode - "   client $n received: " &
	PIDS+=($!)
	eval "exec $2>\"\$WORK/in\$n\""
	wait_for 5 grep -q "connected to" "$WORK/plug$n.log" ||
		{ echo "demo: client $n did not connect:" >&2; cat "$WORK/plug$n.log" >&2; exit 1; }
	echo "client $n connected (vde_plug, MAC ${3})"
}
say "attaching two vde_plug clients"
start_client 1 7 $MAC1
start_client 2 8 $MAC2

send() {	# FD SRC DST TEXT: one 60+ byte frame with TEXT as payload
	python3 "$FRAMES" gen "$2" "$3" "$4" 64 >&"$1"
	sleep 0.4	# let the line appear before the next step
}
say "client 1 broadcasts (the switch floods it to client 2 and learns $MAC1)"
send 7 $MAC1 ff:ff:ff:ff:ff:ff "hello from port 1 (broadcast)"
say "client 2 answers with a unicast frame to $MAC1 (the switch knows where it is)"
send 8 $MAC2 $MAC1 "hello from port 2 (unicast reply)"
say "client 1 sends unicast to $MAC2 (learned from the reply)"
send 7 $MAC1 $MAC2 "hello again from port 1 (unicast)"
say "a jumbo frame: 9000 bytes from client 2 to client 1"
python3 "$FRAMES" gen $MAC2 $MAC1 "a 9000-byte jumbo frame" 9000 >&8
sleep 0.4

say "vdecmd $MGMT port/print"
"$VDECMD" "$MGMT" port/print
say "vdecmd $MGMT hash/print"
"$VDECMD" "$MGMT" hash/print
say "done: stopping the clients and the switch"
