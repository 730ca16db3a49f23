// SPDX-License-Identifier: GPL-2.0-or-later
/* slirp/main.c - slirpvde: NAT, DHCP, DNS and IPv6 for a VDE network
 *
 * Plugs a libslirp instance (slirp/glue.c) into a switch (-s SOCK|VNL, or
 * the bare argument), or with "-" into a VDE byte stream on stdin/stdout
 * (`dpipe vde_plug = ssh host slirpvde -`). VDE 2's command line and
 * defaults (10.0.2.0/24, host .2, DNS .3, DHCP from .15 with -D), plus
 * IPv6, --mtu, --restrict and a management console (-M) with the leases,
 * the forwards (added and removed live) and the counters. The frames of
 * the data path are never fatal: bad ones are dropped and counted; the run
 * ends when the switch or the stream goes away, or on SIGTERM/SIGINT/SIGHUP.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <slirp/libslirp.h>

#include "conf.h"
#include "console.h"
#include "json.h"
#include "daemon.h"
#include "glue.h"
#include "libvdeplug.h"
#include "log.h"
#include "tool.h"
#include "loop.h"
#include "parse.h"
#include "stream.h"

#define SV_BATCH	64
#define SV_INBUF	65536
#define SV_FRAMEMAX	(SCONF_MTU_MAX + 18)
#define SV_SEND_WAIT_MS	100
#define SV_PROMPT	"slirpvde$ "
#define SV_MAXX		16		/* -X options */

/* -X GUESTIP[:DISPLAY[.SCREEN]]: a host X display port to a guest's X server */
struct sv_xfwd {
	struct in_addr guest;
	int display, screen;
	int host_display;		/* the free one found, -1 before */
};

enum {
	OPT_MTU = 256, OPT_RESTRICT, OPT_NOV6, OPT_NOV4, OPT_HOST6, OPT_DNS6, OPT_MGMTMODE,
	OPT_MGMTGROUP, OPT_BOOTFILE, OPT_NOLOOPBACK, OPT_MAXCONNS, OPT_MAXCONNS_GUEST,
};

struct sv_ctx {
	struct sconf conf;
	char *sock;			/* NULL = default switch, "-" = stream */
	struct vde_open_args args;
	const char *pidfile;
	const char *mgmt;
	mode_t mgmtmode;
	gid_t mgmtgroup;
	bool daemon, quiet, stream, verbose;
	struct sv_xfwd x[SV_MAXX];	/* -X, in the order given */
	size_t nx;
	struct loop *l;
	struct glue *g;
	struct console *con;
	VDECONN *net;
	int in_fd, out_fd, data_fd;
	int rc;
	uint64_t to_net_drops;
	struct stream_rx rx;
	struct stream_tx tx;		/* -s -: the output stream */
	int out_flags;			/* stdout's flags before tool_out_nonblock(), -1 */
	bool out_wait;			/* stdout full: polled for EPOLLOUT */
	uint8_t buf[SV_FRAMEMAX];
	uint8_t inbuf[SV_INBUF];
};

static const char usage_text[] =
"usage: slirpvde [OPTIONS] [SOCK|VNL|-]\n"
"\n"
"Connect a VDE network to the host's network through libslirp: NAT for\n"
"TCP, UDP and ICMP echo, a DNS proxy, DHCP (-D), IPv6 router\n"
"advertisements, and port forwarding. No privileges needed.\n"
"\n"
"options:\n"
"  -s, --sock SOCK|VNL     switch directory or vde(7) locator (default: the\n"
"                          default switch); - = stdin/stdout stream mode\n"
"                          (also --socket, --vdesock, --unix)\n"
"  -D, --dhcp[=START]      DHCP server, leases from START (default net .15)\n"
"  -H, --host ADDR[/LEN]   virtual host/network (default 10.0.2.2/24); with a\n"
"                          zero host part only the network (also -n, --network)\n"
"  -N, --dns ADDR          DNS address given by DHCP and served when inside\n"
"                          the network (default net .3) (also --nameserver)\n"
"  -L HPORT:GUESTIP:GPORT  forward host TCP port HPORT to the guest\n"
"                          ([HOSTIP:]HPORT:... binds HOSTIP only); repeatable\n"
"  -U HPORT:GUESTIP:GPORT  the same for UDP\n"
"  -x [ADDR:]PORT:PATH     guest connections to ADDR:PORT (default: the\n"
"                          virtual host) go to the UNIX stream socket PATH\n"
"  -X GUESTIP[:D[.S]]      forward the first free host X display (6000 +\n"
"                          N) to the X server :D of GUESTIP; repeatable\n"
"  -t, --tftp DIR          TFTP server (read-only) for DIR (default: off)\n"
"      --bootfile FILE     BOOTP file name given by DHCP\n"
"      --host6 ADDR6[/LEN] IPv6 prefix and host (default fd00::2/64)\n"
"      --dns6 ADDR6        IPv6 DNS address (default prefix ::3)\n"
"      --no-ipv6           IPv4 only\n"
"      --no-ipv4           IPv6 only\n"
"      --mtu N             MTU of the virtual network, 576..65520 (default 1500)\n"
"      --restrict          nothing leaves to the host except the forwards\n"
"      --no-host-loopback  refuse connections to the host's loopback\n"
"      --max-conns N       guests' TCP connections open at once, in all\n"
"                          (default 1024, 0 = no bound)\n"
"      --max-conns-guest N the same for one guest address (default 256)\n"
"  -M, --mgmt SOCK         management console on the UNIX socket SOCK\n"
"      --mgmtmode MODE     octal mode of the console socket (default 0600)\n"
"      --mgmtgroup GROUP   group of the console socket\n"
"  -P, --port N            connect to switch port N\n"
"  -g, --group GROUP       group of the data socket\n"
"  -m, --mode OCTMODE      octal mode of the data socket (default 0700)\n"
"  -d, --daemon            run in the background (not with -)\n"
"  -p, --pidfile FILE      write the pid to FILE when ready (removed at exit)\n"
"  -q, --quiet             no start-up banner\n"
"  -v, --verbose           log DHCP leases, forwards and guest errors\n"
"  -V, --version           print the version and exit\n"
"  -h, --help              print this help and exit\n";

static const struct tool_help help = { "slirpvde", usage_text, TOOL_HELP_PARAGRAPH };

/* -X GUESTIP[:DISPLAY[.SCREEN]] into @x (the screen does not matter for
 * TCP, only for the banner) */
static int sv_parse_xdisplay(struct sv_xfwd *x, const char *s)
{
	char ip[INET_ADDRSTRLEN], d[8];
	const char *colon = strchr(s, ':'), *e;
	size_t n = colon ? (size_t)(colon - s) : strlen(s);
	long long v = 0, scr = 0;

	if (n == 0 || n >= sizeof(ip))
		return -1;
	memcpy(ip, s, n);
	ip[n] = '\0';
	if (inet_pton(AF_INET, ip, &x->guest) != 1 || !x->guest.s_addr)
		return -1;
	if (colon) {
		size_t dl = strcspn(colon + 1, ".");

		if (dl == 0 || dl >= sizeof(d))
			return -1;
		memcpy(d, colon + 1, dl);
		d[dl] = '\0';
		v = parse_num(d, 0, 99, &e);
		if (e)
			return -1;
		if (colon[1 + dl] == '.') {
			scr = parse_num(colon + 2 + dl, 0, 99, &e);
			if (e)
				return -1;
		}
	}
	x->display = (int)v;
	x->screen = (int)scr;
	x->host_display = -1;
	return 0;
}

/* The options that set one field of the configuration through its sconf
 * setter; a refusal is fatal, with the setter's message after @label. */
struct sv_setter {
	int opt;
	int (*set)(struct sconf *conf, const char *s, char *err, size_t errlen);
	const char *label;
};

static const struct sv_setter sv_setters[] = {
	{ 'D', sconf_set_dhcp, "-D: " },
	{ 'H', sconf_set_host, "-H: " },
	{ 'n', sconf_set_host, "-H: " },
	{ 'N', sconf_set_dns, "-N: " },
	{ OPT_HOST6, sconf_set_host6, "--host6: " },
	{ OPT_DNS6, sconf_set_dns6, "--dns6: " },
	{ OPT_MTU, sconf_set_mtu, "--" },	/* its message names the option */
};

static const struct sv_setter *sv_setter_of(int opt)
{
	size_t i;

	for (i = 0; i < sizeof(sv_setters) / sizeof(sv_setters[0]); i++)
		if (sv_setters[i].opt == opt)
			return &sv_setters[i];
	return NULL;
}

static void sv_parse_args(struct sv_ctx *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sock", required_argument, NULL, 's' },
		{ "socket", required_argument, NULL, 's' },
		{ "vdesock", required_argument, NULL, 's' },
		{ "unix", required_argument, NULL, 's' },
		{ "dhcp", optional_argument, NULL, 'D' },
		{ "host", required_argument, NULL, 'H' },
		{ "network", required_argument, NULL, 'n' },
		{ "dns", required_argument, NULL, 'N' },
		{ "nameserver", required_argument, NULL, 'N' },
		{ "tftp", required_argument, NULL, 't' },
		{ "bootfile", required_argument, NULL, OPT_BOOTFILE },
		{ "host6", required_argument, NULL, OPT_HOST6 },
		{ "dns6", required_argument, NULL, OPT_DNS6 },
		{ "no-ipv6", no_argument, NULL, OPT_NOV6 },
		{ "no-ipv4", no_argument, NULL, OPT_NOV4 },
		{ "mtu", required_argument, NULL, OPT_MTU },
		{ "restrict", no_argument, NULL, OPT_RESTRICT },
		{ "no-host-loopback", no_argument, NULL, OPT_NOLOOPBACK },
		{ "max-conns", required_argument, NULL, OPT_MAXCONNS },
		{ "max-conns-guest", required_argument, NULL, OPT_MAXCONNS_GUEST },
		{ "mgmt", required_argument, NULL, 'M' },
		{ "mgmtmode", required_argument, NULL, OPT_MGMTMODE },
		{ "mgmtgroup", required_argument, NULL, OPT_MGMTGROUP },
		{ "port", required_argument, NULL, 'P' },
		{ "group", required_argument, NULL, 'g' },
		{ "mode", required_argument, NULL, 'm' },
		{ "mod", required_argument, NULL, 'm' },
		{ "daemon", no_argument, NULL, 'd' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char err[256];
	const struct sv_setter *set;
	struct sfwd f;
	struct stat st;
	int opt, i;

	/* long options with one dash too (-socket, -dhcp, -daemon, -network):
	 * VDE 2's slirpvde takes them so, and its usage text shows them */
	while ((opt = getopt_long_only(argc, argv, "s:D::H:n:N:L:U:x:X:t:M:P:g:m:dp:qvVh",
				       longopts, NULL)) != -1) {
		err[0] = '\0';
		set = sv_setter_of(opt);
		if (set) {
			if (set->set(&c->conf, optarg, err, sizeof(err)))
				die("%s%s", set->label, err);
			continue;
		}
		switch (opt) {
		case 's':
			c->sock = optarg;
			break;
		case 'L':
		case 'U':
			if (sfwd_parse_inet(&f, opt == 'L' ? SFWD_TCP : SFWD_UDP, optarg, err,
					    sizeof(err)) ||
			    sconf_add_fwd(&c->conf, &f, err, sizeof(err)))
				die("-%c: %s", opt, err);
			break;
		case 'x':
			if (sfwd_parse_unix(&f, optarg, err, sizeof(err)) ||
			    sconf_add_fwd(&c->conf, &f, err, sizeof(err)))
				die("-x: %s", err);
			break;
		case 'X':
			if (c->nx == SV_MAXX)
				die("-X %s: at most %d X displays", optarg, SV_MAXX);
			if (sv_parse_xdisplay(&c->x[c->nx++], optarg))
				die("-X %s: expected GUESTIP[:DISPLAY[.SCREEN]]", optarg);
			break;
		case 't':
			c->conf.tftp = optarg;
			break;
		case OPT_BOOTFILE:
			c->conf.bootfile = optarg;
			break;
		case OPT_NOV6:
			c->conf.v6 = false;
			break;
		case OPT_NOV4:
			c->conf.v4 = false;
			break;
		case OPT_RESTRICT:
			c->conf.restricted = true;
			break;
		case OPT_NOLOOPBACK:
			c->conf.no_host_loopback = true;
			break;
		case OPT_MAXCONNS:
			if (sconf_set_maxconns(&c->conf.max_conns, "max-conns", optarg, err,
					       sizeof(err)))
				die("--%s", err);
			break;
		case OPT_MAXCONNS_GUEST:
			if (sconf_set_maxconns(&c->conf.max_conns_guest, "max-conns-guest",
					       optarg, err, sizeof(err)))
				die("--%s", err);
			break;
		case 'M':
			c->mgmt = optarg;
			break;
		case OPT_MGMTMODE:
			c->mgmtmode = tool_opt_sockmode("--mgmtmode", optarg);
			break;
		case OPT_MGMTGROUP:
			c->mgmtgroup = parse_group_arg("--mgmtgroup", optarg);
			break;
		case 'P':
			c->args.port = tool_opt_port(optarg);
			break;
		case 'g':
			/* named here: vde_open() fails with EINVAL, "malformed VNL" */
			(void)parse_group_arg("group", optarg);
			c->args.group = optarg;
			break;
		case 'm':
			c->args.mode = tool_opt_sockmode("-m", optarg);
			break;
		case 'd':
			c->daemon = true;
			break;
		case 'p':
			c->pidfile = optarg;
			break;
		case 'q':
			c->quiet = true;
			break;
		case 'v':
			c->verbose = true;
			break;
		case 'V':
			printf("slirpvde (%s) %s, libslirp %s\n", PACKAGE_NAME, PACKAGE_VERSION,
			       slirp_version_string());
			exit(EXIT_SUCCESS);
		case 'h':
			tool_usage(&help, EXIT_SUCCESS);
		default:
			tool_usage(&help, EXIT_FAILURE);
		}
	}
	for (i = optind; i < argc; i++) {
		unsigned char a[16];

		/* "-D 10.0.2.40": -D's START must be glued (getopt's optional
		 * argument), so the address was left as a switch */
		if ((inet_pton(AF_INET, argv[i], a) == 1 || inet_pton(AF_INET6, argv[i], a) == 1) &&
		    access(argv[i], F_OK))
			tool_misuse(&help, "'%s' is an address, not a switch: -D takes its START "
				    "glued, -D%s or --dhcp=%s", argv[i], argv[i], argv[i]);
	}
	if (optind < argc) {
		if (c->sock || optind != argc - 1)
			tool_misuse(&help, "only one switch (-s or a bare argument)");
		c->sock = argv[optind];
	}
	if (sconf_finish(&c->conf, err, sizeof(err)))
		die("%s", err);
	/* libslirp would answer every request with an error, and say nothing */
	if (c->conf.tftp) {
		const char *why = NULL;

		if (stat(c->conf.tftp, &st))
			why = strerror(errno);
		else if (!S_ISDIR(st.st_mode))
			why = "not a directory";
		if (why)
			log_warn("-t %s: %s: TFTP requests will fail", c->conf.tftp, why);
	}
	c->stream = c->sock && !strcmp(c->sock, "-");
	if (c->daemon && c->stream)
		die("-d cannot be used with - (stdin/stdout are the data path)");
	if (c->stream && c->conf.mtu > VDE_ETHBUFSIZE - 18)
		die("--mtu %zu: a VDE stream carries frames up to %d bytes (--mtu %d)",
		    c->conf.mtu, VDE_ETHBUFSIZE, VDE_ETHBUFSIZE - 18);
}

/* --- data path ----------------------------------------------------------- */

static void sv_end(struct sv_ctx *c, int rc, const char *why)
{
	if (c->rc < 0) {
		c->rc = rc;
		logmsg(rc ? LOG_ERR : LOG_NOTICE, "stopping: %s", why);
	}
	loop_stop(c->l);
}

/* -s -: a pipe or socket stdout is non-blocking (tool_out_nonblock()):
 * what the reader does not take waits in the writer's bounded backlog,
 * polled for EPOLLOUT; frames past it are dropped and counted. A stalled
 * reader never blocks the loop (signals, timers, the console). */
static void sv_out_poll(struct sv_ctx *c)
{
	bool want = stream_tx_pending(&c->tx);

	if (c->out_flags < 0 || want == c->out_wait)
		return;
	c->out_wait = want;
	loop_mod_fd(c->l, c->out_fd, want ? EPOLLOUT : 0);
}

static void on_stream_out(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct sv_ctx *c = arg;

	(void)l;
	(void)events;
	if (stream_tx_flush(&c->tx, fd) < 0) {
		stream_tx_init(&c->tx);
		sv_end(c, 0, "output closed");
	}
	sv_out_poll(c);
}

static ssize_t sv_send(void *arg, const void *frame, size_t len)
{
	struct sv_ctx *c = arg;
	ssize_t r;

	if (c->stream) {
		struct iovec v = { .iov_base = (void *)frame, .iov_len = len };

		r = stream_tx_frames(&c->tx, c->out_fd, &v, 1);
		sv_out_poll(c);
		if (r > 0)
			return (ssize_t)len;
		c->to_net_drops++;
		if (r < 0 && tool_out_gone(errno))
			sv_end(c, 0, "output closed");
		return -1;
	}
	r = vde_send(c->net, frame, len, 0);
	if (r < 0 && (errno == EAGAIN || errno == ENOBUFS)) {
		/* the switch's queue is full: wait a little (back-pressure),
		 * then drop; TCP retransmits */
		struct pollfd p = { .fd = c->data_fd, .events = POLLOUT };

		if (poll(&p, 1, SV_SEND_WAIT_MS) > 0)
			r = vde_send(c->net, frame, len, 0);
	}
	if (r < 0)
		c->to_net_drops++;
	return r;
}

static void sv_frame_in(void *arg, const uint8_t *frame, size_t len)
{
	struct sv_ctx *c = arg;

	if (len > sizeof(c->buf))
		len = sizeof(c->buf);	/* dropped as too big by the glue */
	memcpy(c->buf, frame, len);
	glue_input(c->g, c->buf, len);
}

static void on_net(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct sv_ctx *c = arg;
	int i;

	(void)l;
	(void)fd;
	(void)events;
	for (i = 0; i < SV_BATCH; i++) {
		ssize_t r = vde_recv(c->net, c->buf, sizeof(c->buf), 0);

		if (r > 1) {
			glue_input(c->g, c->buf, (size_t)r);
			continue;
		}
		if (r == 1)		/* libvdeplug: "arrived, drop it" */
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (r < 0 && errno != ECONNRESET && errno != ECONNREFUSED && errno != ENOTCONN &&
		    errno != EPIPE) {
			log_err("read from the switch: %s", strerror(errno));
			sv_end(c, 1, "I/O error");
		} else {
			sv_end(c, 0, "switch closed the connection");
		}
		break;
	}
	glue_service(c->g);
}

static void on_ctl(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct sv_ctx *c = arg;
	uint8_t b[256];
	ssize_t r = read(fd, b, sizeof(b));

	(void)l;
	(void)events;
	if (r > 0 || (r < 0 && (errno == EINTR || errno == EAGAIN)))
		return;
	sv_end(c, 0, "switch closed the connection");
}

static void on_stream_in(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct sv_ctx *c = arg;
	ssize_t r = read(fd, c->inbuf, sizeof(c->inbuf));

	(void)l;
	(void)events;
	if (r > 0) {
		stream_rx_feed(&c->rx, c->inbuf, (size_t)r, sv_frame_in, c);
		glue_service(c->g);
		return;
	}
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (r < 0) {
		log_err("read from stdin: %s", strerror(errno));
		sv_end(c, 1, "I/O error");
		return;
	}
	if (stream_rx_partial(&c->rx))
		log_warn("input ended inside a record (truncated frame dropped)");
	sv_end(c, 0, "end of input");
}

static void on_signal(struct loop *l, int signo, void *arg)
{
	(void)l;
	(void)signo;
	sv_end(arg, 0, "terminated by signal");
}

static void sv_glue_log(void *arg, int pri, const char *msg)
{
	struct sv_ctx *c = arg;

	if (c->verbose || pri <= LOG_WARNING)
		logmsg(pri, "%s", msg);
}

/* --- console ------------------------------------------------------------- */

static int cmd_showinfo(void *ctx, FILE *out, const char *args)
{
	struct sv_ctx *c = ctx;

	(void)args;
	fprintf(out, "slirpvde (%s) %s, libslirp %s\n", PACKAGE_NAME, PACKAGE_VERSION,
		slirp_version_string());
	fprintf(out, "network %s\n", c->stream ? "stdin/stdout stream" :
		c->sock ? c->sock : "default switch");
	glue_print_conf(c->g, out);
	fprintf(out, "forwards %zu\n", glue_fwd_count(c->g));
	return 0;
}

static int cmd_stats(void *ctx, FILE *out, const char *args)
{
	struct sv_ctx *c = ctx;
	const struct glue_stats *s = glue_stats(c->g);

	(void)args;
	fprintf(out, "from guests: frames %llu bytes %llu\n",
		(unsigned long long)s->in_frames, (unsigned long long)s->in_bytes);
	fprintf(out, "to guests: frames %llu bytes %llu errors %llu\n",
		(unsigned long long)s->out_frames, (unsigned long long)s->out_bytes,
		(unsigned long long)(s->out_errors));
	fprintf(out, "dropped: runt %llu too-big %llu tcp-fragment %llu truncated %llu "
		"not-for-us %llu tftp-off %llu\n",
		(unsigned long long)s->drop_runt, (unsigned long long)s->drop_big,
		(unsigned long long)s->drop_tcpfrag, (unsigned long long)s->drop_trunc,
		(unsigned long long)s->drop_notus, (unsigned long long)s->drop_tftp);
	fprintf(out, "tcp urgent cleared %llu\n", (unsigned long long)s->urg_cleared);
	fprintf(out, "ipv4 fragments held %llu reassembled %llu dropped %llu expired %llu\n",
		(unsigned long long)s->frag_held, (unsigned long long)s->frag_done,
		(unsigned long long)s->frag_dropped, (unsigned long long)s->frag_evicted);
	fprintf(out, "tcp connections open %llu refused %llu (bounds %u in all, %u per guest)\n",
		(unsigned long long)s->conns, (unsigned long long)s->conns_refused,
		glue_conf(c->g)->max_conns, glue_conf(c->g)->max_conns_guest);
	fprintf(out, "guest errors %llu\n", (unsigned long long)s->guest_errors);
	fprintf(out, "dhcp acks %llu\n", (unsigned long long)s->dhcp_acks);
	if (c->stream)
		fprintf(out, "stream bad lengths %llu\n", (unsigned long long)c->rx.bad_len);
	return 0;
}

static int cmd_leases(void *ctx, FILE *out, const char *args)
{
	struct sv_ctx *c = ctx;
	const struct glue_lease *le = glue_leases(c->g);
	uint64_t now = loop_now_ns();
	char a[INET_ADDRSTRLEN];
	size_t i;

	(void)args;
	for (i = 0; i < GLUE_MAXLEASES; i++) {
		const uint8_t *m = le[i].l.mac;
		uint64_t age;

		if (!le[i].when_ns)
			continue;
		age = (now - le[i].when_ns) / 1000000000ULL;
		inet_ntop(AF_INET, &le[i].l.addr, a, sizeof(a));
		fprintf(out, "%s %02x:%02x:%02x:%02x:%02x:%02x expires in %llu s\n", a, m[0],
			m[1], m[2], m[3], m[4], m[5],
			(unsigned long long)(age < le[i].l.lease_secs ?
					     le[i].l.lease_secs - age : 0));
	}
	return 0;
}

static int cmd_fwd_print(void *ctx, FILE *out, const char *args)
{
	struct sv_ctx *c = ctx;
	char line[160];
	size_t i;

	(void)args;
	for (i = 0; i < glue_fwd_count(c->g); i++) {
		sfwd_format(glue_fwd_get(c->g, i), line, sizeof(line));
		fprintf(out, "%s\n", line);
	}
	return 0;
}

/* "tcp SPEC" / "udp SPEC" / "unix SPEC" */
static int fwd_kind(const char *args, enum sfwd_kind *kind, const char **spec)
{
	static const char *const names[] = { "tcp", "udp", "unix" };
	size_t i, n = strcspn(args, " \t");

	for (i = 0; i < 3; i++) {
		if (strlen(names[i]) == n && !strncmp(args, names[i], n)) {
			*kind = (enum sfwd_kind)i;
			*spec = args + n + strspn(args + n, " \t");
			return **spec ? 0 : -1;
		}
	}
	return -1;
}

static int cmd_fwd_add(void *ctx, FILE *out, const char *args)
{
	struct sv_ctx *c = ctx;
	enum sfwd_kind kind;
	const char *spec;
	char err[200];
	struct sfwd f;
	int r;

	if (fwd_kind(args, &kind, &spec))
		return EINVAL;
	if (kind == SFWD_UNIX ? sfwd_parse_unix(&f, spec, err, sizeof(err)) :
	    sfwd_parse_inet(&f, kind, spec, err, sizeof(err)))
		return EINVAL;
	if (sconf_check_fwd(glue_conf(c->g), &f, err, sizeof(err))) {
		fprintf(out, "%s\n", err);
		return EADDRNOTAVAIL;
	}
	r = glue_fwd_add(c->g, &f);
	if (r == 0) {
		sfwd_format(&f, err, sizeof(err));
		if (c->verbose)
			log_info("forward added: %s", err);
	}
	return -r;
}

static int cmd_fwd_del(void *ctx, FILE *out, const char *args)
{
	struct sv_ctx *c = ctx;
	enum sfwd_kind kind;
	const char *spec, *colon, *e;
	char ip[INET_ADDRSTRLEN];
	struct in_addr a = { 0 };
	struct sfwd f;
	long long port;

	(void)out;
	if (fwd_kind(args, &kind, &spec))
		return EINVAL;
	colon = strrchr(spec, ':');
	if (colon) {
		if ((size_t)(colon - spec) >= sizeof(ip))
			return EINVAL;
		memcpy(ip, spec, (size_t)(colon - spec));
		ip[colon - spec] = '\0';
		if (inet_pton(AF_INET, ip, &a) != 1)
			return EINVAL;
		spec = colon + 1;
	}
	port = parse_num(spec, 1, 65535, &e);
	if (e)
		return EINVAL;
	memset(&f, 0, sizeof(f));
	f.kind = kind;
	if (kind == SFWD_UNIX) {
		f.guest_addr = a;
		f.guest_port = (int)port;
	} else {
		f.host_addr = a;
		f.host_port = (int)port;
	}
	return -glue_fwd_del(c->g, &f);
}

static int cmd_connections(void *ctx, FILE *out, const char *args)
{
	(void)args;
	glue_print_connections(((struct sv_ctx *)ctx)->g, out);
	return 0;
}

static int cmd_neighbors(void *ctx, FILE *out, const char *args)
{
	(void)args;
	glue_print_neighbors(((struct sv_ctx *)ctx)->g, out);
	return 0;
}

static const struct console_cmd sv_cmds[] = {
	{ "showinfo", "", "show the configuration", cmd_showinfo, CONSOLE_OUTPUT },
	{ "stats", "", "frame counters and drops", cmd_stats, CONSOLE_OUTPUT },
	{ "leases", "", "DHCP leases handed out", cmd_leases, CONSOLE_OUTPUT },
	{ "connections", "", "libslirp's sockets", cmd_connections, CONSOLE_OUTPUT },
	{ "neighbors", "", "ARP and NDP tables", cmd_neighbors, CONSOLE_OUTPUT },
	{ "fwd", "", "PORT FORWARDS", NULL, CONSOLE_MENU },
	{ "fwd/print", "", "list the forwards", cmd_fwd_print, CONSOLE_OUTPUT },
	{ "fwd/add", "tcp|udp [HOSTIP:]HPORT:GUESTIP:GPORT | unix [ADDR:]PORT:PATH",
	  "add a forward", cmd_fwd_add, 0 },
	{ "fwd/del", "tcp|udp [HOSTIP:]HPORT | unix [ADDR:]PORT", "remove a forward",
	  cmd_fwd_del, 0 },
};

/* --- console: JSON forms (field names documented in slirpvde(1)) --------- */

static void json_addr4(struct json *j, const char *key, struct in_addr a)
{
	char s[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &a, s, sizeof(s));
	json_str(j, key, s);
}

static int json_stats(void *ctx, struct json *j, const char *args)
{
	struct sv_ctx *c = ctx;
	const struct glue_stats *s = glue_stats(c->g);

	(void)args;
	json_obj(j, NULL);
	json_u64(j, "in_frames", s->in_frames);
	json_u64(j, "in_bytes", s->in_bytes);
	json_u64(j, "out_frames", s->out_frames);
	json_u64(j, "out_bytes", s->out_bytes);
	json_u64(j, "out_errors", s->out_errors);
	json_u64(j, "drop_runt", s->drop_runt);
	json_u64(j, "drop_too_big", s->drop_big);
	json_u64(j, "drop_tcp_fragment", s->drop_tcpfrag);
	json_u64(j, "drop_truncated", s->drop_trunc);
	json_u64(j, "drop_not_for_us", s->drop_notus);
	json_u64(j, "drop_tftp_off", s->drop_tftp);
	json_u64(j, "tcp_urgent_cleared", s->urg_cleared);
	json_u64(j, "frag_held", s->frag_held);
	json_u64(j, "frag_reassembled", s->frag_done);
	json_u64(j, "frag_dropped", s->frag_dropped);
	json_u64(j, "frag_expired", s->frag_evicted);
	json_u64(j, "guest_errors", s->guest_errors);
	json_u64(j, "dhcp_acks", s->dhcp_acks);
	json_u64(j, "tcp_conns_open", s->conns);
	json_u64(j, "tcp_conns_refused", s->conns_refused);
	json_u64(j, "max_conns", glue_conf(c->g)->max_conns);
	json_u64(j, "max_conns_guest", glue_conf(c->g)->max_conns_guest);
	json_u64(j, "to_net_drops", c->to_net_drops);
	if (c->stream)
		json_u64(j, "stream_bad_lengths", c->rx.bad_len);
	json_obj_end(j);
	return 0;
}

static int json_leases(void *ctx, struct json *j, const char *args)
{
	struct sv_ctx *c = ctx;
	const struct glue_lease *le = glue_leases(c->g);
	uint64_t now = loop_now_ns();
	char mac[18];
	size_t i;

	(void)args;
	json_obj(j, NULL);
	json_arr(j, "leases");
	for (i = 0; i < GLUE_MAXLEASES; i++) {
		const uint8_t *m = le[i].l.mac;
		uint64_t age;

		if (!le[i].when_ns)
			continue;
		age = (now - le[i].when_ns) / 1000000000ULL;
		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
			 m[3], m[4], m[5]);
		json_obj(j, NULL);
		json_addr4(j, "address", le[i].l.addr);
		json_str(j, "mac", mac);
		json_u64(j, "lease_s", le[i].l.lease_secs);
		json_u64(j, "expires_s", age < le[i].l.lease_secs ? le[i].l.lease_secs - age : 0);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
	return 0;
}

static int json_fwd_print(void *ctx, struct json *j, const char *args)
{
	struct sv_ctx *c = ctx;
	size_t i;

	(void)args;
	json_obj(j, NULL);
	json_arr(j, "forwards");
	for (i = 0; i < glue_fwd_count(c->g); i++) {
		const struct sfwd *f = glue_fwd_get(c->g, i);

		json_obj(j, NULL);
		json_str(j, "kind", f->kind == SFWD_UNIX ? "unix" :
				    f->kind == SFWD_TCP ? "tcp" : "udp");
		if (f->kind != SFWD_UNIX) {
			json_addr4(j, "host_address", f->host_addr);
			json_u64(j, "host_port", (uint64_t)f->host_port);
		}
		json_addr4(j, "guest_address", f->guest_addr);
		json_u64(j, "guest_port", (uint64_t)f->guest_port);
		if (f->kind == SFWD_UNIX)
			json_str(j, "path", f->path);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
	return 0;
}

/* the whole text of a glue_print_*() table, for parsing row by row */
static char *table_text(struct sv_ctx *c, void (*print)(struct glue *, FILE *))
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	if (!mem)
		return NULL;
	print(c->g, mem);
	if (fclose(mem) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* libslirp gives its socket table as text: parsed row by row */
static int json_connections(void *ctx, struct json *j, const char *args)
{
	char *text = table_text(ctx, glue_print_connections), *line, *save = NULL;

	(void)args;
	if (!text)
		return ENOMEM;
	json_obj(j, NULL);
	json_arr(j, "connections");
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct sconn cn;

		if (sconn_parse(line, &cn) < 0)
			continue;
		json_obj(j, NULL);
		json_str(j, "protocol", cn.proto);
		json_str(j, "state", cn.state);
		json_i64(j, "fd", cn.fd);
		json_str(j, "source_address", cn.src);
		json_i64(j, "source_port", cn.src_port);
		json_str(j, "dest_address", cn.dst);
		json_i64(j, "dest_port", cn.dst_port);
		json_i64(j, "recv_queue", cn.recvq);
		json_i64(j, "send_queue", cn.sendq);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
	free(text);
	return 0;
}

static int json_neighbors(void *ctx, struct json *j, const char *args)
{
	char *text = table_text(ctx, glue_print_neighbors), *line, *save = NULL;

	(void)args;
	if (!text)
		return ENOMEM;
	json_obj(j, NULL);
	json_arr(j, "neighbors");
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct sneigh nb;

		if (sneigh_parse(line, &nb) < 0)
			continue;
		json_obj(j, NULL);
		json_str(j, "table", nb.table);
		json_str(j, "mac", nb.mac);
		json_str(j, "address", nb.addr);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
	free(text);
	return 0;
}

static void json_addr6(struct json *j, const char *key, const struct in6_addr *a)
{
	char s[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, a, s, sizeof(s));
	json_str(j, key, s);
}

static int json_showinfo(void *ctx, struct json *j, const char *args)
{
	struct sv_ctx *c = ctx;
	const struct sconf *k = glue_conf(c->g);

	(void)args;
	json_obj(j, NULL);
	json_str(j, "version", PACKAGE_VERSION);
	json_str(j, "libslirp", slirp_version_string());
	json_str(j, "switch", c->stream ? "-" : c->sock ? c->sock : NULL);
	json_bool(j, "ipv4", k->v4);
	json_addr4(j, "network", k->net);
	json_u64(j, "prefix_len", 32 - (unsigned)__builtin_popcount(~ntohl(k->mask.s_addr)));
	json_addr4(j, "host", k->host);
	json_addr4(j, "dns", k->dns);
	if (k->dhcp)
		json_addr4(j, "dhcp_start", k->dhcp_start);
	else
		json_null(j, "dhcp_start");
	json_bool(j, "ipv6", k->v6);
	json_addr6(j, "prefix6", &k->prefix6);
	json_u64(j, "prefix6_len", k->prefix6_len);
	json_addr6(j, "host6", &k->host6);
	json_addr6(j, "dns6", &k->dns6);
	json_u64(j, "mtu", k->mtu);
	json_bool(j, "restrict", k->restricted);
	json_str(j, "tftp", k->tftp);
	json_u64(j, "forwards", glue_fwd_count(c->g));
	json_obj_end(j);
	return 0;
}

static const struct console_json_cmd sv_json[] = {
	{ "showinfo", json_showinfo },
	{ "neighbors", json_neighbors },
	{ "stats", json_stats },
	{ "leases", json_leases },
	{ "connections", json_connections },
	{ "fwd/print", json_fwd_print },
};

static void on_shutdown(void *ctx)
{
	sv_end(ctx, 0, "shutdown from the console");
}

/* --- set-up -------------------------------------------------------------- */

static void sv_open_net(struct sv_ctx *c)
{
	int fl;

	if (!c->args.mode)
		c->args.mode = 0700;
	c->net = vde_open(c->sock, "slirpvde:", &c->args);
	if (!c->net)
		die("%s", tool_vnl_error(c->sock, errno));
	c->data_fd = vde_datafd(c->net);
	fl = fcntl(c->data_fd, F_GETFL);
	if (fl < 0 || fcntl(c->data_fd, F_SETFL, fl | O_NONBLOCK) < 0)
		die_perror("switch data socket");
}

static void sv_banner(const struct sv_ctx *c)
{
	const struct sconf *k = &c->conf;
	char a[INET6_ADDRSTRLEN];
	unsigned len = 32 - (unsigned)__builtin_popcount(~ntohl(k->mask.s_addr));
	size_t i;

	inet_ntop(AF_INET, &k->host, a, sizeof(a));
	fprintf(stderr, "Starting slirpvde: virtual_host=%s/%u\n", a, len);
	inet_ntop(AF_INET, &k->dns, a, sizeof(a));
	fprintf(stderr, "                   DNS         =%s\n", a);
	if (k->dhcp) {
		inet_ntop(AF_INET, &k->dhcp_start, a, sizeof(a));
		fprintf(stderr, "                   dhcp_start  =%s\n", a);
	}
	if (k->v6) {
		inet_ntop(AF_INET6, &k->host6, a, sizeof(a));
		fprintf(stderr, "                   ipv6 host   =%s/%u\n", a, k->prefix6_len);
	}
	if (k->tftp)
		fprintf(stderr, "                   tftp prefix =%s\n", k->tftp);
	fprintf(stderr, "                   vde switch  =%s\n",
		c->stream ? "-" : c->sock ? c->sock : "(default)");
	/* VDE 2's lines for -L and -U: "HPORT:GUESTIP:GPORT" */
	for (i = 0; i < k->nfwd; i++) {
		const struct sfwd *f = &k->fwd[i];
		char h[INET_ADDRSTRLEN + 1] = "";

		if (f->kind == SFWD_UNIX)
			continue;
		if (f->host_addr.s_addr != htonl(INADDR_ANY)) {
			inet_ntop(AF_INET, &f->host_addr, h, sizeof(h) - 1);
			strcat(h, ":");
		}
		inet_ntop(AF_INET, &f->guest_addr, a, sizeof(a));
		fprintf(stderr, "                   redir %s   =%s%d:%s:%d\n",
			f->kind == SFWD_TCP ? "TCP" : "UDP", h, f->host_port, a, f->guest_port);
	}
	/* and for -X, after them: "GUESTIP:DISPLAY.SCREEN" */
	for (i = 0; i < c->nx; i++) {
		inet_ntop(AF_INET, &c->x[i].guest, a, sizeof(a));
		fprintf(stderr, "                   redir X     =%s:%d.%d\n", a, c->x[i].display,
			c->x[i].screen);
	}
	/* ours: which host display each one got */
	for (i = 0; i < c->nx; i++) {
		inet_ntop(AF_INET, &c->x[i].guest, a, sizeof(a));
		fprintf(stderr, "X display :%d forwarded to %s:%d\n", c->x[i].host_display, a,
			c->x[i].display);
	}
}

static void sv_setup(struct sv_ctx *c)
{
	static const struct glue_ops ops = { .send = sv_send, .log = sv_glue_log };
	struct console_config cc;
	char line[160];
	size_t i;

	c->l = loop_new();
	if (!c->l)
		die_perror("loop");
	c->g = glue_new(c->l, &c->conf, &ops, c);
	if (!c->g)
		die("libslirp refused the configuration");
	for (i = 0; i < c->conf.nfwd; i++) {
		struct sfwd f = c->conf.fwd[i];
		int r = glue_fwd_add(c->g, &f);

		sfwd_format(&f, line, sizeof(line));
		if (r < 0)
			die("forward %s: %s", line, strerror(-r));
		if (c->verbose)
			log_info("forward %s", line);
	}
	for (i = 0; i < c->nx; i++) {
		struct sv_xfwd *x = &c->x[i];
		struct sfwd f = { .kind = SFWD_TCP, .guest_addr = x->guest,
				  .guest_port = 6000 + x->display };
		int n, r = -1;

		/* VDE 2: the first X display free on the host */
		for (n = 0; n < 100 && r < 0; n++) {
			f.host_port = 6000 + n;
			r = glue_fwd_add(c->g, &f);
		}
		if (r < 0)
			die("-X: no free X display port (6000..6099) on the host");
		x->host_display = f.host_port - 6000;
	}
	if (c->stream) {
		stream_rx_init(&c->rx);
		stream_tx_init(&c->tx);
		if (loop_add_fd(c->l, c->in_fd, EPOLLIN, on_stream_in, c) < 0) {
			if (errno == EPERM)	/* epoll refuses regular files and /dev/null */
				die("-: standard input is a file, not a pipe or socket: the VDE "
				    "stream comes from dpipe or ssh (dpipe vde_plug SW = slirpvde -)");
			die_perror("stdin");
		}
		c->out_flags = tool_out_add(c->l, c->out_fd, on_stream_out, c);
	} else {
		if (loop_add_fd(c->l, c->data_fd, EPOLLIN, on_net, c) < 0)
			die_perror("switch data socket");
		if (vde_ctlfd(c->net) >= 0 &&
		    loop_add_fd(c->l, vde_ctlfd(c->net), EPOLLIN, on_ctl, c) < 0)
			die_perror("switch control socket");
	}
	if (c->mgmt) {
		memset(&cc, 0, sizeof(cc));
		cc.banner = "slirpvde (" PACKAGE_NAME ") " PACKAGE_VERSION
			    "\n(C) vdekit authors; GPLv2+\n";
		cc.prompt = SV_PROMPT;
		cc.shutdown_help = "stop slirpvde";
		cc.ctx = c;
		cc.on_shutdown = on_shutdown;
		c->con = console_new(c->l, &cc);
		if (!c->con || console_add_cmds(c->con, sv_cmds,
						sizeof(sv_cmds) / sizeof(sv_cmds[0])) < 0 ||
		    console_add_json(c->con, sv_json, sizeof(sv_json) / sizeof(sv_json[0])) < 0)
			die_perror("console");
		if (console_listen(c->con, c->mgmt, c->mgmtmode, c->mgmtgroup) < 0)
			die("management socket %s: %s", c->mgmt, console_listen_strerror(errno));
	}
}

int main(int argc, char **argv)
{
	static struct sv_ctx ctx;	/* buffers: not on the stack */
	struct sv_ctx *c = &ctx;

	log_init("slirpvde");
	sconf_init(&c->conf);
	c->in_fd = STDIN_FILENO;
	c->out_fd = STDOUT_FILENO;
	c->out_flags = -1;
	c->data_fd = -1;
	c->rc = -1;
	c->mgmtmode = 0600;
	c->mgmtgroup = (gid_t)-1;
	sv_parse_args(c, argc, argv);
	tool_stdio_guard();
	/* libslirp writes to host sockets whose peer may be gone: EPIPE, not a
	 * signal */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		die_perror("signals");

	/* a bad pid file is reported here, not after -d detached (exit 0) */
	tool_pidfile_check(c->pidfile);
	if (!c->stream)
		sv_open_net(c);
	sv_setup(c);
	if (!c->quiet)
		sv_banner(c);
	tool_daemonize(c->daemon);
	if (tool_add_stop_signals(c->l, on_signal, c) < 0)
		die_perror("signals");
	tool_pidfile_write(c->pidfile);
	daemon_ready(c->sock);

	if (loop_run(c->l) < 0 && c->rc < 0)
		c->rc = 1;
	daemon_stopping(c->rc > 0 ? "error" : "ended");
	if (c->verbose || c->rc > 0) {
		const struct glue_stats *s = glue_stats(c->g);

		log_info("frames from guests %llu, to guests %llu, dropped %llu",
			 (unsigned long long)s->in_frames, (unsigned long long)s->out_frames,
			 (unsigned long long)(s->drop_runt + s->drop_big + s->drop_tcpfrag +
					      s->drop_trunc + s->drop_notus + s->drop_tftp +
					      c->to_net_drops));
	}
	if (c->stream)
		tool_out_finish(&c->tx, c->out_fd, c->out_flags, c->verbose);
	console_free(c->con);
	glue_free(c->g);
	if (c->net)
		vde_close(c->net);
	loop_free(c->l);
	if (c->pidfile)
		pidfile_remove();
	return c->rc > 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
