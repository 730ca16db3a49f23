// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_wf_model.c - the wirefilter impairment model on a fake clock
 *
 * Statistical checks with fixed seeds and enough frames to be decisive:
 * loss within the 99.9 % binomial interval, mean burst length within 10 %,
 * delay jitter mean and standard deviation within 5 %, dup and noise
 * distributions, bandwidth and speed throughput within 2 % from 64 kbit/s
 * to 1 Gbit/s, the Markov chain's time per node against its stationary
 * distribution within 5 %, plus exact checks (MTU, capacity, FIFO, live
 * change, reproducibility, invariants).
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ether.h"
#include "model.h"
#include "tap.h"

#define MS 1000000ULL
#define SEC 1000000000ULL

/* What the delivery callback saw. */
struct rec {
	uint64_t now;			/* fake clock */
	uint64_t frames[WF_NDIRS];
	uint64_t bytes[WF_NDIRS];
	uint64_t first_at, last_at;
	uint64_t last_seq;
	uint64_t reorders;
	double lat_sum, lat_sq;		/* ms */
	double lat_min, lat_max;
	uint64_t lat_n;
	uint64_t flips_hist[8];
	uint8_t ref[2048];		/* original payload for noise checks */
	int check_noise;
};

static struct rec R;

static void rec_reset(void)
{
	uint64_t now = R.now;

	memset(&R, 0, sizeof(R));
	R.now = now;
	R.lat_min = 1e18;
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* frame layout: [0..7] send time, [8..15] sequence, rest filler */
static void on_out(void *arg, enum wf_dir dir, const uint8_t *frame, size_t len)
{
	uint64_t sent, seq;
	double lat;

	(void)arg;
	R.frames[dir]++;
	R.bytes[dir] += len;
	if (!R.first_at)
		R.first_at = R.now;
	R.last_at = R.now;
	if (R.check_noise) {
		size_t i, bits = 0;

		for (i = 0; i < len; i++)
			bits += (size_t)__builtin_popcount((unsigned)(frame[i] ^ R.ref[i]));
		R.flips_hist[bits < 7 ? bits : 7]++;
		return;
	}
	if (len < 16)
		return;
	sent = get64(frame);
	seq = get64(frame + 8);
	if (seq < R.last_seq)
		R.reorders++;
	R.last_seq = seq;
	lat = (double)(R.now - sent) / 1e6;
	R.lat_sum += lat;
	R.lat_sq += lat * lat;
	if (lat < R.lat_min)
		R.lat_min = lat;
	if (lat > R.lat_max)
		R.lat_max = lat;
	R.lat_n++;
}

/* Run the model's timed events up to @to, then set the clock there. */
static void advance(struct wf_model *m, uint64_t to)
{
	uint64_t t;

	while ((t = wf_next_event(m)) <= to) {
		if (t > R.now)
			R.now = t;
		wf_run(m, R.now, on_out, NULL);
	}
	if (to > R.now)
		R.now = to;
	wf_run(m, R.now, on_out, NULL);
}

static int send(struct wf_model *m, enum wf_dir dir, size_t len, uint64_t seq)
{
	static uint8_t f[VDE_ETHBUFSIZE + 16];

	memset(f, 0xa5, len);
	if (len >= 16) {
		put64(f, R.now);
		put64(f + 8, seq);
	}
	return wf_input(m, dir, f, len, R.now, on_out, NULL);
}

static int set(struct wf_model *m, enum wf_feature f, const char *val)
{
	struct wf_parsed p;
	int r = wf_parse_value(val, &p);

	return r ? r : wf_model_set(m, f, &p);
}

static struct wf_model *fresh(uint64_t seed)
{
	rec_reset();
	R.now = 0;
	return wf_model_new(seed, 0);
}

static void test_passthrough(void)
{
	struct wf_model *m = fresh(1);
	int r = send(m, WF_LR, 60, 0);

	ok(r == 1 && R.frames[WF_LR] == 1 && R.lat_n == 1 && R.lat_max == 0.0,
	   "no impairment: delivered at once");
	ok(wf_next_event(m) == UINT64_MAX, "nothing pending");
	ok(send(m, WF_LR, 0, 1) == 0 && wf_model_counters(m, WF_LR)->drop_invalid == 1,
	   "zero-length frame dropped and counted");
	ok(send(m, WF_LR, VDE_ETHBUFSIZE, 2) == 1, "9234-byte frame passes");
	ok(send(m, WF_LR, VDE_ETHBUFSIZE + 1, 3) == 0, "9235-byte frame dropped");
	wf_model_free(m);
}

static void test_loss(void)
{
	struct wf_model *m = fresh(42);
	const int n = 200000;
	double p = 0.1, half, rate;
	int i;

	ok(set(m, WF_LOSS, "10") == 0, "loss 10");
	for (i = 0; i < n; i++)
		send(m, WF_LR, 64, (uint64_t)i);
	rate = 1.0 - (double)R.frames[WF_LR] / n;
	half = 3.2905 * sqrt(p * (1 - p) / n);
	ok(fabs(rate - p) <= half, "loss rate %.5f within 99.9%% interval %.5f+-%.5f", rate, p, half);
	ok(wf_model_counters(m, WF_LR)->drop_loss == (uint64_t)n - R.frames[WF_LR],
	   "drop_loss counter matches");
	ok(R.frames[WF_RL] == 0, "other direction untouched");
	ok(set(m, WF_LOSS, "100") == 0 && send(m, WF_LR, 64, 0) == 0, "loss 100 drops all");
	ok(set(m, WF_LOSS, "150") == EINVAL, "loss 150 rejected");
	ok(set(m, WF_LOSS, "RL0") == 0 && send(m, WF_RL, 64, 0) == 1, "RL only setting");
	wf_model_free(m);
}

static void test_lostburst(void)
{
	struct wf_model *m = fresh(7);
	const int n = 400000;
	uint64_t bursts = 0, lost = 0, run = 0;
	double mean, rate;
	int i;

	set(m, WF_LOSS, "5");
	set(m, WF_LOSTBURST, "4");
	for (i = 0; i < n; i++) {
		if (send(m, WF_LR, 64, (uint64_t)i) == 0) {
			lost++;
			run++;
		} else if (run) {
			bursts++;
			run = 0;
		}
	}
	mean = (double)lost / (double)bursts;
	rate = (double)lost / n;
	ok(fabs(mean - 4.0) <= 0.4, "mean burst %.3f within 10%% of 4", mean);
	ok(fabs(rate - 0.05) <= 0.005, "Gilbert long-run loss %.4f ~ 5%%", rate);
	wf_model_free(m);
}

static void run_delay(struct wf_model *m, int n, uint64_t gap)
{
	int i;

	for (i = 0; i < n; i++) {
		send(m, WF_LR, 64, (uint64_t)i);
		advance(m, R.now + gap);
	}
	advance(m, R.now + 10 * SEC);
}

static void test_delay(void)
{
	struct wf_model *m = fresh(3);
	double mean, sd;
	const int n = 50000;

	set(m, WF_DELAY, "10");
	run_delay(m, 100, MS);
	ok(R.lat_n == 100 && R.lat_min == 10.0 && R.lat_max == 10.0,
	   "fixed delay: every frame exactly 10 ms (min %g max %g)", R.lat_min, R.lat_max);
	set(m, WF_DELAY, "0.25");
	rec_reset();
	run_delay(m, 10, MS);
	ok(R.lat_min == 0.25 && R.lat_max == 0.25, "sub-ms delay exact: %g ms", R.lat_max);
	wf_model_free(m);

	m = fresh(4);
	wf_model_set_fifo(m, false);
	set(m, WF_DELAY, "20+5N");
	run_delay(m, n, 100000);
	mean = R.lat_sum / (double)R.lat_n;
	sd = sqrt(R.lat_sq / (double)R.lat_n - mean * mean);
	ok(R.lat_n == (uint64_t)n, "all %d jittered frames delivered", n);
	ok(fabs(mean - 20.0) <= 1.0, "20+5N mean %.4f within 5%%", mean);
	ok(fabs(sd - 5.0 / 3.0) <= 0.05 * 5.0 / 3.0, "20+5N sd %.4f within 5%% of 1.6667", sd);
	ok(R.reorders > 0, "nofifo: jitter reorders (%llu)", (unsigned long long)R.reorders);
	wf_model_free(m);

	m = fresh(5);
	wf_model_set_fifo(m, false);
	set(m, WF_DELAY, "20+5U");
	run_delay(m, n, 100000);
	mean = R.lat_sum / (double)R.lat_n;
	sd = sqrt(R.lat_sq / (double)R.lat_n - mean * mean);
	ok(R.lat_min >= 15.0 && R.lat_max <= 25.0, "20+5U within [15,25]: [%g,%g]", R.lat_min,
	   R.lat_max);
	ok(fabs(mean - 20.0) <= 1.0 && fabs(sd - 5.0 / sqrt(3.0)) <= 0.05 * 5.0 / sqrt(3.0),
	   "20+5U mean %.4f sd %.4f (2.8868)", mean, sd);
	wf_model_free(m);

	m = fresh(6);
	set(m, WF_DELAY, "20+5U");
	run_delay(m, 5000, 100000);
	ok(R.reorders == 0 && R.lat_n == 5000, "fifo: jitter never reorders");
	wf_model_free(m);
}

static void test_live_change(void)
{
	struct wf_model *m = fresh(8);

	set(m, WF_DELAY, "10");
	send(m, WF_LR, 64, 0);
	advance(m, R.now + 20 * MS);
	ok(R.lat_max == 10.0, "delay 10 applied");
	set(m, WF_DELAY, "50");
	rec_reset();
	R.now = 1 * SEC;
	send(m, WF_LR, 64, 1);
	advance(m, R.now + 100 * MS);
	ok(R.lat_n == 1 && R.lat_max == 50.0, "new delay applies to the next frame: %g ms",
	   R.lat_max);
	wf_model_free(m);
}

static void test_dup(void)
{
	struct wf_model *m = fresh(9);
	const int n = 100000;
	double extra;
	int i;

	set(m, WF_DUP, "50");
	for (i = 0; i < n; i++)
		send(m, WF_LR, 64, (uint64_t)i);
	/* copies = 1 + geometric(0.5): mean extra copies p/(1-p) = 1 */
	extra = (double)(R.frames[WF_LR] - (uint64_t)n) / n;
	ok(fabs(extra - 1.0) <= 0.03, "dup 50%%: %.4f extra copies per frame (1)", extra);
	ok(wf_model_counters(m, WF_LR)->dup == R.frames[WF_LR] - (uint64_t)n, "dup counter");
	ok(set(m, WF_DUP, "100") == EINVAL, "dup 100 rejected (endless)");
	wf_model_free(m);
}

static void test_noise(void)
{
	struct wf_model *m = fresh(10);
	const int n = 100000;
	const size_t len = 1000;
	/* q = len * noise / 2^20 = 0.3 */
	double q = 0.3, noise = q * 1048576.0 / (double)len, p;
	char val[64];
	int i, k, good = 1;
	uint8_t f[1000];

	snprintf(val, sizeof(val), "%.6f", noise);
	set(m, WF_NOISE, val);
	memset(f, 0x5a, len);
	memcpy(R.ref, f, len);
	R.check_noise = 1;
	for (i = 0; i < n; i++)
		wf_input(m, WF_LR, f, len, R.now, on_out, NULL);
	for (k = 0; k < 4; k++) {
		double want = (1 - q) * pow(q, k);
		double sdv = sqrt(want * (1 - want) / n);

		p = (double)R.flips_hist[k] / n;
		if (fabs(p - want) > 3.3 * sdv)
			good = 0;
		ok(fabs(p - want) <= 3.3 * sdv, "noise: P(%d flipped bits) %.4f vs %.4f", k, p, want);
	}
	/* two flips of the same bit cancel: rare, so allow 0.1 % */
	ok(good && llabs((long long)wf_model_counters(m, WF_LR)->corrupted -
			 (long long)((uint64_t)n - R.flips_hist[0])) <= n / 1000,
	   "corrupted counter = frames with flips");
	ok(f[0] == 0x5a, "input buffer never modified");
	wf_model_free(m);
}

static void test_mtu_capacity(void)
{
	struct wf_model *m = fresh(11);
	int i, sent = 0;

	set(m, WF_MTU, "1000");
	ok(send(m, WF_LR, 1000, 0) == 1, "mtu 1000: 1000-byte frame passes");
	ok(send(m, WF_LR, 1001, 0) == 0 && wf_model_counters(m, WF_LR)->drop_mtu == 1,
	   "mtu 1000: 1001-byte frame dropped and counted");
	ok(set(m, WF_MTU, "9235") == EINVAL, "mtu above 9234 rejected");
	set(m, WF_MTU, "0");
	set(m, WF_BAND, "1000");
	set(m, WF_CHANBUF, "5000");
	for (i = 0; i < 10; i++)
		sent += send(m, WF_LR, 1000, (uint64_t)i);
	ok(sent == 5 && wf_model_counters(m, WF_LR)->drop_capacity == 5,
	   "capacity 5000: 5 of 10 queued, 5 dropped (%d)", sent);
	ok(wf_queue_bytes(m, WF_LR) == 5000 && wf_queue_frames(m, WF_LR) == 5, "queue 5000 bytes");
	advance(m, R.now + 10 * SEC);
	ok(R.frames[WF_LR] == 6 && wf_queue_bytes(m, WF_LR) == 0, "queue drained");
	ok(wf_model_check(m) == 0, "invariants hold");
	wf_model_free(m);
}

/* Sender offers @offer_factor times the rate; throughput at the receiver. */
static double band_throughput(double rate, size_t len, double secs)
{
	struct wf_model *m = fresh(12);
	char val[64];
	uint64_t gap = (uint64_t)((double)len * 1e9 / (rate * 1.5));
	uint64_t end = (uint64_t)(secs * 1e9), seq = 0;
	double tp;

	snprintf(val, sizeof(val), "%.0f", rate);
	set(m, WF_BAND, val);
	snprintf(val, sizeof(val), "%.0f", rate * 0.2 > 3 * (double)len ? rate * 0.2 : 3.0 * (double)len);
	set(m, WF_CHANBUF, val);
	while (R.now < end) {
		send(m, WF_LR, len, seq++);
		advance(m, R.now + gap);
	}
	tp = (double)(R.bytes[WF_LR] - len) * 1e9 / (double)(R.last_at - R.first_at);
	ok(wf_model_counters(m, WF_LR)->drop_capacity > 0, "band %.0f: drops only at capacity (%llu)",
	   rate, (unsigned long long)wf_model_counters(m, WF_LR)->drop_capacity);
	wf_model_free(m);
	return tp;
}

static double speed_throughput(double rate, size_t len, double secs)
{
	struct wf_model *m = fresh(13);
	char val[64];
	uint64_t end = (uint64_t)(secs * 1e9), seq = 0, ready, dropped;
	double tp;

	snprintf(val, sizeof(val), "%.0f", rate);
	set(m, WF_SPEED, val);
	while (R.now < end) {
		send(m, WF_LR, len, seq++);
		/* the shell does not read again before the interface is free;
		 * model a 50 us wake-up latency when it has to wait */
		ready = wf_input_ready_at(m, WF_LR);
		if (ready > R.now)
			advance(m, ready + 50000);
	}
	advance(m, R.now + SEC);
	dropped = seq - R.frames[WF_LR];
	tp = (double)(R.bytes[WF_LR] - len) * 1e9 / (double)(R.last_at - R.first_at);
	ok(dropped == 0, "speed %.0f: no drop", rate);
	wf_model_free(m);
	return tp;
}

static void test_rates(void)
{
	static const double rates[] = { 8000.0, 125000.0, 1.25e6, 12.5e6, 125e6 };
	size_t i;

	for (i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		double secs = rates[i] < 1e5 ? 60.0 : (rates[i] > 1e7 ? 0.5 : 5.0);
		double tp = band_throughput(rates[i], 1000, secs);

		ok(fabs(tp - rates[i]) <= 0.02 * rates[i], "bandwidth %.0f B/s: receiver %.0f B/s",
		   rates[i], tp);
		tp = speed_throughput(rates[i], 1000, secs);
		ok(fabs(tp - rates[i]) <= 0.02 * rates[i], "speed %.0f B/s: receiver %.0f B/s",
		   rates[i], tp);
	}
}

static void test_markov(void)
{
	struct wf_model *m = fresh(14);
	const int steps = 200000;
	double P[3][3], pi[3] = { 1.0 / 3, 1.0 / 3, 1.0 / 3 }, next[3];
	uint64_t t_in[3] = { 0, 0, 0 };
	int i, j, k, it;

	ok(wf_markov_resize(m, 3) == 0, "3 nodes");
	ok(wf_markov_setedge(m, 0, 1, 10) == 0 && wf_markov_setedge(m, 1, 2, 30) == 0 &&
	   wf_markov_setedge(m, 2, 0, 20) == 0 && wf_markov_setedge(m, 1, 0, 5) == 0 &&
	   wf_markov_setedge(m, 0, 2, 2) == 0, "edges set");
	ok(wf_markov_setedge(m, 0, 1, 99) == EINVAL, "row sum above 100 rejected");
	ok(wf_markov_setedge(m, 1, 1, 5) == EINVAL && wf_markov_setedge(m, 0, 3, 5) == EINVAL,
	   "self edge / bad node rejected");
	ok(wf_markov_edge(m, 0, 0) == 88.0, "self loop = 100 - others (%g)", wf_markov_edge(m, 0, 0));
	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++)
			P[i][j] = wf_markov_edge(m, i, j) / 100.0;
	for (it = 0; it < 10000; it++) {
		for (j = 0; j < 3; j++)
			for (next[j] = 0, k = 0; k < 3; k++)
				next[j] += pi[k] * P[k][j];
		memcpy(pi, next, sizeof(pi));
	}
	wf_markov_settime(m, 1.0, R.now);
	for (i = 0; i < steps; i++) {
		t_in[wf_markov_current(m)]++;
		advance(m, R.now + MS);
	}
	for (i = 0; i < 3; i++) {
		double frac = (double)t_in[i] / steps;

		ok(fabs(frac - pi[i]) <= 0.05 * pi[i], "node %d: time %.4f vs stationary %.4f", i,
		   frac, pi[i]);
	}
	/* per-node values */
	{
		struct wf_parsed p;

		wf_parse_value("100[1]", &p);
		ok(wf_model_set(m, WF_LOSS, &p) == 0, "loss 100[1]");
		wf_parse_value("100[3]", &p);
		ok(wf_model_set(m, WF_LOSS, &p) == EINVAL, "node 3 of 3 rejected");
		wf_markov_settime(m, 1e6, R.now);
		wf_markov_setnode(m, 1);
		ok(send(m, WF_LR, 64, 0) == 0, "node 1: loss 100");
		wf_markov_setnode(m, 0);
		ok(send(m, WF_LR, 64, 0) == 1, "node 0: no loss");
		ok(wf_markov_setname(m, 1, "bad") == 0 && !strcmp(wf_markov_name(m, 1), "bad"),
		   "node name");
		ok(wf_markov_resize(m, 2) == 0 && wf_markov_edge(m, 0, 1) == 10.0 &&
		   !strcmp(wf_markov_name(m, 1), "bad") && wf_model_check(m) == 0,
		   "resize keeps values, names and edges");
	}
	wf_model_free(m);
}

static void test_reproducible(void)
{
	uint64_t a[2], b;
	int run, i;

	for (run = 0; run < 2; run++) {
		struct wf_model *m = fresh(99);

		set(m, WF_LOSS, "30");
		set(m, WF_DUP, "20");
		for (i = 0; i < 1000; i++)
			send(m, WF_LR, 64, (uint64_t)i);
		a[run] = R.frames[WF_LR];
		wf_model_free(m);
	}
	{
		struct wf_model *m = fresh(100);

		set(m, WF_LOSS, "30");
		set(m, WF_DUP, "20");
		for (i = 0; i < 1000; i++)
			send(m, WF_LR, 64, (uint64_t)i);
		b = R.frames[WF_LR];
		wf_model_free(m);
	}
	ok(a[0] == a[1], "same seed, same run (%llu)", (unsigned long long)a[0]);
	ok(a[0] != b, "other seed, other run (%llu)", (unsigned long long)b);
}

int main(void)
{
	test_passthrough();
	test_loss();
	test_lostburst();
	test_delay();
	test_live_change();
	test_dup();
	test_noise();
	test_mtu_capacity();
	test_rates();
	test_markov();
	test_reproducible();
	return tap_done();
}
