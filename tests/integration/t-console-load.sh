#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-console-load.sh - `load FILE` on a management socket opened to others
# (--mgmtmode 0666) of a root daemon opens the file with the client's
# rights, never blocks, and bounds what it reads. A user created for the
# test (removed at exit) tries each known attack:
#  - a 0600 root file: 1013, nothing of it shows;
#  - a 0644 file inside a 0700 root directory (the file's own mode bits
#    would allow it): 1013;
#  - the daemon's /proc/PID/maps: refused, no mapping leaks;
#  - a symlink swapped between a readable file and a 0600 root file while
#    load runs again and again for 4 s: the root file never shows;
#  - a FIFO: refused at once, the daemon keeps answering;
#  - a 1 GiB file without a newline: refused (1027), the daemon's peak
#    memory stays small.
# A world-readable file runs for the user; root (the daemon's own user)
# still loads its private file. The switch gets every attack; wirefilter
# and slirpvde (the same console server) the directory, maps and FIFO ones.
. "$top_srcdir/tests/lib/env.sh"
need_root
command -v setpriv >/dev/null || fail "setpriv is needed"
command -v useradd >/dev/null || skip "needs useradd"
PY=/usr/bin/python3
CC="$PY $top_srcdir/tests/integration/console-client.py"
U=vdetu$$
useradd -M -s /usr/sbin/nologin "$U" || fail "useradd $U"
trap 'rc=$?; userdel -f "$U" >/dev/null 2>&1; (exit $rc); _cleanup' EXIT
chmod 755 "$TMP"
as_user() { setpriv --reuid="$U" --regid="$(id -g "$U")" --init-groups "$@"; }

printf 'port/create 3\nsecret-line-of-a-private-file\n' >"$TMP/private.rc"
chmod 600 "$TMP/private.rc"
printf 'port/create 4\n' >"$TMP/public.rc"
chmod 644 "$TMP/public.rc"
mkdir -m 700 "$TMP/rootdir"
printf 'hidden-line-in-a-closed-dir\n' >"$TMP/rootdir/open.rc"
chmod 644 "$TMP/rootdir/open.rc"
mkdir "$TMP/udir"
chown "$U" "$TMP/udir"
as_user mkfifo -m 666 "$TMP/udir/fifo" || fail "mkfifo as $U"
as_user truncate -s 1G "$TMP/udir/big" || fail "sparse 1 GiB file as $U"

spawn sw.log vde_switch --nostdin -s "$TMP/sw" -M "$TMP/mgmt" --mgmtmode 0666
SWPID=$LASTPID
wait_for sock_ready "$TMP/mgmt" || fail "switch did not start"

as_console() {	# SOCK CMD...: raw responses, one JSON string per line
	local sock=$1; shift
	as_user timeout 30 $CC send "$sock" "$@"
}

out=$(as_console "$TMP/mgmt" "load $TMP/private.rc\n")
grep -q '1013 Permission denied' <<<"$out" || fail "load of a 0600 file not refused: $out"
grep -q secret-line <<<"$out" && fail "the private file leaked: $out"
has_port() { vdecmd "$TMP/mgmt" port/allprint | grep -q "^Port 000$1 "; }
has_port 3 && fail "the refused file was run anyway"

out=$(as_console "$TMP/mgmt" "load $TMP/public.rc\n")
grep -q "vde\[$TMP/public.rc\]: port/create 4\\\\n" <<<"$out" || fail "load of a 0644 file: $out"
has_port 4 || fail "the public file did not run"
pass "0600 file refused, 0644 file runs"

check_dir_maps_fifo() {	# SOCK PID NAME
	local sock=$1 pid=$2 name=$3 t0
	out=$(as_console "$sock" "load $TMP/rootdir/open.rc\n")
	grep -q '1013 Permission denied' <<<"$out" || fail "$name: 0644 file in a 0700 dir: $out"
	grep -q hidden-line <<<"$out" && fail "$name: file in a 0700 dir leaked: $out"
	out=$(as_console "$sock" "load /proc/$pid/maps\n" "load /proc/self/maps\n")
	grep -Eq '10(13|22) ' <<<"$out" || fail "$name: /proc maps not refused: $out"
	grep -Eq 'r-xp|rw-p|\[heap\]' <<<"$out" && fail "$name: /proc maps leaked: $out"
	t0=$(date +%s)
	out=$(as_console "$sock" "load $TMP/udir/fifo\n" "-j help load\n")
	grep -q '1022 Invalid argument' <<<"$out" || fail "$name: load of a FIFO: $out"
	[ $(( $(date +%s) - t0 )) -lt 5 ] || fail "$name: load of a FIFO took $(( $(date +%s) - t0 )) s"
	grep -q 'load a configuration script' <<<"$out" || fail "$name: no answer after the FIFO: $out"
	vdecmd -t 5 "$sock" help >/dev/null || fail "$name: the daemon hangs after the FIFO"
	pass "$name: closed directory, /proc maps and FIFO refused"
}
check_dir_maps_fifo "$TMP/mgmt" "$SWPID" vde_switch

# symlink swap race: 4 s of loads while the link flips
as_user ln -s "$TMP/public.rc" "$TMP/udir/link"
setpriv --reuid="$U" --regid="$(id -g "$U")" --init-groups bash -c 'end=$((SECONDS + 5)); while [ $SECONDS -lt $end ]; do
	ln -sfn "$1" "$3.tmp" && mv -T "$3.tmp" "$3"; ln -sfn "$2" "$3.tmp" && mv -T "$3.tmp" "$3"
done' _ "$TMP/public.rc" "$TMP/private.rc" "$TMP/udir/link" &
SWAPPER=$!
PIDS+=("$SWAPPER")
cmds=()
for i in $(seq 1 400); do cmds+=("load $TMP/udir/link\n"); done
out=$(as_user timeout 60 $PY - "$TMP/mgmt" "$TMP/udir/link" <<'PY'
import socket, sys, time, json
s = socket.socket(socket.AF_UNIX); s.settimeout(5); s.connect(sys.argv[1])
def prompt():
    b = b""
    while not b.endswith(b"$ "):
        d = s.recv(65536)
        if not d:
            break
        b += d
    return b
prompt()
end, n, out = time.time() + 4, 0, b""
while time.time() < end:
    s.sendall(b"load " + sys.argv[2].encode() + b"\n")
    out += prompt()
    n += 1
print(n, out.count(b"1013 "), out.count(b"port/create 4"))
print(json.dumps(out.decode("latin-1")))
PY
)
wait "$SWAPPER" 2>/dev/null
read -r tries denied ran <<<"$(head -1 <<<"$out")"
grep -q secret-line <<<"$out" && fail "the 0600 file leaked through the symlink swap ($tries loads)"
[ "${tries:-0}" -gt 10 ] || fail "symlink race: only ${tries:-0} loads"
pass "symlink swap: $tries loads in 4 s ($denied refused, $ran ran the public file), nothing leaked"

# 1 GiB without a newline: refused before reading, memory stays small
out=$(as_console "$TMP/mgmt" "load $TMP/udir/big\n")
grep -q '1027 File too large' <<<"$out" || fail "load of a 1 GiB file: $out"
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$SWPID/status")
[ "$hwm" -lt 65536 ] || fail "the switch's peak memory is $hwm kB after loading a 1 GiB file"
pass "1 GiB file refused (peak memory $hwm kB)"

out=$(vdecmd "$TMP/mgmt" load "$TMP/private.rc" 2>&1)
grep -q secret-line <<<"$out" || fail "root's own load of its file: $out"
has_port 3 || fail "root's load did not run"
pass "root still loads its own private file"

# the other consoles share the server: the same refusals
mkfifo "$TMP/wfin" "$TMP/slin"
exec 7<>"$TMP/wfin" 8<>"$TMP/slin"
spawn wf.log bash -c 'exec "$@" <&7' _ "$(bin wirefilter)" -M "$TMP/wm" --mgmtmode 0666
WFPID=$LASTPID
spawn sl.log bash -c 'exec "$@" <&8' _ "$(bin slirpvde)" -s - -M "$TMP/sm" --mgmtmode 0666
SLPID=$LASTPID
wait_for sock_ready "$TMP/wm" && wait_for sock_ready "$TMP/sm" || fail "wirefilter/slirpvde consoles"
check_dir_maps_fifo "$TMP/wm" "$WFPID" wirefilter
check_dir_maps_fifo "$TMP/sm" "$SLPID" slirpvde
