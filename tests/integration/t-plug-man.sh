#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-plug-man.sh - vde_plug(1) and dpipe(1) document exactly the options that
# --help lists (long and short), and -h equals --help.
. "$top_srcdir/tests/lib/env.sh"

for tool in vde_plug dpipe; do
	bin=$(bin $tool)
	page=$top_srcdir/man/$tool.1
	[ -f "$page" ] || fail "no man page $page"
	"$bin" --help >"$TMP/help" || fail "$tool --help status"
	"$bin" -h | cmp -s - "$TMP/help" || fail "$tool -h differs from --help"
	grep -o -- '--[a-z][a-z0-9]*' "$TMP/help" | sort -u >"$TMP/help.long"
	grep -o -- '^ *-[a-zA-Z][, ]' "$TMP/help" | tr -d ' ,' | sort -u >"$TMP/help.short"
	sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$page" | grep -o '\\-\\-[a-z][a-z0-9]*' |
		sed 's/\\-/-/g' | sort -u >"$TMP/man.long"
	sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$page" | grep -o '^\.BR* \\-[a-zA-Z]\b' |
		sed 's/^\.BR* \\//' | sort -u >"$TMP/man.short"
	[ -s "$TMP/help.long" ] && [ -s "$TMP/man.long" ] || fail "$tool: no options found"
	diff "$TMP/help.long" "$TMP/man.long" >"$TMP/d" ||
		fail "$tool: long options of --help and the man page differ: $(cat "$TMP/d")"
	diff "$TMP/help.short" "$TMP/man.short" >"$TMP/d" ||
		fail "$tool: short options of --help and the man page differ: $(cat "$TMP/d")"
	# the first synopsis line of --help names the same program as the page
	grep -q "^\.B $tool\$" "$page" || fail "$tool: SYNOPSIS"
done
pass "man pages match --help"
