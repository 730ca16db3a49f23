// SPDX-License-Identifier: GPL-2.0-or-later
/* plug/vde_plug.c - vde_plug: join a VDE network to a byte stream, to
 * another network, or to a command
 *
 * Three modes, chosen by the positional arguments:
 *   vde_plug [VNL]              stdin/stdout <-> VNL (VDE 2 stream mode)
 *   vde_plug VNL1 VNL2          direct cable between two VNLs (vdeplug4)
 *   vde_plug [VNL] = CMD ARGS   VNL <-> stream through CMD's stdin/stdout
 *
 * Theory of operation: one tool_poll() loop (lib/common/tool.h) over a
 * small fixed fd array (stream input and output, and the data and control
 * fds of each connection) plus the stop-signal fd, so SIGTERM/SIGINT/SIGHUP
 * are seen on every wake-up however busy the fds are. Each wake-up does a
 * bounded amount of work: one read of the input stream (PLUG_INBUF bytes)
 * and one batch (PLUG_BATCH frames) per connection. Frames go through the
 * library's vde_recv_batch()/vde_send_batch(), which are right for every
 * module, nested plugins (vlan://, agno://) included: the plug never looks
 * beneath a connection. Stream bytes go through lib/stream.h (2-byte
 * big-endian length records, VDE 2 bytes; zero-length records are counted
 * drops); the output stream is written by the non-blocking stream_tx
 * writer, whose backlog is flushed on POLLOUT (while it is not empty, the
 * network is not read: back-pressure). Sending to a full connection waits a
 * bounded time for room, then drops and counts. The plug ends cleanly
 * (status 0) when its input stream ends, when the reader of its output goes
 * away, when a switch closes the control connection, or on a stop signal.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "libvdeplug.h"
#include "stream.h"
#include "daemon.h"
#include "deadline.h"
#include "ether.h"
#include "log.h"
#include "parse.h"
#include "tool.h"

#define PLUG_SEND_WAIT_MS	1000	/* max wait for room before dropping */
#define PLUG_CHILD_GRACE_MS	2000	/* cmd mode: wait before SIGTERM/SIGKILL */
#define PLUG_INBUF		65536	/* input stream bytes per wake-up */
#define PLUG_BATCH		TOOL_BURST	/* frames per batch receive/send */
#define PLUG_LOGIN_MAXARGS	32	/* words of a -c command line */
#define PLUG_LOGIN_MAXLEN	4096
#define PLUG_IPLOG_SLOTS	64	/* -L: addresses remembered (then reused) */

enum plug_mode { MODE_STREAM, MODE_CABLE, MODE_CMD };

/* Why the loop ended. */
enum plug_end {
	END_NONE,
	END_INPUT_EOF,		/* stdin (or the command's stdout) closed */
	END_OUTPUT_CLOSED,	/* reader of our stream output went away */
	END_NET_GONE,		/* switch / peer closed the connection */
	END_SIGNAL,		/* SIGTERM, SIGINT or SIGHUP */
	END_ERROR,		/* unexpected I/O error, already logged */
};

struct plug_ctx {
	enum plug_mode mode;
	struct tool_net net[2];
	char *descr;
	const char *pidfile;
	bool daemon;
	bool verbose;
	bool syslog_startstop;		/* -l, and login-shell use */
	bool iplog;			/* -L: log new source addresses */
	struct plug_ipseen {
		uint8_t len;		/* 4 or 16; 0 = free */
		uint8_t addr[16];
		uint16_t vlan;
	} ipseen[PLUG_IPLOG_SLOTS];
	unsigned int ipseen_next;	/* slot to reuse when all are taken */
	const char *login_cmd;		/* -c CMDLINE (run as a login shell) */
	bool in_login;			/* parsing the words of login_cmd */
	char *login_argv[PLUG_LOGIN_MAXARGS + 1];
	char login_buf[PLUG_LOGIN_MAXLEN];
	char **cmd;			/* MODE_CMD: argv after "=" */
	pid_t cmd_pid;
	int in_fd, out_fd;		/* stream side */
	int out_flags;			/* out_fd's flags before O_NONBLOCK, or -1 */
	uint64_t sent, received, drops;	/* frames to / from the network(s) */
	struct stream_rx rx;
	struct stream_tx tx;
	unsigned int txn;		/* frames waiting in txmsg */
	struct vde_msg txmsg[PLUG_BATCH];
	struct vde_msg rxmsg[PLUG_BATCH];
	struct iovec outiov[PLUG_BATCH];
	uint8_t rxbuf[PLUG_BATCH][VDE_ETHBUFSIZE];
	uint8_t inbuf[PLUG_INBUF];
};

static const char usage_text[] =
"usage: vde_plug [OPTIONS] [VNL]\n"
"       vde_plug [OPTIONS] VNL1 VNL2\n"
"       vde_plug [OPTIONS] [VNL] = COMMAND [ARG...]\n"
"\n"
"Join a VDE network (VNL: a switch directory or vde(7) locator; default:\n"
"the default switch) to stdin/stdout as a stream of 2-byte-length records,\n"
"to a second VNL (a cable), or to the stdin/stdout of COMMAND.\n"
"\n"
"options:\n"
"  -p, --port N            connect to switch port N of VNL (VDE 2);\n"
"                          -p with an argument that does not start with a\n"
"                          digit is the pidfile (vdeplug4)\n"
"      --port2 N           switch port for VNL2\n"
"      --pidfile FILE      write the pid to FILE (removed at exit)\n"
"  -g, --group GROUP       group of the data socket for VNL (default: none)\n"
"  -G, --group2 GROUP      the same for VNL2\n"
"  -m, --mode, --mod MODE  octal mode of the data socket for VNL (default 0700)\n"
"  -M, --mode2, --mod2 MODE\n"
"                          the same for VNL2\n"
"  -s, --sock, --vdesock, --unix DIR\n"
"                          switch directory (the same as a VNL argument)\n"
"  -D, --descr TEXT        port description shown by the switch\n"
"                          (default \"vde_plug:\")\n"
"  -d, --daemon            run in the background (cable or COMMAND mode only)\n"
"  -v, --verbose           print connection and exit messages on stderr\n"
"  -l, --log               log START and STOP of the plug to syslog\n"
"  -L, --iplog             -l, and log each IPv4/IPv6 source address that\n"
"                          first appears in the frames sent to VNL\n"
"  -c 'vde_plug [ARGS]'    login-shell use (sshd): run the stream-mode\n"
"                          vde_plug command line ARGS, nothing else\n"
"  -V, --version           print the version and exit\n"
"  -h, --help              print this help and exit\n";

static const struct tool_help help = { "vde_plug", usage_text, TOOL_HELP_PARAGRAPH };

/* -L: log the IPv4/IPv6 source address of @f (going into net[0]) the
 * first time it is seen on its VLAN; the last PLUG_IPLOG_SLOTS addresses
 * are remembered. Frames are read as the switch's iplog reads them
 * (eth_ip_source()). The unspecified address (DHCP, DAD) is not logged. */
static void plug_iplog_frame(struct plug_ctx *c, const uint8_t *f, size_t len)
{
	static const uint8_t zero[16];
	struct plug_ipseen *e;
	char text[INET6_ADDRSTRLEN];
	const struct passwd *pw;
	const uint8_t *src;
	const char *ssh;
	size_t alen;
	uint16_t vlan;
	unsigned int i;

	src = eth_ip_source(f, len, &vlan, &alen);
	if (!src)
		return;
	if (memcmp(src, zero, alen) == 0)
		return;
	for (i = 0; i < PLUG_IPLOG_SLOTS; i++) {
		e = &c->ipseen[i];
		if (e->len == alen && e->vlan == vlan && memcmp(e->addr, src, alen) == 0)
			return;
	}
	e = &c->ipseen[c->ipseen_next];
	c->ipseen_next = (c->ipseen_next + 1) % PLUG_IPLOG_SLOTS;
	e->len = (uint8_t)alen;
	e->vlan = vlan;
	memcpy(e->addr, src, alen);
	inet_ntop(alen == 4 ? AF_INET : AF_INET6, e->addr, text, sizeof(text));
	pw = getpwuid(geteuid());
	ssh = getenv("SSH_CLIENT");
	syslog(LOG_INFO, "IP user=%s%s%.*s net=%s has IPv%c %s vlan %u", pw ? pw->pw_name : "?",
	       ssh ? " ip=" : "", ssh ? (int)strcspn(ssh, " ") : 0, ssh ? ssh : "",
	       c->net[0].name, alen == 4 ? '4' : '6', text, vlan);
}

/* Send @msg[0..n) to @n, waiting a bounded time for room when the peer's
 * queue is full; what still finds no room is dropped and counted. Errors
 * never end the plug here: a vanished switch shows up as EOF on its control
 * connection. */
static void plug_send(struct plug_ctx *c, struct tool_net *net, const struct vde_msg *msg,
		      unsigned int n)
{
	int64_t deadline = -1;
	unsigned int done = 0, i;

	if (c->iplog && net == &c->net[0])
		for (i = 0; i < n; i++)
			plug_iplog_frame(c, msg[i].buf, msg[i].len);
	while (done < n && !tool_stop_signal()) {
		ssize_t r = vde_send_batch(net->conn, msg + done, n - done, 0);

		if (r > 0) {
			done += (unsigned int)r;
			c->sent += (uint64_t)r;
			continue;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
			int64_t now = deadline_now();
			struct pollfd p = { .fd = vde_datafd(net->conn), .events = POLLOUT };

			if (deadline < 0)
				deadline = now + PLUG_SEND_WAIT_MS;
			if (now < deadline) {
				int64_t left = deadline - now;

				if (tool_poll(&p, 1, (int)(left < 50 ? left : 50)) < 0)
					break;
				continue;
			}
		} else if (r < 0 && errno == EINTR) {
			continue;
		}
		log_debug("send to %s: %s (frame dropped)", net->name, strerror(errno));
		done++;				/* drop the first, try the rest */
		c->drops++;
	}
	c->drops += n - done;
}

/* The frames collected from the input stream go out as one batch. */
static void plug_flush_tx(struct plug_ctx *c)
{
	if (c->txn)
		plug_send(c, &c->net[0], c->txmsg, c->txn);
	c->txn = 0;
}

static void plug_stream_frame(void *arg, const uint8_t *frame, size_t len)
{
	struct plug_ctx *c = arg;

	c->txmsg[c->txn].buf = (void *)frame;
	c->txmsg[c->txn++].len = len;
	/* the parser's own buffer is reused by the next record: send now */
	if (c->txn == PLUG_BATCH || frame == c->rx.buf)
		plug_flush_tx(c);
}

/* One batch from @net into c->rxmsg. Returns the number of frames, 0 when
 * there is nothing to deliver, or -1 with *end set when the loop must stop. */
static int plug_recv(struct plug_ctx *c, struct tool_net *net, enum plug_end *end)
{
	int r = tool_recv(net->conn, c->rxmsg, c->rxbuf, PLUG_BATCH);

	if (r == TOOL_GONE) {
		*end = END_NET_GONE;
	} else if (r == TOOL_ERROR) {
		log_err("receive from %s: %s", net->name, strerror(errno));
		*end = END_ERROR;
	}
	return r < 0 ? -1 : r;
}

/* Writing to the output stream failed (errno): its reader went away, or
 * an error named with the side it happened on. */
static enum plug_end plug_out_error(const struct plug_ctx *c)
{
	if (tool_out_gone(errno))
		return END_OUTPUT_CLOSED;
	log_err("write to %s: %s", c->mode == MODE_CMD ? c->cmd[0] : "stdout", strerror(errno));
	return END_ERROR;
}

/* Frames from the network to the output stream. */
static enum plug_end plug_to_stream(struct plug_ctx *c, int n)
{
	ssize_t w;
	int i;

	for (i = 0; i < n; i++) {
		c->outiov[i].iov_base = c->rxmsg[i].buf;
		c->outiov[i].iov_len = c->rxmsg[i].len;
	}
	w = stream_tx_frames(&c->tx, c->out_fd, c->outiov, (size_t)n);
	if (w >= 0) {
		c->received += (uint64_t)w;
		return END_NONE;
	}
	return plug_out_error(c);
}

/* Stream mode and COMMAND mode: in_fd/out_fd <-> net[0]. */
static enum plug_end plug_run_stream(struct plug_ctx *c)
{
	enum { PFD_IN, PFD_DATA, PFD_CTL, PFD_OUT, PFD_N };
	struct tool_net *n = &c->net[0];
	struct pollfd pfd[PFD_N] = {
		[PFD_IN] = { .fd = c->in_fd, .events = POLLIN },
		[PFD_DATA] = { .fd = vde_datafd(n->conn), .events = POLLIN },
		[PFD_CTL] = { .fd = vde_ctlfd(n->conn), .events = POLLIN },
		[PFD_OUT] = { .fd = -1, .events = POLLOUT },
	};
	enum plug_end end = END_NONE;

	stream_rx_init(&c->rx);
	stream_tx_init(&c->tx);
	while (end == END_NONE) {
		bool backlog = stream_tx_pending(&c->tx);
		enum tool_wait w;

		/* while the output has a backlog, wait for it, not for frames */
		pfd[PFD_DATA].fd = backlog ? -1 : vde_datafd(n->conn);
		pfd[PFD_OUT].fd = backlog ? c->out_fd : -1;
		w = tool_wait(pfd, PFD_N);
		if (w != TOOL_WAIT_READY) {
			end = w == TOOL_WAIT_STOP ? END_SIGNAL : END_ERROR;
			break;
		}
		if (pfd[PFD_CTL].revents && tool_ctl_gone(pfd[PFD_CTL].fd)) {
			end = END_NET_GONE;
			break;
		}
		if (pfd[PFD_OUT].revents && stream_tx_flush(&c->tx, c->out_fd) < 0) {
			end = plug_out_error(c);
			break;
		}
		if (pfd[PFD_DATA].revents) {
			int r = plug_recv(c, n, &end);

			if (r > 0)
				end = plug_to_stream(c, r);
		}
		if (end == END_NONE && pfd[PFD_IN].revents) {
			ssize_t r = read(c->in_fd, c->inbuf, sizeof(c->inbuf));

			if (r > 0) {
				stream_rx_feed(&c->rx, c->inbuf, (size_t)r, plug_stream_frame, c);
				plug_flush_tx(c);
			} else if (r == 0) {
				end = END_INPUT_EOF;
			} else if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
				log_err("read: %s", strerror(errno));
				end = END_ERROR;
			}
		}
	}
	/* what the reader has not taken yet: a bounded last chance */
	if (end != END_OUTPUT_CLOSED)
		(void)tool_out_drain(&c->tx, c->out_fd, TOOL_DRAIN_MS);
	if (stream_tx_pending(&c->tx))
		c->drops++;
	if (end == END_INPUT_EOF && stream_rx_partial(&c->rx))
		log_info("input ended inside a record (truncated frame dropped)");
	if (c->rx.bad_len)
		log_info("%llu bad record lengths in the input stream",
			 (unsigned long long)c->rx.bad_len);
	if (c->rx.empty)
		log_info("%llu zero-length records in the input stream (dropped)",
			 (unsigned long long)c->rx.empty);
	c->drops += c->rx.empty + c->tx.drops;
	return end;
}

/* Cable mode: net[0] <-> net[1]. */
static enum plug_end plug_run_cable(struct plug_ctx *c)
{
	enum { PFD_DATA0, PFD_CTL0, PFD_DATA1, PFD_CTL1, PFD_N };
	struct pollfd pfd[PFD_N] = {
		[PFD_DATA0] = { .fd = vde_datafd(c->net[0].conn), .events = POLLIN },
		[PFD_CTL0] = { .fd = vde_ctlfd(c->net[0].conn), .events = POLLIN },
		[PFD_DATA1] = { .fd = vde_datafd(c->net[1].conn), .events = POLLIN },
		[PFD_CTL1] = { .fd = vde_ctlfd(c->net[1].conn), .events = POLLIN },
	};
	enum plug_end end = END_NONE;

	while (end == END_NONE) {
		enum tool_wait w;
		int i;

		w = tool_wait(pfd, PFD_N);
		if (w != TOOL_WAIT_READY) {
			end = w == TOOL_WAIT_STOP ? END_SIGNAL : END_ERROR;
			break;
		}
		if ((pfd[PFD_CTL0].revents && tool_ctl_gone(pfd[PFD_CTL0].fd)) ||
		    (pfd[PFD_CTL1].revents && tool_ctl_gone(pfd[PFD_CTL1].fd))) {
			end = END_NET_GONE;
			break;
		}
		for (i = 0; i < 2 && end == END_NONE; i++) {
			int r;

			if (!pfd[i ? PFD_DATA1 : PFD_DATA0].revents)
				continue;
			r = plug_recv(c, &c->net[i], &end);
			if (r > 0) {
				c->received += (uint64_t)r;
				plug_send(c, &c->net[!i], c->rxmsg, (unsigned int)r);
			}
		}
	}
	return end;
}

static void plug_cloexec(int fd)
{
	int fl;

	if (fd < 0)
		return;
	fl = fcntl(fd, F_GETFD);
	if (fl >= 0)
		(void)fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
}

/* Fork COMMAND with its stdin/stdout on two pipes (ours: c->in_fd/out_fd). */
static void plug_spawn_cmd(struct plug_ctx *c)
{
	int to_cmd[2], from_cmd[2];
	pid_t pid;

	if (pipe2(to_cmd, O_CLOEXEC) < 0 || pipe2(from_cmd, O_CLOEXEC) < 0)
		die_perror("pipe");
	pid = fork();
	if (pid < 0)
		die_perror("fork");
	if (pid == 0) {
		tool_child_reset();
		if (dup2(to_cmd[0], STDIN_FILENO) < 0 || dup2(from_cmd[1], STDOUT_FILENO) < 0) {
			fprintf(stderr, "vde_plug: dup2: %s\n", strerror(errno));
			_exit(127);
		}
		execvp(c->cmd[0], c->cmd);
		fprintf(stderr, "vde_plug: cannot run %s: %s\n", c->cmd[0], strerror(errno));
		_exit(127);
	}
	close(to_cmd[0]);
	close(from_cmd[1]);
	c->cmd_pid = pid;
	c->in_fd = from_cmd[0];
	c->out_fd = to_cmd[1];
	log_info("started %s (pid %ld)", c->cmd[0], (long)pid);
}

/* Reap COMMAND: wait for it, SIGTERM it after a grace period (at once when
 * @now), SIGKILL if it still lingers. Returns a shell-style status. */
static int plug_reap_cmd(struct plug_ctx *c, bool now)
{
	int64_t start = deadline_now();
	int sent = now ? 0 : -1;	/* -1 none, 0 TERM due, 1 TERM sent, 2 KILL sent */
	int status = 0;

	for (;;) {
		pid_t r = waitpid(c->cmd_pid, &status, WNOHANG);
		int64_t el = deadline_now() - start;
		struct timespec ts = { 0, 10 * 1000000L };

		if (r == c->cmd_pid)
			break;
		if (r < 0 && errno != EINTR) {
			log_err("waitpid: %s", strerror(errno));
			return 1;
		}
		if (sent < 0 && el >= PLUG_CHILD_GRACE_MS)
			sent = 0;
		if (sent == 0) {
			kill(c->cmd_pid, SIGTERM);
			sent = 1;
			start = deadline_now();
		} else if (sent == 1 && el >= PLUG_CHILD_GRACE_MS) {
			kill(c->cmd_pid, SIGKILL);
			sent = 2;
		}
		nanosleep(&ts, NULL);
	}
	if (sent > 0 || (now && WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE))
		return 0;		/* we ended it (or closed its pipes): not its failure */
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;
}

static void plug_open(struct plug_ctx *c, struct tool_net *n)
{
	tool_open(n, c->descr);
	plug_cloexec(vde_datafd(n->conn));
	plug_cloexec(vde_ctlfd(n->conn));
	log_info("connected to %s", n->name);
}

static void plug_parse_args(struct plug_ctx *c, int argc, char **argv);

/* Login-shell use refused: tell the user and syslog, exit 1. */
__attribute__((noreturn))
static void plug_login_refuse(const char *why)
{
	const char *ssh = getenv("SSH_CLIENT");

	fprintf(stderr, "vde_plug: this account is a VDE cable endpoint: only "
		"'vde_plug [OPTIONS] [VNL]' can be run (%s)\n", why);
	syslog(LOG_WARNING, "refused login-shell use from %.*s: %s",
	       ssh ? (int)strcspn(ssh, " ") : 1, ssh ? ssh : "-", why);
	exit(EXIT_FAILURE);
}

/* sshd runs a login shell as "vde_plug -c 'COMMAND LINE'": accept only a
 * stream-mode vde_plug command line (no '= COMMAND', no daemon, no pidfile). */
static void plug_login(struct plug_ctx *c)
{
	char *w, *save = NULL;
	const char *base;
	int n = 0;

	if (snprintf(c->login_buf, sizeof(c->login_buf), "%s", c->login_cmd) >=
	    (int)sizeof(c->login_buf))
		plug_login_refuse("command line too long");
	for (w = strtok_r(c->login_buf, " \t\n", &save); w && n < PLUG_LOGIN_MAXARGS;
	     w = strtok_r(NULL, " \t\n", &save))
		c->login_argv[n++] = w;
	if (w)
		plug_login_refuse("too many arguments");
	c->login_argv[n] = NULL;
	base = n ? strrchr(c->login_argv[0], '/') : NULL;
	base = base ? base + 1 : n ? c->login_argv[0] : "";
	if (strcmp(base, "vde_plug") != 0)
		plug_login_refuse(c->login_cmd);
	c->in_login = true;
	optind = 0;
	plug_parse_args(c, n, c->login_argv);
	if (c->mode != MODE_STREAM || c->daemon || c->pidfile)
		plug_login_refuse("only stream mode is allowed");
	c->syslog_startstop = true;
}

static void plug_parse_args(struct plug_ctx *c, int argc, char **argv)
{
	enum { OPT_PORT2 = 256, OPT_PIDFILE };
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "port2", required_argument, NULL, OPT_PORT2 },
		{ "pidfile", required_argument, NULL, OPT_PIDFILE },
		{ "group", required_argument, NULL, 'g' },
		{ "group2", required_argument, NULL, 'G' },
		{ "mode", required_argument, NULL, 'm' },
		{ "mod", required_argument, NULL, 'm' },
		{ "mode2", required_argument, NULL, 'M' },
		{ "mod2", required_argument, NULL, 'M' },
		{ "sock", required_argument, NULL, 's' },
		{ "vdesock", required_argument, NULL, 's' },
		{ "unix", required_argument, NULL, 's' },
		{ "descr", required_argument, NULL, 'D' },
		{ "daemon", no_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "log", no_argument, NULL, 'l' },
		{ "iplog", no_argument, NULL, 'L' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *sock = NULL;
	int optc = argc, npos, opt, i;

	/* Options end at "=": what follows belongs to COMMAND. */
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "=") == 0) {
			optc = i;
			break;
		}
	}
	while ((opt = getopt_long(optc, argv, "p:g:G:m:M:s:D:dvlLc:Vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			/* vdeplug4's -p is the pidfile; VDE 2's a port: a
			 * number is a port, and "5x" is a bad port, not a file */
			if (optarg[0] >= '0' && optarg[0] <= '9')
				c->net[0].args.port = tool_opt_port(optarg);
			else
				c->pidfile = optarg;
			break;
		case OPT_PORT2:
			c->net[1].args.port = tool_opt_port(optarg);
			break;
		case OPT_PIDFILE:
			c->pidfile = optarg;
			break;
		case 'g':
			/* named here: vde_open() fails with EINVAL, "malformed VNL" */
			(void)parse_group_arg("group", optarg);
			c->net[0].args.group = optarg;
			break;
		case 'G':
			/* named here: vde_open() fails with EINVAL, "malformed VNL" */
			(void)parse_group_arg("group", optarg);
			c->net[1].args.group = optarg;
			break;
		case 'm':
			c->net[0].args.mode = parse_mode_arg("mode", optarg);
			break;
		case 'M':
			c->net[1].args.mode = parse_mode_arg("mode", optarg);
			break;
		case 's':
			sock = optarg;
			break;
		case 'D':
			c->descr = optarg;
			break;
		case 'd':
			c->daemon = true;
			break;
		case 'v':
			c->verbose = true;
			break;
		case 'l':
			c->syslog_startstop = true;
			break;
		case 'L':
			c->syslog_startstop = true;
			c->iplog = true;
			break;
		case 'c':
			if (c->in_login)
				plug_login_refuse("nested -c");
			c->login_cmd = optarg;
			break;
		case 'V':
			tool_version("vde_plug");
		case 'h':
			tool_usage(&help, EXIT_SUCCESS);
		default:
			tool_usage(&help, EXIT_FAILURE);
		}
	}
	if (c->login_cmd && !c->in_login) {
		if (optind != argc || argc != 3)
			plug_login_refuse("-c takes the whole command line");
		plug_login(c);
		return;
	}
	npos = optc - optind;
	if (optc < argc) {			/* [VNL] = COMMAND ... */
		c->mode = MODE_CMD;
		if (optc + 1 >= argc)
			tool_misuse(&help, "'=' must be followed by a command");
		c->cmd = argv + optc + 1;
		if (npos > 1)
			tool_misuse(&help, "at most one VNL before '='");
	} else if (npos == 2) {
		c->mode = MODE_CABLE;
	} else if (npos > 2) {
		tool_misuse(&help, "too many arguments");
	} else {
		c->mode = MODE_STREAM;
	}
	if (npos > 0)
		c->net[0].vnl = argv[optind];
	if (npos > 1)
		c->net[1].vnl = argv[optind + 1];
	if (sock) {
		if (npos > 0)
			die("-s %s and a VNL argument both name the network", sock);
		c->net[0].vnl = sock;
	}
	if (c->mode != MODE_CABLE &&
	    (c->net[1].args.port || c->net[1].args.group || c->net[1].args.mode != 0700))
		die("--port2, -G and -M need two VNLs");
	if (c->daemon && c->mode == MODE_STREAM)
		die("-d needs two VNLs or '= COMMAND' (stdin/stdout are the data path)");
}

static const char *plug_end_text(enum plug_end end, const struct plug_ctx *c)
{
	switch (end) {
	case END_INPUT_EOF:
		return c->mode == MODE_CMD ? "command closed its output" : "end of input";
	case END_OUTPUT_CLOSED:
		return "output closed";
	case END_NET_GONE:
		return "network connection closed";
	case END_SIGNAL:
		return "terminated by signal";
	case END_ERROR:
		return "I/O error";
	case END_NONE:
		break;
	}
	return "?";
}

/* -l: one syslog line at start and at stop: user, ssh client, networks. */
static void plug_syslog(const struct plug_ctx *c, const char *what, const char *why)
{
	const char *ssh = getenv("SSH_CLIENT");
	struct passwd *pw = getpwuid(geteuid());

	syslog(LOG_INFO, "%s user=%s%s%.*s net=%s%s%s%s%s", what, pw ? pw->pw_name : "?",
	       ssh ? " ip=" : "", ssh ? (int)strcspn(ssh, " ") : 0, ssh ? ssh : "",
	       c->net[0].name, c->mode == MODE_CABLE ? "," : "",
	       c->mode == MODE_CABLE ? c->net[1].name : "", why ? ": " : "", why ? why : "");
}

int main(int argc, char **argv)
{
	static struct plug_ctx ctx;	/* ~0.7 MiB of buffers: not on the stack */
	struct plug_ctx *c = &ctx;
	enum plug_end end;
	int status, i;

	tool_init("vde_plug");
	openlog("vde_plug", LOG_PID, LOG_USER);
	if (argv[0][0] == '-')		/* interactive login with vde_plug as shell */
		plug_login_refuse("interactive login");
	c->descr = "vde_plug:";
	for (i = 0; i < 2; i++)
		c->net[i].args.mode = 0700;
	c->in_fd = STDIN_FILENO;
	c->out_fd = STDOUT_FILENO;
	c->out_flags = -1;
	plug_parse_args(c, argc, argv);
	log_set_level(c->verbose ? LOG_INFO : LOG_WARNING);
	tool_pidfile_check(c->pidfile);	/* before anything is created, not after -d */
	plug_open(c, &c->net[0]);
	if (c->mode == MODE_CABLE)
		plug_open(c, &c->net[1]);
	tool_daemonize(c->daemon);
	tool_pidfile_write(c->pidfile);
	if (c->mode == MODE_CMD)
		plug_spawn_cmd(c);
	/* a stalled reader must not hold the loop: the writer keeps a backlog */
	if (c->mode != MODE_CABLE)
		c->out_flags = tool_out_nonblock(c->out_fd);
	{
		char what[512];

		snprintf(what, sizeof(what), "%s%s%s%s%s", c->net[0].name,
			 c->mode == MODE_CABLE ? " <-> " : "",
			 c->mode == MODE_CABLE ? c->net[1].name : "",
			 c->mode == MODE_CMD ? " <-> " : "", c->mode == MODE_CMD ? c->cmd[0] : "");
		daemon_ready(what);
	}
	if (c->syslog_startstop)
		plug_syslog(c, "START", NULL);

	end = c->mode == MODE_CABLE ? plug_run_cable(c) : plug_run_stream(c);
	log_info("%s; frames sent %llu, received %llu, dropped %llu", plug_end_text(end, c),
		 (unsigned long long)c->sent, (unsigned long long)c->received,
		 (unsigned long long)c->drops);

	if (c->syslog_startstop)
		plug_syslog(c, "STOP", plug_end_text(end, c));
	daemon_stopping(plug_end_text(end, c));
	status = end == END_ERROR ? EXIT_FAILURE : EXIT_SUCCESS;
	if (c->mode == MODE_CMD) {
		int cs;

		close(c->in_fd);
		close(c->out_fd);
		c->out_flags = -1;
		cs = plug_reap_cmd(c, end != END_INPUT_EOF);
		if (status == EXIT_SUCCESS && cs != 0) {
			log_err("%s exited with status %d", c->cmd[0], cs);
			status = cs;
		}
	}
	tool_out_restore(c->out_fd, c->out_flags);
	for (i = 0; i < 2; i++)
		if (c->net[i].conn)
			vde_close(c->net[i].conn);
	if (c->pidfile)
		pidfile_remove();
	return status;
}
