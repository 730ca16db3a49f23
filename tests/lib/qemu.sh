# SPDX-License-Identifier: GPL-2.0-or-later
# tests/lib/qemu.sh - QEMU guests for the integration tests (sourced after
# tests/lib/env.sh)
#
#   need_qemu [ROM...]      QEMU=/usr/bin/qemu-system-x86_64; fail unless it
#                           and each iPXE ROM (/usr/lib/ipxe/qemu/ROM) are
#                           installed (quickstart installs them)
#   IPXE_E1000              the e1000 iPXE ROM, which DHCPs at once
#   ipxe_guest LOG MAC SOCK [VAR=VALUE...] [-- ARG...]
#                           spawn a diskless TCG guest (64 MiB) booting
#                           IPXE_E1000 on an e1000 NIC with MAC, on
#                           -netdev vde,id=n0,sock=SOCK; VAR=VALUEs are its
#                           environment (ourlib_env: on our library), ARGs
#                           go to QEMU after the -netdev; its pid in LASTPID
#                           (call need_qemu pxe-e1000.rom first)
IPXE_E1000=/usr/lib/ipxe/qemu/pxe-e1000.rom

need_qemu() {
	local r
	QEMU=/usr/bin/qemu-system-x86_64
	[ -x "$QEMU" ] || fail "$QEMU missing: install qemu-system-x86 (quickstart does)"
	for r in "$@"; do
		[ -e "/usr/lib/ipxe/qemu/$r" ] || fail "iPXE ROM $r missing: install ipxe-qemu (quickstart does)"
	done
}

ipxe_guest() {
	local log=$1 mac=$2 sock=$3 envs=()
	shift 3
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		envs+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	spawn "$log" env "${envs[@]}" "$QEMU" -M pc -accel tcg -m 64 -nodefaults -display none \
		-no-reboot -netdev "vde,id=n0,sock=$sock" "$@" \
		-device "e1000,netdev=n0,mac=$mac,romfile=$IPXE_E1000" -boot n
}
