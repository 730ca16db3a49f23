#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-console-json.sh - vdecmd -j on every console, with the values of a
# known history checked through python3's json module:
#  - wirefilter (stream mode, mtu 200): 5 frames of 60 bytes and 3 of 500:
#    showinfo's counters in 8 / out 5 / drop_mtu 3, bytes, settings;
#  - vde_cryptcab (PSK server and client on two switches): after a
#    handshake, 10 frames: the client's tx_data and the server's rx_data
#    grow by exactly 10; peers, showinfo and stats agree with the text
#    forms and the key files;
#  - slirpvde (stream mode): stats, leases, connections, fwd/print after
#    ARP, runts and a DHCP exchange (tests/integration/slirp-json.py);
#  - vdecmd: -w/-c repeat (one document per round), -j on a table without
#    a JSON form (1095) and on VDE 2's switch (1038, said so), --help.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/cryptcab-lib.sh"
VDECMD=$(bin vdecmd)
J() { "$VDECMD" -j "$@"; }
# jq-like: PY EXPR on the JSON of stdin ("d" is the document); prints the result
jv() { "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(eval("(" + sys.argv[1] + ")"))' "$1"; }

# --- wirefilter
mkfifo "$TMP/wfin"
exec 7<>"$TMP/wfin"
spawn wf.log bash -c 'exec "$@" <&7 >"$0"' "$TMP/wf.out" "$(bin wirefilter)" -M "$TMP/wm" \
	-m 200 -l 0 --seed 7
wait_for sock_ready "$TMP/wm" || fail "wirefilter console"
"$PY" -c '
import struct, sys
with open(sys.argv[1], "wb") as f:
    for i in range(5): f.write(struct.pack(">H", 60) + bytes(60))
    for i in range(3): f.write(struct.pack(">H", 500) + bytes(500))
' "$TMP/wfin"
WAIT_SECS=10 wait_for sh -c "'$VDECMD' -j '$TMP/wm' showinfo | grep -q '\"in_frames\":8,'" ||
	fail "wirefilter did not count 8 frames: $(J "$TMP/wm" showinfo)"
doc=$(J "$TMP/wm" showinfo) || fail "-j showinfo"
jv '(d["directions"], d["node"], d["nodes"], d["fifo"], d["seed"]) == (1, 0, 1, True, 7) and
	[d["counters"]["LR"][k] for k in ("in_frames", "in_bytes", "out_frames", "out_bytes",
	 "drop_mtu", "drop_loss", "tx_errors")] == [8, 5 * 60 + 3 * 500, 5, 5 * 60, 3, 0, 0] and
	d["settings"]["mtu"]["LR"]["value"] == 200 and "RL" not in d["settings"]["mtu"] and
	d["queue"] == {"LR": {"bytes": 0, "frames": 0}}' <<<"$doc" | grep -qx True ||
	fail "wirefilter -j showinfo: $doc"
for k in loss lostburst delay dup bandwidth speed noise mtu chanbufsize; do
	jv "d['settings']['$k']['LR']['distribution']" <<<"$doc" | grep -qx uniform ||
		fail "wirefilter settings.$k: $doc"
done
jv 'sorted(d["counters"]["LR"])' <<<"$doc" | grep -q "'bits_flipped', 'corrupted', 'delayed'" ||
	fail "wirefilter counter names: $doc"
J "$TMP/wm" showedges | jv 'd["edges"][0]["weight"]' | grep -qx 100 || fail "-j showedges"
J "$TMP/wm" showcurrent | jv 'd["node"], d["nodes"]' | grep -qx '(0, 1)' || fail "-j showcurrent"
pass "wirefilter: -j showinfo counts 8 in, 5 out, 3 over the MTU; showedges, showcurrent"

# --- vde_cryptcab: PSK server and client, 10 frames
start_sw swa
start_sw swb
mkkey "$TMP/psk" genpsk
PS=$(free_port)
start_cab srv -s "$TMP/swb" -p "$PS" -P "$TMP/psk"
start_cab cli -s "$TMP/swa" -c "127.0.0.1:$PS" -P "$TMP/psk"
spawn r.txt "$CLIENT" -r 100000 -t 100 -R "$TMP/r.ready" "$TMP/swb"
wait_for test -e "$TMP/r.ready" || fail "receiver"
up() { J "$TMP/cli.mgmt" peers | jv 'd["peers"][0]["up"]' | grep -qx True; }
for try in 1 2 3 4 5 6; do
	"$CLIENT" -n 1 -l 100 -S 1 "$TMP/swa" || fail sender
	WAIT_SECS=2 wait_for up && break
done
up || fail "cable not up: $(J "$TMP/cli.mgmt" peers)"
cstat() { J "$TMP/$1.mgmt" stats | jv "d['counters']['$2']"; }
WAIT_SECS=5 wait_for sh -c "[ \$(cat '$TMP/r.txt' | wc -l) -ge 1 ]"
tx0=$(cstat cli tx_data); rx0=$(cstat srv rx_data)
"$CLIENT" -n 10 -l 100 -S 2 "$TMP/swa" || fail "sender of 10 frames"
WAIT_SECS=10 wait_for sh -c "[ \"\$('$VDECMD' -j '$TMP/srv.mgmt' stats | '$PY' -c 'import json,sys; print(json.load(sys.stdin)[\"counters\"][\"rx_data\"])')\" -ge $((rx0 + 10)) ]" ||
	fail "server rx_data did not grow by 10 (from $rx0): $(J "$TMP/srv.mgmt" stats)"
[ "$(cstat cli tx_data)" = $((tx0 + 10)) ] || fail "client tx_data $(cstat cli tx_data), want $((tx0 + 10))"
[ "$(cstat srv rx_data)" = $((rx0 + 10)) ] || fail "server rx_data $(cstat srv rx_data), want $((rx0 + 10))"
# the JSON counters are the text ones
J "$TMP/cli.mgmt" stats | jv '"\n".join("%s %d" % kv for kv in d["counters"].items())' >"$TMP/cj"
cab_cmd cli stats >"$TMP/ct"
diff "$TMP/cj" "$TMP/ct" >/dev/null || fail "stats: JSON and text differ: $(diff "$TMP/cj" "$TMP/ct")"
doc=$(J "$TMP/cli.mgmt" peers)
got=$(jv '[(p["kind"], p["endpoint"], p["up"], p["key_role"], p["counters"]["tx_data"] > 0)
	for p in d["peers"]]' <<<"$doc")
[ "$got" = "[('peer', '127.0.0.1:$PS', True, 'initiator', True)]" ] || fail "client peers: $got: $doc"
doc=$(J "$TMP/srv.mgmt" peers)
jv '[p["kind"] for p in d["peers"]]' <<<"$doc" | grep -q "'psk_clients'" || fail "server peers: $doc"
jv '[p["sessions"] for p in d["peers"] if p["kind"] == "psk_clients"]' <<<"$doc" | grep -qx '\[1\]' ||
	fail "server peers: sessions: $doc"
doc=$(J "$TMP/srv.mgmt" showinfo)
pub=$(cab_cmd srv showinfo | awk '/^public key/ {print $3}')
[ "$(jv 'd["public_key"], d["psk_server"], d["sessions"]' <<<"$doc")" = "('$pub', True, 1)" ] ||
	fail "server showinfo: $doc (text key $pub)"
pass "vde_cryptcab: peers, stats (10 frames counted both ends, = text), showinfo"

# --- slirpvde
"$PY" "$top_srcdir/tests/integration/slirp-json.py" "$(bin slirpvde)" "$VDECMD" "$TMP/sm" \
	>"$TMP/slj.log" 2>&1 || fail "slirpvde: $(cat "$TMP/slj.log")"
pass "slirpvde: $(grep '^ok' "$TMP/slj.log")"

# --- vdecmd
out=$(timeout 20 "$VDECMD" -j -w 1 -c 3 "$TMP/wm" showcurrent) || fail "-w 1 -c 3: exit $?"
[ "$(wc -l <<<"$out")" = 3 ] || fail "-w 1 -c 3: want 3 documents: $out"
while read -r l; do jv 'd["node"]' <<<"$l" >/dev/null || fail "-w document: $l"; done <<<"$out"
"$VDECMD" -w 1 "$TMP/wm" showcurrent >"$TMP/w.out" 2>&1 &
WPID=$!
wait_for grep -q 'Current Markov Node' "$TMP/w.out" || fail "-w: no output"
kill -INT "$WPID"
wait "$WPID"; rc=$?
[ $rc = 0 ] || fail "-w: exit $rc after SIGINT"
"$VDECMD" -j "$TMP/wm" markov-time 50 >"$TMP/out" 2>&1; rc=$?
[ $rc = 0 ] && [ ! -s "$TMP/out" ] || fail "-j on a setter: exit $rc, $(cat "$TMP/out")"
"$VDECMD" -j "$TMP/sm" 2>/dev/null; [ $? = 1 ] || fail "-j without a command"
[ -x "$DEB_SWITCH" ] && {
	"$DEB_SWITCH" -d -s "$TMP/dsw" -M "$TMP/dm" -p "$TMP/dpid" || fail "Debian's switch"
	wait_for test -s "$TMP/dpid" && PIDS+=("$(cat "$TMP/dpid")")
	"$VDECMD" -j "$TMP/dm" port/showinfo >/dev/null 2>"$TMP/err"; rc=$?
	[ $rc = 38 ] && grep -q 'does not know -j' "$TMP/err" || fail "-j on VDE 2: $rc $(cat "$TMP/err")"
}
"$VDECMD" -h | grep -q -- '--json' && "$VDECMD" -h | grep -q -- '--watch' || fail "--help"
"$VDECMD" -V | grep -q '^vdecmd ' || fail "-V"
"$VDECMD" -c 2 "$TMP/wm" showcurrent 2>/dev/null; [ $? = 1 ] || fail "-c without -w"
"$VDECMD" -w 0 "$TMP/wm" showcurrent 2>/dev/null; [ $? = 1 ] || fail "-w 0 accepted"
pass "vdecmd: -w/-c rounds, SIGINT, -j on setters and on VDE 2, usage"
