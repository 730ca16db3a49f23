// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_tool.c - the command-line skeleton of lib/common/tool.c
 *
 * tool_usage() in each of its forms (the whole text on stdout with status
 * 0 for --help; on stderr the whole text, the first paragraph or the first
 * line, with or without the "Try 'NAME --help'" hint, status 1 for a
 * misuse), tool_misuse(), tool_version(), and the option parsers that exit
 * (tool_opt_sockmode(), parse_mode_arg(), parse_group_arg()), and
 * tool_out_nonblock() on blocking, non-blocking and non-pipe outputs. Each call
 * runs in a child whose stdout and stderr are captured byte for byte.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "parse.h"
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
	ok(r.status == 1 && strstr(r.err, "-m 0: not an octal mode\n"),
	   "sockmode 0 refused (got '%s')", r.err);
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

int main(void)
{
	log_init("test_tool");
	test_usage();
	test_version();
	test_opts();
	test_out_nonblock();
	return tap_done();
}
