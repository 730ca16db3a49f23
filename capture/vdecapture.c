// SPDX-License-Identifier: GPL-2.0-or-later
/* capture/vdecapture.c - vdecapture: record VDE frames into pcap or pcapng
 *
 * Two modes, one small loop (lib/common/loop.c):
 *
 *  - switch mode (vdecapture SWITCH): a capture port on a vde_switch
 *    (capclient.c, request in capreq.h). Each datagram is a header (port,
 *    direction, VLAN, sequence number, the switch's timestamp) and a copy
 *    of a frame; a gap in the sequence numbers counts copies the switch
 *    dropped because we were slow. pcapng gets one interface per port.
 *  - cable mode: a pass-through stage between two ends, a dpipe middle
 *    stage (left = stdin/stdout, right = ALTERNATE_STDIN/ALTERNATE_STDOUT)
 *    or two VNLs (vdecapture VNL1 VNL2, "-" = stdin/stdout). Every frame is
 *    forwarded unchanged first, then a copy is offered to the output; one
 *    pcapng interface, left-to-right frames outbound, right-to-left inbound.
 *
 * The output (capout.c) is a ring drained by a writer thread: a copy that
 * does not fit is dropped and counted, so neither the cable nor the
 * switch ever waits for the file. Stream output towards a cable end is
 * buffered per end and written once per wake-up; while it cannot be
 * written, the inputs feeding it are not read (the cable's own pace).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "capclient.h"
#include "capout.h"
#include "ether.h"
#include "libvdeplug.h"
#include "log.h"
#include "loop.h"
#include "parse.h"
#include "pcapw.h"
#include "stream.h"
#include "tool.h"

#define OBUF_SIZE	(256 * 1024)
#define RBUF_SIZE	(64 * 1024)
#define RING_DEFAULT	(4U << 20)
#define DRAIN_MS	2000
#define MAX_PORT_IFS	1024		/* pcapng interfaces, one per switch port */

enum mode { MODE_SWITCH, MODE_CABLE };
enum end_kind { END_STREAM, END_VNL };

struct cap;

struct end {
	struct cap *c;
	int idx;			/* 0 = left, 1 = right */
	enum end_kind kind;
	const char *name;
	int in_fd, out_fd;
	VDECONN *conn;
	struct stream_rx *rx;
	uint8_t *obuf;
	size_t olen;
	bool out_poll, out_full, in_on;
	int out_flags;
	uint64_t frames, bytes, tx_errors;
};

struct port_if {
	uint32_t port;
	long ifid;
};

struct cap {
	struct loop *l;
	enum mode mode;
	struct capout *out;
	struct capout_stats st;		/* final output counters */
	bool capturing;			/* false after -c frames or an output error */
	bool quiet;
	uint64_t count;			/* -c, 0 = unlimited */
	uint64_t seen;			/* frames that matched */
	uint64_t rejected;		/* frames the output could not take */
	int vlan;			/* cable mode filter, -1 = any */
	uint32_t snaplen;
	uint64_t now_ns;		/* CLOCK_REALTIME of the current read */
	int rc;
	/* cable */
	struct end end[2];
	long cable_if;
	/* switch */
	struct capclient sw;
	const char *swname;
	unsigned port;
	bool seq_valid;
	uint32_t seq_next;
	uint64_t sw_lost, sw_bad;
	struct port_if pifs[MAX_PORT_IFS];
	size_t npifs;
	uint8_t rbuf[RBUF_SIZE];
};

static const char *const short_opts = "hVi:w:c:s:C:W:B:q";

enum { OPT_VLAN = 256, OPT_PCAPNG };

static const struct option long_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "interface", required_argument, NULL, 'i' },
	{ "vlan", required_argument, NULL, OPT_VLAN },
	{ "write", required_argument, NULL, 'w' },
	{ "count", required_argument, NULL, 'c' },
	{ "snaplen", required_argument, NULL, 's' },
	{ "file-size", required_argument, NULL, 'C' },
	{ "file-count", required_argument, NULL, 'W' },
	{ "buffer-size", required_argument, NULL, 'B' },
	{ "pcapng", no_argument, NULL, OPT_PCAPNG },
	{ "quiet", no_argument, NULL, 'q' },
	{ NULL, 0, NULL, 0 },
};

static const char usage_text[] =
"usage: vdecapture [-hqV] [-i port] [--vlan vlan] -w file|- [-c count] [-s snaplen]\n"
"                  [-C size [-W files]] [-B KiB] [--pcapng] SWITCH\n"
"       vdecapture [options] -w file VNL1 VNL2\n"
"       dpipe ... = vdecapture [options] -w file = ...\n"
"Record Ethernet frames into a pcap or pcapng file, without root: from a\n"
"capture port of a vde_switch (SWITCH: its directory, or vde:///DIR), or\n"
"as a pass-through stage of a cable (two VNLs, or a dpipe middle stage)\n"
"that forwards every frame unchanged.\n"
"  -w, --write FILE      output file, - = stdout; a name ending in .pcapng\n"
"                        selects pcapng\n"
"      --pcapng          write pcapng (direction, one interface per port)\n"
"  -i, --interface PORT  switch mode: only frames received on or sent to PORT\n"
"      --vlan VLAN       only frames of VLAN (cable mode: with that 802.1Q tag)\n"
"  -c, --count N         stop after N frames (cable mode: the cable goes on)\n"
"  -s, --snaplen N       record at most N bytes of each frame (0 = all)\n"
"  -C, --file-size N     start a new file beyond N million bytes (suffix k, m,\n"
"                        g: KiB, MiB, GiB); names FILE, FILE1, ... as tcpdump\n"
"  -W, --file-count N    with -C: at most N files, reused in turn\n"
"  -B, --buffer-size KiB output buffer (default 4096); beyond it copies are\n"
"                        dropped and counted, the frames themselves never\n"
"  -q, --quiet           no start line and no summary on stderr\n"
"  -h, --help            this help\n"
"  -V, --version         version\n";

static const struct tool_help help = { "vdecapture", usage_text, TOOL_HELP_WHOLE };

/* --- capture -------------------------------------------------------------- */

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000U + (uint64_t)ts.tv_nsec;
}

/* Close the output: a reader of -w - sees its end even though a cable
 * goes on forwarding. */
static void output_close(struct cap *c)
{
	if (!c->out)
		return;
	if (c->mode == MODE_CABLE)
		capout_isb(c->out, (uint32_t)c->cable_if, c->seen, c->rejected);
	capout_close(c->out, &c->st);
	c->out = NULL;
}

static void capture_stop(struct cap *c, const char *why)
{
	if (!c->capturing)
		return;
	c->capturing = false;
	if (why && !c->quiet)
		log_info("%s", why);
	if (c->mode == MODE_SWITCH)
		loop_stop(c->l);
	else
		output_close(c);
}

static void record(struct cap *c, const struct pcapw_pkt *p)
{
	if (!c->capturing)
		return;
	c->seen++;
	if (!capout_frame(c->out, p)) {
		c->rejected++;
		if (capout_failed(c->out))
			capture_stop(c, "output failed, capture stopped");
	}
	if (c->count && c->seen >= c->count)
		capture_stop(c, NULL);
}

/* --- cable mode ----------------------------------------------------------- */

static void end_flush(struct cap *c, struct end *e);

static void cable_stop(struct cap *c, struct end *e, const char *what)
{
	if (!c->quiet)
		log_info("%s: %s, exiting", e->name, what);
	loop_stop(c->l);
}

static bool vlan_match(const struct cap *c, const uint8_t *f, size_t len)
{
	if (c->vlan < 0)
		return true;
	return len >= ETH_HDRLEN + VLAN_TAGLEN && eth_is_tagged(f) &&
	       (eth_tci(f) & 0xfff) == (unsigned)c->vlan;
}

/* Forward a frame read on @from to the other end, then record a copy. */
static void cable_frame(void *arg, const uint8_t *f, size_t len)
{
	struct end *from = arg, *to = &from->c->end[!from->idx];
	struct cap *c = from->c;

	from->frames++;
	from->bytes += len;
	if (to->kind == END_STREAM) {
		if (to->olen + 2 + len > OBUF_SIZE)
			end_flush(c, to);
		if (to->olen + 2 + len > OBUF_SIZE || !stream_hdr(to->obuf + to->olen, len)) {
			to->tx_errors++;
		} else {
			memcpy(to->obuf + to->olen + 2, f, len);
			to->olen += 2 + len;
		}
	} else if (vde_send(to->conn, f, len, 0) < 0) {
		to->tx_errors++;
	}
	if (c->capturing && vlan_match(c, f, len)) {
		struct pcapw_pkt p = {
			.ts_ns = c->now_ns,
			.ifid = (uint32_t)c->cable_if,
			.dir = from->idx == 0 ? PCAPW_DIR_OUT : PCAPW_DIR_IN,
			.data = f,
			.len = len,
		};

		record(c, &p);
	}
}

static void input_enable(struct cap *c, struct end *e, bool on)
{
	if (e->in_fd < 0 || e->in_on == on)
		return;
	if (loop_mod_fd(c->l, e->in_fd, on ? EPOLLIN : 0) == 0)
		e->in_on = on;
}

/* Write what the peer takes; while some is left, the other end's input
 * (which feeds this output) waits for EPOLLOUT. */
static void end_flush(struct cap *c, struct end *e)
{
	size_t off = 0;

	while (off < e->olen) {
		ssize_t n = write(e->out_fd, e->obuf + off, e->olen - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {
			cable_stop(c, e, "output closed");
			e->olen = 0;
			return;
		}
		off += (size_t)n;
	}
	if (off)
		memmove(e->obuf, e->obuf + off, e->olen - off);
	e->olen -= off;
	if (e->olen && !e->out_full && e->out_poll) {
		e->out_full = true;
		loop_mod_fd(c->l, e->out_fd, EPOLLOUT);
		input_enable(c, &c->end[!e->idx], false);
	} else if (!e->olen && e->out_full) {
		e->out_full = false;
		loop_mod_fd(c->l, e->out_fd, 0);
		input_enable(c, &c->end[!e->idx], true);
	}
}

static void on_out_ready(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct end *e = arg;

	(void)l;
	(void)fd;
	(void)events;
	end_flush(e->c, e);
}

static void on_stream_in(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct end *e = arg, *to = &e->c->end[!e->idx];
	struct cap *c = e->c;
	ssize_t n;

	(void)l;
	(void)events;
	n = read(fd, c->rbuf, sizeof(c->rbuf));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		cable_stop(c, e, "end of input");
		return;
	}
	c->now_ns = realtime_ns();
	stream_rx_feed(e->rx, c->rbuf, (size_t)n, cable_frame, e);
	if (to->kind == END_STREAM)
		end_flush(c, to);
}

static void on_vnl_in(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct end *e = arg, *to = &e->c->end[!e->idx];
	struct cap *c = e->c;
	ssize_t n;

	(void)l;
	(void)fd;
	(void)events;
	n = vde_recv(e->conn, c->rbuf, sizeof(c->rbuf), 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		cable_stop(c, e, strerror(errno));
		return;
	}
	if (n == 0)
		return;
	c->now_ns = realtime_ns();
	cable_frame(e, c->rbuf, (size_t)n);
	if (to->kind == END_STREAM)
		end_flush(c, to);
}

static void on_vnl_ctl(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct end *e = arg;
	char ch;

	(void)l;
	if (read(fd, &ch, 1) <= 0 || (events & (EPOLLHUP | EPOLLERR)))
		cable_stop(e->c, e, "switch closed the connection");
}

static void end_stream(struct end *e, int in, int out, const char *name)
{
	e->kind = END_STREAM;
	e->in_fd = in;
	e->out_fd = out;
	e->name = name;
	e->rx = malloc(sizeof(*e->rx));
	e->obuf = malloc(OBUF_SIZE);
	if (!e->rx || !e->obuf)
		die("out of memory");
	stream_rx_init(e->rx);
}

static void end_vnl(struct end *e, const char *vnl)
{
	struct tool_net n = { .vnl = (char *)vnl };

	e->kind = END_VNL;
	e->name = vnl;
	e->conn = tool_open(&n, "vdecapture");
	e->in_fd = vde_datafd(e->conn);
	e->out_fd = -1;
}

static void cable_setup(struct cap *c, char **vnl, int nvnl)
{
	int i;

	for (i = 0; i < 2; i++) {
		c->end[i].c = c;
		c->end[i].idx = i;
		c->end[i].in_fd = c->end[i].out_fd = -1;
	}
	if (nvnl == 2) {
		for (i = 0; i < 2; i++) {
			if (!strcmp(vnl[i], "-"))
				end_stream(&c->end[i], STDIN_FILENO, STDOUT_FILENO, "stdin/stdout");
			else
				end_vnl(&c->end[i], vnl[i]);
		}
		if (c->end[0].kind == END_STREAM && c->end[1].kind == END_STREAM)
			die("only one end can be stdin/stdout");
	} else {
		int ain = tool_env_fd("ALTERNATE_STDIN"), aout = tool_env_fd("ALTERNATE_STDOUT");

		if (ain < 0 || aout < 0)
			die("no switch and no cable: give SWITCH, two VNLs, or run as a middle "
			    "stage of dpipe (ALTERNATE_STDIN/ALTERNATE_STDOUT); see --help");
		end_stream(&c->end[0], STDIN_FILENO, STDOUT_FILENO, "left");
		end_stream(&c->end[1], ain, aout, "right");
	}
	for (i = 0; i < 2; i++) {
		struct end *e = &c->end[i];

		if (loop_add_fd(c->l, e->in_fd, EPOLLIN,
				e->kind == END_VNL ? on_vnl_in : on_stream_in, e) < 0)
			die_perror("%s: cannot poll input (a file? run in a dpipe chain)", e->name);
		e->in_on = true;
		if (e->kind == END_VNL && vde_ctlfd(e->conn) >= 0 &&
		    loop_add_fd(c->l, vde_ctlfd(e->conn), EPOLLIN, on_vnl_ctl, e) < 0)
			die_perror("%s: cannot poll control", e->name);
		if (e->kind == END_STREAM) {
			int fl = fcntl(e->out_fd, F_GETFL);

			e->out_flags = -1;
			if (fl >= 0 && loop_add_fd(c->l, e->out_fd, 0, on_out_ready, e) == 0) {
				if (fcntl(e->out_fd, F_SETFL, fl | O_NONBLOCK) == 0) {
					e->out_flags = fl;
					e->out_poll = true;
				} else {
					loop_del_fd(c->l, e->out_fd);
				}
			}
		}
	}
}

static void cable_finish(struct cap *c)
{
	int i;

	for (i = 0; i < 2; i++) {
		struct end *e = &c->end[i];

		if (e->out_poll) {
			/* a last blocking flush, then the flags the fd came with */
			fcntl(e->out_fd, F_SETFL, e->out_flags);
			e->out_poll = false;
			end_flush(c, e);
		}
	}
	for (i = 0; i < 2; i++) {
		if (c->end[i].conn)
			vde_close(c->end[i].conn);
		free(c->end[i].rx);
		free(c->end[i].obuf);
	}
}

/* --- switch mode ---------------------------------------------------------- */

/* The pcapng interface of switch port @port (created on first use). */
static long port_if(struct cap *c, uint32_t port)
{
	char name[32], descr[160];
	size_t i;
	long id;

	for (i = 0; i < c->npifs; i++)
		if (c->pifs[i].port == port)
			return c->pifs[i].ifid;
	if (c->npifs == MAX_PORT_IFS)
		return c->pifs[MAX_PORT_IFS - 1].ifid;	/* shared by the rest */
	snprintf(name, sizeof(name), "port%" PRIu32, port);
	snprintf(descr, sizeof(descr), "vde_switch %.100s port %" PRIu32, c->swname, port);
	id = capout_add_if(c->out, name, descr);
	if (id >= 0) {
		c->pifs[c->npifs].port = port;
		c->pifs[c->npifs].ifid = id;
		c->npifs++;
	}
	return id;
}

static void on_switch_data(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct cap *c = arg;
	int batch;

	(void)l;
	(void)events;
	for (batch = 0; batch < 64 && c->capturing; batch++) {
		ssize_t n = recv(fd, c->rbuf, sizeof(c->rbuf), MSG_DONTWAIT);
		struct caphdr h;
		size_t off;
		long ifid;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {
			log_err("%s: data socket: %s", c->swname, n ? strerror(errno) : "closed");
			c->rc = 1;
			loop_stop(c->l);
			break;
		}
		off = caphdr_parse(c->rbuf, (size_t)n, c->sw.hdrlen, &h);
		if (!off) {
			c->sw_bad++;
			continue;
		}
		if (c->seq_valid)
			c->sw_lost += (uint32_t)(h.seq - c->seq_next);
		c->seq_valid = true;
		c->seq_next = h.seq + 1;
		ifid = port_if(c, h.port);
		if (ifid < 0) {
			c->seen++;
			c->rejected++;
			continue;
		}
		{
			struct pcapw_pkt p = {
				.ts_ns = h.ts_ns,
				.ifid = (uint32_t)ifid,
				.dir = h.dir == CAPHDR_IN ? PCAPW_DIR_IN : PCAPW_DIR_OUT,
				.data = c->rbuf + off,
				/* the switch may have cut the copy to our snaplen */
				.len = (size_t)n - off,
				.orig_len = h.orig_len,
			};

			record(c, &p);
		}
	}
}

static void on_switch_ctl(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct cap *c = arg;
	char ch;

	(void)l;
	if (read(fd, &ch, 1) <= 0 || (events & (EPOLLHUP | EPOLLERR))) {
		if (!c->quiet)
			log_info("%s: switch closed the connection, exiting", c->swname);
		loop_stop(c->l);
	}
}

/* The switch directory of switch mode: a path, as given to vde_switch -s,
 * or the same as a vde:// locator (vde:///tmp/sw, what QEMU and vde_plug
 * users write). Any other locator is refused by name: it is a network to
 * capture as a cable (two VNLs), not a switch to ask for a capture port. */
static const char *switch_dir(const char *arg)
{
	const char *sep = strstr(arg, "://");

	if (!sep)
		return arg;
	if (sep - arg == 3 && !strncmp(arg, "vde", 3) && sep[3] && !strpbrk(sep + 3, "[]{}"))
		return sep + 3;
	die("%s: switch mode needs a switch directory (a path or vde:///PATH, no port: use -i); "
	    "capture any other network as a cable: vdecapture -w FILE VNL1 VNL2", arg);
}

static void switch_setup(struct cap *c, const char *arg, unsigned port, unsigned vlan)
{
	const char *sw = switch_dir(arg);
	char err[512];

	c->swname = sw;
	if (capclient_open(sw, port, vlan, c->snaplen, &c->sw, err, sizeof(err)))
		die("%s", err);
	if (loop_add_fd(c->l, c->sw.data_fd, EPOLLIN, on_switch_data, c) < 0 ||
	    loop_add_fd(c->l, c->sw.ctl_fd, EPOLLIN, on_switch_ctl, c) < 0)
		die_perror("poll");
}

/* --- main ----------------------------------------------------------------- */

static void on_signal(struct loop *l, int signo, void *arg)
{
	(void)signo;
	(void)arg;
	loop_stop(l);
}

static uint64_t parse_size(const char *s)
{
	char num[32];
	const char *errstr;
	size_t n = strlen(s);
	uint64_t unit = 1000000;
	long long v;

	if (n && strchr("kKmMgG", s[n - 1])) {
		switch (s[n - 1]) {
		case 'k': case 'K': unit = 1024; break;
		case 'm': case 'M': unit = 1024 * 1024; break;
		default: unit = 1024 * 1024 * 1024; break;
		}
		n--;
	}
	if (n == 0 || n >= sizeof(num))
		die("-C %s: invalid", s);
	memcpy(num, s, n);
	num[n] = '\0';
	v = parse_num(num, 1, 1000000, &errstr);
	if (errstr)
		die("-C %s: %s", s, errstr);
	return (uint64_t)v * unit;
}

static long long num_arg(const char *opt, const char *s, long long min, long long max)
{
	const char *errstr;
	long long v = parse_num(s, min, max, &errstr);

	if (errstr)
		die("%s %s: %s", opt, s, errstr);
	return v;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

int main(int argc, char **argv)
{
	static struct cap cap;
	struct cap *c = &cap;
	struct capout_cfg oc = { .bufsize = RING_DEFAULT, .drain_ms = DRAIN_MS };
	struct capout_stats *st = &c->st;
	const char *wfile = NULL, *iarg = NULL, *varg = NULL;
	unsigned port = 0, vlan = CAPREQ_VLAN_ANY;
	bool pcapng = false, has_w = false;
	char err[512];
	int opt, nargs, i;

	log_init("vdecapture");
	c->vlan = -1;
	while ((opt = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			tool_usage(&help, EXIT_SUCCESS);
		case 'V':
			tool_version("vdecapture");
		case 'i':
			iarg = optarg;
			port = (unsigned)num_arg("-i", optarg, 1, CAPREQ_PORT_MAX);
			break;
		case OPT_VLAN:
			varg = optarg;
			vlan = (unsigned)num_arg("--vlan", optarg, 0, CAPREQ_VLAN_MAX);
			c->vlan = (int)vlan;
			break;
		case 'w':
			wfile = optarg;
			has_w = true;
			break;
		case 'c':
			c->count = (uint64_t)num_arg("-c", optarg, 1, LLONG_MAX);
			break;
		case 's':
			c->snaplen = (uint32_t)num_arg("-s", optarg, 0, UINT32_MAX);
			break;
		case 'C':
			oc.file_size = parse_size(optarg);
			break;
		case 'W':
			oc.nfiles = (unsigned)num_arg("-W", optarg, 1, 100000);
			break;
		case 'B':
			oc.bufsize = (size_t)num_arg("-B", optarg, 64, 4 * 1024 * 1024) * 1024;
			break;
		case OPT_PCAPNG:
			pcapng = true;
			break;
		case 'q':
			c->quiet = true;
			break;
		default:
			tool_usage(&help, EXIT_FAILURE);
		}
	}
	nargs = argc - optind;
	if (nargs > 2)
		tool_usage(&help, EXIT_FAILURE);
	c->mode = nargs == 1 ? MODE_SWITCH : MODE_CABLE;
	if (!has_w)
		die("no output: give -w FILE, or -w - for stdout");
	if (oc.nfiles && !oc.file_size)
		die("-W needs -C");
	if (oc.file_size && !strcmp(wfile, "-"))
		die("-C: stdout cannot be rotated, give -w FILE");
	if (c->mode == MODE_CABLE && iarg)
		die("-i %s: a cable has no ports (-i applies to a switch)", iarg);
	if (c->mode == MODE_CABLE && !strcmp(wfile, "-") &&
	    (nargs == 0 || !strcmp(argv[optind], "-") || !strcmp(argv[optind + 1], "-")))
		die("-w -: stdout carries the cable here, give -w FILE");
	oc.path = wfile;
	oc.fmt = pcapng || ends_with(wfile, ".pcapng") ? PCAPW_PCAPNG : PCAPW_PCAP;
	oc.snaplen = c->snaplen;

	c->l = loop_new();
	if (!c->l)
		die("out of memory");
	signal(SIGPIPE, SIG_IGN);
	/* open the ends first: a bad switch or VNL leaves no empty file behind */
	if (c->mode == MODE_SWITCH)
		switch_setup(c, argv[optind], port, vlan);
	else
		cable_setup(c, argv + optind, nargs);
	c->out = capout_open(&oc, err, sizeof(err));
	if (!c->out)
		die("%s", err);
	c->capturing = true;
	if (c->mode == MODE_CABLE) {
		char descr[400];

		snprintf(descr, sizeof(descr), "vdecapture cable %.140s <-> %.140s "
			 "(outbound = left to right)", c->end[0].name, c->end[1].name);
		c->cable_if = capout_add_if(c->out, "cable", descr);
		if (c->cable_if < 0)
			die("output buffer too small");
	}
	if (tool_add_stop_signals(c->l, on_signal, c) < 0)
		die_perror("signals");
	if (!c->quiet) {
		if (c->mode == MODE_SWITCH)
			log_info("listening on %s (port %s, vlan %s), %s to %s", c->swname,
				 iarg ? iarg : "all", varg ? varg : "all",
				 oc.fmt == PCAPW_PCAPNG ? "pcapng" : "pcap", wfile);
		else
			log_info("cable %s <-> %s, %s to %s", c->end[0].name, c->end[1].name,
				 oc.fmt == PCAPW_PCAPNG ? "pcapng" : "pcap", wfile);
	}

	if (loop_run(c->l) < 0)
		c->rc = 1;

	if (c->mode == MODE_CABLE)
		cable_finish(c);
	else
		capclient_close(&c->sw);
	output_close(c);
	if (!c->quiet) {
		fprintf(stderr, "%" PRIu64 " frames captured\n", st->frames);
		fprintf(stderr, "%" PRIu64 " frames dropped (output too slow)\n", st->dropped);
		if (c->mode == MODE_SWITCH) {
			fprintf(stderr, "%" PRIu64 " frames lost by the switch (capture port full)\n",
				c->sw_lost);
			if (c->sw_bad)
				fprintf(stderr, "%" PRIu64 " malformed datagrams ignored\n", c->sw_bad);
		} else {
			for (i = 0; i < 2; i++)
				fprintf(stderr, "%" PRIu64 " frames forwarded from %s\n",
					c->end[i].frames, c->end[i].name);
		}
		if (st->lost)
			fprintf(stderr, "%" PRIu64 " frames not written (output stalled at exit)\n",
				st->lost);
		if (st->files > 1)
			fprintf(stderr, "%u files written\n", st->files);
	}
	if (st->error && st->error != ETIMEDOUT) {
		errno = st->error;
		log_err("%s: %s", wfile, strerror(errno));
		if (c->mode == MODE_SWITCH)
			c->rc = 1;
	}
	loop_free(c->l);
	return c->rc;
}
