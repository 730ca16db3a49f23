#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-wirefilter-accuracy.sh - the real wirefilter, spawned as in a dpipe chain,
# measured by tests/wf_probe (timestamped, numbered frames):
#   delay never early, one-way error median/p99; 20+5N jitter mean and spread;
#   live "delay" change effective on the next frame; loss within the 99.9 %
#   binomial interval; lostburst mean; dup; noise; mtu; capacity; FIFO vs
#   nofifo; bandwidth and speed throughput within 2 %.
# The delay error is wirefilter's own (showinfo Timing: delivery time minus
# the drawn time): median <= 0.1 ms always, p99 <= 0.5 ms with --rtprio (as
# root); without real-time priority a loaded 2-core box stalls processes for
# milliseconds, so p99 is only reported (WF_STRICT_TIMING=1 asserts it, and
# the end-to-end jitter mean/sd within 5 %). ./quickstart test runs this test
# alone after the parallel suite, strict on the normal build.
TEST_TIMEOUT=${TEST_TIMEOUT:-240}
. "$top_srcdir/tests/lib/env.sh"
WF=$(bin wirefilter)
PROBE=$(bin wf_probe)

# probe OUT probe-args... -- wirefilter-args...
probe() {
	local out=$1; shift
	"$PROBE" "$@" >"$TMP/$out" 2>>"$TMP/probe.log" || fail "probe $out failed: $(tail -3 "$TMP/probe.log")"
}
get() { sed -n "s/^$2=//p" "$TMP/$1"; }
# fcmp EXPR: floating point test with awk, e.g. fcmp "1.5 < 2"
fcmp() { awk "BEGIN { exit !($1) }"; }
report() { echo "REPORT $*"; }

# Real-time measurements run up to 3 times: a scheduling stall of the
# loaded CI box (tens of ms) can spoil one run; a real bug fails all three.
tries() {	# name check-function
	local i
	for i in 1 2 3; do
		"$2" && return 0
		echo "REPORT $1: attempt $i failed (machine load: $(cut -d' ' -f1 /proc/loadavg))"
	done
	fail "$1"
}

# wirefilter's own delivery error against the drawn value (showinfo Timing)
late() { sed -n "s/^Timing L->R late-median \([0-9]*\) us late-p99 \([0-9]*\) us.*/\\$2/p" "$TMP/$1"; }

# --- fixed delay: never early; error against the configured delay
check_delay() {
	probe d10 -n 2000 -i 1000 -e 10 -m "$TMP/m1" -I -- "$WF" -d 10 -M "$TMP/m1" --seed 1 $RT
	[ "$(get d10 recv)" = 2000 ] || fail "delay 10: recv $(get d10 recv)"
	fcmp "$(get d10 lat_min_us) >= 10000" || fail "delay 10: a frame came early ($(get d10 lat_min_us) us)"
	report "delay 10 ms${RT:+ ($RT)}: wirefilter error median $(late d10 1) us p99 $(late d10 2) us;" \
		"end to end (pipes included) median $(get d10 err_median_us) us p99 $(get d10 err_p99_us) us"
	[ -n "$(late d10 1)" ] || fail "no Timing line in showinfo"
	[ "$(late d10 1)" -le 100 ] || return 1
	if [ -n "$RT" ] || [ "${WF_STRICT_TIMING:-0}" = 1 ]; then
		[ "$(late d10 2)" -le 500 ] || return 1
	fi
}
RT=
tries "delay error" check_delay
# p99 <= 0.5 ms holds under CI load only with real-time priority
if [ "$(id -u)" = 0 ] && chrt -f 10 true 2>/dev/null; then
	RT="--rtprio 10"
	tries "delay error with --rtprio" check_delay
	RT=
fi

# --- 20+5N jitter (no FIFO, so frames are not held back by earlier ones).
# End-to-end median and IQR are robust to stalls; the pipes' own latency
# noise widens the IQR a little, hence 15 %. The exact distribution (mean
# and sd within 5 %) is asserted on the model in test_wf_model and here in
# strict mode.
check_jitter() {
	probe j -n 4000 -i 500 -e 20 -m "$TMP/m2" -I -- "$WF" -d 20+5N -N -M "$TMP/m2" --seed 2
	[ "$(get j recv)" = 4000 ] || fail "jitter: recv $(get j recv)"
	mean=$(get j lat_mean_us); sd=$(get j lat_sd_us); med=$(get j lat_median_us)
	iqr_sd=$(awk -v a="$(get j lat_p25_us)" -v b="$(get j lat_p75_us)" 'BEGIN { printf "%.1f", (b - a) / 1.349 }')
	report "delay 20+5N: mean ${mean} us sd ${sd} us median ${med} us IQR-sd ${iqr_sd} us" \
		"reorders $(get j reorders); wirefilter error median $(late j 1) us p99 $(late j 2) us"
	[ "$(get j reorders)" -gt 0 ] || fail "nofifo jitter did not reorder"
	[ "$(late j 1)" -le 100 ] || return 1
	fcmp "$med >= 19000 && $med <= 21000" || return 1
	fcmp "$iqr_sd >= 1417 && $iqr_sd <= 1917" || return 1
	if [ "${WF_STRICT_TIMING:-0}" = 1 ]; then
		fcmp "$mean >= 19000 && $mean <= 21000 && $sd >= 1583 && $sd <= 1750" || return 1
	fi
}
tries "20+5N jitter" check_jitter
probe jf -n 1000 -i 500 -- "$WF" -d 20+5U --seed 3
[ "$(get jf reorders)" = 0 ] || fail "FIFO jitter reordered $(get jf reorders) frames"

# --- live change: "delay 50" takes effect on the next frame sent
probe live -n 400 -i 2000 -m "$TMP/mgmt" -c "300:delay 50" -d "$TMP/live.lat" -- "$WF" -d 10 -M "$TMP/mgmt" --seed 4
bad=$(awk '$1 >= 300 && $2 < 50000' "$TMP/live.lat" | wc -l)
n=$(awk '$1 < 300' "$TMP/live.lat" | wc -l)
med=$(awk '$1 < 300 { print $2 }' "$TMP/live.lat" | sort -n | sed -n 150p)
report "live change: median before ${med} us, frames >= 300 below 50 ms: $bad"
[ "$bad" = 0 ] && [ "$n" = 300 ] && fcmp "$med < 20000" || fail "'delay 50' not effective on the next frame"

# --- loss: 99.9 % binomial interval
probe loss -n 50000 -w 300 -- "$WF" -l 10 --seed 5
recv=$(get loss recv)
awk -v r="$recv" 'BEGIN { n = 50000; p = 0.1; m = 1 - r / n; h = 3.2905 * sqrt(p * (1 - p) / n);
	printf "REPORT loss 10%%: measured %.4f, interval %.4f..%.4f\n", m, p - h, p + h;
	exit !(m >= p - h && m <= p + h) }' || fail "loss rate outside the 99.9 % interval"

# --- lostburst: mean burst within 10 %
probe burst -n 100000 -w 300 -d "$TMP/burst.lat" -- "$WF" -l 10 -L 5 --seed 6
awk 'BEGIN { last = -1 } { if ($1 > last + 1) { bursts++; lost += $1 - last - 1 } last = $1 }
	END { lost += 99999 - last; if (last < 99999) bursts++; m = lost / bursts;
	printf "REPORT lostburst 5: mean burst %.3f over %d bursts, loss %.4f\n", m, bursts, lost / 100000;
	exit !(m >= 4.5 && m <= 5.5) }' "$TMP/burst.lat" || fail "mean burst length not within 10 %"

# --- dup 20 %: extra copies per frame = p/(1-p) = 0.25
probe dup -n 40000 -w 300 -- "$WF" -D 20 --seed 7
d=$(get dup dups)
report "dup 20%: $d extra copies for 40000 frames"
fcmp "$d >= 9400 && $d <= 10600" || fail "dup: $d extra copies, expected ~10000"

# --- noise: q = len * noise / 2^20 = 0.3 -> 30 % of 1000-byte frames hit
probe noise -n 10000 -l 1000 -w 300 -- "$WF" -n 314.5728 --seed 8
c=$(get noise corrupted)
report "noise q=0.3: $c of 10000 frames corrupted"
fcmp "$c >= 2650 && $c <= 3150" || fail "noise: $c corrupted, expected ~2940-3000"

# --- mtu on the frame length
probe mtu1 -n 100 -l 1000 -w 200 -- "$WF" -m 1000
probe mtu2 -n 100 -l 1001 -w 200 -- "$WF" -m 1000
[ "$(get mtu1 recv)" = 100 ] && [ "$(get mtu2 recv)" = 0 ] ||
	fail "mtu 1000: $(get mtu1 recv)/100 of 1000 B, $(get mtu2 recv)/100 of 1001 B passed"

# --- capacity: a 10500-byte buffer in front of a slow line holds 10 frames
# of 1000 B (the 500 B spare leaves room for the probe's 60 B warm-up frames)
probe cap -n 200 -l 1000 -w 300 -- "$WF" -b 100000 -c 10500
r=$(get cap recv)
report "capacity 10500 B: $r of 200 back-to-back 1000 B frames"
[ "$r" -ge 10 ] && [ "$r" -le 15 ] || fail "capacity: $r frames passed, expected 10-15"

# --- throughput at the receiver, within 2 %: speed (back-pressure, no drop)
# and bandwidth (paced sender at twice the rate, capacity drops only)
rate_test() {	# kind rate len frames gap_us
	local kind=$1 rate=$2 len=$3 n=$4 gap=$5 opt tp base
	if [ "$kind" = speed ]; then opt="-s $rate"; else opt="-b $rate -c $((len * 20))"; fi
	probe "r$kind$rate" -n "$n" -l "$len" -i "$gap" -s 0.3 -w 500 -- "$WF" $opt --seed 9
	tp=$(get "r$kind$rate" tput_Bps)
	report "$kind $rate B/s: receiver $tp B/s, $(get "r$kind$rate" recv)/$n frames"
	if [ "$kind" = speed ]; then
		[ "$(get "r$kind$rate" recv)" = "$n" ] || fail "speed dropped frames"
	fi
	fcmp "$tp <= $rate * 1.02" || fail "$kind $rate: receiver $tp B/s, above the setting"
	fcmp "$tp >= $rate * 0.98" && return 0
	# too slow: is it wirefilter, or a box too loaded to carry this rate at all?
	probe "base$rate" -n "$n" -l "$len" -i "$gap" -s 0.3 -w 500 -- "$WF"
	base=$(get "base$rate" tput_Bps)
	if fcmp "$base < $rate * 1.5"; then
		report "$kind $rate B/s: lower bound not checked, the loaded machine carries only $base B/s unimpaired"
		return 0
	fi
	return 1
}
s8k() { rate_test speed 8000 100 300 0; }
s1m() { rate_test speed 125000 1000 300 0; }
s100m() { rate_test speed 12500000 1500 20000 0; }
s1g() { rate_test speed 125000000 1500 150000 0; }
b8k() { rate_test band 8000 100 300 6000; }
b1m() { rate_test band 125000 1000 300 4000; }
b100m() { rate_test band 12500000 1500 20000 60; }
for t in s8k s1m s100m s1g b8k b1m b100m; do tries "throughput $t" $t; done
pass "wirefilter accuracy"
