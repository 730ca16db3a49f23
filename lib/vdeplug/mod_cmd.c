// SPDX-License-Identifier: LGPL-2.1-or-later
/* lib/vdeplug/mod_cmd.c - cmd:// module: frames through a command's stdio
 *
 * Theory of operation
 *
 * cmd://COMMAND starts COMMAND (execvp of its words, or /bin/sh -c when it
 * uses shell syntax; see vnl.c) with stdin and stdout on one end of an
 * AF_UNIX stream socketpair; we keep the other end as the data fd. Frames
 * travel in VDE stream framing (2-byte big-endian length + frame) both ways,
 * so "cmd://ssh host vde_plug" reaches a remote switch.
 *
 * Readiness: vde_recv() must return exactly one frame and poll() on the
 * data fd must stay truthful. So we never read past the end of the current
 * record: first the 2 header bytes, then exactly the payload. Bytes of
 * later records stay in the socket, where poll() sees them. The sender
 * writes header and frame together, so when a record has started and its
 * rest is not there yet, vde_recv() waits for it (at most
 * VDE_RECORD_TIMEOUT_MS; then it returns -1/EAGAIN and keeps the partial
 * record for the next call). Zero-length records are skipped; a length
 * above VDE_ETHBUFSIZE slides the parser by one byte (stream.c).
 *
 * Using a socket rather than pipes lets us send with MSG_NOSIGNAL: a dead
 * child gives EPIPE, never a SIGPIPE to the application. vde_recv()
 * returns 0 at end of stream (the command exited). vde_close() closes the
 * socket, which the command sees as EOF, and reaps it (SIGTERM, then
 * SIGKILL if it does not exit within half a second).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mod.h"

extern char **environ;

#define REAP_STEP_MS	10
#define REAP_STEPS	50

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int cmd_open(VDECONN *conn, const struct vnl *v, const struct vde_open_opts *o)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, def;
	int sv[2] = { -1, -1 }, child = -1, ret;

	conn->u.cmd.rx = malloc(sizeof(*conn->u.cmd.rx));
	if (!conn->u.cmd.rx)
		return -ENOMEM;
	stream_rx_init(conn->u.cmd.rx);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		ret = -errno;
		goto fail;
	}
	/* the child end must not be 0 or 1, or dup2 would keep CLOEXEC */
	child = fcntl(sv[1], F_DUPFD_CLOEXEC, 3);
	if (child < 0) {
		ret = -errno;
		goto fail;
	}
	close(sv[1]);
	sv[1] = -1;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, child, 0);
	posix_spawn_file_actions_adddup2(&fa, child, 1);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	sigaddset(&def, SIGXFSZ);	/* vde_plug ignores both */
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &def);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	ret = -posix_spawnp(&conn->u.cmd.pid, v->argv[0], &fa, &attr, v->argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (ret)
		goto fail;
	close(child);
	conn->fddata = sv[0];
	conn->fdctl = -1;
	return 0;
fail:
	if (child >= 0)
		close(child);
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	free(conn->u.cmd.rx);
	conn->u.cmd.rx = NULL;
	return ret;
}

struct cmd_deliver {
	void *buf;
	size_t len;
	ssize_t got;
};

static void cmd_frame(void *arg, const uint8_t *frame, size_t len)
{
	struct cmd_deliver *d = arg;
	size_t n = len < d->len ? len : d->len;

	memcpy(d->buf, frame, n);
	d->got = (ssize_t)n;
}

static ssize_t cmd_recv(VDECONN *conn, void *buf, size_t len)
{
	struct stream_rx *rx = conn->u.cmd.rx;
	struct cmd_deliver d = { .buf = buf, .len = len, .got = -1 };
	uint8_t tmp[VDE_ETHBUFSIZE];
	long deadline = -1;

	while (d.got < 0) {
		size_t want = rx->hdr_have < 2 ? 2 - rx->hdr_have : rx->need - rx->have;
		ssize_t n = recv(conn->fddata, tmp, want, MSG_DONTWAIT);

		if (n > 0) {
			stream_rx_feed(rx, tmp, (size_t)n, cmd_frame, &d);
			continue;
		}
		if (n == 0)
			return 0;	/* end of stream: the command is gone */
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if (!stream_rx_partial(rx))
			return -1;	/* EAGAIN: no record started */
		/* a record has started: its rest is on the way */
		{
			struct pollfd pfd = { .fd = conn->fddata, .events = POLLIN };
			long left;

			if (deadline < 0)
				deadline = now_ms() + VDE_RECORD_TIMEOUT_MS;
			left = deadline - now_ms();
			if (left <= 0 || poll(&pfd, 1, (int)left) == 0) {
				errno = EAGAIN;
				return -1;
			}
		}
	}
	return d.got;
}

static ssize_t cmd_send(VDECONN *conn, const void *buf, size_t len)
{
	uint8_t hdr[2];
	struct iovec iov[2];
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };
	size_t done = 0, total = len + 2;

	if (len == 0)
		return 0;
	if (!stream_hdr(hdr, len)) {
		errno = EMSGSIZE;
		return -1;
	}
	/* same bytes as stream_write_frame(), but MSG_NOSIGNAL: no SIGPIPE */
	while (done < total) {
		ssize_t n;

		if (done < 2) {
			iov[0].iov_base = hdr + done;
			iov[0].iov_len = 2 - done;
			iov[1].iov_base = (void *)buf;
			iov[1].iov_len = len;
			msg.msg_iov = iov;
			msg.msg_iovlen = 2;
		} else {
			iov[1].iov_base = (uint8_t *)buf + (done - 2);
			iov[1].iov_len = total - done;
			msg.msg_iov = &iov[1];
			msg.msg_iovlen = 1;
		}
		n = sendmsg(conn->fddata, &msg, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)n;
	}
	return (ssize_t)len;
}

/* Wait up to REAP_STEPS * REAP_STEP_MS for @pid. 1 reaped/gone, 0 not yet. */
static int reap(pid_t pid)
{
	int i, status;

	for (i = 0; i < REAP_STEPS; i++) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid || (r < 0 && errno != EINTR))
			return 1;
		if (r == 0) {
			struct timespec ts = { 0, REAP_STEP_MS * 1000000L };

			nanosleep(&ts, NULL);
		}
	}
	return 0;
}

static void cmd_close(VDECONN *conn)
{
	pid_t pid = conn->u.cmd.pid;

	if (conn->fddata >= 0)
		close(conn->fddata);
	conn->fddata = -1;
	if (pid > 0 && !reap(pid)) {
		kill(pid, SIGTERM);
		if (!reap(pid)) {
			kill(pid, SIGKILL);
			while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
				;
		}
	}
	free(conn->u.cmd.rx);
	conn->u.cmd.rx = NULL;
}

const struct vde_module vdeplug_mod_cmd = {
	.name = "cmd",
	.open = cmd_open,
	.recv = cmd_recv,
	.send = cmd_send,
	.close = cmd_close,
};
