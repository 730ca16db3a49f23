// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_deadline.c - reading a reply within a deadline
 *
 * Real socket pairs; the peer is the test itself or a forked child that
 * writes on a schedule. Time bounds are one-sided where the box may be
 * slow (never early; late by at most a generous margin).
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "deadline.h"
#include "tap.h"

#define SLACK_MS	3000	/* a loaded 2-CPU box */

static void pair(int type, int sv[2])
{
	if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv)) {
		perror("socketpair");
		exit(1);
	}
}

/* a child that writes @buf in @pieces chunks, @gap_ms apart, then exits */
static pid_t writer(int fd, const char *buf, size_t len, int pieces, int gap_ms)
{
	pid_t pid = fork();

	if (pid == 0) {
		size_t off = 0;
		int i;

		alarm(60);	/* never outlives a parent that died */
		for (i = 0; i < pieces; i++) {
			size_t chunk = i == pieces - 1 ? len - off : len / (size_t)pieces;

			usleep((useconds_t)gap_ms * 1000);
			if (send(fd, buf + off, chunk, MSG_NOSIGNAL) != (ssize_t)chunk)
				_exit(1);
			off += chunk;
		}
		pause();	/* keep the socket open: EOF is not the test */
		_exit(0);
	}
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void test_pieces(void)
{
	char msg[110], got_buf[110];
	size_t got = 99;
	pid_t pid;
	int sv[2], r;

	memset(msg, 'x', sizeof(msg));
	msg[0] = 'a';
	msg[109] = 'z';
	pair(SOCK_STREAM, sv);
	pid = writer(sv[1], msg, sizeof(msg), 3, 50);
	r = recv_by(sv[0], got_buf, sizeof(got_buf), deadline_in(10000), &got);
	ok(r == 0 && got == sizeof(msg) && !memcmp(msg, got_buf, sizeof(msg)),
	   "a reply in 3 pieces is read whole (r=%d got=%zu)", r, got);
	reap(pid);
	close(sv[0]);
	close(sv[1]);
}

/* 40 of 110 bytes, then silence (@eof false) or EOF: recv_by() by a
 * deadline @ms away; its result, bytes and time taken */
static int half_reply(bool eof, long ms, size_t *got, long *dt)
{
	char buf[110];
	long t0;
	int sv[2], r;

	pair(SOCK_STREAM, sv);
	memset(buf, 1, 40);
	send(sv[1], buf, 40, 0);
	if (eof)
		shutdown(sv[1], SHUT_WR);
	t0 = deadline_now();
	r = recv_by(sv[0], buf, sizeof(buf), deadline_in(ms), got);
	*dt = deadline_now() - t0;
	close(sv[0]);
	close(sv[1]);
	return r;
}

static void test_half(void)
{
	size_t got = 0;
	long dt;
	int r;

	r = half_reply(false, 300, &got, &dt);
	ok(r == -ETIMEDOUT, "half a reply, then silence: -ETIMEDOUT (r=%d)", r);
	ok(got == 40, "the short reply's length is told (%zu)", got);
	ok(dt >= 299 && dt < 300 + SLACK_MS, "it waited for the deadline, not more (%ld ms)", dt);
	r = half_reply(true, 10000, &got, &dt);
	ok(r == -ECONNRESET && got == 40, "half a reply, then EOF: -ECONNRESET, 40 bytes (r=%d got=%zu)",
	   r, got);
	ok(dt < SLACK_MS, "EOF does not wait for the deadline (%ld ms)", dt);
}

static void test_past_deadline(void)
{
	char buf[16];
	size_t got = 0;
	long t0, dt;
	int sv[2], r;

	pair(SOCK_STREAM, sv);
	send(sv[1], "0123456789abcdef", 16, 0);
	r = recv_by(sv[0], buf, sizeof(buf), deadline_in(-5), &got);
	ok(r == 0 && got == 16, "queued data is read even past the deadline (r=%d)", r);
	t0 = deadline_now();
	r = recv_by(sv[0], buf, sizeof(buf), deadline_in(0), &got);
	dt = deadline_now() - t0;
	ok(r == -ETIMEDOUT && got == 0 && dt < SLACK_MS,
	   "nothing queued and no time left: -ETIMEDOUT at once (r=%d, %ld ms)", r, dt);
	close(sv[0]);
	close(sv[1]);
}

static volatile sig_atomic_t ticks;

static void on_tick(int sig)
{
	(void)sig;
	ticks++;
}

static void test_eintr(void)
{
	struct sigaction sa = { .sa_handler = on_tick }, old;	/* no SA_RESTART */
	struct itimerval it = { { 0, 10000 }, { 0, 10000 } }, off = { 0 };
	char msg[64], buf[64];
	size_t got = 0;
	pid_t pid;
	int sv[2], r;

	memset(msg, 7, sizeof(msg));
	pair(SOCK_STREAM, sv);
	sigaction(SIGALRM, &sa, &old);
	pid = writer(sv[1], msg, sizeof(msg), 2, 150);
	ticks = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	r = recv_by(sv[0], buf, sizeof(buf), deadline_in(10000), &got);
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old, NULL);
	ok(r == 0 && got == sizeof(msg), "signals during the wait are not failures (r=%d, %d signals)",
	   r, (int)ticks);
	reap(pid);
	close(sv[0]);
	close(sv[1]);
}

static void test_seqpacket(void)
{
	char msg[132], buf[133];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	long t0, dt;
	ssize_t n;
	pid_t pid;
	int sv[2];

	memset(msg, 3, sizeof(msg));
	pair(SOCK_SEQPACKET, sv);
	/* a blocking socket must not block past the deadline */
	t0 = deadline_now();
	n = recvmsg_by(sv[0], &mh, 0, deadline_in(200));
	dt = deadline_now() - t0;
	ok(n == -ETIMEDOUT && dt >= 199 && dt < 200 + SLACK_MS,
	   "blocking socket, no message: -ETIMEDOUT at the deadline (n=%zd, %ld ms)", n, dt);
	pid = writer(sv[1], msg, sizeof(msg), 1, 100);
	n = recvmsg_by(sv[0], &mh, 0, deadline_in(10000));
	ok(n == (ssize_t)sizeof(msg) && !memcmp(buf, msg, sizeof(msg)),
	   "a message that comes later is received whole (n=%zd)", n);
	reap(pid);
	close(sv[1]);
	n = recvmsg_by(sv[0], &mh, 0, deadline_in(10000));
	ok(n == 0, "EOF: 0 (n=%zd)", n);
	close(sv[0]);
	n = recvmsg_by(sv[0], &mh, 0, deadline_in(10000));
	ok(n == -EBADF, "a socket error is returned as -errno (n=%zd)", n);
}

int main(void)
{
	alarm(60);		/* a hang fails the test instead of blocking make check */
	test_pieces();
	test_half();
	test_past_deadline();
	test_seqpacket();
	test_eintr();
	alarm(0);
	return tap_done();
}
