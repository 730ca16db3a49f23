// SPDX-License-Identifier: LGPL-2.1-or-later
/* lib/common/tool.c - start-up and the signal-aware poll of every tool
 *
 * Contract: tool_init() runs first in main(). From then on SIGTERM, SIGINT
 * and SIGHUP are blocked and pending signals are read from one signalfd,
 * which tool_poll() adds to every wait: a stop signal is seen on the next
 * wake-up whatever the other fds do (ppoll()'s unblock-while-waiting mask
 * would only deliver it when the call sleeps). See tool.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "deadline.h"
#include "log.h"
#include "parse.h"
#include "stream.h"
#include "tool.h"

#define TOOL_MAXFDS	16

static struct {
	int sigfd;
	int stop;
	sigset_t set;
} tool = { .sigfd = -1 };

/**
 * tool_stdio_guard() - make sure fds 0, 1 and 2 exist
 */
void tool_stdio_guard(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= STDERR_FILENO)
		;
	if (fd < 0)
		die_perror("/dev/null");
	close(fd);
}

/**
 * tool_init() - common start-up of a tool
 * @name:	program name for messages and syslog
 */
void tool_init(const char *name)
{
	log_init(name);
	tool_stdio_guard();
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		die_perror("SIGPIPE");
	/* output to a file past RLIMIT_FSIZE: a write error (EFBIG), not death */
	if (signal(SIGXFSZ, SIG_IGN) == SIG_ERR)
		die_perror("SIGXFSZ");
	tool_stop_sigset(&tool.set);
	if (sigprocmask(SIG_BLOCK, &tool.set, NULL) < 0)
		die_perror("signals");
	tool.sigfd = signalfd(-1, &tool.set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (tool.sigfd < 0)
		die_perror("signalfd");
}

/* Read what the signalfd holds (without waiting). */
static void tool_read_signals(void)
{
	struct signalfd_siginfo si;

	while (read(tool.sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		if (!tool.stop)
			tool.stop = (int)si.ssi_signo;
}

/**
 * tool_poll() - wait for @pfd or a stop signal
 * @pfd:	fds to wait for (at most TOOL_MAXFDS - 1)
 * @n:		their number
 * @timeout_ms:	longest wait, < 0 = no limit
 *
 * Return: number of @pfd entries with revents, 0 on timeout or signal, -1
 * with errno.
 */
int tool_poll(struct pollfd *pfd, nfds_t n, int timeout_ms)
{
	struct pollfd all[TOOL_MAXFDS];
	struct timespec ts, *tp = NULL;
	nfds_t i;
	int r, ready = 0;

	if (n >= TOOL_MAXFDS) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < n; i++)
		all[i] = pfd[i];
	all[n] = (struct pollfd){ .fd = tool.sigfd, .events = POLLIN };
	if (timeout_ms >= 0) {
		ts.tv_sec = timeout_ms / 1000;
		ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
		tp = &ts;
	}
	do
		r = ppoll(all, n + 1, tp, NULL);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -1;
	for (i = 0; i < n; i++) {
		pfd[i].revents = all[i].revents;
		if (all[i].revents)
			ready++;
	}
	if (all[n].revents)
		tool_read_signals();
	return ready;
}

/**
 * tool_wait() - wait for @pfd, and say whether the loop goes on
 * @pfd:	fds to wait for
 * @n:		their number
 *
 * Return: TOOL_WAIT_READY, TOOL_WAIT_STOP or TOOL_WAIT_ERROR (logged).
 */
enum tool_wait tool_wait(struct pollfd *pfd, nfds_t n)
{
	if (tool_poll(pfd, n, -1) < 0) {
		log_err("poll: %s", strerror(errno));
		return TOOL_WAIT_ERROR;
	}
	return tool.stop ? TOOL_WAIT_STOP : TOOL_WAIT_READY;
}

/**
 * tool_stop_signal() - the stop signal received, 0 if none
 *
 * Only what tool_poll() saw: the stop signals are blocked, so one that
 * arrives later stays pending on the signalfd (which every tool_poll()
 * watches) and is seen by the next poll. Reading the signalfd here too
 * cost one failing read() per loop round (a third of a plug's system
 * calls under load).
 */
int tool_stop_signal(void)
{
	return tool.stop;
}

/**
 * tool_out_nonblock() - non-blocking output for a pipe or a socket
 * @fd:	the output
 *
 * The file status flags belong to the open file description, which a
 * shell pipeline shares with nobody else but a terminal may share with the
 * whole session: only pipes and sockets are changed, and
 * tool_out_restore() puts the flags back at exit. A pipe or socket that is
 * non-blocking already (a parent such as ssh or an event loop set it) is
 * one the caller must poll all the same: its flags are returned too, and
 * restoring them changes nothing.
 *
 * Return: the previous flags (>= 0: @fd is non-blocking now and must be
 * polled for writing), or -1 if @fd is not a pipe or socket or its flags
 * cannot be read or set (it was left as it was).
 */
int tool_out_nonblock(int fd)
{
	struct stat st;
	int fl;

	if (fstat(fd, &st) < 0 || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
		return -1;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || (!(fl & O_NONBLOCK) && fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0))
		return -1;
	return fl;
}

/* See tool.h. */
int tool_open_out(const char *path, int flags, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | flags, mode);
	int fl, e;

	if (fd >= 0 && ((fl = fcntl(fd, F_GETFL)) < 0 ||
			fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0)) {
		e = errno;
		close(fd);
		errno = e;
		fd = -1;
	}
	return fd;
}

void tool_out_restore(int fd, int flags)
{
	if (flags >= 0)
		(void)fcntl(fd, F_SETFL, flags);
}

/* See tool.h. */
bool tool_out_gone(int err)
{
	return err == EPIPE || err == ECONNRESET || err == 0;
}

/* See tool.h. */
bool tool_out_drain(struct stream_tx *tx, int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	long end = deadline_in(ms), left;

	while (stream_tx_flush(tx, fd) > 0 && !tool_stop_signal()) {
		left = end - deadline_now();
		if (left <= 0 || tool_poll(&p, 1, left < 50 ? (int)left : 50) < 0)
			break;
	}
	return stream_tx_pending(tx);
}

/* See tool.h. */
int tool_out_add(struct loop *l, int fd, loop_fd_cb cb, void *arg)
{
	int flags = tool_out_nonblock(fd);

	if (flags >= 0 && loop_add_fd(l, fd, 0, cb, arg) < 0) {
		tool_out_restore(fd, flags);
		flags = -1;
	}
	return flags;
}

/* See tool.h. */
void tool_out_finish(struct stream_tx *tx, int fd, int flags, bool report)
{
	if (flags >= 0)
		(void)tool_out_drain(tx, fd, TOOL_DRAIN_MS);
	else if (stream_tx_pending(tx))
		(void)stream_tx_flush(tx, fd);
	if (report && (tx->drops || stream_tx_pending(tx)))
		log_info("stdout: %llu frame(s) dropped, %zu byte(s) unsent (reader too slow)",
			 (unsigned long long)tx->drops, tx->len - tx->off);
	tool_out_restore(fd, flags);
}

/**
 * tool_ctl_gone() - did the switch close the port?
 * @fd:	a readable control stream
 *
 * Return: true on EOF or an error, false for stray bytes or EAGAIN/EINTR.
 */
bool tool_ctl_gone(int fd)
{
	char b[256];
	ssize_t r = read(fd, b, sizeof(b));

	if (r > 0)
		return false;
	return !(r < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK));
}

/**
 * tool_child_reset() - in a forked child: default signals, empty mask
 */
void tool_child_reset(void)
{
	sigset_t none;

	signal(SIGPIPE, SIG_DFL);
	signal(SIGXFSZ, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* See tool.h. */
int tool_env_fd(const char *name)
{
	const char *v = getenv(name), *errstr;
	long long fd;

	if (!v)
		return -1;
	fd = parse_num(v, 0, 65535, &errstr);
	if (errstr)
		die("%s=%s: %s", name, v, errstr);
	if (fcntl((int)fd, F_GETFD) < 0)
		die_perror("%s=%s", name, v);
	return (int)fd;
}

/**
 * tool_usage() - print the help or the misuse form of it, and exit
 * @h:		the tool's help
 * @status:	EXIT_SUCCESS for -h/--help, EXIT_FAILURE for a misuse
 */
void tool_usage(const struct tool_help *h, int status)
{
	const char *end = NULL;
	bool hint = false;

	if (status == EXIT_SUCCESS) {
		fputs(h->text, stdout);
		exit(status);
	}
	switch (h->brief) {
	case TOOL_HELP_PARAGRAPH:
		end = strstr(h->text, "\n\n");
		hint = true;
		break;
	case TOOL_HELP_LINE:
		hint = true;
		/* fall through */
	case TOOL_HELP_LINE_ONLY:
		end = strchr(h->text, '\n');
		break;
	case TOOL_HELP_WHOLE:
		break;
	}
	fprintf(stderr, "%.*s", end ? (int)(end - h->text + 1) : (int)strlen(h->text), h->text);
	if (hint)
		fprintf(stderr, "Try '%s --help' for more information.\n", h->name);
	exit(status);
}

/**
 * tool_misuse() - a bad command line: say why, then the misuse help
 * @h:		the tool's help
 * @fmt:	printf format of the reason
 */
void tool_misuse(const struct tool_help *h, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", h->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	tool_usage(h, EXIT_FAILURE);
}

/* See tool.h. */
mode_t tool_opt_sockmode(const char *opt, const char *arg)
{
	mode_t m;

	if (parse_mode(arg, &m) < 0)
		die("%s %s: not an octal mode", opt, arg);
	if (m == 0)
		die("%s %s: a socket nobody could open (give a mode such as 0660)", opt, arg);
	return m;
}

/**
 * tool_version() - print "NAME (vdekit) VERSION" and exit 0
 * @name:	the command
 */
void tool_version(const char *name)
{
	printf("%s (%s) %s\n", name, PACKAGE_NAME, PACKAGE_VERSION);
	exit(EXIT_SUCCESS);
}

/* See tool.h. */
void tool_pidfile_check(const char *path)
{
	if (path && pidfile_check(path) < 0)
		die("pidfile %s: %s", path, pidfile_strerror(errno));
}

/* See tool.h. */
void tool_pidfile_write(const char *path)
{
	if (path && pidfile_write(path, NULL) < 0)
		die("pidfile %s: %s", path, pidfile_strerror(errno));
}

/* See tool.h. */
void tool_daemonize(bool on)
{
	if (on && daemonize() < 0)
		die_perror("daemon");
}

/* See tool.h. */
int tool_rtprio(unsigned int prio)
{
	struct sched_param sp = { .sched_priority = (int)prio };
	int e;

	if (!prio || sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp) == 0)
		return 0;
	e = errno;
	log_err("rtprio %u: %s%s", prio, strerror(e),
		e == EPERM ? " (needs root, CAP_SYS_NICE or an RLIMIT_RTPRIO that allows it)" : "");
	errno = e;
	return -1;
}

/* See tool.h. */
void tool_stop_sigset(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
}

/* The daemon's own stop callback, behind on_stop_signal() (one per process). */
static loop_signal_cb stop_cb;
static void *stop_arg;

/* A stop signal on an epoll loop: recorded for tool_stop_signal(), as
 * tool_poll() records it for the poll-loop tools, then the daemon's. */
static void on_stop_signal(struct loop *l, int signo, void *arg)
{
	(void)arg;
	tool.stop = signo;
	stop_cb(l, signo, stop_arg);
}

/* See tool.h. */
int tool_add_stop_signals(struct loop *l, loop_signal_cb cb, void *arg)
{
	sigset_t set;

	stop_cb = cb;
	stop_arg = arg;
	tool_stop_sigset(&set);
	return loop_add_signals(l, &set, on_stop_signal, NULL);
}
