# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/cryptcab-lib.sh - helpers for the t-cryptcab-*.sh tests
# (sourced after tests/lib/env.sh)
#
#   start_sw NAME            a vde_switch on $TMP/NAME (ours if built, else Debian's)
#   start_cab NAME ARGS…     vde_cryptcab -v -M $TMP/NAME.mgmt --pidfile …, ready
#   cab_cmd NAME CMD         body of one console command
#   cab_stat NAME COUNTER    one global counter
#   free_port                an unused UDP port on 127.0.0.1
#   mkkey FILE genkey|genpsk a key file with mode 600
CAB=$(bin vde_cryptcab)
CLIENT=$(bin vdeplug_client)
PY=/usr/bin/python3
command -v socat >/dev/null || skip "needs socat"
[ -x "$PY" ] || skip "needs /usr/bin/python3"

start_sw() {
	local name=$1
	if [ -x "$top_builddir/switch/vde_switch" ]; then
		spawn "$name.sw.log" "$top_builddir/switch/vde_switch" -s "$TMP/$name" \
			--nostdin -p "$TMP/$name.swpid"
		wait_for test -s "$TMP/$name.swpid" || fail "switch $name not ready"
		fastpath_check "$TMP/$name"
	else
		"$DEB_SWITCH" -d -s "$TMP/$name" -p "$TMP/$name.swpid" || fail "switch $name"
		wait_for test -s "$TMP/$name.swpid" || fail "switch $name not ready"
		PIDS+=("$(cat "$TMP/$name.swpid")")
	fi
}

start_cab() {
	local name=$1; shift
	spawn "$name.log" "$CAB" -v -M "$TMP/$name.mgmt" --pidfile "$TMP/$name.pid" "$@"
	eval "${name}_PID=$LASTPID"
	wait_for test -s "$TMP/$name.pid" || fail "cable $name did not start"
	wait_for sock_ready "$TMP/$name.mgmt" || fail "cable $name: no console"
}

cab_cmd() {
	printf '%s\nlogout\n' "$2" | timeout 10 socat - "UNIX-CONNECT:$TMP/$1.mgmt" |
		awk '/0000 DATA END WITH/ {on=1; next} on && /^\.\r?$/ {exit} on {print}'
}

cab_stat() {
	cab_cmd "$1" stats | awk -v k="$2" '$1 == k {print $2; found=1} END {if (!found) print 0}'
}

free_port() {
	"$PY" -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

mkkey() {
	( umask 077; "$CAB" "$2" >"$1" ) || fail "$CAB $2"
}

lines() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }
