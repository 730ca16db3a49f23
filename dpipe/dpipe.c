// SPDX-License-Identifier: GPL-2.0-or-later
/* dpipe/dpipe.c - dpipe: bidirectional pipe between commands
 *
 *   dpipe [-dnN] [-p PIDFILE] [-P PGRPFILE] cmd1 [args] = cmd2 [args] [= cmd3 [args]]...
 *
 * Theory of operation. dpipe/chain.c turns the argument list into stages
 * and pipe edges (see there for the "=", "=}", "}=", "={", "{=" grammar
 * and VDE 2's ALTERNATE_STDIN/ALTERNATE_STDOUT convention).
 *
 * Every pipe is created O_CLOEXEC, every stage forked, and in each child
 * exactly its own pipe ends are dup2()ed onto 0, 1 and the two alternate
 * numbers (picked like VDE 2 does: the two lowest free descriptors), so no
 * stage inherits another's pipe. dpipe stays as a supervising parent: when any
 * stage ends the others get one second to end on their own (EOF travels
 * down the pipes), then SIGTERM, then SIGKILL five seconds later; dpipe
 * exits with the status of the first stage that failed on its own (0 if
 * none did).
 *
 * Stages never outlive the chain: each child asks the kernel for SIGTERM
 * when dpipe dies (PR_SET_PDEATHSIG), then checks getppid() against the
 * race of dpipe dying before that request. A stage that is itself a dpipe
 * ends its own stages the same way when it gets that SIGTERM. A stage that
 * cannot be run (exec fails) is reported by dpipe itself through a
 * close-on-exec pipe, so `dpipe -d a = nosuchcmd` fails with status 127 and
 * the message on the terminal instead of detaching with status 0.
 *
 * -p writes "-PGRP" (VDE 2's dpipe: `kill -- $(cat PIDFILE)` ends the
 * chain); -P PGRPFILE writes the same to a second file (vdeplug4's dpipe,
 * whose -p holds a pid). vdeplug4's -n/-N (no wrapper process) are taken
 * and change nothing: dpipe always stays the stages' parent, and removes
 * its files at the end.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "chain.h"
#include "daemon.h"
#include "log.h"
#include "tool.h"

#define DP_DRAIN_MS		1000	/* first exit -> SIGTERM to the rest */
#define DP_KILL_GRACE_S		5	/* SIGTERM -> SIGKILL */

/* Run-time state of one stage; argv comes from struct chain. */
struct dp_stage {
	char **argv;			/* NULL-terminated inside the original argv */
	int fd[SLOT_N];			/* pipe ends in the parent, -1 if unused */
	pid_t pid;
	bool running;
	bool signalled;			/* we sent it SIGTERM */
};

struct dp_ctx {
	struct chain chain;
	struct dp_stage *st;		/* chain.nst entries */
	size_t nst;
	bool daemon;
	const char *pidfile;
	char pgrpfile[PATH_MAX + 1];	/* -P, written (absolute), or "" */
	int alt_no[2];			/* fd numbers of ALTERNATE_STDIN/STDOUT */
};

static const char usage_text[] =
"usage: dpipe [-dnN] [-p PIDFILE] [-P PGRPFILE] COMMAND [ARG...] = COMMAND [ARG...]\n"
"             [= COMMAND [ARG...]]...\n"
"\n"
"Run the commands with the standard output of each connected to the\n"
"standard input of the next and vice versa. A middle command talks to the\n"
"next one on the descriptors named by $ALTERNATE_STDIN and $ALTERNATE_STDOUT.\n"
"\"=}\" ... \"}=\" and \"={\" ... \"{=\" enclose one-way stages (forward and\n"
"backward direction). dpipe ends all commands when one of them exits.\n"
"\n"
"options:\n"
"  -d, --daemon            run in the background\n"
"  -p, --pidfile FILE      write \"-PGRP\" (the negated process group) to FILE\n"
"  -P, --pgrpfile FILE     the same, to a second FILE (vdeplug4's dpipe)\n"
"  -n, --nowrapproc        accepted for vdeplug4's dpipe, no effect (dpipe\n"
"  -N, --nowrapnoclean     stays the commands' parent and removes its files)\n"
"  -V, --version           print the version and exit\n"
"  -h, --help              print this help and exit\n";

static const struct tool_help help = { "dpipe", usage_text, TOOL_HELP_LINE };

/* the pid file (-p) and the process group file (-P), at the end */
static void dp_files_remove(struct dp_ctx *c)
{
	if (c->pidfile)
		pidfile_remove();
	if (c->pgrpfile[0])
		unlink(c->pgrpfile);
	c->pgrpfile[0] = '\0';
}

static void dp_kill_running(struct dp_ctx *c, int sig)
{
	size_t i;

	for (i = 0; i < c->nst; i++) {
		if (!c->st[i].running)
			continue;
		if (kill(c->st[i].pid, sig) < 0 && errno != ESRCH)
			log_warn("kill %ld: %s", (long)c->st[i].pid, strerror(errno));
		c->st[i].signalled = true;
	}
}

/* What a child that could not exec tells the parent (exec_pipe). */
struct dp_exec_report {
	int stage;
	int err;
	int setup;			/* 1: failed before exec (fd wiring) */
};

/* Child side of fork(): wire the stage's fds and exec it. Never returns. */
static void dp_exec_stage(struct dp_ctx *c, struct dp_stage *s, const sigset_t *mask,
			  pid_t parent, int report_fd)
{
	static const int target_std[SLOT_N] = { STDIN_FILENO, STDOUT_FILENO, -1, -1 };
	struct dp_exec_report rep = { .stage = (int)(s - c->st) };
	char num[2][16];
	int k;

	/* end with the chain: SIGTERM when dpipe dies, even by SIGKILL; if it
	 * died before the request took effect we have been re-parented */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0)
		goto fail;
	if (getppid() != parent)
		_exit(128 + SIGTERM);
	if (sigprocmask(SIG_SETMASK, mask, NULL) < 0)
		goto fail;
	for (k = 0; k < SLOT_N; k++) {
		int to = k < SLOT_ALT_IN ? target_std[k] : c->alt_no[k - SLOT_ALT_IN];

		if (s->fd[k] >= 0 && dup2(s->fd[k], to) < 0)
			goto fail;
	}
	snprintf(num[0], sizeof(num[0]), "%d", c->alt_no[0]);
	snprintf(num[1], sizeof(num[1]), "%d", c->alt_no[1]);
	if (s->fd[SLOT_ALT_IN] >= 0 ?
	    setenv("ALTERNATE_STDIN", num[0], 1) < 0 || setenv("ALTERNATE_STDOUT", num[1], 1) < 0 :
	    unsetenv("ALTERNATE_STDIN") < 0 || unsetenv("ALTERNATE_STDOUT") < 0)
		goto fail;
	execvp(s->argv[0], s->argv);
	rep.err = errno;
	if (write(report_fd, &rep, sizeof(rep)) != (ssize_t)sizeof(rep))
		fprintf(stderr, "dpipe: cannot run %s: %s\n", s->argv[0], strerror(rep.err));
	_exit(127);
fail:
	rep.err = errno;
	rep.setup = 1;
	if (write(report_fd, &rep, sizeof(rep)) != (ssize_t)sizeof(rep))
		fprintf(stderr, "dpipe: setting up %s: %s\n", s->argv[0], strerror(rep.err));
	_exit(127);
}

static int64_t dp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int dp_status_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;
}

/* Wait for the stages. When one ends, the others get DP_DRAIN_MS to end on
 * their own (EOF propagates through the pipes and data in flight is
 * delivered), then SIGTERM, then SIGKILL after DP_KILL_GRACE_S. */
static int dp_supervise(struct dp_ctx *c, const sigset_t *set)
{
	enum { P_RUN, P_DRAIN, P_TERM, P_KILL } phase = P_RUN;
	size_t running = 0, i;
	int64_t deadline = 0;
	int result = 0;

	for (i = 0; i < c->nst; i++)
		running += c->st[i].running;
	while (running > 0) {
		struct timespec left = { 0, 0 };
		siginfo_t info;
		bool reaped = false;
		pid_t pid;
		int sig, status;

		if (phase == P_RUN || phase == P_KILL) {
			sig = sigwaitinfo(set, &info);
		} else {
			int64_t ms = deadline - dp_now_ms();

			if (ms > 0) {
				left.tv_sec = ms / 1000;
				left.tv_nsec = (ms % 1000) * 1000000L;
			}
			sig = sigtimedwait(set, &info, &left);
		}
		if (sig < 0) {
			if (errno == EAGAIN && phase == P_DRAIN) {
				dp_kill_running(c, SIGTERM);
				phase = P_TERM;
				deadline = dp_now_ms() + DP_KILL_GRACE_S * 1000;
			} else if (errno == EAGAIN) {
				log_warn("stages still running %d s after SIGTERM: SIGKILL",
					 DP_KILL_GRACE_S);
				dp_kill_running(c, SIGKILL);
				phase = P_KILL;
			} else if (errno != EINTR) {
				log_err("sigwaitinfo: %s", strerror(errno));
				dp_kill_running(c, SIGKILL);
				phase = P_KILL;
			}
			continue;
		}
		if (sig != SIGCHLD) {
			log_info("signal %d: ending the chain", sig);
			if (phase < P_TERM) {
				dp_kill_running(c, SIGTERM);
				phase = P_TERM;
				deadline = dp_now_ms() + DP_KILL_GRACE_S * 1000;
			}
			continue;
		}
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			for (i = 0; i < c->nst; i++) {
				struct dp_stage *s = &c->st[i];
				int code;

				if (s->pid != pid || !s->running)
					continue;
				s->running = false;
				running--;
				reaped = true;
				code = dp_status_code(status);
				if (!s->signalled && code != 0 && result == 0)
					result = code;
				log_info("%s (pid %ld) ended with status %d", s->argv[0], (long)pid, code);
			}
		}
		/* the drain period is not restarted by later exits: the chain
		 * ends at most DP_DRAIN_MS after its first stage did */
		if (reaped && phase == P_RUN) {
			phase = P_DRAIN;
			deadline = dp_now_ms() + DP_DRAIN_MS;
		}
	}
	return result;
}

static void dp_close_pipes(struct dp_ctx *c)
{
	size_t i;
	int k;

	for (i = 0; i < c->nst; i++) {
		for (k = 0; k < SLOT_N; k++) {
			if (c->st[i].fd[k] >= 0)
				close(c->st[i].fd[k]);
			c->st[i].fd[k] = -1;
		}
	}
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "daemon", no_argument, NULL, 'd' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "pgrpfile", required_argument, NULL, 'P' },
		{ "nowrapproc", no_argument, NULL, 'n' },
		{ "nowrapnoclean", no_argument, NULL, 'N' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct dp_ctx ctx = { .alt_no = { -1, -1 } }, *c = &ctx;
	sigset_t set, oldmask;
	const char *err = NULL, *pgrpfile = NULL;
	pid_t self;
	bool failed = false;
	int report[2];
	size_t i, e;
	int opt, status, k;

	log_init("dpipe");
	log_set_level(LOG_WARNING);
	while ((opt = getopt_long(argc, argv, "+dp:P:nNVh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			c->daemon = true;
			break;
		case 'p':
			c->pidfile = optarg;
			break;
		case 'P':
			pgrpfile = optarg;
			break;
		case 'n':
		case 'N':
			break;
		case 'V':
			tool_version("dpipe");
		case 'h':
			tool_usage(&help, EXIT_SUCCESS);
		default:
			tool_usage(&help, EXIT_FAILURE);
		}
	}
	argc -= optind;
	argv += optind;
	if (chain_parse(&c->chain, argc, argv, &err) < 0)
		tool_misuse(&help, "%s", err);
	c->nst = c->chain.nst;
	c->st = calloc(c->nst, sizeof(*c->st));
	if (!c->st)
		die("out of memory");
	for (i = 0; i < c->nst; i++)
		c->st[i].argv = c->chain.st[i].argv;
	tool_stdio_guard();

	tool_pidfile_check(c->pidfile);	/* before anything is created, not after -d */
	if (pgrpfile && pidfile_check(pgrpfile) < 0)
		die("pgrpfile %s: %s", pgrpfile, pidfile_strerror(errno));
	tool_daemonize(c->daemon);
	if ((c->daemon || c->pidfile || pgrpfile) && getpgrp() != getpid() && setpgid(0, 0) < 0)
		die_perror("setpgid");
	if (c->pidfile || pgrpfile) {
		char text[32];

		snprintf(text, sizeof(text), "-%ld\n", (long)getpgrp());
		if (c->pidfile && pidfile_write(c->pidfile, text) < 0)
			die_perror("pidfile %s", c->pidfile);
		if (pgrpfile &&
		    pidfile_write_at(pgrpfile, text, c->pgrpfile, sizeof(c->pgrpfile)) < 0) {
			int saved = errno;

			dp_files_remove(c);
			errno = saved;
			die_perror("pgrpfile %s", pgrpfile);
		}
	}

	tool_stop_sigset(&set);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, &oldmask) < 0)
		die_perror("sigprocmask");

	/* The two lowest free descriptors become the alternate stdin/stdout
	 * numbers (VDE 2); holding them open keeps the pipes off them. */
	for (k = 0; k < 2; k++) {
		c->alt_no[k] = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (c->alt_no[k] < 0)
			die_perror("/dev/null");
	}
	for (i = 0; i < c->nst; i++)
		for (k = 0; k < SLOT_N; k++)
			c->st[i].fd[k] = -1;
	for (e = 0; e < c->chain.nedge; e++) {
		const struct chain_edge *d = &c->chain.edge[e];
		int p[2];

		if (pipe2(p, O_CLOEXEC) < 0)
			die_perror("pipe");
		c->st[d->w].fd[d->ws] = p[1];
		c->st[d->r].fd[d->rs] = p[0];
	}
	self = getpid();	/* after daemonize(): the stages' parent */
	if (pipe2(report, O_CLOEXEC) < 0)
		die_perror("pipe");
	for (i = 0; i < c->nst; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			int saved = errno;

			dp_close_pipes(c);
			dp_kill_running(c, SIGTERM);
			log_err("fork: %s", strerror(saved));
			dp_supervise(c, &set);
			dp_files_remove(c);
			exit(EXIT_FAILURE);
		}
		if (pid == 0)
			dp_exec_stage(c, &c->st[i], &oldmask, self, report[1]);
		c->st[i].pid = pid;
		c->st[i].running = true;
	}
	dp_close_pipes(c);
	close(c->alt_no[0]);
	close(c->alt_no[1]);
	/* EOF once every stage has exec'd (close-on-exec) or died */
	close(report[1]);
	for (;;) {
		struct dp_exec_report rep;
		ssize_t n = read(report[0], &rep, sizeof(rep));

		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(rep))
			break;
		if (rep.stage >= 0 && (size_t)rep.stage < c->nst) {
			log_err("%s %s: %s", rep.setup ? "setting up" : "cannot run",
				c->st[rep.stage].argv[0], strerror(rep.err));
			failed = true;
		}
	}
	close(report[0]);
	if (failed) {
		/* the chain cannot work: end it now, fail visibly */
		dp_kill_running(c, SIGTERM);
		dp_supervise(c, &set);
		dp_files_remove(c);
		free(c->st);
		chain_free(&c->chain);
		return 127;
	}
	daemon_ready(NULL);

	status = dp_supervise(c, &set);
	daemon_stopping(status ? "a stage failed" : "ended");
	dp_files_remove(c);
	free(c->st);
	chain_free(&c->chain);
	return status;
}
