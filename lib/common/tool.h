/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/common/tool.h - the skeleton every vdekit tool is built on
 *
 * A piece of a tool's shell that two tools would otherwise copy lives here
 * (or in parse.h, daemon.h), so that a fix lands in every tool at once.
 *
 * Users (by piece):
 *   command line: tool_usage(), tool_misuse(), tool_version(): all nine
 *     tools (vde_switch and slirpvde print their own -V line: VDE 2's,
 *     libslirp's version);
 *     tool_opt_port(): vde_plug, vde_plug2tap, slirpvde;
 *     tool_opt_sockmode(): vde_plug2tap, slirpvde; parse_num_arg(),
 *     parse_mode_arg(), parse_group_arg() (parse.h): most of them
 *   lifecycle: tool_pidfile_check(): every tool with a pid file
 *     (vde_plug, vde_plug2tap, slirpvde, dpipe, wirefilter, vde_switch,
 *     vde_cryptcab); tool_daemonize(): the same but vde_switch (logs and
 *     unwinds) and vde_cryptcab (its message says "daemonize:");
 *     tool_pidfile_write(): vde_plug, vde_plug2tap, slirpvde, wirefilter,
 *     vde_cryptcab (dpipe writes "-PGRP", vde_switch unwinds); and
 *     daemonize()/daemon_ready()/daemon_stopping() (daemon.h) in every daemon
 *   signals: tool_init() + tool_poll()/tool_wait()/tool_stop_signal():
 *     the poll-loop tools, vde_plug and vde_plug2tap; tool_add_stop_signals():
 *     the epoll-loop daemons, vde_switch, wirefilter, slirpvde,
 *     vde_cryptcab, vdecapture; tool_stop_sigset(): dpipe (sigwaitinfo)
 *     and vdecmd (-w); tool_stdio_guard(): dpipe, slirpvde (tool_init()
 *     does it for the others that need it)
 *   networks: tool_open(): vde_plug, wirefilter, vdecapture;
 *     tool_vnl_error(): vde_plug2tap, slirpvde, vde_cryptcab (they open
 *     with their own flags), vdecapture's switch mode (its capture port); tool_recv()/tool_recv_sort(), tool_ctl_gone():
 *     vde_plug, vde_plug2tap
 *   stream output: tool_out_nonblock()/tool_out_restore(),
 *     tool_out_gone(), tool_out_drain(): vde_plug, vde_plug2tap;
 *     tool_out_add()/tool_out_finish(): slirpvde -,
 *     vde_cryptcab -s -; every stream output goes through lib/stream.h's
 *     stream_tx writer
 *
 * The shape of a poll-loop tool:
 *
 *   tool_init("vde_plug");          stdio guard, SIGPIPE ignored, stop
 *                                   signals (TERM, INT, HUP) blocked and
 *                                   read through a signalfd
 *   parse options: tool_usage()/tool_misuse() for -h and misuse,
 *   tool_version() for -V, tool_opt_*() and parse_*_arg() (one message
 *   format)
 *   tool_pidfile_check(pidfile);    before anything is created
 *   conn = tool_open(&net, descr);  vde_open() or exit 1 with a message that
 *                                   names the VNL, the cause and the remedy
 *   tool_daemonize(daemon);         the parent waits for daemon_ready()
 *   tool_pidfile_write(pidfile); daemon_ready("what it serves");
 *   while (tool_wait(pfd, n) == TOOL_WAIT_READY) {
 *           ... sees a stop signal on every wake-up, however busy the
 *           fds; at most TOOL_BURST units of work per ready fd ...
 *   }
 *   daemon_stopping(why);
 *
 * An epoll-loop daemon does the same with loop_new(), tool_daemonize(),
 * then tool_add_stop_signals() (a signalfd registered before the fork
 * would stay silent in the child), tool_pidfile_write(), loop_run().
 *
 * Why a signalfd in the poll set: ppoll() with the stop signals unblocked
 * only delivers them when it would sleep; with an fd that is always ready
 * (stdin on /dev/zero) the handler never runs and the tool ignores SIGTERM.
 * A signalfd is an fd like the others: it is reported on every wake-up.
 * Daemons on the epoll loop (lib/common/loop.h) get the same through
 * tool_add_stop_signals().
 */
#ifndef VDEKIT_TOOL_H
#define VDEKIT_TOOL_H

#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "libvdeplug.h"
#include "loop.h"

struct stream_tx;

/* Upper bound on the frames (or records, or reads) one ready fd may cost
 * per wake-up; past it the tool goes back to tool_poll(). */
#define TOOL_BURST	64

/* tool_init() - log identity, stdio guard (fds 0-2 exist, so no socket or
 * pipe ever becomes "stdout"), SIGPIPE and SIGXFSZ ignored (a write error
 * instead of death; tool_child_reset() restores them), stop signals blocked and
 * routed to a signalfd. Exits 1 with a message on failure. */
void tool_init(const char *name);

/* tool_stdio_guard() - fds 0, 1 and 2 are open (to /dev/null if they were
 * closed), so no socket or pipe opened later takes their number. */
void tool_stdio_guard(void);

/* tool_poll() - ppoll() over @pfd plus the stop-signal fd. @timeout_ms < 0
 * waits forever. Returns the number of @pfd entries with events (0 on
 * timeout or when only a signal arrived), or -1 with errno (never EINTR). A
 * stop signal is recorded for tool_stop_signal(). */
int tool_poll(struct pollfd *pfd, nfds_t n, int timeout_ms);

/* tool_wait() - one wait of a poll loop's round: tool_poll(@pfd, @n, -1),
 * then the stop check. TOOL_WAIT_READY: look at the revents;
 * TOOL_WAIT_STOP: a stop signal came, end the loop; TOOL_WAIT_ERROR: the
 * poll failed (logged as "poll: why"), end the loop with an error. */
enum tool_wait { TOOL_WAIT_READY, TOOL_WAIT_STOP, TOOL_WAIT_ERROR };
enum tool_wait tool_wait(struct pollfd *pfd, nfds_t n);

/* The stop signal received (SIGTERM, SIGINT, SIGHUP), 0 if none: what
 * tool_poll() (or tool_wait()) has seen; a signal that arrives later stays
 * pending on the signalfd until the next poll. */
int tool_stop_signal(void);

/* tool_open_out() - open(@path, O_WRONLY | @flags | O_CLOEXEC, @mode) for a
 * process that must not wait in open(): a FIFO without a reader fails at
 * once (ENXIO) instead of blocking until one comes. Once open the
 * descriptor is blocking, as open() without O_NONBLOCK makes it. The
 * descriptor, or -1 with errno. */
int tool_open_out(const char *path, int flags, mode_t mode);

/* tool_out_nonblock() - make a pipe or socket output non-blocking, so a
 * stalled reader never holds the loop (the stream_tx writer keeps what it
 * does not take); a tty or file is left alone. Returns the previous file
 * status flags for tool_out_restore() (also when the pipe or socket was
 * non-blocking already: it must be polled all the same), or -1 when @fd
 * is a tty or file or its flags could not be set. */
int tool_out_nonblock(int fd);
void tool_out_restore(int fd, int flags);

/* tool_out_gone() - after stream_tx_flush() failed with @err (errno): did
 * the reader go away (EPIPE; ECONNRESET on a socket; 0, a flush that wrote
 * nothing and said nothing)? Anything else is an I/O error. */
bool tool_out_gone(int err);

/* TOOL_DRAIN_MS - how long a poll-loop tool at its end waits for a slow
 * reader to take what its stream output still holds */
#define TOOL_DRAIN_MS	1000

/* tool_out_drain() - the bounded last chance of a stream output at exit:
 * flush @tx to the non-blocking @fd, waiting for room up to @ms in all;
 * once a stop signal was seen (tool_stop_signal(): the user asked to stop)
 * it flushes once and does not wait. Returns true when something is left
 * (the caller counts it as one dropped frame, as it counts tx->drops). */
bool tool_out_drain(struct stream_tx *tx, int fd, int ms);

/* tool_out_add() - tool_out_nonblock(@fd) for a daemon on the epoll loop
 * @l: when @fd is non-blocking (made so or already) it is also added to
 * @l with no events yet (@cb, for EPOLLOUT while the writer keeps a
 * backlog). Returns the previous flags, or -1 when @fd stays blocking
 * and is not in @l (a tty or a file, or the loop refused it). */
int tool_out_add(struct loop *l, int fd, loop_fd_cb cb, void *arg);

/* tool_out_finish() - the end of such a stream output: the bounded last
 * chance of tool_out_drain() (TOOL_DRAIN_MS; none after a stop signal; one
 * flush for an output that stayed blocking), with @report a log_info line
 * of what was lost, then the flags back (tool_out_restore() of
 * tool_out_add()'s @flags). */
void tool_out_finish(struct stream_tx *tx, int fd, int flags, bool report);

/* tool_ctl_gone() - a switch's control stream (vde_ctlfd()) is readable:
 * true when it says the switch closed the port (EOF or an error), false for
 * stray bytes or EAGAIN/EINTR. */
bool tool_ctl_gone(int fd);

/* In a forked child before exec: default signal dispositions and mask
 * (tool_init() blocked the stop signals; a child must not inherit that). */
void tool_child_reset(void);

/* tool_env_fd() - the descriptor named by environment variable @name
 * (dpipe's ALTERNATE_STDIN/ALTERNATE_STDOUT for a middle stage), or -1
 * when it is unset; a value that is not an open descriptor is fatal
 * (die() with the variable and its value). */
int tool_env_fd(const char *name);

/* --- the command line: help, misuse, version (house style 3) ----------- */

/* What a misuse (an unknown option, a bad argument) prints of the help
 * text; each tool keeps the form it has always had. */
enum tool_help_brief {
	TOOL_HELP_WHOLE,	/* all of it, as --help does, no hint */
	TOOL_HELP_PARAGRAPH,	/* up to the first blank line, then the hint */
	TOOL_HELP_LINE,		/* the first line, then the hint */
	TOOL_HELP_LINE_ONLY,	/* the first line, no hint */
};

/* A tool's help: one static constant per tool. */
struct tool_help {
	const char *name;		/* the command, for messages and the hint */
	const char *text;		/* the --help text, printed verbatim */
	enum tool_help_brief brief;
};

/* tool_usage() - -h/--help and misuse, then exit with @status.
 * EXIT_SUCCESS (-h, --help): the whole text on stdout. Anything else
 * (misuse): on stderr the part of the text @h->brief names, and with the
 * hint forms "Try 'NAME --help' for more information.". The stream follows
 * from @status, so help never goes to stderr nor an error to stdout. */
__attribute__((noreturn)) void tool_usage(const struct tool_help *h, int status);

/* tool_misuse() - "NAME: MESSAGE" on stderr, then tool_usage(@h,
 * EXIT_FAILURE): a bad command line that getopt accepted. */
__attribute__((noreturn, format(printf, 2, 3)))
void tool_misuse(const struct tool_help *h, const char *fmt, ...);

/* tool_opt_sockmode() - the octal mode of a socket of vde_plug2tap's and
 * slirpvde's (-m, --mgmtmode): exit 1 with "OPT ARG: not an octal mode",
 * or for 0 "OPT 0: a socket nobody could open (...)". */
mode_t tool_opt_sockmode(const char *opt, const char *arg);

/* tool_version() - -V/--version: "NAME (vdekit) VERSION" on stdout, exit 0. */
__attribute__((noreturn)) void tool_version(const char *name);

/* --- the daemon lifecycle, fatal forms (daemon.h has the others) ------- */

/* tool_pidfile_check() - pidfile_check(@path) before anything is created
 * (so a bad pid file is reported, not lost after -d detached); on failure
 * exit 1 with "pidfile PATH: why". NULL: nothing to do. */
void tool_pidfile_check(const char *path);

/* tool_pidfile_write() - pidfile_write(@path, NULL), or exit 1 with
 * "pidfile PATH: why". NULL: nothing to do. */
void tool_pidfile_write(const char *path);

/* tool_daemonize() - when @on, daemonize() or exit 1 with "daemon: why". */
void tool_daemonize(bool on);

/* tool_rtprio() - --rtprio: the calling process (the one that serves:
 * after tool_daemonize(), since its children get the normal policy back)
 * runs as SCHED_FIFO at @prio, so that what it wakes cannot keep it from
 * its work; 0: nothing to do. Return: 0, or -1 after logging "rtprio N:
 * why" (with what would allow it, for EPERM). */
int tool_rtprio(unsigned int prio);

/* tool_stop_sigset() - @set = the stop signals: SIGTERM, SIGINT, SIGHUP. */
void tool_stop_sigset(sigset_t *set);

/* tool_add_stop_signals() - loop_add_signals() of the stop signals: @cb
 * runs in @l's loop for each, after the signal is recorded for
 * tool_stop_signal() (so the end of a stream output knows the user asked
 * to stop). Once per process, after tool_daemonize() (see loop.h). 0, or
 * -1 with errno. */
int tool_add_stop_signals(struct loop *l, loop_signal_cb cb, void *arg);

/* --- networks: the option block and the open --------------------------- */

/* One network end as the command line describes it: VNL (or -s DIR), -p
 * port, -g group, -m mode. */
struct tool_net {
	char *vnl;			/* NULL or "" = the default switch */
	struct vde_open_args args;	/* port, group, mode (0 = 0700) */
	const char *name;		/* for messages: the VNL or "the default switch" */
	VDECONN *conn;
};

/* tool_opt_port() - a switch port (-p N, --port N: 1 to 0xffffff) for
 * struct vde_open_args, or exit 1 with parse_num_arg()'s message. */
int tool_opt_port(const char *arg);

/* tool_open() - open @n with label @descr; on failure exit 1 with
 * "cannot open VNL: what went wrong (what to do)" from tool_vnl_error(). */
VDECONN *tool_open(struct tool_net *n, const char *descr);

/* tool_recv() - one vde_recv_batch() of at most @n frames into @bufs (@n
 * buffers of VDE_ETHBUFSIZE bytes, described in @msg). Returns the number
 * of frames, 0 when none is there (EAGAIN, EINTR), TOOL_GONE when the
 * connection was closed (by the switch, the peer, the stream's end), or
 * TOOL_ERROR with errno for anything else. */
#define TOOL_GONE	(-1)
#define TOOL_ERROR	(-2)
int tool_recv(VDECONN *conn, struct vde_msg *msg, unsigned char (*bufs)[VDE_ETHBUFSIZE],
	      unsigned int n);
/* tool_recv_sort() - the same sorting for the result @r of any batch
 * receive (vde_recv_batch(), vde_recv_vnet()), errno as it left it. */
int tool_recv_sort(ssize_t r);

/* tool_vnl_error() - the message for vde_open(@vnl) failing with @err:
 * names the VNL, says what went wrong and what to do. Static buffer. */
const char *tool_vnl_error(const char *vnl, int err);

#endif
