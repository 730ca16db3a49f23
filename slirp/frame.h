/* SPDX-License-Identifier: GPL-2.0-or-later */
/* slirp/frame.h - pure checks on the Ethernet frames around libslirp
 *
 * sframe_guest_check() runs on every frame a guest sends before libslirp
 * sees it: it bounds the length and neutralises the TCP urgent mechanism,
 * so libslirp 4.7's out-of-bounds read in sosendoob() (urgent data, fixed
 * upstream after 4.7) cannot be reached. sframe_dhcp_ack() recognises the
 * DHCP ACKs libslirp sends, for the lease table of the console. No I/O.
 */
#ifndef VDEKIT_SLIRP_FRAME_H
#define VDEKIT_SLIRP_FRAME_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#define SFRAME_ETH_HLEN	14

enum sframe_verdict {
	SF_PASS,		/* hand it to libslirp unchanged */
	SF_PASS_URG,		/* URG flag and urgent pointer cleared, checksum fixed */
	SF_DROP_RUNT,		/* shorter than an Ethernet header */
	SF_DROP_BIG,		/* longer than the MTU allows */
	SF_DROP_TCPFRAG,	/* an IPv4 fragment that splits or overlaps a TCP header */
	SF_DROP_TRUNC,		/* IP/TCP header cut short by the frame's end */
	SF_DROP_NOTUS,		/* unicast to a MAC that is not one of libslirp's */
};

/**
 * sframe_guest_check() - vet (and possibly rewrite) a frame from a guest
 * @f:		the frame, modified in place for SF_PASS_URG
 * @len:	its length
 * @mtu:	the network's MTU (frames up to @mtu + 18 bytes pass)
 *
 * Theory of operation: in libslirp 4.7, a TCP segment with URG makes
 * tcp_input() record an urgent byte count that sosendoob() later uses to
 * copy from the socket buffer, trusting the guest's urgent pointer (it can
 * point far past the data held). We clear URG and the urgent pointer of
 * every TCP segment a guest sends, over IPv4 and IPv6, and fix the TCP
 * checksum incrementally (RFC 1624), so the urgent code never runs. The
 * data still reaches the host in order, in band, as with SO_OOBINLINE:
 * telnet's or FTP's interrupt still arrives, only not as "urgent".
 * Dropping the segments instead would stall every connection that uses
 * URG (each retransmission dropped again). IPv4 fragments are a way
 * round a header check, so TCP fragments at offsets 8 and 16 (inside the
 * 20-byte header) and first fragments shorter than a TCP header are
 * dropped (RFC 1858); libslirp 4.7 does not reassemble IPv6, and IPv6 TCP
 * behind extension headers is discarded by it, so only a TCP header right
 * after the fixed IPv6 header needs the treatment.
 *
 * Unicast frames to a MAC address that is not libslirp's (52:55:<IPv4>
 * for its IPv4 addresses, 52:56:<low 32 bits> for IPv6) are not for it:
 * libslirp does not look at the destination MAC, and would answer, as if
 * it were them, frames that a switch floods between two guests.
 *
 * Return: the verdict.
 */
enum sframe_verdict sframe_guest_check(uint8_t *f, size_t len, size_t mtu);

/* 1 if @f is UDP to port 69 (TFTP) of @vhost or @vhost6, else 0: with
 * TFTP off these never reach libslirp, whose TFTP code would still parse
 * them and answer "Access violation". */
int sframe_tftp_to(const uint8_t *f, size_t len, struct in_addr vhost,
		   const struct in6_addr *vhost6);

/* true if a TCP segment in @f (IPv4 or IPv6, as above) has URG set */
int sframe_has_urg(const uint8_t *f, size_t len);
/* A TCP SYN without ACK (a connection request) from a vetted guest frame:
 * 1 with its source address in @src (IPv4 mapped to ::ffff:0:0/96), or 0. */
int sframe_tcp_syn(const uint8_t *f, size_t len, uint8_t src[16]);

/* The virtual host's ports that are UNIX forwards (slirpvde -x PORT:PATH,
 * as VDE 2 had them): libslirp only allows such forwards on another
 * address of the network, so guest TCP to vhost:PORT is rewritten to
 * alias:PORT on the way in and alias:PORT back to vhost:PORT on the way
 * out (IPv4 header and TCP checksums fixed incrementally). */
#define SFRAME_MAXALIAS	64
struct sframe_alias {
	struct in_addr vhost, alias;
	uint16_t port[SFRAME_MAXALIAS];		/* host order */
	size_t nport;
};

/* guest -> slirp: 1 if rewritten (vhost:PORT -> alias:PORT), else 0 */
int sframe_alias_in(uint8_t *f, size_t len, const struct sframe_alias *a);
/* slirp -> guest: 1 if rewritten (alias:PORT -> vhost:PORT), else 0 */
int sframe_alias_out(uint8_t *f, size_t len, const struct sframe_alias *a);

/*
 * IPv4 reassembly in front of libslirp. libslirp 4.7's ip_reass()
 * dereferences a garbage pointer when the last fragment of a datagram
 * (MF clear, offset > 0) is the first one it sees for that datagram (a lone
 * or out-of-order last fragment crashes it; found by fuzz_slirp), and
 * completes datagrams with holes. So guests' fragments never reach it:
 * sreasm_feed() reassembles them (any order, overlaps: later bytes win)
 * and hands libslirp whole datagrams. SREASM_SLOTS datagrams at a time,
 * each for at most SREASM_TTL_NS; a new one evicts the oldest. Fragments
 * with a bad header checksum, TTL 0, a length that is not a multiple of 8
 * (MF set) or an end past 65535 are dropped.
 */
#define SREASM_SLOTS	4
#define SREASM_MAXIP	65535
#define SREASM_TTL_NS	(30ULL * 1000000000ULL)

struct sreasm_slot {
	int used, have_first;
	uint32_t src, dst, total;	/* total: payload bytes, 0 = last not seen */
	uint16_t id;
	uint8_t proto;
	uint64_t born;
	size_t hlen;			/* Ethernet + IP header of the first fragment */
	uint8_t hdr[SFRAME_ETH_HLEN + 60];
	uint8_t map[SREASM_MAXIP / 64 + 1];	/* one bit per 8-byte block */
	uint8_t data[SREASM_MAXIP];
};

struct sreasm {
	struct sreasm_slot slot[SREASM_SLOTS];
	uint64_t held, done, dropped, evicted;
	uint8_t out[SFRAME_ETH_HLEN + SREASM_MAXIP];
};

/* Returns -1 if @f is not an IPv4 fragment (use it as it is), 0 if it was
 * taken (held or dropped), or the length of a whole datagram's frame now
 * in r->out. */
long sreasm_feed(struct sreasm *r, const uint8_t *f, size_t len, uint64_t now_ns);

struct sdhcp_lease {
	uint8_t mac[6];
	struct in_addr addr;
	uint32_t lease_secs;
};

/* A DHCP ACK (slirp to guest): 1 and @l filled, else 0. */
int sframe_dhcp_ack(const uint8_t *f, size_t len, struct sdhcp_lease *l);

#endif
