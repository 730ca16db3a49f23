#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-slirp-plugin.sh - the slirp:// VNL (our libvdeplug_slirp.so, found
# through VDEPLUGIN_PATH, checked in the process's maps): `vde_plug SW
# slirp:///...` gives a guest namespace a DHCP lease (from the dhcp= start
# given), TCP to the host's 127.0.0.1 via the virtual host of the addr=
# network (cmp), a tcpfwd= forward into the guest (cmp), a unixfwd= path
# with slashes, and IPv6 SLAAC; "restricted" resets outgoing TCP but keeps
# the forwards; a bad parameter makes vde_open fail with a message.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/tap-lib.sh"
. "$top_srcdir/tests/integration/slirp-lib.sh"
need_root
TEST_TIMEOUT=${TEST_TIMEOUT:-120}
export VDEPLUGIN_PATH=$top_builddir/slirp/.libs
[ -f "$VDEPLUGIN_PATH/libvdeplug_slirp.so" ] || fail "plugin not built"

mkns host g1
start_sw sw
head -c 262144 /dev/urandom >"$TMP/data"
mkdir -p "$TMP/d"
spawn up.log n host socat -u TCP-LISTEN:8001,bind=127.0.0.1,reuseaddr OPEN:"$TMP/up.rx",creat,trunc
PUP=$LASTPID
spawn x.log n host socat -u UNIX-LISTEN:"$TMP/d/x.sock" OPEN:"$TMP/x.rx",creat,trunc
PX=$LASTPID
wait_for listening host t 8001 || fail "host server"
wait_for test -S "$TMP/d/x.sock" || fail "UNIX server"

vnl="slirp:///addr=10.5.0.2/16/dhcp=10.5.0.40/tcpfwd=8002:10.5.0.40:8002/unixfwd=10.5.0.9:6000:$TMP/d/x.sock/mtu=1500"
# ip netns exec directly (not n): $LASTPID is vde_plug itself
spawn plug.log ip netns exec "$ID-host" vde_plug "$TMP/sw" "$vnl"
PPLUG=$LASTPID
guest g1
dhcp g1
. "$TMP/g1.lease"
[ "$ip" = 10.5.0.40 ] && [ "$router" = 10.5.0.2 ] && [ "$mask" = 16 ] && [ "$dns" = 10.5.0.3 ] ||
	fail "lease: $(cat "$TMP/g1.lease")"
maps=$(grep libvdeplug_slirp.so /proc/"$PPLUG"/maps | head -1)
[[ "$maps" == *" $VDEPLUGIN_PATH/libvdeplug_slirp.so" ]] || fail "not our plugin in vde_plug: $maps"
pass "slirp:// (ours) lease: $(tr '\n' ' ' <"$TMP/g1.lease")"

nt g1 socat -u OPEN:"$TMP/data" TCP:10.5.0.2:8001 || fail "TCP to the host"
wait_gone "$PUP"
cmp "$TMP/data" "$TMP/up.rx" || fail "TCP to the host differs"
fwd_into g1 8002 127.0.0.1:8002 fw tcpfwd
nt g1 socat -u OPEN:"$TMP/data" TCP:10.5.0.9:6000 || fail "unixfwd connection"
wait_gone "$PX"
cmp "$TMP/data" "$TMP/x.rx" || fail "unixfwd data differs"
pass "TCP to the host, tcpfwd= into the guest, unixfwd= to a UNIX socket: 256 KiB each, intact"

WAIT_SECS=15 wait_for eval "ip -n $ID-g1 -6 addr show dev tap0 scope global | grep -q 'inet6 fd00::'" ||
	fail "no SLAAC address"
pass "IPv6 SLAAC from slirp://"

# restricted: outgoing TCP refused, forwards still work
kill "$PPLUG"
wait_gone "$PPLUG"
[ "$RC" = 0 ] || fail "vde_plug slirp:// exited $RC on SIGTERM"
spawn up2.log n host socat -u TCP-LISTEN:8003,bind=127.0.0.1,reuseaddr OPEN:"$TMP/up2.rx",creat,trunc
wait_for listening host t 8003 || fail "host server 2"
spawn plug2.log ip netns exec "$ID-host" vde_plug "$TMP/sw" "slirp:///restricted/addr=10.5.0.2/16/tcpfwd=8004:10.5.0.40:8004"
PPLUG=$LASTPID
spawn fw2.log n g1 socat -u TCP-LISTEN:8004,reuseaddr OPEN:"$TMP/fw2.rx",creat,trunc
PFW=$LASTPID
wait_for listening g1 t 8004 || fail "guest server 2"
WAIT_SECS=20 wait_for n g1 ping -c 1 -W 1 10.5.0.2 || true
n g1 timeout 10 socat -u /dev/null TCP:10.5.0.2:8003,connect-timeout=5 2>"$TMP/r.err" &&
	fail "restricted: a connection to the host went out"
WAIT_SECS=20 wait_for nt host socat -u OPEN:"$TMP/data" TCP:127.0.0.1:8004 || fail "restricted: tcpfwd"
wait_gone "$PFW"
cmp "$TMP/data" "$TMP/fw2.rx" || fail "restricted: tcpfwd data differs"
pass "restricted: outgoing TCP refused ($(head -c 80 "$TMP/r.err")), tcpfwd works"

out=$(vde_plug "$TMP/sw" "slirp:///bogus=1" 2>&1) && fail "bad parameter accepted"
pass "bad parameter refused: $out"
