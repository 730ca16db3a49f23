// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/vdeswitch_probe.c - raw VDE switch protocol client for the tests
 *
 * Reads a script on stdin, one command per line, and exits 1 at the first
 * failed expectation (message on stderr), 0 otherwise. Speaks the wire
 * protocol itself (not through libvdeplug) so tests can send exactly the
 * bytes they want, malformed ones included.
 *
 *   open NAME PORT [v1] [port0] [descr=S] [owner=UID] [refused]
 *                          request a port (0 = any); "refused" expects the
 *                          switch to close the ctl stream without a reply;
 *                          owner=UID (as root): the data socket is chowned
 *                          to UID and the ctl stream connected with euid
 *                          UID, so the switch sees that user (SO_PEERCRED)
 *   raw HEX                send HEX as a request, expect close, no reply
 *   req [magic=X] [ver=X] [type=X] [family=X] [path=S] [descr=S] [len=N]
 *       [split=N] [v1]     build a request field by field (defaults: a valid
 *                          v3 request for a fresh socket), send it (len:
 *                          truncate; split: in two writes), expect close
 *   rawsplit N HEX         send the first N bytes, pause, the rest; expect close
 *   silent                 connect to ctl, send nothing, keep it open
 *   silentclosed MS        connect, send nothing, expect the switch to close
 *                          the connection within MS ms
 *   send NAME DST SRC LEN [SEQ]   frame: DST SRC 88b5 payload (SEQ+i)&255
 *   sendhex NAME HEX       send HEX as one datagram
 *   sendempty NAME         send a zero-length datagram
 *   burst NAME DST SRC LEN COUNT  send COUNT frames back to back (blocking)
 *   expect NAME SRC LEN [SEQ]     next frame on NAME within 5 s must match
 *   expecthex NAME HEX     next frame must be exactly HEX
 *   none NAME MS           no frame on NAME for MS milliseconds
 *   recvcount NAME COUNT MS       receive until COUNT frames or MS idle;
 *                          prints "NAME received N", fails if N < COUNT
 *   recvslow NAME COUNT EVERY US  like recvcount (5 s idle limit) but
 *                          pausing US microseconds every EVERY frames
 *   recvall NAME MS        receive until MS idle, print "NAME received N"
 *   close NAME             close both sockets of NAME
 *   port NAME P            assert NAME got port P
 *   touch FILE / wait FILE create a file / wait (10 s) until it exists
 *   sleep MS
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAXEP 32
#define BUFSZ 16384

struct ep {
	char name[32];
	int ctl, data;
	unsigned port;
	char path[108];
};

static struct ep eps[MAXEP];
static const char *sw_dir;
static int lineno, seqn;
static uint8_t buf[BUFSZ];

__attribute__((noreturn, format(printf, 1, 2)))
static void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vdeswitch_probe: line %d: ", lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static struct ep *ep_get(const char *name, int create)
{
	int i;

	for (i = 0; i < MAXEP; i++)
		if (eps[i].name[0] && !strcmp(eps[i].name, name))
			return &eps[i];
	if (!create)
		fail("no endpoint %s", name);
	for (i = 0; i < MAXEP; i++)
		if (!eps[i].name[0]) {
			snprintf(eps[i].name, sizeof(eps[i].name), "%s", name);
			eps[i].ctl = eps[i].data = -1;
			return &eps[i];
		}
	fail("too many endpoints");
}

static size_t hex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;
	unsigned v;

	while (*s && n < max) {
		if (*s == ':' || *s == '.' || *s == '-') {
			s++;
			continue;
		}
		if (sscanf(s, "%2x", &v) != 1)
			fail("bad hex %s", s);
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

static void mac(const char *s, uint8_t *out)
{
	if (hex(s, out, 6) != 6)
		fail("bad MAC %s", s);
}

/* Connect to DIR/ctl as user @as (-1: as we are). The kernel records the
 * effective uid at connect() for SO_PEERCRED; CAP_DAC_OVERRIDE is kept in
 * the effective set meanwhile so that a 0600 DIR/ctl is still reachable. */
static int ctl_connect_as(long as)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	int fd = socket(AF_UNIX, SOCK_STREAM, 0), r, e;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/ctl", sw_dir);
	if (as > 0) {
		if (seteuid((uid_t)as) < 0)
			fail("seteuid %ld: %s", as, strerror(errno));
		memset(d, 0, sizeof(d));
		if (syscall(SYS_capget, &h, d) < 0)
			fail("capget: %s", strerror(errno));
		d[0].effective |= 1U << CAP_DAC_OVERRIDE;
		if (syscall(SYS_capset, &h, d) < 0)
			fail("capset: %s", strerror(errno));
	}
	r = fd < 0 ? -1 : connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	e = errno;
	if (as > 0 && seteuid(0) < 0)
		fail("seteuid 0: %s", strerror(errno));
	if (r < 0)
		fail("connect %s: %s", sun.sun_path, strerror(e));
	return fd;
}

static int ctl_connect(void)
{
	return ctl_connect_as(-1);
}

/* Wait for the ctl reply: returns its length, 0 on EOF, fails on timeout. */
static ssize_t ctl_reply(int fd, uint8_t *r, size_t len)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, 3000) != 1)
		fail("no reply and no close within 3 s (switch hangs the client)");
	n = read(fd, r, len);
	if (n < 0)
		n = 0;
	return n;
}

static void expect_closed(int fd)
{
	uint8_t r[256];
	ssize_t n = ctl_reply(fd, r, sizeof(r));

	if (n != 0)
		fail("expected the switch to close ctl, got %zd reply bytes", n);
	close(fd);
}

/* A control request in @req (@size bytes): @magic, then a v1 layout (type,
 * 6 bytes of padding, @sun) or a v3 one (@ver, type, @sun), then @descr
 * without its NUL; returns its length */
static size_t mk_request(uint8_t *req, size_t size, uint32_t magic, uint32_t ver,
			 uint32_t type, const struct sockaddr_un *sun, int v1, const char *descr)
{
	size_t n, dl = strlen(descr);

	if (size < 124 || dl > size - 124)
		fail("request: description of %zu bytes too long", dl);
	memset(req, 0, size);
	memcpy(req, &magic, 4);
	if (v1) {
		memcpy(req + 4, &type, 4);
		memcpy(req + 14, sun, 110);
		n = 124;
	} else {
		memcpy(req + 4, &ver, 4);
		memcpy(req + 8, &type, 4);
		memcpy(req + 12, sun, 110);
		n = 122;
	}
	memcpy(req + n, descr, dl);
	return n + dl;
}

static void cmd_open(char **w, int nw)
{
	struct ep *e = ep_get(w[1], 1);
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	uint8_t req[300], r[256];
	uint32_t magic = 0xfeedface, v3 = 3, type;
	const char *descr = "probe";
	long owner = -1;
	int v1 = 0, port0 = 0, refused = 0, i;
	size_t n;
	ssize_t got;

	if (nw < 3)
		fail("open NAME PORT");
	type = (uint32_t)strtoul(w[2], NULL, 0) << 8;
	for (i = 3; i < nw; i++) {
		if (!strcmp(w[i], "v1"))
			v1 = 1;
		else if (!strcmp(w[i], "port0"))
			port0 = 1;
		else if (!strcmp(w[i], "refused"))
			refused = 1;
		else if (!strncmp(w[i], "descr=", 6))
			descr = w[i] + 6;
		else if (!strncmp(w[i], "owner=", 6))
			owner = strtol(w[i] + 6, NULL, 0);
		else
			fail("open: unknown option %s", w[i]);
	}
	if (port0)
		type |= 1;
	snprintf(e->path, sizeof(e->path), "%s/.%05d-%05d", sw_dir, (int)getpid(), seqn++);
	unlink(e->path);
	e->data = socket(AF_UNIX, SOCK_DGRAM, 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", e->path);
	if (e->data < 0 || bind(e->data, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		fail("bind %s: %s", e->path, strerror(errno));
	if (owner >= 0 && chown(e->path, (uid_t)owner, (gid_t)-1) < 0)
		fail("chown %s: %s", e->path, strerror(errno));
	i = 4 << 20;
	setsockopt(e->data, SOL_SOCKET, SO_RCVBUF, &i, sizeof(i));
	n = mk_request(req, sizeof(req), magic, v3, type, &sun, v1, descr);
	e->ctl = ctl_connect_as(owner);
	if (write(e->ctl, req, n) != (ssize_t)n)
		fail("write request");
	if (refused) {
		expect_closed(e->ctl);
		close(e->data);
		unlink(e->path);
		memset(e, 0, sizeof(*e));
		printf("%s refused\n", w[1]);
		return;
	}
	got = ctl_reply(e->ctl, r, sizeof(r));
	if (got != 110)
		fail("open %s: reply of %zd bytes, expected 110", w[1], got);
	if (r[0] != 1 || r[1] != 0)
		fail("reply sun_family %02x %02x", r[0], r[1]);
	memset(&sun, 0, sizeof(sun));
	memcpy(&sun, r, 110);
	if (connect(e->data, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		fail("connect data %s: %s", sun.sun_path, strerror(errno));
	{
		const char *base = strrchr(sun.sun_path, '/');

		if (!base || sscanf(base + 1, "%u.", &e->port) != 1)
			fail("bad data socket name %s", sun.sun_path);
	}
	printf("%s port=%u sock=%s\n", w[1], e->port, sun.sun_path);
	fflush(stdout);
}

static void cmd_raw(const char *hexs, size_t split)
{
	uint8_t req[1024];
	size_t n = hex(hexs, req, sizeof(req));
	int fd = ctl_connect();

	if (split && split < n) {
		if (write(fd, req, split) != (ssize_t)split)
			fail("write");
		usleep(100000);
		/* the switch may already have closed: EPIPE is fine */
		if (write(fd, req + split, n - split) < 0 && errno != EPIPE && errno != ECONNRESET)
			fail("write: %s", strerror(errno));
	} else if (n && write(fd, req, n) != (ssize_t)n) {
		fail("write");
	}
	expect_closed(fd);
	printf("raw closed\n");
}

static void cmd_req(char **w, int nw)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	uint32_t magic = 0xfeedface, ver = 3, type = 0;
	unsigned family = 1;
	long len = -1, split = 0;
	int v1 = 0, i, d, fd;
	const char *descr = "bad", *path = NULL;
	char own[108];
	uint8_t req[512];
	size_t n;

	snprintf(own, sizeof(own), "%s/.%05d-%05d", sw_dir, (int)getpid(), seqn++);
	for (i = 1; i < nw; i++) {
		if (!strncmp(w[i], "magic=", 6))
			magic = (uint32_t)strtoul(w[i] + 6, NULL, 0);
		else if (!strncmp(w[i], "ver=", 4))
			ver = (uint32_t)strtoul(w[i] + 4, NULL, 0);
		else if (!strncmp(w[i], "type=", 5))
			type = (uint32_t)strtoul(w[i] + 5, NULL, 0);
		else if (!strncmp(w[i], "family=", 7))
			family = (unsigned)strtoul(w[i] + 7, NULL, 0);
		else if (!strncmp(w[i], "path=", 5))
			path = w[i] + 5;
		else if (!strncmp(w[i], "descr=", 6))
			descr = w[i] + 6;
		else if (!strncmp(w[i], "len=", 4))
			len = strtol(w[i] + 4, NULL, 0);
		else if (!strncmp(w[i], "split=", 6))
			split = strtol(w[i] + 6, NULL, 0);
		else if (!strcmp(w[i], "v1"))
			v1 = 1;
		else
			fail("req: unknown field %s", w[i]);
	}
	d = socket(AF_UNIX, SOCK_DGRAM, 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", own);
	unlink(own);
	if (d < 0 || bind(d, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		fail("bind %s", own);
	if (path)
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	sun.sun_family = (sa_family_t)family;
	n = mk_request(req, sizeof(req), magic, ver, type, &sun, v1, descr);
	if (len >= 0 && (size_t)len < n)
		n = (size_t)len;
	fd = ctl_connect();
	if (split > 0 && (size_t)split < n) {
		if (write(fd, req, (size_t)split) != split)
			fail("write");
		usleep(100000);
		if (write(fd, req + split, n - (size_t)split) < 0 && errno != EPIPE &&
		    errno != ECONNRESET)
			fail("write: %s", strerror(errno));
	} else if (n && write(fd, req, n) != (ssize_t)n) {
		fail("write");
	}
	expect_closed(fd);
	close(d);
	unlink(own);
	printf("req closed\n");
}

static size_t mkframe(const char *dst, const char *src, size_t len, unsigned seq)
{
	size_t i;

	if (len < 14 || len > BUFSZ)
		fail("frame length %zu", len);
	mac(dst, buf);
	mac(src, buf + 6);
	buf[12] = 0x88;
	buf[13] = 0xb5;
	for (i = 14; i < len; i++)
		buf[i] = (uint8_t)(seq + i);
	return len;
}

static void dsend(struct ep *e, const uint8_t *b, size_t n)
{
	if (send(e->data, b, n, 0) != (ssize_t)n)
		fail("send on %s: %s", e->name, strerror(errno));
}

static ssize_t drecv(struct ep *e, int ms)
{
	struct pollfd p = { .fd = e->data, .events = POLLIN };

	if (poll(&p, 1, ms) != 1)
		return -1;
	return recv(e->data, buf, sizeof(buf), 0);
}

static void cmd_expect(struct ep *e, const char *src, size_t len, unsigned seq)
{
	uint8_t m[6];
	ssize_t n = drecv(e, 5000);
	size_t i;

	mac(src, m);
	if (n < 0)
		fail("%s: no frame from %s within 5 s", e->name, src);
	if ((size_t)n != len || memcmp(buf + 6, m, 6))
		fail("%s: got %zd bytes from %02x:%02x:%02x:%02x:%02x:%02x, expected %zu from %s",
		     e->name, n, buf[6], buf[7], buf[8], buf[9], buf[10], buf[11], len, src);
	for (i = 14; i < len; i++)
		if (buf[i] != (uint8_t)(seq + i))
			fail("%s: payload corrupted at byte %zu", e->name, i);
}

static void cmd_expecthex(struct ep *e, const char *hexs)
{
	static uint8_t want[BUFSZ];
	size_t wl = hex(hexs, want, sizeof(want));
	ssize_t n = drecv(e, 5000);

	if (n < 0)
		fail("%s: no frame within 5 s", e->name);
	if ((size_t)n != wl || memcmp(buf, want, wl))
		fail("%s: frame of %zd bytes differs from the expected %zu", e->name, n, wl);
}

static void cmd_none(struct ep *e, int ms)
{
	ssize_t n = drecv(e, ms);

	if (n >= 0)
		fail("%s: unexpected frame of %zd bytes from %02x:%02x:%02x:%02x:%02x:%02x",
		     e->name, n, buf[6], buf[7], buf[8], buf[9], buf[10], buf[11]);
}

static void cmd_wait(const char *path)
{
	struct stat st;
	int i;

	for (i = 0; i < 1000; i++) {
		if (stat(path, &st) == 0)
			return;
		usleep(10000);
	}
	fail("timeout waiting for %s", path);
}

int main(int argc, char **argv)
{
	char line[20000], *w[16], *save;
	int nw;

	if (argc != 2) {
		fprintf(stderr, "usage: vdeswitch_probe SWITCHDIR < script\n");
		return 1;
	}
	sw_dir = argv[1];
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	while (fgets(line, sizeof(line), stdin)) {
		lineno++;
		nw = 0;
		for (w[nw] = strtok_r(line, " \t\n", &save); w[nw] && nw < 15;
		     w[++nw] = strtok_r(NULL, " \t\n", &save))
			;
		if (nw == 0 || w[0][0] == '#')
			continue;
		if (!strcmp(w[0], "open")) {
			cmd_open(w, nw);
		} else if (!strcmp(w[0], "req")) {
			cmd_req(w, nw);
		} else if (!strcmp(w[0], "raw") && nw == 2) {
			cmd_raw(w[1], 0);
		} else if (!strcmp(w[0], "rawsplit") && nw == 3) {
			cmd_raw(w[2], strtoul(w[1], NULL, 0));
		} else if (!strcmp(w[0], "silentclosed") && nw == 2) {
			struct pollfd p = { .fd = ctl_connect(), .events = POLLIN };
			uint8_t r[16];

			if (poll(&p, 1, atoi(w[1])) != 1 || read(p.fd, r, sizeof(r)) > 0)
				fail("silent connection not closed within %s ms", w[1]);
			close(p.fd);
			printf("silent closed\n");
		} else if (!strcmp(w[0], "silent")) {
			(void)ctl_connect();
		} else if (!strcmp(w[0], "send") && nw >= 5) {
			size_t n = mkframe(w[2], w[3], strtoul(w[4], NULL, 0),
					   nw > 5 ? (unsigned)strtoul(w[5], NULL, 0) : 0);

			dsend(ep_get(w[1], 0), buf, n);
		} else if (!strcmp(w[0], "sendempty") && nw == 2) {
			dsend(ep_get(w[1], 0), buf, 0);
		} else if (!strcmp(w[0], "sendhex") && nw == 3) {
			static uint8_t b[BUFSZ];
			size_t n = hex(w[2], b, sizeof(b));

			dsend(ep_get(w[1], 0), b, n);
		} else if (!strcmp(w[0], "burst") && nw == 6) {
			struct ep *e = ep_get(w[1], 0);
			unsigned long i, count = strtoul(w[5], NULL, 0);
			size_t n = mkframe(w[2], w[3], strtoul(w[4], NULL, 0), 0);

			for (i = 0; i < count; i++)
				dsend(e, buf, n);
		} else if (!strcmp(w[0], "expect") && nw >= 4) {
			cmd_expect(ep_get(w[1], 0), w[2], strtoul(w[3], NULL, 0),
				   nw > 4 ? (unsigned)strtoul(w[4], NULL, 0) : 0);
		} else if (!strcmp(w[0], "expecthex") && nw == 3) {
			cmd_expecthex(ep_get(w[1], 0), w[2]);
		} else if (!strcmp(w[0], "none") && nw == 3) {
			cmd_none(ep_get(w[1], 0), atoi(w[2]));
		} else if (!strcmp(w[0], "recvcount") && nw == 4) {
			struct ep *e = ep_get(w[1], 0);
			unsigned long want = strtoul(w[2], NULL, 0), got = 0;

			while (got < want && drecv(e, atoi(w[3])) >= 0)
				got++;
			printf("%s received %lu\n", e->name, got);
			if (got < want)
				fail("%s: received %lu of %lu frames", e->name, got, want);
		} else if (!strcmp(w[0], "recvslow") && nw == 5) {
			struct ep *e = ep_get(w[1], 0);
			unsigned long want = strtoul(w[2], NULL, 0), got = 0;
			unsigned long every = strtoul(w[3], NULL, 0);

			while (got < want && drecv(e, 5000) >= 0)
				if (++got % every == 0)
					usleep((useconds_t)strtoul(w[4], NULL, 0));
			printf("%s received %lu\n", e->name, got);
			if (got < want)
				fail("%s: received %lu of %lu frames", e->name, got, want);
		} else if (!strcmp(w[0], "recvall") && nw == 3) {
			struct ep *e = ep_get(w[1], 0);
			unsigned long got = 0;

			while (drecv(e, atoi(w[2])) >= 0)
				got++;
			printf("%s received %lu\n", e->name, got);
		} else if (!strcmp(w[0], "close") && nw == 2) {
			struct ep *e = ep_get(w[1], 0);

			close(e->ctl);
			close(e->data);
			unlink(e->path);
			memset(e, 0, sizeof(*e));
		} else if (!strcmp(w[0], "port") && nw == 3) {
			if (ep_get(w[1], 0)->port != strtoul(w[2], NULL, 0))
				fail("%s has port %u, expected %s", w[1], ep_get(w[1], 0)->port, w[2]);
		} else if (!strcmp(w[0], "touch") && nw == 2) {
			FILE *f = fopen(w[1], "w");

			if (!f)
				fail("touch %s", w[1]);
			fclose(f);
		} else if (!strcmp(w[0], "wait") && nw == 2) {
			cmd_wait(w[1]);
		} else if (!strcmp(w[0], "sleep") && nw == 2) {
			usleep((useconds_t)atoi(w[1]) * 1000);
		} else {
			fail("unknown command %s", w[0]);
		}
	}
	for (nw = 0; nw < MAXEP; nw++)
		if (eps[nw].name[0] && eps[nw].path[0])
			unlink(eps[nw].path);
	return 0;
}
