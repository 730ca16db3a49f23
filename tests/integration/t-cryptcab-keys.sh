#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-cryptcab-keys.sh - key tools and key file checks of vde_cryptcab:
# genkey/genpsk/pubkey formats, refusal of group/world-readable, foreign-owned
# and symlinked key files with a clear message, CLI contract (-h, misuse).
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/cryptcab-lib.sh"

k=$("$CAB" genkey) || fail "genkey"
[[ "$k" =~ ^[A-Za-z0-9+/]{43}=$ ]] || fail "genkey output '$k' is not 44 chars of base64"
p=$(echo "$k" | "$CAB" pubkey) || fail "pubkey"
[[ "$p" =~ ^[A-Za-z0-9+/]{43}=$ ]] || fail "pubkey output '$p'"
[ "$p" = "$(echo "$k" | "$CAB" pubkey)" ] || fail "pubkey not deterministic"
[ "$p" != "$k" ] || fail "pubkey = private key"
s=$("$CAB" genpsk) || fail "genpsk"
[[ "$s" =~ ^[A-Za-z0-9+/]{43}=$ ]] || fail "genpsk output '$s'"
[ "$s" != "$("$CAB" genpsk)" ] || fail "genpsk repeats"
echo "not a key" | "$CAB" pubkey 2>"$TMP/err" && fail "pubkey accepted garbage"
grep -q "not a private key" "$TMP/err" || fail "pubkey message: $(cat "$TMP/err")"
pass "genkey/pubkey/genpsk"

"$CAB" -h >"$TMP/out" 2>"$TMP/err" || fail "-h exit status"
grep -q "^usage:" "$TMP/out" && [ ! -s "$TMP/err" ] || fail "-h not on stdout"
"$CAB" --bogus >"$TMP/out" 2>"$TMP/err"; [ $? = 1 ] || fail "misuse exit status"
grep -q "usage:" "$TMP/err" || fail "misuse usage not on stderr"
"$CAB" -s "$TMP/x" 2>"$TMP/err"; [ $? = 1 ] && grep -q "exactly one of -P" "$TMP/err" || fail "no key option accepted"
"$CAB" -V | grep -q "^vde_cryptcab (vdekit) " || fail "-V: as every tool's, NAME (vdekit) VERSION"
mkkey "$TMP/p0" genpsk
"$CAB" -s "$TMP/x" -P "$TMP/p0" -c me@127.0.0.1:7667 2>"$TMP/err"; [ $? = 1 ] &&
	grep -q "no USER@ here" "$TMP/err" || fail "VDE 2's -c user@host: $(cat "$TMP/err")"
# a PSK server whose switch does not exist: said at start, not at the first client
freeport=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("", 0)); print(s.getsockname()[1])')
timeout 10 "$CAB" -s "$TMP/nosw" -P "$TMP/p0" -p "$freeport" </dev/null 2>"$TMP/err"; rc=$?
[ $rc = 1 ] && grep -q "cannot open $TMP/nosw: no switch there" "$TMP/err" ||
	fail "PSK server on a missing switch: exit $rc, $(cat "$TMP/err")"
pass "CLI contract"

mkkey "$TMP/psk" genpsk
chmod 640 "$TMP/psk"
"$CAB" -s "$TMP/x" -P "$TMP/psk" 2>"$TMP/err" && fail "group-readable psk accepted"
grep -q "permissions 0640 allow group/world access: refusing key file" "$TMP/err" ||
	fail "message: $(cat "$TMP/err")"
chmod 604 "$TMP/psk"
"$CAB" -s "$TMP/x" -P "$TMP/psk" 2>"$TMP/err" && fail "world-readable psk accepted"
chmod 600 "$TMP/psk"
ln -s "$TMP/psk" "$TMP/link"
"$CAB" -s "$TMP/x" -P "$TMP/link" 2>"$TMP/err" && fail "symlinked key accepted"
grep -q "link" "$TMP/err" || fail "symlink message: $(cat "$TMP/err")"
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	cp "$TMP/psk" "$TMP/psk2"; chown nobody "$TMP/psk2"
	"$CAB" -s "$TMP/x" -P "$TMP/psk2" 2>"$TMP/err" && fail "foreign-owned key accepted"
	grep -q "not by uid 0: refusing key file" "$TMP/err" || fail "owner message: $(cat "$TMP/err")"
fi
printf 'short\n' >"$TMP/bad"; chmod 600 "$TMP/bad"
"$CAB" -s "$TMP/x" -P "$TMP/bad" 2>"$TMP/err" && fail "bad key accepted"
grep -q "not a key" "$TMP/err" || fail "bad key message: $(cat "$TMP/err")"
pass "key files: mode, owner, symlink and content checks"

# config file errors carry file:line
mkkey "$TMP/priv" genkey
printf 'private-key %s\npeer %s\npeer %s\n' "$TMP/priv" "$p" "$p" >"$TMP/conf"
"$CAB" -s "$TMP/x" -f "$TMP/conf" 2>"$TMP/err" && fail "duplicate peer accepted"
grep -q "conf:3: peer: .* listed twice" "$TMP/err" || fail "dup message: $(cat "$TMP/err")"
own=$("$CAB" pubkey <"$TMP/priv")
printf 'private-key %s\npeer %s\n' "$TMP/priv" "$own" >"$TMP/conf"
"$CAB" -s "$TMP/x" -f "$TMP/conf" 2>"$TMP/err" && fail "own key as peer accepted"
grep -q "our own public key" "$TMP/err" || fail "own key message: $(cat "$TMP/err")"
pass "config checks"
