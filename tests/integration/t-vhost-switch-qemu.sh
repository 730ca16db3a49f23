#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-vhost-switch-qemu.sh - real QEMU 7.2 guests (TCG, diskless, iPXE) on a
# vhost-user port of vde_switch (--vhost-user, then vhost/add after a
# restart). Guest 1 (virtio-net over vhost-user, reconnect=1) gets its
# DHCP lease from slirpvde on the same switch, fetches 1 MiB over HTTP/TCP
# from slirp's host side and 1 MiB from a namespace host behind
# vde_plug2tap, then polls /tick once a second. Guest 2 on -netdev vde
# (datagram endpoint) boots at the same time from the same switch (mixed
# endpoint kinds). The switch is restarted under guest 1: QEMU reconnects
# and the ticks come back. QEMU is killed with -9: the switch's fd count
# is back where it was, the guest's memory is unmapped and its RSS is
# back within 2 MiB. TCG iPXE takes 5-20 s to boot: long deadlines.
TEST_TIMEOUT=${TEST_TIMEOUT:-600}
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/tap-lib.sh"
. "$top_srcdir/tests/integration/slirp-lib.sh"
. "$top_srcdir/tests/integration/vhost-lib.sh"
need_root

need_qemu efi-virtio.rom pxe-e1000.rom

mkns host th
VM=$TMP/vm.sock
sw() {	# ARGS: the switch in the foreground, console on $TMP/sw.mgmt
	spawn "sw$1.log" vde_switch --nostdin -s "$TMP/sw" -M "$TMP/sw.mgmt" "${@:2}"
	PSW=$LASTPID
	wait_for sock_ready "$TMP/sw/ctl" || fail "switch did not start"
	wait_for sock_ready "$TMP/sw.mgmt" || fail "switch: no mgmt socket"
	fastpath_check "$TMP/sw"
}
swcmd() { printf '%s\n' "$1" | socat -t 1 - "UNIX-CONNECT:$TMP/sw.mgmt" 2>/dev/null; }
mkdir "$TMP/tftp"
ipxe_script "$TMP/tftp/boot.ipxe" http://10.0.2.2:8080/blob http://10.0.2.50:8080/blob
helpers() {	# slirpvde (its host side in ns host) and vde_plug2tap (ns th)
	slirp_start "slirp$1.log" -D -v -s "$TMP/sw" -M "$TMP/mgmt" -t "$TMP/tftp" \
		--bootfile boot.ipxe
	spawn "th-plug$1.log" n th vde_plug2tap -s "$TMP/sw" tap0
	PTAP=$LASTPID
}
HTTPSRV=$(vhost_httpsrv)

sw 1 --vhost-user "$VM"
helpers 1
tap_up th tap0 10.0.2.50
spawn http.err n host python3 "$HTTPSRV" 127.0.0.1 "$TMP/http.log"
spawn http2.err n th python3 "$HTTPSRV" 10.0.2.50 "$TMP/http2.log"
WAIT_SECS=10 wait_for n host socat -u /dev/null TCP:127.0.0.1:8080 || fail "HTTP server did not start"
WAIT_SECS=10 wait_for n th socat -u /dev/null TCP:10.0.2.50:8080 || fail "HTTP server 2 did not start"

MAC=52:54:00:12:36:01
MAC2=52:54:00:12:36:02
vhost_qemu qemu1.log "$VM" "$MAC" -boot n
Q1=$LASTPID
ipxe_guest qemu2.log "$MAC2" "$TMP/sw"
Q2=$LASTPID
WAIT_SECS=200 wait_for grep -q "DHCP lease 10.0.2.1[56] to $MAC" "$TMP/slirp1.log" ||
	fail "no lease to the vhost-user guest $MAC"
out=$(swcmd port/print)
echo "$out" | grep -qE "module vhost-user +: $VM" || fail "port/print: no vhost-user endpoint: $out"
pass "QEMU guest $MAC on a vhost-user port of the switch: DHCP lease from slirpvde"
WAIT_SECS=200 wait_for grep -q "DHCP lease 10.0.2.1[56] to $MAC2 " "$TMP/slirp1.log" ||
	fail "no lease to the -netdev vde guest $MAC2"
pass "QEMU guest $MAC2 on -netdev vde of the same switch: its own lease (mixed endpoint kinds)"
WAIT_SECS=150 wait_for grep -q '^/fetched ' "$TMP/http.log" ||
	fail "guest did not fetch: $(cat "$TMP/http.log" "$TMP/http2.log" 2>/dev/null)"
grep -q '^/failed' "$TMP/http.log" && fail "a fetch failed"
[ "$(grep -c '^/blob 1048576$' "$TMP/http.log")" -ge 1 ] || fail "blob from slirp's host side not sent whole"
[ "$(grep -c '^/blob 1048576$' "$TMP/http2.log")" -ge 1 ] || fail "blob from the tap host not sent"
WAIT_SECS=60 wait_for more_ticks 1 || fail "no ticks from the guests"
pass "guests fetched 1 MiB over HTTP/TCP from slirp's host side and from a namespace host behind vde_plug2tap"
kill $Q2

# restart the switch (and its helpers) under guest 1: QEMU reconnects;
# the socket is added from the console this time
kill $PSW $PSLIRP $PTAP 2>/dev/null
wait_for test ! -e "$VM" || fail "socket not removed at exit"
notap() { ! ipn th link show tap0; }
wait_for notap || fail "tap0 still there"
sw 2
helpers 2
tap_up th tap0 10.0.2.50
nfd() { ls /proc/$PSW/fd | wc -l; }
rss() { awk '/^VmRSS/ { print $2 }' /proc/$PSW/status; }
base_fd=$(nfd) base_rss=$(rss)
swcmd "vhost/add $VM" | grep -q "1000 Success" || fail "vhost/add"
t0=$(ticks)
WAIT_SECS=120 wait_for more_ticks $((t0 + 2)) ||
	fail "no ticks after the switch restart ($(ticks) vs $t0)"
pass "switch restarted under the guest (reconnect=1): traffic resumed ($t0 -> $(ticks) ticks)"

# kill -9 QEMU: mappings, fds and RSS back (QEMU's memfd is named after
# its backend type; the switch's own rings are memfds too)
grep -q memfd:memory-backend /proc/$PSW/maps || fail "guest memory not mapped in the switch"
run_rss=$(rss)
kill -9 $Q1
unmapped() { ! grep -q memfd:memory-backend /proc/$PSW/maps; }
wait_for unmapped || fail "guest memory still mapped after kill -9"
# base_fd was taken before vhost/add: its listening socket stays
fds_back() { [ "$(nfd)" -le $((base_fd + 1)) ]; }
wait_for fds_back || fail "fds not released after kill -9: $(nfd) vs $base_fd + the listener"
[ "$(rss)" -le $((base_rss + 2048)) ] || fail "RSS $(rss) kB vs $base_rss kB before the guest"
grep -q "port [0-9]*: guest disconnected" "$TMP/sw2.log" || fail "no log line for the killed QEMU"
swcmd vhost/print | grep -qF "vhost-user $VM port any no guest" || fail "vhost/print after kill -9"
pass "QEMU killed with -9: fds $base_fd (+1 listener) -> $(nfd), RSS $base_rss kB -> $run_rss kB (running) -> $(rss) kB, memory unmapped"
