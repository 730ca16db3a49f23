// SPDX-License-Identifier: LGPL-2.1-or-later
/* lib/vhost/guard.c - SIGBUS in mapped guest memory (see guard.h) */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guard.h"

struct guard {
	uintptr_t start, end;
	volatile sig_atomic_t *flag;
};

static struct guard *guards;
static size_t nguards, capguards;
static struct sigaction guard_prev;
static bool guard_installed;
static uintptr_t guard_pagemask;

/* Not ours: what would have happened without us. */
static void guard_chain(int sig, siginfo_t *si, void *uc)
{
	if ((guard_prev.sa_flags & SA_SIGINFO) && guard_prev.sa_sigaction) {
		guard_prev.sa_sigaction(sig, si, uc);
	} else if (guard_prev.sa_handler != SIG_DFL && guard_prev.sa_handler != SIG_IGN) {
		guard_prev.sa_handler(sig);
	} else if (si->si_code <= 0) {
		/* sent by kill(): ignored, or the default (death) */
		if (guard_prev.sa_handler == SIG_DFL) {
			signal(SIGBUS, SIG_DFL);
			raise(SIGBUS);
		}
	} else {
		/* a fault: the access runs again and kills us, as the default
		 * would (the kernel does not let a fault's SIGBUS be ignored) */
		signal(SIGBUS, SIG_DFL);
	}
}

static void guard_handler(int sig, siginfo_t *si, void *uc)
{
	uintptr_t a = (uintptr_t)si->si_addr, page;
	size_t i;

	if (si->si_code > 0) {		/* a fault, not kill() */
		for (i = 0; i < nguards; i++) {
			if (a < guards[i].start || a >= guards[i].end)
				continue;
			page = a & guard_pagemask;
			if (mmap((void *)page, guards[i].end - page, PROT_READ | PROT_WRITE,
				 MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED)
				break;
			*guards[i].flag = 1;
			return;
		}
	}
	guard_chain(sig, si, uc);
}

static int guard_install(void)
{
	struct sigaction sa;
	long pg = sysconf(_SC_PAGESIZE);

	if (guard_installed)
		return 0;
	if (pg <= 0) {
		errno = EINVAL;
		return -1;
	}
	guard_pagemask = ~((uintptr_t)pg - 1);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = guard_handler;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, &guard_prev) < 0)
		return -1;
	guard_installed = true;
	return 0;
}

int vhost_guard_add(void *start, size_t len, volatile sig_atomic_t *flag)
{
	if (guard_install() < 0)
		return -1;
	if (nguards == capguards) {
		size_t n = capguards ? 2 * capguards : 16;
		struct guard *g = realloc(guards, n * sizeof(*g));

		if (!g)
			return -1;
		guards = g;
		capguards = n;
	}
	guards[nguards++] = (struct guard){ (uintptr_t)start, (uintptr_t)start + len, flag };
	return 0;
}

void vhost_guard_del(void *start)
{
	size_t i;

	for (i = 0; i < nguards; i++) {
		if (guards[i].start == (uintptr_t)start) {
			guards[i] = guards[--nguards];
			return;
		}
	}
}
