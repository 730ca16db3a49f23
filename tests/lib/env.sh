# SPDX-License-Identifier: GPL-2.0-or-later
# tests/lib/env.sh - shared helpers for vdekit's shell tests. Source it first.
#
#   TMP            a fresh directory, removed at exit (kept with KEEP=1)
#   spawn LOG cmd… start cmd in the background, its pid recorded; output to $TMP/LOG
#   wait_for cmd…  poll cmd until it succeeds, 5 s deadline (WAIT_SECS to change)
#   fail msg       print msg (and the daemon logs) and exit 1
#   skip msg       exit 77
#   need_root      skip unless root with ip netns and /dev/net/tun
#   n NS cmd…      ip netns exec $ID-NS cmd…     ipn NS …  ip -n $ID-NS …
#   mkns NS…       create namespaces $ID-NS (removed at exit)
#   Debian's binaries: DEB_SWITCH=/usr/bin/vde_switch, DEB_PLUG=/usr/bin/vde_plug, DEB_DPIPE
#   Ours come first in PATH (set by make check).
#   OURLIB         the build's lib/.libs, where our libvdeplug.so.2 is
#   ourlib_env     prints the env assignments that make a foreign binary
#                  (Debian's QEMU, a program built on Debian's library)
#                  load OUR libvdeplug.so.2, and the sanitizer runtimes
#                  first if ours needs them
#   fastpath_check DIR  with VDEPLUG_FASTPATH=0, fail if the switch on DIR
#                  offers shared-memory rings (DIR/.fastpath); see below
#   RING_KIND      the endpoint kind port/print shows for a client of our
#                  library on our switch: "ring", or "unix prog" when
#                  VDEPLUG_FASTPATH=0 is in the environment
#
# Every test bounds its time: the whole script is killed by a watchdog after
# TEST_TIMEOUT seconds (default 120).
set -u
ID=vdet-$$
TMP=$(mktemp -d /tmp/vdet.XXXXXX)
PIDS=()
NETNS=()
DEB_SWITCH=/usr/bin/vde_switch
DEB_PLUG=/usr/bin/vde_plug
DEB_DPIPE=/usr/bin/dpipe
: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"

# The fast path (docs/fastpath.md) is on unless VDEPLUG_FASTPATH=0 is in
# the environment, which `make check-nofastpath` exports to every test of
# NOFASTPATH_TESTS (tests/integration/local.am): there, every switch of ours
# must run without rings and every client of our library on datagrams.
if [ "${VDEPLUG_FASTPATH-}" = 0 ]; then RING_KIND="unix prog"; else RING_KIND=ring; fi
FASTPATH_CHECKED=0
# fastpath_check DIR: called by the helpers that start our switch on DIR,
# once it is ready (pidfile or console: both come after the rings' socket).
# With VDEPLUG_FASTPATH=0 the switch must not offer rings (no DIR/.fastpath,
# so no client can get any); without it, nothing to check here.
fastpath_check() {
	[ "${VDEPLUG_FASTPATH-}" = 0 ] || return 0
	[ -e "$1/.fastpath" ] && fail "VDEPLUG_FASTPATH=0 but the switch on $1 offers rings ($1/.fastpath)"
	FASTPATH_CHECKED=$((FASTPATH_CHECKED + 1))
	return 0
}
# at exit with VDEPLUG_FASTPATH=0: no directory under $TMP holds a .fastpath
# socket (a safety net for switches started without fastpath_check); in
# `make check-nofastpath` (VDEKIT_NOFASTPATH_RUN=1) the test must also have
# checked at least one switch of ours, else it has no place in
# NOFASTPATH_TESTS (or a helper of it lacks its fastpath_check call)
_fastpath_exit_check() {
	local f
	f=$(find "$TMP" -name .fastpath 2>/dev/null | head -n 1)
	if [ -n "$f" ]; then
		echo "FAIL: VDEPLUG_FASTPATH=0 but a switch offers rings: $f" >&2
		return 1
	fi
	[ "${VDEKIT_NOFASTPATH_RUN-}" = 1 ] || return 0
	if [ "$FASTPATH_CHECKED" -eq 0 ]; then
		echo "FAIL: run with VDEPLUG_FASTPATH=0 but no switch of ours went through fastpath_check" >&2
		return 1
	fi
	echo "# VDEPLUG_FASTPATH=0: $FASTPATH_CHECKED switch(es) of ours checked, none offers rings"
}

_cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	local p
	# before anything is stopped: the switches still running show their
	# directories (make check-nofastpath, see fastpath_check); the test's
	# own shell only (not the watchdog's, killed early)
	if [ "${VDEPLUG_FASTPATH-}" = 0 ] && [ $rc -eq 0 ] && [ "$BASHPID" = $$ ]; then
		_fastpath_exit_check || rc=1
	fi
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do
		local i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 20 ]; do sleep 0.05; i=$((i+1)); done
		kill -9 "$p" 2>/dev/null
	done
	local ns
	for ns in "${NETNS[@]}"; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	[ -n "${WATCHDOG:-}" ] && kill "$WATCHDOG" 2>/dev/null
	if [ $rc -ne 0 ] && [ $rc -ne 77 ]; then
		local f
		for f in "$TMP"/*.log; do
			[ -f "$f" ] || continue
			echo "---- $f"; tail -n 40 "$f"
		done
	fi
	if [ "${KEEP:-0}" = 1 ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
	exit $rc
}
trap _cleanup EXIT
trap 'exit 130' INT TERM

# Watchdog: a hung test fails instead of hanging make check.
(
	trap 'kill "$s" 2>/dev/null; exit 0' TERM
	sleep "${TEST_TIMEOUT:-120}" &
	s=$!
	wait "$s"
	echo "TIMEOUT after ${TEST_TIMEOUT:-120}s" >&2
	kill -TERM $$ 2>/dev/null
	# a foreground command that hangs would delay the trap: end our children
	sleep 1
	pkill -TERM -P $$ 2>/dev/null
) &
WATCHDOG=$!

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
pass() { echo "PASS: $*"; }

spawn() {
	local log=$1; shift
	"$@" >"$TMP/$log" 2>&1 &
	PIDS+=($!)
	LASTPID=$!
}

# spawn_in: like spawn but keeps stdin as a pipe we control (fd 9+N)
# cpu_ticks PID: user + system CPU time of PID so far, in clock ticks
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# no_spin PID WHAT: PID uses at most a fifth of a CPU over 2 s (a process
# that waits on nothing in particular: no busy loop), else the test fails;
# prints the ticks it used, with WHAT
no_spin() {
	local t0 t1 hz
	hz=$(getconf CLK_TCK)
	t0=$(cpu_ticks "$1")
	sleep 2		# the measurement interval
	t1=$(cpu_ticks "$1")
	echo "$2: $((t1 - t0)) ticks of CPU in 2 s (CLK_TCK $hz)"
	[ $((t1 - t0)) -le $((hz / 5)) ] || fail "$2: spins, $((t1 - t0)) ticks of CPU in 2 s"
}
# fd_limit_free PID N: the soft RLIMIT_NOFILE under which PID has N fds
# free (the limit bounds fd numbers; fds closed earlier leave holes below
# the highest one); set it with prlimit --pid PID --nofile=LIMIT:HARD
fd_limit_free() {
	local pid=$1 free=$2 lim used
	lim=$(ls "/proc/$pid/fd" | wc -l)
	while :; do
		used=$(ls "/proc/$pid/fd" | awk -v n="$lim" '$1 < n' | wc -l)
		[ $((lim - used)) -eq "$free" ] && break
		[ $((lim - used)) -lt "$free" ] && lim=$((lim + 1)) || lim=$((lim - 1))
	done
	echo "$lim"
}

wait_for() {
	local secs=${WAIT_SECS:-5} t=0
	local end=$(( $(date +%s%N) + secs * 1000000000 ))
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s%N)" -lt "$end" ] || return 1
		sleep 0.02
	done
	return 0
}

# sock_ready PATH: a stream socket that accepts connections. The file exists
# from bind() on, but connect() is refused until listen(): `test -S` alone
# races with a daemon that is still starting.
sock_ready() { [ -S "$1" ] && socat -u /dev/null "UNIX-CONNECT:$1" 2>/dev/null; }

need_root() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	[ -c /dev/net/tun ] || skip "needs /dev/net/tun"
	ip netns list >/dev/null 2>&1 || skip "needs ip netns"
}

mkns() {
	local ns
	for ns in "$@"; do
		ip netns add "$ID-$ns" || fail "ip netns add $ID-$ns"
		NETNS+=("$ID-$ns")
		ip -n "$ID-$ns" link set lo up
	done
}
n() { local ns=$1; shift; ip netns exec "$ID-$ns" "$@"; }
ipn() { local ns=$1; shift; ip -n "$ID-$ns" "$@"; }

# Our binaries: from PATH as set by make check; helper programs in tests/.
bin() { command -v "$1" || fail "$1 not found in PATH"; }

OURLIB=$top_builddir/lib/.libs
ourlib_env() {
	local pre
	[ -e "$OURLIB/libvdeplug.so.2" ] || fail "our library $OURLIB/libvdeplug.so.2 not built"
	printf 'LD_LIBRARY_PATH=%s\n' "$OURLIB"
	# a sanitizer build of our library needs its runtimes loaded first
	pre=$(ldd "$OURLIB/libvdeplug.so.2" | awk '/lib(asan|ubsan)\.so/ { print $3 }' | paste -sd:)
	if [ -n "$pre" ]; then
		printf 'LD_PRELOAD=%s\n' "$pre"
		printf 'ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:halt_on_error=1\n'
	fi
}
