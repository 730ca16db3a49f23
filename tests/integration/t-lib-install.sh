#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-lib-install.sh - `make install DESTDIR=…` installs libvdeplug.h,
# libvdeplug.so.2 (soname libvdeplug.so.2) and vdeplug.pc; the library
# exports exactly the VDE names (the same set as Debian's libvdeplug.so.2)
# plus the additive batch calls vde_recv_batch/vde_send_batch and the
# virtio-net calls vde_open_flags/vde_recv_vnet/vde_send_vnet; a program
# built with `pkg-config vdeplug` against the installed copy compiles
# (struct vde_open_args layout asserted), links and runs, batches included;
# the systemd unit templates are installed with the real bindir in them,
# and systemd-analyze (when installed) parses them without a warning.
TEST_TIMEOUT=300
. "$top_srcdir/tests/lib/env.sh"
command -v pkg-config >/dev/null || fail "pkg-config is needed"
unset MAKEFLAGS MFLAGS MAKELEVEL
D=$TMP/inst
make -C "$top_builddir" install DESTDIR="$D" >"$TMP/install.log" 2>&1 ||
	fail "make install failed: $(tail -20 "$TMP/install.log")"
h=$(find "$D" -name libvdeplug.h)
so=$(find "$D" -name libvdeplug.so.2)
pc=$(find "$D" -name vdeplug.pc)
[ -n "$h" ] && [ -n "$so" ] && [ -n "$pc" ] || fail "missing: header '$h' lib '$so' pc '$pc'"
readelf -d "$so" | grep -q 'SONAME.*\[libvdeplug.so.2\]' || fail "soname is not libvdeplug.so.2"

ours=$(nm -D --defined-only "$so" | awk '{print $3}' | sort)
want=$(printf '%s\n' vde_close vde_ctlfd vde_datafd vde_open_real vde_recv vde_send \
	vdestream_close vdestream_open vdestream_recv vdestream_send | sort)
ext=$(printf '%s\n' vde_recv_batch vde_send_batch vde_open_flags vde_recv_vnet vde_send_vnet)
[ "$ours" = "$(printf '%s\n%s\n' "$want" "$ext" | sort)" ] || fail "exported symbols differ: $ours"
deb=/usr/lib/x86_64-linux-gnu/libvdeplug.so.2
if [ -e "$deb" ]; then
	debnames=$(nm -D --defined-only "$deb" | awk '$3 ~ /^vde/ {print $3}' | sort)
	[ "$debnames" = "$want" ] || fail "Debian's vde* names differ from ours: $debnames"
fi
units=$(find "$D" -name 'vde_switch@.service')
[ -n "$units" ] || fail "systemd unit templates not installed"
for u in vde_switch@ slirpvde@ vde_plug2tap@; do
	f=$(find "$D" -name "$u.service")
	[ -n "$f" ] || fail "$u.service not installed"
	grep -q '^Type=notify$' "$f" || fail "$u.service: not Type=notify"
	grep -q '@bindir@\|@sysconfdir@' "$f" && fail "$u.service: unsubstituted names"
	grep -Eq '^ExecStart=/' "$f" || fail "$u.service: ExecStart without an absolute path"
	# systemd's own parser finds nothing to ignore: an unquoted
	# Environment=VAR=-s PATH is two assignments, VAR=-s and an invalid one
	if command -v systemd-analyze >/dev/null; then
		mkdir -p "$TMP/units"
		cp "$f" "$TMP/units/"
		timeout 60 systemd-analyze verify --man=no "$TMP/units/${u}t$$.service" \
			>"$TMP/verify.out" 2>&1
		! grep -F "$TMP/units/$u.service:" "$TMP/verify.out" ||
			fail "$u.service: systemd ignores part of it"
	fi
done

libdir=$(dirname "$so")
# a sanitizer build's library needs the sanitizer runtimes in the program
san=
ldd "$so" | grep -q libasan && san="-fsanitize=address,undefined"
cat >"$TMP/t.c" <<'EOC'
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <libvdeplug.h>
_Static_assert(offsetof(struct vde_open_args, port) == 0, "port");
_Static_assert(offsetof(struct vde_open_args, group) == 8, "group");
_Static_assert(offsetof(struct vde_open_args, mode) == 16, "mode");
_Static_assert(sizeof(struct vde_open_args) == 24, "size");
_Static_assert(LIBVDEPLUG_INTERFACE_VERSION == 1, "version");
_Static_assert(VDE_ETHBUFSIZE == 9234, "ethbufsize");
int main(void)
{
	struct vde_open_args a = { 0, NULL, 0 };
	char f[60] = { 0 };
	VDECONN *c = vde_open("null://", "t", &a);

	if (!c || vde_send(c, f, sizeof(f), 0) != 60 || vde_ctlfd(c) != -1)
		return 1;
	if (vde_close(c))
		return 1;
	if (vde_open_real("null://", "t", 2, &a) || errno != EINVAL)
		return 1;
#ifndef VDE_HAVE_BATCH
	return 1;
#else
	{
		struct vde_msg m[2] = { { f, sizeof(f) }, { f, sizeof(f) } };

		c = vde_open("null://", "t", &a);
		if (!c || vde_send_batch(c, m, 2, 0) != 2 || vde_close(c))
			return 1;
	}
#endif
	puts("ok");
	return 0;
}
EOC
PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$D \
	cc -std=c11 -Wall -Werror $san "$TMP/t.c" -o "$TMP/t" \
	$(PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$D pkg-config --cflags --libs vdeplug) \
	>"$TMP/cc.log" 2>&1 || fail "build against the installed library failed: $(cat "$TMP/cc.log")"
[ "$(LD_LIBRARY_PATH=$libdir "$TMP/t")" = ok ] || fail "program using the installed library failed"
ldd_out=$(LD_LIBRARY_PATH=$libdir ldd "$TMP/t")
echo "$ldd_out" | grep -q "libvdeplug.so.2 => $libdir" || fail "not linked to our copy: $ldd_out"
pass "install"
