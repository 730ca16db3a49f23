/* SPDX-License-Identifier: GPL-2.0-or-later */
/* switch/ipseen.h - the pure core of iplog: watched address ranges and the
 * table of source addresses seen, by port, VLAN and MAC
 *
 * No I/O, no clock (times are arguments, in seconds), no name lookups.
 * iplog.c (the console commands and the log file) wires it to the switch.
 *
 * Ranges: IPv4 and IPv6 prefixes in the order they were added, each one
 * stored with its host bits cleared. Table: IPSEEN_BUCKETS hash buckets,
 * each a list with the newest entry first; an entry is keyed by address
 * and VLAN and remembers the port, the source MAC and when it was last
 * seen. iplog/iplist walks the buckets in order, so the listing order is
 * the order VDE 2's iplog plugin prints (same bucket function).
 */
#ifndef VDEKIT_SWITCH_IPSEEN_H
#define VDEKIT_SWITCH_IPSEEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IPSEEN_BUCKETS	1024
#define IPSEEN_MAX	65536		/* entries; beyond, new addresses are not kept */

struct ipseen_range {
	struct ipseen_range *next;
	uint8_t len;			/* 4 or 16 */
	uint8_t bits;			/* prefix length */
	uint8_t addr[16];		/* host bits cleared */
};

struct ipseen_entry {
	struct ipseen_entry *next;
	uint8_t len;			/* 4 or 16 */
	uint8_t addr[16];
	uint16_t vlan;
	unsigned port;
	uint8_t mac[6];
	uint64_t last_seen;		/* seconds */
};

struct ipseen {
	struct ipseen_range *ranges;
	struct ipseen_entry *b[IPSEEN_BUCKETS];
	size_t n;
	uint64_t full;			/* new addresses not kept (IPSEEN_MAX) */
};

/* What a frame told the table. */
struct ipseen_frame {
	uint8_t len;			/* 0: not IPv4/IPv6, or not in a range */
	const uint8_t *addr;		/* source address in the frame */
	const uint8_t *mac;		/* source MAC */
	uint16_t vlan;			/* from the 802.1Q tag, 0 if untagged */
};

void ipseen_init(struct ipseen *t);
void ipseen_free(struct ipseen *t);

/**
 * ipseen_parse() - "ADDR[/BITS]", numeric IPv4 (inet_aton forms) or IPv6
 * @s:		text
 * @r:		the range (host bits cleared; BITS defaults to 32 or 128)
 * Return: 0, or -1 (not an address, BITS not a number in range).
 */
int ipseen_parse(const char *s, struct ipseen_range *r);

/* ipseen_range_add() / _del() - 0, EEXIST / ENOENT, ENOMEM. */
int ipseen_range_add(struct ipseen *t, const struct ipseen_range *r);
int ipseen_range_del(struct ipseen *t, const struct ipseen_range *r);

/**
 * ipseen_classify() - the source address of an Ethernet frame, if it is in
 * a watched range: IPv4 with a 20-byte header (first byte 0x45) or IPv6
 * (first byte 0x60), after at most one 802.1Q tag
 * @t:		table (its ranges)
 * @frame:	frame
 * @flen:	its length
 * @f:		result; f->len is 0 when there is nothing to record
 */
void ipseen_classify(const struct ipseen *t, const uint8_t *frame, size_t flen,
		     struct ipseen_frame *f);

/**
 * ipseen_update() - record that @f was seen on @port at @now
 * Return: the entry if it is new or its port, VLAN or MAC changed (to be
 * logged), NULL otherwise (also when the table is full).
 */
const struct ipseen_entry *ipseen_update(struct ipseen *t, const struct ipseen_frame *f,
					 unsigned port, uint64_t now);

/* ipseen_lookup() - the entry of address @addr (@len 4 or 16), any VLAN. */
const struct ipseen_entry *ipseen_lookup(const struct ipseen *t, const uint8_t *addr,
					 size_t len);

/* ipseen_expire() - forget entries last seen at or before @oldest. */
void ipseen_expire(struct ipseen *t, uint64_t oldest);

/* ipseen_port_gone() - forget the entries of @port (it closed). */
void ipseen_port_gone(struct ipseen *t, unsigned port);

#endif
