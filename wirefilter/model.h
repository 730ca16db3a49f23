/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wirefilter/model.h - the pure wirefilter impairment model
 *
 * No I/O and no clock of its own: every call takes "now" in nanoseconds
 * (CLOCK_MONOTONIC in the daemon, a fake clock in the tests) and the
 * randomness comes from a seeded xoshiro256** generator, so a run is fully
 * reproducible from its seed and its input timing.
 */
#ifndef VDEKIT_WF_MODEL_H
#define VDEKIT_WF_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "value.h"

enum wf_dir { WF_LR = 0, WF_RL = 1, WF_NDIRS = 2 };

/* Order = showinfo order. */
enum wf_feature {
	WF_LOSS,	/* percent */
	WF_LOSTBURST,	/* mean burst length (frames), Gilbert model */
	WF_DELAY,	/* ms */
	WF_DUP,		/* percent */
	WF_BAND,	/* bottleneck bandwidth, bytes/s */
	WF_SPEED,	/* interface speed, bytes/s, back-pressure */
	WF_NOISE,	/* flipped bits per MiB */
	WF_MTU,		/* bytes of Ethernet frame, 0 = off */
	WF_CHANBUF,	/* bytes waiting in the delay queue, 0 = unlimited */
	WF_NFEAT
};

#define WF_MAX_NODES		1024
#define WF_QUEUE_MAX_FRAMES	(1U << 18)	/* per direction */
#define WF_QUEUE_MAX_BYTES	((size_t)512 << 20)
#define WF_DUP_MAX		1000		/* copies of one frame */
#define WF_SLACK_NS		5000000ULL	/* idle time still counted as busy line */
#define WF_SPEED_AHEAD_NS	5000000ULL	/* interface backlog before back-pressure */

struct wf_counters {
	uint64_t in_frames, in_bytes;
	uint64_t out_frames, out_bytes;
	uint64_t drop_invalid;		/* length 0 or > VDE_ETHBUFSIZE */
	uint64_t drop_mtu;
	uint64_t drop_loss;		/* Bernoulli or Gilbert */
	uint64_t drop_capacity;		/* chanbufsize */
	uint64_t drop_rate;		/* bandwidth/speed drawn <= 0 */
	uint64_t drop_overflow;		/* WF_QUEUE_MAX_* reached */
	uint64_t dup;			/* extra copies */
	uint64_t corrupted;		/* frames with >= 1 flipped bit */
	uint64_t bits_flipped;
	uint64_t delayed;		/* frames that waited in the queue */
	uint64_t late_n;		/* queued frames delivered */
	uint64_t late_max_ns;		/* worst delivery time - scheduled time */
};

#define WF_LATE_BUCKETS	4096		/* 1 us buckets; the last one is ">=" */

struct wf_model;

/* Frame delivery; @frame is only valid during the call. */
typedef void (*wf_out_cb)(void *arg, enum wf_dir dir, const uint8_t *frame, size_t len);
/* Markov node change (for debug output). */
typedef void (*wf_node_cb)(void *arg, int from, int to);

struct wf_model *wf_model_new(uint64_t seed, uint64_t now);
void wf_model_free(struct wf_model *m);

int wf_model_set(struct wf_model *m, enum wf_feature f, const struct wf_parsed *p);
const struct wf_value *wf_model_get(const struct wf_model *m, int node, enum wf_feature f,
				    enum wf_dir dir);
bool wf_model_active(const struct wf_model *m, enum wf_feature f);
void wf_model_set_fifo(struct wf_model *m, bool fifo);
bool wf_model_fifo(const struct wf_model *m);

int wf_markov_resize(struct wf_model *m, int n);
int wf_markov_setedge(struct wf_model *m, int from, int to, double weight);
double wf_markov_edge(const struct wf_model *m, int from, int to);
int wf_markov_setnode(struct wf_model *m, int node);
int wf_markov_setname(struct wf_model *m, int node, const char *name);
const char *wf_markov_name(const struct wf_model *m, int node);
int wf_markov_settime(struct wf_model *m, double ms, uint64_t now);
double wf_markov_time(const struct wf_model *m);
int wf_markov_nodes(const struct wf_model *m);
int wf_markov_current(const struct wf_model *m);
void wf_model_set_node_cb(struct wf_model *m, wf_node_cb cb, void *arg);

int wf_input(struct wf_model *m, enum wf_dir dir, const uint8_t *frame, size_t len,
	     uint64_t now, wf_out_cb cb, void *arg);
void wf_run(struct wf_model *m, uint64_t now, wf_out_cb cb, void *arg);
uint64_t wf_next_event(const struct wf_model *m);
uint64_t wf_input_ready_at(const struct wf_model *m, enum wf_dir dir);

uint64_t wf_lateness_us(const struct wf_model *m, enum wf_dir dir, double q);
size_t wf_queue_frames(const struct wf_model *m, enum wf_dir dir);
size_t wf_queue_bytes(const struct wf_model *m, enum wf_dir dir);
const struct wf_counters *wf_model_counters(const struct wf_model *m, enum wf_dir dir);

/* RNG access for tests. */
double wf_rand_uniform(struct wf_model *m);
int wf_model_check(const struct wf_model *m);

#endif
