// SPDX-License-Identifier: GPL-2.0-or-later
/* switch/ipseen.c - iplog's pure core: watched ranges and addresses seen
 * (contract in ipseen.h)
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "ether.h"
#include "ipseen.h"

/**
 * ipseen_init() - an empty table with no range
 */
void ipseen_init(struct ipseen *t)
{
	memset(t, 0, sizeof(*t));
}

/**
 * ipseen_free() - free every range and entry (the table is empty after)
 */
void ipseen_free(struct ipseen *t)
{
	struct ipseen_range *r;
	struct ipseen_entry *e;
	size_t i;

	while ((r = t->ranges)) {
		t->ranges = r->next;
		free(r);
	}
	for (i = 0; i < IPSEEN_BUCKETS; i++)
		while ((e = t->b[i])) {
			t->b[i] = e->next;
			free(e);
		}
	t->n = 0;
}

/* Clear the bits of @a (@len bytes) beyond the first @bits. */
static void ipseen_mask(uint8_t *a, size_t len, unsigned bits)
{
	size_t i;

	for (i = 0; i < len; i++, bits = bits > 8 ? bits - 8 : 0)
		if (bits < 8)
			a[i] &= (uint8_t)(0xff00U >> bits);
}

/**
 * ipseen_parse() - see ipseen.h
 */
int ipseen_parse(const char *s, struct ipseen_range *r)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash, *errstr;
	struct in_addr a4;
	size_t n;
	long long bits = -1;

	memset(r, 0, sizeof(*r));
	slash = strrchr(s, '/');
	n = slash ? (size_t)(slash - s) : strlen(s);
	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_aton(buf, &a4)) {
		r->len = 4;
		memcpy(r->addr, &a4, 4);
	} else if (inet_pton(AF_INET6, buf, r->addr) == 1) {
		r->len = 16;
	} else {
		return -1;
	}
	if (slash) {
		bits = parse_num(slash + 1, 0, r->len * 8, &errstr);
		if (errstr)
			return -1;
	}
	r->bits = (uint8_t)(bits < 0 ? r->len * 8 : bits);
	ipseen_mask(r->addr, r->len, r->bits);
	return 0;
}

static bool ipseen_range_eq(const struct ipseen_range *a, const struct ipseen_range *b)
{
	return a->len == b->len && a->bits == b->bits && !memcmp(a->addr, b->addr, a->len);
}

/**
 * ipseen_range_add() - watch range @r (appended). 0, EEXIST or ENOMEM.
 */
int ipseen_range_add(struct ipseen *t, const struct ipseen_range *r)
{
	struct ipseen_range **link, *nr;

	for (link = &t->ranges; *link; link = &(*link)->next)
		if (ipseen_range_eq(*link, r))
			return EEXIST;
	nr = malloc(sizeof(*nr));
	if (!nr)
		return ENOMEM;
	*nr = *r;
	nr->next = NULL;
	*link = nr;
	return 0;
}

/**
 * ipseen_range_del() - stop watching range @r. 0 or ENOENT.
 */
int ipseen_range_del(struct ipseen *t, const struct ipseen_range *r)
{
	struct ipseen_range **link, *old;

	for (link = &t->ranges; *link; link = &(*link)->next)
		if (ipseen_range_eq(*link, r)) {
			old = *link;
			*link = old->next;
			free(old);
			return 0;
		}
	return ENOENT;
}

static bool ipseen_in_range(const struct ipseen *t, const uint8_t *addr, size_t len)
{
	const struct ipseen_range *r;
	uint8_t a[16];

	for (r = t->ranges; r; r = r->next) {
		if (r->len != len)
			continue;
		memcpy(a, addr, len);
		ipseen_mask(a, len, r->bits);
		if (!memcmp(a, r->addr, len))
			return true;
	}
	return false;
}

/**
 * ipseen_classify() - see ipseen.h
 */
void ipseen_classify(const struct ipseen *t, const uint8_t *frame, size_t flen,
		     struct ipseen_frame *f)
{
	const uint8_t *addr;
	size_t alen;

	memset(f, 0, sizeof(*f));
	if (!t->ranges || flen < ETH_HDRLEN)
		return;
	f->mac = frame + 6;
	addr = eth_ip_source(frame, flen, &f->vlan, &alen);
	if (addr && ipseen_in_range(t, addr, alen)) {
		f->len = (uint8_t)alen;
		f->addr = addr;
	}
}

/* The bucket of an address: a weighted byte sum with the primes 1, 2, 3,
 * 5, 7, ..., 47 (IPv4 uses the first four), as VDE 2's iplog, so that
 * iplog/iplist lists addresses in the same order. */
static size_t ipseen_bucket(const uint8_t *addr, size_t len)
{
	static const unsigned w[16] = { 1, 2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37,
					41, 43, 47 };
	unsigned sum = 0;
	size_t i;

	for (i = 0; i < len; i++)
		sum += w[i] * addr[i];
	return sum % IPSEEN_BUCKETS;
}

/**
 * ipseen_update() - see ipseen.h
 */
const struct ipseen_entry *ipseen_update(struct ipseen *t, const struct ipseen_frame *f,
					 unsigned port, uint64_t now)
{
	struct ipseen_entry *e;
	size_t k;

	if (f->len != 4 && f->len != 16)
		return NULL;
	k = ipseen_bucket(f->addr, f->len);
	for (e = t->b[k]; e; e = e->next)
		if (e->len == f->len && e->vlan == f->vlan && !memcmp(e->addr, f->addr, f->len))
			break;
	if (!e) {
		if (t->n >= IPSEEN_MAX || !(e = calloc(1, sizeof(*e)))) {
			t->full++;
			return NULL;
		}
		e->len = f->len;
		memcpy(e->addr, f->addr, f->len);
		e->vlan = f->vlan;
		e->port = ~0U;		/* so the first sighting is logged */
		e->next = t->b[k];
		t->b[k] = e;
		t->n++;
	}
	e->last_seen = now;
	if (e->port == port && !memcmp(e->mac, f->mac, 6))
		return NULL;
	e->port = port;
	memcpy(e->mac, f->mac, 6);
	return e;
}

/**
 * ipseen_lookup() - see ipseen.h
 */
const struct ipseen_entry *ipseen_lookup(const struct ipseen *t, const uint8_t *addr,
					 size_t len)
{
	const struct ipseen_entry *e;

	if (len != 4 && len != 16)
		return NULL;
	for (e = t->b[ipseen_bucket(addr, len)]; e; e = e->next)
		if (e->len == len && !memcmp(e->addr, addr, len))
			return e;
	return NULL;
}

/* Forget the entries @drop() selects. */
static void ipseen_sweep(struct ipseen *t, bool (*drop)(const struct ipseen_entry *e,
							 uint64_t arg), uint64_t arg)
{
	struct ipseen_entry **link, *e;
	size_t i;

	for (i = 0; i < IPSEEN_BUCKETS; i++)
		for (link = &t->b[i]; (e = *link);) {
			if (drop(e, arg)) {
				*link = e->next;
				free(e);
				t->n--;
			} else {
				link = &e->next;
			}
		}
}

static bool ipseen_old(const struct ipseen_entry *e, uint64_t oldest)
{
	return e->last_seen <= oldest;
}

static bool ipseen_on_port(const struct ipseen_entry *e, uint64_t port)
{
	return e->port == port;
}

/**
 * ipseen_expire() - see ipseen.h
 */
void ipseen_expire(struct ipseen *t, uint64_t oldest)
{
	ipseen_sweep(t, ipseen_old, oldest);
}

/**
 * ipseen_port_gone() - see ipseen.h
 */
void ipseen_port_gone(struct ipseen *t, unsigned port)
{
	ipseen_sweep(t, ipseen_on_port, port);
}
