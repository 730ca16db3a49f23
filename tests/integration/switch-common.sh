# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/switch-common.sh - helpers for the t-switch-*.sh tests
# (sourced after tests/lib/env.sh)
#
#   start_switch NAME [ARGS…]  our vde_switch on $TMP/NAME, mgmt $TMP/NAME.mgmt,
#                              pidfile $TMP/NAME.pid (readiness); sets SWPID
#   mgmt NAME CMD              run one console command, print the whole session
#   body NAME CMD              only the data lines of CMD's answer
#   status NAME CMD            only the status line (1000 Success, 1022 ...)
#   probe NAME < script        run tests/vdeswitch_probe on switch NAME
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
