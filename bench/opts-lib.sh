# SPDX-License-Identifier: GPL-2.0-or-later
# bench/opts-lib.sh - the command line of the bench scripts; sourced, not run.
#
#   bench_args SPEC SYNOPSIS NOPER "$@"
#     SPEC      the script's options for getopts ("r:t:o:"; -h is always
#               there). -r, -t and -o set RUNS, SECS and OUT; any other
#               letter calls the script's bench_opt LETTER VALUE.
#     SYNOPSIS  the usage line after the script's name ("[-r RUNS] BUILD_DIR")
#     NOPER     how many operands (build directories) it takes
#
#   bench_positional SYNOPSIS MIN MAX "$@"
#     for the scripts whose settings are operands (BUILD_DIR [SECONDS]
#     [RUNS]): -h/--help prints the header comment and exits 0; any other
#     option, or fewer than MIN or more than MAX operands, prints the usage
#     line to stderr and exits 1. The script then reads "$@" itself.
#   Defaults: RUNS=3, SECS=10, OUT= (set when this file is sourced).
#   -h prints the script's header comment (from line 3 to the first line that
#   is not a comment) and exits 0; an unknown option or the wrong number of
#   operands prints the usage line to stderr and exits 1. The operands, made
#   absolute, go to BDIRS; the first one also to B.
RUNS=3
SECS=10
OUT=
bench_args() {
	local spec=$1 syn=$2 noper=$3 c d
	shift 3
	OPTIND=1
	while getopts "${spec}h" c; do
		case $c in
		r) RUNS=$OPTARG ;;
		t) SECS=$OPTARG ;;
		o) OUT=$OPTARG ;;
		h) sed -n '3,/^[^#]/{/^#/p}' "$0"; exit 0 ;;
		\?) echo "usage: $0 $syn" >&2; exit 1 ;;
		*) bench_opt "$c" "${OPTARG:-}" || exit 1 ;;
		esac
	done
	shift $((OPTIND - 1))
	[ $# -eq "$noper" ] || { echo "usage: $0 $syn" >&2; exit 1; }
	BDIRS=()
	for d in "$@"; do
		BDIRS+=("$(cd "$d" && pwd)") || exit 1
	done
	B=${BDIRS[0]}
}

bench_positional() {
	local syn=$1 min=$2 max=$3
	shift 3
	case ${1-} in
	-h | --help) sed -n '3,/^[^#]/{/^#/p}' "$0"; exit 0 ;;
	-*) echo "usage: $0 $syn" >&2; exit 1 ;;
	esac
	[ $# -ge "$min" ] && [ $# -le "$max" ] || { echo "usage: $0 $syn" >&2; exit 1; }
}
