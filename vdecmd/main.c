// SPDX-License-Identifier: GPL-2.0-or-later
/* vdecmd/main.c - vdecmd: run one command on a VDE management console
 *
 *   vdecmd [-hjvV] [-c COUNT] [-f RCFILE] [-t SECONDS] [-w SECONDS] [[-s] SOCKET] COMMAND [ARG...]
 *
 * Theory of operation. VDE 2 consoles (vde_switch -M, wirefilter -M, ...)
 * greet with a banner ending in "\n" + prompt ("vde$ ", "VDEwf$ "). vdecmd
 * reads until the received bytes end with a line that ends in "$ ", which
 * is the prompt, sends the command line and reads again until the bytes end
 * with a status line ("1xxx ...\n") followed by "\n" + that same prompt.
 * The response is then cut into lines:
 * "0000 DATA END WITH '.'" ... "." frames the body, which is printed;
 * "3xxx" lines outside a body are asynchronous debug output and are
 * ignored; the last "1xxx" line is the status and becomes the exit status
 * (1000 -> 0, 1022 -> 22). Any other line (e.g. the echo of "load") is
 * printed as well. "9999 END OF SESSION" (logout, shutdown) and the closed
 * connection that follows give 0. No sleeps: every wait is a poll() on the
 * socket bounded by the one deadline of -t.
 *
 * VDE 2's unixcmd options: -f RCFILE named the state-machine script that
 * drove unixcmd (/etc/vde2/vdecmd); that exchange is built in here, so the
 * file is only checked to be readable, as unixcmd failed without it. -v
 * (unixcmd's trace of its machine) copies every byte received and every
 * line sent to stderr.
 *
 * -j sends "-j COMMAND ARGS": the console answers with one JSON document
 * in the body, printed as it is (one line). -w repeats the whole exchange
 * (a new connection each time, -t per round) every SECONDS until SIGINT,
 * SIGTERM or SIGHUP, or -c rounds: those signals are blocked and only let
 * through inside ppoll(), so one arriving at any moment ends the wait at
 * once and never interrupts a write half-way.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "parse.h"
#include "tool.h"

enum vdecmd_exit {
	EXIT_NOSOCKET	= 200,	/* SOCKET missing or not a socket */
	EXIT_CONNECT	= 201,	/* connection refused, other connect errors */
	EXIT_TIMEOUT	= 202,	/* -t deadline reached */
	EXIT_PROTOCOL	= 203,	/* closed early, unexpected bytes, I/O error */
	EXIT_INTR	= -3,	/* internal: a signal ended -w */
};

#define VDECMD_WATCH_MAX	86400	/* -w SECONDS */

static volatile sig_atomic_t got_signal;
static bool trace;			/* -v: the exchange on stderr */
static sigset_t wait_mask;		/* the mask inside ppoll() */

static void on_signal(int signo)
{
	got_signal = signo;
}

#define VDECMD_RESP_MAX	(64U << 20)	/* a response larger than this is an error */

struct vdecmd {
	int fd;
	uint64_t deadline;		/* CLOCK_MONOTONIC ns, 0 = none */
	char *buf;
	size_t len, cap;
	char prompt[64];		/* "\n" + prompt as learned from the banner */
};

static const char usage_text[] =
"usage: vdecmd [-hjvV] [-c COUNT] [-f RCFILE] [-t SECONDS] [-w SECONDS] [[-s] SOCKET] COMMAND [ARG...]\n"
"Run COMMAND on the VDE management console at SOCKET (vde_switch -M,\n"
"wirefilter -M, ...), print its output and exit with its status.\n"
"Without SOCKET (unixcmd's form): /var/run/vdecmd.\n"
"\n"
"  -h, --help             print this help and exit\n"
"  -V, --version          print the version and exit\n"
"  -s, --sock SOCKET      the console's socket, given as an option (unixcmd's\n"
"                         form) instead of as the first argument\n"
"  -j, --json             print the command's output as one JSON document\n"
"  -t, --timeout SECONDS  give up after SECONDS (default 10, 0 = never);\n"
"                         with -w, per round\n"
"  -w, --watch SECONDS    repeat every SECONDS (1-86400) until interrupted,\n"
"                         clearing the screen first when stdout is a terminal\n"
"  -c, --count COUNT      with -w: stop after COUNT rounds\n"
"  -v, --verbose          copy the exchange with the console to stderr\n"
"  -f, --rcfile RCFILE    accepted for VDE 2's unixcmd (its script, such as\n"
"                         /etc/vde2/vdecmd): checked to be readable, not run\n"
"\n"
"Exit status: 0 success; 1-199 the console's error number (1022 -> 22);\n"
"1 also for usage errors; 200 no such socket; 201 connection failed;\n"
"202 timeout; 203 connection closed or protocol error.\n";

static const struct tool_help help = { "vdecmd", usage_text, TOOL_HELP_LINE_ONLY };

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Wait for @events on the socket. 0 ready, -1 error, -2 timeout. */
static int wait_fd(const struct vdecmd *v, short events)
{
	struct pollfd pfd = { .fd = v->fd, .events = events };

	for (;;) {
		struct timespec ts, *tsp = NULL;
		int n;

		if (v->deadline) {
			uint64_t now = now_ns();

			if (now >= v->deadline)
				return -2;
			ts.tv_sec = (time_t)((v->deadline - now) / 1000000000ULL);
			ts.tv_nsec = (long)((v->deadline - now) % 1000000000ULL);
			tsp = &ts;
		}
		n = ppoll(&pfd, 1, tsp, &wait_mask);
		if (n < 0 && errno == EINTR && got_signal)
			return EXIT_INTR;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n > 0)
			return 0;
	}
}

/* Read more bytes. 1 data, 0 EOF, -1 error, -2 timeout. */
static int read_more(struct vdecmd *v)
{
	ssize_t n;
	int w;

	if (v->cap - v->len < 4096) {
		size_t cap = v->cap ? v->cap * 2 : 16384;
		char *b;

		if (cap > VDECMD_RESP_MAX) {
			errno = EMSGSIZE;
			return -1;
		}
		b = realloc(v->buf, cap);
		if (!b)
			return -1;
		v->buf = b;
		v->cap = cap;
	}
	for (;;) {
		w = wait_fd(v, POLLIN);
		if (w < 0)
			return w;
		n = recv(v->fd, v->buf + v->len, v->cap - v->len - 1, MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -1;
		if (trace && n > 0)
			fwrite(v->buf + v->len, 1, (size_t)n, stderr);
		v->len += (size_t)n;
		v->buf[v->len] = '\0';
		return n > 0;
	}
}

/* Does the buffer end with a prompt line ("...$ " after the last newline)? */
static bool learn_prompt(struct vdecmd *v)
{
	const char *nl;
	size_t plen;

	if (v->len < 3 || memcmp(v->buf + v->len - 2, "$ ", 2) != 0)
		return false;
	nl = memrchr(v->buf, '\n', v->len);
	if (!nl)
		return false;
	plen = (size_t)(v->buf + v->len - nl);
	if (plen >= sizeof(v->prompt))
		return false;
	memcpy(v->prompt, nl, plen);
	v->prompt[plen] = '\0';
	return true;
}

static bool is_code_line(const char *line, size_t len, char first)
{
	return len >= 5 && line[0] == first && line[1] >= '0' && line[1] <= '9' &&
	       line[2] >= '0' && line[2] <= '9' && line[3] >= '0' && line[3] <= '9' &&
	       line[4] == ' ';
}

/* Is the response complete: "1xxx text\n" then "\n" + prompt at the end
 * of what was read after @start? (A body line that happens to hold the
 * prompt text is not followed by a status line.) */
static bool response_done(const struct vdecmd *v, size_t start)
{
	size_t plen = strlen(v->prompt), end, ls;
	const char *b = v->buf + start;

	if (v->len - start < plen + 6 ||
	    memcmp(v->buf + v->len - plen, v->prompt, plen) != 0)
		return false;
	end = v->len - start - plen;		/* b[end - 1] is the status' '\n' */
	if (b[end - 1] != '\n')
		return false;
	for (ls = end - 1; ls > 0 && b[ls - 1] != '\n'; ls--)
		;
	return is_code_line(b + ls, end - 1 - ls, '1');
}

/* Print the response in v->buf[0..len) and return its exit status; an
 * error status line is also reported on stderr, after the command. */
static int print_response(const char *resp, size_t len, const char *cmd)
{
	const char *p = resp, *end = resp + len, *last_status = NULL;
	bool data = false;
	int status = EXIT_PROTOCOL;

	/* the status is the last "1xxx " line */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (is_code_line(p, l, '1'))
			last_status = p;
		p += l + 1;
	}
	for (p = resp; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (data) {
			if (l == 1 && p[0] == '.')
				data = false;
			else
				fwrite(p, 1, l + (nl ? 1 : 0), stdout);
		} else if (l >= 22 && memcmp(p, "0000 DATA END WITH '.'", 22) == 0) {
			data = true;
		} else if (p == last_status) {
			status = (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
			if (status)
				fprintf(stderr, "vdecmd: %s: %.*s\n", cmd, (int)(l - 5), p + 5);
		} else if (!is_code_line(p, l, '3') && l > 0) {
			fwrite(p, 1, l + (nl ? 1 : 0), stdout);
		}
		p += l + 1;
	}
	return status;
}

static int fail_io(int r, const char *what)
{
	if (r == EXIT_INTR)
		return EXIT_INTR;
	if (r == -2) {
		log_err("timeout %s", what);
		return EXIT_TIMEOUT;
	}
	if (r == 0)
		log_err("connection closed %s", what);
	else
		log_err("%s: %s", what, strerror(errno));
	return EXIT_PROTOCOL;
}

static int vdecmd_connect(struct vdecmd *v, const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t slen = sizeof(sun);
	struct stat st;
	int err = 0;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_err("%s: path too long", path);
		return EXIT_NOSOCKET;
	}
	strcpy(sun.sun_path, path);
	v->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (v->fd < 0) {
		log_err("socket: %s", strerror(errno));
		return EXIT_CONNECT;
	}
	if (connect(v->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		int w;

		if (errno == ENOENT || errno == ENOTSOCK || errno == ENOTDIR) {
			log_err("%s: no such socket (%s)", path, strerror(errno));
			return EXIT_NOSOCKET;
		}
		if (errno == ECONNREFUSED) {
			if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
				log_err("%s: is a directory, not a socket (a switch's ctl directory? "
					"give its management socket, vde_switch -M)", path);
				return EXIT_NOSOCKET;
			}
			if (stat(path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
				log_err("%s: not a socket", path);
				return EXIT_NOSOCKET;
			}
			log_err("%s: connection refused (nobody listening)", path);
			return EXIT_CONNECT;
		}
		if (errno != EAGAIN && errno != EINPROGRESS) {
			log_err("%s: %s", path, strerror(errno));
			return EXIT_CONNECT;
		}
		w = wait_fd(v, POLLOUT);
		if (w == EXIT_INTR)
			return EXIT_INTR;
		if (w == -2) {
			log_err("%s: timeout connecting", path);
			return EXIT_TIMEOUT;
		}
		if (w < 0 || getsockopt(v->fd, SOL_SOCKET, SO_ERROR, &err, &slen) < 0 || err) {
			log_err("%s: %s", path, strerror(err ? err : errno));
			return EXIT_CONNECT;
		}
	}
	return 0;
}

static int send_all(struct vdecmd *v, const char *buf, size_t len)
{
	if (trace)
		fwrite(buf, 1, len, stderr);
	while (len) {
		ssize_t n = send(v->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		int w;

		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			return -1;
		w = wait_fd(v, POLLOUT);
		if (w < 0)
			return w;
	}
	return 0;
}

static char *join_args(int argc, char **argv)
{
	size_t len = 2, i;
	char *line, *p;

	for (i = 0; i < (size_t)argc; i++)
		len += strlen(argv[i]) + 1;
	line = malloc(len);
	if (!line)
		die("out of memory");
	p = line;
	for (i = 0; i < (size_t)argc; i++) {
		size_t l = strlen(argv[i]);

		if (strpbrk(argv[i], "\r\n"))
			die("newlines are not allowed in a command: \"%s\"", argv[i]);
		if (i)
			*p++ = ' ';
		memcpy(p, argv[i], l);
		p += l;
	}
	*p++ = '\n';
	*p = '\0';
	return line;
}

/* One exchange: connect, wait for the prompt, send @line ("...\n"), print
 * the response. Returns the exit status (or EXIT_INTR). */
static int run_once(const char *path, const char *line, uint64_t timeout_ns, bool json)
{
	struct vdecmd v = { .fd = -1 };
	char *cmd = NULL;
	size_t start;
	int r, ret;

	if (timeout_ns)
		v.deadline = now_ns() + timeout_ns;
	ret = vdecmd_connect(&v, path);
	if (ret)
		goto out;
	do {
		r = read_more(&v);
		if (r <= 0) {
			ret = fail_io(r, v.len ? "waiting for the prompt" :
				      "waiting for the prompt (nothing received: is it a "
				      "management console, a -M socket?)");
			goto out;
		}
	} while (!learn_prompt(&v));

	r = send_all(&v, line, strlen(line));
	if (r < 0) {
		ret = fail_io(r, "sending the command");
		goto out;
	}
	start = v.len;
	for (;;) {
		r = read_more(&v);
		if (r == 0 && strstr(v.buf + start, "9999 END OF SESSION")) {
			ret = 0;
			goto out;
		}
		if (r <= 0) {
			ret = fail_io(r, "waiting for the response");
			goto out;
		}
		if (response_done(&v, start))
			break;
	}
	cmd = strndup(line, strlen(line) - 1);		/* without the '\n' */
	if (!cmd)
		die("out of memory");
	ret = print_response(v.buf + start, v.len - start - strlen(v.prompt), cmd);
	if (ret == EXIT_PROTOCOL)
		log_err("no status line in the response");
	else if (json && ret == 38)
		log_err("the console does not know -j (a VDE 2 daemon, or no such command)");
	else if (json && ret == 95)
		log_err("%s has no JSON form", cmd + 3);
out:
	if (fflush(stdout) != 0 && !ret)
		ret = EXIT_PROTOCOL;
	if (v.fd >= 0)
		close(v.fd);
	free(v.buf);
	free(cmd);
	return ret;
}

/* -w: run every @secs until a signal or @count rounds (0 = no limit). The
 * signals are blocked except inside ppoll(), so the wait ends at once. */
static int watch(const char *path, const char *line, uint64_t timeout_ns, bool json,
		 long long secs, long long count)
{
	bool tty = isatty(STDOUT_FILENO);
	long long round;
	int ret = 0;

	for (round = 0; !count || round < count; round++) {
		struct timespec ts = { .tv_sec = (time_t)secs };

		if (round) {
			while (!got_signal && ppoll(NULL, 0, &ts, &wait_mask) < 0 && errno == EINTR)
				;
		}
		if (got_signal)
			break;
		if (tty) {
			const char *shown = json ? line + 3 : line;	/* not "-j " */

			fputs("\033[H\033[2J", stdout);
			printf("Every %llds: %.*s\n\n", secs, (int)strlen(shown) - 1, shown);
		}
		ret = run_once(path, line, timeout_ns, json);
		if (ret == EXIT_INTR || ret >= EXIT_NOSOCKET)
			break;
	}
	return ret == EXIT_INTR ? 0 : ret;
}

/* The socket when none was given with -s, from @n operands, the first
 * @first: VDE 2's unixcmd (Debian's vdecmd) takes every operand as the
 * command and the socket /var/run/ + the name it was run as
 * (/var/run/vdecmd); our SOCKET COMMAND form takes the first. One operand
 * is a command on unixcmd's default, unless it is a path (begins with '/'
 * or '.', which no command does) or names a socket: then the command was
 * forgotten, a usage error (not "no such socket" about a path the user
 * never gave). With more, the first is the SOCKET when it exists, or when
 * the default socket does not (an error then names the SOCKET given);
 * otherwise (the first names nothing, the default socket exists)
 * unixcmd's form. *@optind passes the SOCKET. */
static const char *pick_sock(const char *argv0, int n, const char *first, char *def,
			     size_t size, int *optind_p)
{
	const char *base = strrchr(argv0, '/');
	struct stat st;
	int len;

	base = base ? base + 1 : argv0;
	len = snprintf(def, size, "/var/run/%s", base);
	if (len < 0 || (size_t)len >= size)
		die("default socket /var/run/%s: name too long", base);
	if ((n == 1 && (first[0] == '/' || first[0] == '.' ||
			(!lstat(first, &st) && S_ISSOCK(st.st_mode)))) ||
	    (n >= 2 && (!lstat(first, &st) || lstat(def, &st)))) {
		(*optind_p)++;
		return first;
	}
	return def;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "sock", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "watch", required_argument, NULL, 'w' },
		{ "count", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "rcfile", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	long long timeout = 10, secs = 0, count = 0;
	bool json = false;
	const char *err, *sock = NULL, *rcfile = NULL;
	char *line, *jline = NULL, defsock[PATH_MAX];
	int opt, ret;

	log_init("vdecmd");
	sigprocmask(SIG_SETMASK, NULL, &wait_mask);
	while ((opt = getopt_long(argc, argv, "+hVs:jt:w:c:vf:", opts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			tool_usage(&help, EXIT_SUCCESS);
		case 'V':
			tool_version("vdecmd");
		case 's':
			sock = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 't':
			timeout = parse_num(optarg, 0, 86400 * 365, &err);
			if (err) {
				fprintf(stderr, "vdecmd: timeout %s: %s\n", err, optarg);
				return EXIT_FAILURE;
			}
			break;
		case 'w':
			secs = parse_num(optarg, 1, VDECMD_WATCH_MAX, &err);
			if (err) {
				fprintf(stderr, "vdecmd: watch interval %s: %s\n", err, optarg);
				return EXIT_FAILURE;
			}
			break;
		case 'v':
			trace = true;
			break;
		case 'f':
			rcfile = optarg;
			break;
		case 'c':
			count = parse_num(optarg, 1, LLONG_MAX, &err);
			if (err) {
				fprintf(stderr, "vdecmd: count %s: %s\n", err, optarg);
				return EXIT_FAILURE;
			}
			break;
		default:
			tool_usage(&help, EXIT_FAILURE);
		}
	}
	if (!sock && argc - optind >= 1)
		sock = pick_sock(argv[0], argc - optind, argv[optind], defsock, sizeof(defsock),
				 &optind);
	/* `vdecmd /tmp/sw.mgmt`: a SOCKET given (pick_sock(): a path or a
	 * socket), the command forgotten; say so, not "/var/run/vdecmd: no
	 * such socket", which names a path never given */
	if (sock && sock != defsock && argc - optind < 1)
		tool_misuse(&help, "COMMAND missing after SOCKET %s", sock);
	if (!sock || argc - optind < 1)
		tool_usage(&help, EXIT_FAILURE);
	if (count && !secs) {
		fprintf(stderr, "vdecmd: -c needs -w\n");
		return EXIT_FAILURE;
	}
	if (rcfile) {
		int fd = open(rcfile, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

		if (fd < 0) {
			fprintf(stderr, "vdecmd: rcfile %s: %s\n", rcfile, strerror(errno));
			return EXIT_FAILURE;
		}
		close(fd);
	}
	line = join_args(argc - optind, argv + optind);
	if (json) {
		if (asprintf(&jline, "-j %s", line) < 0)
			die("out of memory");
	}
	if (secs) {
		struct sigaction sa;
		sigset_t block;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;	/* no SA_RESTART: ppoll returns */
		sigemptyset(&sa.sa_mask);
		tool_stop_sigset(&block);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
		sigprocmask(SIG_BLOCK, &block, &wait_mask);
		ret = watch(sock, jline ? jline : line,
			    (uint64_t)timeout * 1000000000ULL, json, secs, count);
	} else {
		ret = run_once(sock, jline ? jline : line,
			       (uint64_t)timeout * 1000000000ULL, json);
	}
	free(line);
	free(jline);
	return ret;
}
