// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/lib/faultinj.c - a fault-injection interposer for the tests only
 *
 * Loaded with LD_PRELOAD (tests/lib/faultinj.sh builds the command line),
 * it makes chosen calls of the program under test fail, or come back
 * short, so that an error path runs in a real process on real files and
 * sockets. Every call that no rule matches goes to the C library as is.
 *
 * FAULTINJ holds rules separated by ';', each a call name and keys
 * separated by ',':
 *
 *   ioctl,req=FIONREAD|N       the request
 *   fcntl,cmd=F_SETFL|F_GETFL|F_GETPIPE_SZ|N
 *   sigaction,sig=SIGBUS|N     (signal() too, which glibc does not route
 *                              through sigaction())
 *   ppoll / poll
 *   write, writev,max=N        a short write: at most N bytes go (no errno)
 *   mmap,fixed=1               only calls with MAP_FIXED
 *   sendmsg,fds=N              only messages passing N descriptors (SCM_RIGHTS)
 *   fd=fifo|sock|reg|chr       the first argument's file type (fd calls)
 *   path=TEXT                  its file's path (/proc/self/fd) contains TEXT
 *   after=N                    let the first N matching calls through
 *   times=N                    then fail N of them (default: all)
 *   errno=EIO|EPERM|...|N      the error to return (default EIO)
 *
 * e.g. FAULTINJ='ioctl,req=FIONREAD,fd=fifo,errno=ENOTTY'. Each fault
 * injected adds a line "CALL KEYS -> result" to the file FAULTINJ_LOG (if
 * set), so that a test can check that its fault happened at all. The log
 * is written with raw system calls: rules may match inside a signal
 * handler (mmap).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

enum fi_call { FI_IOCTL, FI_FCNTL, FI_SIGACTION, FI_PPOLL, FI_POLL, FI_WRITE, FI_WRITEV,
	       FI_MMAP, FI_SENDMSG, FI_NCALLS };

static const char *const fi_names[FI_NCALLS] = {
	"ioctl", "fcntl", "sigaction", "ppoll", "poll", "write", "writev", "mmap", "sendmsg",
};

#define FI_MAXRULES	8

struct fi_rule {
	enum fi_call call;
	long arg;			/* req, cmd, sig or fds; -1 = any */
	mode_t fdtype;			/* S_IFIFO...; 0 = any */
	long after, times;		/* times < 0: no end */
	long max;			/* write: bytes let through; -1 = fail */
	int fixed;			/* mmap: MAP_FIXED calls only */
	int err;
	char path[64];			/* a part of the fd's path, or "" */
	long seen;			/* matching calls so far */
	char text[96];
};

static struct fi_rule fi_rules[FI_MAXRULES];
static int fi_nrules;
static const char *fi_log;

static void fi_die_early(const char *name)
{
	static const char msg[] = "faultinj: not found by dlsym(): ";

	syscall(SYS_write, STDERR_FILENO, msg, sizeof(msg) - 1);
	syscall(SYS_write, STDERR_FILENO, name, strlen(name));
	syscall(SYS_write, STDERR_FILENO, "\n", 1);
	_exit(99);
}

/* The C library's function @name (the next definition after ours), found
 * at the first call: a sanitizer runtime loaded first may call us before
 * our constructor runs. */
static void *fi_real(void **slot, const char *name)
{
	void *f = __atomic_load_n(slot, __ATOMIC_RELAXED);

	if (!f) {
		f = dlsym(RTLD_NEXT, name);
		if (!f)
			fi_die_early(name);
		__atomic_store_n(slot, f, __ATOMIC_RELAXED);
	}
	return f;
}

#define REAL(type, name)						\
	({								\
		static void *slot_;					\
		(type)fi_real(&slot_, #name);				\
	})

static const struct { const char *name; long v; } fi_consts[] = {
	{ "FIONREAD", FIONREAD }, { "F_SETFL", F_SETFL }, { "F_GETFL", F_GETFL },
	{ "F_GETPIPE_SZ", F_GETPIPE_SZ }, { "F_SETPIPE_SZ", F_SETPIPE_SZ },
	{ "SIGBUS", SIGBUS }, { "SIGSEGV", SIGSEGV }, { "SIGPIPE", SIGPIPE },
	{ "EIO", EIO }, { "EPERM", EPERM }, { "EINVAL", EINVAL }, { "ENOMEM", ENOMEM },
	{ "ENOTTY", ENOTTY }, { "EBADF", EBADF }, { "EAGAIN", EAGAIN }, { "EINTR", EINTR },
	{ "ENOSPC", ENOSPC }, { "EPIPE", EPIPE }, { "EFAULT", EFAULT }, { "EACCES", EACCES },
};

static void fi_die(const char *what, const char *rule)
{
	dprintf(STDERR_FILENO, "faultinj: %s in rule '%s'\n", what, rule);
	_exit(99);
}

static long fi_value(const char *s, const char *rule)
{
	char *end;
	size_t i;
	long v;

	for (i = 0; i < sizeof(fi_consts) / sizeof(fi_consts[0]); i++)
		if (strcmp(s, fi_consts[i].name) == 0)
			return fi_consts[i].v;
	v = strtol(s, &end, 0);
	if (!*s || *end)
		fi_die("bad value", rule);
	return v;
}

static void fi_parse_rule(char *text)
{
	struct fi_rule *r = &fi_rules[fi_nrules];
	char *key, *save = NULL;
	int c;

	if (fi_nrules == FI_MAXRULES)
		fi_die("too many rules", text);
	*r = (struct fi_rule){ .arg = -1, .times = -1, .max = -1, .err = EIO };
	snprintf(r->text, sizeof(r->text), "%s", text);
	key = strtok_r(text, ",", &save);
	for (c = 0; c < FI_NCALLS; c++)
		if (key && strcmp(key, fi_names[c]) == 0)
			break;
	if (c == FI_NCALLS)
		fi_die("unknown call", r->text);
	r->call = (enum fi_call)c;
	while ((key = strtok_r(NULL, ",", &save))) {
		char *v = strchr(key, '=');

		if (!v)
			fi_die("key without a value", r->text);
		*v++ = '\0';
		if (!strcmp(key, "req") || !strcmp(key, "cmd") || !strcmp(key, "sig") ||
		    !strcmp(key, "fds"))
			r->arg = fi_value(v, r->text);
		else if (!strcmp(key, "after"))
			r->after = fi_value(v, r->text);
		else if (!strcmp(key, "times"))
			r->times = fi_value(v, r->text);
		else if (!strcmp(key, "max"))
			r->max = fi_value(v, r->text);
		else if (!strcmp(key, "fixed"))
			r->fixed = (int)fi_value(v, r->text);
		else if (!strcmp(key, "errno"))
			r->err = (int)fi_value(v, r->text);
		else if (!strcmp(key, "path") && strlen(v) < sizeof(r->path))
			strcpy(r->path, v);
		else if (!strcmp(key, "fd"))
			r->fdtype = !strcmp(v, "fifo") ? S_IFIFO : !strcmp(v, "sock") ? S_IFSOCK :
				    !strcmp(v, "reg") ? S_IFREG : !strcmp(v, "chr") ? S_IFCHR :
				    (fi_die("bad fd type", r->text), 0);
		else
			fi_die("unknown key", r->text);
	}
	fi_nrules++;
}

__attribute__((constructor)) static void fi_init(void)
{
	const char *env = getenv("FAULTINJ");
	char *copy, *rule, *save = NULL;

	fi_log = getenv("FAULTINJ_LOG");
	if (!env || !*env)
		return;
	copy = strdup(env);
	if (!copy)
		fi_die("out of memory", env);
	for (rule = strtok_r(copy, ";", &save); rule; rule = strtok_r(NULL, ";", &save))
		fi_parse_rule(rule);
	/* the rules keep their text; the copy is not needed any more */
	free(copy);
}

static mode_t fi_fdtype(int fd)
{
	struct stat st;

	return syscall(SYS_fstat, fd, &st) < 0 ? 0 : st.st_mode & S_IFMT;
}

/* Whether @fd's path contains @part. */
static int fi_fdpath(int fd, const char *part)
{
	char link[32], target[256];
	long n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = syscall(SYS_readlinkat, AT_FDCWD, link, target, sizeof(target) - 1);
	if (n < 0)
		return 0;
	target[n] = '\0';
	return strstr(target, part) != NULL;
}

/* The rule that applies to this call (its count advanced), or NULL. */
static struct fi_rule *fi_match(enum fi_call call, long arg, int fd, int fixed)
{
	struct fi_rule *r;
	long n;
	int i;

	for (i = 0; i < fi_nrules; i++) {
		r = &fi_rules[i];
		if (r->call != call || (r->arg >= 0 && r->arg != arg) || (r->fixed && !fixed) ||
		    (r->fdtype && fi_fdtype(fd) != r->fdtype) ||
		    (r->path[0] && !fi_fdpath(fd, r->path)))
			continue;
		n = __atomic_fetch_add(&r->seen, 1, __ATOMIC_RELAXED);
		if (n < r->after || (r->times >= 0 && n >= r->after + r->times))
			continue;
		return r;
	}
	return NULL;
}

/* Note the fault in FAULTINJ_LOG (async-signal-safe). */
static void fi_note(const struct fi_rule *r, const char *what)
{
	char line[160];
	int fd, n;

	if (!fi_log)
		return;
	n = snprintf(line, sizeof(line), "%s -> %s\n", r->text, what);
	fd = (int)syscall(SYS_openat, AT_FDCWD, fi_log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
			  0600);
	if (fd < 0)
		return;
	if (n > 0)
		(void)syscall(SYS_write, fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	syscall(SYS_close, fd);
}

/* The name of errno @err (async-signal-safe, unlike strerror()). */
static const char *fi_errname(int err)
{
	size_t i;

	for (i = 0; i < sizeof(fi_consts) / sizeof(fi_consts[0]); i++)
		if (fi_consts[i].name[0] == 'E' && fi_consts[i].v == err)
			return fi_consts[i].name;
	return "an errno";
}

static int fi_fail(const struct fi_rule *r)
{
	fi_note(r, fi_errname(r->err));
	errno = r->err;
	return -1;
}

int ioctl(int fd, unsigned long req, ...)
{
	struct fi_rule *r = fi_match(FI_IOCTL, (long)req, fd, 0);
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	return r ? fi_fail(r) : REAL(int (*)(int, unsigned long, void *), ioctl)(fd, req, arg);
}

static int fi_fcntl(int (*real)(int, int, void *), int fd, int cmd, void *arg)
{
	struct fi_rule *r = fi_match(FI_FCNTL, cmd, fd, 0);

	return r ? fi_fail(r) : real(fd, cmd, arg);
}

int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return fi_fcntl(REAL(int (*)(int, int, void *), fcntl), fd, cmd, arg);
}

int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return fi_fcntl(REAL(int (*)(int, int, void *), fcntl64), fd, cmd, arg);
}

int sigaction(int sig, const struct sigaction *sa, struct sigaction *old)
{
	struct fi_rule *r = fi_match(FI_SIGACTION, sig, -1, 0);

	return r ? fi_fail(r) :
		REAL(int (*)(int, const struct sigaction *, struct sigaction *), sigaction)(sig, sa, old);
}

sighandler_t signal(int sig, sighandler_t h)
{
	struct fi_rule *r = fi_match(FI_SIGACTION, sig, -1, 0);

	if (r) {
		fi_fail(r);
		return SIG_ERR;
	}
	return REAL(sighandler_t (*)(int, sighandler_t), signal)(sig, h);
}

int ppoll(struct pollfd *pfd, nfds_t n, const struct timespec *tmo, const sigset_t *mask)
{
	struct fi_rule *r = fi_match(FI_PPOLL, -1, -1, 0);

	return r ? fi_fail(r) :
		REAL(int (*)(struct pollfd *, nfds_t, const struct timespec *, const sigset_t *),
		     ppoll)(pfd, n, tmo, mask);
}

int poll(struct pollfd *pfd, nfds_t n, int tmo)
{
	struct fi_rule *r = fi_match(FI_POLL, -1, -1, 0);

	return r ? fi_fail(r) : REAL(int (*)(struct pollfd *, nfds_t, int), poll)(pfd, n, tmo);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	struct fi_rule *r = fi_match(FI_WRITE, -1, fd, 0);
	char what[48];

	ssize_t (*real)(int, const void *, size_t) = REAL(ssize_t (*)(int, const void *, size_t),
							   write);

	if (!r)
		return real(fd, buf, n);
	if (r->max < 0)
		return fi_fail(r);
	if (n > (size_t)r->max)
		n = (size_t)r->max;
	snprintf(what, sizeof(what), "at most %ld bytes", r->max);
	fi_note(r, what);
	return real(fd, buf, n);
}

ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
	struct fi_rule *r = fi_match(FI_WRITEV, -1, fd, 0);
	struct iovec cut[64];
	size_t left;
	int i;

	ssize_t (*real)(int, const struct iovec *, int) =
		REAL(ssize_t (*)(int, const struct iovec *, int), writev);

	if (!r)
		return real(fd, iov, cnt);
	if (r->max < 0 || cnt < 0 || cnt > 64)
		return fi_fail(r);
	left = (size_t)r->max;
	for (i = 0; i < cnt; i++) {
		cut[i] = iov[i];
		if (cut[i].iov_len > left)
			cut[i].iov_len = left;
		left -= cut[i].iov_len;
	}
	fi_note(r, "short");
	return real(fd, cut, cnt);
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	struct fi_rule *r = fi_match(FI_MMAP, -1, -1, (flags & MAP_FIXED) != 0);

	if (r) {
		fi_fail(r);
		return MAP_FAILED;
	}
	/* the system call itself: a sanitizer's runtime maps memory through
	 * us before anything can be looked up */
	return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

/* The descriptors a message passes (SCM_RIGHTS). */
static long fi_nfds(const struct msghdr *mh)
{
	struct cmsghdr *c;
	long n = 0;

	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR((struct msghdr *)mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			n += (long)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
	return n;
}

ssize_t sendmsg(int fd, const struct msghdr *mh, int flags)
{
	struct fi_rule *r = fi_match(FI_SENDMSG, mh ? fi_nfds(mh) : 0, fd, 0);
	ssize_t (*real)(int, const struct msghdr *, int) =
		REAL(ssize_t (*)(int, const struct msghdr *, int), sendmsg);

	return r ? fi_fail(r) : real(fd, mh, flags);
}
