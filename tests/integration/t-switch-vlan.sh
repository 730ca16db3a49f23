#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-switch-vlan.sh - VLANs: vlan/* and port/setvlan console bytes compared
# with Debian's vde_switch; configuration made on inactive ports applies
# when clients attach; the isolation matrix over access, tagged and trunk
# ports (broadcast, unknown and known unicast, a MAC in two VLANs); tag
# inserted with TCI = VID, stripped, or passed with its PCP; 1522-byte and
# jumbo tagged frames; drops counted per port with a vlan/drop debug line;
# MAC table flushed by port/setvlan.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/switch-common.sh"
command -v python3 >/dev/null || skip "needs python3"
CON="python3 $top_srcdir/tests/integration/switch-console.py"

# hexframe DST SRC TCI|- LEN : DST SRC [8100 TCI] 88b5, then payload bytes 0,1,2..
hexframe() {
	python3 -c '
import sys
d, s, t, n = sys.argv[1:5]
h = d.replace(":", "") + s.replace(":", "")
if t != "-":
    h += "8100" + t
h += "88b5"
n = int(n) - len(h) // 2
h += "".join("%02x" % (i & 255) for i in range(n))
print(h)' "$@"
}

# ---- console bytes vs Debian's (inactive ports only: no clients), on a
# switch of their own: they end with VLAN 0 removed ----
start_switch cmp
if [ -x "$DEB_SWITCH" ]; then
	start_deb_switch deb
fi
CMDS=(
	"vlan/print" "vlan/allprint" "vlan/create 5" "vlan/create 0" "vlan/create 4093"
	"vlan/create 4094" "vlan/create 5" "port/create 3" "port/create 9" "vlan/addport 5 3"
	"vlan/addport 5 3" "vlan/addport 0 3" "vlan/addport 5 7" "vlan/addport 6 3"
	"vlan/addport 4093 9" "vlan/print" "vlan/allprint" "vlan/print 5" "vlan/allprint 5"
	"vlan/print 6" "vlan/print 4095" "vlan/allprint 4094" "vlan/remove 5" "vlan/remove 4093"
	"vlan/delport 4093 9" "vlan/remove 4093" "vlan/remove 4093" "vlan/remove 0"
	"port/setvlan 3 5" "port/allprint 3" "vlan/allprint" "vlan/delport 5 3"
	"vlan/delport 6 3" "vlan/delport 0 3" "port/setvlan 3 4095" "port/setvlan 3 7"
	"port/setvlan 3 4094" "port/setvlan 4 0" "port/allprint 3" "vlan/allprint"
	"vlan/remove 4095" "vlan/remove 6" "vlan/create x" "vlan/create" "vlan/addport 5"
	"help vlan" "help port/setvlan" "port/setvlan 3 0" "vlan/create 100"
	"vlan/addport 100 9" "port/setvlan 9 100" "vlan/allprint 100" "vlan/allprint"
	"port/remove 3" "port/remove 9" "vlan/remove 100" "vlan/remove 5" "vlan/print"
	"port/create 3" "vlan/create 5" "vlan/addport 5 40" "vlan/delport 5 40"
	"port/setvlan 40 0" "vlan/addport 4094 3" "vlan/addport 4095 3" "vlan/delport 4095 3"
	"vlan/delport 4094 3" "vlan/print 4093" "vlan/allprint 0" "port/setvlan 3 4095"
	"vlan/allprint 0" "vlan/remove 0" "vlan/print 0" "vlan/create 4093" "vlan/print 4093"
	"port/setvlan 3" "port/setvlan" "vlan/delport 5" "vlan/remove" "vlan/addport 0 0"
	"vlan/allprint" "vlan/remove 4094" "vlan/allprint 5" "vlan/addport 5 31"
	"port/setvlan 31 0" "vlan/delport 0 3" "port/setvlan 3 0" "port/remove 3"
	"vlan/remove 5" "vlan/remove 4093"
)
$CON "$TMP/cmp.mgmt" "${CMDS[@]}" >"$TMP/ours.txt" || fail "console session: $(cat "$TMP/ours.txt")"
if [ -x "$DEB_SWITCH" ]; then
	$CON "$TMP/deb.mgmt" "${CMDS[@]}" >"$TMP/deb.txt" || fail "Debian session"
	cmp -s "$TMP/ours.txt" "$TMP/deb.txt" ||
		fail "vlan console bytes differ from Debian's vde_switch:
$(diff "$TMP/deb.txt" "$TMP/ours.txt")"
fi
grep -qx ' -- Port 0003 tagged=1 active=0 status=Learning' "$TMP/ours.txt" || fail "allprint"
# VLAN 0 is gone (Debian's switch crashes on the next port): a new port
# has no untagged VLAN rather than one that no longer exists
[ "$(status cmp 'vlan/print 0')" = "1006 No such device or address" ] || fail "VLAN 0 removed"
[ "$(status cmp 'port/create 7')" = "1000 Success" ] || fail "port/create 7"
body cmp 'port/allprint 7' | grep -q '^Port 0007 untagged_vlan=4095 INACTIVE' ||
	fail "a port made after vlan/remove 0: $(body cmp 'port/allprint 7')"

start_switch sw

# ---- configuration on inactive ports: 1,2 access VLAN 10; 3 access 20;
# 4 tagged in 10 and 20, no untagged VLAN; 5 trunk; 6 access VLAN 0 ----
for c in "vlan/create 10" "vlan/create 20" "port/create 1" "port/create 2" "port/create 3" \
	 "port/create 4" "port/create 5" "port/setvlan 1 10" "port/setvlan 2 10" \
	 "port/setvlan 3 20" "port/setvlan 4 4095" "vlan/addport 10 4" "vlan/addport 20 4" \
	 "port/settrunk 5 1"; do
	[ "$(status sw "$c")" = "1000 Success" ] || fail "$c: $(mgmt sw "$c")"
done
[ "$(status sw 'port/settrunk 5 2')" = "1022 Invalid argument" ] || fail "settrunk 2"
[ "$(status sw 'port/settrunk 7 1')" = "1006 No such device or address" ] || fail "settrunk absent"
body sw 'port/allprint 5' | grep -qx ' Trunk: every VLAN tagged' || fail "trunk not shown"
body sw 'port/allprint 4' | grep -q '^Port 0004 untagged_vlan=4095 INACTIVE' || fail "port 4"

# debug session: vlan/drop lines
python3 - "$TMP/sw.mgmt" >"$TMP/dbg.txt" 2>&1 <<'EOF2' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.settimeout(120)   # the matrix between the two drops is slow under load
data = b""
s.sendall(b"debug/add vlan/drop\n")
while b"1000 Success" not in data:
    c = s.recv(4096)
    if not c:
        sys.exit("debug/add: " + repr(data))
    data += c
open(sys.argv[1] + ".subscribed", "w").close()
try:
    while data.count(b"3051 vlan/drop") < 2:
        c = s.recv(4096)
        if not c:
            break
        data += c
except socket.timeout:
    pass            # what came is checked below
sys.stdout.buffer.write(data)
EOF2
DP=$!
PIDS+=($DP)
wait_for test -e "$TMP/sw.mgmt.subscribed" || fail "debug session"

A=02:00:00:00:00:0a B=02:00:00:00:00:0b C=02:00:00:00:00:0c D=02:00:00:00:00:0d
E=02:00:00:00:00:0e F=02:00:00:00:00:0f BC=ff:ff:ff:ff:ff:ff
J=$(hexframe $BC $E 000a 9234)
probe_hold sw vlan "vlan matrix" <<EOF2
open a 1
open b 2
open c 3
open d 4
open e 5
open f 6
port a 1
port f 6
# broadcast in VLAN 10: b as is, d and e tagged 8100 000a; not c, f
sendhex a $(hexframe $BC $A - 60)
expecthex b $(hexframe $BC $A - 60)
expecthex d $(hexframe $BC $A 000a 64)
expecthex e $(hexframe $BC $A 000a 64)
none c 200
none f 100
# broadcast in VLAN 20: d, e tagged 0014
sendhex c $(hexframe $BC $C - 60)
expecthex d $(hexframe $BC $C 0014 64)
expecthex e $(hexframe $BC $C 0014 64)
none a 200
none b 100
none f 100
# broadcast in VLAN 0: the trunk only, untagged (its untagged VLAN is 0)
sendhex f $(hexframe $BC $F - 60)
expecthex e $(hexframe $BC $F - 60)
none a 200
none b 100
none c 100
none d 100
# tagged with PCP 5 from d: e keeps the TCI, a and b get it stripped
sendhex d $(hexframe $BC $D a00a 100)
expecthex e $(hexframe $BC $D a00a 100)
expecthex a $(hexframe $BC $D - 96)
expecthex b $(hexframe $BC $D - 96)
none c 200
none f 100
# known unicast in VLAN 10 (A on port 1): a only
sendhex b $(hexframe $A $B - 60)
expecthex a $(hexframe $A $B - 60)
none d 200
none e 100
# A is unknown in VLAN 20: flooded to VLAN 20 only
sendhex c $(hexframe $A $C - 60)
expecthex d $(hexframe $A $C 0014 64)
expecthex e $(hexframe $A $C 0014 64)
none a 200
none b 100
# the same MAC A appears in VLAN 20 on port 3
sendhex c $(hexframe $BC $A - 60)
expecthex d $(hexframe $BC $A 0014 64)
expecthex e $(hexframe $BC $A 0014 64)
sendhex d $(hexframe $A $D 0014 64)
expecthex c $(hexframe $A $D - 60)
none a 200
sendhex e $(hexframe $A $E 200a 80)
expecthex a $(hexframe $A $E - 76)
none c 200
none b 100
# VLAN drops: tag 10 on the VLAN 20 port, untagged on port 4
sendhex c $(hexframe $BC $C 000a 60)
sendhex d $(hexframe $BC $D - 60)
none a 200
none b 100
none e 100
none f 100
# 1522-byte tagged frame (1518 + tag) and a 1518-byte one gaining a tag
sendhex d $(hexframe $BC $D 000a 1522)
expecthex e $(hexframe $BC $D 000a 1522)
expecthex a $(hexframe $BC $D - 1518)
expecthex b $(hexframe $BC $D - 1518)
sendhex b $(hexframe $BC $B - 1518)
expecthex d $(hexframe $BC $B 000a 1522)
expecthex e $(hexframe $BC $B 000a 1522)
expecthex a $(hexframe $BC $B - 1518)
# jumbo tagged frame from the trunk
sendhex e $J
expecthex d $J
expecthex a $(hexframe $BC $E - 9230)
expecthex b $(hexframe $BC $E - 9230)
none c 200
EOF2

S=$(body sw port/stats)
echo "$S" | grep -Eq '^Port 0003 .* vlan 1 ' || fail "port 3 VLAN drop not counted: $S"
echo "$S" | grep -Eq '^Port 0004 .* vlan 1 ' || fail "port 4 VLAN drop not counted: $S"
echo "$S" | grep -Eq '^Port 0001 .* vlan 0 ' || fail "port 1 VLAN drops: $S"
echo "$S" | grep -q ' vlan 2 loop ' || fail "global VLAN drops: $S"
V=$(body sw 'vlan/print 10')
[ "$V" = "VLAN 0010
 -- Port 0001 tagged=0 active=1 status=Forwarding
 -- Port 0002 tagged=0 active=1 status=Forwarding
 -- Port 0004 tagged=1 active=1 status=Forwarding
 -- Port 0005 tagged=1 active=1 status=Forwarding" ] || fail "vlan/print 10: $V"
H=$(body sw hash/print)
echo "$H" | grep -Eq "Addr: $A VLAN 0010 to port: 001 " || fail "A in VLAN 10: $H"
echo "$H" | grep -Eq "Addr: $A VLAN 0020 to port: 003 " || fail "A in VLAN 20: $H"
[ "$(status sw 'port/setvlan 1 20')" = "1000 Success" ] || fail "setvlan on an active port"
H=$(body sw hash/print)
echo "$H" | grep -q "to port: 001 " && fail "port/setvlan did not flush port 1: $H"
echo "$H" | grep -Eq "Addr: $A VLAN 0020 to port: 003 " || fail "flush went too far: $H"
[ "$(status sw 'vlan/remove 10')" = "1098 Address already in use" ] || fail "remove used VLAN"
probe_release vlan "vlan probe"
wait "$DP" || true
DBG=$(sed "s/^vde\\$ //" "$TMP/dbg.txt")
echo "$DBG" | grep -qxF "3051 vlan/drop Port 3 frame from $C tagged VLAN 10: not a member" ||
	fail "vlan/drop line (tagged) missing: $DBG"
echo "$DBG" | grep -qxF "3051 vlan/drop Port 4 untagged frame from $D: no untagged VLAN" ||
	fail "vlan/drop line (untagged) missing: $DBG"
exit 0
