// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_daemon.c - pid file handling and daemon readiness
 *
 * pidfile_write(): content, a live pid refused with EEXIST, a stale one
 * replaced, relative paths still removed after a chdir. daemonize(): the
 * parent exits 0 only after daemon_ready() (what the daemon did before is
 * visible when it returns), and with the daemon's status and error text
 * when start-up fails after the fork. sd_notify_send()/daemon_ready():
 * READY=1 and MAINPID to $NOTIFY_SOCKET.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"
#include "tap.h"

static int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		ok(0, "write %s", path);
	close(fd);
}

/* listen_unix(): the socket appears with its mode, listening, and the
 * temporary name is gone; a path too long is ENAMETOOLONG. */
static void test_listen_unix(const char *dir)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char path[PATH_MAX], tmp[PATH_MAX + 32], lng[200];
	struct stat st;
	int fd, c;

	snprintf(path, sizeof(path), "%s/l.sock", dir);
	snprintf(tmp, sizeof(tmp), "%s.%ld", path, (long)getpid());
	fd = listen_unix(path, 0640, (gid_t)-1, 4);
	ok(fd >= 0, "listen_unix creates %s", path);
	ok(stat(path, &st) == 0 && S_ISSOCK(st.st_mode) && (st.st_mode & 07777) == 0640,
	   "socket has mode 0640");
	ok(access(tmp, F_OK) < 0 && errno == ENOENT, "temporary name removed");
	ok((fcntl(fd, F_GETFL) & O_NONBLOCK) && (fcntl(fd, F_GETFD) & FD_CLOEXEC),
	   "fd is non-blocking and close-on-exec");
	strcpy(sun.sun_path, path);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	ok(c >= 0 && connect(c, (struct sockaddr *)&sun, sizeof(sun)) == 0,
	   "a client connects at once");
	close(c);
	close(fd);
	unlink(path);
	memset(lng, 'x', sizeof(lng) - 1);
	lng[sizeof(lng) - 1] = '\0';
	memcpy(lng, dir, strlen(dir));
	lng[strlen(dir)] = '/';
	errno = 0;
	ok(listen_unix(lng, 0600, (gid_t)-1, 4) < 0 && errno == ENAMETOOLONG,
	   "over-long path refused with ENAMETOOLONG");
}

/* Run @fn in a process that calls daemonize(): returns the launcher's
 * exit status and what it wrote on stderr (in @err). */
static int launch(void (*fn)(const char *), const char *arg, char *err, size_t size)
{
	int p[2], status = -1;
	size_t got = 0;
	pid_t pid;

	if (pipe(p) < 0)
		exit(99);
	fflush(NULL);		/* the child must not print our buffered lines again */
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		dup2(p[1], STDERR_FILENO);
		close(p[1]);
		log_init("test_daemon");
		if (daemonize() < 0)
			_exit(98);
		fn(arg);
		_exit(97);
	}
	close(p[1]);
	for (;;) {
		ssize_t n = read(p[0], err + got, size - 1 - got);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	err[got] = '\0';
	close(p[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void daemon_fails(const char *arg)
{
	(void)arg;
	log_err("cannot bind %s", "/nowhere");
	exit(3);
}

static void daemon_dies(const char *arg)
{
	(void)arg;
	raise(SIGKILL);
}

/* Writes its pid to @arg after a pause, then says ready, then waits to be
 * killed: the launcher must not return before the file exists. */
static void daemon_slow_ready(const char *arg)
{
	char text[32];
	struct timespec ts = { 0, 300 * 1000000L };

	nanosleep(&ts, NULL);
	snprintf(text, sizeof(text), "%ld\n", (long)getpid());
	if (pidfile_write(arg, text) < 0)
		exit(4);
	daemon_ready("test");
	for (;;)
		pause();
}

static void test_daemonize(const char *dir)
{
	char err[512], path[PATH_MAX], buf[64];
	int rc;

	rc = launch(daemon_fails, NULL, err, sizeof(err));
	ok(rc == 3, "daemonize: start-up failure after the fork -> the daemon's status (%d)", rc);
	ok(strstr(err, "test_daemon: cannot bind /nowhere") != NULL,
	   "daemonize: its error reaches the caller's stderr ('%s')", err);
	rc = launch(daemon_dies, NULL, err, sizeof(err));
	ok(rc == 1 && strstr(err, "killed by signal 9"), "daemonize: a daemon killed in start-up -> 1, said (%d '%s')",
	   rc, err);
	snprintf(path, sizeof(path), "%s/slow.pid", dir);
	rc = launch(daemon_slow_ready, path, err, sizeof(err));
	ok(rc == 0 && err[0] == '\0', "daemonize: 0 after daemon_ready (%d '%s')", rc, err);
	ok(read_file(path, buf, sizeof(buf)) == 0 && atol(buf) > 1,
	   "daemonize: what the daemon did before daemon_ready() is there on return");
	if (atol(buf) > 1)
		kill((pid_t)atol(buf), SIGKILL);
	unlink(path);
}

static void test_notify(const char *dir)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char buf[256], want[64];
	ssize_t n;
	int fd;

	unsetenv("NOTIFY_SOCKET");
	ok(sd_notify_send("READY=1") == 0, "sd_notify: nothing without NOTIFY_SOCKET");
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/notify", dir);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		exit(99);
	setenv("NOTIFY_SOCKET", sun.sun_path, 1);
	daemon_ready(NULL);
	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	buf[n > 0 ? n : 0] = '\0';
	snprintf(want, sizeof(want), "READY=1\nMAINPID=%ld", (long)getpid());
	ok(n > 0 && strcmp(buf, want) == 0, "daemon_ready: '%s' on NOTIFY_SOCKET", want);
	daemon_stopping("test");
	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	buf[n > 0 ? n : 0] = '\0';
	ok(n > 0 && strcmp(buf, "STOPPING=1") == 0, "daemon_stopping: STOPPING=1");
	setenv("NOTIFY_SOCKET", "vsock:1:2", 1);
	errno = 0;
	ok(sd_notify_send("READY=1") < 0 && errno == EAFNOSUPPORT,
	   "sd_notify: an address family it does not speak is an error, not a crash");
	unsetenv("NOTIFY_SOCKET");
	close(fd);
	unlink(sun.sun_path);
}

int main(void)
{
	char dir[] = "/tmp/test_daemon.XXXXXX", path[PATH_MAX], buf[64], want[64];
	pid_t dead;
	int status;

	if (!mkdtemp(dir))
		return 99;
	snprintf(path, sizeof(path), "%s/x.pid", dir);

	ok(pidfile_write(path, NULL) == 0, "pidfile: written");
	snprintf(want, sizeof(want), "%ld\n", (long)getpid());
	ok(read_file(path, buf, sizeof(buf)) == 0 && strcmp(buf, want) == 0,
	   "pidfile: holds \"<pid>\\n\"");
	ok(pidfile_write(path, NULL) == 0, "pidfile: rewriting our own pid is fine");
	pidfile_remove();
	ok(access(path, F_OK) < 0, "pidfile: removed");

	/* a live pid that is not ours: refused */
	write_file(path, "1\n");
	errno = 0;
	ok(pidfile_write(path, NULL) < 0 && errno == EEXIST, "pidfile: live pid 1 -> EEXIST");
	ok(read_file(path, buf, sizeof(buf)) == 0 && strcmp(buf, "1\n") == 0,
	   "pidfile: the live one is left alone");
	pidfile_remove();
	ok(access(path, F_OK) == 0, "pidfile: remove after a refusal does not delete it");

	/* stale: a pid that has exited */
	dead = fork();
	if (dead == 0)
		_exit(0);
	waitpid(dead, &status, 0);
	snprintf(want, sizeof(want), "%ld\n", (long)dead);
	write_file(path, want);
	ok(pidfile_write(path, "4242\n") == 0, "pidfile: stale pid replaced");
	ok(read_file(path, buf, sizeof(buf)) == 0 && strcmp(buf, "4242\n") == 0,
	   "pidfile: pid_text written verbatim");
	pidfile_remove();

	/* garbage content counts as stale */
	write_file(path, "not a pid\n");
	ok(pidfile_write(path, NULL) == 0, "pidfile: garbage replaced");
	pidfile_remove();

	/* relative path, then chdir: still removed */
	if (chdir(dir) < 0)
		return 99;
	ok(pidfile_write("rel.pid", NULL) == 0, "pidfile: relative path");
	if (chdir("/") < 0)
		return 99;
	pidfile_remove();
	snprintf(path, sizeof(path), "%s/rel.pid", dir);
	ok(access(path, F_OK) < 0, "pidfile: relative one removed after chdir");

	snprintf(path, sizeof(path), "%s/nodir/x.pid", dir);
	errno = 0;
	ok(pidfile_write(path, NULL) < 0 && errno == ENOENT, "pidfile: missing directory -> ENOENT");
	errno = 0;
	ok(pidfile_check(path) < 0 && errno == ENOENT, "pidfile_check: missing directory -> ENOENT");
	snprintf(path, sizeof(path), "%s/ok.pid", dir);
	ok(pidfile_check(path) == 0 && access(path, F_OK) < 0, "pidfile_check: ok, creates nothing");
	snprintf(path, sizeof(path), "%s/ok.pid.tmp", dir);
	ok(access(path, F_OK) < 0, "pidfile_check: its probe file is removed");
	snprintf(path, sizeof(path), "%s/live.pid", dir);
	write_file(path, "1\n");
	errno = 0;
	ok(pidfile_check(path) < 0 && errno == EEXIST, "pidfile_check: live pid 1 -> EEXIST");
	ok(strstr(pidfile_strerror(EEXIST), "names a running process") &&
	   !strcmp(pidfile_strerror(ENOENT), strerror(ENOENT)), "pidfile_strerror: EEXIST in words");
	unlink(path);
	test_listen_unix(dir);
	test_daemonize(dir);
	test_notify(dir);
	rmdir(dir);
	return tap_done();
}
