/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capture/capout.h - buffered capture output that never blocks the capturer
 *
 * The capturing loop encodes blocks (pcapw.c) straight into a byte ring;
 * a writer thread writes the ring to the file (or stdout) and rotates
 * files as tcpdump -C/-W does, rewriting the file header and every
 * interface block at the start of each file. When the ring is full the new
 * copy is dropped and counted: the capturer never waits for the disk or
 * for a slow reader of stdout. At close the writer drains what it can
 * within a bounded time; what is left is counted as lost.
 */
#ifndef VDEKIT_CAPTURE_CAPOUT_H
#define VDEKIT_CAPTURE_CAPOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcapw.h"

struct capout;

struct capout_cfg {
	const char *path;		/* "-" = stdout */
	enum pcapw_format fmt;
	uint32_t snaplen;
	uint64_t file_size;		/* -C in bytes, 0 = one file */
	unsigned nfiles;		/* -W, 0 = unlimited */
	size_t bufsize;			/* ring bytes */
	unsigned drain_ms;		/* bound on the final drain at close */
};

struct capout_stats {
	uint64_t frames;		/* records handed to the writer */
	uint64_t bytes;			/* captured frame bytes in them */
	uint64_t dropped;		/* copies refused: ring full */
	uint64_t lost;			/* records not written (error or drain timeout) */
	unsigned files;			/* files opened */
	int error;			/* errno of the write error that stopped output, 0 */
};

/**
 * capout_open() - open the first file and start the writer
 * @cfg:	configuration (copied)
 * @err:	on failure, a message ("FILE: reason") is written here
 * @errlen:	its size
 *
 * Return: the output, or NULL.
 */
struct capout *capout_open(const struct capout_cfg *cfg, char *err, size_t errlen);

/**
 * capout_add_if() - declare a pcapng interface (no-op for pcap)
 * @o:		output
 * @name, @descr: if_name and if_description
 *
 * Return: the interface id for struct pcapw_pkt.ifid, or -1 (ring full:
 * the caller should not record frames of that interface).
 */
long capout_add_if(struct capout *o, const char *name, const char *descr);

/**
 * capout_frame() - record one frame
 * Return: true if queued, false if dropped (ring full or output stopped).
 */
bool capout_frame(struct capout *o, const struct pcapw_pkt *p);

/* capout_stats() - counters so far (@st->frames etc.); thread-safe. */
void capout_stats(struct capout *o, struct capout_stats *st);

/* capout_failed() - true once the writer stopped on an error (EPIPE...). */
bool capout_failed(struct capout *o);

/* capout_isb() - queue a pcapng Interface Statistics Block (no-op for pcap):
 * @recv frames seen on interface @ifid, @drops of them not recorded. */
void capout_isb(struct capout *o, uint32_t ifid, uint64_t recv, uint64_t drops);

/**
 * capout_close() - drain within drain_ms, stop the writer, close the file,
 * free @o.
 * @st:		final counters
 */
void capout_close(struct capout *o, struct capout_stats *st);

#endif
