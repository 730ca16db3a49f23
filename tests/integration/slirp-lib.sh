# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/slirp-lib.sh - helpers for the t-slirp-*.sh tests
# (sourced after env.sh and tap-lib.sh).
#
# Topology: our switch in the root namespace ($TMP/sw); slirpvde in the
# namespace "host" (its loopback is "the host": the test's TCP/UDP/DNS
# servers listen there), in a private mount namespace where
# /etc/resolv.conf says "nameserver 127.0.0.1", so DNS queries to
# 10.0.2.3 reach the test's DNS server; guests in their own namespaces
# with vde_plug2tap on the switch.
HELPER="python3 $top_srcdir/tests/integration/slirp-helper.py"
# generous deadlines on a loaded machine: wait_for polls, so it costs
# nothing when things work
: "${WAIT_SECS:=20}"

# slirp_start LOG ARGS...: slirpvde in ns host, ready when its pidfile exists;
# its pid in PSLIRP, the pid of the shell that waits for it in PSLIRP_SH
slirp_start() {
	local log=$1
	shift
	echo "nameserver 127.0.0.1" >"$TMP/resolv.conf"
	rm -f "$TMP/$log.pid"
	spawn "$log" n host unshare -m sh -c \
		'mount --bind "$0" /etc/resolv.conf && exec "$@"' "$TMP/resolv.conf" \
		"$(bin slirpvde)" -p "$TMP/$log.pid" "$@"
	PSLIRP_SH=$LASTPID
	WAIT_SECS=20 wait_for test -s "$TMP/$log.pid" || fail "slirpvde did not start: $(cat "$TMP/$log")"
	PSLIRP=$(cat "$TMP/$log.pid")
}

# guest NS: vde_plug2tap tap0 in NS on the switch, tap up without DAD
guest() {
	spawn "$1-plug.log" n "$1" vde_plug2tap -s "$TMP/sw" tap0
	WAIT_SECS=20 wait_for ipn "$1" link show tap0 || fail "tap0 did not appear in $1"
	n "$1" sysctl -qw net.ipv6.conf.tap0.accept_dad=0
	ipn "$1" link set tap0 up || fail "$1 tap0 up"
}

# dhcp NS: busybox udhcpc on tap0; the lease's variables end up in $TMP/NS.lease
dhcp() {
	cat >"$TMP/udhcpc.sh" <<'EOS'
#!/bin/sh
[ "$1" = bound ] || exit 0
ip addr add "$ip/$mask" dev "$interface"
ip route add default via "$router" dev "$interface"
printf 'ip=%s\nmask=%s\nrouter=%s\ndns=%s\nlease=%s\n' "$ip" "$mask" "$router" "$dns" "$lease" >"$LEASEFILE"
EOS
	chmod +x "$TMP/udhcpc.sh"
	n "$1" env LEASEFILE="$TMP/$1.lease" busybox udhcpc -i tap0 -f -q -n -t 10 -T 1 \
		-s "$TMP/udhcpc.sh" >"$TMP/$1-udhcpc.log" 2>&1 || fail "udhcpc in $1: $(cat "$TMP/$1-udhcpc.log")"
	[ -s "$TMP/$1.lease" ] || fail "udhcpc in $1: no lease"
}

# mgmt CMD: one console command on slirpvde's -M socket, output on stdout
mgmt() {
	printf '%s\nlogout\n' "$1" | socat -t 5 - "UNIX-CONNECT:$TMP/mgmt"
}

# listening NS PROTO PORT: something listens on PORT in NS
listening() {
	n "$1" ss -ln"$2" | grep -q ":$3 "
}

# nt NS CMD...: n with a 30 s limit
nt() { local ns=$1; shift; timeout 30 ip netns exec "$ID-$ns" "$@"; }

# fwd_into NS PORT DEST TAG WHAT: a TCP server in NS on PORT keeps what it
# gets in $TMP/TAG.rx; $TMP/data sent from the namespace host to DEST
# (ADDR:PORT, forwarded to it) must arrive whole; WHAT names the case in
# the failure messages
fwd_into() {
	local ns=$1 port=$2 dest=$3 tag=$4 what=$5 pid
	spawn "$tag.log" n "$ns" socat -u TCP-LISTEN:"$port",reuseaddr OPEN:"$TMP/$tag.rx",creat,trunc
	pid=$LASTPID
	wait_for listening "$ns" t "$port" || fail "$what: no server listening in $ns"
	nt host socat -u OPEN:"$TMP/data" TCP:"$dest" || fail "$what: connection"
	wait_gone "$pid"
	cmp "$TMP/data" "$TMP/$tag.rx" || fail "$what: data differs"
}
