// SPDX-License-Identifier: GPL-2.0-or-later
/* plug2tap/main.c - vde_plug2tap: join a Linux tap interface to a VDE network
 *
 * Opens TAPNAME through libvdeplug's built-in tap:// module (a persistent
 * tap is attached, otherwise a transient one is created) and shuttles
 * frames between it and a switch (-s SOCK|VNL, default switch otherwise)
 * or, with -s -, a VDE byte stream on stdin/stdout (lib/stream.h), as in
 * `dpipe vde_plug SW = ssh host vde_plug2tap -s - tap0`. VDE 2's command
 * line. The run ends with a message when the tap is deleted, the switch
 * goes away, the stream input ends, or on SIGTERM/SIGINT/SIGHUP. Frames
 * the tap refuses (interface down) and frames a full switch queue refuses
 * are dropped and counted, never fatal.
 */
#include "config.h"

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
#include <unistd.h>

#include "daemon.h"
#include "libvdeplug.h"
#include "log.h"
#include "parse.h"
#include "stream.h"

#define P2T_IFNAMEMAX	15		/* IFNAMSIZ - 1 */
#define P2T_INBUF	65536

enum p2t_end {
	END_NONE,
	END_TAP_GONE,		/* interface deleted */
	END_NET_GONE,		/* switch closed the connection */
	END_INPUT_EOF,		/* -s -: end of stdin */
	END_OUTPUT_CLOSED,	/* -s -: stdout closed */
	END_SIGNAL,
	END_ERROR,		/* already logged */
};

struct p2t_ctx {
	const char *tapname;
	char tapvnl[8 + P2T_IFNAMEMAX];
	char *sock;			/* NULL = default switch, "-" = stream */
	struct vde_open_args args;
	const char *pidfile;
	bool daemon;
	bool stream;
	VDECONN *tap;
	VDECONN *net;
	int in_fd, out_fd;
	uint64_t to_net, to_tap, drops;
	sigset_t poll_mask;
	struct stream_rx rx;
	uint8_t buf[VDE_ETHBUFSIZE];
	uint8_t inbuf[P2T_INBUF];
};

static volatile sig_atomic_t p2t_stop;

static void p2t_on_signal(int signo)
{
	p2t_stop = signo;
}

static const char usage_text[] =
"usage: vde_plug2tap [OPTIONS] TAPNAME\n"
"\n"
"Join the Linux tap interface TAPNAME to a VDE switch, or with -s - to a\n"
"VDE stream on stdin/stdout. A persistent tap TAPNAME is attached; otherwise\n"
"a transient one is created (needs CAP_NET_ADMIN) and removed at exit.\n"
"\n"
"options:\n"
"  -s, --sock SOCK|VNL     switch directory or vde(7) locator (default: the\n"
"                          default switch); - = stdin/stdout stream mode\n"
"  -p, --port N            connect to switch port N\n"
"  -g, --group GROUP       group of the data socket (default: none)\n"
"  -m, --mode OCTMODE      octal mode of the data socket (default 0700)\n"
"  -d, --daemon            run in the background (not with -s -)\n"
"  -P, --pidfile FILE      write the pid to FILE (removed at exit)\n"
"  -V, --version           print the version and exit\n"
"  -h, --help              print this help and exit\n";

static void usage(FILE *f, int status)
{
	if (f == stdout)
		fputs(usage_text, f);
	else
		fprintf(f, "%.*sTry 'vde_plug2tap --help' for more information.\n",
			(int)(strstr(usage_text, "\n\n") - usage_text + 1), usage_text);
	exit(status);
}

static void p2t_parse_args(struct p2t_ctx *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sock", required_argument, NULL, 's' },
		{ "port", required_argument, NULL, 'p' },
		{ "group", required_argument, NULL, 'g' },
		{ "mode", required_argument, NULL, 'm' },
		{ "daemon", no_argument, NULL, 'd' },
		{ "pidfile", required_argument, NULL, 'P' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *err;
	mode_t mode;
	int opt;

	while ((opt = getopt_long(argc, argv, "s:p:g:m:dP:Vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			c->sock = optarg;
			break;
		case 'p':
			c->args.port = (int)parse_num(optarg, 1, 0xffffff, &err);
			if (err)
				die("-p %s: port number %s", optarg, err);
			break;
		case 'g':
			c->args.group = optarg;
			break;
		case 'm':
			if (parse_mode(optarg, &mode) || mode == 0)
				die("-m %s: not an octal mode", optarg);
			c->args.mode = mode;
			break;
		case 'd':
			c->daemon = true;
			break;
		case 'P':
			c->pidfile = optarg;
			break;
		case 'V':
			printf("vde_plug2tap (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
			exit(EXIT_SUCCESS);
		case 'h':
			usage(stdout, EXIT_SUCCESS);
			break;
		default:
			usage(stderr, EXIT_FAILURE);
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "vde_plug2tap: %s\n",
			optind == argc ? "missing TAPNAME" : "only one TAPNAME");
		usage(stderr, EXIT_FAILURE);
	}
	c->tapname = argv[optind];
	if (!c->tapname[0] || strlen(c->tapname) > P2T_IFNAMEMAX)
		die("'%s': an interface name has 1 to %d characters", c->tapname,
		    P2T_IFNAMEMAX);
	if (strpbrk(c->tapname, "/: \t\n") || !strcmp(c->tapname, ".") ||
	    !strcmp(c->tapname, ".."))
		die("'%s': not a valid interface name", c->tapname);
	c->stream = c->sock && !strcmp(c->sock, "-");
	if (c->daemon && c->stream)
		die("-d cannot be used with -s - (stdin/stdout are the data path)");
}

static void p2t_open_tap(struct p2t_ctx *c)
{
	snprintf(c->tapvnl, sizeof(c->tapvnl), "tap://%s", c->tapname);
	c->tap = vde_open(c->tapvnl, "vde_plug2tap:", NULL);
	if (c->tap)
		return;
	switch (errno) {
	case ENOENT:
	case ENODEV:
		die("cannot open /dev/net/tun: %s (is the tun driver available?)",
		    strerror(errno));
	case EPERM:
	case EACCES:
		die("cannot attach tap %s: %s (creating a tap needs CAP_NET_ADMIN; "
		    "without it only a persistent tap owned by this user can be used)",
		    c->tapname, strerror(errno));
	case EBUSY:
		die("tap %s is busy: another process has it open", c->tapname);
	case EINVAL:
		die("cannot attach tap %s: %s (is %s an interface of another kind?)",
		    c->tapname, strerror(errno), c->tapname);
	default:
		die_perror("cannot attach tap %s", c->tapname);
	}
}

static void p2t_open_net(struct p2t_ctx *c)
{
	const char *name = c->sock ? c->sock : "the default switch";

	if (!c->args.mode)
		c->args.mode = 0700;
	c->net = vde_open(c->sock, "vde_plug2tap:", &c->args);
	if (c->net)
		return;
	switch (errno) {
	case ENOENT:
	case ECONNREFUSED:
	case ENOTDIR:
		die("cannot connect to switch %s: %s (is a vde_switch running there?)",
		    name, strerror(errno));
	case ETIMEDOUT:
		die("switch %s did not grant a port (port %d in use?)", name, c->args.port);
	default:
		die_perror("cannot connect to switch %s", name);
	}
}

/* Control connection readable: anything but EOF is noise. */
static bool p2t_ctl_gone(int fd)
{
	uint8_t b[256];
	ssize_t r = read(fd, b, sizeof(b));

	if (r > 0)
		return false;
	return !(r < 0 && (errno == EINTR || errno == EAGAIN));
}

static void p2t_send_net(struct p2t_ctx *c, const uint8_t *frame, size_t len)
{
	if (vde_send(c->net, frame, len, 0) < 0)
		c->drops++;
	else
		c->to_net++;
}

static void p2t_send_tap(struct p2t_ctx *c, const uint8_t *frame, size_t len)
{
	if (vde_send(c->tap, frame, len, 0) < 0)
		c->drops++;	/* EIO: the interface is down */
	else
		c->to_tap++;
}

static void p2t_stream_frame(void *arg, const uint8_t *frame, size_t len)
{
	p2t_send_tap(arg, frame, len);
}

/* One frame from the tap into the network or the output stream. */
static enum p2t_end p2t_from_tap(struct p2t_ctx *c)
{
	ssize_t r = vde_recv(c->tap, c->buf, sizeof(c->buf), 0);

	if (r == 0)
		return END_TAP_GONE;
	if (r < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return END_NONE;
		log_err("read from tap %s: %s", c->tapname, strerror(errno));
		return END_ERROR;
	}
	if (!c->stream) {
		p2t_send_net(c, c->buf, (size_t)r);
		return END_NONE;
	}
	if (stream_write_frame(c->out_fd, c->buf, (size_t)r) > 0) {
		c->to_net++;
		return END_NONE;
	}
	if (errno == EPIPE)
		return END_OUTPUT_CLOSED;
	if (errno == EAGAIN || errno == EINTR) {
		c->drops++;
		return END_NONE;
	}
	log_err("write: %s", strerror(errno));
	return END_ERROR;
}

static enum p2t_end p2t_from_net(struct p2t_ctx *c)
{
	ssize_t r;

	if (c->stream) {
		r = read(c->in_fd, c->inbuf, sizeof(c->inbuf));
		if (r > 0) {
			stream_rx_feed(&c->rx, c->inbuf, (size_t)r, p2t_stream_frame, c);
			return END_NONE;
		}
		if (r == 0)
			return END_INPUT_EOF;
	} else {
		r = vde_recv(c->net, c->buf, sizeof(c->buf), 0);
		if (r > 1) {
			p2t_send_tap(c, c->buf, (size_t)r);
			return END_NONE;
		}
		if (r == 1)		/* libvdeplug: "arrived, drop it" */
			return END_NONE;
		if (r == 0)
			return END_NET_GONE;
		if (errno == ECONNRESET || errno == ECONNREFUSED || errno == ENOTCONN ||
		    errno == EPIPE)
			return END_NET_GONE;
	}
	if (errno == EINTR || errno == EAGAIN)
		return END_NONE;
	log_err("read from %s: %s", c->stream ? "stdin" : "switch", strerror(errno));
	return END_ERROR;
}

static enum p2t_end p2t_run(struct p2t_ctx *c)
{
	enum { PFD_TAP, PFD_DATA, PFD_CTL, PFD_N };
	struct pollfd pfd[PFD_N] = {
		[PFD_TAP] = { .fd = vde_datafd(c->tap), .events = POLLIN },
		[PFD_DATA] = { .fd = c->stream ? c->in_fd : vde_datafd(c->net), .events = POLLIN },
		[PFD_CTL] = { .fd = c->stream ? -1 : vde_ctlfd(c->net), .events = POLLIN },
	};
	enum p2t_end end = END_NONE;

	stream_rx_init(&c->rx);
	while (end == END_NONE) {
		if (p2t_stop) {
			end = END_SIGNAL;
			break;
		}
		if (ppoll(pfd, PFD_N, NULL, &c->poll_mask) < 0) {
			if (errno == EINTR)
				continue;
			log_err("poll: %s", strerror(errno));
			end = END_ERROR;
			break;
		}
		if (pfd[PFD_CTL].revents && p2t_ctl_gone(pfd[PFD_CTL].fd))
			end = END_NET_GONE;
		if (end == END_NONE && pfd[PFD_TAP].revents)
			end = p2t_from_tap(c);
		if (end == END_NONE && pfd[PFD_DATA].revents)
			end = p2t_from_net(c);
	}
	if (end == END_INPUT_EOF && stream_rx_partial(&c->rx))
		log_warn("input ended inside a record (truncated frame dropped)");
	return end;
}

static const char *p2t_end_text(enum p2t_end end)
{
	switch (end) {
	case END_TAP_GONE:
		return "tap interface deleted";
	case END_NET_GONE:
		return "switch closed the connection";
	case END_INPUT_EOF:
		return "end of input";
	case END_OUTPUT_CLOSED:
		return "output closed";
	case END_SIGNAL:
		return "terminated by signal";
	case END_ERROR:
		return "I/O error";
	case END_NONE:
		break;
	}
	return "?";
}

int main(int argc, char **argv)
{
	static struct p2t_ctx ctx;	/* ~75 KiB of buffers: not on the stack */
	struct p2t_ctx *c = &ctx;
	struct sigaction sa;
	sigset_t stopsigs;
	enum p2t_end end;
	int fd;

	log_init("vde_plug2tap");
	c->in_fd = STDIN_FILENO;
	c->out_fd = STDOUT_FILENO;
	p2t_parse_args(c, argc, argv);
	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= STDERR_FILENO)
		;
	if (fd < 0)
		die_perror("/dev/null");
	close(fd);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = p2t_on_signal;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&stopsigs);
	sigaddset(&stopsigs, SIGTERM);
	sigaddset(&stopsigs, SIGINT);
	sigaddset(&stopsigs, SIGHUP);
	if (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0 ||
	    sigaction(SIGHUP, &sa, NULL) < 0 || signal(SIGPIPE, SIG_IGN) == SIG_ERR ||
	    sigprocmask(SIG_BLOCK, &stopsigs, &c->poll_mask) < 0)
		die_perror("signals");
	sigdelset(&c->poll_mask, SIGTERM);
	sigdelset(&c->poll_mask, SIGINT);
	sigdelset(&c->poll_mask, SIGHUP);

	p2t_open_tap(c);
	if (!c->stream)
		p2t_open_net(c);
	if (c->daemon && daemonize() < 0)
		die_perror("daemon");
	if (c->pidfile && pidfile_write(c->pidfile, NULL) < 0)
		die_perror("pidfile %s", c->pidfile);

	end = p2t_run(c);
	logmsg(end == END_ERROR ? LOG_ERR : LOG_NOTICE,
	       "%s %s: %s; frames to the network %llu, to the tap %llu, dropped %llu",
	       end == END_TAP_GONE ? "tap" : "stopping,", c->tapname, p2t_end_text(end),
	       (unsigned long long)c->to_net, (unsigned long long)c->to_tap,
	       (unsigned long long)c->drops);
	if (c->net)
		vde_close(c->net);
	vde_close(c->tap);
	if (c->pidfile)
		pidfile_remove();
	return end == END_ERROR ? EXIT_FAILURE : EXIT_SUCCESS;
}
