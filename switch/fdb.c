// SPDX-License-Identifier: GPL-2.0-or-later
/* switch/fdb.c - the switch's MAC table (forwarding database)
 *
 * Theory of operation: an entry is created the first time a unicast source
 * (MAC, VLAN) is seen and refreshed each time it is seen again on the same
 * port. Seen on another port, it moves only if it was idle for more than
 * min_persistence (anti-flap: a looping or spoofed frame cannot steal a
 * busy station); otherwise the old port is kept and not refreshed. Entries
 * idle for more than expire are removed by fdb_expire() (run from a timer,
 * so aging happens without traffic) and ignored by fdb_lookup() in between.
 * The pool is fixed: when it is full new stations are not learned (their
 * frames are flooded) and the refusal is counted.
 */
#include "config.h"

#include "fdb.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

size_t fdb_roundup(size_t n)
{
	size_t p = 1;

	if (n == 0 || n > (SIZE_MAX >> 2))
		return 0;
	while (p < n)
		p <<= 1;
	return p;
}

static size_t fdb_hash(const struct fdb *f, const uint8_t mac[6], uint16_t vlan)
{
	uint64_t k = (uint64_t)mac[0] << 40 | (uint64_t)mac[1] << 32 | (uint64_t)mac[2] << 24 |
		     (uint64_t)mac[3] << 16 | (uint64_t)mac[4] << 8 | mac[5];

	k ^= (uint64_t)vlan << 48;
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return (size_t)k & (f->nbuckets - 1);
}

static void fdb_reset_pool(struct fdb *f)
{
	size_t i;

	for (i = 0; i < f->nbuckets; i++)
		f->bucket[i] = FDB_NONE;
	for (i = 0; i < f->capacity; i++)
		f->pool[i].next = i + 1 < f->capacity ? (uint32_t)(i + 1) : FDB_NONE;
	f->free_head = 0;
	f->count = 0;
}

int fdb_init(struct fdb *f, size_t hashsize, size_t capacity)
{
	size_t nb = fdb_roundup(hashsize);
	int ret = -1;

	memset(f, 0, sizeof(*f));
	if (!nb || capacity == 0 || capacity >= FDB_NONE) {
		errno = EINVAL;
		goto out;
	}
	f->bucket = calloc(nb, sizeof(*f->bucket));
	f->pool = calloc(capacity, sizeof(*f->pool));
	if (!f->bucket || !f->pool) {
		free(f->bucket);
		free(f->pool);
		f->bucket = NULL;
		f->pool = NULL;
		errno = ENOMEM;
		goto out;
	}
	f->nbuckets = nb;
	f->capacity = capacity;
	f->expire = FDB_DEF_EXPIRE;
	f->minper = FDB_DEF_MINPER;
	fdb_reset_pool(f);
	ret = 0;
out:
	return ret;
}

void fdb_free(struct fdb *f)
{
	free(f->bucket);
	free(f->pool);
	f->bucket = NULL;
	f->pool = NULL;
	f->nbuckets = f->capacity = f->count = 0;
}

/* Unlink entry @i whose predecessor link is *@link. */
static void fdb_remove_at(struct fdb *f, uint32_t *link, uint32_t i)
{
	struct fdb_entry *e = &f->pool[i];

	*link = e->next;
	if (f->cb)
		f->cb(f->cb_arg, FDB_EV_DEL, e, e->port);
	e->next = f->free_head;
	f->free_head = i;
	f->count--;
}

static bool fdb_expired(const struct fdb *f, const struct fdb_entry *e, uint64_t now)
{
	return now > e->last_seen && now - e->last_seen > f->expire;
}

/* Find (@mac, @vlan); on success *@plink is the link pointing at it. */
static uint32_t fdb_locate(const struct fdb *f, const uint8_t mac[6], uint16_t vlan,
			   uint32_t **plink)
{
	uint32_t *link = &f->bucket[fdb_hash(f, mac, vlan)];

	while (*link != FDB_NONE) {
		const struct fdb_entry *e = &f->pool[*link];

		if (e->vlan == vlan && !memcmp(e->mac, mac, 6))
			break;
		link = &f->pool[*link].next;
	}
	*plink = link;
	return *link;
}

int fdb_resize(struct fdb *f, size_t hashsize)
{
	size_t nb = fdb_roundup(hashsize);
	uint32_t *b;
	int ret = -1;

	if (!nb) {
		errno = EINVAL;
		goto out;
	}
	fdb_flush(f);
	b = calloc(nb, sizeof(*b));
	if (!b) {
		errno = ENOMEM;
		goto out;
	}
	free(f->bucket);
	f->bucket = b;
	f->nbuckets = nb;
	fdb_reset_pool(f);
	ret = 0;
out:
	return ret;
}

enum fdb_learn_result fdb_learn(struct fdb *f, const uint8_t mac[6], uint16_t vlan,
				uint32_t port, uint64_t now)
{
	enum fdb_learn_result ret;
	uint32_t *link, i;
	struct fdb_entry *e;

	if (mac[0] & 1) {
		ret = FDB_LEARN_MULTICAST;
		goto out;
	}
	i = fdb_locate(f, mac, vlan, &link);
	if (i != FDB_NONE && fdb_expired(f, &f->pool[i], now)) {
		fdb_remove_at(f, link, i);
		i = FDB_NONE;
	}
	if (i != FDB_NONE) {
		e = &f->pool[i];
		if (e->port == port) {
			e->last_seen = now;
			ret = FDB_LEARN_REFRESH;
		} else if (now > e->last_seen && now - e->last_seen > f->minper) {
			uint32_t old = e->port;

			e->port = port;
			e->last_seen = now;
			if (f->cb)
				f->cb(f->cb_arg, FDB_EV_MOVE, e, old);
			ret = FDB_LEARN_MOVED;
		} else {
			f->flaps++;
			ret = FDB_LEARN_KEPT;
		}
		goto out;
	}
	if (f->free_head == FDB_NONE) {
		f->full_drops++;
		ret = FDB_LEARN_FULL;
		goto out;
	}
	i = f->free_head;
	e = &f->pool[i];
	f->free_head = e->next;
	memcpy(e->mac, mac, 6);
	e->vlan = vlan;
	e->port = port;
	e->last_seen = now;
	link = &f->bucket[fdb_hash(f, mac, vlan)];
	e->next = *link;
	*link = i;
	f->count++;
	if (f->cb)
		f->cb(f->cb_arg, FDB_EV_ADD, e, port);
	ret = FDB_LEARN_NEW;
out:
	return ret;
}

bool fdb_touch(struct fdb *f, const uint8_t mac[6], uint16_t vlan, uint32_t port, uint64_t now)
{
	uint32_t *link, i = fdb_locate(f, mac, vlan, &link);
	struct fdb_entry *e;

	if (i == FDB_NONE)
		return false;
	e = &f->pool[i];
	if (e->port != port || fdb_expired(f, e, now))
		return false;
	if (now > e->last_seen)
		e->last_seen = now;
	return true;
}

uint32_t fdb_lookup(struct fdb *f, const uint8_t mac[6], uint16_t vlan, uint64_t now)
{
	uint32_t *link, i, ret = FDB_NONE;

	i = fdb_locate(f, mac, vlan, &link);
	if (i == FDB_NONE)
		goto out;
	if (fdb_expired(f, &f->pool[i], now)) {
		fdb_remove_at(f, link, i);
		goto out;
	}
	ret = f->pool[i].port;
out:
	return ret;
}

const struct fdb_entry *fdb_find(const struct fdb *f, const uint8_t mac[6], uint16_t vlan)
{
	uint32_t *link, i = fdb_locate(f, mac, vlan, &link);

	return i == FDB_NONE ? NULL : &f->pool[i];
}

/* Remove every entry for which @match returns true. */
static void fdb_sweep(struct fdb *f, bool (*match)(const struct fdb *f,
						    const struct fdb_entry *e, uint64_t k),
		      uint64_t k)
{
	size_t b;

	for (b = 0; b < f->nbuckets; b++) {
		uint32_t *link = &f->bucket[b];

		while (*link != FDB_NONE) {
			if (match(f, &f->pool[*link], k))
				fdb_remove_at(f, link, *link);
			else
				link = &f->pool[*link].next;
		}
	}
}

static bool match_expired(const struct fdb *f, const struct fdb_entry *e, uint64_t now)
{
	return fdb_expired(f, e, now);
}

static bool match_port(const struct fdb *f, const struct fdb_entry *e, uint64_t port)
{
	return e->port == port;
}

static bool match_vlan(const struct fdb *f, const struct fdb_entry *e, uint64_t vlan)
{
	return e->vlan == vlan;
}

static bool match_all(const struct fdb *f, const struct fdb_entry *e, uint64_t unused)
{
	return true;
}

void fdb_expire(struct fdb *f, uint64_t now)
{
	if (f->count)
		fdb_sweep(f, match_expired, now);
}

void fdb_flush_port(struct fdb *f, uint32_t port)
{
	if (f->count)
		fdb_sweep(f, match_port, port);
}

void fdb_flush_vlan(struct fdb *f, uint16_t vlan)
{
	if (f->count)
		fdb_sweep(f, match_vlan, vlan);
}

void fdb_flush(struct fdb *f)
{
	if (f->count)
		fdb_sweep(f, match_all, 0);
}

void fdb_foreach(const struct fdb *f,
		 void (*fn)(void *arg, size_t bucket, const struct fdb_entry *e), void *arg)
{
	size_t b;
	uint32_t i;

	for (b = 0; b < f->nbuckets; b++)
		for (i = f->bucket[b]; i != FDB_NONE; i = f->pool[i].next)
			fn(arg, b, &f->pool[i]);
}
