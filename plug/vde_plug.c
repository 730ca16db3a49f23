// SPDX-License-Identifier: GPL-2.0-or-later
/* plug/vde_plug.c - vde_plug: join a VDE network to a byte stream, to
 * another network, or to a command
 *
 * Three modes, chosen by the positional arguments:
 *   vde_plug [VNL]              stdin/stdout <-> VNL (VDE 2 stream mode)
 *   vde_plug VNL1 VNL2          direct cable between two VNLs (vdeplug4)
 *   vde_plug [VNL] = CMD ARGS   VNL <-> stream through CMD's stdin/stdout
 *
 * Theory of operation: one ppoll() loop over a small fixed fd array (stream
 * input, and the data and control fds of each connection). Stream bytes go
 * through lib/stream.h (2-byte big-endian length records, VDE 2 bytes);
 * every complete record becomes one vde_send(). Every frame read from a
 * connection is written as one record, or sent to the other connection in
 * cable mode. Frames from a vde:// switch port are taken in batches
 * (recvmmsg) and written to the stream with one writev per batch, so a
 * busy port costs a few system calls per batch instead of a poll, a
 * receive and a write per frame. Sending to a full connection waits a
 * bounded time for room, then drops and counts. The plug ends cleanly
 * (status 0) when its input stream ends, when the reader of its output goes
 * away, when a switch closes the control connection, or on
 * SIGTERM/SIGINT/SIGHUP.
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
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "libvdeplug.h"
#include "stream.h"
#include "daemon.h"
#include "log.h"
#include "parse.h"

#define PLUG_SEND_WAIT_MS	1000	/* max wait for room before dropping */
#define PLUG_CHILD_GRACE_MS	2000	/* cmd mode: wait before SIGTERM/SIGKILL */
#define PLUG_INBUF		65536
#define PLUG_BATCH		64	/* frames per recvmmsg from a switch port */
#define PLUG_LOGIN_MAXARGS	32	/* words of a -c command line */
#define PLUG_LOGIN_MAXLEN	4096

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

struct plug_conn {
	char *vnl;			/* NULL = default network */
	struct vde_open_args args;
	VDECONN *conn;
	const char *name;		/* for messages */
};

struct plug_ctx {
	enum plug_mode mode;
	struct plug_conn net[2];
	char *descr;
	const char *pidfile;
	bool daemon;
	bool verbose;
	bool syslog_startstop;		/* -l, and login-shell use */
	const char *login_cmd;		/* -c CMDLINE (run as a login shell) */
	bool in_login;			/* parsing the words of login_cmd */
	char *login_argv[PLUG_LOGIN_MAXARGS + 1];
	char login_buf[PLUG_LOGIN_MAXLEN];
	char **cmd;			/* MODE_CMD: argv after "=" */
	pid_t cmd_pid;
	int in_fd, out_fd;		/* stream side */
	bool net_gone;			/* set by the send path */
	bool out_closed;		/* set by the write path */
	uint64_t sent, received, drops;	/* frames to / from the network(s) */
	sigset_t poll_mask;		/* signal mask while waiting (TERM etc. open) */
	struct stream_rx rx;
	bool batch;			/* net[0] is a switch port: recvmmsg */
	struct mmsghdr rxmsg[PLUG_BATCH];
	struct iovec rxiov[PLUG_BATCH];
	struct iovec outiov[2 * PLUG_BATCH];
	uint8_t rxhdr[PLUG_BATCH][2];
	uint8_t rxbuf[PLUG_BATCH][VDE_ETHBUFSIZE];
	uint8_t buf[VDE_ETHBUFSIZE];
	uint8_t inbuf[PLUG_INBUF];
};

static volatile sig_atomic_t plug_stop;

static void plug_on_signal(int signo)
{
	plug_stop = signo;
}

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
"                          -p with an all-digit argument is the port,\n"
"                          any other argument is the pidfile (vdeplug4)\n"
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
"  -c 'vde_plug [ARGS]'    login-shell use (sshd): run the stream-mode\n"
"                          vde_plug command line ARGS, nothing else\n"
"  -V, --version           print the version and exit\n"
"  -h, --help              print this help and exit\n";

static void usage(FILE *f, int status)
{
	if (status == EXIT_SUCCESS)
		fputs(usage_text, f);
	else
		fprintf(f, "%.*sTry 'vde_plug --help' for more information.\n",
			(int)(strstr(usage_text, "\n\n") - usage_text + 1), usage_text);
	exit(status);
}

static int64_t plug_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Send one frame, waiting a bounded time for room when the peer's queue is
 * full. Errors never end the plug here: a vanished switch shows up as EOF on
 * its control connection. */
static void plug_send(struct plug_ctx *c, struct plug_conn *n, const uint8_t *frame,
		      size_t len)
{
	int64_t deadline = -1;

	for (;;) {
		ssize_t r = vde_send(n->conn, frame, len, 0);

		if (r >= 0) {
			c->sent++;
			return;
		}
		if (errno == EINTR && !plug_stop)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
			int64_t now = plug_now_ms();
			struct pollfd p = { .fd = vde_datafd(n->conn), .events = POLLOUT };

			if (deadline < 0)
				deadline = now + PLUG_SEND_WAIT_MS;
			if (now < deadline && !plug_stop) {
				int64_t left = deadline - now;
				struct timespec ts = { 0, (left < 50 ? left : 50) * 1000000L };

				if (ppoll(&p, 1, &ts, &c->poll_mask) < 0 && errno != EINTR)
					break;
				continue;
			}
		}
		break;
	}
	c->drops++;
	log_debug("send to %s: %s (frame dropped)", n->name, strerror(errno));
}

static void plug_stream_frame(void *arg, const uint8_t *frame, size_t len)
{
	struct plug_ctx *c = arg;

	plug_send(c, &c->net[0], frame, len);
}

/* Control connection readable: anything but EOF is unexpected noise. */
static bool plug_ctl_gone(int fd)
{
	uint8_t b[256];
	ssize_t r = read(fd, b, sizeof(b));

	if (r > 0)
		return false;
	if (r < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
		return false;
	return true;
}

/* Receive one frame from @n into c->buf. Returns its length, 0 when there
 * is nothing to deliver, or -1 with *end set when the loop must stop. */
static ssize_t plug_recv(struct plug_ctx *c, struct plug_conn *n, enum plug_end *end)
{
	ssize_t r = vde_recv(n->conn, c->buf, sizeof(c->buf), 0);

	if (r < 0) {
		switch (errno) {
		case EINTR: case EAGAIN:	/* EWOULDBLOCK == EAGAIN on Linux */
			return 0;
		case ECONNRESET: case ECONNREFUSED: case ENOTCONN: case EPIPE:
			*end = END_NET_GONE;
			return -1;
		default:
			log_err("receive from %s: %s", n->name, strerror(errno));
			*end = END_ERROR;
			return -1;
		}
	}
	if (r == 0) {			/* point-to-point peer closed */
		*end = END_NET_GONE;
		return -1;
	}
	if (r == 1)			/* libvdeplug: "arrived, drop it" */
		return 0;
	return r;
}

/* Write @cnt iovecs (whole records) to @fd. A write cut short is
 * completed, waiting for room, so the stream never carries half a record.
 * Returns 0, or -1 with errno when nothing could be written. */
static int plug_write_records(struct plug_ctx *c, int fd, struct iovec *iov, int cnt)
{
	bool some = false;

	while (cnt > 0) {
		ssize_t w = writev(fd, iov, cnt);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			if ((errno == EAGAIN || errno == EWOULDBLOCK) && some) {
				struct pollfd p = { .fd = fd, .events = POLLOUT };

				if (ppoll(&p, 1, NULL, &c->poll_mask) < 0 && errno != EINTR)
					return -1;
				continue;
			}
			return -1;
		}
		some = true;
		while (cnt > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			cnt--;
		}
		if (cnt > 0) {
			iov->iov_base = (uint8_t *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

/* A switch port is readable: one recvmmsg batch, written to the output
 * stream with one writev. */
static enum plug_end plug_batch_to_stream(struct plug_ctx *c)
{
	int fd = vde_datafd(c->net[0].conn), n, i, cnt = 0;
	enum plug_end end = END_NONE;
	uint64_t frames = 0;

	for (i = 0; i < PLUG_BATCH; i++) {
		c->rxmsg[i].msg_hdr.msg_iov = &c->rxiov[i];
		c->rxmsg[i].msg_hdr.msg_iovlen = 1;
	}
	n = recvmmsg(fd, c->rxmsg, PLUG_BATCH, MSG_DONTWAIT, NULL);
	if (n < 0) {
		switch (errno) {
		case EINTR: case EAGAIN:
			return END_NONE;
		case ECONNRESET: case ECONNREFUSED: case ENOTCONN: case EPIPE:
			return END_NET_GONE;
		default:
			log_err("receive from %s: %s", c->net[0].name, strerror(errno));
			return END_ERROR;
		}
	}
	for (i = 0; i < n; i++) {
		size_t len = c->rxmsg[i].msg_len;

		if (len == 0) {		/* the switch closed the port */
			end = END_NET_GONE;
			break;
		}
		if (len == 1)
			continue;
		if (!stream_hdr(c->rxhdr[i], len)) {
			c->drops++;
			continue;
		}
		c->outiov[cnt].iov_base = c->rxhdr[i];
		c->outiov[cnt++].iov_len = 2;
		c->outiov[cnt].iov_base = c->rxbuf[i];
		c->outiov[cnt++].iov_len = len;
		frames++;
	}
	if (!cnt)
		return end;
	if (plug_write_records(c, c->out_fd, c->outiov, cnt) == 0) {
		c->received += frames;
	} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
		c->drops += frames;
	} else if (errno == EPIPE) {
		end = END_OUTPUT_CLOSED;
	} else {
		log_err("write: %s", strerror(errno));
		end = END_ERROR;
	}
	return end;
}

/* Stream mode and COMMAND mode: in_fd/out_fd <-> net[0]. */
static enum plug_end plug_run_stream(struct plug_ctx *c)
{
	enum { PFD_IN, PFD_DATA, PFD_CTL, PFD_N };
	struct plug_conn *n = &c->net[0];
	struct pollfd pfd[PFD_N] = {
		[PFD_IN] = { .fd = c->in_fd, .events = POLLIN },
		[PFD_DATA] = { .fd = vde_datafd(n->conn), .events = POLLIN },
		[PFD_CTL] = { .fd = vde_ctlfd(n->conn), .events = POLLIN },
	};
	enum plug_end end = END_NONE;
	int i;

	/* a vde:// switch port (the module with a control stream and a
	 * datagram data socket) was read in batches behind the library; on
	 * our switch its frames now travel in shared-memory rings
	 * (docs/fastpath.md) that only vde_recv() sees, so the port is read
	 * through the library until it has a batch call */
	c->batch = false;
	for (i = 0; i < PLUG_BATCH; i++) {
		c->rxiov[i].iov_base = c->rxbuf[i];
		c->rxiov[i].iov_len = sizeof(c->rxbuf[i]);
	}
	stream_rx_init(&c->rx);
	while (end == END_NONE) {
		if (plug_stop) {
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
		if (pfd[PFD_CTL].revents && plug_ctl_gone(pfd[PFD_CTL].fd)) {
			end = END_NET_GONE;
			break;
		}
		if (pfd[PFD_DATA].revents && c->batch) {
			end = plug_batch_to_stream(c);
		} else if (pfd[PFD_DATA].revents) {
			ssize_t r = plug_recv(c, n, &end);

			if (r > 0) {
				ssize_t w = stream_write_frame(c->out_fd, c->buf, (size_t)r);

				if (w > 0) {
					c->received++;
				} else if (w == 0 || errno == EAGAIN || errno == EWOULDBLOCK ||
					   errno == EINTR) {
					c->drops++;
				} else if (errno == EPIPE) {
					end = END_OUTPUT_CLOSED;
				} else {
					log_err("write: %s", strerror(errno));
					end = END_ERROR;
				}
			}
		}
		if (end == END_NONE && pfd[PFD_IN].revents) {
			ssize_t r = read(c->in_fd, c->inbuf, sizeof(c->inbuf));

			if (r > 0) {
				stream_rx_feed(&c->rx, c->inbuf, (size_t)r, plug_stream_frame, c);
			} else if (r == 0) {
				end = END_INPUT_EOF;
			} else if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
				log_err("read: %s", strerror(errno));
				end = END_ERROR;
			}
		}
	}
	if (end == END_INPUT_EOF && stream_rx_partial(&c->rx))
		log_info("input ended inside a record (truncated frame dropped)");
	if (c->rx.bad_len)
		log_info("%llu bad record lengths in the input stream",
			 (unsigned long long)c->rx.bad_len);
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
		int i;

		if (plug_stop) {
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
		if ((pfd[PFD_CTL0].revents && plug_ctl_gone(pfd[PFD_CTL0].fd)) ||
		    (pfd[PFD_CTL1].revents && plug_ctl_gone(pfd[PFD_CTL1].fd))) {
			end = END_NET_GONE;
			break;
		}
		for (i = 0; i < 2 && end == END_NONE; i++) {
			ssize_t r;

			if (!pfd[i ? PFD_DATA1 : PFD_DATA0].revents)
				continue;
			r = plug_recv(c, &c->net[i], &end);
			if (r > 0)
				plug_send(c, &c->net[!i], c->buf, (size_t)r);
		}
	}
	return end;
}

/* Make sure fds 0, 1 and 2 exist so no new fd takes their place. */
static void plug_fix_stdio(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= STDERR_FILENO)
		;
	if (fd < 0)
		die_perror("/dev/null");
	close(fd);
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
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
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
	int64_t start = plug_now_ms();
	int sent = now ? 0 : -1;	/* -1 none, 0 TERM due, 1 TERM sent, 2 KILL sent */
	int status = 0;

	for (;;) {
		pid_t r = waitpid(c->cmd_pid, &status, WNOHANG);
		int64_t el = plug_now_ms() - start;
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
			start = plug_now_ms();
		} else if (sent == 1 && el >= PLUG_CHILD_GRACE_MS) {
			kill(c->cmd_pid, SIGKILL);
			sent = 2;
		}
		nanosleep(&ts, NULL);
	}
	if (sent > 0)
		return 0;		/* we ended it: not its failure */
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;
}

/* After ECONNREFUSED: does a live switch answer on the ctl socket of @vnl
 * (a switch directory, vde://DIR, with or without [...])? Then it was the
 * switch that refused the port, not a missing switch. */
static bool switch_refused(const char *vnl)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	bool live = false;
	int fd, n;

	if (!vnl || !*vnl)
		return false;
	if (!strncmp(vnl, "vde://", 6))
		vnl += 6;
	else if (strstr(vnl, "://"))
		return false;
	n = snprintf(sun.sun_path, sizeof(sun.sun_path), "%.*s/ctl", (int)strcspn(vnl, "["), vnl);
	if (n < 0 || (size_t)n >= sizeof(sun.sun_path))
		return false;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		live = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
		close(fd);
	}
	return live;
}

static void plug_open(struct plug_ctx *c, struct plug_conn *n)
{
	n->name = n->vnl && *n->vnl ? n->vnl : "the default switch";
	n->conn = vde_open(n->vnl, c->descr, &n->args);
	if (!n->conn && errno == EPROTO)
		die("cannot connect to %s: %s (not a switch's control socket: a management "
		    "console?)", n->name, strerror(EPROTO));
	if (!n->conn && errno == ECONNREFUSED && switch_refused(n->vnl))
		die("cannot connect to %s: the switch refused the port (beyond its number of "
		    "ports, held by another user, or not allowed by port/setuser/setgroup)",
		    n->name);
	if (!n->conn)
		die_perror("cannot connect to %s", n->name);
	plug_cloexec(vde_datafd(n->conn));
	plug_cloexec(vde_ctlfd(n->conn));
	log_info("connected to %s", n->name);
}

static void plug_parse_port(struct plug_conn *n, const char *arg)
{
	const char *errstr;
	long long v = parse_num(arg, 1, INT_MAX, &errstr);

	if (errstr)
		die("port %s: %s", arg, errstr);
	n->args.port = (int)v;
}

static void plug_parse_mode(struct plug_conn *n, const char *arg)
{
	if (parse_mode(arg, &n->args.mode) < 0)
		die("mode %s: invalid (expected octal, e.g. 0660)", arg);
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
	while ((opt = getopt_long(optc, argv, "p:g:G:m:M:s:D:dvlc:Vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			if (optarg[0] && strspn(optarg, "0123456789") == strlen(optarg))
				plug_parse_port(&c->net[0], optarg);
			else
				c->pidfile = optarg;
			break;
		case OPT_PORT2:
			plug_parse_port(&c->net[1], optarg);
			break;
		case OPT_PIDFILE:
			c->pidfile = optarg;
			break;
		case 'g':
			c->net[0].args.group = optarg;
			break;
		case 'G':
			c->net[1].args.group = optarg;
			break;
		case 'm':
			plug_parse_mode(&c->net[0], optarg);
			break;
		case 'M':
			plug_parse_mode(&c->net[1], optarg);
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
		case 'c':
			if (c->in_login)
				plug_login_refuse("nested -c");
			c->login_cmd = optarg;
			break;
		case 'V':
			printf("vde_plug (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
			exit(EXIT_SUCCESS);
		case 'h':
			usage(stdout, EXIT_SUCCESS);
			break;
		default:
			usage(stderr, EXIT_FAILURE);
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
		if (optc + 1 >= argc) {
			fprintf(stderr, "vde_plug: '=' must be followed by a command\n");
			usage(stderr, EXIT_FAILURE);
		}
		c->cmd = argv + optc + 1;
		if (npos > 1) {
			fprintf(stderr, "vde_plug: at most one VNL before '='\n");
			usage(stderr, EXIT_FAILURE);
		}
	} else if (npos == 2) {
		c->mode = MODE_CABLE;
	} else if (npos > 2) {
		fprintf(stderr, "vde_plug: too many arguments\n");
		usage(stderr, EXIT_FAILURE);
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
	struct sigaction sa;
	sigset_t stopsigs;
	enum plug_end end;
	int status, i;

	log_init("vde_plug");
	openlog("vde_plug", LOG_PID, LOG_USER);
	if (argv[0][0] == '-')		/* interactive login with vde_plug as shell */
		plug_login_refuse("interactive login");
	c->descr = "vde_plug:";
	for (i = 0; i < 2; i++)
		c->net[i].args.mode = 0700;
	c->in_fd = STDIN_FILENO;
	c->out_fd = STDOUT_FILENO;
	plug_parse_args(c, argc, argv);
	log_set_level(c->verbose ? LOG_INFO : LOG_WARNING);
	plug_fix_stdio();

	/* SIGTERM, SIGINT and SIGHUP only set plug_stop; they stay blocked
	 * except inside ppoll(), so none is lost between check and wait. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = plug_on_signal;
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

	if (c->pidfile && pidfile_check(c->pidfile) < 0)	/* before anything is created, not after -d */
		die_perror("pidfile %s", c->pidfile);
	plug_open(c, &c->net[0]);
	if (c->mode == MODE_CABLE)
		plug_open(c, &c->net[1]);
	if (c->daemon && daemonize() < 0)
		die_perror("daemon");
	if (c->pidfile && pidfile_write(c->pidfile, NULL) < 0)
		die_perror("pidfile %s", c->pidfile);
	if (c->mode == MODE_CMD)
		plug_spawn_cmd(c);
	if (c->syslog_startstop)
		plug_syslog(c, "START", NULL);

	end = c->mode == MODE_CABLE ? plug_run_cable(c) : plug_run_stream(c);
	log_info("%s; frames sent %llu, received %llu, dropped %llu", plug_end_text(end, c),
		 (unsigned long long)c->sent, (unsigned long long)c->received,
		 (unsigned long long)c->drops);

	if (c->syslog_startstop)
		plug_syslog(c, "STOP", plug_end_text(end, c));
	status = end == END_ERROR ? EXIT_FAILURE : EXIT_SUCCESS;
	if (c->mode == MODE_CMD) {
		int cs;

		close(c->in_fd);
		close(c->out_fd);
		cs = plug_reap_cmd(c, end != END_INPUT_EOF);
		if (status == EXIT_SUCCESS && cs != 0) {
			log_err("%s exited with status %d", c->cmd[0], cs);
			status = cs;
		}
	}
	for (i = 0; i < 2; i++)
		if (c->net[i].conn)
			vde_close(c->net[i].conn);
	if (c->pidfile)
		pidfile_remove();
	return status;
}
