#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-nofastpath-lists.sh - every tests/integration/t-*.sh is placed in exactly
# one of the four lists of tests/integration/local.am: NOFASTPATH_TESTS
# (run again with VDEPLUG_FASTPATH=0 by `make check-nofastpath`), or one of
# the exclusions, each with its reason there (NOFASTPATH_RING_TESTS,
# NOFASTPATH_NOLIB_TESTS, NOFASTPATH_NOSWITCH_TESTS); every name listed is
# a test that exists. A new test that starts our switch cannot be left out
# of the fast-path-off run by mistake.
. "$top_srcdir/tests/lib/env.sh"
AM=$top_srcdir/tests/integration/local.am
[ -f "$AM" ] || fail "$AM missing"
LISTS="NOFASTPATH_TESTS NOFASTPATH_RING_TESTS NOFASTPATH_NOLIB_TESTS NOFASTPATH_NOSWITCH_TESTS"

# list VAR: the file names in VAR = a \ b \ c (one per line)
list() {
	awk -v var="$1" '
		$1 == var && $2 == "=" { on = 1; sub(/^[^=]*=/, "") }
		on { line = $0; more = sub(/\\[ \t]*$/, "", line)
		     n = split(line, w, /[ \t]+/)
		     for (i = 1; i <= n; i++) if (w[i] != "") print w[i]
		     if (!more) on = 0 }' "$AM"
}

: >"$TMP/all"
for v in $LISTS; do
	list "$v" >"$TMP/$v"
	[ -s "$TMP/$v" ] || fail "$v is empty or missing in $AM"
	while read -r t; do
		case $t in
		tests/integration/t-*.sh) ;;
		*) fail "$v: $t is not a tests/integration/t-*.sh name" ;;
		esac
		[ -f "$top_srcdir/$t" ] || fail "$v lists $t, which does not exist"
		echo "$t $v" >>"$TMP/all"
	done <"$TMP/$v"
	pass "$v: $(wc -l <"$TMP/$v") tests"
done

dups=$(awk '{print $1}' "$TMP/all" | sort | uniq -d)
[ -z "$dups" ] || fail "in more than one list of $AM: $(grep -F "$dups" "$TMP/all" | tr '\n' ' ')"
pass "no test in two lists"

missing=
for f in "$top_srcdir"/tests/integration/t-*.sh; do
	t=tests/integration/${f##*/}
	grep -q "^$t " "$TMP/all" || missing="$missing $t"
done
[ -z "$missing" ] || fail "not in any list of tests/integration/local.am (does it start our switch and
attach a client of our library? then NOFASTPATH_TESTS, else an exclusion with its reason):$missing"
pass "every tests/integration/t-*.sh is in one list ($(wc -l <"$TMP/all") tests)"

# every test of the lists is an ordinary test too: named in another
# fragment (its area's TESTS +=), not only in the lists above, which make
# check does not run (a test only listed here never ran)
frags=()
for f in "$top_srcdir/Makefile.am" "$top_srcdir"/*/local.am "$top_srcdir"/*/*/local.am; do
	[ "$f" -ef "$AM" ] || frags+=("$f")
done
grep '^TESTS +=' "$AM" >"$TMP/own"
for t in $(awk '{print $1}' "$TMP/all"); do
	grep -qsF -- "$t" "${frags[@]}" "$TMP/own" || fail "$t is in a list of $AM but in no TESTS"
done
pass "every listed test is registered in a TESTS"
