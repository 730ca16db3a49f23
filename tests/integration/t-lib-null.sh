#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-lib-null.sh - null:// (sends succeed, nothing is ever received, no ctl
# fd) and vde_open() errors: unknown module, bad VNLs (bare DIR[abc],
# ptp://relative, bad vxlan://), missing switch,
# missing ptp peer directory.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/lib-helpers.sh"

"$CLIENT" -n 50 -l 1514 -R "$TMP/ready" null:// || fail "null:// send failed"
read -r _ datafd ctlfd <"$TMP/ready"
[ "$datafd" -ge 0 ] && [ "$ctlfd" = -1 ] || fail "null://: datafd $datafd ctlfd $ctlfd"
rc=0
"$CLIENT" -r 1 -t 1 null:// 2>/dev/null || rc=$?
[ "$rc" = 2 ] || fail "null:// delivered something (exit $rc, want 2 = timeout)"

expect_err() {
	local want=$1 vnl=$2 out
	out=$("$CLIENT" -F "$vnl") || fail "$vnl: $out"
	[ "$out" = "open failed: $want" ] || fail "$vnl: '$out', want $want"
}
VDEPLUGIN_PATH=$TMP expect_err EPROTONOSUPPORT "nosuchmod://239.0.0.1"
expect_err EINVAL "$TMP/sw[port=abc]"
expect_err EINVAL "$TMP/sw[abc]"
expect_err EINVAL "ptp://relative"
expect_err EINVAL "vxlan://"
expect_err EINVAL "vxlan://10.0.0.1/vni=16777216"
expect_err EINVAL "udp://5000->127.0.0.1"
expect_err EINVAL "cmd://"
expect_err ENOENT "$TMP/no-such-switch"
expect_err ENOENT "vde://$TMP/no-such-switch[3]"
mkdir "$TMP/empty"
expect_err ENOENT "$TMP/empty"
pass "null and errors"
