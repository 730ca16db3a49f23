// SPDX-License-Identifier: LGPL-2.1-or-later
/* lib/common/daemon.c - daemonize() and the pid file
 *
 * Daemons open and bind everything first, then call daemonize(), then
 * pidfile_write(), then daemon_ready(). The parent of daemonize() waits on a
 * pipe for the child's "ready" byte, so when `tool -d` returns 0 the pid
 * file exists and the sockets listen; when start-up fails after the fork
 * the parent prints the child's errors and exits non-zero. daemon_ready()
 * also speaks systemd's notify datagram (READY=1) when NOTIFY_SOCKET is set. The pid file path is remembered (made
 * absolute) so pidfile_remove() still works after a chdir("/").
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <stddef.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"
#include "parse.h"

static char pidfile_path[PATH_MAX];

static int report_fd = -1;	/* write end of the start-up pipe (child) */
static bool detached;

/* Parent side of daemonize(): copy what the child reports to stderr until
 * it says "ready" (a NUL byte) or goes away; never returns. */
__attribute__((noreturn))
static void daemon_parent(int fd, pid_t pid)
{
	char buf[512];
	int status = 1;

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		char *nul;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		nul = memchr(buf, '\0', (size_t)n);
		if (write(STDERR_FILENO, buf, nul ? (size_t)(nul - buf) : (size_t)n) < 0)
			(void)0;	/* nowhere left to report to */
		if (nul)
			_exit(0);
	}
	/* no "ready": the child failed during start-up (it already said why) */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		_exit(WEXITSTATUS(status));
	if (WIFSIGNALED(status))
		dprintf(STDERR_FILENO, "%s: daemon killed by signal %d during start-up\n",
			program_invocation_short_name, WTERMSIG(status));
	else
		dprintf(STDERR_FILENO, "%s: daemon ended during start-up\n",
			program_invocation_short_name);
	_exit(1);
}

/**
 * daemonize() - detach from the terminal; the parent exits once ready
 *
 * Forks, starts a new session, moves stdio to /dev/null and switches
 * logging to syslog. The parent does not exit at once: it waits until the
 * child calls daemon_ready() (exit 0), or until the child ends without
 * doing so (exit with the child's non-zero status, 1 otherwise). Errors the
 * child logs in between are copied to the parent's stderr, so a failure
 * after the fork is still seen on the terminal. The working directory is
 * left alone so relative paths given on the command line keep working.
 *
 * Return: 0 in the child, -1 with errno set on failure (in the caller).
 */
int daemonize(void)
{
	int fd, pfd[2], ret = -1;
	pid_t pid;

	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		goto out;
	if (pipe2(pfd, O_CLOEXEC) < 0)
		goto out_close;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		goto out_close;
	}
	if (pid > 0) {
		close(pfd[1]);
		daemon_parent(pfd[0], pid);
	}
	close(pfd[0]);
	report_fd = pfd[1];
	if (setsid() < 0)
		goto out_close;
	if (dup2(fd, STDIN_FILENO) < 0 || dup2(fd, STDOUT_FILENO) < 0 ||
	    dup2(fd, STDERR_FILENO) < 0)
		goto out_close;
	log_to_syslog(true);
	log_set_report_fd(report_fd);
	detached = true;
	ret = 0;
out_close:
	if (fd > STDERR_FILENO)
		close(fd);
out:
	return ret;
}

/**
 * sd_notify_send() - send @state to the service manager (NOTIFY_SOCKET)
 * @state:	"READY=1", "STOPPING=1", ...
 *
 * The datagram protocol of systemd's sd_notify(3), spoken directly: one
 * datagram of text to the AF_UNIX socket named by NOTIFY_SOCKET (a path,
 * or "@name" for the abstract namespace). Nothing happens when the
 * variable is unset.
 *
 * Return: 1 sent, 0 no NOTIFY_SOCKET, -1 with errno.
 */
int sd_notify_send(const char *state)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	const char *path = getenv("NOTIFY_SOCKET");
	size_t plen;
	socklen_t alen;
	int fd, ret = -1;

	if (!path || !*path)
		return 0;
	plen = strlen(path);
	if (path[0] != '/' && path[0] != '@') {
		errno = EAFNOSUPPORT;	/* vsock and others: not spoken here */
		return -1;
	}
	if (plen >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun.sun_path, path, plen);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';
	alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen +
			   (path[0] == '@' ? 0 : 1));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sun, alen) >= 0)
		ret = 1;
	close(fd);
	return ret;
}

/**
 * daemon_ready() - the daemon is ready: sockets listen, pid file written
 * @what:	what it serves, for the log ("switch /tmp/sw, 32 ports"), or NULL
 *
 * After daemonize(): logs the start to syslog and lets the waiting parent
 * exit 0. Always: tells systemd READY=1 when NOTIFY_SOCKET is set. Call it
 * exactly once, after the pid file is written.
 */
void daemon_ready(const char *what)
{
	char state[64];

	if (detached)
		syslog(LOG_NOTICE, "started (pid %ld)%s%s", (long)getpid(), what ? ": " : "",
			       what ? what : "");
	if (report_fd >= 0) {
		log_set_report_fd(-1);
		if (write(report_fd, "", 1) < 0)
			(void)0;	/* the parent is gone: nobody to tell */
		close(report_fd);
		report_fd = -1;
	}
	snprintf(state, sizeof(state), "READY=1\nMAINPID=%ld", (long)getpid());
	if (sd_notify_send(state) < 0)
		log_warn("NOTIFY_SOCKET: %s", strerror(errno));
}

/**
 * daemon_stopping() - the daemon is about to exit
 * @why:	reason, for the log
 *
 * Logs the stop to syslog when detached and tells systemd STOPPING=1.
 */
void daemon_stopping(const char *why)
{
	if (detached)
		syslog(LOG_NOTICE, "stopped (pid %ld): %s", (long)getpid(), why ? why : "exit");
	(void)sd_notify_send("STOPPING=1");
}

static bool pidfile_alive(const char *path)
{
	char buf[32];
	const char *err;
	ssize_t n;
	long long pid;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	pid = parse_num(buf, 1, INT_MAX, &err);
	if (err || pid == getpid())
		return false;
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/**
 * pidfile_write() - write the pid file
 * @path:	file name (relative names are made absolute)
 * @pid_text:	text written verbatim, or NULL for "<getpid()>\n"
 *
 * Return: 0, or -1 with errno (EEXIST if the file names a live process).
 */
int pidfile_write(const char *path, const char *pid_text)
{
	return pidfile_write_at(path, pid_text, pidfile_path, sizeof(pidfile_path));
}

/**
 * pidfile_write_at() - pidfile_write() of a second file, which the caller
 * removes itself
 * @path, @pid_text:	as for pidfile_write()
 * @abs:	where the absolute name goes ("" on failure)
 * @abslen:	its size
 *
 * Return: 0, or -1 with errno.
 */
int pidfile_write_at(const char *path, const char *pid_text, char *abs, size_t abslen)
{
	char text[32], tmp[PATH_MAX + 8];
	size_t len, off = 0;
	int fd = -1, ret = -1;

	if (path[0] == '/') {
		if (snprintf(abs, abslen, "%s", path) >= (int)abslen)
			goto toolong;
	} else {
		char cwd[PATH_MAX];

		if (!getcwd(cwd, sizeof(cwd)))
			goto fail;
		if (snprintf(abs, abslen, "%s/%s", cwd, path) >= (int)abslen)
			goto toolong;
	}
	if (pidfile_alive(abs)) {
		errno = EEXIST;
		goto fail;
	}
	if (!pid_text) {
		snprintf(text, sizeof(text), "%ld\n", (long)getpid());
		pid_text = text;
	}
	/* write a temporary file and rename it: readers never see it half written */
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", abs) >= (int)sizeof(tmp))
		goto toolong;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		goto fail;
	len = strlen(pid_text);
	while (off < len) {
		ssize_t n = write(fd, pid_text + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail_unlink;
		off += (size_t)n;
	}
	if (close(fd) < 0) {
		fd = -1;
		goto fail_unlink;
	}
	fd = -1;
	if (rename(tmp, abs) < 0)
		goto fail_unlink;
	ret = 0;
	goto out;
toolong:
	errno = ENAMETOOLONG;
	goto fail;
fail_unlink: {
		int e = errno;

		unlink(tmp);
		errno = e;
	}
fail:
	if (abslen)
		abs[0] = '\0';
out:
	if (fd >= 0) {
		int e = errno;

		close(fd);
		errno = e;
	}
	return ret;
}

/**
 * pidfile_check() - will pidfile_write(@path) be able to write?
 * @path:	the pid file
 *
 * Creates and removes "<path>.tmp" and refuses a file naming a live process,
 * so a daemon can report a bad pid file on the terminal and exit 1 before
 * daemonize() detaches it (after that, errors only reach syslog and the
 * caller has already seen exit status 0).
 *
 * Return: 0, or -1 with errno.
 */
int pidfile_check(const char *path)
{
	char tmp[PATH_MAX + 8];
	int fd, ret = -1;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		goto out;
	}
	if (pidfile_alive(path)) {
		errno = EEXIST;
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 && errno != EEXIST)
		goto out;
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	ret = 0;
out:
	return ret;
}

/**
 * pidfile_strerror() - pidfile_check()'s and pidfile_write()'s errno for a user
 * @e:		the errno
 *
 * EEXIST is a file naming a running process, which "File exists" alone
 * does not say.
 *
 * Return: a static string.
 */
const char *pidfile_strerror(int e)
{
	if (e == EEXIST)
		return "it names a running process (another instance? if not, remove the file)";
	return strerror(e);
}

/**
 * pidfile_remove() - remove the pid file written by pidfile_write(), if any
 */
void pidfile_remove(void)
{
	if (pidfile_path[0])
		unlink(pidfile_path);
	pidfile_path[0] = '\0';
}

/**
 * listen_unix_type() - a UNIX listener of @type that is ready when it appears
 * @path:	final socket path
 * @type:	SOCK_STREAM or SOCK_SEQPACKET
 * @mode:	permissions of the socket
 * @group:	group owner, or (gid_t)-1 to leave it
 * @backlog:	listen() backlog
 *
 * A client that connects between bind() and listen() gets ECONNREFUSED,
 * and one that connects before chmod() may be refused by the mode; binding
 * under a temporary name and renaming only when the socket listens makes
 * `test -S PATH` an exact readiness signal.
 *
 * Return: the listening fd (non-blocking, close-on-exec), or -1 with errno.
 */
int listen_unix_type(const char *path, int type, mode_t mode, gid_t group, int backlog)
{
	struct sockaddr_un tmp = { .sun_family = AF_UNIX };
	mode_t old_umask;
	int fd = -1, n, e;

	n = snprintf(tmp.sun_path, sizeof(tmp.sun_path), "%s.%ld", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp.sun_path)) {
		errno = ENAMETOOLONG;
		goto err;
	}
	fd = socket(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto err;
	(void)unlink(tmp.sun_path);
	old_umask = umask(0077);
	e = bind(fd, (struct sockaddr *)&tmp, sizeof(tmp));
	umask(old_umask);
	if (e < 0)
		goto err;
	if ((group != (gid_t)-1 && chown(tmp.sun_path, (uid_t)-1, group) < 0) ||
	    chmod(tmp.sun_path, mode) < 0 || listen(fd, backlog) < 0 ||
	    rename(tmp.sun_path, path) < 0) {
		e = errno;
		(void)unlink(tmp.sun_path);
		errno = e;
		goto err;
	}
	return fd;
err:
	if (fd >= 0) {
		e = errno;
		close(fd);
		errno = e;
	}
	return -1;
}

/* listen_unix() - listen_unix_type() for a SOCK_STREAM listener. */
int listen_unix(const char *path, mode_t mode, gid_t group, int backlog)
{
	return listen_unix_type(path, SOCK_STREAM, mode, group, backlog);
}
