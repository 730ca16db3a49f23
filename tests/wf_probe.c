// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/wf_probe.c - timestamping traffic generator and meter for wirefilter tests
 *
 * Sends numbered, CLOCK_MONOTONIC-timestamped frames through a real
 * wirefilter and measures what arrives: count, duplicates, reordering,
 * corrupted frames, one-way latency (median, p99, mean, sd; also as error
 * against an expected delay) and receiver-side throughput. Two set-ups:
 *
 *   wf_probe [opts] -- wirefilter ARGS...   spawn wirefilter as in a dpipe
 *       chain: its stdin/stdout and ALTERNATE_STDIN/ALTERNATE_STDOUT are
 *       pipes to the probe (direction LR: probe -> stdin, alt stdout -> probe;
 *       RL the other way round).
 *   wf_probe [opts] -a VNL_A -b VNL_B       send on A, receive on B through
 *       libvdeplug (switches, ptp:// ...).
 *
 *   -n N     frames (default 1000)       -l LEN   frame length (default 100)
 *   -i US    gap between sends in us (0 = as fast as the wire accepts)
 *   -r       direction RL instead of LR (spawn mode)
 *   -e MS    expected delay: report latency error statistics against it
 *   -w MS    stop after this long without a frame once all are sent (1000)
 *   -m SOCK  console socket; with -c "K:CMD" run CMD after K frames are sent
 *   -d FILE  write "seq latency_us" per received frame
 *   -s SECS  skip (warm-up) frames received in the first SECS for throughput
 *   -I       at the end print wirefilter's showinfo (needs -m)
 * Output: key=value lines (sent, recv, dups, reorders, corrupted, lat_*_us,
 * err_*_us, tput_Bps). Exit 0, or 1 on setup errors.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "libvdeplug.h"
#include "parse.h"
#include "stream.h"

struct probe {
	long n;
	size_t len;
	long gap_us;
	bool rl;
	double expect_ms;
	long idle_ms;
	const char *mgmt;
	long cmd_at;
	const char *cmd;
	const char *dump;
	double skip_s;
	bool info;
	/* spawn mode */
	pid_t child;
	int wfd, rfd;
	/* vnl mode */
	VDECONN *a, *b;
	/* results */
	volatile long sent;
	volatile bool send_done;
	bool warm;
	uint64_t t_send_done;
	long recv, dups, reorders, corrupted;
	long last_seq;
	uint8_t *seen;
	double *lat;			/* us */
	long nlat;
	uint64_t first_rx, last_rx, tput_bytes, tput_first;
	bool tput_started;
	uint64_t t0;
	FILE *dumpf;
	struct stream_rx rx;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void die(const char *msg)
{
	perror(msg);
	exit(1);
}

static void fill(uint8_t *f, size_t len, uint64_t seq)
{
	size_t j;

	memset(f, 0xff, 6);
	f[6] = 0x02; f[7] = 0; f[8] = 0; f[9] = 0; f[10] = 0x77; f[11] = 0x01;
	f[12] = 0x88; f[13] = 0xb5;
	memcpy(f + 14, &seq, 8);
	for (j = 30; j < len; j++)
		f[j] = (uint8_t)(j * 31 + seq);
}

static int console_cmd(const char *path, const char *cmd, FILE *echo)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[4096];
	size_t have = 0;
	int fd, ret = -1;
	bool prompt = false;

	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto out;
	while (have < sizeof(buf) - 1) {
		ssize_t n = read(fd, buf + have, sizeof(buf) - 1 - have);

		if (n <= 0)
			goto out;
		have += (size_t)n;
		buf[have] = '\0';
		if (!prompt && strstr(buf, "$ ")) {
			prompt = true;
			have = 0;
			if (write(fd, cmd, strlen(cmd)) < 0 || write(fd, "\n", 1) < 0)
				goto out;
		} else if (prompt && strstr(buf, "$ ")) {
			ret = strstr(buf, "1000 Success") ? 0 : -1;
			if (echo)
				fputs(buf, echo);
			break;
		}
	}
out:
	close(fd);
	return ret;
}

static void *sender(void *arg)
{
	struct probe *p = arg;
	static uint8_t f[65536 + VDE_ETHBUFSIZE + 2];
	uint64_t next = now_ns();
	size_t blen = 0;
	long i;

	for (i = 0; i < p->n; i++) {
		uint64_t t;

		if (p->cmd && i == p->cmd_at && console_cmd(p->mgmt, p->cmd, NULL) < 0)
			fprintf(stderr, "wf_probe: console command failed: %s\n", p->cmd);
		if (p->gap_us) {
			struct timespec ts;

			ts.tv_sec = (time_t)(next / 1000000000ULL);
			ts.tv_nsec = (long)(next % 1000000000ULL);
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
			next += (uint64_t)p->gap_us * 1000ULL;
		}
		fill(f + blen + 2, p->len, (uint64_t)i);
		t = now_ns();
		memcpy(f + blen + 2 + 22, &t, 8);
		if (p->a) {
			if (vde_send(p->a, f + 2, p->len, 0) < 0 && errno != EAGAIN)
				break;
		} else {
			stream_hdr(f + blen, p->len);
			blen += p->len + 2;
			/* back to back: batch up to 64 KiB per write */
			if (p->gap_us || blen >= 65536 || i + 1 == p->n) {
				if (write(p->wfd, f, blen) != (ssize_t)blen)
					break;
				blen = 0;
			}
		}
		p->sent = i + 1;
	}
	p->t_send_done = now_ns();
	p->send_done = true;
	return NULL;
}

static void on_frame(void *arg, const uint8_t *f, size_t len)
{
	struct probe *p = arg;
	uint64_t now = now_ns(), seq, t;
	size_t j;
	bool bad = false;

	if (len >= 14 && f[12] == 0x88 && f[13] == 0xb6) {
		p->warm = true;		/* wirefilter is up */
		return;
	}
	if (len < 30 || f[12] != 0x88 || f[13] != 0xb5) {
		p->corrupted++;
		return;
	}
	memcpy(&seq, f + 14, 8);
	memcpy(&t, f + 22, 8);
	for (j = 30; j < len; j++)
		if (f[j] != (uint8_t)(j * 31 + seq))
			bad = true;
	if (bad || seq >= (uint64_t)p->n || len != p->len) {
		p->corrupted++;
		return;
	}
	p->recv++;
	if (p->seen[seq]) {
		p->dups++;
	} else {
		p->seen[seq] = 1;
		if ((long)seq < p->last_seq)
			p->reorders++;
		p->last_seq = (long)seq;
	}
	if (t <= now && p->nlat < p->n * 4) {
		double us = (double)(now - t) / 1e3;

		p->lat[p->nlat++] = us;
		if (p->dumpf)
			fprintf(p->dumpf, "%llu %.1f\n", (unsigned long long)seq, us);
	}
	if (!p->first_rx)
		p->first_rx = now;
	if (!p->tput_started && (double)(now - p->t0) / 1e9 >= p->skip_s) {
		p->tput_started = true;
		p->tput_first = now;
		p->tput_bytes = 0;
	} else if (p->tput_started) {
		p->tput_bytes += len;
	}
	p->last_rx = now;
}

/* one read from the receiving end into @buf (@size bytes): a datagram
 * (vde_recv) or a chunk of the stream fed to the record splitter, each
 * frame to on_frame(); false when the stream has ended */
static bool rx_once(struct probe *p, uint8_t *buf, size_t size)
{
	ssize_t n;

	if (p->b) {
		n = vde_recv(p->b, buf, size, 0);
		if (n > 0)
			on_frame(p, buf, (size_t)n);
		return true;
	}
	n = read(p->rfd, buf, size);
	if (n <= 0)
		return false;
	stream_rx_feed(&p->rx, buf, (size_t)n, on_frame, p);
	return true;
}

static void spawn(struct probe *p, char **argv)
{
	int in[2], out[2], ain[2], aout[2];

	/* in: probe -> wf stdin; out: wf stdout -> probe;
	 * ain: probe -> wf alt stdin; aout: wf alt stdout -> probe */
	if (pipe(in) || pipe(out) || pipe(ain) || pipe(aout))
		die("pipe");
	p->child = fork();
	if (p->child < 0)
		die("fork");
	if (!p->child) {
		int fds[4] = { in[0], out[1], ain[0], aout[1] };
		int hi[4], k;

		for (k = 0; k < 4; k++) {
			hi[k] = fcntl(fds[k], F_DUPFD, 20);
			if (hi[k] < 0)
				_exit(127);
		}
		for (k = 0; k < 4; k++)
			if (dup2(hi[k], k < 2 ? k : k + 1) < 0)
				_exit(127);
		for (k = 5; k < 64; k++)
			close(k);
		setenv("ALTERNATE_STDIN", "3", 1);
		setenv("ALTERNATE_STDOUT", "4", 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(ain[0]);
	close(aout[1]);
	/* the unused direction's ends stay open: EOF there would end wirefilter */
	p->wfd = p->rl ? ain[1] : in[1];
	p->rfd = p->rl ? out[0] : aout[0];
}

/* Send marker frames until one comes back: the wire is up. */
static void warm_up(struct probe *p)
{
	uint8_t f[2 + 60], buf[4096];
	uint64_t end = now_ns() + 10ULL * 1000000000ULL, next = 0;

	memset(f, 0, sizeof(f));
	stream_hdr(f, 60);
	memset(f + 2, 0xff, 6);
	f[2 + 12] = 0x88;
	f[2 + 13] = 0xb6;
	while (!p->warm && now_ns() < end) {
		struct pollfd pfd = { .fd = p->rfd, .events = POLLIN };

		if (now_ns() >= next) {
			if (p->a)
				vde_send(p->a, f + 2, 60, 0);
			else if (write(p->wfd, f, sizeof(f)) < 0)
				die("write");
			next = now_ns() + 20000000ULL;
		}
		if (poll(&pfd, 1, 5) <= 0)
			continue;
		if (!rx_once(p, buf, sizeof(buf)))
			die("wirefilter ended during warm-up");
	}
	if (!p->warm) {
		fprintf(stderr, "wf_probe: nothing came through in 10 s\n");
		exit(1);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(const double *v, long n, double q)
{
	long i;

	if (!n)
		return 0.0;
	i = (long)(q * (double)(n - 1) + 0.5);
	return v[i];
}

static void report(struct probe *p)
{
	double mean = 0, sd = 0, *err;
	long i;

	printf("sent=%ld\nrecv=%ld\ndups=%ld\nreorders=%ld\ncorrupted=%ld\n", p->sent, p->recv,
	       p->dups, p->reorders, p->corrupted);
	for (i = 0; i < p->nlat; i++)
		mean += p->lat[i];
	if (p->nlat)
		mean /= (double)p->nlat;
	for (i = 0; i < p->nlat; i++)
		sd += (p->lat[i] - mean) * (p->lat[i] - mean);
	if (p->nlat > 1)
		sd = sqrt(sd / (double)(p->nlat - 1));
	err = malloc(((size_t)p->nlat + 1) * sizeof(*err));
	if (!err)
		die("malloc");
	for (i = 0; i < p->nlat; i++)
		err[i] = fabs(p->lat[i] - p->expect_ms * 1000.0);
	qsort(p->lat, (size_t)p->nlat, sizeof(double), cmp_double);
	qsort(err, (size_t)p->nlat, sizeof(double), cmp_double);
	printf("lat_n=%ld\nlat_mean_us=%.1f\nlat_sd_us=%.1f\nlat_min_us=%.1f\n"
	       "lat_p25_us=%.1f\nlat_median_us=%.1f\nlat_p75_us=%.1f\nlat_p99_us=%.1f\n"
	       "lat_max_us=%.1f\n", p->nlat, mean, sd, pct(p->lat, p->nlat, 0),
	       pct(p->lat, p->nlat, 0.25), pct(p->lat, p->nlat, 0.5), pct(p->lat, p->nlat, 0.75),
	       pct(p->lat, p->nlat, 0.99), pct(p->lat, p->nlat, 1));
	printf("err_median_us=%.1f\nerr_p99_us=%.1f\n", pct(err, p->nlat, 0.5),
	       pct(err, p->nlat, 0.99));
	if (p->tput_started && p->last_rx > p->tput_first)
		printf("tput_Bps=%.0f\n",
		       (double)p->tput_bytes * 1e9 / (double)(p->last_rx - p->tput_first));
	else
		printf("tput_Bps=0\n");
	free(err);
}

static long num(const char *s, long long max)
{
	const char *errstr;
	long long v = parse_num(s, 0, max, &errstr);

	if (errstr) {
		fprintf(stderr, "wf_probe: %s: %s\n", s, errstr);
		exit(1);
	}
	return (long)v;
}

int main(int argc, char **argv)
{
	static struct probe P;
	struct probe *p = &P;
	const char *vnl_a = NULL, *vnl_b = NULL;
	pthread_t th;
	uint8_t buf[65536];
	int c, status;

	p->n = 1000;
	p->len = 100;
	p->idle_ms = 1000;
	p->last_seq = -1;
	p->cmd_at = -1;
	while ((c = getopt(argc, argv, "n:l:i:re:w:m:c:d:s:a:b:I")) != -1) {
		switch (c) {
		case 'n': p->n = num(optarg, 100000000); break;
		case 'l': p->len = (size_t)num(optarg, VDE_ETHBUFSIZE); break;
		case 'i': p->gap_us = num(optarg, 100000000); break;
		case 'r': p->rl = true; break;
		case 'e': p->expect_ms = atof(optarg); break;
		case 'w': p->idle_ms = num(optarg, 600000); break;
		case 'm': p->mgmt = optarg; break;
		case 'c': {
			char *colon = strchr(optarg, ':');

			if (!colon)
				return 1;
			*colon = '\0';
			p->cmd_at = num(optarg, 100000000);
			p->cmd = colon + 1;
			break;
		}
		case 'd': p->dump = optarg; break;
		case 's': p->skip_s = atof(optarg); break;
		case 'a': vnl_a = optarg; break;
		case 'b': vnl_b = optarg; break;
		case 'I': p->info = true; break;
		default: return 1;
		}
	}
	if (p->len < 30 || (p->cmd && !p->mgmt))
		return 1;
	p->seen = calloc((size_t)p->n, 1);
	p->lat = calloc((size_t)p->n * 4, sizeof(double));
	if (!p->seen || !p->lat)
		die("calloc");
	if (p->dump && !(p->dumpf = fopen(p->dump, "w")))
		die(p->dump);
	stream_rx_init(&p->rx);
	signal(SIGPIPE, SIG_IGN);
	if (vnl_a && vnl_b) {
		p->a = vde_open((char *)vnl_a, "wf_probe", NULL);
		p->b = vde_open((char *)vnl_b, "wf_probe", NULL);
		if (!p->a || !p->b)
			die("vde_open");
		p->rfd = vde_datafd(p->b);
	} else if (optind < argc) {
		spawn(p, argv + optind);
	} else {
		return 1;
	}
	warm_up(p);
	p->t0 = now_ns();
	if (pthread_create(&th, NULL, sender, p))
		die("pthread_create");
	for (;;) {
		struct pollfd pfd = { .fd = p->rfd, .events = POLLIN };
		int r = poll(&pfd, 1, 50);

		if (r < 0 && errno != EINTR)
			break;
		if (r > 0 && !rx_once(p, buf, sizeof(buf)))
			break;
		if (p->send_done) {
			uint64_t last = p->last_rx > p->t_send_done ? p->last_rx : p->t_send_done;

			if (now_ns() - last > (uint64_t)p->idle_ms * 1000000ULL)
				break;
		}
	}
	pthread_join(th, NULL);
	if (p->mgmt && p->info && console_cmd(p->mgmt, "showinfo", stdout) < 0)
		fprintf(stderr, "wf_probe: showinfo failed\n");
	if (p->child > 0) {
		kill(p->child, SIGTERM);
		waitpid(p->child, &status, 0);
	}
	if (p->a)
		vde_close(p->a);
	if (p->b)
		vde_close(p->b);
	if (p->dumpf)
		fclose(p->dumpf);
	report(p);
	free(p->seen);
	free(p->lat);
	return 0;
}
