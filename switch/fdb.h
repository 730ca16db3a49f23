/* SPDX-License-Identifier: GPL-2.0-or-later */
/* switch/fdb.h - the switch's MAC table (forwarding database), pure
 *
 * Keyed on (MAC, VLAN). Entries live in one preallocated pool (no
 * allocation per frame); buckets are chained through pool indices. Time
 * is injected (nanoseconds of any monotonic clock), so tests drive it.
 */
#ifndef VDEKIT_SWITCH_FDB_H
#define VDEKIT_SWITCH_FDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDB_NSEC		1000000000ULL
#define FDB_DEF_HASHSIZE	128
#define FDB_DEF_CAPACITY	16384
#define FDB_DEF_EXPIRE		(100 * FDB_NSEC)
#define FDB_DEF_MINPER		(3 * FDB_NSEC)
#define FDB_DEF_GCINT		(2 * FDB_NSEC)
#define FDB_NONE		UINT32_MAX

struct fdb_entry {
	uint8_t mac[6];
	uint16_t vlan;
	uint32_t port;
	uint32_t next;			/* bucket chain / free list */
	uint64_t last_seen;
};

enum fdb_event { FDB_EV_ADD, FDB_EV_DEL, FDB_EV_MOVE };
typedef void (*fdb_event_cb)(void *arg, enum fdb_event ev, const struct fdb_entry *e,
			     uint32_t old_port);

struct fdb {
	uint32_t *bucket;		/* nbuckets heads */
	size_t nbuckets;		/* power of 2 */
	struct fdb_entry *pool;
	size_t capacity, count;
	uint32_t free_head;
	uint64_t expire, minper;	/* ns */
	uint64_t full_drops;		/* learn attempts refused: table full */
	uint64_t flaps;			/* moves refused by min persistence */
	fdb_event_cb cb;		/* may be NULL */
	void *cb_arg;
};

enum fdb_learn_result {
	FDB_LEARN_NEW,
	FDB_LEARN_REFRESH,
	FDB_LEARN_MOVED,
	FDB_LEARN_KEPT,			/* anti-flap: moved too soon, ignored */
	FDB_LEARN_FULL,
	FDB_LEARN_MULTICAST,		/* multicast source: never learned */
};

/**
 * fdb_init() - set up an empty table
 * @hashsize: buckets, rounded up to a power of 2 (>= 1)
 * @capacity: maximum number of entries (>= 1)
 * Return: 0, or -1 with errno (ENOMEM, EINVAL).
 */
int fdb_init(struct fdb *f, size_t hashsize, size_t capacity);
void fdb_free(struct fdb *f);

/* fdb_roundup() - the power of 2 fdb_init() uses for @n (0 for bad @n). */
size_t fdb_roundup(size_t n);

/* fdb_resize() - flush and change the number of buckets; 0 or -1/errno. */
int fdb_resize(struct fdb *f, size_t hashsize);

/* fdb_learn() - the source of a frame was seen on @port at @now. */
enum fdb_learn_result fdb_learn(struct fdb *f, const uint8_t mac[6], uint16_t vlan,
				uint32_t port, uint64_t now);

/* fdb_lookup() - port of (@mac, @vlan), or FDB_NONE. Expired entries are
 * removed on sight, so expiry is exact even between sweeps. */
uint32_t fdb_lookup(struct fdb *f, const uint8_t mac[6], uint16_t vlan, uint64_t now);

/* fdb_touch() - (@mac, @vlan) seen on @port at @now if it is learnt
 * there and not expired: true. Never adds, moves or removes an entry, so
 * it raises no event (a caller may be walking a list the events change). */
bool fdb_touch(struct fdb *f, const uint8_t mac[6], uint16_t vlan, uint32_t port, uint64_t now);

/* fdb_find() - entry of (@mac, @vlan) without side effects, or NULL. */
const struct fdb_entry *fdb_find(const struct fdb *f, const uint8_t mac[6], uint16_t vlan);

/* fdb_expire() - remove every entry idle for more than the expire time. */
void fdb_expire(struct fdb *f, uint64_t now);

void fdb_flush_port(struct fdb *f, uint32_t port);
void fdb_flush_vlan(struct fdb *f, uint16_t vlan);
void fdb_flush(struct fdb *f);

/* fdb_foreach() - call @fn for each entry with its bucket index. */
void fdb_foreach(const struct fdb *f,
		 void (*fn)(void *arg, size_t bucket, const struct fdb_entry *e), void *arg);

#endif
