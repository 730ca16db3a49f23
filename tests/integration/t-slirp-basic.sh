#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-slirp-basic.sh - slirpvde -D on our switch, a guest namespace with
# vde_plug2tap: a DHCP lease from busybox udhcpc (10.0.2.15, router .2,
# DNS .3); ping of the virtual host; TCP to and from a server on the
# host's 127.0.0.1 through 10.0.2.2 (1 MiB each way, cmp); UDP echo
# through 10.0.2.2, 20000-byte datagrams too (the guest's fragments are
# reassembled by slirpvde, libslirp fragments the answers); a name resolved through 10.0.2.3 by the test's DNS
# server; an IPv6 address by SLAAC (fd00::/64) and TCP to the host's ::1
# through fd00::2; a TCP segment with URG arrives intact and is counted;
# the console shows the lease, the configuration and the counters; TFTP
# does not answer without -t; Debian's slirpvde -D gives a guest the same
# lease and virtual host MAC.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/tap-lib.sh"
. "$top_srcdir/tests/integration/slirp-lib.sh"
need_root
TEST_TIMEOUT=${TEST_TIMEOUT:-120}

mkns host g1 g2
start_sw sw
# the host's services, on its loopback
spawn dns.log n host $HELPER dns 127.0.0.1 53 "$TMP/dns.ready"
spawn udp.log n host $HELPER udpecho 127.0.0.1 5002 "$TMP/udp.ready"
wait_for test -s "$TMP/dns.ready" || fail "DNS server did not start"
wait_for test -s "$TMP/udp.ready" || fail "UDP echo did not start"
head -c 1048576 /dev/urandom >"$TMP/up"
head -c 1048576 /dev/urandom >"$TMP/down"
spawn tcpup.log n host socat -u TCP-LISTEN:5001,bind=127.0.0.1,reuseaddr OPEN:"$TMP/up.rx",creat,trunc
PUP=$LASTPID
spawn tcpdown.log n host socat -u OPEN:"$TMP/down" TCP-LISTEN:5003,bind=127.0.0.1,reuseaddr
spawn tcp6.log n host socat -u TCP6-LISTEN:5004,bind=[::1],reuseaddr OPEN:"$TMP/up6.rx",creat,trunc
P6=$LASTPID
spawn urg.log n host socat -u TCP-LISTEN:5005,bind=127.0.0.1,reuseaddr OPEN:"$TMP/urg.rx",creat,trunc
PURG=$LASTPID
for p in 5001 5003 5004 5005; do
	wait_for listening host t $p || fail "server on $p did not listen"
done

slirp_start slirp.log -D -s "$TMP/sw" -M "$TMP/mgmt" -v
grep -q "Starting slirpvde: virtual_host=10.0.2.2/24" "$TMP/slirp.log" || fail "banner: $(cat "$TMP/slirp.log")"
guest g1
dhcp g1
. "$TMP/g1.lease"
[ "$ip" = 10.0.2.15 ] && [ "$router" = 10.0.2.2 ] && [ "$dns" = 10.0.2.3 ] &&
	[ "$mask" = 24 ] && [ "$lease" = 86400 ] || fail "lease: $(cat "$TMP/g1.lease")"
pass "DHCP: $(tr '\n' ' ' <"$TMP/g1.lease")"

WAIT_SECS=20 wait_for n g1 ping -c 1 -W 1 10.0.2.2 || fail "no ping to 10.0.2.2"
ll=$(ip -n "$ID-g1" neigh show 10.0.2.2)
[[ "$ll" == *"lladdr 52:55:0a:00:02:02"* ]] || fail "virtual host's MAC: $ll"
pass "ping 10.0.2.2, ARP 52:55:0a:00:02:02 (VDE 2's)"

nt g1 socat -u OPEN:"$TMP/up" TCP:10.0.2.2:5001 || fail "TCP upload failed"
wait_gone "$PUP"
cmp "$TMP/up" "$TMP/up.rx" || fail "TCP upload differs"
nt g1 socat -u TCP:10.0.2.2:5003 OPEN:"$TMP/down.rx",creat,trunc || fail "TCP download failed"
cmp "$TMP/down" "$TMP/down.rx" || fail "TCP download differs"
pass "1 MiB each way over TCP to the host's 127.0.0.1 via 10.0.2.2, intact"

nt g1 $HELPER udpcheck 10.0.2.2 5002 1400 20 || fail "UDP echo"
nt g1 $HELPER udpcheck 10.0.2.2 5002 20000 5 || fail "fragmented UDP echo"
stats=$(mgmt stats)
[[ "$stats" =~ reassembled\ [1-9] ]] || fail "no reassembly counted: $stats"
pass "UDP echo via 10.0.2.2, also 20000-byte datagrams (fragmented both ways)"

out=$(nt g1 busybox nslookup -type=a www.vdekit.test 10.0.2.3 2>&1) ||
	fail "nslookup: $out"
[[ "$out" == *192.0.2.77* ]] || fail "nslookup answer: $out"
[ "$(cat "$TMP/dns.ready.count")" -ge 1 ] || fail "the DNS server saw no query"
pass "www.vdekit.test resolved through 10.0.2.3 by the test's DNS server"

WAIT_SECS=15 wait_for eval "ip -n $ID-g1 -6 addr show dev tap0 scope global | grep -q 'inet6 fd00::'" ||
	fail "no SLAAC address: $(ip -n "$ID-g1" -6 addr show dev tap0)"
a6=$(ip -n "$ID-g1" -6 addr show dev tap0 scope global | sed -n 's/.*inet6 \(fd00::[^/]*\).*/\1/p' | head -1)
nt g1 socat -u OPEN:"$TMP/up" TCP6:[fd00::2]:5004 || fail "TCP over IPv6 failed"
wait_gone "$P6"
cmp "$TMP/up" "$TMP/up6.rx" || fail "TCP over IPv6 differs"
pass "SLAAC $a6, 1 MiB over TCP to the host's ::1 via fd00::2"

head -c 20000 /dev/urandom >"$TMP/urg"
nt g1 $HELPER urgsend 10.0.2.2 5005 "$TMP/urg" || fail "URG sender"
wait_gone "$PURG"
cmp "$TMP/urg" "$TMP/urg.rx" || fail "data with an urgent byte differs"
stats=$(mgmt stats)
[[ "$stats" =~ "tcp urgent cleared "[1-9] ]] || fail "URG not counted: $stats"
pass "TCP with URG: data intact, in band; $(grep urgent <<<"$stats")"

mac=$(ip -n "$ID-g1" -br link show tap0 | awk '{print $3}')
leases=$(mgmt leases)
[[ "$leases" == *"10.0.2.15 $mac expires in "* ]] || fail "console leases: $leases"
grep -q "DHCP lease 10.0.2.15 to $mac" "$TMP/slirp.log" || fail "no lease log line"
info=$(mgmt showinfo)
[[ "$info" == *"network 10.0.2.0/24"* && "$info" == *"host6 fd00::2"* && "$info" == *"tftp off"* ]] ||
	fail "showinfo: $info"
[[ "$stats" =~ "from guests: frames "[1-9] ]] || fail "stats: $stats"
pass "console: lease of $mac, showinfo, stats"

# the same lease and virtual host MAC as Debian's slirpvde -D gives
start_sw sw2
spawn deb.log n host /usr/bin/slirpvde -D -s "$TMP/sw2"
spawn g2-plug.log n g2 vde_plug2tap -s "$TMP/sw2" tap0
WAIT_SECS=20 wait_for ipn g2 link show tap0 || fail "g2 tap0"
ipn g2 link set tap0 up
dhcp g2
cmp -s "$TMP/g1.lease" "$TMP/g2.lease" || fail "lease differs from Debian's: $(cat "$TMP/g2.lease")"
WAIT_SECS=20 wait_for n g2 ping -c 1 -W 1 10.0.2.2 || fail "no ping to Debian's 10.0.2.2"
[[ "$(ip -n "$ID-g2" neigh show 10.0.2.2)" == *"lladdr 52:55:0a:00:02:02"* ]] ||
	fail "Debian's virtual host MAC differs: $(ip -n "$ID-g2" neigh show 10.0.2.2)"
pass "the same lease and virtual host MAC as Debian's slirpvde: $(tr '\n' ' ' <"$TMP/g2.lease")"

# TFTP is off without -t: no answer
n g1 timeout 4 busybox tftp -g -r boot.img -l "$TMP/boot.rx" 10.0.2.2 2>/dev/null &&
	fail "TFTP answered without -t"
pass "no TFTP without -t"

kill "$PSLIRP"
wait_gone "$PSLIRP_SH"
[ "$RC" = 0 ] || fail "slirpvde exited $RC on SIGTERM"
[ ! -e "$TMP/slirp.log.pid" ] || fail "pidfile left behind"
pass "SIGTERM: status 0, pidfile removed"
