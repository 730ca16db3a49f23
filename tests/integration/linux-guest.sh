# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# tests/integration/linux-guest.sh - a small Linux guest for QEMU tests
# (sourced after env.sh): Debian's cloud kernel and a busybox initramfs,
# both unpacked from Debian packages (apt-get download + dpkg-deb -x,
# nothing is installed on the machine), cached under the build tree.
#
#   linux_guest DIR     make DIR/vmlinuz and DIR/initrd.gz unless DIR
#                       already holds the ones this file builds (a stamp
#                       records this file's hash); fails with a reason.
#                       Packages come from apt's cache or apt-get
#                       download (apt-get update first if apt does not
#                       know them), each step time-bounded.
#
# The guest's /init (serial console ttyS0, kernel arguments vg.srv=ADDR
# and vg.port=PORT) loads virtio_net and what it needs, brings eth0 up,
# takes a DHCP lease (udhcpc), pings ADDR, fetches http://ADDR:8080/blob,
# prints "VG sha256 HASH", sends the file back to ADDR:PORT over TCP (nc),
# pings the other guests of vg.peers=A,B (then stays up vg.hold=SECONDS)
# and powers off. Every step prints a "VG ..." line on the console: the
# test reads them from QEMU's -serial file.

LG_KPKG_META=linux-image-cloud-amd64

# _lg_deb DLDIR PKGPATTERN PKGNAME: a .deb of PKGNAME in DLDIR (copied
# from apt's cache, or downloaded); its path on stdout
_lg_deb() {
	local dl=$1 pat=$2 pkg=$3 f
	for f in "$dl"/$pat /var/cache/apt/archives/$pat; do
		[ -f "$f" ] && { echo "$f"; return 0; }
	done
	( cd "$dl" && timeout 90 apt-get download -q "$pkg" ) >&2 || return 1
	for f in "$dl"/$pat; do
		[ -f "$f" ] && { echo "$f"; return 0; }
	done
	return 1
}

# _lg_kpkg: the kernel package linux-image-cloud-amd64 depends on
_lg_kpkg() {
	apt-cache depends "$LG_KPKG_META" 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }'
}

# _lg_modorder MODDIR NAME...: module files of NAME and their
# dependencies (modinfo -F depends), dependencies first, each once
_lg_modorder() {
	local dir=$1 m f d
	shift
	for m in "$@"; do
		case " $_LG_SEEN " in *" $m "*) continue ;; esac
		_LG_SEEN="$_LG_SEEN $m"
		f=$(find "$dir" -name "$m.ko*" -print -quit)
		[ -n "$f" ] || f=$(find "$dir" -name "${m//_/-}.ko*" -print -quit)
		[ -n "$f" ] || return 1
		d=$(modinfo -F depends "$f") || return 1
		# shellcheck disable=SC2086  # a comma-separated list
		[ -z "$d" ] || _lg_modorder "$dir" ${d//,/ } || return 1
		echo "$f"
	done
}

_lg_init() {
	cat <<'EOS'
#!/bin/sh
/bin/busybox mkdir -p /proc /sys /dev /sbin /usr/bin /usr/sbin /tmp
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
srv= port=9000 peers= hold=0
for a in $(cat /proc/cmdline); do
	case $a in
	vg.srv=*) srv=${a#vg.srv=} ;;
	vg.port=*) port=${a#vg.port=} ;;
	vg.peers=*) peers=$(echo "${a#vg.peers=}" | tr , ' ') ;;
	vg.hold=*) hold=${a#vg.hold=} ;;
	esac
done
for m in $(cat /modules); do insmod "/lib/modules/$m" || echo "VG insmod $m failed"; done
i=0
while ! ip link show eth0 >/dev/null 2>&1 && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
ip link set lo up
ip link set eth0 up || { echo "VG no eth0"; poweroff -f; }
echo "VG eth0 up"
if udhcpc -i eth0 -s /udhcpc.sh -n -q -t 10 -T 3; then
	echo "VG lease $(ip -4 -o addr show dev eth0 | awk '{print $4}')"
else
	echo "VG no lease"; poweroff -f
fi
if ping -c 3 -W 5 "$srv"; then echo "VG ping ok"; else echo "VG ping failed"; fi
if timeout 90 wget -q -O /tmp/blob "http://$srv:8080/blob"; then
	echo "VG sha256 $(sha256sum /tmp/blob | cut -d' ' -f1) $(wc -c </tmp/blob)"
	if timeout 60 nc "$srv" "$port" </tmp/blob; then echo "VG sent"; else echo "VG send failed"; fi
else
	echo "VG wget failed"
fi
# vg.peers=A,B: the other guests' addresses (ours is skipped): ping each,
# retrying for up to 60 s while they boot; then stay up vg.hold seconds so
# that they can ping us too
me=$(ip -4 -o addr show dev eth0 | awk '{print $4}'); me=${me%/*}
for p in $peers; do
	[ "$p" = "$me" ] && continue
	i=0
	while ! ping -c 1 -W 2 "$p" >/dev/null 2>&1 && [ $i -lt 30 ]; do i=$((i+1)); done
	if ping -c 3 -W 5 "$p"; then echo "VG peer $p ok"; else echo "VG peer $p failed"; fi
done
[ "$hold" -gt 0 ] && sleep "$hold"
echo "VG done"
poweroff -f
EOS
}

_lg_dhcp() {
	cat <<'EOS'
#!/bin/sh
case $1 in
bound|renew)
	ifconfig "$interface" "$ip" netmask "${subnet:-255.255.255.0}"
	[ -z "$router" ] || route add default gw "${router%% *}" dev "$interface"
	;;
esac
exit 0
EOS
}

linux_guest() {
	local dir=$1 stamp kpkg kdeb bdeb w m kver
	stamp=$( { sha256sum "${BASH_SOURCE[0]}" | cut -d' ' -f1; } )
	mkdir -p "$dir" || return 1
	if [ -s "$dir/vmlinuz" ] && [ -s "$dir/initrd.gz" ] &&
	   [ "$(cat "$dir/stamp" 2>/dev/null)" = "$stamp" ]; then
		return 0
	fi
	mkdir -p "$dir/dl"
	kpkg=$(_lg_kpkg)
	if [ -z "$kpkg" ] || ! apt-cache show "busybox-static" >/dev/null 2>&1; then
		echo "linux_guest: apt-get update" >&2
		timeout 90 apt-get update -qq >&2 || { echo "linux_guest: apt-get update failed" >&2; return 1; }
		kpkg=$(_lg_kpkg)
	fi
	[ -n "$kpkg" ] || { echo "linux_guest: apt does not know $LG_KPKG_META" >&2; return 1; }
	kdeb=$(_lg_deb "$dir/dl" "${kpkg}_*_amd64.deb" "$kpkg") ||
		{ echo "linux_guest: cannot get $kpkg" >&2; return 1; }
	bdeb=$(_lg_deb "$dir/dl" "busybox-static_*_amd64.deb" busybox-static) ||
		{ echo "linux_guest: cannot get busybox-static" >&2; return 1; }
	w=$(mktemp -d "$dir/work.XXXXXX") || return 1
	mkdir -p "$w/k" "$w/b" "$w/root/bin" "$w/root/lib/modules" || return 1
	{ dpkg-deb -x "$kdeb" "$w/k" && dpkg-deb -x "$bdeb" "$w/b"; } ||
		{ echo "linux_guest: dpkg-deb -x failed" >&2; rm -rf "$w"; return 1; }
	kver=${kpkg#linux-image-}
	# virtio, virtio_pci and virtio_net are modules in Debian's config:
	# check it, so a kernel with them built in still gets a working list
	_LG_SEEN=
	: >"$w/root/modules"
	for m in virtio_pci virtio_net; do
		case $m in
		virtio_pci) grep -q '^CONFIG_VIRTIO_PCI=y' "$w/k/boot/config-$kver" && continue ;;
		virtio_net) grep -q '^CONFIG_VIRTIO_NET=y' "$w/k/boot/config-$kver" && continue ;;
		esac
		_lg_modorder "$w/k/lib/modules/$kver" "$m" >>"$w/mods" ||
			{ echo "linux_guest: module $m not found" >&2; rm -rf "$w"; return 1; }
	done
	if [ -s "$w/mods" ]; then
		while read -r m; do
			cp "$m" "$w/root/lib/modules/" || { rm -rf "$w"; return 1; }
			basename "$m" >>"$w/root/modules"
		done <"$w/mods"
	fi
	{ cp "$w/b/bin/busybox" "$w/root/bin/busybox" && ln -s busybox "$w/root/bin/sh"; } ||
		{ rm -rf "$w"; return 1; }
	_lg_init >"$w/root/init"
	_lg_dhcp >"$w/root/udhcpc.sh"
	chmod 755 "$w/root/init" "$w/root/udhcpc.sh"
	( cd "$w/root" && find . | cpio -o -H newc --quiet | gzip -1 ) >"$w/initrd.gz" ||
		{ echo "linux_guest: cpio failed" >&2; rm -rf "$w"; return 1; }
	cp "$w/k/boot/vmlinuz-$kver" "$w/vmlinuz" || { rm -rf "$w"; return 1; }
	mv -f "$w/vmlinuz" "$dir/vmlinuz" && mv -f "$w/initrd.gz" "$dir/initrd.gz" &&
		echo "$stamp" >"$dir/stamp"
	local rc=$?
	rm -rf "$w"
	return $rc
}
