#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-tap-stream.sh - vde_plug2tap -s - (stream on stdin/stdout) through
# dpipe: `dpipe vde_plug SW = ip netns exec NS vde_plug2tap -s - tap0`, and
# libvdeplug's built-in tap:// as `vde_plug tap://tap0 SW` in a second
# namespace: pings both ways, 8972-byte pings at MTU 9000, a 1 MiB TCP
# transfer compared; deleting either tap ends its plug with a message; a
# write error on -s -'s output named (stdout a file at ulimit -f).
# Then the start-up errors (no CAP_NET_ADMIN, no /dev/net/tun, not a tap,
# no switch, bad command lines) and --help against the man page.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/tap-lib.sh"
need_root
P2T=$(bin vde_plug2tap)
bin dpipe >/dev/null
bin vde_plug >/dev/null

mkns a b
start_sw sw
spawn a.log n a vde_plug -v "tap://tap0" "$TMP/sw"
PA=$LASTPID
spawn b.log dpipe vde_plug "$TMP/sw" = ip netns exec "$ID-b" "$P2T" -s - tap0
PB=$LASTPID
tap_up a tap0 10.78.0.1
tap_up b tap0 10.78.0.2
ping_both b 10.78.0.2 a 10.78.0.1
pass "ping both ways (tap:// and -s -)"

jumbo_pings a 10.78.0.1 b 10.78.0.2
pass "MTU 9000 through the stream"

xfer b a 10.78.0.1 5002 1048576
pass "1 MiB TCP transfer intact"

ipn b link del tap0 || fail "link del b"
wait_gone "$PB"
grep -q "vde_plug2tap: tap tap0: tap interface deleted" "$TMP/b.log" ||
	fail "no message from vde_plug2tap: $(cat "$TMP/b.log")"
pass "stream mode: tap deleted ends the pipe"
ipn a link del tap0 || fail "link del a"
wait_gone "$PA"
[ "$RC" = 0 ] || fail "vde_plug tap:// exited $RC after its tap was deleted"
pass "tap://: tap deleted ends vde_plug"

# -s - with its stdout a file at the size limit (ulimit -f 1: 1 KiB): the
# first 1442-byte frame from the tap is written in part, the rest waits as
# a backlog whose flush fails; the cause (EFBIG, of stdout) is said (the
# flush path said nothing), exit 1. stdin: a FIFO this script holds open.
mkfifo "$TMP/p2t.in"
exec 8<>"$TMP/p2t.in"
(ulimit -f 1 && exec ip netns exec "$ID-a" "$P2T" -s - tapf 8>&-) \
	<"$TMP/p2t.in" >"$TMP/p2t.out" 2>"$TMP/p2t.err" &
PF=$!
PIDS+=("$PF")
tap_up a tapf 10.79.0.1
ipn a neigh add 10.79.0.2 lladdr 02:00:00:00:79:02 dev tapf || fail "neighbour on tapf"
n a ping -c 3 -i 0.2 -W 1 -s 1400 10.79.0.2 >/dev/null 2>&1
wait_gone "$PF"
exec 8>&-
[ "$RC" = 1 ] || fail "vde_plug2tap -s - at the file size limit: exit $RC: $(cat "$TMP/p2t.err")"
grep -q "^vde_plug2tap: write to stdout: File too large$" "$TMP/p2t.err" ||
	fail "no cause for the failed write: $(cat "$TMP/p2t.err")"
pass "-s -: a failed write of the output backlog is named, exit 1"

# start-up errors: status 1 and a clear message
# expect_err WANT CMD...: CMD fails with status 1 and WANT in its output
expect_err() {
	local want=$1 out rc=0
	shift
	out=$("$@" </dev/null 2>&1) || rc=$?
	[ "$rc" = 1 ] || fail "'$*' exited $rc (want 1): $out"
	[[ "$out" == *"$want"* ]] || fail "'$*' said '$out', want '$want'"
}
expect_err "needs CAP_NET_ADMIN" \
	n a setpriv --bounding-set=-net_admin --inh-caps=-net_admin "$P2T" -s - tapx
expect_err "cannot open /dev/net/tun: No such file or directory" \
	n a unshare -m bash -c 'mount -t tmpfs tmpfs /dev/net && exec "$0" -s - tapx' "$P2T"
ipn a link add v0 type veth peer name v1 || fail "veth"
expect_err "cannot attach tap v0: Invalid argument" n a "$P2T" -s - v0
expect_err "cannot open $TMP/nosw: no switch there" n a "$P2T" -s "$TMP/nosw" tapx
ipn a link show tapx >/dev/null 2>&1 && fail "tapx left behind after a failed start"
expect_err "missing TAPNAME" "$P2T" -s -
expect_err "only one TAPNAME" "$P2T" -s - t1 t2
expect_err "an interface name has 1 to 15 characters" "$P2T" -s - abcdefghijklmnop
expect_err "-d cannot be used with -s -" "$P2T" -d -s - tapx
expect_err "not an octal mode" "$P2T" -m 9x tapx
pass "start-up errors"

"$P2T" --help >"$TMP/help" 2>"$TMP/help.err" || fail "--help failed"
[ -s "$TMP/help.err" ] && fail "--help wrote to stderr"
grep -q "^usage: vde_plug2tap" "$TMP/help" || fail "--help: no usage line"
for o in $(grep -o -- '--[a-z]*' "$TMP/help" | sort -u); do
	grep -q -- "\\\\-\\\\-${o#--}" "$top_srcdir/man/vde_plug2tap.1" || fail "$o not in the man page"
done
pass "--help and man page agree"
