// SPDX-License-Identifier: LGPL-2.1-or-later
/* lib/common/deadline.c - read a reply within a deadline
 *
 * Every request/reply exchange on a control socket (a vde:// port request,
 * a capture port request, a fast path negotiation message) waits for the
 * peer's answer, and a peer that never answers, or answers half, must not
 * hang the caller. These helpers are that one wait.
 *
 * Contract:
 * - A deadline is an absolute time in milliseconds on CLOCK_MONOTONIC
 *   (deadline_in()), so several reads can share one bound.
 * - The socket may be blocking or not: reads use MSG_DONTWAIT and poll()
 *   between them, so no call blocks past the deadline (give or take the
 *   clock's millisecond rounding).
 * - Data already queued is read even when the deadline has passed: a
 *   deadline in the past means "do not wait".
 * - EINTR is retried (against the same deadline); nothing else is.
 * - Library rules: no printing, no exit; results are 0/bytes or -errno.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <time.h>

#include "deadline.h"

/* deadline_now() - the clock deadlines are measured on, in ms */
long deadline_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* deadline_in() - the deadline @ms milliseconds from now */
long deadline_in(long ms)
{
	return deadline_now() + ms;
}

/**
 * recvmsg_by() - one recvmsg(), waiting for it until @deadline
 * @fd:		socket
 * @mh:		as for recvmsg(2); reused as is on every try
 * @flags:	recvmsg flags (MSG_DONTWAIT is added)
 * @deadline:	from deadline_in(); a past one: do not wait
 *
 * Return: what recvmsg() returned (0 at EOF), -ETIMEDOUT when nothing
 * came by @deadline, or -errno.
 */
ssize_t recvmsg_by(int fd, struct msghdr *mh, int flags, long deadline)
{
	ssize_t n;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long left;
		int r;

		n = recvmsg(fd, mh, flags | MSG_DONTWAIT);
		if (n >= 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			n = -errno;
			break;
		}
		left = deadline - deadline_now();
		if (left <= 0) {
			n = -ETIMEDOUT;
			break;
		}
		r = poll(&pfd, 1, left > 1000000 ? 1000000 : (int)left);
		if (r < 0 && errno != EINTR) {
			n = -errno;
			break;
		}
	}
	return n;
}

/**
 * recv_by() - read exactly @len bytes of a stream by @deadline
 * @fd:		SOCK_STREAM socket
 * @buf:	where they go
 * @len:	how many
 * @deadline:	from deadline_in()
 * @got:	bytes read (also on failure: a short reply is told from none)
 *
 * Return: 0 with all @len bytes, -ETIMEDOUT, -ECONNRESET at EOF before
 * @len bytes, or -errno (the socket's, e.g. ECONNRESET).
 */
int recv_by(int fd, void *buf, size_t len, long deadline, size_t *got)
{
	int ret = 0;

	*got = 0;
	while (*got < len) {
		struct iovec iov = { (char *)buf + *got, len - *got };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n = recvmsg_by(fd, &mh, 0, deadline);

		if (n < 0) {
			ret = (int)n;
			break;
		}
		if (n == 0) {
			ret = -ECONNRESET;
			break;
		}
		*got += (size_t)n;
	}
	return ret;
}
