// SPDX-License-Identifier: GPL-2.0-or-later
/* bench/ringbench.c - one hop between two processes: a shared-memory ring
 * (lib/common/shmring.c with zero-length datagram doorbells, as the fast
 * path uses it) against an AF_UNIX datagram socketpair (sendmmsg/recvmmsg,
 * the datagram path's ceiling), same frames, runs interleaved
 *
 *   usage: ringbench [-n frames] [-s size] [-r runs] [-b batch]
 *
 * The receiver checks every frame's sequence number. Prints one line per
 * run, then the medians and the ring/datagram ratio. Figures, not
 * assertions (bench/README.md).
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "parse.h"
#include "shmring.h"

#define BATCH_MAX	64

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void bell(int fd)
{
	send(fd, "", 0, MSG_DONTWAIT);
}

static void drain(int fd)
{
	char b[8];

	while (recv(fd, b, sizeof(b), MSG_DONTWAIT) >= 0)
		;
}

static void wait_fd(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };

	poll(&p, 1, 1000);
}

/* Receiver of the ring: exit status 0 if every frame came in order. */
static int ring_rx(void *map, int fd, unsigned long n, size_t size, size_t batch)
{
	static uint8_t buf[BATCH_MAX][SHMRING_FRAME_MAX];
	struct shmring_rxf f[BATCH_MAX];
	struct iovec iov[BATCH_MAX];
	struct shmring_layout l;
	struct shmring r;
	unsigned long got = 0, bad = 0;
	size_t i;

	shmring_region_check(map, shmring_region_size(SHMRING_SIZE_DEFAULT), &l);
	shmring_attach(&r, map, &l, SHMRING_C2S, false);
	for (i = 0; i < batch; i++) {
		iov[i] = (struct iovec){ buf[i], sizeof(buf[i]) };
		f[i] = (struct shmring_rxf){ .iov = &iov[i], .iovcnt = 1 };
	}
	while (got < n) {
		bool kick;
		size_t k = shmring_consume(&r, f, batch, &kick);

		for (i = 0; i < k; i++) {
			unsigned long seq;

			memcpy(&seq, buf[i], sizeof(seq));
			bad += seq != got || f[i].len != size;
			got++;
		}
		if (kick)
			bell(fd);
		if (k)
			continue;
		if (!shmring_cons_arm(&r)) {
			wait_fd(fd);
			drain(fd);
		}
	}
	return bad ? 1 : 0;
}

static double run_ring(unsigned long n, size_t size, size_t batch, unsigned long *bells)
{
	size_t len = shmring_region_size(SHMRING_SIZE_DEFAULT), i;
	static uint8_t buf[BATCH_MAX][SHMRING_FRAME_MAX];
	struct shmring_txf f[BATCH_MAX];
	struct iovec iov[BATCH_MAX];
	struct shmring_layout l;
	struct shmring w;
	unsigned long sent = 0;
	double t0, t1;
	int sv[2], st;
	void *map;
	pid_t pid;

	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED || shmring_region_init(map, len, SHMRING_SIZE_DEFAULT, 0) ||
	    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv))
		exit(1);
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		_exit(ring_rx(map, sv[1], n, size, batch));
	}
	close(sv[1]);
	shmring_region_check(map, len, &l);
	shmring_attach(&w, map, &l, SHMRING_C2S, true);
	*bells = 0;
	t0 = now_s();
	while (sent < n) {
		size_t want = n - sent < batch ? n - sent : batch, k;
		bool kick;

		for (i = 0; i < want; i++) {
			unsigned long seq = sent + i;

			memcpy(buf[i], &seq, sizeof(seq));
			iov[i] = (struct iovec){ buf[i], size };
			f[i] = (struct shmring_txf){ &iov[i], 1, 0 };
		}
		k = shmring_produce(&w, f, want, &kick);
		sent += k;
		if (kick) {
			bell(sv[0]);
			(*bells)++;
		}
		if (k < want && !shmring_prod_arm(&w, size)) {
			wait_fd(sv[0]);
			drain(sv[0]);
		}
	}
	waitpid(pid, &st, 0);
	t1 = now_s();
	close(sv[0]);
	munmap(map, len);
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "ringbench: ring receiver saw bad frames\n");
		exit(1);
	}
	return (double)n / (t1 - t0);
}

static double run_dgram(unsigned long n, size_t size, size_t batch)
{
	static uint8_t buf[BATCH_MAX][SHMRING_FRAME_MAX];
	struct mmsghdr mm[BATCH_MAX];
	struct iovec iov[BATCH_MAX];
	unsigned long sent = 0;
	double t0, t1;
	int sv[2], st, sb = 4 << 20;
	size_t i;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv))
		exit(1);
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sb, sizeof(sb));
	setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &sb, sizeof(sb));
	memset(mm, 0, sizeof(mm));
	for (i = 0; i < batch; i++) {
		iov[i] = (struct iovec){ buf[i], sizeof(buf[i]) };
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	pid = fork();
	if (pid == 0) {
		unsigned long got = 0, bad = 0;

		close(sv[0]);
		while (got < n) {
			int k = recvmmsg(sv[1], mm, (unsigned int)batch, 0, NULL), j;

			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0)
				_exit(2);
			for (j = 0; j < k; j++) {
				unsigned long seq;

				memcpy(&seq, buf[j], sizeof(seq));
				bad += seq != got || mm[j].msg_len != size;
				got++;
			}
		}
		_exit(bad ? 1 : 0);
	}
	close(sv[1]);
	t0 = now_s();
	while (sent < n) {
		size_t want = n - sent < batch ? n - sent : batch;
		int k;

		for (i = 0; i < want; i++) {
			unsigned long seq = sent + i;

			memcpy(buf[i], &seq, sizeof(seq));
			iov[i].iov_len = size;
		}
		k = sendmmsg(sv[0], mm, (unsigned int)want, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			exit(1);
		sent += (unsigned long)k;
	}
	waitpid(pid, &st, 0);
	t1 = now_s();
	close(sv[0]);
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "ringbench: datagram receiver saw bad frames\n");
		exit(1);
	}
	return (double)n / (t1 - t0);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	unsigned long n = 2000000, bells = 0;
	size_t size = 64, batch = 32, runs = 3, i;
	double ring[16], dgram[16];
	const char *err;
	int c;

	while ((c = getopt(argc, argv, "n:s:r:b:h")) != -1) {
		switch (c) {
		case 'n':
			n = (unsigned long)parse_num(optarg, 1, 1000000000, &err);
			break;
		case 's':
			size = (size_t)parse_num(optarg, 14, SHMRING_FRAME_MAX, &err);
			break;
		case 'r':
			runs = (size_t)parse_num(optarg, 1, 16, &err);
			break;
		case 'b':
			batch = (size_t)parse_num(optarg, 1, BATCH_MAX, &err);
			break;
		default:
			fprintf(c == 'h' ? stdout : stderr,
				"usage: ringbench [-n frames] [-s size] [-r runs] [-b batch]\n");
			return c == 'h' ? 0 : 1;
		}
		if (err) {
			fprintf(stderr, "ringbench: -%c %s: %s\n", c, optarg, err);
			return 1;
		}
	}
	if (size > 65000 && size > SHMRING_SIZE_DEFAULT / 4)
		batch = batch < 2 ? batch : 2;
	for (i = 0; i < runs; i++) {
		ring[i] = run_ring(n, size, batch, &bells);
		printf("run %zu size %zu ring %.0f frames/s (%lu doorbells)\n", i, size, ring[i],
		       bells);
		dgram[i] = run_dgram(n, size, batch);
		printf("run %zu size %zu dgram %.0f frames/s\n", i, size, dgram[i]);
	}
	qsort(ring, runs, sizeof(ring[0]), cmp);
	qsort(dgram, runs, sizeof(dgram[0]), cmp);
	printf("size %zu median ring %.3f M/s dgram %.3f M/s ratio %.2f\n", size,
	       ring[runs / 2] / 1e6, dgram[runs / 2] / 1e6, ring[runs / 2] / dgram[runs / 2]);
	return 0;
}
