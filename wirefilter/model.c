// SPDX-License-Identifier: GPL-2.0-or-later
/* wirefilter/model.c - per-direction impairment state machine of wirefilter
 *
 * Theory of operation
 *
 * Two independent directions (LR, RL), each with a delay queue (a min-heap
 * of slots ordered by (deliver time, sequence number)), a Gilbert state, a
 * "line free" time for the bottleneck (bandwidth) and one for the interface
 * (speed). Every setting exists once per direction per Markov node; the
 * values of the current node apply, each drawn afresh per frame from
 * value +- spread (uniform) or value + spread/3 * gauss (normal).
 *
 * wf_input() runs one frame through VDE 2's pipeline (docs/architecture.md,
 * "wirefilter: values and the impairment pipeline"):
 *   1. MTU (on the Ethernet frame, not on a stream header);
 *   2. loss: Gilbert model when lostburst B > 0 (OK->BAD with
 *      p/(B(1-p)), BAD->OK with 1/B, drop while BAD), else Bernoulli;
 *   3. dup: copies = 1 + geometric(dup/100);
 *   4. per copy: chanbufsize (bytes waiting in the queue), speed (the
 *      interface transmits at speed bytes/s; the shell stops reading this
 *      direction until wf_input_ready_at()), bandwidth (a bottleneck
 *      queue: wait until the line is free, then size/band), then delay;
 *   5. FIFO: a frame is never scheduled before the latest one already
 *      scheduled (nofifo lets jitter reorder).
 * A copy due now with an empty queue is delivered at once (the fast path:
 * no impairment costs no queueing). wf_run() delivers due frames and
 * advances the Markov chain, one step per markov-time. Noise flips bits at
 * delivery: the count is geometric with q = len * noise / 2^20 (at most
 * 0.99), each bit uniform over the frame.
 *
 * Timing is in nanoseconds. A line that was idle for less than
 * WF_SLACK_NS is treated as still busy, so the shell's wake-up latency
 * does not accumulate into lost throughput.
 *
 * Slots keep their buffers once allocated (free list), so the steady state
 * allocates nothing per frame.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ether.h"
#include "model.h"

struct wf_slot {
	uint64_t at;
	uint64_t seq;
	uint8_t *buf;
	uint32_t len;
	uint32_t cap;
};

struct wf_dirstate {
	struct wf_slot *slots;
	uint32_t nslots;
	uint32_t *freelist;		/* indices of free slots */
	uint32_t nfree;
	uint32_t *heap;			/* indices of queued slots */
	uint32_t nheap;
	size_t queued_bytes;
	uint64_t seq;
	uint64_t last_sched;		/* latest deliver time scheduled */
	uint64_t band_free;		/* bottleneck line free at */
	uint64_t speed_free;		/* interface free at */
	bool gilbert_bad;
	struct wf_counters c;
	uint32_t late_hist[WF_LATE_BUCKETS];	/* delivery - scheduled time, us */
};

struct wf_node {
	char *name;
	struct wf_value v[WF_NFEAT][WF_NDIRS];
};

struct wf_model {
	uint64_t rng[4];
	bool have_gauss;
	double gauss_next;
	bool fifo;
	int nnodes;
	int cur;
	struct wf_node *nodes;
	double *adj;			/* nnodes x nnodes percent, diagonal unused */
	double markov_ms;
	uint64_t markov_next;
	wf_node_cb node_cb;
	void *node_arg;
	struct wf_dirstate d[WF_NDIRS];
	uint8_t scratch[VDE_ETHBUFSIZE];
};

/* --- RNG: splitmix64 seeding, xoshiro256** ------------------------------ */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(struct wf_model *m)
{
	uint64_t *s = m->rng;
	uint64_t r = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

/**
 * wf_rand_uniform() - next uniform double in [0, 1)
 * @m:	the model (its RNG)
 *
 * Return: the number.
 */
double wf_rand_uniform(struct wf_model *m)
{
	return (double)(rng_next(m) >> 11) * 0x1.0p-53;
}

static double rand_gauss(struct wf_model *m)
{
	double u1, u2, r;

	if (m->have_gauss) {
		m->have_gauss = false;
		return m->gauss_next;
	}
	do
		u1 = wf_rand_uniform(m);
	while (u1 <= 0.0);
	u2 = wf_rand_uniform(m);
	r = sqrt(-2.0 * log(u1));
	m->gauss_next = r * sin(2.0 * M_PI * u2);
	m->have_gauss = true;
	return r * cos(2.0 * M_PI * u2);
}

static uint64_t rand_below(struct wf_model *m, uint64_t n)
{
	return (uint64_t)(wf_rand_uniform(m) * (double)n) % n;
}

/* Draw a value of the current node. */
static double draw(struct wf_model *m, enum wf_feature f, enum wf_dir dir)
{
	const struct wf_value *v = &m->nodes[m->cur].v[f][dir];

	if (v->plus == 0.0)
		return v->val;
	if (v->alg == WF_ALG_NORMAL)
		return v->val + v->plus * rand_gauss(m) / 3.0;
	return v->val + v->plus * (2.0 * wf_rand_uniform(m) - 1.0);
}

static bool set_in(const struct wf_model *m, enum wf_feature f, enum wf_dir dir)
{
	const struct wf_value *v = &m->nodes[m->cur].v[f][dir];

	return v->val != 0.0 || v->plus != 0.0;
}

/* --- construction ------------------------------------------------------- */

/**
 * wf_model_new() - create a model with no impairment, one Markov node
 * @seed:	RNG seed (same seed + same inputs = same run)
 * @now:	current time, ns (starts the Markov clock)
 *
 * Return: the model or NULL (ENOMEM).
 */
struct wf_model *wf_model_new(uint64_t seed, uint64_t now)
{
	struct wf_model *m = calloc(1, sizeof(*m));
	uint64_t x = seed;
	int i;

	if (!m)
		return NULL;
	for (i = 0; i < 4; i++)
		m->rng[i] = splitmix64(&x);
	m->fifo = true;
	m->markov_ms = 100.0;
	m->markov_next = now + 100000000ULL;
	if (wf_markov_resize(m, 1)) {
		free(m);
		return NULL;
	}
	return m;
}

/**
 * wf_model_free() - free a model and every queued frame
 * @m:	the model (NULL is fine)
 */
void wf_model_free(struct wf_model *m)
{
	int i;
	uint32_t k;

	if (!m)
		return;
	for (i = 0; i < WF_NDIRS; i++) {
		for (k = 0; k < m->d[i].nslots; k++)
			free(m->d[i].slots[k].buf);
		free(m->d[i].slots);
		free(m->d[i].freelist);
		free(m->d[i].heap);
	}
	for (i = 0; i < m->nnodes; i++)
		free(m->nodes[i].name);
	free(m->nodes);
	free(m->adj);
	free(m);
}

/* --- settings ----------------------------------------------------------- */

static int value_ok(enum wf_feature f, const struct wf_value *v)
{
	double max;

	if (!isfinite(v->val) || !isfinite(v->plus) || v->val < 0.0 || v->plus < 0.0)
		return 0;
	switch (f) {
	case WF_LOSS:		max = 100.0; break;
	case WF_LOSTBURST:	max = 1e9; break;
	case WF_DELAY:		max = 3600000.0; break;	/* one hour, in ms */
	case WF_DUP:		max = 99.0; break;	/* 100 % would be endless */
	case WF_BAND:
	case WF_SPEED:		max = 1e12; break;
	case WF_NOISE:		max = 1048576.0; break;	/* one bit per byte */
	case WF_MTU:		max = VDE_ETHBUFSIZE; break;
	case WF_CHANBUF:	max = (double)WF_QUEUE_MAX_BYTES; break;
	default:		return 0;
	}
	if ((f == WF_BAND || f == WF_SPEED) && v->val != 0.0 && v->val < 1.0)
		return 0;		/* 0 = off, else at least 1 byte/s */
	return v->val <= max && v->plus <= max;
}

/**
 * wf_model_set() - set one impairment from a parsed value
 * @m:	the model
 * @f:	which impairment
 * @p:	parsed value (directions, node, value)
 *
 * Return: 0 or EINVAL (value out of range for @f, node out of range).
 */
int wf_model_set(struct wf_model *m, enum wf_feature f, const struct wf_parsed *p)
{
	int i;

	if ((unsigned)f >= WF_NFEAT || p->node < 0 || p->node >= m->nnodes ||
	    !(p->dirs & WF_DIR_BOTH) || !value_ok(f, &p->v) ||
	    (p->v.alg != WF_ALG_UNIFORM && p->v.alg != WF_ALG_NORMAL))
		return EINVAL;
	for (i = 0; i < WF_NDIRS; i++)
		if (p->dirs & (1U << i))
			m->nodes[p->node].v[f][i] = p->v;
	return 0;
}

/**
 * wf_model_get() - a setting
 * @m:		the model
 * @node:	Markov node (must be valid)
 * @f:		impairment
 * @dir:	direction
 *
 * Return: the stored value.
 */
const struct wf_value *wf_model_get(const struct wf_model *m, int node, enum wf_feature f,
				    enum wf_dir dir)
{
	return &m->nodes[node].v[f][dir];
}

/**
 * wf_model_active() - is @f set (non zero) in any node or direction
 * @m:	the model
 * @f:	impairment
 *
 * Return: true if set somewhere.
 */
bool wf_model_active(const struct wf_model *m, enum wf_feature f)
{
	int n, i;

	for (n = 0; n < m->nnodes; n++)
		for (i = 0; i < WF_NDIRS; i++)
			if (m->nodes[n].v[f][i].val != 0.0 || m->nodes[n].v[f][i].plus != 0.0)
				return true;
	return false;
}

/**
 * wf_model_set_fifo() - keep frames in order (default) or let jitter reorder
 * @m:		the model
 * @fifo:	true for FIFO
 */
void wf_model_set_fifo(struct wf_model *m, bool fifo)
{
	m->fifo = fifo;
}

/**
 * wf_model_fifo() - FIFO setting
 * @m:	the model
 *
 * Return: true when FIFO.
 */
bool wf_model_fifo(const struct wf_model *m)
{
	return m->fifo;
}

/* --- Markov chain ------------------------------------------------------- */

/**
 * wf_markov_resize() - set the number of Markov nodes
 * @m:	the model
 * @n:	1..WF_MAX_NODES; kept nodes keep values, names and edges among
 *	themselves, new ones start with no impairment and a 100 % self loop
 *
 * Return: 0, EINVAL or ENOMEM.
 */
int wf_markov_resize(struct wf_model *m, int n)
{
	struct wf_node *nodes;
	double *adj;
	int i, j, keep;

	if (n < 1 || n > WF_MAX_NODES)
		return EINVAL;
	nodes = calloc((size_t)n, sizeof(*nodes));
	adj = calloc((size_t)n * (size_t)n, sizeof(*adj));
	if (!nodes || !adj) {
		free(nodes);
		free(adj);
		return ENOMEM;
	}
	keep = m->nnodes < n ? m->nnodes : n;
	for (i = 0; i < n; i++)
		for (j = 0; j < WF_NFEAT * WF_NDIRS; j++)
			nodes[i].v[j / WF_NDIRS][j % WF_NDIRS].alg = WF_ALG_UNIFORM;
	for (i = 0; i < keep; i++) {
		nodes[i] = m->nodes[i];
		for (j = 0; j < keep; j++)
			adj[i * n + j] = m->adj[i * m->nnodes + j];
	}
	for (i = keep; i < m->nnodes; i++)
		free(m->nodes[i].name);
	free(m->nodes);
	free(m->adj);
	m->nodes = nodes;
	m->adj = adj;
	m->nnodes = n;
	if (m->cur >= n)
		m->cur = 0;
	return 0;
}

static double row_others(const struct wf_model *m, int from)
{
	double s = 0.0;
	int k;

	for (k = 0; k < m->nnodes; k++)
		if (k != from)
			s += m->adj[from * m->nnodes + k];
	return s;
}

/**
 * wf_markov_setedge() - weight (percent per step) of the edge from -> to
 * @m:		the model
 * @from:	source node
 * @to:		destination node (not @from: the self loop is 100 - others)
 * @weight:	0..100, the row's other edges included must stay <= 100
 *
 * Return: 0 or EINVAL.
 */
int wf_markov_setedge(struct wf_model *m, int from, int to, double weight)
{
	double others;

	if (from < 0 || to < 0 || from >= m->nnodes || to >= m->nnodes || from == to ||
	    !isfinite(weight) || weight < 0.0 || weight > 100.0)
		return EINVAL;
	others = row_others(m, from) - m->adj[from * m->nnodes + to];
	if (others + weight > 100.0 + 1e-9)
		return EINVAL;
	m->adj[from * m->nnodes + to] = weight;
	return 0;
}

/**
 * wf_markov_edge() - weight of an edge, the self loop computed
 * @m:		the model
 * @from:	source node
 * @to:		destination node
 *
 * Return: percent.
 */
double wf_markov_edge(const struct wf_model *m, int from, int to)
{
	if (from == to) {
		double w = 100.0 - row_others(m, from);

		return w < 0.0 ? 0.0 : w;
	}
	return m->adj[from * m->nnodes + to];
}

/**
 * wf_markov_setnode() - jump to a node
 * @m:		the model
 * @node:	node index
 *
 * Return: 0 or EINVAL.
 */
int wf_markov_setnode(struct wf_model *m, int node)
{
	if (node < 0 || node >= m->nnodes)
		return EINVAL;
	m->cur = node;
	return 0;
}

/**
 * wf_markov_setname() - name a node
 * @m:		the model
 * @node:	node index
 * @name:	printable name, at most 63 bytes
 *
 * Return: 0, EINVAL or ENOMEM.
 */
int wf_markov_setname(struct wf_model *m, int node, const char *name)
{
	char *dup;
	const char *p;

	if (node < 0 || node >= m->nnodes || strlen(name) > 63)
		return EINVAL;
	for (p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == '"' || *p == 0x7f)
			return EINVAL;
	dup = strdup(name);
	if (!dup)
		return ENOMEM;
	free(m->nodes[node].name);
	m->nodes[node].name = dup;
	return 0;
}

/**
 * wf_markov_name() - name of a node
 * @m:		the model
 * @node:	node index (valid)
 *
 * Return: the name, "" if none.
 */
const char *wf_markov_name(const struct wf_model *m, int node)
{
	return m->nodes[node].name ? m->nodes[node].name : "";
}

/**
 * wf_markov_settime() - period of the Markov chain
 * @m:		the model
 * @ms:		period in ms, > 0 and <= one day
 * @now:	current time (restarts the period)
 *
 * Return: 0 or EINVAL.
 */
int wf_markov_settime(struct wf_model *m, double ms, uint64_t now)
{
	if (!isfinite(ms) || ms < 0.001 || ms > 86400000.0)
		return EINVAL;
	m->markov_ms = ms;
	m->markov_next = now + (uint64_t)(ms * 1e6);
	return 0;
}

/**
 * wf_markov_time() - period in ms
 * @m:	the model
 *
 * Return: ms.
 */
double wf_markov_time(const struct wf_model *m)
{
	return m->markov_ms;
}

/**
 * wf_markov_nodes() - number of nodes
 * @m:	the model
 *
 * Return: count.
 */
int wf_markov_nodes(const struct wf_model *m)
{
	return m->nnodes;
}

/**
 * wf_markov_current() - current node
 * @m:	the model
 *
 * Return: index.
 */
int wf_markov_current(const struct wf_model *m)
{
	return m->cur;
}

/**
 * wf_model_set_node_cb() - get told about Markov transitions
 * @m:		the model
 * @cb:		callback (NULL to stop)
 * @arg:	its argument
 */
void wf_model_set_node_cb(struct wf_model *m, wf_node_cb cb, void *arg)
{
	m->node_cb = cb;
	m->node_arg = arg;
}

static void markov_step(struct wf_model *m)
{
	double r = wf_rand_uniform(m) * 100.0;
	int from = m->cur, k;

	for (k = 0; k < m->nnodes; k++) {
		double w = wf_markov_edge(m, from, k);

		if (r < w)
			break;
		r -= w;
	}
	if (k >= m->nnodes)
		k = from;
	m->cur = k;
	if (k != from && m->node_cb)
		m->node_cb(m->node_arg, from, k);
}

/* --- delay queue -------------------------------------------------------- */

static bool slot_before(const struct wf_dirstate *d, uint32_t a, uint32_t b)
{
	const struct wf_slot *x = &d->slots[a], *y = &d->slots[b];

	return x->at < y->at || (x->at == y->at && x->seq < y->seq);
}

static void heap_push(struct wf_dirstate *d, uint32_t s)
{
	uint32_t i = d->nheap++;

	while (i > 0) {
		uint32_t parent = (i - 1) / 2;

		if (!slot_before(d, s, d->heap[parent]))
			break;
		d->heap[i] = d->heap[parent];
		i = parent;
	}
	d->heap[i] = s;
}

static uint32_t heap_pop(struct wf_dirstate *d)
{
	uint32_t top = d->heap[0], last = d->heap[--d->nheap], i = 0;

	for (;;) {
		uint32_t c = 2 * i + 1;

		if (c >= d->nheap)
			break;
		if (c + 1 < d->nheap && slot_before(d, d->heap[c + 1], d->heap[c]))
			c++;
		if (!slot_before(d, d->heap[c], last))
			break;
		d->heap[i] = d->heap[c];
		i = c;
	}
	if (d->nheap)
		d->heap[i] = last;
	return top;
}

/* A free slot with room for @len bytes, or -1 (overflow or ENOMEM). */
static long slot_get(struct wf_dirstate *d, size_t len)
{
	struct wf_slot *s;
	uint32_t idx;

	if (!d->nfree) {
		uint32_t n = d->nslots ? d->nslots * 2 : 64, k;
		struct wf_slot *slots;
		uint32_t *fl, *heap;

		if (d->nslots >= WF_QUEUE_MAX_FRAMES)
			return -1;
		if (n > WF_QUEUE_MAX_FRAMES)
			n = WF_QUEUE_MAX_FRAMES;
		slots = realloc(d->slots, n * sizeof(*slots));
		if (!slots)
			return -1;
		d->slots = slots;
		fl = realloc(d->freelist, n * sizeof(*fl));
		if (!fl)
			return -1;
		d->freelist = fl;
		heap = realloc(d->heap, n * sizeof(*heap));
		if (!heap)
			return -1;
		d->heap = heap;
		memset(&slots[d->nslots], 0, (n - d->nslots) * sizeof(*slots));
		for (k = n; k > d->nslots; k--)
			d->freelist[d->nfree++] = k - 1;
		d->nslots = n;
	}
	idx = d->freelist[d->nfree - 1];
	s = &d->slots[idx];
	if (s->cap < len) {
		uint32_t cap = len <= 2048 ? 2048 : VDE_ETHBUFSIZE;
		uint8_t *b = realloc(s->buf, cap);

		if (!b)
			return -1;
		s->buf = b;
		s->cap = cap;
	}
	d->nfree--;
	return idx;
}

/* --- data path ---------------------------------------------------------- */

/* Flip bits by the current noise setting; returns the frame to deliver
 * (@frame itself when untouched, else @buf holding a modified copy). */
static const uint8_t *add_noise(struct wf_model *m, enum wf_dir dir, const uint8_t *frame,
				size_t len, uint8_t *buf)
{
	struct wf_dirstate *d = &m->d[dir];
	double q;
	size_t flips = 0, maxflips = len * 8;
	const uint8_t *out = frame;

	if (!set_in(m, WF_NOISE, dir))
		return frame;
	q = draw(m, WF_NOISE, dir) * (double)len / 1048576.0;
	if (q > 0.99)		/* VDE 2 looped forever from q = 1 on */
		q = 0.99;
	while (flips < maxflips && wf_rand_uniform(m) < q) {
		uint64_t bit = rand_below(m, maxflips);

		if (out != buf) {
			if (buf != frame)
				memcpy(buf, frame, len);
			out = buf;
		}
		buf[bit >> 3] ^= (uint8_t)(1U << (bit & 7));
		flips++;
	}
	if (flips) {
		d->c.corrupted++;
		d->c.bits_flipped += flips;
	}
	return out;
}

static void deliver(struct wf_model *m, enum wf_dir dir, const uint8_t *frame, size_t len,
		    uint8_t *mutable_buf, wf_out_cb cb, void *arg)
{
	struct wf_dirstate *d = &m->d[dir];
	const uint8_t *out = add_noise(m, dir, frame, len, mutable_buf);

	d->c.out_frames++;
	d->c.out_bytes += len;
	if (cb)
		cb(arg, dir, out, len);
}

/* Line model shared by speed and bandwidth: returns when the frame has
 * been transmitted, starting no earlier than @t0. */
static uint64_t line_xmit(uint64_t *line_free, uint64_t t0, double rate, size_t len)
{
	uint64_t start = (*line_free + WF_SLACK_NS >= t0) ? *line_free : t0;
	uint64_t t;

	if (rate < 1.0)		/* a spread can draw tiny rates: 1 B/s at least */
		rate = 1.0;
	t = (uint64_t)((double)len * 1e9 / rate + 0.5);

	*line_free = start + t;
	return *line_free > t0 ? *line_free : t0;
}

static bool gilbert_drop(struct wf_model *m, struct wf_dirstate *d, double p, double burst)
{
	if (p >= 1.0)
		return true;
	if (p <= 0.0) {
		d->gilbert_bad = false;
		return false;
	}
	if (burst < 1.0)
		burst = 1.0;
	if (d->gilbert_bad) {
		if (wf_rand_uniform(m) < 1.0 / burst)
			d->gilbert_bad = false;
	} else {
		if (wf_rand_uniform(m) < p / (burst * (1.0 - p)))
			d->gilbert_bad = true;
	}
	return d->gilbert_bad;
}

/**
 * wf_input() - one frame enters the wire in direction @dir
 * @m:		the model
 * @dir:	WF_LR or WF_RL
 * @frame:	Ethernet frame
 * @len:	its length
 * @now:	current time, ns
 * @cb:		called for copies due at once (fast path, no queueing)
 * @arg:	its argument
 *
 * Return: the number of copies that were delivered or queued (0 = dropped).
 */
int wf_input(struct wf_model *m, enum wf_dir dir, const uint8_t *frame, size_t len,
	     uint64_t now, wf_out_cb cb, void *arg)
{
	struct wf_dirstate *d = &m->d[dir];
	double p, x;
	int copies = 1, i, sent = 0;

	d->c.in_frames++;
	d->c.in_bytes += len;
	if (!len || len > VDE_ETHBUFSIZE) {
		d->c.drop_invalid++;
		goto out;
	}
	if (set_in(m, WF_MTU, dir)) {
		x = draw(m, WF_MTU, dir);
		if (x > 0.0 && (double)len > x) {
			d->c.drop_mtu++;
			goto out;
		}
	}
	if (set_in(m, WF_LOSS, dir)) {
		p = draw(m, WF_LOSS, dir) / 100.0;
		if (set_in(m, WF_LOSTBURST, dir)) {
			if (gilbert_drop(m, d, p, draw(m, WF_LOSTBURST, dir))) {
				d->c.drop_loss++;
				goto out;
			}
		} else if (p > 0.0 && (p >= 1.0 || wf_rand_uniform(m) < p)) {
			d->c.drop_loss++;
			goto out;
		}
	}
	if (set_in(m, WF_DUP, dir)) {
		p = draw(m, WF_DUP, dir) / 100.0;
		if (p > 0.99)
			p = 0.99;
		while (copies < WF_DUP_MAX && wf_rand_uniform(m) < p)
			copies++;
		d->c.dup += (uint64_t)(copies - 1);
	}
	for (i = 0; i < copies; i++) {
		uint64_t t = now, at;
		long idx;
		struct wf_slot *s;

		if (set_in(m, WF_CHANBUF, dir)) {
			x = draw(m, WF_CHANBUF, dir);
			if (x > 0.0 && (double)(d->queued_bytes + len) > x) {
				d->c.drop_capacity++;
				continue;
			}
		}
		if (set_in(m, WF_SPEED, dir)) {
			x = draw(m, WF_SPEED, dir);
			if (x <= 0.0) {
				d->c.drop_rate++;
				continue;
			}
			t = line_xmit(&d->speed_free, t, x, len);
		}
		if (set_in(m, WF_BAND, dir)) {
			x = draw(m, WF_BAND, dir);
			if (x <= 0.0) {
				d->c.drop_rate++;
				continue;
			}
			t = line_xmit(&d->band_free, t, x, len);
		}
		if (set_in(m, WF_DELAY, dir)) {
			x = draw(m, WF_DELAY, dir);
			if (x > 0.0)
				t += (uint64_t)(x * 1e6 + 0.5);
		}
		at = t;
		if (m->fifo && at < d->last_sched)
			at = d->last_sched;
		if (at > d->last_sched)
			d->last_sched = at;
		if (at <= now && !d->nheap) {
			deliver(m, dir, frame, len, m->scratch, cb, arg);
			sent++;
			continue;
		}
		if (d->queued_bytes + len > WF_QUEUE_MAX_BYTES || (idx = slot_get(d, len)) < 0) {
			d->c.drop_overflow++;
			continue;
		}
		s = &d->slots[idx];
		memcpy(s->buf, frame, len);
		s->len = (uint32_t)len;
		s->at = at;
		s->seq = d->seq++;
		heap_push(d, (uint32_t)idx);
		d->queued_bytes += len;
		if (at > now)
			d->c.delayed++;
		sent++;
	}
out:
	return sent;
}

static void late_record(struct wf_dirstate *d, uint64_t late_ns)
{
	uint64_t us = late_ns / 1000;

	if (us >= WF_LATE_BUCKETS)
		us = WF_LATE_BUCKETS - 1;
	if (d->late_hist[us] < UINT32_MAX)
		d->late_hist[us]++;
	d->c.late_n++;
	if (late_ns > d->c.late_max_ns)
		d->c.late_max_ns = late_ns;
}

/**
 * wf_lateness_us() - how late queued frames left, against their scheduled time
 * @m:		the model
 * @dir:	direction
 * @q:		quantile, 0..1 (0.5 = median)
 *
 * The scheduled time is the drawn one (delay, jitter, bandwidth, speed);
 * this is the shell's timing error. 1 us resolution up to 4 ms.
 *
 * Return: microseconds (WF_LATE_BUCKETS - 1 means "that much or more"),
 * 0 when nothing was queued.
 */
uint64_t wf_lateness_us(const struct wf_model *m, enum wf_dir dir, double q)
{
	const struct wf_dirstate *d = &m->d[dir];
	uint64_t total = 0, want, acc = 0;
	size_t i;

	for (i = 0; i < WF_LATE_BUCKETS; i++)
		total += d->late_hist[i];
	if (!total)
		return 0;
	want = (uint64_t)(q * (double)total);
	if (want >= total)
		want = total - 1;
	for (i = 0; i < WF_LATE_BUCKETS; i++) {
		acc += d->late_hist[i];
		if (acc > want)
			break;
	}
	return i < WF_LATE_BUCKETS ? i : WF_LATE_BUCKETS - 1;
}

/**
 * wf_run() - deliver every frame due at @now and step the Markov chain
 * @m:		the model
 * @now:	current time, ns
 * @cb:		delivery callback
 * @arg:	its argument
 */
void wf_run(struct wf_model *m, uint64_t now, wf_out_cb cb, void *arg)
{
	unsigned steps = 0;
	int i;

	while (m->markov_next <= now) {
		if (m->nnodes > 1)
			markov_step(m);
		m->markov_next += (uint64_t)(m->markov_ms * 1e6);
		/* one node, or far behind (clock jump): resynchronise */
		if ((m->nnodes <= 1 || ++steps >= 1000) && m->markov_next <= now)
			m->markov_next = now + (uint64_t)(m->markov_ms * 1e6);
	}
	for (i = 0; i < WF_NDIRS; i++) {
		struct wf_dirstate *d = &m->d[i];

		while (d->nheap && d->slots[d->heap[0]].at <= now) {
			uint32_t idx = heap_pop(d);
			struct wf_slot *s = &d->slots[idx];

			d->queued_bytes -= s->len;
			d->freelist[d->nfree++] = idx;
			late_record(d, now - s->at);
			/* the slot stays intact until the next wf_input */
			deliver(m, (enum wf_dir)i, s->buf, s->len, s->buf, cb, arg);
		}
	}
}

/**
 * wf_next_event() - when wf_run() has something to do next
 * @m:	the model
 *
 * Return: time in ns (UINT64_MAX when nothing is pending).
 */
uint64_t wf_next_event(const struct wf_model *m)
{
	uint64_t t = m->nnodes > 1 ? m->markov_next : UINT64_MAX;
	int i;

	for (i = 0; i < WF_NDIRS; i++)
		if (m->d[i].nheap && m->d[i].slots[m->d[i].heap[0]].at < t)
			t = m->d[i].slots[m->d[i].heap[0]].at;
	return t;
}

/**
 * wf_input_ready_at() - interface back-pressure
 * @m:		the model
 * @dir:	direction
 *
 * The interface may run WF_SPEED_AHEAD_NS ahead of the clock, so the shell's
 * wake-up latency does not turn into lost throughput.
 *
 * Return: time before which the shell should not read input of @dir
 * (0 when speed is not set).
 */
uint64_t wf_input_ready_at(const struct wf_model *m, enum wf_dir dir)
{
	uint64_t t = m->d[dir].speed_free;

	if (!set_in(m, WF_SPEED, dir) || t <= WF_SPEED_AHEAD_NS)
		return 0;
	return t - WF_SPEED_AHEAD_NS;
}

/**
 * wf_queue_frames() - frames waiting in a direction's delay queue
 * @m:		the model
 * @dir:	direction
 *
 * Return: count.
 */
size_t wf_queue_frames(const struct wf_model *m, enum wf_dir dir)
{
	return m->d[dir].nheap;
}

/**
 * wf_queue_bytes() - bytes waiting in a direction's delay queue
 * @m:		the model
 * @dir:	direction
 *
 * Return: bytes.
 */
size_t wf_queue_bytes(const struct wf_model *m, enum wf_dir dir)
{
	return m->d[dir].queued_bytes;
}

/**
 * wf_model_counters() - what each impairment did in a direction
 * @m:		the model
 * @dir:	direction
 *
 * Return: the counters.
 */
const struct wf_counters *wf_model_counters(const struct wf_model *m, enum wf_dir dir)
{
	return &m->d[dir].c;
}

/**
 * wf_model_check() - verify the model's invariants (tests, fuzzing)
 * @m:	the model
 *
 * Return: 0 when consistent, else a line number identifying the violation.
 */
int wf_model_check(const struct wf_model *m)
{
	int n, f, i;
	uint32_t k;

	if (m->nnodes < 1 || m->nnodes > WF_MAX_NODES || m->cur < 0 || m->cur >= m->nnodes)
		return __LINE__;
	for (n = 0; n < m->nnodes; n++) {
		if (row_others(m, n) > 100.0 + 1e-6)
			return __LINE__;
		for (f = 0; f < WF_NFEAT; f++)
			for (i = 0; i < WF_NDIRS; i++)
				if (!value_ok((enum wf_feature)f, &m->nodes[n].v[f][i]))
					return __LINE__;
	}
	for (i = 0; i < WF_NDIRS; i++) {
		const struct wf_dirstate *d = &m->d[i];
		size_t bytes = 0;

		if (d->nheap + d->nfree != d->nslots)
			return __LINE__;
		for (k = 0; k < d->nheap; k++) {
			bytes += d->slots[d->heap[k]].len;
			if (k && slot_before(d, d->heap[k], d->heap[(k - 1) / 2]))
				return __LINE__;
		}
		if (bytes != d->queued_bytes)
			return __LINE__;
	}
	return 0;
}
