// SPDX-License-Identifier: LGPL-2.1-or-later
/* lib/common/vnet.c - tap offloads done in software around a virtio_net_hdr
 *
 * Theory of operation
 *
 * A tap opened with IFF_VNET_HDR prefixes every frame with a struct
 * virtio_net_hdr. With TUNSETOFFLOAD(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)
 * the kernel then hands over TCP "super-frames" of up to 64 KiB (one
 * header, many MSS of payload: gso_type, gso_size) and frames whose L4
 * checksum is only seeded with the pseudo-header (NEEDS_CSUM: csum_start,
 * csum_offset). A VDE network must only ever carry ordinary frames where a
 * plain peer can see them (vde_plug2tap cuts at the tap; vde_switch passes
 * super-frames whole between endpoints that take them and cuts only for
 * the others, after vnet_check() at ingress), so:
 *
 *  - vnet_finish_csum() completes a partial checksum exactly as the
 *    kernel's skb_checksum_help() would (a zero result is sent as 0xffff);
 *    IPv4 options are copied into every segment, IPv6 extension headers are
 *    not supported (such a super-frame is dropped and counted);
 *  - vnet_segment() cuts a TCP super-frame into the frames the kernel's own
 *    GSO would have put on a wire: headers copied, IPv4 total length, id
 *    (+1 per segment) and header checksum, IPv6 payload length, TCP
 *    sequence number (+gso_size per segment), CWR only on the first, FIN
 *    and PSH only on the last segment, full TCP checksum;
 *  - vnet_coalesce() is the reverse for the frames going into the tap (what
 *    GRO does in a NIC driver): a run of consecutive, checksum-verified
 *    segments of one TCP flow (same headers except length, IPv4 id +1,
 *    contiguous sequence numbers, only ACK/PSH, the same options, all but
 *    the last exactly one MSS long, PSH only on the last) becomes one
 *    super-frame with gso_type and gso_size set, so the receiving stack
 *    handles one packet, and acknowledges once, per run. Anything else,
 *    including a segment with a wrong checksum, is written on its own and
 *    meets the kernel's usual checks.
 *
 * Checksums are RFC 1071 sums over native-order 32-bit words folded to 16
 * bits: the folded value stored in native order has the right bytes on the
 * wire on either endianness.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>

#include "ether.h"
#include "vnet.h"

#define ETH_HLEN_	14
#define ET_IPV4		0x0800
#define ET_IPV6		0x86dd
#define ET_VLAN		0x8100
#define ET_QINQ		0x88a8
#define MAX_TAGS	4
#define IPPROTO_TCP_	6

#define TCP_FIN		0x01
#define TCP_SYN		0x02
#define TCP_RST		0x04
#define TCP_PSH		0x08
#define TCP_ACK		0x10
#define TCP_URG		0x20
#define TCP_ECE		0x40
#define TCP_CWR		0x80

/* Unfolded ones'-complement sum of native-order words. Four accumulators
 * over 32-byte blocks keep the adds independent (3x the speed of one word
 * at a time here); none can overflow for any frame size. */
static uint64_t sum_words(const uint8_t *p, size_t len, uint64_t s)
{
	uint64_t s2 = 0, s3 = 0, s4 = 0;
	uint32_t w;
	uint16_t h;

	while (len >= 32) {
		uint32_t b[8];

		memcpy(b, p, 32);
		s += (uint64_t)b[0] + b[1];
		s2 += (uint64_t)b[2] + b[3];
		s3 += (uint64_t)b[4] + b[5];
		s4 += (uint64_t)b[6] + b[7];
		p += 32;
		len -= 32;
	}
	s += s2 + s3 + s4;
	while (len >= 4) {
		memcpy(&w, p, 4);
		s += w;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&h, p, 2);
		s += h;
		p += 2;
		len -= 2;
	}
	if (len) {
		uint8_t b[2] = { p[0], 0 };

		memcpy(&h, b, 2);
		s += h;
	}
	return s;
}

static uint16_t fold(uint64_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/**
 * vnet_csum() - RFC 1071 sum of @len bytes at @p plus @sum, folded
 * @p:		bytes
 * @len:	their number
 * @sum:	a folded sum to add (0 to start)
 *
 * Return: the folded sum in native byte order (not complemented): a block
 * with a correct checksum sums to 0xffff.
 */
uint16_t vnet_csum(const uint8_t *p, size_t len, uint32_t sum)
{
	return fold(sum_words(p, len, sum));
}

/* Pseudo-header sum for TCP over IPv4 (@v4) or IPv6 at @ip, L4 length @l4len. */
static uint64_t pseudo_sum(const uint8_t *ip, bool v4, size_t l4len)
{
	uint64_t s = v4 ? sum_words(ip + 12, 8, 0) : sum_words(ip + 8, 32, 0);
	uint32_t w = htonl((uint32_t)l4len);

	s = sum_words((const uint8_t *)&w, 4, s);
	w = htonl(IPPROTO_TCP_);
	return sum_words((const uint8_t *)&w, 4, s);
}

static void set_csum(uint8_t *at, uint16_t folded)
{
	uint16_t c = (uint16_t)~folded;

	memcpy(at, &c, 2);
}

/**
 * vnet_finish_csum() - complete a partial L4 checksum (NEEDS_CSUM)
 * @h:		the frame's virtio_net_hdr
 * @frame:	the frame, changed in place
 * @len:	its length
 *
 * Return: 0 (also when there was nothing to do), -1 if the offsets do not
 * fit in the frame.
 */
int vnet_finish_csum(const struct virtio_net_hdr *h, uint8_t *frame, size_t len)
{
	size_t start = h->csum_start, at = (size_t)h->csum_start + h->csum_offset;
	uint16_t c;

	if (!(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return 0;
	if (start >= len || at + 2 > len)
		return -1;
	c = (uint16_t)~vnet_csum(frame + start, len - start, 0);
	if (c == 0)
		c = 0xffff;
	memcpy(frame + at, &c, 2);
	return 0;
}

/* Where the headers of a TCP frame are. */
struct tcp_frame {
	size_t l3, l4, hl, pay;		/* offsets; header length; payload length */
	bool v4;
};

/* L3 offset and ethertype, past up to MAX_TAGS 802.1Q / 802.1ad tags
 * (a VLAN device on the tap hands over tagged super-frames). */
static size_t eth_l3(const uint8_t *f, size_t len, uint16_t *type)
{
	size_t off = 12;
	unsigned tags = 0;

	if (len < ETH_HLEN_)
		return 0;
	*type = get_be16(f + off);
	while (*type == ET_VLAN || *type == ET_QINQ) {
		off += 4;
		if (++tags > MAX_TAGS || len < off + 2)
			return 0;
		*type = get_be16(f + off);
	}
	return off + 2;
}

/* Parse Ethernet / IPv4 or IPv6 (no extension headers) / TCP.
 * @exact: the IP length must cover the frame exactly (no padding) and IPv4
 * carries no options (what vnet_coalesce() merges). */
static bool tcp_parse(const uint8_t *f, size_t len, bool exact, struct tcp_frame *t)
{
	uint16_t type = 0;
	size_t thl;

	t->l3 = eth_l3(f, len, &type);
	if (!t->l3)
		return false;
	if (type == ET_IPV4) {
		size_t ihl;

		if (len < t->l3 + 20 || (f[t->l3] >> 4) != 4 || f[t->l3 + 9] != IPPROTO_TCP_ ||
		    (get_be16(f + t->l3 + 6) & 0x3fff))	/* MF or a fragment offset */
			return false;
		ihl = (size_t)(f[t->l3] & 0x0f) * 4;
		if (ihl < 20 || (exact && (ihl != 20 || get_be16(f + t->l3 + 2) != len - t->l3)))
			return false;
		t->v4 = true;
		t->l4 = t->l3 + ihl;
	} else if (type == ET_IPV6) {
		if (len < t->l3 + 40 || (f[t->l3] >> 4) != 6 || f[t->l3 + 6] != IPPROTO_TCP_)
			return false;
		if (exact && get_be16(f + t->l3 + 4) != len - t->l3 - 40)
			return false;
		t->v4 = false;
		t->l4 = t->l3 + 40;
	} else {
		return false;
	}
	if (len < t->l4 + 20)
		return false;
	thl = (size_t)(f[t->l4 + 12] >> 4) * 4;
	if (thl < 20 || len < t->l4 + thl)
		return false;
	t->hl = t->l4 + thl;
	t->pay = len - t->hl;
	return true;
}

/**
 * vnet_segment() - split a TCP super-frame (TSO) into wire-sized frames
 * @h:		its virtio_net_hdr (gso_type TCPV4 or TCPV6, gso_size = MSS)
 * @frame:	the super-frame
 * @len:	its length
 * @out:	buffer for the frames, written back to back
 * @size:	its size
 * @lens:	the frames' lengths, @max entries
 * @max:	the most frames to write
 *
 * Return: the number of frames written, -1 if the super-frame is not a
 * well-formed TCP frame or the result would not fit.
 */
int vnet_segment(const struct virtio_net_hdr *h, const uint8_t *frame, size_t len,
		 uint8_t *out, size_t size, size_t *lens, unsigned max)
{
	unsigned type = h->gso_type & (unsigned)~VIRTIO_NET_HDR_GSO_ECN, n, i;
	size_t mss = h->gso_size, off = 0;
	struct tcp_frame t;
	uint32_t seq0;
	uint16_t id0;
	uint8_t flags;

	if ((type != VIRTIO_NET_HDR_GSO_TCPV4 && type != VIRTIO_NET_HDR_GSO_TCPV6) || !mss)
		return -1;
	if (!tcp_parse(frame, len, false, &t) || t.v4 != (type == VIRTIO_NET_HDR_GSO_TCPV4))
		return -1;
	n = t.pay ? (unsigned)((t.pay + mss - 1) / mss) : 1;
	if (n > max || n * t.hl + t.pay > size)
		return -1;
	seq0 = get_be32(frame + t.l4 + 4);
	id0 = t.v4 ? get_be16(frame + t.l3 + 4) : 0;
	flags = frame[t.l4 + 13];
	for (i = 0; i < n; i++) {
		size_t seg = t.pay - off < mss ? t.pay - off : mss;
		size_t l4len = t.hl - t.l4 + seg;
		uint8_t *o = out + (size_t)i * t.hl + off;
		uint8_t fl = flags;

		memcpy(o, frame, t.hl);
		memcpy(o + t.hl, frame + t.hl + off, seg);
		if (t.v4) {
			put_be16(o + t.l3 + 2, (uint16_t)(t.l4 - t.l3 + l4len));
			put_be16(o + t.l3 + 4, (uint16_t)(id0 + i));
			o[t.l3 + 10] = o[t.l3 + 11] = 0;
			set_csum(o + t.l3 + 10, vnet_csum(o + t.l3, t.l4 - t.l3, 0));
		} else {
			put_be16(o + t.l3 + 4, (uint16_t)l4len);
		}
		put_be32(o + t.l4 + 4, seq0 + (uint32_t)off);
		if (i > 0)
			fl &= (uint8_t)~TCP_CWR;
		if (i + 1 < n)
			fl &= (uint8_t)~(TCP_FIN | TCP_PSH);
		o[t.l4 + 13] = fl;
		o[t.l4 + 16] = o[t.l4 + 17] = 0;
		set_csum(o + t.l4 + 16,
			 fold(sum_words(o + t.l4, l4len, pseudo_sum(o + t.l3, t.v4, l4len))));
		lens[i] = t.hl + seg;
		off += seg;
	}
	return (int)n;
}

/**
 * vnet_check() - can (@h, @frame) be turned into wire frames?
 * @h:		the frame's virtio_net_hdr (any bytes: it may come from a peer)
 * @frame:	the frame
 * @len:	its length
 * @size:	bytes vnet_segment() will be given for the segments
 * @max:	segments it will be given room for
 *
 * For a holder of super-frames that must cut them later (vde_switch): a
 * NEEDS_CSUM offset must fall inside the frame, only the flags NEEDS_CSUM
 * and DATA_VALID may be set, a GSO type must be TCPV4 or TCPV6 (ECN
 * allowed) on a well-formed TCP frame of that IP version whose segments fit
 * in @max and @size.
 *
 * Return: 0 if so, -1 if not.
 */
int vnet_check(const struct virtio_net_hdr *h, const uint8_t *frame, size_t len, size_t size,
	       unsigned max)
{
	unsigned type = h->gso_type & (unsigned)~VIRTIO_NET_HDR_GSO_ECN;
	struct tcp_frame t;
	size_t n;
	int ret = -1;

	if (h->flags & ~(VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID))
		goto out;
	if ((h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    (h->csum_start >= len || (size_t)h->csum_start + h->csum_offset + 2 > len))
		goto out;
	if (h->gso_type == VIRTIO_NET_HDR_GSO_NONE) {
		ret = 0;
		goto out;
	}
	if ((type != VIRTIO_NET_HDR_GSO_TCPV4 && type != VIRTIO_NET_HDR_GSO_TCPV6) ||
	    !h->gso_size)
		goto out;
	if (!tcp_parse(frame, len, false, &t) || t.v4 != (type == VIRTIO_NET_HDR_GSO_TCPV4))
		goto out;
	n = t.pay ? (t.pay + h->gso_size - 1) / h->gso_size : 1;
	if (n <= max && n * t.hl + t.pay <= size)
		ret = 0;
out:
	return ret;
}

/* A segment that may be merged: TCP with payload, only ACK (and PSH),
 * exact IP length, valid IPv4 header and TCP checksums. */
static bool gro_candidate(const struct vnet_frame *f, struct tcp_frame *t)
{
	uint8_t fl;

	if (!tcp_parse(f->data, f->len, true, t) || !t->pay || t->l3 != ETH_HLEN_)
		return false;		/* untagged only: what the stack surely takes */
	fl = f->data[t->l4 + 13];
	if (!(fl & TCP_ACK) || (fl & (TCP_FIN | TCP_SYN | TCP_RST | TCP_URG | TCP_ECE | TCP_CWR)))
		return false;
	if (t->v4 && vnet_csum(f->data + t->l3, 20, 0) != 0xffff)
		return false;
	return fold(sum_words(f->data + t->l4, f->len - t->l4,
			      pseudo_sum(f->data + t->l3, t->v4, f->len - t->l4))) == 0xffff;
}

/* Does segment @b (parsed @tb) continue the run whose last segment is @p
 * (parsed @tp), started by @a? */
static bool gro_follows(const struct vnet_frame *a, const struct tcp_frame *ta,
			const struct vnet_frame *p, const struct tcp_frame *tp,
			const struct vnet_frame *b, const struct tcp_frame *tb)
{
	const uint8_t *x = a->data, *y = b->data;
	size_t l3 = ta->l3, l4 = ta->l4;

	if (tb->l3 != l3 || tb->hl != ta->hl || tb->v4 != ta->v4 || tb->pay > ta->pay)
		return false;
	if (memcmp(x, y, l3))				/* Ethernet header, tag */
		return false;
	if (ta->v4) {
		if (memcmp(x + l3, y + l3, 2) || memcmp(x + l3 + 6, y + l3 + 6, 4) ||
		    memcmp(x + l3 + 12, y + l3 + 12, 8) ||
		    get_be16(y + l3 + 4) != (uint16_t)(get_be16(p->data + l3 + 4) + 1))
			return false;
	} else if (memcmp(x + l3, y + l3, 4) || memcmp(x + l3 + 6, y + l3 + 6, 34)) {
		return false;
	}
	/* ports; ack, offset, flags but PSH, window; urgent pointer, options */
	if (memcmp(x + l4, y + l4, 4) || memcmp(x + l4 + 8, y + l4 + 8, 5) ||
	    ((x[l4 + 13] ^ y[l4 + 13]) & (uint8_t)~TCP_PSH) ||
	    memcmp(x + l4 + 14, y + l4 + 14, 2) ||
	    memcmp(x + l4 + 18, y + l4 + 18, ta->hl - l4 - 18))
		return false;
	return get_be32(y + l4 + 4) == get_be32(p->data + l4 + 4) + (uint32_t)tp->pay;
}

/**
 * vnet_coalesce() - merge the run of TCP segments at the start of @f (GRO)
 * @f:		frames, in arrival order
 * @n:		their number (>= 1)
 * @used:	set to the number of frames consumed (>= 1)
 * @out:	buffer for the merged super-frame
 * @size:	its size
 * @h:		set to the super-frame's virtio_net_hdr
 *
 * Return: the super-frame's length, or 0 if f[0] is not merged with
 * anything (*used is then 1: write it as it is, with a zeroed header).
 */
size_t vnet_coalesce(const struct vnet_frame *f, unsigned n, unsigned *used, uint8_t *out,
		     size_t size, struct virtio_net_hdr *h)
{
	struct tcp_frame ta, tp, tb;
	size_t total, off;
	unsigned k = 1, i;

	*used = 1;
	if (n < 2 || !gro_candidate(&f[0], &ta))
		return 0;
	tp = ta;
	total = f[0].len;
	while (k < n) {
		const struct vnet_frame *p = &f[k - 1];

		if (tp.pay != ta.pay || (p->data[tp.l4 + 13] & TCP_PSH))
			break;
		if (!gro_candidate(&f[k], &tb) || !gro_follows(&f[0], &ta, p, &tp, &f[k], &tb))
			break;
		if (total + tb.pay > size || total + tb.pay - ta.l3 - (ta.v4 ? 0 : 40) > 65535)
			break;
		total += tb.pay;
		tp = tb;
		k++;
	}
	if (k < 2)
		return 0;
	memcpy(out, f[0].data, ta.hl);
	off = ta.hl;
	for (i = 0; i < k; i++) {
		size_t pay = f[i].len - ta.hl;

		memcpy(out + off, f[i].data + ta.hl, pay);
		off += pay;
	}
	if (ta.v4) {
		put_be16(out + ta.l3 + 2, (uint16_t)(total - ta.l3));
		out[ta.l3 + 10] = out[ta.l3 + 11] = 0;
		set_csum(out + ta.l3 + 10, vnet_csum(out + ta.l3, 20, 0));
	} else {
		put_be16(out + ta.l3 + 4, (uint16_t)(total - ta.l3 - 40));
	}
	out[ta.l4 + 13] = (uint8_t)(f[0].data[ta.l4 + 13] | (f[k - 1].data[ta.l4 + 13] & TCP_PSH));
	/* NEEDS_CSUM: the field holds the pseudo-header sum, as a stack
	 * handing a TSO frame to a NIC leaves it */
	{
		uint16_t ps = fold(pseudo_sum(out + ta.l3, ta.v4, total - ta.l4));

		memcpy(out + ta.l4 + 16, &ps, 2);
	}
	memset(h, 0, sizeof(*h));
	h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h->gso_type = ta.v4 ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6;
	h->gso_size = (uint16_t)ta.pay;
	h->hdr_len = (uint16_t)ta.hl;
	h->csum_start = (uint16_t)ta.l4;
	h->csum_offset = 16;
	*used = k;
	return total;
}
