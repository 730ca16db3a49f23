#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-switch-json.sh - vde_switch's JSON forms (vdecmd -j / "-j CMD"):
# showinfo, port/print, port/allprint, port/stats, hash/print, vlan/print,
# vlan/allprint, fstp/print, debug/list, port/capture parse as JSON and
# carry the fields of vde_switch(1) with the values of a known topology
# (ports, MACs, VLANs, counters after N frames); the live rates of
# port/stats follow a paced sender; the text forms are unchanged.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/switch-common.sh"
command -v python3 >/dev/null || skip "needs python3"
CHECK="python3 $top_srcdir/tests/integration/switch-json.py"
VDECMD=$(bin vdecmd)

start_switch sw -n 8
for c in "vlan/create 10" "port/create 3" "vlan/addport 10 3" "port/setuser 3 $(id -un)" \
	"port/create 5"; do
	[ "$(status sw "$c")" = "1000 Success" ] || fail "$c"
done
# a floods 5 frames of 100 bytes (ports 2, 3), b answers with 3 unicast of 64
cat >"$TMP/t1" <<EOT
open a 1
open b 2 descr=bee
open c 3
burst a ff:ff:ff:ff:ff:ff 02:00:00:00:00:01 100 5
recvcount b 5 2000
recvcount c 5 2000
burst b 02:00:00:00:00:01 02:00:00:00:00:02 64 3
recvcount a 3 2000
touch $TMP/t1.ready
wait $TMP/t1.done
EOT
"$PROBE" "$TMP/sw" <"$TMP/t1" >"$TMP/t1.log" 2>&1 &
PIDS+=($!)
wait_for test -e "$TMP/t1.ready" || fail "probe: $(cat "$TMP/t1.log")"
$CHECK topo "$VDECMD" "$TMP/sw.mgmt" "$SWPID" || fail "JSON forms"
# the text forms are not touched by -j: VDE 2's bytes
T=$(body sw "port/print 2")
echo "$T" | grep -q '^ IN:  pkts          3          bytes                  192$' ||
	fail "port/print text: $T"
touch "$TMP/t1.done"
pass "every JSON form parses and carries the topology's ports, MACs, VLANs and counters"

# port/capture with two live capture ports (vdecapture -i 2 --vlan 10 -s 64, and every port)
CAP=$(bin vdecapture)
spawn cap1.log "$CAP" -i 2 --vlan 10 -s 64 -w "$TMP/c1.pcapng" "$TMP/sw"
C1=$LASTPID
spawn cap2.log "$CAP" -w "$TMP/c2.pcap" "$TMP/sw"
C2=$LASTPID
wait_for grep -q 'vdecapture: listening' "$TMP/cap1.log" || fail "vdecapture: $(cat "$TMP/cap1.log")"
wait_for grep -q 'vdecapture: listening' "$TMP/cap2.log" || fail "vdecapture: $(cat "$TMP/cap2.log")"
"$VDECMD" -j "$TMP/sw.mgmt" port/capture >"$TMP/pc.json" || fail "-j port/capture"
python3 - "$TMP/pc.json" "$C1" "$C2" <<'EOT' || fail "port/capture JSON: $(cat "$TMP/pc.json")"
import json, sys
d = json.load(open(sys.argv[1]))
c = sorted(d["captures"], key=lambda x: x["port"] is None)
assert len(c) == 2, c
a, b = c
assert (a["port"], a["vlan"], a["snaplen"]) == (2, 10, 64), a
assert (b["port"], b["vlan"], b["snaplen"]) == (None, None, 0), b
assert a["descr"] == "vdecapture PID=" + sys.argv[2] and b["descr"] == "vdecapture PID=" + sys.argv[3], c
for x in c:
    assert isinstance(x["id"], int) and x["copies"] == 0 and x["dropped"] == 0 and \
        x["received_dropped"] == 0, x
EOT
kill "$C1" "$C2"
pass "port/capture JSON: two live capture ports with their filters and counters"

[ "$(status sw "-j port/setuser 5 $(id -un)")" = "1000 Success" ] || fail "-j on a setter"
[ "$(status sw '-j hash/showinfo')" = "1095 Operation not supported" ] || fail "-j without a form"
# a JSON form fails as its text form: a port beyond numports (8) is 1022,
# an existing inactive one 1006 (the JSON forms said 1006 for both)
for c in "port/print 9" "port/allprint 9" "port/print 4096" "port/print 5" "port/allprint 6"; do
	[ "$(status sw "-j $c")" = "$(status sw "$c")" ] ||
		fail "-j $c: $(status sw "-j $c"), text: $(status sw "$c")"
done
[ "$(status sw '-j port/print 9')" = "1022 Invalid argument" ] || fail "-j port/print 9"
# a carriage return before the number separates words there too (1022 before)
CR=$(printf '\r')
for c in "port/stats ${CR}9" "vlan/print ${CR}10" "port/allprint ${CR}3"; do
	[ "$(status sw "-j $c")" = "$(status sw "$c")" ] ||
		fail "-j $c: $(status sw "-j $c"), text: $(status sw "$c")"
done
[ "$(status sw "-j vlan/print ${CR}10")" = "1000 Success" ] || fail "-j vlan/print CR 10"

# rates: ~100 frames/s of 100 bytes and ~100 runts/s on port 4 for 6 s
{
	echo "open r 4"
	echo "touch $TMP/r.ready"
	for i in $(seq 600); do
		echo "send r 02:00:00:00:00:99 02:00:00:00:00:04 100"
		echo "sendhex r 0011223344"
		echo "sleep 10"
	done
	echo "touch $TMP/r.done"
	echo "wait $TMP/r.end"
} >"$TMP/r"
"$PROBE" "$TMP/sw" <"$TMP/r" >"$TMP/r.log" 2>&1 &
PIDS+=($!)
wait_for test -e "$TMP/r.ready" || fail "rate probe: $(cat "$TMP/r.log")"
# let the sender run for 3 s of history before measuring
sleep 3
TEST_OUT=$($CHECK rate "$VDECMD" "$TMP/sw.mgmt" 4 "$TMP/r.done") || fail "rates: $TEST_OUT"
touch "$TMP/r.end"
echo "$TEST_OUT"
T=$(body sw "port/stats 4")
echo "$T" | grep -Eq '^  -- rate 10s in [0-9.]+ pkt/s [0-9.]+ B/s out [0-9.]+ pkt/s [0-9.]+ B/s drops [0-9.]+/s$' ||
	fail "port/stats text rates: $T"
pass "port/stats rates (1 s, 10 s) follow a paced sender and fall to 0 when it stops"
