# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/tap-lib.sh - helpers for the t-tap-*.sh tests (sourced
# after env.sh): a switch of ours, taps inside namespaces, addresses.

# start_sw NAME: vde_switch with control dir $TMP/NAME, no stdin console,
# ready when $TMP/NAME.pid is written; its pid in PSW
start_sw() {
	rm -f "$TMP/$1.pid"
	spawn "$1.log" vde_switch --nostdin -s "$TMP/$1" -p "$TMP/$1.pid"
	PSW=$LASTPID
	wait_for test -s "$TMP/$1.pid" || fail "switch $1 did not start"
	wait_for sock_ready "$TMP/$1/ctl" || fail "switch $1: no ctl socket"
	fastpath_check "$TMP/$1"
}

# tap_up NS IF ADDR: wait for IF in NS, give it ADDR/24, bring it up
tap_up() {
	WAIT_SECS=10 wait_for ipn "$1" link show "$2" || fail "$2 did not appear in $1"
	ipn "$1" addr add "$3/24" dev "$2" || fail "address on $1/$2"
	ipn "$1" link set "$2" up || fail "$1/$2 up"
}

# reach NS ADDR: ADDR answers a ping from NS (20 s deadline: a loaded box)
reach() {
	WAIT_SECS=20 wait_for n "$1" ping -c 1 -W 1 "$2"
}

# ping_both NS1 ADDR1 NS2 ADDR2: NS1 is at ADDR1, NS2 at ADDR2; each reaches
# the other, then 3 pings NS1 -> ADDR2 are all answered
ping_both() {
	reach "$1" "$4" || fail "no ping $1 -> $3"
	reach "$3" "$2" || fail "no ping $3 -> $1"
	n "$1" ping -c 3 -i 0.2 -W 5 "$4" >"$TMP/ping.out" || fail "pings $1 -> $3 lost: $(cat "$TMP/ping.out")"
}

# jumbo_pings NS1 ADDR1 NS2 ADDR2: MTU 9000 on tap0 in both; an 8972-byte
# don't-fragment ping (a 9014-byte frame) NS1 -> ADDR2 within 20 s, then 2
# such pings NS2 -> ADDR1, none lost
jumbo_pings() {
	ipn "$1" link set tap0 mtu 9000 || fail "mtu $1"
	ipn "$3" link set tap0 mtu 9000 || fail "mtu $3"
	WAIT_SECS=20 wait_for n "$1" ping -c 1 -W 1 -M do -s 8972 "$4" || fail "no 8972-byte ping $1 -> $3"
	n "$3" ping -c 2 -i 0.2 -W 5 -M do -s 8972 "$2" >"$TMP/jumbo.out" ||
		fail "8972-byte pings $3 -> $1 lost: $(cat "$TMP/jumbo.out")"
}

# wait_gone PID: PID has exited (20 s deadline); sets RC to its status
wait_gone() {
	WAIT_SECS=20 wait_for eval "! kill -0 $1 2>/dev/null" || fail "pid $1 did not exit"
	RC=0
	wait "$1" || RC=$?
}

# xfer FROM TO ADDR PORT SIZE: SIZE bytes over TCP, compared
xfer() {
	local from=$1 to=$2 addr=$3 port=$4 size=$5 prx l c
	l=TCP-LISTEN c="TCP:$addr:$port"
	case $addr in *:*) l=TCP6-LISTEN c="TCP6:[$addr]:$port" ;; esac
	head -c "$size" /dev/urandom >"$TMP/data"
	rm -f "$TMP/recv"
	spawn "rx$port.log" n "$to" socat -u "$l:$port,reuseaddr" OPEN:"$TMP/recv",creat,trunc
	prx=$LASTPID
	WAIT_SECS=10 wait_for eval "n $to ss -ltn | grep -q ':$port '" || fail "socat did not listen"
	n "$from" timeout 60 socat -u OPEN:"$TMP/data" "$c" || fail "TCP send $from -> $to failed"
	wait_gone "$prx"
	[ "$RC" = 0 ] || fail "socat receiver in $to exited $RC"
	cmp "$TMP/data" "$TMP/recv" || fail "TCP payload $from -> $to differs"
}
