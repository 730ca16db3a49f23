#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-plug-nested.sh - vde_plug's stream mode honours nested vdeplug4 plugins
# (Debian's libvdeplug_vlan and libvdeplug_agno over our vde://): frames of
# VLAN 5 come out of `vde_plug vlan://5{vde://SW}` untagged, other VLANs do
# not leak through, and `vde_plug agno://KEY{vde://SW}` writes plaintext. The
# plug must receive through the library (vde_recv_batch), never from the
# switch port beneath the plugin.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/plug-lib.sh"

DEBPLUG=/usr/lib/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)/vdeplug
for m in vlan agno; do
	[ -e "$DEBPLUG/libvdeplug_$m.so" ] ||
		fail "Debian's libvdeplug_$m.so not found in $DEBPLUG (apt install libvdeplug-$m)"
done

# gen FILE VID TEXT: a broadcast record tagged with VID (0 = untagged)
gen() {
	python3 - "$@" <<'PY'
import struct, sys
path, vid, text = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
f = b'\xff' * 6 + bytes.fromhex('02000000000b')
if vid:
    f += struct.pack('>HH', 0x8100, vid)
f += b'\x88\xb5' + text + bytes(range(60))
open(path, 'wb').write(struct.pack('>H', len(f)) + f)
PY
}
# decode FILE: one line per record: "tag=VID|none type=0xTTTT text"
decode() {
	python3 - "$1" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
p = 0
while p + 2 <= len(d):
    n = struct.unpack('>H', d[p:p + 2])[0]
    f = d[p + 2:p + 2 + n]
    p += 2 + n
    t = struct.unpack('>H', f[12:14])[0]
    tag, body = 'none', f[14:]
    if t == 0x8100:
        tag = str(struct.unpack('>H', f[14:16])[0] & 0xfff)
        t = struct.unpack('>H', f[16:18])[0]
        body = f[18:]
    print('tag=%s type=0x%04x %s' % (tag, t, body[:body.find(b'\x00')].decode('latin1', 'replace')))
PY
}

start_switch sw
start_plug v "vlan://5{vde://$TMP/sw[1]}"
start_plug b "$TMP/sw[2]"
# both ports carry every VLAN tagged: the switch passes the tags through
for p in 1 2; do
	out=$("$(bin vdecmd)" "$TMP/sw.mgmt" port/settrunk $p 1 2>&1) || fail "settrunk $p: $out"
done

# b sends VLAN 7 (must not reach v), untagged (must not reach v: no
# untagged VLAN), then VLAN 5 (v gets it untagged)
gen "$TMP/v7" 7 leak7
gen "$TMP/v0" 0 leak0
gen "$TMP/v5" 5 vlan5
cat "$TMP/v7" "$TMP/v0" "$TMP/v5" >"$TMP/b.send"
send b "$TMP/b.send"
wait_for records 1 "$TMP/v.out" || fail "vlan plug got nothing"
# a second VLAN 5 frame as a marker: whatever leaked came before it
send b "$TMP/v5"
wait_for records 2 "$TMP/v.out" || fail "vlan plug: second frame missing"
got=$(decode "$TMP/v.out")
want=$'tag=none type=0x88b5 vlan5\ntag=none type=0x88b5 vlan5'
[ "$got" = "$want" ] || fail "vlan://5 stream output:
$got
want:
$want"

# the other way: v's untagged frame reaches b tagged with VLAN 5
gen "$TMP/up" 0 fromv
send v "$TMP/up"
wait_for records 1 "$TMP/b.out" || fail "b got nothing from the vlan plug"
got=$(decode "$TMP/b.out")
[ "$got" = "tag=5 type=0x88b5 fromv" ] || fail "vlan plug -> switch: $got"

# agno: two encrypting plugs on one switch exchange plaintext
printf '00112233445566778899aabbccddeeff\n' >"$TMP/agno.key"
start_plug e1 "agno://$TMP/agno.key{vde://$TMP/sw}"
start_plug e2 "agno://$TMP/agno.key{vde://$TMP/sw}"
gen "$TMP/secret" 0 plaintext-secret
send e1 "$TMP/secret"
wait_for records 1 "$TMP/e2.out" || fail "agno plug got nothing"
got=$(decode "$TMP/e2.out")
[ "$got" = "tag=none type=0x88b5 plaintext-secret" ] || fail "agno stream output: $got"
# and the switch saw ciphertext (b is a plain port)
wait_for records 2 "$TMP/b.out" || fail "b did not see the agno frame"
decode "$TMP/b.out" | grep -q plaintext-secret && fail "agno sent plaintext to the switch"
pass "nested plugins in stream mode"
