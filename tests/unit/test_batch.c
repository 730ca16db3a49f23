// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_batch.c - vde_recv_batch()/vde_send_batch() through the
 * generic path (a module without batch ops: ptp://, the same path every
 * vdeplug4 plugin takes)
 *
 * Two ends of one ptp:// cable in this process: a batch sent is received in
 * order with lengths and bytes intact, a receive with nothing there is
 * -1/EAGAIN and does not wait, a receive never returns more than asked, and
 * the peer's close is 0 after the frames before it were delivered; the
 * four batch calls (vde_recv_vnet() and vde_send_vnet() too) check their
 * arguments alike.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libvdeplug.h"
#include "tap.h"

#define N 20

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The argument checks the four batch calls share: a NULL connection or
 * array is -1/EBADF whatever n, an empty batch is 0 with errno untouched
 * (the generic receive would say EAGAIN: nothing asked, nothing there). */
static void check_args(VDECONN *c, struct vde_msg *m)
{
	static const char *const name[] = { "recv_batch", "send_batch", "recv_vnet", "send_vnet" };
	ssize_t r[3];
	int e[3], k;

	for (k = 0; k < 4; k++) {
		VDECONN *conn[3] = { NULL, c, c };
		struct vde_msg *msg[3] = { m, NULL, m };
		unsigned int n[3] = { 0, 1, 0 };
		int j;

		for (j = 0; j < 3; j++) {
			errno = 0;
			r[j] = k == 0 ? vde_recv_batch(conn[j], msg[j], n[j], 0) :
			       k == 1 ? vde_send_batch(conn[j], msg[j], n[j], 0) :
			       k == 2 ? vde_recv_vnet(conn[j], msg[j], n[j], 0) :
					vde_send_vnet(conn[j], msg[j], n[j], 0);
			e[j] = errno;
		}
		ok(r[0] == -1 && e[0] == EBADF, "%s: NULL connection, n = 0 -> -1/EBADF (%zd, %d)",
		   name[k], r[0], e[0]);
		ok(r[1] == -1 && e[1] == EBADF, "%s: NULL array -> -1/EBADF (%zd, %d)", name[k],
		   r[1], e[1]);
		ok(r[2] == 0 && e[2] == 0, "%s: n = 0 -> 0, errno untouched (%zd, %d)", name[k],
		   r[2], e[2]);
	}
}

int main(void)
{
	char dir[] = "/tmp/test_batch.XXXXXX", vnl[256];
	static uint8_t out[N][1514], in[N][VDE_ETHBUFSIZE];
	struct vde_msg sm[N], rm[N];
	struct pollfd p;
	VDECONN *a, *b;
	unsigned int got = 0, sent, bad = 0, i, j;
	int64_t t0;
	ssize_t r;

	if (!mkdtemp(dir))
		return 99;
	snprintf(vnl, sizeof(vnl), "ptp://%s/cable", dir);
	a = vde_open(vnl, "a", NULL);
	b = vde_open(vnl, "b", NULL);
	if (!a || !b)
		return 99;
	for (i = 0; i < N; i++) {
		for (j = 0; j < 1514; j++)
			out[i][j] = (uint8_t)(i + j * 3);
		sm[i].buf = out[i];
		sm[i].len = 60 + i * 50;
	}
	t0 = now_ms();
	errno = 0;
	rm[0].buf = in[0];
	rm[0].len = sizeof(in[0]);
	ok(vde_recv_batch(a, rm, 1, 0) < 0 && errno == EAGAIN && now_ms() - t0 < 1000,
	   "recv_batch: nothing there -> -1/EAGAIN at once");
	/* b (the client) sends 5 at a time (an AF_UNIX datagram queue holds
	 * about 10 and ptp's send waits when it is full); a receives up to 7
	 * a call */
	p.fd = vde_datafd(a);
	p.events = POLLIN;
	t0 = now_ms();
	for (sent = 0; sent < N && now_ms() - t0 < 5000;) {
		r = vde_send_batch(b, sm + sent, 5, 0);
		if (r != 5)
			break;
		sent += 5;
		while (got < sent && now_ms() - t0 < 5000 && poll(&p, 1, 1000) > 0) {
			for (i = 0; i < N; i++) {
				rm[i].buf = in[i];
				rm[i].len = sizeof(in[i]);
			}
			r = vde_recv_batch(a, rm, 7, 0);
			if (r <= 0)
				break;
			if (r > 7)
				bad++;
			for (i = 0; i < (unsigned int)r && got + i < N; i++)
				if (rm[i].len != sm[got + i].len ||
				    memcmp(in[i], out[got + i], rm[i].len))
					bad++;
			got += (unsigned int)r;
		}
	}
	ok(sent == N, "send_batch: every batch of 5 taken whole");
	ok(got == N && bad == 0, "recv_batch: %u frames in order, intact, <= 7 a call (got %u, bad %u)",
	   N, got, bad);
	/* b closes: a's next receive reports the close */
	vde_close(b);
	t0 = now_ms();
	r = -1;
	while (now_ms() - t0 < 5000 && poll(&p, 1, 1000) > 0) {
		rm[0].buf = in[0];
		rm[0].len = sizeof(in[0]);
		r = vde_recv_batch(a, rm, N, 0);
		if (r >= 0)
			break;
	}
	ok(r == 0, "recv_batch: the peer's close -> 0 (%zd)", r);
	errno = 0;
	ok(vde_recv_batch(NULL, rm, 1, 0) < 0 && errno == EBADF, "recv_batch: NULL -> EBADF");
	ok(vde_send_batch(a, sm, 0, 0) == 0, "send_batch: n = 0 -> 0");
	check_args(a, rm);
	vde_close(a);
	rmdir(dir);
	return tap_done();
}
