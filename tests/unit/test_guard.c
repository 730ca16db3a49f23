// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_guard.c - lib/vhost/guard.c: a memory file that shrinks
 * under a watched mapping sets the flag and reads zeros instead of killing
 * us; a SIGBUS that is not ours reaches the handler that was there before;
 * 40 mappings at once, some deleted, each fault flags its own */
#include "config.h"

#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../lib/vhost/guard.h"
#include "tap.h"

static volatile sig_atomic_t prev_called;

static void prev_handler(int sig)
{
	static const char msg[] = "not ok - a fault the guard missed (it comes back forever)\n";

	(void)sig;
	if (prev_called++ > 100) {	/* a fault, not raise(): end the loop */
		(void)!write(STDOUT_FILENO, msg, sizeof(msg) - 1);
		_exit(1);
	}
}

/* A previous handler that takes siginfo: exits 40 (raised) or 41 (a fault). */
static void info_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	_exit(si->si_code > 0 ? 41 : 40);
}

/* In a child whose SIGBUS disposition was @disp (SIG_ERR: info_handler) before
 * the guard came: @fault 0 raises SIGBUS, 1 touches a shrunk mapping the
 * guard does not watch. Returns the child's wait status (exit 4: the
 * guard's handler was not there; run before this process installs it,
 * else the child inherits it installed and only replaces it). */
static int child(void (*disp)(int), int fault)
{
	static volatile sig_atomic_t flag;
	size_t len = 2 * (size_t)sysconf(_SC_PAGESIZE);
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		struct rlimit nocore = { 0, 0 };
		int fd = memfd_create("child", MFD_CLOEXEC);
		volatile uint8_t *p, *w;

		struct sigaction sa = { .sa_sigaction = info_handler, .sa_flags = SA_SIGINFO };

		setrlimit(RLIMIT_CORE, &nocore);	/* dying is expected: no core file */
		if (disp != SIG_ERR)
			signal(SIGBUS, disp);
		else
			sigaction(SIGBUS, &sa, NULL);
		if (fd < 0 || ftruncate(fd, (off_t)len))
			_exit(3);
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		w = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED || w == MAP_FAILED || vhost_guard_add((void *)w, len, &flag))
			_exit(3);
		if (sigaction(SIGBUS, NULL, &sa) || sa.sa_sigaction == info_handler ||
		    !(sa.sa_flags & SA_SIGINFO))
			_exit(4);
		if (fault) {
			if (ftruncate(fd, 0))
				_exit(3);
			(void)p[len - 1];
		} else {
			raise(SIGBUS);
		}
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	return status;
}

/* Many mappings at once (the table grows past its first 16 entries, and
 * deleting swaps entries around): each still gets its own flag. */
static void many(void)
{
	enum { N = 40 };
	static volatile sig_atomic_t flags[N];
	static volatile uint8_t *m[N];
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	int fds[N], i, bad = 0, watched = 0;
	uint8_t v;

	for (i = 0; i < N; i++) {
		fds[i] = memfd_create("many", MFD_CLOEXEC);
		if (fds[i] < 0 || ftruncate(fds[i], (off_t)(2 * pg)))
			bad++;
		m[i] = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fds[i], 0);
		if (m[i] == MAP_FAILED)
			bad++;
		else if (vhost_guard_add((void *)m[i], 2 * pg, &flags[i]) == 0)
			watched++;
	}
	ok(!bad && watched == N, "%d mappings watched (the table grew)", watched);
	/* the first ten go (each delete moves the last entry into its place) */
	for (i = 0; i < 10; i++)
		vhost_guard_del((void *)m[i]);
	vhost_guard_del((void *)&bad);		/* not watched: nothing happens */
	bad = 0;
	for (i = 10; i < N; i += 7) {
		if (ftruncate(fds[i], (off_t)pg))
			bad++;
		v = m[i][pg];
		if (v != 0 || flags[i] != 1)
			bad++;
	}
	for (i = 0; i < N; i++)
		if (flags[i] != ((i >= 10 && (i - 10) % 7 == 0) ? 1 : 0))
			bad++;
	ok(!bad, "after 10 deletions: a fault in mapping 10, 17, ... 38 sets its flag, no other");
	for (i = 0; i < N; i++) {
		if (i >= 10)
			vhost_guard_del((void *)m[i]);
		munmap((void *)m[i], 2 * pg);
		close(fds[i]);
	}
}

int main(void)
{
	static volatile sig_atomic_t flag, other;
	size_t len = 4 * (size_t)sysconf(_SC_PAGESIZE);
	volatile uint8_t *p, *q;
	int fd = memfd_create("guard", MFD_CLOEXEC), fd2 = memfd_create("guard2", MFD_CLOEXEC);
	uint8_t v;
	int st;

	/* first, in children of a process without the guard yet */
	st = child(SIG_IGN, 0);
	ok(st == 0, "a SIGBUS from kill() when it was ignored: still ignored (%#x)", st);
	st = child(SIG_DFL, 0);
	ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGBUS,
	   "a SIGBUS from kill() by default: the process dies of it (%#x)", st);
	st = child(SIG_DFL, 1);
	ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGBUS,
	   "a fault outside watched memory: the process dies of it (%#x)", st);
	st = child(SIG_IGN, 1);
	ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGBUS, "the same when SIGBUS was ignored (%#x)", st);
	st = child(SIG_ERR, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 40,
	   "a SIGBUS from kill(): a previous SA_SIGINFO handler gets it (%#x)", st);
	st = child(SIG_ERR, 1);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 41,
	   "a fault outside watched memory: the same, with the fault's siginfo (%#x)", st);

	signal(SIGBUS, prev_handler);
	ok(fd >= 0 && fd2 >= 0 && !ftruncate(fd, (off_t)len) && !ftruncate(fd2, (off_t)len),
	   "two memfds of %zu bytes", len);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	q = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, 0);
	ok(p != MAP_FAILED && q != MAP_FAILED, "mapped");
	p[0] = 1;
	p[len - 1] = 7;
	ok(vhost_guard_add((void *)p, len, &flag) == 0 && vhost_guard_add((void *)q, len, &other) == 0,
	   "both watched");
	v = p[len - 1];
	ok(v == 7 && flag == 0, "an access before the file shrinks: the byte, no flag");
	ok(ftruncate(fd, (off_t)len / 4) == 0, "the file shrinks to one page");
	v = p[len - 1];
	ok(v == 0 && flag == 1, "an access past the new end: zero (%u), flag set", v);
	p[len - 2] = 5;		/* a write there goes nowhere, no second fault */
	ok(p[0] == 1, "the page still in the file reads as before");
	ok(other == 0, "the other mapping's flag untouched");
	vhost_guard_del((void *)p);
	munmap((void *)p, len);
	raise(SIGBUS);
	ok(prev_called == 1, "a SIGBUS that is no fault of ours reaches the previous handler");
	vhost_guard_del((void *)q);
	munmap((void *)q, len);
	close(fd);
	close(fd2);
	many();
	return tap_done();
}
