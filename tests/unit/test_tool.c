// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_tool.c - the command-line skeleton of lib/common/tool.c
 *
 * tool_usage() in each of its forms (the whole text on stdout with status
 * 0 for --help; on stderr the whole text, the first paragraph or the first
 * line, with or without the "Try 'NAME --help'" hint, status 1 for a
 * misuse), tool_misuse(), tool_version(), and the option parsers that exit
 * (tool_opt_sockmode(), parse_mode_arg(), parse_group_arg()), and
 * tool_out_nonblock() on blocking, non-blocking and non-pipe outputs,
 * tool_out_gone(), tool_out_drain() and tool_out_finish() (bounded,
 * nothing lost to a late reader, no wait after a stop signal). Each call
 * runs in a child whose stdout and stderr are captured byte for byte.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "deadline.h"
#include "log.h"
#include "loop.h"
#include "parse.h"
#include "stream.h"
#include "tool.h"
#include "tap.h"

#define CAP_MAX	4096

struct run {
	int status;		/* exit status, -1 if it did not exit */
	char out[CAP_MAX];
	char err[CAP_MAX];
};

/* Read @fd to EOF into @buf (NUL-terminated, truncated at CAP_MAX - 1). */
static void slurp(int fd, char *buf)
{
	size_t len = 0;
	ssize_t r;

	while ((r = read(fd, buf + len, CAP_MAX - 1 - len)) > 0 ||
	       (r < 0 && errno == EINTR))
		if (r > 0)
			len += (size_t)r;
	buf[len] = '\0';
}

/* Run @fn(@arg) in a child; capture its output and exit status. */
static void run(struct run *r, void (*fn)(const void *), const void *arg)
{
	int po[2], pe[2], st;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->status = -1;
	if (pipe(po) < 0 || pipe(pe) < 0) {
		ok(0, "pipe: %s", strerror(errno));
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(po[1], STDOUT_FILENO);
		dup2(pe[1], STDERR_FILENO);
		close(po[0]);
		close(pe[0]);
		fn(arg);
		_exit(99);		/* every function under test exits */
	}
	close(po[1]);
	close(pe[1]);
	/* the outputs are small: the pipes hold them until the child ends */
	if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st))
		r->status = WEXITSTATUS(st);
	slurp(po[0], r->out);
	slurp(pe[0], r->err);
	close(po[0]);
	close(pe[0]);
}

static const char text[] =
"usage: demo [-h] ARG\n"
"       demo -V\n"
"\n"
"What demo does.\n"
"\n"
"options:\n"
"  -h  help\n";

static const struct tool_help h_whole = { "demo", text, TOOL_HELP_WHOLE };
static const struct tool_help h_par = { "demo", text, TOOL_HELP_PARAGRAPH };
static const struct tool_help h_line = { "demo", text, TOOL_HELP_LINE };
static const struct tool_help h_bare = { "demo", text, TOOL_HELP_LINE_ONLY };

static void do_help(const void *h)
{
	tool_usage(h, EXIT_SUCCESS);
}

static void do_misuse(const void *h)
{
	tool_usage(h, EXIT_FAILURE);
}

static void do_misuse_msg(const void *h)
{
	tool_misuse(h, "too many %s (%d)", "arguments", 3);
}

static void do_version(const void *name)
{
	tool_version(name);
}

static void do_sockmode(const void *arg)
{
	printf("%o\n", (unsigned)tool_opt_sockmode("-m", arg));
	exit(0);
}

static void do_mode_arg(const void *arg)
{
	printf("%o\n", (unsigned)parse_mode_arg("mgmtmode", arg));
	exit(0);
}

static void do_group_arg(const void *arg)
{
	printf("%u\n", (unsigned)parse_group_arg("--mgmtgroup", arg));
	exit(0);
}

static void test_usage(void)
{
	const struct tool_help *all[] = { &h_whole, &h_par, &h_line, &h_bare };
	const char *par = "usage: demo [-h] ARG\n       demo -V\n";
	const char *line = "usage: demo [-h] ARG\n";
	const char *hint = "Try 'demo --help' for more information.\n";
	char want[CAP_MAX];
	struct run r;
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		run(&r, do_help, all[i]);
		ok(r.status == 0 && !strcmp(r.out, text) && !r.err[0],
		   "form %zu: --help is the whole text on stdout, status 0", i);
	}
	run(&r, do_misuse, &h_whole);
	ok(r.status == 1 && !r.out[0] && !strcmp(r.err, text),
	   "whole: a misuse prints the whole text on stderr, status 1");
	run(&r, do_misuse, &h_par);
	snprintf(want, sizeof(want), "%s%s", par, hint);
	ok(r.status == 1 && !r.out[0] && !strcmp(r.err, want),
	   "paragraph: the first paragraph and the hint on stderr (got '%s')", r.err);
	run(&r, do_misuse, &h_line);
	snprintf(want, sizeof(want), "%s%s", line, hint);
	ok(r.status == 1 && !r.out[0] && !strcmp(r.err, want),
	   "line: the first line and the hint (got '%s')", r.err);
	run(&r, do_misuse, &h_bare);
	ok(r.status == 1 && !r.out[0] && !strcmp(r.err, line),
	   "line only: the first line, no hint (got '%s')", r.err);
	run(&r, do_misuse_msg, &h_par);
	snprintf(want, sizeof(want), "demo: too many arguments (3)\n%s%s", par, hint);
	ok(r.status == 1 && !r.out[0] && !strcmp(r.err, want),
	   "tool_misuse: 'NAME: reason' then the misuse form (got '%s')", r.err);
	run(&r, do_misuse_msg, &h_whole);
	snprintf(want, sizeof(want), "demo: too many arguments (3)\n%s", text);
	ok(r.status == 1 && !strcmp(r.err, want), "tool_misuse with the whole form");
}

static void test_version(void)
{
	char want[256];
	struct run r;

	run(&r, do_version, "demo");
	snprintf(want, sizeof(want), "demo (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
	ok(r.status == 0 && !strcmp(r.out, want) && !r.err[0], "tool_version: '%s'", r.out);
}

static void test_opts(void)
{
	char want[256];
	struct run r;

	run(&r, do_sockmode, "0660");
	ok(r.status == 0 && !strcmp(r.out, "660\n"), "sockmode 0660");
	run(&r, do_sockmode, "0");
	ok(r.status == 1 && strstr(r.err, "-m 0: a socket nobody could open (give a mode such as 0660)\n"),
	   "sockmode 0 refused, for what it is: 0 is an octal mode (got '%s')", r.err);
	run(&r, do_sockmode, "9x");
	ok(r.status == 1 && strstr(r.err, "-m 9x: not an octal mode\n"), "sockmode 9x refused");
	run(&r, do_mode_arg, "0");
	ok(r.status == 0 && !strcmp(r.out, "0\n"), "parse_mode_arg accepts 0");
	run(&r, do_mode_arg, "8");
	ok(r.status == 1 &&
	   strstr(r.err, "mgmtmode 8: invalid (expected an octal mode such as 0660)\n"),
	   "parse_mode_arg 8 refused (got '%s')", r.err);
	run(&r, do_group_arg, "4321");
	ok(r.status == 0 && !strcmp(r.out, "4321\n"), "parse_group_arg: a number");
	run(&r, do_group_arg, "no-such-group-zz");
	snprintf(want, sizeof(want), "--mgmtgroup no-such-group-zz: unknown group\n");
	ok(r.status == 1 && strstr(r.err, want), "parse_group_arg: unknown (got '%s')", r.err);
}

/* tool_out_nonblock(): a blocking pipe is made non-blocking and restored; a
 * pipe that is non-blocking already must still be reported (>= 0), or
 * slirpvde and vde_cryptcab never poll it and what waits in their backlog
 * stays there; /dev/null (not a pipe) is left alone. */
static void test_out_nonblock(void)
{
	int p[2], fl, dn;

	if (pipe(p) < 0) {
		ok(0, "pipe: %s", strerror(errno));
		return;
	}
	fl = tool_out_nonblock(p[1]);
	ok(fl >= 0 && !(fl & O_NONBLOCK) && (fcntl(p[1], F_GETFL) & O_NONBLOCK),
	   "a blocking pipe becomes non-blocking (%d)", fl);
	tool_out_restore(p[1], fl);
	ok(!(fcntl(p[1], F_GETFL) & O_NONBLOCK), "and is blocking again after restore");
	fcntl(p[1], F_SETFL, fcntl(p[1], F_GETFL) | O_NONBLOCK);
	fl = tool_out_nonblock(p[1]);
	ok(fl >= 0 && (fl & O_NONBLOCK), "a non-blocking pipe is reported for polling (%d)", fl);
	tool_out_restore(p[1], fl);
	ok(fcntl(p[1], F_GETFL) & O_NONBLOCK, "and stays non-blocking after restore");
	close(p[0]);
	close(p[1]);
	dn = open("/dev/null", O_WRONLY);
	ok(dn >= 0 && tool_out_nonblock(dn) == -1 && !(fcntl(dn, F_GETFL) & O_NONBLOCK),
	   "/dev/null is left alone");
	if (dn >= 0)
		close(dn);
}

/* A one-page pipe whose write end is non-blocking (tool_out_nonblock(): its
 * flags in *@flags) and @tx holding 20 records of 1000 bytes for it, far
 * more than the pipe takes. Returns the bytes queued, 0 on failure. */
static size_t backlog_pipe(int p[2], struct stream_tx *tx, int *flags)
{
	static uint8_t frame[1000];
	size_t want = 0;
	int i;

	if (pipe(p) < 0) {
		ok(0, "pipe: %s", strerror(errno));
		return 0;
	}
	(void)fcntl(p[1], F_SETPIPE_SZ, 4096);
	*flags = tool_out_nonblock(p[1]);
	stream_tx_init(tx);
	for (i = 0; i < 20; i++) {
		memset(frame, i + 1, sizeof(frame));
		want += stream_tx_queue(tx, frame, sizeof(frame)) ? 2 + sizeof(frame) : 0;
	}
	return want;
}

/* A reader that starts 200 ms late: a child reads @p[0] to EOF. Call
 * late_reader_got() after closing @p[1]: the bytes it read. */
static pid_t late_reader(int p[2], int res[2])
{
	pid_t pid;

	if (pipe(res) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		char b[4096];
		size_t got = 0;
		ssize_t r;

		close(p[1]);
		usleep(200 * 1000);
		while ((r = read(p[0], b, sizeof(b))) > 0)
			got += (size_t)r;
		(void)!write(res[1], &got, sizeof(got));
		_exit(0);
	}
	close(p[0]);
	return pid;
}

static size_t late_reader_got(pid_t pid, int res[2])
{
	size_t got = 0;
	int st;

	if (read(res[0], &got, sizeof(got)) != (ssize_t)sizeof(got))
		got = 0;
	waitpid(pid, &st, 0);
	close(res[0]);
	close(res[1]);
	return got;
}

/* tool_out_gone() and tool_out_drain(): a backlog larger than a one-page
 * pipe is delivered whole to a reader that comes late, and a reader that
 * never comes costs at most the bound, with the rest reported left. */
/* tool_open_out(): a FIFO without a reader fails at once; a file or a
 * FIFO with a reader opens, blocking as a plain open() would make it */
static void test_open_out(void)
{
	char dir[] = "/tmp/test_tool.XXXXXX", fifo[64], file[64];
	int fd, rd;

	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	snprintf(file, sizeof(file), "%s/file", dir);
	if (mkfifo(fifo, 0600) < 0) {
		ok(0, "mkfifo: %s", strerror(errno));
		goto out;
	}
	errno = 0;
	fd = tool_open_out(fifo, 0, 0600);
	ok(fd == -1 && errno == ENXIO, "a FIFO without a reader: ENXIO at once (%d, %s)", fd,
	   strerror(errno));
	rd = open(fifo, O_RDONLY | O_NONBLOCK);
	fd = tool_open_out(fifo, 0, 0600);
	ok(fd >= 0 && !(fcntl(fd, F_GETFL) & O_NONBLOCK) && (fcntl(fd, F_GETFD) & FD_CLOEXEC),
	   "with a reader it opens, blocking, close-on-exec");
	if (fd >= 0)
		close(fd);
	if (rd >= 0)
		close(rd);
	fd = tool_open_out(file, O_CREAT | O_TRUNC, 0600);
	ok(fd >= 0 && write(fd, "x", 1) == 1 && !(fcntl(fd, F_GETFL) & O_NONBLOCK),
	   "a new file is created and written");
	if (fd >= 0)
		close(fd);
out:
	unlink(fifo);
	unlink(file);
	rmdir(dir);
}

static void test_out_drain(void)
{
	static struct stream_tx tx;
	int p[2], res[2], flags;
	int64_t t0, el;
	size_t want, got;
	pid_t pid;

	ok(tool_out_gone(EPIPE) && tool_out_gone(ECONNRESET) && tool_out_gone(0) &&
	   !tool_out_gone(EIO) && !tool_out_gone(EAGAIN), "tool_out_gone: EPIPE, ECONNRESET, 0 only");

	/* nobody reads: bounded, and what is left is reported */
	if (!backlog_pipe(p, &tx, &flags))
		return;
	t0 = deadline_now();
	ok(tool_out_drain(&tx, p[1], 300) && stream_tx_pending(&tx), "no reader: something left");
	el = deadline_now() - t0;
	ok(el >= 250 && el < 3000, "no reader: the wait is bounded (%lld ms for 300)", (long long)el);
	close(p[0]);
	close(p[1]);

	/* a reader that comes after 200 ms gets every byte */
	want = backlog_pipe(p, &tx, &flags);
	pid = late_reader(p, res);
	ok(!tool_out_drain(&tx, p[1], 10000) && !stream_tx_pending(&tx),
	   "a late reader: nothing left");
	close(p[1]);
	got = late_reader_got(pid, res);
	ok(want && got == want, "the reader got every byte (%zu of %zu)", got, want);
}

static void on_test_stop(struct loop *l, int signo, void *arg)
{
	*(int *)arg = signo;
	loop_stop(l);
}

/* tool_out_finish() (slirpvde -, vde_cryptcab -s -): the same bounded last
 * chance as tool_out_drain() for a late reader, and none once the epoll
 * loop has seen a stop signal (tool_add_stop_signals() records it for
 * tool_stop_signal()). Runs last: the recorded stop stays. */
static void test_out_finish(void)
{
	static struct stream_tx tx;
	struct loop *l;
	int p[2], res[2], flags, sig = 0;
	size_t want, got;
	int64_t t0, el;
	pid_t pid;

	want = backlog_pipe(p, &tx, &flags);
	pid = late_reader(p, res);
	tool_out_finish(&tx, p[1], flags, false);
	close(p[1]);
	got = late_reader_got(pid, res);
	ok(want && got == want, "tool_out_finish: a late reader gets every byte (%zu of %zu)", got,
	   want);

	l = loop_new();
	if (!l || tool_add_stop_signals(l, on_test_stop, &sig) < 0) {
		ok(0, "loop: %s", strerror(errno));
		return;
	}
	kill(getpid(), SIGTERM);
	(void)loop_run(l);
	ok(sig == SIGTERM && tool_stop_signal() == SIGTERM,
	   "a stop signal on the epoll loop reaches the daemon and tool_stop_signal()");
	if (!backlog_pipe(p, &tx, &flags))
		return;
	t0 = deadline_now();
	tool_out_finish(&tx, p[1], flags, false);
	el = deadline_now() - t0;
	ok(el < 500 && stream_tx_pending(&tx), "after a stop signal it does not wait (%lld ms)",
	   (long long)el);
	close(p[0]);
	close(p[1]);
	loop_free(l);
}

int main(void)
{
	log_init("test_tool");
	test_usage();
	test_version();
	test_opts();
	test_out_nonblock();
	test_open_out();
	test_out_drain();
	test_out_finish();
	return tap_done();
}
