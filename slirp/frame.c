// SPDX-License-Identifier: GPL-2.0-or-later
/* slirp/frame.c - pure checks on the Ethernet frames around libslirp
 *
 * See frame.h for the theory of operation. Every offset is checked against
 * the frame length before it is read; no arithmetic on wire lengths before
 * their bounds are known.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "ether.h"
#include "frame.h"

#define ETH_P_IPV4	0x0800
#define ETH_P_IPV6	0x86dd
#define PROTO_TCP	6
#define PROTO_UDP	17
#define TCP_HLEN	20
#define TH_SYN		0x02
#define TH_ACK		0x10
#define TH_URG		0x20

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') */
static uint16_t csum_update(uint16_t hc, uint16_t m, uint16_t m2)
{
	uint32_t s = (uint16_t)~hc + (uint16_t)~m + (uint32_t)m2;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Offset of the TCP header and bytes of it available, or 0 if no TCP.
 * *verdict is set for frames to drop. */
static size_t tcp_offset(const uint8_t *f, size_t len, enum sframe_verdict *verdict)
{
	uint16_t type;

	*verdict = SF_PASS;
	if (len < SFRAME_ETH_HLEN)
		return 0;
	type = get_be16(f + 12);
	if (type == ETH_P_IPV4) {
		const uint8_t *ip = f + SFRAME_ETH_HLEN;
		size_t avail = len - SFRAME_ETH_HLEN, ihl, frag, tlen;

		if (avail < 20 || (ip[0] >> 4) != 4 || ip[9] != PROTO_TCP)
			return 0;
		ihl = (size_t)(ip[0] & 0x0f) * 4;
		if (ihl < 20)
			return 0;		/* libslirp drops it */
		frag = (size_t)(get_be16(ip + 6) & 0x1fff) * 8;
		tlen = get_be16(ip + 2);
		if (frag > 0 && frag < TCP_HLEN) {
			*verdict = SF_DROP_TCPFRAG;
			return 0;
		}
		if (frag > 0)
			return 0;		/* past the TCP header */
		if (tlen > avail)
			tlen = avail;
		if (tlen < ihl + TCP_HLEN) {
			/* a first fragment (or datagram) without a whole TCP header */
			*verdict = (get_be16(ip + 6) & 0x2000) ? SF_DROP_TCPFRAG : SF_DROP_TRUNC;
			return 0;
		}
		return SFRAME_ETH_HLEN + ihl;
	}
	if (type == ETH_P_IPV6) {
		const uint8_t *ip = f + SFRAME_ETH_HLEN;
		size_t avail = len - SFRAME_ETH_HLEN;

		if (avail < 40 || (ip[0] >> 4) != 6 || ip[6] != PROTO_TCP)
			return 0;
		if (avail < 40 + TCP_HLEN) {
			*verdict = SF_DROP_TRUNC;
			return 0;
		}
		return SFRAME_ETH_HLEN + 40;
	}
	return 0;
}

/**
 * sframe_guest_check() - vet a guest frame (see frame.h)
 * @f:		frame
 * @len:	length
 * @mtu:	MTU of the network
 *
 * Return: the verdict; SF_PASS_URG means @f was rewritten.
 */
enum sframe_verdict sframe_guest_check(uint8_t *f, size_t len, size_t mtu)
{
	enum sframe_verdict v;
	uint8_t *tcp;
	uint16_t old12, old18, csum;
	size_t off;

	if (len < SFRAME_ETH_HLEN)
		return SF_DROP_RUNT;
	if (len > mtu + SFRAME_ETH_HLEN + 4)
		return SF_DROP_BIG;
	if (!(f[0] & 1) && !(f[0] == 0x52 && (f[1] == 0x55 || f[1] == 0x56)))
		return SF_DROP_NOTUS;
	off = tcp_offset(f, len, &v);
	if (!off)
		return v;
	tcp = f + off;
	if (!(tcp[13] & TH_URG))
		return SF_PASS;
	old12 = get_be16(tcp + 12);
	old18 = get_be16(tcp + 18);
	tcp[13] &= (uint8_t)~TH_URG;
	put_be16(tcp + 18, 0);
	csum = get_be16(tcp + 16);
	csum = csum_update(csum, old12, get_be16(tcp + 12));
	csum = csum_update(csum, old18, 0);
	put_be16(tcp + 16, csum);
	return SF_PASS_URG;
}

/**
 * sframe_tcp_syn() - is this a guest's TCP connection request?
 * @f:		frame (vetted by sframe_guest_check(): whole TCP header)
 * @len:	length
 * @src:	filled with the source address (IPv4 as ::ffff:a.b.c.d)
 *
 * Return: 1 for a segment with SYN and without ACK (a new connection),
 * 0 otherwise.
 */
int sframe_tcp_syn(const uint8_t *f, size_t len, uint8_t src[16])
{
	enum sframe_verdict v;
	size_t off = tcp_offset(f, len, &v);
	const uint8_t *ip = f + SFRAME_ETH_HLEN;

	if (!off || (f[off + 13] & (TH_SYN | TH_ACK)) != TH_SYN)
		return 0;
	if (get_be16(f + 12) == ETH_P_IPV4) {
		memset(src, 0, 10);
		src[10] = src[11] = 0xff;
		memcpy(src + 12, ip + 12, 4);
	} else {
		memcpy(src, ip + 8, 16);
	}
	return 1;
}

/**
 * sframe_tftp_to() - is this a TFTP request to the virtual host?
 * @f:		frame
 * @len:	length
 * @vhost:	virtual host's IPv4 address
 * @vhost6:	its IPv6 address
 *
 * Return: 1 or 0.
 */
int sframe_tftp_to(const uint8_t *f, size_t len, struct in_addr vhost,
		   const struct in6_addr *vhost6)
{
	const uint8_t *ip = f + SFRAME_ETH_HLEN;
	size_t ihl;

	if (len < SFRAME_ETH_HLEN + 40)
		return 0;
	if (get_be16(f + 12) == ETH_P_IPV4) {
		ihl = (size_t)(ip[0] & 0x0f) * 4;
		if ((ip[0] >> 4) != 4 || ip[9] != PROTO_UDP || ihl < 20 ||
		    len < SFRAME_ETH_HLEN + ihl + 8 || (get_be16(ip + 6) & 0x1fff))
			return 0;
		return !memcmp(ip + 16, &vhost, 4) && get_be16(ip + ihl + 2) == 69;
	}
	if (get_be16(f + 12) == ETH_P_IPV6 && len >= SFRAME_ETH_HLEN + 48)
		return (ip[0] >> 4) == 6 && ip[6] == PROTO_UDP &&
		       !memcmp(ip + 24, vhost6, 16) && get_be16(ip + 40 + 2) == 69;
	return 0;
}

/**
 * sframe_has_urg() - does a guest frame carry a TCP segment with URG?
 * @f:		frame
 * @len:	length
 *
 * Return: 1 or 0.
 */
int sframe_has_urg(const uint8_t *f, size_t len)
{
	enum sframe_verdict v;
	size_t off = tcp_offset(f, len, &v);

	return off && (f[off + 13] & TH_URG);
}

static bool alias_port(const struct sframe_alias *a, uint16_t port)
{
	size_t i;

	for (i = 0; i < a->nport; i++)
		if (a->port[i] == port)
			return true;
	return false;
}

/* Replace the IPv4 address at @at (an offset into @f, source or
 * destination) by @to, fixing the IP header and TCP checksums. */
static void swap_addr(uint8_t *f, size_t at, size_t tcp, struct in_addr to)
{
	uint8_t *ip = f + SFRAME_ETH_HLEN, *a = f + at, n[4];
	uint16_t ipc = get_be16(ip + 10), tc = get_be16(f + tcp + 16);
	int k;

	memcpy(n, &to, 4);
	for (k = 0; k < 4; k += 2) {
		uint16_t o = get_be16(a + k), w = get_be16(n + k);

		ipc = csum_update(ipc, o, w);
		tc = csum_update(tc, o, w);
	}
	memcpy(a, n, 4);
	put_be16(ip + 10, ipc);
	put_be16(f + tcp + 16, tc);
}

/* IPv4 TCP, unfragmented or first fragment: offset of the TCP header */
static size_t tcp4_first(const uint8_t *f, size_t len)
{
	enum sframe_verdict v;
	size_t off = tcp_offset(f, len, &v);

	return off && get_be16(f + 12) == ETH_P_IPV4 ? off : 0;
}

/**
 * sframe_alias_in() - guest TCP to a UNIX-forwarded port of the virtual host
 * @f:		frame, rewritten in place
 * @len:	its length
 * @a:		ports and addresses
 *
 * Return: 1 if the destination was changed to the alias, else 0.
 */
int sframe_alias_in(uint8_t *f, size_t len, const struct sframe_alias *a)
{
	size_t tcp;

	if (!a->nport)
		return 0;
	tcp = tcp4_first(f, len);
	if (!tcp || memcmp(f + SFRAME_ETH_HLEN + 16, &a->vhost, 4) ||
	    !alias_port(a, get_be16(f + tcp + 2)))
		return 0;
	swap_addr(f, SFRAME_ETH_HLEN + 16, tcp, a->alias);
	return 1;
}

/**
 * sframe_alias_out() - slirp's answer from the alias back to the virtual host
 * @f:		frame, rewritten in place
 * @len:	its length
 * @a:		ports and addresses
 *
 * Return: 1 if the source was changed to the virtual host, else 0.
 */
int sframe_alias_out(uint8_t *f, size_t len, const struct sframe_alias *a)
{
	size_t tcp;

	if (!a->nport)
		return 0;
	tcp = tcp4_first(f, len);
	if (!tcp || memcmp(f + SFRAME_ETH_HLEN + 12, &a->alias, 4) ||
	    !alias_port(a, get_be16(f + tcp)))
		return 0;
	swap_addr(f, SFRAME_ETH_HLEN + 12, tcp, a->vhost);
	return 1;
}

/**
 * sframe_dhcp_ack() - recognise a DHCP ACK sent to a guest
 * @f:		frame
 * @len:	length
 * @l:		filled on success (lease_secs 0 if no option 51)
 *
 * Return: 1 for a DHCP ACK, else 0.
 */
int sframe_dhcp_ack(const uint8_t *f, size_t len, struct sdhcp_lease *l)
{
	const uint8_t *ip, *udp, *bp, *opt, *end;
	size_t ihl, avail;
	int ack = 0;

	if (len < SFRAME_ETH_HLEN + 20 || get_be16(f + 12) != ETH_P_IPV4)
		return 0;
	ip = f + SFRAME_ETH_HLEN;
	avail = len - SFRAME_ETH_HLEN;
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	if ((ip[0] >> 4) != 4 || ihl < 20 || ip[9] != PROTO_UDP || (get_be16(ip + 6) & 0x3fff))
		return 0;
	/* UDP header + BOOTP fixed part (236) + magic cookie (4) */
	if (avail < ihl + 8 + 240)
		return 0;
	udp = ip + ihl;
	if (get_be16(udp) != 67 || get_be16(udp + 2) != 68)
		return 0;
	bp = udp + 8;
	if (bp[0] != 2 || bp[1] != 1 || bp[2] != 6)	/* BOOTREPLY, Ethernet */
		return 0;
	if (memcmp(bp + 236, "\x63\x82\x53\x63", 4))
		return 0;
	memset(l, 0, sizeof(*l));
	memcpy(l->mac, bp + 28, 6);
	memcpy(&l->addr, bp + 16, 4);
	opt = bp + 240;
	end = f + len;
	while (opt < end && *opt != 255) {
		size_t olen;

		if (*opt == 0) {
			opt++;
			continue;
		}
		if (end - opt < 2)
			break;
		olen = opt[1];
		if ((size_t)(end - opt - 2) < olen)
			break;
		if (opt[0] == 53 && olen == 1 && opt[2] == 5)
			ack = 1;
		if (opt[0] == 51 && olen == 4)
			l->lease_secs = (uint32_t)opt[2] << 24 | (uint32_t)opt[3] << 16 |
					(uint32_t)opt[4] << 8 | opt[5];
		opt += 2 + olen;
	}
	return ack;
}

/* --- IPv4 reassembly ------------------------------------------------------ */

static int hdr_sum_ok(const uint8_t *ip, size_t ihl)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i < ihl; i += 2)
		sum += get_be16(ip + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

static void set_hdr_sum(uint8_t *ip, size_t ihl)
{
	uint32_t sum = 0;
	size_t i;

	put_be16(ip + 10, 0);
	for (i = 0; i < ihl; i += 2)
		sum += get_be16(ip + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put_be16(ip + 10, (uint16_t)~sum);
}

static struct sreasm_slot *slot_for(struct sreasm *r, uint32_t src, uint32_t dst, uint16_t id,
				    uint8_t proto, uint64_t now)
{
	struct sreasm_slot *free_slot = NULL, *oldest = NULL;
	size_t i;

	for (i = 0; i < SREASM_SLOTS; i++) {
		struct sreasm_slot *s = &r->slot[i];

		if (s->used && now - s->born >= SREASM_TTL_NS) {
			s->used = 0;		/* expired */
			r->evicted++;
		}
		if (!s->used) {
			if (!free_slot)
				free_slot = s;
			continue;
		}
		if (s->src == src && s->dst == dst && s->id == id && s->proto == proto)
			return s;
		if (!oldest || s->born < oldest->born)
			oldest = s;
	}
	if (!free_slot) {
		free_slot = oldest;
		r->evicted++;
	}
	free_slot->used = 1;
	free_slot->have_first = 0;
	free_slot->src = src;
	free_slot->dst = dst;
	free_slot->id = id;
	free_slot->proto = proto;
	free_slot->total = 0;
	free_slot->born = now;
	memset(free_slot->map, 0, sizeof(free_slot->map));
	return free_slot;
}

static int slot_complete(const struct sreasm_slot *s)
{
	size_t blocks, i;

	if (!s->have_first || !s->total)
		return 0;
	blocks = (s->total + 7) / 8;
	for (i = 0; i < blocks; i++)
		if (!(s->map[i / 8] & (1U << (i % 8))))
			return 0;
	return 1;
}

/**
 * sreasm_feed() - take an IPv4 fragment from a guest
 * @r:		reassembly state
 * @f:		the frame
 * @len:	its length
 * @now_ns:	current time
 *
 * Return: -1 (not a fragment), 0 (taken), or the length of the frame of a
 * whole datagram in @r->out.
 */
long sreasm_feed(struct sreasm *r, const uint8_t *f, size_t len, uint64_t now_ns)
{
	const uint8_t *ip = f + SFRAME_ETH_HLEN;
	struct sreasm_slot *s;
	size_t avail, ihl, tlen, off, plen, i, ihl0;
	uint32_t src, dst;
	uint16_t frag;

	if (len < SFRAME_ETH_HLEN + 20 || get_be16(f + 12) != ETH_P_IPV4 || (ip[0] >> 4) != 4)
		return -1;
	frag = get_be16(ip + 6);
	if (!(frag & 0x3fff))
		return -1;			/* MF clear, offset 0: whole */
	avail = len - SFRAME_ETH_HLEN;
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	tlen = get_be16(ip + 2);
	off = (size_t)(frag & 0x1fff) * 8;
	if (ihl < 20 || ihl > avail || tlen < ihl || tlen > avail || !hdr_sum_ok(ip, ihl) ||
	    ip[8] == 0)
		goto drop;
	plen = tlen - ihl;
	if (((frag & 0x2000) && (plen == 0 || plen % 8)) || off + plen + 20 > SREASM_MAXIP)
		goto drop;
	memcpy(&src, ip + 12, 4);
	memcpy(&dst, ip + 16, 4);
	s = slot_for(r, src, dst, get_be16(ip + 4), ip[9], now_ns);
	memcpy(s->data + off, ip + ihl, plen);
	for (i = off / 8; i < (off + plen + 7) / 8; i++)
		s->map[i / 8] |= (uint8_t)(1U << (i % 8));
	if (off == 0) {
		s->hlen = SFRAME_ETH_HLEN + ihl;
		memcpy(s->hdr, f, s->hlen);
		s->have_first = 1;
	}
	if (!(frag & 0x2000)) {
		if (s->total && s->total != off + plen) {
			s->used = 0;		/* two different ends */
			goto drop;
		}
		s->total = (uint32_t)(off + plen);
	}
	r->held++;
	if (!slot_complete(s))
		return 0;
	ihl0 = s->hlen - SFRAME_ETH_HLEN;
	s->used = 0;
	if (ihl0 + s->total > SREASM_MAXIP) {
		r->dropped++;
		return 0;
	}
	memcpy(r->out, s->hdr, s->hlen);
	memcpy(r->out + s->hlen, s->data, s->total);
	put_be16(r->out + SFRAME_ETH_HLEN + 2, (uint16_t)(ihl0 + s->total));
	put_be16(r->out + SFRAME_ETH_HLEN + 6, get_be16(r->out + SFRAME_ETH_HLEN + 6) & 0x4000);
	set_hdr_sum(r->out + SFRAME_ETH_HLEN, ihl0);
	r->done++;
	return (long)(s->hlen + s->total);
drop:
	r->dropped++;
	return 0;
}
