# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/switch-common.sh - helpers for the t-switch-*.sh tests
# (sourced after tests/lib/env.sh)
#
#   start_switch NAME [ARGS…]  our vde_switch on $TMP/NAME, mgmt $TMP/NAME.mgmt,
#                              pidfile $TMP/NAME.pid (readiness); sets SWPID
#   start_deb_switch NAME      Debian's vde_switch (the reference for console
#                              bytes) on $TMP/NAME, console $TMP/NAME.mgmt,
#                              stdin a fifo held open (2.3.2 has no
#                              --nostdin and ends at EOF), ready
#   mgmt NAME CMD              run one console command, print the whole session
#   body NAME CMD              only the data lines of CMD's answer
#   status NAME CMD            only the status line (1000 Success, 1022 ...)
#   probe NAME < script        run tests/vdeswitch_probe on switch NAME
#   probe_hold NAME TAG WHAT < script
#                              the probe script in the background, output in
#                              $TMP/TAG.out, held at its end with its ports
#                              open (it touches $TMP/TAG-done, then waits for
#                              $TMP/TAG-go, 10 s at most); returns when the
#                              script has run through (60 s deadline); fails
#                              with WHAT and the output if the probe ended
#                              before
#   probe_release TAG WHAT     let a held probe end; fails with WHAT and its
#                              output unless it exits 0
#   drain_fifo FIFO FILE       append what FIFO holds now to FILE (the test
#                              holds a writer too, so there is no end of
#                              file: read until it would block)
SWITCH=$(bin vde_switch)
PROBE=$(bin vdeswitch_probe)
command -v socat >/dev/null || skip "needs socat"

start_switch() {
	local name=$1; shift
	spawn "$name.log" "$SWITCH" -s "$TMP/$name" -M "$TMP/$name.mgmt" --nostdin \
		-p "$TMP/$name.pid" "$@"
	SWPID=$LASTPID
	wait_for test -s "$TMP/$name.pid" || fail "switch $name did not become ready"
	fastpath_check "$TMP/$name"
}

start_deb_switch() {
	local fd
	mkfifo "$TMP/$1.in"
	exec {fd}<>"$TMP/$1.in"
	"$DEB_SWITCH" -s "$TMP/$1" -M "$TMP/$1.mgmt" <"$TMP/$1.in" >"$TMP/$1.log" 2>&1 &
	PIDS+=($!)
	wait_for sock_ready "$TMP/$1.mgmt" || fail "Debian switch did not start"
}

mgmt() {
	printf '%s\nlogout\n' "$2" | timeout 10 socat - "UNIX-CONNECT:$TMP/$1.mgmt" |
		sed 's/^vde\$ //' 
}

body() {
	mgmt "$1" "$2" | awk '/^0000 DATA END WITH/ {on=1; next} on && /^\.$/ {exit} on {print}'
}

status() {
	mgmt "$1" "$2" | grep -E '^1[0-9]{3} ' | head -n 1
}

probe() {
	"$PROBE" "$TMP/$1"
}

declare -A PROBE_HELD=()
probe_hold() {
	local name=$1 tag=$2 what=$3 pid
	{ cat; printf 'touch %s\nwait %s\n' "$TMP/$tag-done" "$TMP/$tag-go"; } >"$TMP/$tag.script"
	"$PROBE" "$TMP/$name" <"$TMP/$tag.script" >"$TMP/$tag.out" 2>&1 &
	pid=$!
	PIDS+=("$pid")
	PROBE_HELD[$tag]=$pid
	WAIT_SECS=60 wait_for sh -c "test -e '$TMP/$tag-done' || ! kill -0 $pid"
	[ -e "$TMP/$tag-done" ] || { kill "$pid"; wait "$pid"; fail "$what: $(cat "$TMP/$tag.out")"; }
}

probe_release() {
	touch "$TMP/$1-go"
	wait "${PROBE_HELD[$1]}" || fail "$2: $(cat "$TMP/$1.out")"
}

drain_fifo() {
	python3 -c '
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
with open(sys.argv[2], "ab") as out:
    while True:
        try:
            d = os.read(fd, 65536)
        except BlockingIOError:
            break
        if not d:
            break
        out.write(d)
' "$1" "$2" || fail "reading $1"
}
