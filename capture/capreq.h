/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capture/capreq.h - the capture-port request of the VDE ctl protocol (pure)
 *
 * A capture client asks a switch for a monitor-like port with a VDE
 * protocol v3 request of a type VDE 2 does not know, so no VDE 2 peer ever
 * sees a difference: VDE 2 refuses an unknown type and closes the ctl
 * stream (or stays silent); an ordinary client never sends it; a switch
 * that answers as to an ordinary port is caught by the missing "VCAP"
 * acknowledgement. The whole
 * design, byte by byte, is in docs/capture.md. In short (little-endian):
 *
 *   request:  0 u32 magic 0xfeedface   4 u32 version 3
 *             8 u32 type = 2 (CAPREQ_TYPE) | filter port << 8 (0 = all)
 *            12 sockaddr_un (110 bytes) of the client's datagram socket
 *           122 u16 block version 1   124 u16 VLAN filter (0xffff = all)
 *           126 u32 snaplen (0 = whole frames)
 *           130 description, no NUL, at most 120 bytes
 *   reply:    0 sockaddr_un (110 bytes) of the switch's data socket
 *           110 u32 0x50414356 ("VCAP")  114 u16 version 1
 *           116 u16 length of the per-frame header (>= 24)
 *   frames (switch -> client, one datagram each): a header, then the frame
 *             0 u8 version 1   1 u8 direction (1 in, 2 out)
 *             2 u16 VLAN (0xffff = not known)   4 u32 port
 *             8 u32 sequence number (a gap = copies the switch dropped)
 *            12 u32 original frame length   16 u64 switch time, ns (UTC)
 *
 * Encoding and decoding only: no sockets (capture/capclient.c does the I/O).
 */
#ifndef VDEKIT_CAPTURE_CAPREQ_H
#define VDEKIT_CAPTURE_CAPREQ_H

#include <stddef.h>
#include <stdint.h>

#define CAPREQ_MAGIC		0xfeedfaceU
#define CAPREQ_VERSION		3
#define CAPREQ_TYPE		2		/* REQ_NEW_CAPTURE */
#define CAPREQ_SUN_LEN		110
#define CAPREQ_HDR		122		/* the v3 header, as for any port */
#define CAPREQ_BLOCK		8		/* the capture block after it */
#define CAPREQ_DESCR_MAX	120		/* 122 + 8 + 120 = 250, the v3 maximum */
#define CAPREQ_MAXLEN		(CAPREQ_HDR + CAPREQ_BLOCK + CAPREQ_DESCR_MAX)
#define CAPREQ_PORT_MAX		0xffffffU	/* travels as type >> 8 */
#define CAPREQ_VLAN_ANY		0xffffU
#define CAPREQ_VLAN_MAX		4095U

#define CAPREPLY_MAGIC		0x50414356U	/* bytes "VCAP" */
#define CAPREPLY_LEN		(CAPREQ_SUN_LEN + 8)	/* 118 */
#define CAPHDR_VERSION		1
#define CAPHDR_LEN		24

enum caphdr_dir {
	CAPHDR_IN = 1,		/* received by the switch on .port */
	CAPHDR_OUT = 2,		/* sent by the switch to .port */
};

struct capreq {
	unsigned port;			/* 0 = every port */
	unsigned vlan;			/* CAPREQ_VLAN_ANY or 0..4095 */
	uint32_t snaplen;		/* 0 = whole frames */
	const char *sockpath;		/* client's datagram socket, absolute */
	const char *descr;		/* NULL = "" */
};

struct capreply {
	char path[CAPREQ_SUN_LEN - 2 + 1];	/* switch's data socket */
	unsigned version;
	size_t hdrlen;			/* per-frame header length */
};

struct caphdr {
	enum caphdr_dir dir;
	unsigned vlan;
	uint32_t port;
	uint32_t seq;
	uint32_t orig_len;
	uint64_t ts_ns;
};

/**
 * capreq_encode() - encode a capture request
 * @r:		the request
 * @buf:	output, CAPREQ_MAXLEN bytes
 *
 * Return: bytes to send (130 + description length), 0 if a field is out of
 * range (port, VLAN, relative or too long path; a longer description is cut).
 */
size_t capreq_encode(const struct capreq *r, uint8_t buf[CAPREQ_MAXLEN]);

/**
 * capreq_decode() - the switch side: decode a capture request
 * @buf, @len:	the whole request as read from the ctl stream
 * @r:		filled on success; @r->sockpath and @r->descr point into @path
 *		and @descr
 * @path:	receives the client socket path, NUL-terminated
 * @descr:	receives the description, printable ASCII ('?' otherwise)
 *
 * Return: 0, or -1 if this is not a valid capture request.
 */
int capreq_decode(const uint8_t *buf, size_t len, struct capreq *r,
		  char path[CAPREQ_SUN_LEN - 1], char descr[CAPREQ_DESCR_MAX + 1]);

/**
 * capreply_parse() - check the switch's reply to a capture request
 * @buf, @len:	CAPREPLY_LEN bytes
 * @out:	filled on success
 *
 * Return: 0, -1 for a malformed reply (not a sockaddr_un, no "VCAP" ack,
 * unknown version, header shorter than CAPHDR_LEN).
 */
int capreply_parse(const uint8_t *buf, size_t len, struct capreply *out);

/* capreply_encode() - the switch side: sockaddr_un of @path + ack. Return:
 * CAPREPLY_LEN, or 0 if @path does not fit. */
size_t capreply_encode(const char *path, uint8_t buf[CAPREPLY_LEN]);

/**
 * caphdr_parse() - the header of one datagram from the switch
 * @buf, @len:	the datagram
 * @hdrlen:	header length announced in the reply
 * @h:		filled on success
 *
 * Return: the offset of the frame in @buf, or 0 for a malformed datagram
 * (shorter than @hdrlen, unknown version or direction, more frame bytes
 * than the original length).
 */
size_t caphdr_parse(const uint8_t *buf, size_t len, size_t hdrlen, struct caphdr *h);

/* caphdr_encode() - the switch side: write a CAPHDR_LEN-byte header. */
void caphdr_encode(const struct caphdr *h, uint8_t buf[CAPHDR_LEN]);

#endif
