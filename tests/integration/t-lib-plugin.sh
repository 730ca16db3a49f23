#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-lib-plugin.sh - modules that are not built in load vdeplug4 plugins:
# Debian's libvdeplug_udp.so, made visible as module "dudp" through
# $VDEPLUGIN_PATH, talks to our built-in udp:// (bytes compared both ways,
# 60 and 9000-byte frames); with an empty $VDEPLUGIN_PATH an unknown module
# is EPROTONOSUPPORT; without it Debian's plugin directory is searched
# (hub://; tap:// is built in now, tested by t-tap-*.sh).
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/lib-helpers.sh"

DEBPLUG=/usr/lib/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)/vdeplug
[ -e "$DEBPLUG/libvdeplug_udp.so" ] || fail "Debian's vdeplug plugins not found in $DEBPLUG"
mkdir "$TMP/plugins" "$TMP/empty"
ln -s "$DEBPLUG/libvdeplug_udp.so" "$TMP/plugins/libvdeplug_dudp.so"

read -r PA PB <<<"$(python3 -c '
import socket
s = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))')"

# Debian's udp code (as dudp://) echoes, ours sends
VDEPLUGIN_PATH=$TMP/plugins client echo -e -r 4 -t 20 "dudp://127.0.0.1:$PA->127.0.0.1:$PB"
"$CLIENT" -P -r 2 -n 2 -l 60 -S 1 -o "$TMP/a.sent" "udp://127.0.0.1:$PB->127.0.0.1:$PA" \
	>"$TMP/a.out" || fail "builtin udp <-> plugin udp (60) failed"
same "$TMP/a.sent" "$TMP/a.out" "60-byte frames through Debian's udp plugin"
"$CLIENT" -P -r 2 -n 2 -l 9000 -S 2 -o "$TMP/b.sent" "udp://127.0.0.1:$PB->127.0.0.1:$PA" \
	>"$TMP/b.out" || fail "builtin udp <-> plugin udp (9000) failed"
same "$TMP/b.sent" "$TMP/b.out" "9000-byte frames through Debian's udp plugin"
finish echo
cat "$TMP/a.sent" "$TMP/b.sent" >"$TMP/ab.sent"
same "$TMP/ab.sent" "$TMP/echo.out" "plugin side received"

out=$(VDEPLUGIN_PATH=$TMP/empty "$CLIENT" -F "dudp://1->127.0.0.1:2") || fail "$out"
[ "$out" = "open failed: EPROTONOSUPPORT" ] || fail "missing plugin gave '$out'"
out=$("$CLIENT" -F "nosuchmodule://x") || fail "$out"
[ "$out" = "open failed: EPROTONOSUPPORT" ] || fail "unknown module gave '$out'"
out=$("$CLIENT" -F "../x://y") || fail "$out"
[ "$out" = "open failed: ENOENT" ] || fail "a path-like module name is a path: '$out'"

# default search path: Debian's plugin directory, with hub://
"$CLIENT" -R "$TMP/hub.ready" -r 0 "hub://$TMP/hub" >"$TMP/hub.out" 2>&1 ||
	fail "hub:// through Debian's plugin failed: $(cat "$TMP/hub.out")"
read -r _ datafd _ <"$TMP/hub.ready"
[ "$datafd" -ge 0 ] || fail "hub:// datafd $datafd"
pass "plugins"
