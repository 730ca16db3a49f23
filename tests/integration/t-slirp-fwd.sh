#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-slirp-fwd.sh - slirpvde's forwards and guests: -L (TCP, host port to a
# guest server, 256 KiB cmp), -U (UDP echo in the guest reached from the
# host), -x (a guest's connections to 10.0.2.2:6000, as with VDE 2, and
# to 10.0.2.5:6001 reach a UNIX socket of the host, cmp), -X (the host's
# first free X display port reaches the guest's :3), -t (a file fetched
# by TFTP, cmp); forwards added and removed live on the console (and
# errors for busy ports and unknown forwards); two guests with their own
# leases transferring at the same time; stream mode through dpipe
# (vde_plug = slirpvde --mtu 9000 -) with a third guest on another switch,
# jumbo pings included.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/tap-lib.sh"
. "$top_srcdir/tests/integration/slirp-lib.sh"
need_root
TEST_TIMEOUT=${TEST_TIMEOUT:-120}

mkns host g1 g2 g3
start_sw sw
head -c 262144 /dev/urandom >"$TMP/data"
spawn xsrv.log n host socat -u UNIX-LISTEN:"$TMP/x.sock" OPEN:"$TMP/x.rx",creat,trunc
PX=$LASTPID
wait_for test -S "$TMP/x.sock" || fail "UNIX server did not start"

mkdir "$TMP/tftp"
head -c 100000 /dev/urandom >"$TMP/tftp/boot.img"
slirp_start slirp.log -D -q -s "$TMP/sw" -M "$TMP/mgmt" -L 127.0.0.1:7001:10.0.2.15:7001 \
	-U 7002:10.0.2.15:7002 -x 6000:"$TMP/x.sock" -x 10.0.2.5:6001:"$TMP/x.sock" -X 10.0.2.16:3 -t "$TMP/tftp"
[ ! -s "$TMP/slirp.log" ] || fail "-q printed: $(cat "$TMP/slirp.log")"
guest g1
dhcp g1
guest g2
dhcp g2
grep -q "ip=10.0.2.16" "$TMP/g2.lease" || fail "second guest's lease: $(cat "$TMP/g2.lease")"
pass "two guests: 10.0.2.15 and 10.0.2.16"

# -L: host -> guest TCP
fwd_into g1 7001 127.0.0.1:7001 l -L
pass "-L 127.0.0.1:7001 -> 10.0.2.15:7001, 256 KiB intact"

# -U: host -> guest UDP echo
spawn u.log n g1 $HELPER udpecho 0.0.0.0 7002 "$TMP/u.ready"
wait_for test -s "$TMP/u.ready" || fail "guest UDP echo"
nt host $HELPER udpcheck 127.0.0.1 7002 1000 10 || fail "-U echo"
pass "-U 7002 -> 10.0.2.15:7002 echo"

# -x: guest -> host UNIX socket
nt g1 socat -u OPEN:"$TMP/data" TCP:10.0.2.2:6000 || fail "-x connection"
wait_gone "$PX"
cmp "$TMP/data" "$TMP/x.rx" || fail "-x data differs"
spawn xsrv2.log n host socat -u UNIX-LISTEN:"$TMP/x.sock",unlink-early OPEN:"$TMP/x2.rx",creat,trunc
PX=$LASTPID
WAIT_SECS=20 wait_for eval "n host ss -lx | grep -q '$TMP/x.sock'" || fail "UNIX server 2"
nt g1 socat -u OPEN:"$TMP/data" TCP:10.0.2.5:6001 || fail "-x connection via 10.0.2.5"
wait_gone "$PX"
cmp "$TMP/data" "$TMP/x2.rx" || fail "-x data via 10.0.2.5 differs"
pass "-x 6000:UNIX socket on the virtual host 10.0.2.2 (as VDE 2) and 10.0.2.5:6001, 256 KiB each intact"

# -X: the host's display :0 (port 6000, the first free) to 10.0.2.16:6003
fwd_into g2 6003 127.0.0.1:6000 xd -X
pass "-X 10.0.2.16:3: host port 6000 -> 10.0.2.16:6003, intact"

# -t: TFTP
(cd "$TMP" && nt g1 busybox tftp -g -r boot.img -l "$TMP/boot.rx" 10.0.2.2) || fail "tftp get"
cmp "$TMP/tftp/boot.img" "$TMP/boot.rx" || fail "tftp file differs"
pass "-t: a 100000-byte file by TFTP, intact"

# live forwards on the console
out=$(mgmt "fwd/add tcp 7003:10.0.2.16:7003")
[[ "$out" == *"1000 Success"* ]] || fail "fwd/add: $out"
out=$(mgmt "fwd/add tcp 7003:10.0.2.16:7003")
[[ "$out" == *"1017 "* ]] || fail "duplicate fwd/add: $out"
out=$(mgmt "fwd/add tcp 7003:10.0.2.16")
[[ "$out" == *"1022 "* ]] || fail "bad fwd/add: $out"
out=$(mgmt "fwd/add tcp 7004:192.168.77.5:22")
[[ "$out" == *"not a guest address"*"1099 "* ]] || fail "fwd/add outside the network: $out"
out=$(mgmt "fwd/add udp 7004:10.0.2.3:53")
[[ "$out" == *"DNS"*"1099 "* ]] || fail "fwd/add to slirp's DNS: $out"
if slirpvde -q -L 7005:192.168.77.5:22 null:// >"$TMP/bad.out" 2>&1; then
	fail "slirpvde -L to outside the network started"
fi
grep -q "192.168.77.5:22: not a guest address of the virtual network 10.0.2.0/24" "$TMP/bad.out" ||
	fail "-L outside the network: $(cat "$TMP/bad.out")"
out=$(mgmt fwd/print)
[[ "$out" == *"tcp 0.0.0.0:7003 -> 10.0.2.16:7003"* && "$out" == *"tcp 127.0.0.1:7001 -> 10.0.2.15:7001"* &&
   "$out" == *"udp 0.0.0.0:7002 -> 10.0.2.15:7002"* && "$out" == *"unix 10.0.2.2:6000 -> $TMP/x.sock"* && "$out" == *"unix 10.0.2.5:6001 -> $TMP/x.sock"* ]] ||
	fail "fwd/print: $out"
fwd_into g2 7003 127.0.0.1:7003 l3 "live forward"
out=$(mgmt "fwd/del tcp 7003")
[[ "$out" == *"1000 Success"* ]] || fail "fwd/del: $out"
out=$(mgmt "fwd/del tcp 7003")
[[ "$out" == *"1002 "* ]] || fail "fwd/del of nothing: $out"
n host socat -u /dev/null TCP:127.0.0.1:7003 2>/dev/null && fail "port 7003 still forwarded"
pass "fwd/add, fwd/print, fwd/del live (and EEXIST, EINVAL, ENOENT, a guest outside the network refused)"

# both guests at once to the host
spawn s1.log n host socat -u TCP-LISTEN:7011,bind=127.0.0.1,reuseaddr OPEN:"$TMP/s1.rx",creat,trunc
P1=$LASTPID
spawn s2.log n host socat -u TCP-LISTEN:7012,bind=127.0.0.1,reuseaddr OPEN:"$TMP/s2.rx",creat,trunc
P2=$LASTPID
wait_for listening host t 7011 && wait_for listening host t 7012 || fail "host servers"
nt g1 socat -u OPEN:"$TMP/data" TCP:10.0.2.2:7011 &
C1=$!
nt g2 socat -u OPEN:"$TMP/data" TCP:10.0.2.2:7012 || fail "guest 2 transfer"
wait "$C1" || fail "guest 1 transfer"
wait_gone "$P1"
wait_gone "$P2"
cmp "$TMP/data" "$TMP/s1.rx" && cmp "$TMP/data" "$TMP/s2.rx" || fail "concurrent data differs"
out=$(mgmt leases)
[ "$(grep -c 'expires in' <<<"$out")" = 2 ] || fail "leases: $out"
pass "two guests transferring at once, two leases on the console"

# stream mode: dpipe vde_plug SW2 = slirpvde -D -
start_sw sw2
spawn stream.log n host dpipe vde_plug "$TMP/sw2" = "$(bin slirpvde)" -D -v --mtu 9000 -
PST=$LASTPID
spawn g3-plug.log n g3 vde_plug2tap -s "$TMP/sw2" tap0
WAIT_SECS=20 wait_for ipn g3 link show tap0 || fail "g3 tap0"
ipn g3 link set tap0 mtu 9000 up
dhcp g3
grep -q "ip=10.0.2.15" "$TMP/g3.lease" || fail "stream-mode lease: $(cat "$TMP/g3.lease")"
spawn s3.log n host socat -u TCP-LISTEN:7013,bind=127.0.0.1,reuseaddr OPEN:"$TMP/s3.rx",creat,trunc
P3=$LASTPID
wait_for listening host t 7013 || fail "host server 3"
nt g3 socat -u OPEN:"$TMP/data" TCP:10.0.2.2:7013 || fail "stream-mode transfer"
wait_gone "$P3"
cmp "$TMP/data" "$TMP/s3.rx" || fail "stream-mode data differs"
WAIT_SECS=20 wait_for n g3 ping -c 1 -W 1 -M do -s 8972 10.0.2.2 || fail "no 9000-byte ping with --mtu 9000"
pass "stream mode through dpipe, --mtu 9000: lease, 256 KiB intact, 9000-byte unfragmented pings"
