#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-switch-plugins.sh - VDE 2's switch plugins built in (pdump, dump, iplog):
# plugin/list, plugin/add, plugin/del and every plugin command compared byte
# for byte with Debian's vde_switch loading its own .so files on the same
# traffic (one plugin per switch run: with several active, VDE 2.3.2 mixes
# up their hooks and crashes), the pdump files read by tcpdump the same way,
# the iplog log file; then what only ours does (a clear refusal of other
# plugins, all three at once, the real MAC of a tagged frame, expiry).
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/switch-common.sh"
command -v python3 >/dev/null || skip "needs python3"
SESS="python3 $top_srcdir/tests/integration/console-session.py"
PLUGDIR=/usr/lib/vde2/plugins
DEB=1
[ -x "$DEB_SWITCH" ] && [ -f "$PLUGDIR/pdump.so" ] && [ -f "$PLUGDIR/dump.so" ] &&
	[ -f "$PLUGDIR/iplog.so" ] || DEB=0
[ $DEB = 1 ] || echo "note: no Debian vde_switch with plugins: our side only"

# Both switches in turn on the same paths, so the commands are identical.
S=$TMP/s
start_deb() {
	rm -f "$TMP/deb.in"
	mkfifo "$TMP/deb.in"
	exec 8<>"$TMP/deb.in"
	(cd "$TMP" && exec "$DEB_SWITCH" -s "$S" -M "$S.mgmt" <"$TMP/deb.in" >>"$TMP/deb.log" 2>&1) &
	PIDS+=($!)
	SWPID=$!
	wait_for sock_ready "$S.mgmt" || fail "Debian switch did not start"
}
start_ours() {
	rm -f "$TMP/s.pid"
	(cd "$TMP" && exec "$SWITCH" -s "$S" -M "$S.mgmt" --nostdin -p "$TMP/s.pid" "$@") \
		>>"$TMP/sw.log" 2>&1 &
	PIDS+=($!)
	SWPID=$!
	wait_for test -s "$TMP/s.pid" || fail "our switch did not start"
}
sock_ready() { [ -S "$1" ]; }
stop_sw() {
	kill "$SWPID" 2>/dev/null
	local i=0
	while kill -0 "$SWPID" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	kill -0 "$SWPID" 2>/dev/null && fail "switch $SWPID did not stop"
	rm -rf "$S" "$S.mgmt"
}
# side NAME OP...: the session on Debian's switch (if any), then on ours;
# transcripts in $TMP/NAME.deb and $TMP/NAME.ours, compared. BEFORE_OURS,
# if set, runs between the two (to move files aside).
side() {
	local name=$1; shift
	if [ $DEB = 1 ]; then
		start_deb
		$SESS "$S.mgmt" "$@" >"$TMP/$name.deb" || fail "$name: Debian session: $(tail -c 300 "$TMP/$name.deb")"
		stop_sw
		${BEFORE_OURS:-true}
	fi
	start_ours
	$SESS "$S.mgmt" "$@" >"$TMP/$name.ours" || fail "$name: our session: $(tail -c 300 "$TMP/$name.ours")"
	stop_sw
	if [ $DEB = 1 ]; then
		cmp -s "$TMP/$name.deb" "$TMP/$name.ours" ||
			fail "$name: console bytes differ from Debian's:
$(diff "$TMP/$name.deb" "$TMP/$name.ours" | head -40)"
	fi
}

# ---- plugin management (no plugin active) ----
side mgmt "c:plugin/list" "c:help plugin" "c:plugin/add $PLUGDIR/pdump.so" "c:plugin/add pdump" \
	"c:plugin/add $PLUGDIR/dump.so" "c:plugin/add iplog" "c:plugin/list" "c:plugin/list p" \
	"c:plugin/list x" "c:help pdump" "c:help dump" "c:help iplog" "c:debug/list p" \
	"c:debug/list d" "c:debug/list i" "c:plugin/del pdump" "c:plugin/del pdump" "c:plugin/list" \
	"c:pdump/active 1" "c:help pdump" "c:debug/list p" "c:plugin/del d" "c:plugin/list" \
	"c:debug/list d" "c:plugin/del" "c:plugin/list"
grep -q '^pdump                  dump packets to file, in pcap format$' "$TMP/mgmt.ours" ||
	fail "plugin/list lacks pdump"
grep -q '^iplog/ipsearch     ipaddr          search an IP address$' "$TMP/mgmt.ours" ||
	fail "help iplog"
pass "plugin/list, plugin/add, plugin/del, help and debug/list of the plugins as Debian's"

# ---- traffic: a floods (ports 2, 3 get it), b answers a, a sends 1514 bytes to b ----
cat >"$TMP/t1" <<EOF
open a 1
open b 2
open c 3
send a ff:ff:ff:ff:ff:ff 02:00:00:00:00:01 60
expect b 02:00:00:00:00:01 60
expect c 02:00:00:00:00:01 60
send b 02:00:00:00:00:01 02:00:00:00:00:02 64 5
expect a 02:00:00:00:00:02 64 5
send a 02:00:00:00:00:02 02:00:00:00:00:01 1514 9
expect b 02:00:00:00:00:01 1514 9
none c 100
EOF
T1="r:$PROBE $S <$TMP/t1 >/dev/null"

# ---- pdump ----
BEFORE_OURS="mv $TMP/p.cap $TMP/p-deb.cap"
side pdump "c:plugin/add pdump" "c:pdump/filename" "c:pdump/filename $TMP/p.cap" "c:pdump/active 1" \
	"c:pdump/active 1" "$T1" "c:pdump/active 0" "c:pdump/active 0" "c:pdump/buffered 1" \
	"c:pdump/buffered 0" "c:pdump/filename /nonexistent/x.cap" "c:help pdump"
BEFORE_OURS=
grep -q "^dumpfile=$TMP/p.cap$" "$TMP/pdump.ours" || fail "pdump/filename"
command -v tcpdump >/dev/null || skip "needs tcpdump (pdump file check)"
tcpdump -r "$TMP/p.cap" -t -n -x >"$TMP/p.txt" 2>"$TMP/p.err" || fail "tcpdump: $(cat "$TMP/p.err")"
[ "$(grep -c 'ethertype Unknown (0x88b5), length' "$TMP/p.txt")" = 7 ] ||
	fail "pdump: 7 records expected (1+2, 1+1, 1+1): $(cat "$TMP/p.txt")"
grep -q 'snapshot length 96' "$TMP/p.err" || fail "pdump header: $(cat "$TMP/p.err")"
if [ $DEB = 1 ]; then
	tcpdump -r "$TMP/p-deb.cap" -t -n -x >"$TMP/p-deb.txt" 2>"$TMP/p-deb.err" || fail "tcpdump Debian"
	cmp -s "$TMP/p.txt" "$TMP/p-deb.txt" || fail "tcpdump reads the pdump files differently:
$(diff "$TMP/p-deb.txt" "$TMP/p.txt" | head)"
	cmp -s "$TMP/p.err" <(sed "s|p-deb.cap|p.cap|" "$TMP/p-deb.err") || fail "tcpdump headers differ"
	# the same bytes but the timestamps (8 bytes at each record start)
	python3 - "$TMP/p.cap" "$TMP/p-deb.cap" <<'EOF' || fail "pdump bytes differ from Debian's"
import sys
def recs(p):
    b = open(p, "rb").read(); out = [b[:24]]; o = 24
    while o < len(b):
        cap = int.from_bytes(b[o + 8:o + 12], "little"); out.append(b[o + 8:o + 16 + cap]); o += 16 + cap
    return out
a, d = recs(sys.argv[1]), recs(sys.argv[2])
sys.exit(0 if a == d else 1)
EOF
fi
pass "pdump: commands as Debian's, 7 records, tcpdump reads the file as Debian's"

# ---- dump ----
side dump "c:plugin/add dump" "c:dump/active 1" "c:debug/add dump/packetin" "c:debug/add dump" \
	"c:debug/list dump" "$T1" "w:310[12] dump/packet:7" "c:dump/active 0" "c:debug/del dump" "c:dump/active"
L=$(grep -o '3101 dump/packetin Pkt: Port 000[12] len=00\(60\|64\) ' "$TMP/dump.ours" | wc -l)
[ "$L" = 2 ] || fail "dump/packetin lines: $L"
grep -q '^3102 dump/packetout Pkt: Port 0002 len=1514 02 00 00 00 00 02 02 00 00 00 00 01 88 b5 17 18 ' \
	"$TMP/dump.ours" || fail "dump of the 1514-byte frame"
W=$(grep '^3102 dump/packetout Pkt: Port 0002 len=1514' "$TMP/dump.ours" | wc -c)
[ "$W" = $((44 + 3 * 1514 + 1)) ] || fail "dump line of 1514 bytes has $W bytes"
pass "dump: debug lines byte for byte as Debian's"

# ---- iplog ----
zeros() { printf '00%.0s' $(seq "$1"); }
# IPv4 10.0.0.1 -> broadcast, 60 bytes; IPv6 fd00::2 -> ff02::1, 62 bytes
V4=ffffffffffff02000000000108004500001400000000401100000a000001ffffffff$(zeros 26)
V6=33330000000102000000000286dd6000000000003aff
V6=${V6}fd000000000000000000000000000002ff020000000000000000000000000001$(zeros 8)
cat >"$TMP/t2" <<EOF
open a 1 descr=alpha
open b 2
sendhex a $V4
sendhex b $V6
sendhex a $V4
touch $TMP/t2.sent
wait $TMP/t2.done
EOF
T2="r:rm -f $TMP/t2.done $TMP/t2.sent; $PROBE $S <$TMP/t2 >/dev/null & for i in \$(seq 100); do [ -e $TMP/t2.sent ] && break; sleep 0.05; done"
T2END="r:touch $TMP/t2.done"
BEFORE_OURS="mv $TMP/ip.log $TMP/ip-deb.log"
side iplog "c:plugin/add iplog" "c:iplog/showinfo" "c:iplog/ipadd 10.0.0.0/8" "c:iplog/ipadd 10.0.0.0/8" \
	"c:iplog/ipadd fd00::/8" "c:iplog/ipadd 192.168.1.7/24" "c:iplog/ipadd foo" "c:iplog/list" \
	"c:iplog/ipdel 192.168.1.0/24" "c:iplog/ipdel 192.168.1.0/24" "c:iplog/logfile $TMP/ip.log" \
	"c:iplog/showinfo" "c:debug/add iplog" "$T2" "w:3301 iplog/newip:2" "c:iplog/iplist" "c:iplog/ipport 1" \
	"c:iplog/ipport 2" "c:iplog/ipuser root" "c:iplog/ipuser nosuchuser" "c:iplog/ipsearch 10.0.0.1" \
	"c:iplog/ipsearch fd00::2" "c:iplog/ipsearch" "c:iplog/logfile -" "c:iplog/showinfo" \
	"c:iplog/logfile" "c:iplog/setgcint 5" "c:iplog/setexpire 100" "c:iplog/showinfo" "$T2END"
BEFORE_OURS=
grep -q '3301 iplog/newip ipv4 10.0.0.1 mac=02:00:00:00:00:01 port=1 vlan=0 user=[a-z_0-9-]* "alpha"$' \
	"$TMP/iplog.ours" || fail "iplog/newip line"
grep -q '^ipv6 fd00::2 port=2 user=' "$TMP/iplog.ours" || fail "iplog/iplist"
[ "$(wc -l <"$TMP/ip.log")" = 2 ] || fail "ip.log: $(cat "$TMP/ip.log")"
grep -Eq '^[A-Z][a-z]{2} [ 1-3][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} ipv4 10.0.0.1 mac=02:00:00:00:00:01 port=1 vlan=0 user=.* "alpha"$' \
	"$TMP/ip.log" || fail "ip.log line: $(cat "$TMP/ip.log")"
if [ $DEB = 1 ]; then
	cmp -s <(cut -c17- "$TMP/ip.log") <(cut -c17- "$TMP/ip-deb.log") ||
		fail "ip.log differs from Debian's: $(diff "$TMP/ip-deb.log" "$TMP/ip.log")"
fi
pass "iplog: commands, debug lines and log file as Debian's"

# ---- ours only ----
start_ours
[ "$(status s 'plugin/add nothere.so')" = "1095 Operation not supported" ] || fail "unknown plugin"
grep -q 'plugin/add nothere.so: not one of the built-in plugins' "$TMP/sw.log" || fail "log of unknown plugin"
[ "$(status s 'plugin/add')" = "1022 Invalid argument" ] || fail "plugin/add without name"
# all three at once (Debian's crashes), pdump.so by bare file name (Debian's fails)
# IPv4 10.0.0.3 tagged VLAN 5, 64 bytes
V4T=ffffffffffff0200000000038100000508004500001400000000401100000a000003ffffffff$(zeros 26)
cat >"$TMP/t3" <<EOF
open a 1
open b 2
sendhex a $V4T
expecthex b $V4T
send b ff:ff:ff:ff:ff:ff 02:00:00:00:00:02 60
expect a 02:00:00:00:00:02 60
EOF
$SESS "$S.mgmt" "c:plugin/add pdump.so" "c:plugin/add dump.so" "c:plugin/add $PLUGDIR/iplog.so" \
	"c:pdump/filename $TMP/all.cap" "c:pdump/active 1" "c:dump/active 1" "c:iplog/ipadd 10.0.0.0/8" \
	"c:debug/add dump" "c:debug/add iplog" "c:port/create 1" "c:port/create 2" "c:vlan/create 5" "c:vlan/addport 5 1" \
	"c:vlan/addport 5 2" "r:$PROBE $S <$TMP/t3 >/dev/null" "w:310[12] dump/packet:4" "w:3301 iplog/newip:1" "c:plugin/list" \
	>"$TMP/all.ours" || fail "all plugins: $(tail -c 300 "$TMP/all.ours")"
grep -q '3301 iplog/newip ipv4 10.0.0.3 mac=02:00:00:00:00:03 port=1 vlan=5 ' "$TMP/all.ours" ||
	fail "tagged frame: the real source MAC: $(grep 3301 "$TMP/all.ours")"
[ "$(tcpdump -r "$TMP/all.cap" -n -e 2>/dev/null | grep -c "length 6[04]: ")" = 4 ] || fail "pdump with dump and iplog"
pass "other plugin names refused clearly; pdump, dump and iplog at once; tagged frame's MAC"
# expiry: entries last seen more than setexpire seconds ago go at the next gc
printf 'open a 1\nsendhex a %s\ntouch %s\nwait %s\n' "$V4" "$TMP/t4.sent" "$TMP/t4.done" >"$TMP/t4"
"$PROBE" "$S" <"$TMP/t4" >/dev/null &
PIDS+=($!)
wait_for test -e "$TMP/t4.sent" || fail "probe t4"
wait_for sh -c "printf 'iplog/iplist\nlogout\n' | socat - UNIX-CONNECT:$S.mgmt | grep -q '^ipv4 10.0.0.1 port=1'" ||
	fail "iplist before expiry"
[ "$(status s 'iplog/setexpire 0')" = "1000 Success" ] || fail "setexpire"
[ "$(status s 'iplog/setgcint 1')" = "1000 Success" ] || fail "setgcint"
WAIT_SECS=10 wait_for sh -c "! printf 'iplog/iplist\nlogout\n' | socat - UNIX-CONNECT:$S.mgmt | grep -q '^ipv4 '" ||
	fail "entry not expired"
[ "$(status s 'iplog/setgcint 0')" = "1022 Invalid argument" ] || fail "setgcint 0"
touch "$TMP/t4.done"
[ "$(status s 'plugin/del iplog')" = "1000 Success" ] || fail "plugin/del iplog"
[ "$(status s 'iplog/list')" = "1038 Function not implemented" ] || fail "iplog after del"
# VDE 2's upstream install path works too (no file is read)
[ "$(status s 'plugin/add /usr/lib/vde2/vde_switch/iplog.so')" = "1000 Success" ] ||
	fail "plugin/add with the upstream path"
[ "$(status s 'iplog/list')" = "1000 Success" ] || fail "iplog back"
stop_sw
pass "iplog entries expire (setexpire/setgcint); plugin/del removes the commands"
# a FIFO nobody reads as pdump's or iplog's file: refused at once, and the
# switch goes on (it used to stop in open() until a reader came)
mkfifo "$TMP/fifo"
start_ours
for c in "plugin/add pdump" "plugin/add iplog"; do
	[ "$(status s "$c")" = "1000 Success" ] || fail "$c"
done
[ "$(status s "pdump/filename $TMP/fifo")" = "1022 Invalid argument" ] ||
	fail "pdump/filename to a FIFO without a reader"
body s "pdump/filename $TMP/fifo" | grep -q "^set_dumper() open($TMP/fifo): No such device" ||
	fail "pdump/filename FIFO message: $(body s "pdump/filename $TMP/fifo")"
[ "$(status s "iplog/logfile $TMP/fifo")" = "1002 No such file or directory" ] ||
	fail "iplog/logfile to a FIFO without a reader"
[ "$(status s 'port/showinfo')" = "1000 Success" ] || fail "the switch after the FIFO"
stop_sw
pass "pdump and iplog refuse a FIFO without a reader instead of waiting for one"

# a FIFO whose reader stops reading (here: this script holds it open and
# reads nothing yet): the switch drops records, says so in its log, and goes
# on forwarding; VDE 2's plugin stopped the whole switch in write(). What
# the reader then finds is whole records only; once it reads again, the
# next record goes and the log counts the ones dropped.
# (drain_fifo: switch-common.sh)
mkfifo "$TMP/fifo2"
exec 7<>"$TMP/fifo2"
start_ours
for c in "plugin/add pdump" "pdump/filename $TMP/fifo2" "pdump/active 1"; do
	[ "$(status s "$c")" = "1000 Success" ] || fail "$c"
done
timeout 30 "$PROBE" "$S" <<EOF2 || fail "a burst next to a stalled pdump reader did not go through"
open a 0
burst a 02:00:00:00:00:02 02:00:00:00:00:01 1000 2000
EOF2
[ "$(status s 'port/showinfo')" = "1000 Success" ] || fail "the switch next to a stalled pdump reader"
wait_for grep -q "pdump $TMP/fifo2: the reader is not keeping up: dropping records" "$TMP/sw.log" ||
	fail "no word of dropped records: $(cat "$TMP/sw.log")"
drain_fifo "$TMP/fifo2" "$TMP/fifo2.bytes"
python3 - "$TMP/fifo2.bytes" >"$TMP/fifo2.out" <<'PY' || fail "the stalled FIFO's content: $(cat "$TMP/fifo2.out")"
import struct, sys
data = open(sys.argv[1], "rb").read()
assert data[:4] == b"\xd4\xc3\xb2\xa1", "no pcap header: %r" % data[:24]
off, n = 24, 0
while off < len(data):
    caplen, wire = struct.unpack_from("<II", data, off + 8)
    assert caplen == wire == 1000 and off + 16 + caplen <= len(data), \
        "record %d at %d cut or wrong: caplen %d len %d, %d bytes" % (n, off, caplen, wire, len(data))
    off += 16 + caplen
    n += 1
assert n >= 10, "only %d records" % n
print("%d whole records, %d bytes" % (n, len(data)))
PY
timeout 30 "$PROBE" "$S" <<EOF2 || fail "a burst after the reader drained the FIFO"
open b 0
burst b 02:00:00:00:00:02 02:00:00:00:00:03 1000 5
EOF2
wait_for grep -q "pdump $TMP/fifo2: [0-9]* records dropped while the reader was behind" "$TMP/sw.log" ||
	fail "the dropped records not counted: $(cat "$TMP/sw.log")"
stop_sw
exec 7>&-
pass "pdump to a FIFO whose reader stalls: records dropped and counted, the switch forwards, $(cat "$TMP/fifo2.out") in the FIFO"

# the same for iplog's log file: 1500 new addresses (about 160 KiB of log
# lines) next to a FIFO nobody reads; whole lines only in the FIFO
mkfifo "$TMP/fifo3"
exec 7<>"$TMP/fifo3"
start_ours
for c in "plugin/add iplog" "iplog/ipadd 10.0.0.0/8" "iplog/logfile $TMP/fifo3"; do
	[ "$(status s "$c")" = "1000 Success" ] || fail "$c"
done
python3 -c '
print("open a 0")
for i in range(1500):
    ip = bytes([10, 1, i >> 8, i & 255])
    f = bytes.fromhex("ffffffffffff020000000001" "0800" "4500001400000000401100") + bytes(1) + ip + bytes([10, 0, 0, 1])
    print("sendhex a " + (f + bytes(60 - len(f))).hex())
' | timeout 30 "$PROBE" "$S" || fail "1500 new addresses next to a stalled iplog reader did not go through"
[ "$(status s 'port/showinfo')" = "1000 Success" ] || fail "the switch next to a stalled iplog reader"
wait_for grep -q "iplog $TMP/fifo3: the reader is not keeping up: dropping lines" "$TMP/sw.log" ||
	fail "no word of dropped lines: $(tail -5 "$TMP/sw.log")"
drain_fifo "$TMP/fifo3" "$TMP/fifo3.bytes"
python3 - "$TMP/fifo3.bytes" >"$TMP/fifo3.out" <<'PY' || fail "the stalled FIFO's content: $(cat "$TMP/fifo3.out")"
import re, sys
data = open(sys.argv[1], "rb").read()
lines = data.decode().split("\n")
assert lines[-1] == "", "a cut line at the end: %r" % lines[-1][-80:]
bad = [l for l in lines[:-1] if not re.match(r"^\w{3} [ \d]\d \d\d:\d\d:\d\d ipv4 10\.1\.\d+\.\d+ mac=02:00:00:00:00:01 port=1 ", l)]
assert not bad and len(lines) > 100, "%d lines, bad: %r" % (len(lines) - 1, bad[:2])
print("%d whole lines" % (len(lines) - 1))
PY
stop_sw
grep -q "iplog $TMP/fifo3: [0-9]* lines dropped while the reader was behind" "$TMP/sw.log" ||
	fail "the dropped lines not counted at the end: $(tail -5 "$TMP/sw.log")"
exec 7>&-
pass "iplog to a FIFO whose reader stalls: lines dropped and counted, the switch forwards, $(cat "$TMP/fifo3.out") in the FIFO"
