# SPDX-License-Identifier: GPL-2.0-or-later
# bench/ns-lib.sh - network namespaces and CPU accounting for the bench
# scripts; sourced, not run. The namespaces are named $ID-NS (the script
# sets ID, with its pid in it).
#
#   ns_add NS...       create the namespaces with their loopback up; exit 1
#                      if one cannot be made
#   ns_del NS...       SIGKILL what still runs in them (by pid), remove them
#   pids_end PID...    SIGTERM each (children of this shell), then wait for
#                      each to end
#   pids_ticks PID...  user+system clock ticks these processes used so far
#   idle_ticks         idle+iowait ticks of the whole machine so far (all
#                      CPUs)

ns_add() {
	local h
	for h in "$@"; do
		ip netns add "$ID-$h" || exit 1
		ip -n "$ID-$h" link set lo up
	done
}

ns_del() {
	local h p
	for h in "$@"; do
		for p in $(ip netns pids "$ID-$h" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
		ip netns del "$ID-$h" 2>/dev/null
	done
}

pids_end() {
	local p
	for p in "$@"; do kill "$p" 2>/dev/null; done
	for p in "$@"; do wait "$p" 2>/dev/null; done
}

pids_ticks() {
	local p t=0 s
	for p in "$@"; do
		s=$(awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$p/stat" 2>/dev/null) || continue
		t=$((t + ${s:-0}))
	done
	echo "$t"
}

idle_ticks() { awk '/^cpu / {print $5 + $6}' /proc/stat; }
