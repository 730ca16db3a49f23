#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-tap-ring-vnet.sh - super-frames over the shared-memory rings between
# vde_plug2tap and our vde_switch (docs/fastpath.md, VNET), end to end.
# Four namespaces on one hub-mode switch (-x: every port sees everything):
#  a, b  vde_plug2tap with offloads: rings with VNET granted ("vnet 1" in
#        port/stats), TSO super-frames cross the rings whole both ways;
#  c     vde_plug2tap --no-offload on rings without VNET; tcpdump on its tap
#        sees every frame the switch cut for it;
#  d     vde_plug2tap with offloads, VDEPLUG_FASTPATH=0: datagrams, the
#        library cuts super-frames itself.
# Asserts: TCP a -> b, b -> a, a -> d, d -> a byte for byte; the switch
# counted super-frames in and out whole and cut some (for c, d); c's tap
# only ever saw frames of <= 1514 bytes with correct checksums; a and b
# report super-frames sent and received whole; a client that sends
# garbage virtio-net headers on a VNET ring costs exactly its own frames,
# counted (oversize, empty), and a -> b still works afterwards.
# Then the same vde_plug2tap (offloads on) on Debian's vde_switch, which
# carries at most 1518-byte frames: the library cuts the super-frames and
# TCP e <-> f is intact both ways. Our switch with --no-offload grants no
# super-frames (the ring of an offloading vde_plug2tap shows vnet 0).
TEST_TIMEOUT=420
. "$top_srcdir/tests/lib/env.sh"
# about the rings themselves (NOFASTPATH_RING_TESTS in tests/integration/local.am)
[ "${VDEPLUG_FASTPATH-}" = 0 ] && skip "needs the fast path on: VDEPLUG_FASTPATH=0 is in the environment"
. "$top_srcdir/tests/integration/tap-lib.sh"
need_root
P2T=$(bin vde_plug2tap)
bin vde_switch >/dev/null
VC=$(bin vnet_client)
command -v tcpdump >/dev/null || fail "tcpdump is needed"
command -v python3 >/dev/null || fail "python3 is needed"

mkns a b c d
SW=$TMP/sw
spawn sw.log vde_switch --nostdin -x -s "$SW" -M "$SW.mgmt"
wait_for sock_ready "$SW/ctl" || fail "switch did not start"
wait_for sock_ready "$SW.mgmt" || fail "no mgmt socket"
mgmt() { printf '%s\n' "$1" | socat -t 1 - "UNIX-CONNECT:$SW.mgmt" 2>/dev/null; }
# sum FIELD: the sum over every port of the number after FIELD in port/stats
# (the port lines and their offload lines, not the switch's totals)
sum() {
	mgmt port/stats | grep -E '^(Port|  -- offload)' | grep -o " $1 [0-9]*" |
		awk '{s += $NF} END {print s + 0}'
}

spawn a.log n a "$P2T" -s "$SW" tap0
PA=$LASTPID
spawn b.log n b "$P2T" -s "$SW" tap0
PB=$LASTPID
spawn c.log n c "$P2T" --no-offload -s "$SW" tap0
PC=$LASTPID
spawn d.log n d env VDEPLUG_FASTPATH=0 "$P2T" -s "$SW" tap0
PD=$LASTPID
tap_up a tap0 10.81.0.1
tap_up b tap0 10.81.0.2
tap_up c tap0 10.81.0.3
tap_up d tap0 10.81.0.4
reach a 10.81.0.2 || fail "no ping a -> b"
reach a 10.81.0.3 || fail "no ping a -> c"
reach a 10.81.0.4 || fail "no ping a -> d"

st=$(mgmt port/stats)
[ "$(echo "$st" | grep -c 'ring:.* vnet 1$')" = 2 ] ||
	fail "not two VNET rings (a, b): $st"
[ "$(echo "$st" | grep -c 'ring:.* vnet 0$')" = 1 ] || fail "c is not on a plain ring: $st"
mgmt port/print | grep -q 'module unix prog.*vde_plug2tap' ||
	fail "d (VDEPLUG_FASTPATH=0) is not on datagrams: $(mgmt port/print)"
pass "a, b on rings with super-frames, c on a plain ring, d on datagrams"

spawn cap.log n c tcpdump -B 65536 -i tap0 -nn -U -w "$TMP/c.pcap" tcp
CAP=$LASTPID
WAIT_SECS=10 wait_for grep -q "listening on" "$TMP/cap.log" || fail "tcpdump did not start"
xfer a b 10.81.0.2 5201 6291456
xfer b a 10.81.0.1 5202 6291456
xfer a d 10.81.0.4 5203 2097152
xfer d a 10.81.0.1 5204 2097152
kill -TERM "$CAP"
wait_gone "$CAP"
pass "TCP intact: a <-> b (rings, super-frames), a <-> d (datagrams)"

st=$(mgmt port/stats)
[ "$(sum 'super in')" -gt 0 ] || fail "no super-frame came in whole: $st"
echo "$st" | grep -q 'offload super in [0-9]* out [1-9]' || fail "no super-frame went out whole: $st"
echo "$st" | grep -q 'offload super in [0-9]* out [0-9]* cut [1-9]' || fail "nothing cut: $st"
pass "switch: super-frames in $(sum 'super in'), cut $(sum 'cut') (port/stats)"
python3 "$top_srcdir/tests/integration/pcap-check.py" "$TMP/c.pcap" 1514 >"$TMP/pcap.out" ||
	fail "c's capture: $(cat "$TMP/pcap.out")"
pass "c (plain ring) saw: $(cat "$TMP/pcap.out")"

# hostile headers on a VNET ring: counted, the others unharmed
over0=$(sum "oversize") empty0=$(sum "empty")
out=$("$VC" -n 20 "$SW") || fail "vnet_client failed: $out"
[ "$out" = "bad 100 empty 20" ] || fail "vnet_client: $out"
WAIT_SECS=10 wait_for eval '[ $(sum oversize) -ge $((over0 + 100)) ]' ||
	fail "garbage headers not counted: oversize $over0 -> $(sum oversize)"
[ "$(sum oversize)" = $((over0 + 100)) ] || fail "oversize $over0 -> $(sum oversize), not +100: $(mgmt port/stats)"
[ "$(sum empty)" = $((empty0 + 20)) ] || fail "empty $empty0 -> $(sum empty), not +20"
xfer a b 10.81.0.2 5205 1048576
pass "100 garbage headers and 20 empty records: counted drops (oversize, empty); a -> b still intact"

# plain frames (vde_send()) on a VNET ring: records without a header reach
# a plain ring's tap whole, byte for byte
spawn cap2.log n c tcpdump -B 65536 -i tap0 -nn -U -c 200 -w "$TMP/plain.pcap" ether proto 0x88b6
CAP=$LASTPID
WAIT_SECS=10 wait_for grep -q "listening on" "$TMP/cap2.log" || fail "tcpdump did not start"
out=$("$VC" -p 200 "$SW") || fail "vnet_client -p failed: $out"
[ "$out" = "plain 200" ] || fail "vnet_client -p: $out"
WAIT_SECS=20 wait_gone "$CAP" || fail "c's tap did not see 200 plain frames: $(cat "$TMP/cap2.log")"
python3 - "$TMP/plain.pcap" <<'PY' || fail "plain frames from a VNET ring changed on the way"
import struct, sys
d = open(sys.argv[1], 'rb').read()
off, i = 24, 0
while off < len(d):
    caplen = struct.unpack_from('<I', d, off + 8)[0]
    f = d[off + 16:off + 16 + caplen]
    off += 16 + caplen
    want = 60 + (i * 97) % 1455
    body = bytes((i + j) & 0xff for j in range(want - 14))
    if len(f) != want or f[14:] != body:
        sys.exit('frame %d: %d bytes, %d expected, contents %s' %
                 (i, len(f), want, 'equal' if f[14:] == body else 'differ'))
    i += 1
if i != 200:
    sys.exit('%d frames' % i)
PY
pass "200 plain frames (vde_send on a VNET ring) reached c's tap byte for byte"

for h in a b c d; do ipn $h link del tap0 || fail "link del $h"; done
wait_gone "$PA"
wait_gone "$PB"
wait_gone "$PC"
wait_gone "$PD"
wout=$(sed -n 's/.*, \([0-9]*\) sent whole.*/\1/p' "$TMP/a.log")
win=$(sed -n 's/.*sent whole, \([0-9]*\) received whole.*/\1/p' "$TMP/b.log")
[ "${wout:-0}" -gt 0 ] || fail "a sent no super-frame whole: $(cat "$TMP/a.log")"
[ "${win:-0}" -gt 0 ] || fail "b received no super-frame whole: $(cat "$TMP/b.log")"
grep -q "; offloads: 0 super-frames cut" "$TMP/a.log" || fail "a cut frames itself: $(cat "$TMP/a.log")"
pass "a handed $wout super-frames to the library whole, b got $win whole"

# Debian's switch: datagrams only, the library cuts
[ -x "$DEB_SWITCH" ] || fail "Debian's vde_switch is needed (apt install vde2)"
mkns e f
"$DEB_SWITCH" -d -s "$TMP/deb" -p "$TMP/deb.pid" >"$TMP/deb.log" 2>&1 </dev/null ||
	fail "Debian's switch did not start"
wait_for test -s "$TMP/deb.pid" || fail "Debian's switch: no pidfile"
PIDS+=("$(cat "$TMP/deb.pid")")
wait_for sock_ready "$TMP/deb/ctl" || fail "Debian's switch: no ctl socket"
spawn e.log n e "$P2T" -s "$TMP/deb" tap0
PE=$LASTPID
spawn f.log n f "$P2T" -s "$TMP/deb" tap0
PF=$LASTPID
tap_up e tap0 10.81.1.1
tap_up f tap0 10.81.1.2
reach e 10.81.1.2 || fail "no ping e -> f over Debian's switch"
xfer e f 10.81.1.2 5206 4194304
xfer f e 10.81.1.1 5207 4194304
for h in e f; do ipn $h link del tap0 || fail "link del $h"; done
wait_gone "$PE"
wait_gone "$PF"
wout=$(sed -n 's/.*, \([0-9]*\) sent whole.*/\1/p' "$TMP/e.log")
[ "${wout:-0}" -gt 0 ] || fail "e handed no super-frame to the library: $(cat "$TMP/e.log")"
pass "Debian's switch: TCP e <-> f intact, $wout super-frames cut by the library"

# our switch with --no-offload: rings, but no super-frames granted
mkns g
spawn sw2.log vde_switch --nostdin --no-offload -s "$TMP/sw2" -M "$TMP/sw2.mgmt"
wait_for sock_ready "$TMP/sw2.mgmt" || fail "switch 2 did not start"
spawn g.log n g "$P2T" -s "$TMP/sw2" tap0
WAIT_SECS=10 wait_for eval "printf 'port/stats\n' | socat -t 1 - UNIX-CONNECT:$TMP/sw2.mgmt 2>/dev/null | grep -q 'ring:.* vnet 0\$'" ||
	fail "--no-offload switch: $(printf 'port/stats\n' | socat -t 1 - "UNIX-CONNECT:$TMP/sw2.mgmt")"
pass "a switch with --no-offload grants no super-frames (vnet 0)"
