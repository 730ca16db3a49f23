# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/fstp-lib.sh - helpers of the t-switch-fstp*.sh tests
# (sourced after tests/lib/env.sh)
#
#   RING                        python3 fstp-ring.py (see there)
#   fstp_switch NAME BIN ARGS…  switch BIN on $TMP/NAME, console $TMP/NAME.mgmt, stdin a
#                               fifo held open (VDE 2 exits on stdin EOF)
#   cmd NAME CMD                one console command: data lines, then the status line
#   fstp_probe NAME             checks switch NAME (started with --macaddr
#                               02:00:00:00:00:0a --priority 0x1234 -F): the exact
#                               BPDU a new port gets, untagged then tagged (VLAN 10),
#                               and writes its fstp/ console answers (ages masked)
#                               to $TMP/NAME.console for comparisons
RING="python3 $top_srcdir/tests/integration/fstp-ring.py"
export VDE_SWITCH DEB_SWITCH VDE_PLUG DPIPE
VDE_SWITCH=$(bin vde_switch)
VDE_PLUG=$(bin vde_plug)
DPIPE=$(bin dpipe)
command -v python3 >/dev/null || fail "python3 missing"
command -v socat >/dev/null || skip "needs socat"

fstp_switch() {
	local name=$1 binary=$2
	shift 2
	mkfifo "$TMP/$name.in" || fail "mkfifo"
	spawn "$name.hold.log" sh -c 'exec sleep 100000 >"$0"' "$TMP/$name.in"
	spawn "$name.log" sh -c 'exec "$@" <"$0"' "$TMP/$name.in" \
		"$binary" -s "$TMP/$name" -M "$TMP/$name.mgmt" "$@"
	wait_for sock_ready "$TMP/$name/ctl" || fail "$name: no $TMP/$name/ctl"
	wait_for sock_ready "$TMP/$name.mgmt" || fail "$name: no console"
	[ "$binary" = "$DEB_SWITCH" ] || fastpath_check "$TMP/$name"
}

cmd() { $RING cmd "$TMP/$1.mgmt" "$2"; }

# header | LLC | proto 0, version 2, type 2 | flags 3c (designated, forwarding,
# not the root port) | root = bridge id 1234:02:00:00:00:00:0a | cost 0 |
# bridge | port id 80 01 | age 0 | max age 40, hello 4 (LE) | fwd delay 0 | v1len
ID=123402000000000a
BPDU_BODY=0027424203000002023c${ID}00000000${ID}8001000028000400000000
BPDU_U=0180c200000002000000000a$BPDU_BODY
BPDU_T=0180c200000002000000000a8100000a$BPDU_BODY

fstp_probe() {
	local name=$1
	mkfifo "$TMP/$name.h.in" || fail "mkfifo"
	spawn "$name.h.hold.log" sh -c 'exec sleep 100000 >"$0"' "$TMP/$name.h.in"
	: >"$TMP/$name.cap"
	spawn "$name.h.log" sh -c 'exec "$0" "$1" <"$2" >"$3"' "$VDE_PLUG" "$TMP/$name" \
		"$TMP/$name.h.in" "$TMP/$name.cap"
	wait_for $RING hasframe "$TMP/$name.cap" "$BPDU_U" ||
		fail "$name: no (or a different) BPDU on a new port: $(od -An -tx1 "$TMP/$name.cap")"
	{
		cmd "$name" "vlan/create 10"
		cmd "$name" "vlan/addport 10 1"
	} >/dev/null
	wait_for $RING hasframe "$TMP/$name.cap" "$BPDU_T" ||
		fail "$name: no (or a different) tagged BPDU: $(od -An -tx1 "$TMP/$name.cap")"
	{
		cmd "$name" "fstp/showinfo"
		cmd "$name" "fstp/print"
		cmd "$name" "fstp/print 10"
		cmd "$name" "fstp/print 11"
		cmd "$name" "fstp/setedge 0 99 1"
		cmd "$name" "fstp/setedge 3 1 1"
		cmd "$name" "help fstp"
		cmd "$name" "debug/list fstp"
		cmd "$name" "fstp/bonus 10 1 5000"
		cmd "$name" "fstp/setedge 0 1 1"
		cmd "$name" "fstp/print"
		cmd "$name" "vlan/print"
		cmd "$name" "fstp/setfstp 0"
		cmd "$name" "fstp/showinfo"
		cmd "$name" "fstp/print 0"
		cmd "$name" "fstp/setfstp 1"
		cmd "$name" "fstp/print 0"
	} | sed 's/ age [0-9]* / age N /' >"$TMP/$name.console"
}
