#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-examples.sh - every example of README.md, docs/architecture.md and the
# man pages' EXAMPLES runs as written, with the binaries of this build.
#
# The examples are read from the files themselves (examples.py explains what
# counts as an example and the markers that say which lines cannot run here:
# another host, ssh, a QEMU guest...; those are listed in the output as
# NOTRUN with the reason, never dropped silently). Each file's examples run
# in one session, as a reader would type them one after the other: in a
# network namespace made here, a private mount namespace with an empty /tmp
# and /run (so /tmp/sw1 of an example is not the machine's /tmp/sw1) and a
# private pid namespace (when the session ends, every daemon it started ends
# with it). Each command has a time bound (examples.py, EXAMPLE_BOUND).
#
# KNOWN below lists examples that fail today because of the program, with
# the reason: they still run; a failure is reported as XFAIL, and a pass as
# XPASS, which fails the test so that the entry is removed.
#
# Usage: t-examples.sh [FILE...]   (default: README.md, docs/architecture.md
# and man/*)
TEST_TIMEOUT=${TEST_TIMEOUT:-900}
. "$top_srcdir/tests/lib/env.sh"
need_root
command -v unshare >/dev/null || skip "needs unshare (util-linux)"
command -v python3 >/dev/null || skip "needs python3"

# FILE|TEXT IN THE LINE|REASON (one per line)
KNOWN=""

ex=$top_srcdir/tests/integration/examples.py
if [ $# -gt 0 ]; then
	files=("$@")
else
	files=("$top_srcdir/README.md")
	files+=("$top_srcdir/docs/architecture.md")
	for f in "$top_srcdir"/man/*.[1-8]; do files+=("$f"); done
fi

# The binaries must be ours: make check puts the build first in PATH.
for tool in vde_switch vde_plug dpipe vdecmd wirefilter vde_cryptcab vde_plug2tap slirpvde; do
	case $(command -v "$tool") in
	"$top_builddir"/*) ;;
	*) fail "$tool is not this build's (PATH=$PATH)" ;;
	esac
done

# What a reader's system is assumed to have: a user alice and a group vde
# (vde_switch(1)), libvdeplug installed for the C example (libvdeplug(3)).
fix=$TMP/fixtures
mkdir -p "$fix/pkgconfig"
cp /etc/passwd /etc/group "$fix/"
grep -q '^alice:' "$fix/passwd" || echo 'alice:x:4242:4242:example user:/nonexistent:/usr/sbin/nologin' >>"$fix/passwd"
grep -q '^alice:' "$fix/group" || echo 'alice:x:4242:' >>"$fix/group"
grep -q '^vde:' "$fix/group" || echo 'vde:x:4243:alice' >>"$fix/group"
# a sanitizer build's library needs its runtime in the program too
san=
nm -D --undefined-only "$top_builddir/lib/.libs/libvdeplug.so" 2>/dev/null | grep -q __asan_ &&
	san=-fsanitize=address,undefined
cat >"$fix/pkgconfig/vdeplug.pc" <<EOF
Name: vdeplug
Description: libvdeplug of this build
Version: 0
Cflags: -I$top_srcdir/lib
Libs: -L$top_builddir/lib/.libs -lvdeplug $san
EOF

mkns ex
# no frames from the kernel itself (IPv6 router solicitations on the taps):
# cables that examples leave in parallel between two switches stay quiet
n ex sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1

rc=0
summary=()
for f in "${files[@]}"; do
	name=$(basename "$f")
	echo "==== $name"
	log=$TMP/$name.log
	EXAMPLES_KNOWN=$KNOWN EXAMPLES_FIXTURES=$fix \
	LD_LIBRARY_PATH=$top_builddir/lib/.libs \
		ip netns exec "$ID-ex" unshare -m -p -f --mount-proc --propagation private \
		python3 "$ex" run "$f" >"$log" 2>&1 &
	pid=$!
	PIDS+=("$pid")
	wait "$pid"
	st=$?
	cat "$log"
	summary+=("$(grep '^summary' "$log" || echo "summary $name: did not finish (exit $st)")")
	[ "$st" -eq 0 ] || rc=1
done
echo "===="
printf '%s\n' "${summary[@]}"
echo "not run (marked in the files):"
cat "$TMP"/*.log | grep '^NOTRUN' | sed 's/^NOTRUN /  /'
[ $rc -eq 0 ] || fail "some examples fail (FAIL or XPASS lines above)"
# with VDEPLUG_FASTPATH=0, examples.py looked for .fastpath in every switch
# directory the examples left running (make check-nofastpath)
if [ "${VDEPLUG_FASTPATH-}" = 0 ]; then
	n=$(cat "$TMP"/*.log | sed -n 's/^fastpath-off: \([0-9]*\) switch.*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
	FASTPATH_CHECKED=$((FASTPATH_CHECKED + n))
	pass "VDEPLUG_FASTPATH=0: $n switch directories of the examples, none with .fastpath"
fi
pass "every runnable example of ${#files[@]} files runs"
