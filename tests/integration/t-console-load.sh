#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-console-load.sh - `load FILE` on a management socket opened to others
# (--mgmtmode 0666) reads the file with the client's rights, not the
# daemon's: load echoes every line, so a client must not be able to read,
# say, a root-only file through a root switch. nobody: a 0600 root file is
# refused with 1013 and nothing of it shows; a world-readable file runs.
# root (the daemon's own user) still loads anything.
. "$top_srcdir/tests/lib/env.sh"
need_root
command -v setpriv >/dev/null || fail "setpriv is needed"
id nobody >/dev/null 2>&1 || fail "no user nobody"
chmod 755 "$TMP"

printf 'port/create 3\nsecret-line-of-a-private-file\n' >"$TMP/private.rc"
chmod 600 "$TMP/private.rc"
printf 'port/create 4\n' >"$TMP/public.rc"
chmod 644 "$TMP/public.rc"

spawn sw.log vde_switch --nostdin -s "$TMP/sw" -M "$TMP/mgmt" --mgmtmode 0666
wait_for sock_ready "$TMP/mgmt" || fail "switch did not start"

as_nobody() {	# console command as user nobody, raw bytes
	printf '%s\nlogout\n' "$1" |
		setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
			timeout 10 socat - "UNIX-CONNECT:$TMP/mgmt"
}

out=$(as_nobody "load $TMP/private.rc")
grep -q '1013 Permission denied' <<<"$out" || fail "nobody's load of a 0600 file not refused: $out"
grep -q secret-line <<<"$out" && fail "the private file leaked to nobody: $out"
has_port() { vdecmd "$TMP/mgmt" port/allprint | grep -q "^Port 000$1 "; }
has_port 3 && fail "the refused file was run anyway"

out=$(as_nobody "load $TMP/public.rc")
grep -q "vde\[$TMP/public.rc\]: port/create 4$" <<<"$out" || fail "nobody's load of a 0644 file: $out"
has_port 4 || fail "the public file did not run"

out=$(vdecmd "$TMP/mgmt" load "$TMP/private.rc" 2>&1)
grep -q secret-line <<<"$out" || fail "root's own load of its file: $out"
has_port 3 || fail "root's load did not run"
pass "load reads files with the client's rights"
