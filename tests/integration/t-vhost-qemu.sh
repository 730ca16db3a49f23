#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-vhost-qemu.sh - a real QEMU 7.2 guest (TCG, diskless, the virtio-net
# iPXE ROM) on vde_plug vhost-user:///SOCK SWITCH: QEMU is the vhost-user
# front end (-chardev socket,reconnect=1 -netdev vhost-user, guest memory
# from memory-backend-memfd,share=on, MSI-X off as QEMU 7.2 under TCG
# needs). The guest gets its DHCP lease from slirpvde on the same switch,
# boots the iPXE script slirpvde's TFTP server hands out, and fetches a
# 1 MiB file over HTTP/TCP from a server on slirp's host side (the server
# sees every byte go out, the guest fetches the next URL only once the
# length checked out), then polls /tick once a second. The backend is
# restarted: QEMU reconnects and the ticks come back (the guest's link
# returns). QEMU is killed with -9: the backend drops its mappings and fds
# and a second QEMU gets its own lease. TCG iPXE takes 5-20 s to boot on an
# idle machine: long deadlines.
TEST_TIMEOUT=${TEST_TIMEOUT:-600}
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/tap-lib.sh"
. "$top_srcdir/tests/integration/slirp-lib.sh"
. "$top_srcdir/tests/integration/vhost-lib.sh"
need_root

# the ROM QEMU loads by default for virtio-net-pci (an explicit romfile=
# of the same file did not boot here)
need_qemu efi-virtio.rom

mkns host
start_sw sw
mkdir "$TMP/tftp"
ipxe_script "$TMP/tftp/boot.ipxe" http://10.0.2.2:8080/blob
slirp_start slirp.log -D -v -s "$TMP/sw" -M "$TMP/mgmt" -t "$TMP/tftp" --bootfile boot.ipxe
# the HTTP server on slirp's host side (its loopback in namespace host)
HTTPSRV=$(vhost_httpsrv)
spawn http.err n host python3 "$HTTPSRV" 127.0.0.1 "$TMP/http.log"
WAIT_SECS=10 wait_for n host socat -u /dev/null TCP:127.0.0.1:8080 || fail "HTTP server did not start"

VM=$TMP/vm.sock
plug() {
	spawn "plug$1.log" vde_plug "vhost-user://$VM" "$TMP/sw"
	PLUG=$LASTPID
	wait_for test -S "$VM" || fail "vde_plug did not listen on $VM"
}
qemu() {	# MAC
	vhost_qemu "qemu-$1.log" "$VM" "$1" -boot n
	QPID=$LASTPID
}

MAC=52:54:00:12:35:01
MAC2=52:54:00:12:35:02
plug 1
base_fd=$(ls /proc/$PLUG/fd | wc -l)
qemu $MAC
WAIT_SECS=150 wait_for grep -q "DHCP lease 10.0.2.15 to $MAC" "$TMP/slirp.log" ||
	fail "no lease to the QEMU guest $MAC"
pass "QEMU guest $MAC on vhost-user: DHCP lease 10.0.2.15 from slirpvde"
WAIT_SECS=100 wait_for grep -q '^/fetched ' "$TMP/http.log" ||
	fail "guest did not fetch the 1 MiB file: $(cat "$TMP/http.log" 2>/dev/null)"
grep -q '^/blob 1048576$' "$TMP/http.log" || fail "blob not sent whole"
grep -q '^/failed' "$TMP/http.log" && fail "the guest's fetch failed"
WAIT_SECS=60 wait_for more_ticks 1 || fail "no ticks from the guest"
pass "guest booted its iPXE script over TFTP and fetched 1 MiB over HTTP/TCP"

# restart the backend: QEMU reconnects, the guest's link comes back
kill $PLUG
wait_for test ! -e "$VM" || fail "socket not removed"
t0=$(ticks)
plug 2
WAIT_SECS=90 wait_for more_ticks $((t0 + 2)) ||
	fail "no ticks after the backend restart ($(ticks) vs $t0)"
pass "backend restarted: QEMU reconnected, guest traffic resumed ($t0 -> $(ticks) ticks)"

# kill -9 QEMU: mappings and fds released, the next QEMU works
base_fd=$(ls /proc/$PLUG/fd | wc -l)
grep -q memfd:memory-backend /proc/$PLUG/maps || fail "guest memory not mapped in the backend"
kill -9 $QPID
unmapped() { ! grep -q memfd:memory-backend /proc/$PLUG/maps; }
wait_for unmapped || fail "guest memory still mapped after kill -9"
fds_down() { [ "$(ls /proc/$PLUG/fd | wc -l)" -lt "$base_fd" ]; }
wait_for fds_down || fail "fds not released after kill -9"
nfd=$(ls /proc/$PLUG/fd | wc -l)
qemu $MAC2
WAIT_SECS=150 wait_for grep -q "DHCP lease 10.0.2.16 to $MAC2" "$TMP/slirp.log" ||
	fail "no lease to the second QEMU guest $MAC2"
grep -q "guest disconnected" "$TMP/plug2.log" || fail "no log line for the killed QEMU"
pass "QEMU killed with -9: backend unmapped the guest ($base_fd -> $nfd fds), a second QEMU got 10.0.2.16"
