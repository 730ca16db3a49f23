# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/lib-helpers.sh - helpers for t-lib-*.sh (sourced after env.sh)
#
#   CLIENT                  our test client (tests/vdeplug_client, libvdeplug)
#   OUR_SWITCH              our switch/vde_switch if built, else empty
#   deb_switch NAME ARGS…   Debian's vde_switch -d on $TMP/NAME (mgmt $TMP/NAME.mgmt)
#   our_switch NAME ARGS…   ours, same layout
#   client NAME ARGS…       vdeplug_client in the background: stdout (hex
#                           frames) to $TMP/NAME.out, stderr to $TMP/NAME.log,
#                           ready file $TMP/NAME.ready (waited for); pid in PID_NAME
#   finish NAME             wait for client NAME; fail unless it exited 0
#   mgmt NAME CMD           run one console command on switch NAME's mgmt socket
CLIENT=$(bin vdeplug_client)
OUR_SWITCH=
[ -x "$top_builddir/switch/vde_switch" ] && OUR_SWITCH=$top_builddir/switch/vde_switch

_start_switch() {
	local exe=$1 name=$2 d=$TMP/$2; shift 2
	"$exe" -d -s "$d" -p "$d.pid" -M "$d.mgmt" "$@" >"$TMP/$name.log" 2>&1 </dev/null ||
		fail "$exe -s $d failed"
	wait_for test -s "$d.pid" || fail "switch $name: no pidfile"
	PIDS+=("$(cat "$d.pid")")
	wait_for sock_ready "$d/ctl" || fail "switch $name: no ctl socket"
	wait_for sock_ready "$d.mgmt" || fail "switch $name: no mgmt socket"
	[ "$exe" = "$DEB_SWITCH" ] || fastpath_check "$d"
}
deb_switch() { _start_switch "$DEB_SWITCH" "$@"; }
our_switch() { _start_switch "$OUR_SWITCH" "$@"; }

declare -A CPID=() DIN=() DPID=()
# background children must not keep our FIFO writers open
_close_din() { local f; for f in "${DIN[@]}"; do eval "exec $f>&-"; done; }

client() {
	local name=$1; shift
	rm -f "$TMP/$name.ready"
	( _close_din; exec "$CLIENT" -R "$TMP/$name.ready" "$@" ) \
		>"$TMP/$name.out" 2>"$TMP/$name.log" &
	PIDS+=($!)
	CPID[$name]=$!
	WAIT_SECS=15 wait_for test -s "$TMP/$name.ready" ||
		fail "client $name did not open: $(cat "$TMP/$name.out" "$TMP/$name.log")"
}

finish() {
	local rc
	wait "${CPID[$1]}"
	rc=$?
	[ "$rc" = 0 ] || fail "client $1 exited $rc: $(cat "$TMP/$1.log")"
}

mgmt() {
	# one command per connection; -t: keep reading the reply after our EOF
	printf '%s\n' "$2" | socat -t 1 - "UNIX-CONNECT:$TMP/$1.mgmt" 2>/dev/null
}

# frames in hex, one per line: identical files = identical bytes
same() { cmp -s "$1" "$2" || fail "$3: $(wc -l <"$1") sent vs $(wc -l <"$2") received, bytes differ"; }

# Debian's vde_plug on VNL with stdin from a FIFO held open as fd ${DIN[NAME]}
# (write records with: cat FILE >&${DIN[NAME]}); stream output to $TMP/NAME.out
REC=$top_srcdir/tests/integration/lib-records.py
deb_plug() {
	local name=$1 fd; shift
	mkfifo "$TMP/$name.in"
	( _close_din; exec "$DEB_PLUG" "$@" ) <"$TMP/$name.in" >"$TMP/$name.out" 2>"$TMP/$name.log" &
	PIDS+=($!)
	DPID[$name]=$!
	exec {fd}>"$TMP/$name.in"
	DIN[$name]=$fd
}
deb_plug_close() { eval "exec ${DIN[$1]}>&-"; }
nrec() { [ "$(python3 "$REC" count "$1")" -ge "$2" ]; }
nlines() { [ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ]; }
