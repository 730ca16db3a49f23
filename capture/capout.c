// SPDX-License-Identifier: GPL-2.0-or-later
/* capture/capout.c - buffered capture output that never blocks the capturer
 *
 * Theory of operation. One byte ring, one producer (the capturing loop),
 * one consumer (the writer thread). Records are 8-byte aligned: a header
 * {u32 length, u32 kind} then the encoded block. A record never wraps: when
 * it does not fit before the end of the ring, a SKIP record fills the end
 * and the record starts at offset 0. The producer encodes under the mutex
 * (a memcpy of one frame); the writer takes a snapshot of [tail, head),
 * writes it with writev() outside the mutex, then advances tail. Only the
 * writer touches the file: it writes the file header, keeps a copy of
 * every interface block (IDB records) so that each rotated file starts
 * with the header and all interfaces, and decides rotation before each
 * frame (the file already exceeds -C bytes: tcpdump's rule). The producer
 * wakes the writer only when a quarter of the ring is used; otherwise the
 * writer looks every WRITE_DELAY_NS, so a frame costs no thread wake-up
 * (records reach the file at most 5 ms late). A pipe or
 * socket on stdout is made non-blocking so the writer can give up at close
 * (bounded drain); its flags are restored at close.
 */
#include "config.h"

#include "capout.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

enum rec_kind { REC_DATA, REC_IDB, REC_META, REC_SKIP };

#define REC_HDR		8
#define IOV_BATCH	64
#define POLL_MS		100
#define WRITE_DELAY_NS	(5 * 1000000L)	/* writer wake-up period while data waits */
#define APPL		"vdecapture (" PACKAGE_NAME " " PACKAGE_VERSION ")"

struct capout {
	struct capout_cfg cfg;
	char *path;
	int fd;
	int fd_flags;			/* stdout's original flags, -1 = untouched */
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;		/* writer: data or closing */
	pthread_cond_t cv_done;		/* closer: writer finished */
	uint8_t *ring;
	size_t size;
	uint64_t head, tail;		/* byte counters; position = counter % size */
	bool waiting, closing, abort, done, failed;
	int error;
	uint32_t nifs;
	struct capout_stats st;
	/* writer-owned */
	uint8_t hdr[128];
	size_t hdrlen;
	uint8_t *ifs;			/* every IDB so far, for rotated files */
	size_t ifslen;
	uint64_t cur;			/* bytes in the current file */
	unsigned idx;			/* current file number */
};

static size_t pad8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

static void rec_put(uint8_t *p, uint32_t len, uint32_t kind)
{
	memcpy(p, &len, 4);
	memcpy(p + 4, &kind, 4);
}

static void rec_get(const uint8_t *p, uint32_t *len, uint32_t *kind)
{
	memcpy(len, p, 4);
	memcpy(kind, p + 4, 4);
}

/* --- writer thread ------------------------------------------------------- */

static bool aborted(struct capout *o)
{
	return __atomic_load_n(&o->abort, __ATOMIC_ACQUIRE);
}

/* Write all of @iov; EAGAIN waits for POLLOUT unless aborted. 0 or errno. */
static int write_iov(struct capout *o, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t w = writev(o->fd, iov, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			struct pollfd pfd = { .fd = o->fd, .events = POLLOUT };

			if (aborted(o))
				return ETIMEDOUT;
			poll(&pfd, 1, POLL_MS);
			continue;
		}
		if (w < 0)
			return errno;
		if (w == 0)
			return EIO;
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (uint8_t *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

/* Header and every interface so far at the start of the current file. */
static int file_start(struct capout *o)
{
	struct iovec iov[2] = {
		{ .iov_base = o->hdr, .iov_len = o->hdrlen },
		{ .iov_base = o->ifs, .iov_len = o->ifslen },
	};

	o->cur = o->hdrlen + o->ifslen;
	return write_iov(o, iov, o->ifslen ? 2 : 1);
}

static int file_next(struct capout *o)
{
	char name[4096];
	int fd;

	o->idx++;
	if (o->cfg.nfiles && o->idx >= o->cfg.nfiles)
		o->idx = 0;
	if (pcapw_file_name(name, sizeof(name), o->path, o->idx, o->cfg.nfiles))
		return ENAMETOOLONG;
	fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno;
	close(o->fd);
	o->fd = fd;
	__atomic_add_fetch(&o->st.files, 1, __ATOMIC_RELAXED);
	return file_start(o);
}

static int keep_idb(struct capout *o, const uint8_t *b, size_t len)
{
	uint8_t *n = realloc(o->ifs, o->ifslen + len);

	if (!n)
		return ENOMEM;
	memcpy(n + o->ifslen, b, len);
	o->ifs = n;
	o->ifslen += len;
	return 0;
}

/* Write the records in [t, h); returns the new tail (up to the first
 * record not written) and sets *err. */
static uint64_t write_span(struct capout *o, uint64_t t, uint64_t h, int *err)
{
	struct iovec iov[IOV_BATCH];
	uint64_t done = t, pos = t;
	int n = 0;

	*err = 0;
	while (pos < h && !*err) {
		uint8_t *p = o->ring + pos % o->size;
		uint32_t len, kind;

		rec_get(p, &len, &kind);
		if (kind == REC_DATA && o->cfg.file_size && o->cur > o->cfg.file_size) {
			*err = write_iov(o, iov, n);
			n = 0;
			if (!*err)
				done = pos;
			if (!*err)
				*err = file_next(o);
			if (*err)
				break;
		}
		if (kind == REC_IDB)
			*err = keep_idb(o, p + REC_HDR, len);
		if (kind != REC_SKIP && !*err) {
			iov[n].iov_base = p + REC_HDR;
			iov[n].iov_len = len;
			n++;
			o->cur += len;
		}
		pos += REC_HDR + pad8(len);
		if (n == IOV_BATCH || pos >= h) {
			if (!*err)
				*err = write_iov(o, iov, n);
			n = 0;
			if (!*err)
				done = pos;
		}
	}
	return done;
}

/* DATA records in [t, h) (under the mutex). */
static uint64_t count_data(struct capout *o, uint64_t t, uint64_t h)
{
	uint64_t n = 0;

	while (t < h) {
		uint32_t len, kind;

		rec_get(o->ring + t % o->size, &len, &kind);
		n += kind == REC_DATA;
		t += REC_HDR + pad8(len);
	}
	return n;
}

static void *writer(void *arg)
{
	struct capout *o = arg;
	int err = file_start(o);

	pthread_mutex_lock(&o->mu);
	while (!err) {
		uint64_t t, h;

		while (o->head == o->tail && !o->closing && !o->abort) {
			o->waiting = true;
			pthread_cond_wait(&o->cv, &o->mu);
			o->waiting = false;
		}
		/* a little data: let more come (one write, no wake-up per frame) */
		if (!o->closing && !o->abort && o->head - o->tail < o->size / 4) {
			struct timespec dl;

			clock_gettime(CLOCK_MONOTONIC, &dl);
			dl.tv_nsec += WRITE_DELAY_NS;
			if (dl.tv_nsec >= 1000000000L) {
				dl.tv_sec++;
				dl.tv_nsec -= 1000000000L;
			}
			o->waiting = true;
			pthread_cond_timedwait(&o->cv, &o->mu, &dl);
			o->waiting = false;
		}
		if (o->abort || o->head == o->tail)
			break;
		t = o->tail;
		h = o->head;
		pthread_mutex_unlock(&o->mu);
		t = write_span(o, t, h, &err);
		pthread_mutex_lock(&o->mu);
		o->tail = t;
	}
	if (err) {
		o->failed = true;
		o->error = err;
	}
	o->st.lost += count_data(o, o->tail, o->head);
	o->tail = o->head;
	o->done = true;
	pthread_cond_broadcast(&o->cv_done);
	pthread_mutex_unlock(&o->mu);
	return NULL;
}

/* --- producer side -------------------------------------------------------- */

/* Reserve a record of @len bytes (under the mutex); NULL if no room. */
static uint8_t *reserve(struct capout *o, size_t len, enum rec_kind kind)
{
	size_t need = REC_HDR + pad8(len), pos = (size_t)(o->head % o->size);
	size_t to_end = o->size - pos, total = to_end < need ? to_end + need : need;
	uint8_t *p;

	if (o->failed || o->done || need > o->size || len > UINT32_MAX ||
	    o->size - (size_t)(o->head - o->tail) < total)
		return NULL;
	if (to_end < need) {
		rec_put(o->ring + pos, (uint32_t)(to_end - REC_HDR), REC_SKIP);
		o->head += to_end;
		pos = 0;
	}
	p = o->ring + pos;
	rec_put(p, (uint32_t)len, kind);
	return p + REC_HDR;
}

/* The writer is woken for the first record after an idle time, and when
 * a quarter of the ring is used; in between it wakes up by itself. */
static void commit(struct capout *o, size_t len)
{
	bool was_empty = o->head == o->tail;

	o->head += REC_HDR + pad8(len);
	if (o->waiting && (was_empty || o->head - o->tail >= o->size / 4))
		pthread_cond_signal(&o->cv);
}

bool capout_frame(struct capout *o, const struct pcapw_pkt *p)
{
	size_t len = pcapw_record(o->cfg.fmt, o->cfg.snaplen, p, NULL, 0);
	uint8_t *b;
	bool ok = false;

	pthread_mutex_lock(&o->mu);
	b = len ? reserve(o, len, REC_DATA) : NULL;
	if (b && pcapw_record(o->cfg.fmt, o->cfg.snaplen, p, b, len) == len) {
		size_t cap = o->cfg.snaplen && p->len > o->cfg.snaplen ? o->cfg.snaplen : p->len;

		commit(o, len);
		o->st.frames++;
		o->st.bytes += cap;
		ok = true;
	} else {
		o->st.dropped++;
	}
	pthread_mutex_unlock(&o->mu);
	return ok;
}

long capout_add_if(struct capout *o, const char *name, const char *descr)
{
	size_t len;
	uint8_t *b;
	long id = -1;

	if (o->cfg.fmt != PCAPW_PCAPNG)
		return 0;
	len = pcapw_idb(o->cfg.snaplen, name, descr, NULL, 0);
	pthread_mutex_lock(&o->mu);
	b = len ? reserve(o, len, REC_IDB) : NULL;
	if (b && pcapw_idb(o->cfg.snaplen, name, descr, b, len) == len) {
		commit(o, len);
		id = (long)o->nifs++;
	}
	pthread_mutex_unlock(&o->mu);
	return id;
}

void capout_isb(struct capout *o, uint32_t ifid, uint64_t recv, uint64_t drops)
{
	struct timespec ts;
	size_t len;
	uint8_t *b;

	if (o->cfg.fmt != PCAPW_PCAPNG || ifid >= o->nifs)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	len = pcapw_isb(ifid, (uint64_t)ts.tv_sec * 1000000000U + (uint64_t)ts.tv_nsec,
			recv, drops, NULL, 0);
	pthread_mutex_lock(&o->mu);
	b = reserve(o, len, REC_META);
	if (b) {
		pcapw_isb(ifid, (uint64_t)ts.tv_sec * 1000000000U + (uint64_t)ts.tv_nsec,
			  recv, drops, b, len);
		commit(o, len);
	}
	pthread_mutex_unlock(&o->mu);
}

void capout_stats(struct capout *o, struct capout_stats *st)
{
	pthread_mutex_lock(&o->mu);
	*st = o->st;
	st->files = __atomic_load_n(&o->st.files, __ATOMIC_RELAXED);
	st->error = o->error;
	pthread_mutex_unlock(&o->mu);
}

bool capout_failed(struct capout *o)
{
	bool f;

	pthread_mutex_lock(&o->mu);
	f = o->failed;
	pthread_mutex_unlock(&o->mu);
	return f;
}

/* --- open / close -------------------------------------------------------- */

static void capout_free(struct capout *o)
{
	if (o->fd_flags >= 0)
		fcntl(STDOUT_FILENO, F_SETFL, o->fd_flags);
	if (o->fd == STDOUT_FILENO) {
		/* the reader sees the end; fd 1 stays valid (/dev/null) so
		 * that no later socket takes its number */
		int nul = open("/dev/null", O_WRONLY | O_CLOEXEC);

		if (nul < 0 || dup2(nul, STDOUT_FILENO) < 0)
			close(STDOUT_FILENO);
		if (nul >= 0)
			close(nul);
	} else if (o->fd >= 0) {
		close(o->fd);
	}
	pthread_mutex_destroy(&o->mu);
	pthread_cond_destroy(&o->cv);
	pthread_cond_destroy(&o->cv_done);
	free(o->ring);
	free(o->ifs);
	free(o->path);
	free(o);
}

struct capout *capout_open(const struct capout_cfg *cfg, char *err, size_t errlen)
{
	struct capout *o = calloc(1, sizeof(*o));
	char name[4096];
	pthread_condattr_t ca;
	sigset_t all, old;
	struct stat st;
	int r;

	if (!o) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	o->cfg = *cfg;
	o->fd = -1;
	o->fd_flags = -1;
	o->size = pad8(cfg->bufsize < 65536 ? 65536 : cfg->bufsize);
	o->ring = malloc(o->size);
	o->path = strdup(cfg->path);
	pthread_mutex_init(&o->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&o->cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&o->cv_done, NULL);
	if (!o->ring || !o->path) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	o->hdrlen = pcapw_header(cfg->fmt, cfg->snaplen ? cfg->snaplen : PCAPW_SNAPLEN_DEFAULT,
				 APPL, o->hdr, sizeof(o->hdr));
	if (!o->hdrlen || o->hdrlen > sizeof(o->hdr)) {
		snprintf(err, errlen, "cannot encode the file header");
		goto fail;
	}
	if (!strcmp(cfg->path, "-")) {
		o->fd = STDOUT_FILENO;
		if (!fstat(o->fd, &st) && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) {
			o->fd_flags = fcntl(o->fd, F_GETFL);
			if (o->fd_flags >= 0 && fcntl(o->fd, F_SETFL, o->fd_flags | O_NONBLOCK) < 0)
				o->fd_flags = -1;
		}
	} else {
		if (pcapw_file_name(name, sizeof(name), cfg->path, 0, cfg->nfiles)) {
			snprintf(err, errlen, "%s: file name too long", cfg->path);
			goto fail;
		}
		o->fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (o->fd < 0) {
			snprintf(err, errlen, "%s: %s", name, strerror(errno));
			goto fail;
		}
	}
	o->st.files = 1;
	/* the writer never takes signals: they belong to the loop's signalfd */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&o->th, NULL, writer, o);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r) {
		snprintf(err, errlen, "writer thread: %s", strerror(r));
		goto fail;
	}
	return o;
fail:
	capout_free(o);
	return NULL;
}

void capout_close(struct capout *o, struct capout_stats *st)
{
	struct timespec dl;

	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += o->cfg.drain_ms / 1000;
	dl.tv_nsec += (long)(o->cfg.drain_ms % 1000) * 1000000L;
	if (dl.tv_nsec >= 1000000000L) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&o->mu);
	o->closing = true;
	pthread_cond_signal(&o->cv);
	while (!o->done && pthread_cond_timedwait(&o->cv_done, &o->mu, &dl) != ETIMEDOUT)
		;
	if (!o->done) {
		__atomic_store_n(&o->abort, true, __ATOMIC_RELEASE);
		pthread_cond_signal(&o->cv);
	}
	pthread_mutex_unlock(&o->mu);
	pthread_join(o->th, NULL);
	capout_stats(o, st);
	capout_free(o);
}
