#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-slirp-robust.sh - slirpvde keeps working through what must not stop it:
# malformed frames (the fuzz seeds: runts, TCP fragments splitting the
# header, truncated headers, URG with huge urgent pointers, overlapping and
# oversized fragments, odd DHCP options) injected on the switch, counted
# on the console; a host peer that closes mid-transfer (EPIPE/RST on
# libslirp's send, SIGPIPE ignored); a host socket that never reads (full
# buffers, window closed) then goes away; a guest that vanishes
# mid-download. After each, a fresh 256 KiB transfer is intact. Then a
# second slirpvde, -d --restrict -D -L: it daemonizes (the pidfile says ready),
# leases, forwards into the guest, but lets no TCP or UDP (DNS) out.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/tap-lib.sh"
. "$top_srcdir/tests/integration/slirp-lib.sh"
need_root
TEST_TIMEOUT=${TEST_TIMEOUT:-120}

mkns host g1
start_sw sw
head -c 262144 /dev/urandom >"$TMP/data"
head -c 8388608 /dev/zero >"$TMP/big"
slirp_start slirp.log -D -q -s "$TMP/sw" -M "$TMP/mgmt"
guest g1
dhcp g1

check_alive() {	# $1: what just happened
	kill -0 "$PSLIRP" 2>/dev/null || fail "slirpvde died after $1"
	spawn ok$2.log n host socat -u TCP-LISTEN:900$2,bind=127.0.0.1,reuseaddr OPEN:"$TMP/ok$2.rx",creat,trunc
	local p=$LASTPID
	wait_for listening host t 900$2 || fail "server 900$2"
	nt g1 socat -u OPEN:"$TMP/data" TCP:10.0.2.2:900$2 || fail "transfer after $1"
	wait_gone "$p"
	cmp "$TMP/data" "$TMP/ok$2.rx" || fail "transfer after $1 differs"
}

# malformed frames, straight onto the switch
cat "$top_srcdir"/tests/fuzz/corpus/slirp/* | timeout 20 vde_plug "$TMP/sw" >/dev/null ||
	fail "injecting frames"
# the frames cross the switch asynchronously: wait (bounded) until every
# kind of drop has been counted, not just the first one
counted() {
	stats=$(mgmt stats)
	[[ "$stats" =~ "tcp-fragment "[1-9] && "$stats" =~ truncated\ [1-9] &&
	   "$stats" =~ "tcp urgent cleared "[1-9] ]]
}
WAIT_SECS=20 wait_for counted || fail "drops not counted: $(mgmt stats)"
stats=$(mgmt stats)
check_alive "malformed frames" 1
pass "malformed frames counted ($(grep dropped <<<"$stats")), still serving"

# a host peer that reads 1000 bytes of 8 MiB and closes
spawn closer.log n host $HELPER closer 127.0.0.1 9100 1000 "$TMP/closer.ready"
wait_for test -s "$TMP/closer.ready" || fail "closer"
nt g1 socat -u OPEN:"$TMP/big" TCP:10.0.2.2:9100 2>/dev/null
nt g1 socat -u OPEN:"$TMP/big" TCP:10.0.2.2:9100 2>/dev/null
check_alive "host peers closing mid-transfer" 2
pass "host peer closing mid-transfer: still serving"

# a host socket that never reads, then goes away
spawn stall.log ip netns exec "$ID-host" python3 "$top_srcdir/tests/integration/slirp-helper.py" \
	stall 127.0.0.1 9200 "$TMP/stall.ready"
PSTALL=$LASTPID
wait_for test -s "$TMP/stall.ready" || fail "stall"
nt g1 timeout 5 socat -u OPEN:"$TMP/big" TCP:10.0.2.2:9200 2>/dev/null
kill "$PSTALL"
check_alive "a full host socket" 3
pass "full host socket (window closed, then the peer gone): still serving"

# the guest vanishes in the middle of a download
spawn dl.log n host socat -u OPEN:"$TMP/big" TCP-LISTEN:9300,bind=127.0.0.1,reuseaddr
wait_for listening host t 9300 || fail "download server"
ip netns exec "$ID-g1" socat -u TCP:10.0.2.2:9300 OPEN:/dev/null &
PDL=$!
sleep 0.2
kill -9 "$PDL" 2>/dev/null
wait "$PDL" 2>/dev/null
check_alive "a guest gone mid-download" 4
pass "guest gone mid-download: still serving"

# -d with a pid file that cannot be written: refused before detaching
out=$(slirpvde -q -d -p "$TMP/no/such/dir/s.pid" -s "$TMP/sw" 2>&1); rc=$?
[ "$rc" = 1 ] && grep -q "pidfile $TMP/no/such/dir/s.pid" <<<"$out" ||
	fail "unwritable pidfile with -d: status $rc, '$out'"

# -d --restrict: daemon, DHCP and the forward work, nothing goes out
mkns g2
start_sw sw2
spawn dns.log n host $HELPER dns 127.0.0.1 53 "$TMP/dns.ready"
wait_for test -s "$TMP/dns.ready" || fail "DNS server"
spawn out.log n host socat -u TCP-LISTEN:9400,bind=127.0.0.1,reuseaddr OPEN:/dev/null
wait_for listening host t 9400 || fail "host server 9400"
echo "nameserver 127.0.0.1" >"$TMP/resolv2.conf"
n host unshare -m sh -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' "$TMP/resolv2.conf" \
	"$(bin slirpvde)" -d -q -p "$TMP/r.pid" --restrict -D -L 9401:10.0.2.15:9401 "$TMP/sw2" ||
	fail "slirpvde -d exited non-zero"
wait_for test -s "$TMP/r.pid" || fail "no pidfile from the daemon"
PR=$(cat "$TMP/r.pid")
kill -0 "$PR" || fail "daemon not running"
spawn g2-plug.log n g2 vde_plug2tap -s "$TMP/sw2" tap0
WAIT_SECS=20 wait_for ipn g2 link show tap0 || fail "g2 tap0"
ipn g2 link set tap0 up
dhcp g2
grep -q "ip=10.0.2.15" "$TMP/g2.lease" || fail "restricted lease: $(cat "$TMP/g2.lease")"
spawn in.log n g2 socat -u TCP-LISTEN:9401,reuseaddr OPEN:"$TMP/in.rx",creat,trunc
PIN=$LASTPID
wait_for listening g2 t 9401 || fail "guest server 9401"
WAIT_SECS=20 wait_for nt host socat -u OPEN:"$TMP/data" TCP:127.0.0.1:9401 || fail "restricted: -L"
wait_gone "$PIN"
cmp "$TMP/data" "$TMP/in.rx" || fail "restricted: -L data differs"
n g2 timeout 5 socat -u /dev/null TCP:10.0.2.2:9400,connect-timeout=3 2>/dev/null &&
	fail "restricted: TCP went out"
n g2 timeout 4 busybox nslookup -type=a www.vdekit.test 10.0.2.3 >/dev/null 2>&1 &&
	fail "restricted: DNS answered"
[ ! -s "$TMP/dns.ready.count" ] || fail "restricted: the DNS server got a query"
kill "$PR"
WAIT_SECS=20 wait_for eval "! kill -0 $PR 2>/dev/null" || fail "daemon did not stop"
[ ! -e "$TMP/r.pid" ] || fail "daemon left its pidfile"
pass "-d --restrict: daemon (pidfile when ready), DHCP and -L work, no TCP or DNS out, SIGTERM ends it"
