#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-vhost-linux.sh - a Linux guest (Debian's cloud kernel, busybox
# initramfs: tests/integration/linux-guest.sh, cached in the build tree)
# in QEMU 7.2 (TCG) on a vhost-user port of vde_switch (--vhost-user).
# slirpvde on the same switch leases it an address (DHCP); a namespace
# host behind vde_plug2tap (10.0.2.100, outside slirp's DHCP range)
# answers its pings, serves a random 2 MiB file over HTTP that the guest
# fetches (its sha256, printed on the serial console, must be the file's)
# and receives the file back over TCP (compared byte for byte). A second
# guest on a second vhost-user port does the same at the same time, and
# the two guests ping each other (guest to guest through the switch).
# TCG boots the kernel in ~10-30 s: long deadlines, 240 s in all.
TEST_TIMEOUT=${TEST_TIMEOUT:-240}
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/tap-lib.sh"
. "$top_srcdir/tests/integration/slirp-lib.sh"
. "$top_srcdir/tests/integration/linux-guest.sh"
. "$top_srcdir/tests/integration/vhost-lib.sh"
need_root

need_qemu
for t in dpkg-deb cpio gzip modinfo apt-get; do
	command -v $t >/dev/null || fail "$t missing (quickstart installs kmod and cpio)"
done
GUEST=$top_builddir/tests/linux-guest
t0=$(date +%s)
# one test builds the cache at a time (a second run reuses it)
exec 8>"$top_builddir/tests/linux-guest.lock"
timeout 200 flock 8 || fail "linux-guest.lock held too long"
linux_guest "$GUEST" || fail "cannot build the guest in $GUEST"
exec 8>&-
t1=$(date +%s)

mkns host th
VM=$TMP/vm.sock
SRV=10.0.2.100
VM2=$TMP/vm2.sock
spawn sw.log vde_switch --nostdin -s "$TMP/sw" --vhost-user "$VM" --vhost-user "$VM2"
wait_for sock_ready "$TMP/sw/ctl" || fail "switch did not start"
wait_for test -S "$VM" || fail "switch: no vhost-user socket"
wait_for test -S "$VM2" || fail "switch: no second vhost-user socket"
fastpath_check "$TMP/sw"
slirp_start slirp.log -D -v -s "$TMP/sw" -M "$TMP/mgmt"
spawn th-plug.log n th vde_plug2tap -s "$TMP/sw" tap0
tap_up th tap0 "$SRV"

mkdir "$TMP/www"
head -c 2097152 /dev/urandom >"$TMP/www/blob"
SUM=$(sha256sum "$TMP/www/blob" | cut -d' ' -f1)
spawn http.log n th python3 -m http.server --bind "$SRV" --directory "$TMP/www" 8080
spawn back.log n th socat -u "TCP-LISTEN:9000,bind=$SRV,reuseaddr" "OPEN:$TMP/back,creat,trunc"
spawn back2.log n th socat -u "TCP-LISTEN:9001,bind=$SRV,reuseaddr" "OPEN:$TMP/back2,creat,trunc"
WAIT_SECS=10 wait_for n th socat -u /dev/null "TCP:$SRV:8080" || fail "HTTP server did not start"
listening() { n th ss -Hltn "sport = :$1" | grep -q .; }	# socat takes one connection
WAIT_SECS=10 wait_for listening 9000 || fail "TCP receiver did not start"
WAIT_SECS=10 wait_for listening 9001 || fail "second TCP receiver did not start"

# guest NAME SOCKET MAC PORT: a QEMU guest on a vhost-user socket; its
# console in $TMP/NAME.con, its pid in LASTPID
guest() {
	vhost_qemu "$1.log" "$2" "$3" -serial "file:$TMP/$1.con" \
		-kernel "$GUEST/vmlinuz" -initrd "$GUEST/initrd.gz" \
		-append "console=ttyS0 panic=-1 loglevel=4 vg.srv=$SRV vg.port=$4 vg.peers=10.0.2.15,10.0.2.16 vg.hold=20"
}
MAC=52:54:00:12:37:01 MAC2=52:54:00:12:37:02
guest g2 "$VM2" "$MAC2" 9001
PQ2=$LASTPID
guest g1 "$VM" "$MAC" 9000
PQ=$LASTPID
CON=$TMP/g1.con
con() { tr -d '\r' <"$CON" | grep -a "^VG $1"; }	# the serial console ends lines with CR LF
step() {	# WHAT SECS: wait for the console line "VG WHAT" (or the guest's end)
	WAIT_SECS=$2 wait_for eval "con '$1' || con done || ! kill -0 $PQ"
	con "$1" >/dev/null ||
		fail "guest: no 'VG $1' line: $(tr -d '\r' <"$CON" | grep -a '^VG' | tr '\n' ';')"
}
step "eth0 up" 150
t2=$(date +%s)
step lease 60
lease=$(con lease | awk '{print $3}')
grep -q "DHCP lease ${lease%/*} to $MAC" "$TMP/slirp.log" ||
	fail "slirpvde did not log the lease ${lease%/*} to $MAC"
pass "Linux guest on a vhost-user port: eth0 up $((t2 - t1)) s after start, DHCP lease $lease from slirpvde"
step "ping ok" 30
pass "guest pinged the namespace host $SRV behind vde_plug2tap"
step sha256 90
got=$(con sha256)
[ "$got" = "VG sha256 $SUM 2097152" ] || fail "guest's file: '$got', want sha256 $SUM, 2097152 bytes"
pass "guest fetched 2 MiB over HTTP from $SRV: sha256 matches"
full() { [ "$(stat -c %s "$TMP/back" 2>/dev/null || echo 0)" -ge 2097152 ]; }
WAIT_SECS=60 wait_for full || fail "file sent back: $(stat -c %s "$TMP/back" 2>/dev/null) bytes"
cmp "$TMP/www/blob" "$TMP/back" || fail "file sent back differs"
step sent 30
pass "guest sent the 2 MiB back over TCP: byte for byte"

# the second guest, on the second vhost-user port, the same way
CON1=$CON PQ1=$PQ
CON=$TMP/g2.con PQ=$PQ2
step lease 120
lease2=$(con lease | awk '{print $3}')
grep -q "DHCP lease ${lease2%/*} to $MAC2" "$TMP/slirp.log" ||
	fail "slirpvde did not log the lease ${lease2%/*} to $MAC2"
step sha256 120
[ "$(con sha256)" = "VG sha256 $SUM 2097152" ] || fail "second guest's file: '$(con sha256)'"
full2() { [ "$(stat -c %s "$TMP/back2" 2>/dev/null || echo 0)" -ge 2097152 ]; }
WAIT_SECS=60 wait_for full2 || fail "second guest's file sent back: $(stat -c %s "$TMP/back2" 2>/dev/null) bytes"
cmp "$TMP/www/blob" "$TMP/back2" || fail "file sent back by the second guest differs"
pass "second guest (lease $lease2) fetched the file and sent it back byte for byte"

# guest to guest through the switch: each pinged the other
for c in "$CON1:${lease2%/*}" "$CON:${lease%/*}"; do
	CON=${c%%:*}
	step "peer ${c#*:} ok" 90
done
pass "the two guests on two vhost-user ports pinged each other"
for pq in $PQ1 $PQ2; do
	WAIT_SECS=60 wait_for eval "! kill -0 $pq" || fail "a guest did not power off"
done
pass "guests powered off; guest build/cache $((t1 - t0)) s, boot to done $(($(date +%s) - t1)) s"
