# SPDX-License-Identifier: GPL-2.0-or-later
# tests/lib/faultinj.sh - run a program with tests/lib/faultinj.c preloaded
# (sourced after tests/lib/env.sh)
#
#   fault_cmd RULES PROG   sets FAULT_CMD, an array to run PROG with the
#                          rules (FAULTINJ syntax, see faultinj.c):
#                          "${FAULT_CMD[@]}" ARGS…  or  spawn LOG "${FAULT_CMD[@]}" ARGS…
#                          PROG is a path or a name in PATH; a libtool
#                          wrapper is replaced by the binary it runs, so
#                          that neither bash nor the wrapper gets the rules
#   FAULT_LOG              the file where the faults injected are noted
#   fault_seen PATTERN     the log holds a line matching PATTERN (grep -E)
FAULTINJ_SO=$top_builddir/tests/lib/.libs/faultinj.so
[ -e "$FAULTINJ_SO" ] || fail "the fault injector $FAULTINJ_SO is not built (make check builds it)"
FAULT_LOG=$TMP/faultinj.log

fault_cmd() {
	local rules=$1 prog=$2 real pre
	real=$(command -v "$prog") || fail "$prog not found"
	if head -n 5 "$real" | grep -q 'wrapper script for'; then
		real=$(dirname "$real")/.libs/$(basename "$real")
		[ -x "$real" ] || fail "no binary behind the libtool wrapper $prog"
	fi
	[ "$(head -c 4 "$real")" = $'\177ELF' ] ||
		fail "$real is not a program (a script would get the faults itself)"
	# a sanitizer build: its runtimes must come first in LD_PRELOAD
	pre=$(ldd "$real" | awk '/lib(asan|ubsan)\.so/ { print $3 }' | paste -sd:)
	FAULT_CMD=(env "LD_LIBRARY_PATH=$OURLIB${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
		"LD_PRELOAD=${pre:+$pre:}$FAULTINJ_SO" "FAULTINJ=$rules" "FAULTINJ_LOG=$FAULT_LOG"
		"$real")
}

fault_seen() {
	grep -Eq "$1" "$FAULT_LOG" 2>/dev/null
}
