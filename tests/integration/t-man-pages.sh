#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-man-pages.sh - every tool's man page has the house sections and names
# every long option its --help prints; the library pages exist; every page
# renders without warnings (groff -ww, mandoc -Tlint when installed) and
# without words glued together by the markup (man-words.py); the source's
# references to docs/ hold, and what the documents name exists (doc-refs.py).
. "$top_srcdir/tests/lib/env.sh"

man_has() {	# page option: the option as roff writes it (\-\-opt or --opt)
	local esc=${2//-/\\\\-}
	grep -q -e "$esc" -e "$2" "$1"
}

check_sections() {
	local page=$1 sec
	for sec in NAME SYNOPSIS DESCRIPTION "EXIT STATUS" EXAMPLES "SEE ALSO"; do
		grep -q "^\.SH \"\?$sec\"\?" "$page" || fail "$page: no $sec section"
	done
}

n=0
tools="vde_switch vde_plug dpipe vdecmd wirefilter vde_cryptcab vde_plug2tap slirpvde vdecapture"
for tool in $tools; do
	page=$top_srcdir/man/$tool.1
	bin=$(command -v "$tool") || fail "$tool not built"
	case $bin in /usr/*) fail "$tool: found Debian's $bin, not ours" ;; esac
	[ -f "$page" ] || fail "$tool has no man page"
	check_sections "$page"
	grep -q "^\.SH OPTIONS" "$page" || grep -q "^\.SH COMMANDS" "$page" || fail "$page: no OPTIONS"
	"$tool" --help >"$TMP/help" 2>&1 || fail "$tool --help exits non-zero"
	[ -s "$TMP/help" ] || fail "$tool --help prints nothing"
	for opt in $(grep -o -- '--[a-z][a-z0-9-]*' "$TMP/help" | sort -u); do
		man_has "$page" "$opt" || fail "$tool: $opt is in --help but not in $page"
		n=$((n + 1))
	done
done
for page in libvdeplug.3 vde.7; do
	[ -f "$top_srcdir/man/$page" ] || fail "no man/$page"
	grep -q "^\.SH SEE ALSO" "$top_srcdir/man/$page" || fail "$page: no SEE ALSO"
done

# Every page renders without a warning from groff (all warnings on) nor from
# mandoc's checker, and without words glued together by the markup.
pages=("$top_srcdir"/man/*.[1-8])
lint=groff
for page in "${pages[@]}"; do
	groff -man -Tutf8 -ww -z "$page" 2>"$TMP/man.err" || fail "$page does not render"
	[ ! -s "$TMP/man.err" ] || fail "groff: $(cat "$TMP/man.err")"
done
if command -v mandoc >/dev/null; then
	lint="groff, mandoc"
	mandoc -Tlint -W warning "${pages[@]}" >"$TMP/man.err" 2>&1 || [ ! -s "$TMP/man.err" ] ||
		fail "mandoc -Tlint: $(cat "$TMP/man.err")"
	[ ! -s "$TMP/man.err" ] || fail "mandoc -Tlint: $(cat "$TMP/man.err")"
else
	echo "note: mandoc is not installed (apt-get install mandoc): groff's warnings only"
fi
PYTHONDONTWRITEBYTECODE=1 python3 "$top_srcdir/tests/integration/man-words.py" "${pages[@]}" >"$TMP/glued" ||
	fail "glued words in the rendered pages:
$(cat "$TMP/glued")"
# A reference to one of our own pages names the section it is in:
# vde_switch(8) or a vde_open(3) page that is not installed sends a reader to
# nothing ("No manual entry"). Both roff forms: .BR name (N) and \fBname\fR(N).
grep -ohE -e '^\.BR? [a-z_0-9]+ \([0-9]\)' -e '\\fB[a-z_0-9]+\\fR\([0-9]\)' "${pages[@]}" |
	sed -e 's/^\.BR\{0,1\} //' -e 's/\\f[BR]//g' -e 's/ *(\([0-9]\))/ \1/' |
	sort -u | while read -r name sec; do
	case $name in
	vde*|libvde*|dpipe|wirefilter|slirpvde) ;;
	*) continue ;;
	esac
	[ -f "$top_srcdir/man/$name.$sec" ] || echo "$name($sec)"
done >"$TMP/xrefs"
[ ! -s "$TMP/xrefs" ] || fail "references to pages that do not exist: $(tr '\n' ' ' <"$TMP/xrefs")"
# Comments that cite docs/ name sections that exist.
python3 "$top_srcdir/tests/integration/doc-refs.py" "$top_srcdir" >"$TMP/refs" ||
	fail "broken references to docs/:
$(grep -v '^note:' "$TMP/refs")"
grep '^note:' "$TMP/refs" || true
pass "$n long options documented, sections present; ${#pages[@]} pages render clean ($lint, no glued words)"
