# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# tests/integration/vhost-lib.sh - shared by the vhost-user tests (sourced
# after env.sh)
#
#   tso_segments_ok FILE    FILE (hex frames, one a line) holds the 20
#                           segments a correct cut of tests/vhost_front -T
#                           -l 20054 -S 9 gives: lengths, IP and TCP
#                           checksums, sequence numbers, PSH on the last,
#                           the payload byte for byte
#   front_rx NAME SOCK ARG...
#                           tests/vhost_front ($FRONT) with ARGs on SOCK in
#                           the background, what it receives in
#                           $TMP/NAME.out, its log in $TMP/NAME.log; returns
#                           once it is ready (-R $TMP/NAME.ready); its pid
#                           in FRONTPID
#   tso_cut SOCK            the front end on SOCK sends the TSO super-frame
#                           (-T -l 20054 -S 9); a datagram client on $TMP/sw
#                           (lib-helpers.sh) gets it as the 20 right
#                           segments in $TMP/tso.out (tso_segments_ok)
#   VHOST_WHY[case]         the reason lib/vhost logs for each malformed
#                           case of tests/vhost_front -E
#   vhost_httpsrv           a Python HTTP server: ADDR LOGFILE; /blob is
#                           1 MiB, anything else "ok"; each GET is logged
#                           as "PATH LENGTH" once sent
#   need_qemu [ROM...]      tests/lib/qemu.sh
#   vhost_qemu LOG SOCK MAC [ARG...]
#                           spawn QEMU (TCG, 256 MiB of memfd guest memory
#                           shared with the back end) with a virtio-net
#                           device on vhost-user socket SOCK (reconnect=1,
#                           MSI-X off as QEMU 7.2 under TCG needs) and
#                           ARGs; its pid in LASTPID
#   ipxe_script FILE URL... an iPXE script: fetch each URL, then
#                           http://10.0.2.2:8080/fetched, then poll /tick
#                           there once a second (/failed on an error)
#   ticks, more_ticks N     the /tick requests in $TMP/http.log (> N)
. "$top_srcdir/tests/lib/qemu.sh"

tso_segments_ok() {
	python3 - "$1" <<'EOS'
import sys
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(int.from_bytes(b[i:i+2], "big") for i in range(0, len(b), 2))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return s
frames = [bytes.fromhex(l.strip()) for l in open(sys.argv[1])]
assert len(frames) == 20, len(frames)
pay = b""
for i, f in enumerate(frames):
    assert len(f) == 1054, len(f)
    ip, tcp = f[14:34], f[34:54]
    assert csum(ip) == 0xffff, "ip checksum"
    assert int.from_bytes(ip[2:4], "big") == 1040
    assert int.from_bytes(tcp[4:8], "big") == 1 + 1000 * i, "seq"
    ph = ip[12:20] + b"\0\6" + (1020).to_bytes(2, "big")
    assert csum(ph + f[34:]) == 0xffff, "tcp checksum"
    assert (tcp[13] & 8) == (8 if i == 19 else 0), "PSH on the last only"
    pay += f[54:]
assert pay == bytes((j * 13 + 9) & 255 for j in range(20000)), "payload"
EOS
}

front_rx() {
	local name=$1 sock=$2
	shift 2
	rm -f "$TMP/$name.ready"
	"$FRONT" "$@" -R "$TMP/$name.ready" "$sock" >"$TMP/$name.out" 2>"$TMP/$name.log" &
	FRONTPID=$!
	PIDS+=("$FRONTPID")
	wait_for test -e "$TMP/$name.ready" || fail "front end $name not ready: $(cat "$TMP/$name.log")"
}

tso_cut() {
	client tso -r 20 -t 20 "$TMP/sw"
	"$FRONT" -T -l 20054 -S 9 -t 20 "$1" || fail "front end TSO"
	finish tso
	tso_segments_ok "$TMP/tso.out" || fail "TSO segments wrong"
}

# shellcheck disable=SC2034  # used by the tests that source this file
declare -A VHOST_WHY=(
	[addr]="guest transmit queue: descriptor address outside guest memory"
	[len]="guest transmit queue: descriptor chain longer than a frame"
	[straddle]="guest transmit queue: descriptor address outside guest memory"
	[loop]="guest transmit queue: descriptor chain too long or looping"
	[long]="guest transmit queue: descriptor chain too long or looping"
	[head]="guest transmit queue: descriptor head out of range"
	[ahead]="guest transmit queue: avail index too far ahead"
	[indirect]="guest transmit queue: indirect descriptor (not negotiated)"
	[write]="guest transmit queue: writable descriptor in a transmit chain"
	[ringaddr]="ring outside guest memory"
	[memtable]="bad SET_MEM_TABLE region count or fds"
	[bigregion]="memory region larger than its file"
	[version]="bad protocol version"
	[shrink]="guest memory: its file shrank while mapped"
)

vhost_httpsrv() {
	cat >"$TMP/httpsrv.py" <<'EOS'
import http.server, sys
BLOB = bytes((i * 7 + (i >> 8)) & 255 for i in range(1 << 20))
log = open(sys.argv[2], "a", buffering=1)
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = BLOB if self.path == "/blob" else b"ok\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        log.write("%s %d\n" % (self.path, len(body)))
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer((sys.argv[1], 8080), H).serve_forever()
EOS
	echo "$TMP/httpsrv.py"
}

vhost_qemu() {
	local log=$1 sock=$2 mac=$3
	shift 3
	spawn "$log" "$QEMU" -M pc,memory-backend=mem -accel tcg -m 256 \
		-object memory-backend-memfd,id=mem,size=256M,share=on -nodefaults -display none \
		-no-reboot -chardev socket,id=c0,path="$sock",reconnect=1 \
		-netdev vhost-user,id=n0,chardev=c0 \
		-device virtio-net-pci,netdev=n0,vectors=0,mac="$mac" "$@"
}

ipxe_script() {
	local f=$1 u
	shift
	{
		echo '#!ipxe'
		for u in "$@" http://10.0.2.2:8080/fetched; do
			printf 'imgfetch %s || goto failed\nimgfree\n' "$u"
		done
		cat <<'EOS'
:tick
imgfetch http://10.0.2.2:8080/tick && imgfree ||
sleep 1
goto tick
:failed
imgfetch http://10.0.2.2:8080/failed
EOS
	} >"$f"
}

ticks() { grep -c '^/tick ' "$TMP/http.log" 2>/dev/null || echo 0; }
more_ticks() { [ "$(ticks)" -gt "$1" ]; }
