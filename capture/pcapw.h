/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capture/pcapw.h - pure pcap and pcapng block encoder for vdecapture
 *
 * Encodes the bytes of capture files into caller buffers: no I/O, no
 * allocation, no clock (timestamps are arguments). Every function returns
 * the number of bytes the block needs and writes it only when @size is at
 * least that (snprintf's contract), so a caller can size a buffer first
 * with (NULL, 0); 0 means the arguments cannot be encoded at all. All
 * fields are written little-endian whatever the host (readers detect the
 * byte order from the magic), so the bytes are the same on every machine.
 *
 * pcap: 24-byte global header (magic a1b2c3d4, version 2.4, microsecond
 * timestamps, LINKTYPE_ETHERNET), then 16-byte record headers. pcap has no
 * interfaces, no direction and no comments: those are not written.
 * pcapng: Section Header Block (with shb_userappl), Interface Description
 * Blocks (if_name, if_description, if_tsresol = 9: nanoseconds), Enhanced
 * Packet Blocks (epb_flags with the direction, opt_comment) and Interface
 * Statistics Blocks (isb_ifrecv, isb_ifdrop). Data and options are padded
 * to 32 bits; every block ends with its total length again.
 */
#ifndef VDEKIT_CAPTURE_PCAPW_H
#define VDEKIT_CAPTURE_PCAPW_H

#include <stddef.h>
#include <stdint.h>

#define PCAPW_LINKTYPE_ETHERNET	1
#define PCAPW_SNAPLEN_DEFAULT	262144U	/* tcpdump's default */
#define PCAPW_STRMAX		65532U	/* longest string option (padded < 65536) */

#define PCAP_MAGIC_US		0xa1b2c3d4U
#define PCAPNG_BT_SHB		0x0a0d0d0aU
#define PCAPNG_BT_IDB		0x00000001U
#define PCAPNG_BT_ISB		0x00000005U
#define PCAPNG_BT_EPB		0x00000006U
#define PCAPNG_BYTE_ORDER	0x1a2b3c4dU

enum pcapw_format {
	PCAPW_PCAP,
	PCAPW_PCAPNG,
};

/* epb_flags bits 0-1 (pcapng): the direction of a frame */
enum pcapw_dir {
	PCAPW_DIR_NONE = 0,	/* not known: no epb_flags option */
	PCAPW_DIR_IN = 1,	/* inbound */
	PCAPW_DIR_OUT = 2,	/* outbound */
};

struct pcapw_pkt {
	uint64_t ts_ns;			/* nanoseconds since the epoch */
	uint32_t ifid;			/* pcapng interface (IDB order, from 0) */
	enum pcapw_dir dir;
	const uint8_t *data;		/* the frame as it travelled */
	size_t len;			/* bytes at @data */
	size_t orig_len;		/* length on the wire if more than @len
					 * (a copy already cut short), 0 = @len */
	const char *comment;		/* pcapng opt_comment, NULL = none */
};

/**
 * pcapw_header() - the start of a file: pcap global header or pcapng SHB
 * @fmt:	PCAPW_PCAP or PCAPW_PCAPNG
 * @snaplen:	pcap snaplen field (1..UINT32_MAX); ignored for pcapng
 * @appl:	pcapng shb_userappl, NULL or "" = none
 * @buf, @size:	output
 *
 * Return: bytes needed (written if <= @size), 0 for bad arguments.
 */
size_t pcapw_header(enum pcapw_format fmt, uint32_t snaplen, const char *appl,
		    uint8_t *buf, size_t size);

/**
 * pcapw_idb() - a pcapng Interface Description Block (Ethernet, ns resolution)
 * @snaplen:	the interface's snaplen (0 = no limit, as pcapng allows)
 * @name:	if_name, NULL or "" = none
 * @descr:	if_description, NULL or "" = none
 * @buf, @size:	output
 *
 * Return: bytes needed (written if <= @size), 0 for bad arguments.
 */
size_t pcapw_idb(uint32_t snaplen, const char *name, const char *descr,
		 uint8_t *buf, size_t size);

/**
 * pcapw_record() - one frame: a pcap record or a pcapng EPB
 * @fmt:	the file's format
 * @snaplen:	captured bytes are min(@p->len, @snaplen); 0 = no limit
 * @p:		the frame (@p->data may be NULL only when @p->len is 0)
 * @buf, @size:	output
 *
 * Return: bytes needed (written if <= @size), 0 for bad arguments (a
 * length that does not fit the format's 32-bit fields, a bad direction).
 */
size_t pcapw_record(enum pcapw_format fmt, uint32_t snaplen, const struct pcapw_pkt *p,
		    uint8_t *buf, size_t size);

/**
 * pcapw_isb() - a pcapng Interface Statistics Block
 * @ifid:	interface
 * @ts_ns:	when the counters were taken
 * @recv:	isb_ifrecv: frames seen
 * @drop:	isb_ifdrop: frames seen but not recorded
 * @buf, @size:	output
 *
 * Return: bytes needed (written if <= @size).
 */
size_t pcapw_isb(uint32_t ifid, uint64_t ts_ns, uint64_t recv, uint64_t drop,
		 uint8_t *buf, size_t size);

/**
 * pcapw_file_name() - the name of rotated file number @idx, as tcpdump -C/-W
 * @out, @size:	output, NUL-terminated
 * @base:	the -w name
 * @idx:	0 for the first file
 * @nfiles:	-W (0 = unlimited: the first file is @base itself, then
 *		@base1, @base2...; with -W the number has as many digits as
 *		@nfiles - 1, so -W 10 gives base0..base9, -W 11 base00..base10)
 *
 * Return: 0, or -1 if the name does not fit.
 */
int pcapw_file_name(char *out, size_t size, const char *base, unsigned idx, unsigned nfiles);

#endif
