// SPDX-License-Identifier: GPL-2.0-or-later
/* switch/pdump.c - VDE 2's pdump plugin, built in: frames into a pcap file
 *
 * Theory of operation: `pdump/filename FILE` (default vde_dump.cap, in the
 * switch's working directory) opens the file at once and writes the pcap
 * header; `pdump/active 1` opens it if needed and records from then on
 * every frame the switch receives and every frame it sends to a port, as
 * VDE 2's plugin does (a flooded frame appears once received and once per
 * port it went to). The bytes are those libpcap writes for VDE 2: a
 * classic pcap header with snaplen 96 and link type Ethernet, then one
 * record per frame with the whole frame (caplen = len) and a microsecond
 * timestamp (capture/pcapw.c encodes them); tcpdump reads both files the
 * same way. Unlike VDE 2 the file is truncated when opened (VDE 2 left
 * the tail of a longer old file after the new records). `pdump/buffered
 * 1` lets stdio buffer the writes; by default each record is flushed.
 * A write error stops recording (logged once) until the next
 * pdump/active 1 or pdump/filename.
 *
 * A FIFO (`wireshark -k -i FIFO` reading it) is written without blocking
 * and without stdio: a record goes only when it fits whole in the pipe, so
 * a reader that stops reading costs records (dropped and counted, said in
 * the log when it starts and when the reader is back), never the switch's
 * time, and the reader never sees a cut record. (VDE 2's plugin blocked
 * the whole switch on such a reader.) If another writer shares the FIFO
 * and a record still goes out only in part, its rest waits in a buffer and
 * goes first with the next record, or when the FIFO is closed (if the pipe
 * cannot take it then, the log says that the reader got a cut record).
 * Without FIONREAD (the room unknown) records go as the pipe takes them,
 * with the same buffer for a record larger than PIPE_BUF.
 *
 * A FIFO or a regular file takes one pcap stream: pdump holds an flock()
 * on it while it is open, and a second switch of ours that names the same
 * file is refused with that reason (two streams in one FIFO put a second
 * pcap header and records of both among each other: a corrupt capture
 * for the reader; two switches in one file overwrote each other). The
 * file is truncated only once the lock is held. Devices such as /dev/null
 * are not locked.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "console.h"
#include "log.h"
#include "parse.h"
#include "pcapw.h"
#include "tool.h"
#include "switch.h"
#include "pdump.h"

#define PDUMP_DEFAULT	"vde_dump.cap"
#define PDUMP_SNAPLEN	96		/* the header's snaplen, as VDE 2's */
#define PDUMP_REC_HDR	16		/* pcap record header */

struct pdump {
	char *filename;
	FILE *f;			/* open dumper (a file), or NULL */
	int pipefd;			/* open dumper (a FIFO, non-blocking), or -1 */
	int pipecap;			/* its capacity (F_GETPIPE_SZ at open), or -1 */
	uint8_t *rest;			/* FIFO: the unwritten end of a record */
	size_t restlen, restoff;
	uint64_t dropped;		/* FIFO: records since the reader fell behind */
	bool active;			/* pdump/active 1 */
	bool buffered;			/* pdump/buffered 1 */
	uint8_t *rec;			/* one record: header + the largest frame */
	size_t recsize;
};

/* VDE 2 parses 0/1 arguments with atoi(): an empty one is 0. */
static int pdump_flag(const char *args, bool *on)
{
	const char *errstr = NULL;
	long long v = 0;

	if (*args)
		v = parse_num(args, 0, 1LL << 31, &errstr);
	*on = v != 0;
	return errstr ? EINVAL : 0;
}

/* FIFO: write what waits of a cut record. 1 all out, 0 no room, -1 error. */
static int pdump_pipe_rest(struct pdump *pd)
{
	ssize_t w;

	while (pd->restoff < pd->restlen) {
		w = write(pd->pipefd, pd->rest + pd->restoff, pd->restlen - pd->restoff);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (w <= 0)
			return -1;
		pd->restoff += (size_t)w;
	}
	pd->restlen = pd->restoff = 0;
	return 1;
}

static void pdump_close(struct pdump *pd)
{
	/* the reader must not be left with a cut record: a last chance for
	 * its rest, and word of it if the pipe does not take it */
	int r = pd->pipefd >= 0 && pd->restlen ? pdump_pipe_rest(pd) : 1;

	if (r == 0 || (r < 0 && errno != EPIPE))	/* (EPIPE: no reader left) */
		log_warn("pdump %s: the reader got a cut record (its last %zu bytes could not be written)",
			 pd->filename, pd->restlen - pd->restoff);
	if (pd->f && fclose(pd->f) != 0)
		log_warn("pdump %s: %s", pd->filename, strerror(errno));
	pd->f = NULL;
	if (pd->dropped)
		log_warn("pdump %s: %llu records dropped while the reader was behind",
			 pd->filename, (unsigned long long)pd->dropped);
	if (pd->pipefd >= 0)
		close(pd->pipefd);
	pd->pipefd = -1;
	pd->restlen = pd->restoff = 0;
	pd->dropped = 0;
}

/* FIFO: the bytes the pipe can still take, or -1 if it cannot be told. */
static long pdump_pipe_room(const struct pdump *pd)
{
	int used = 0;

	if (pd->pipecap < 0 || ioctl(pd->pipefd, FIONREAD, &used) < 0 || used < 0)
		return -1;
	return used < pd->pipecap ? (long)(pd->pipecap - used) : 0;
}

/* FIFO: write @rec[0..n) whole or not at all (the rest of a record cut by
 * another writer goes first). 1 written, 0 dropped (no room), -1 error. */
static int pdump_pipe_write(struct pdump *pd, const uint8_t *rec, size_t n)
{
	ssize_t w;
	long room;
	int r = pdump_pipe_rest(pd);

	if (r != 1)
		return r;
	room = pdump_pipe_room(pd);
	if (room >= 0 && (size_t)room < n)
		return 0;
	do {
		w = write(pd->pipefd, rec, n);
	} while (w < 0 && errno == EINTR);
	if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (w <= 0)
		return -1;
	if ((size_t)w < n) {		/* another writer took the room */
		memcpy(pd->rest, rec + w, n - (size_t)w);
		pd->restlen = n - (size_t)w;
	}
	return 1;
}

/* Open the file and write the pcap header; the errors go to @out. */
/* The file type of @fd (0 if fstat() fails). */
static mode_t st_mode_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) < 0 ? 0 : st.st_mode;
}

/* A FIFO or file takes one pcap stream: @fd's, if no other switch of
 * ours holds the lock (its records and header mixed into ours would be a
 * corrupt capture); a regular file is truncated only once it is ours. */
static int pdump_claim(const struct pdump *pd, int fd, mode_t mode, FILE *out)
{
	if (!S_ISFIFO(mode) && !S_ISREG(mode))
		return 0;		/* /dev/null, a terminal...: shared freely */
	/* (a file system without flock(): unlocked, as before) */
	if (flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK) {
		fprintf(out, "set_dumper() %s: another switch is dumping into it "
			"(one pcap stream per file)\n", pd->filename);
		return -1;
	}
	if (S_ISREG(mode) && ftruncate(fd, 0) < 0) {
		fprintf(out, "set_dumper() ftruncate(%s): %s\n", pd->filename, strerror(errno));
		return -1;
	}
	return 0;
}

static int pdump_open(struct pdump *pd, FILE *out)
{
	uint8_t h[24];
	mode_t mode;
	int fd;

	/* a FIFO without a reader: an error now, not a switch stopped in open();
	 * no O_TRUNC: the file may be another switch's (pdump_claim()) */
	fd = tool_open_out(pd->filename, O_CREAT, 0600);
	if (fd < 0) {
		fprintf(out, "set_dumper() open(%s): %s\n", pd->filename, strerror(errno));
		return -1;
	}
	mode = st_mode_of(fd);
	if (pdump_claim(pd, fd, mode, out) < 0) {
		close(fd);
		return -1;
	}
	if (S_ISFIFO(mode)) {
		int fl = fcntl(fd, F_GETFL);

		pd->pipefd = fd;
		pd->pipecap = fcntl(fd, F_GETPIPE_SZ);
		/* written blocking, it could stop the switch: refused */
		if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
			fprintf(out, "set_dumper() fcntl(O_NONBLOCK): %s\n", strerror(errno));
			pdump_close(pd);
			return -1;
		}
		errno = EAGAIN;		/* a header that does not fit: a full FIFO */
		if (pcapw_header(PCAPW_PCAP, PDUMP_SNAPLEN, NULL, h, sizeof(h)) != sizeof(h) ||
		    pdump_pipe_write(pd, h, sizeof(h)) != 1) {
			fprintf(out, "set_dumper() write(): %s\n", strerror(errno));
			pdump_close(pd);
			return -1;
		}
		return 0;
	}
	pd->f = fdopen(fd, "w");
	if (!pd->f) {
		fprintf(out, "set_dumper() fdopen(): %s\n", strerror(errno));
		close(fd);
		return -1;
	}
	if (pcapw_header(PCAPW_PCAP, PDUMP_SNAPLEN, NULL, h, sizeof(h)) != sizeof(h) ||
	    fwrite(h, 1, sizeof(h), pd->f) != sizeof(h) || fflush(pd->f) != 0) {
		fprintf(out, "set_dumper() write(): %s\n", strerror(errno));
		pdump_close(pd);
		return -1;
	}
	return 0;
}

static int pdump_cmd_active(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	struct pdump *pd = sw->plugins.pdump;
	bool on;
	int rv = 0;

	if (pdump_flag(args, &on))
		return EINVAL;
	if (on) {
		if (!pd->f && pd->pipefd < 0 && pdump_open(pd, out) < 0) {
			fprintf(out, "ERROR: cannot dump to %s\n", pd->filename);
			return EINVAL;
		}
		if (pd->active)
			rv = EEXIST;
		pd->active = true;
	} else {
		if (!pd->active)
			rv = ENOENT;
		pd->active = false;
		if (pd->f)
			fflush(pd->f);
	}
	plugins_update(sw);
	return rv;
}

static int pdump_cmd_filename(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	struct pdump *pd = sw->plugins.pdump;
	char *name;

	if (*args) {
		name = strdup(args);
		if (!name)
			return ENOMEM;
		pdump_close(pd);	/* its counts said under the old name */
		free(pd->filename);
		pd->filename = name;
		if (pdump_open(pd, out) < 0) {
			fprintf(out, "ERROR: cannot dump to %s\n", pd->filename);
			plugins_update(sw);
			return EINVAL;
		}
	}
	fprintf(out, "dumpfile=%s\n", pd->filename);
	plugins_update(sw);
	return 0;
}

static int pdump_cmd_buffered(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	struct pdump *pd = sw->plugins.pdump;
	bool on;

	(void)out;
	if (pdump_flag(args, &on))
		return EINVAL;
	pd->buffered = on;
	if (!on && pd->f)
		fflush(pd->f);
	return 0;
}

static const struct console_cmd pdump_cmds[] = {
	{ "pdump", "============", "DUMP Packets to file", NULL, CONSOLE_MENU },
	{ "pdump/active", "0/1", "start dumping data", pdump_cmd_active, CONSOLE_OUTPUT },
	{ "pdump/filename", "<file>", "set/show output filename (default: vde_dump.cap)",
	  pdump_cmd_filename, CONSOLE_OUTPUT },
	{ "pdump/buffered", "0/1", "set buffered/unbuffered dump", pdump_cmd_buffered, 0 },
};

/* VDE 2 lists these; as there, recording does not depend on them. */
static const struct console_debug_cat pdump_cats[] = {
	{ "pdump/packetin", 0101, "dump incoming packet to file" },
	{ "pdump/packetout", 0102, "dump outgoing packet to file" },
};

/**
 * pdump_load() - see pdump.h
 */
int pdump_load(struct sw *sw)
{
	struct pdump *pd = calloc(1, sizeof(*pd));

	if (!pd)
		return ENOMEM;
	sw->plugins.pdump = pd;
	pd->pipefd = -1;
	pd->filename = strdup(PDUMP_DEFAULT);
	pd->recsize = PDUMP_REC_HDR + (size_t)FWD_FRAME_MAX;
	pd->rec = malloc(pd->recsize);
	pd->rest = malloc(pd->recsize);
	if (!pd->filename || !pd->rec || !pd->rest ||
	    console_add_cmds(sw->con, pdump_cmds, sizeof(pdump_cmds) / sizeof(pdump_cmds[0])) < 0 ||
	    console_add_debug(sw->con, pdump_cats, sizeof(pdump_cats) / sizeof(pdump_cats[0])) < 0)
		return ENOMEM;
	return 0;
}

/**
 * pdump_unload() - see pdump.h
 */
void pdump_unload(struct sw *sw)
{
	struct pdump *pd = sw->plugins.pdump;

	console_del_cmds(sw->con, pdump_cmds, sizeof(pdump_cmds) / sizeof(pdump_cmds[0]));
	console_del_debug(sw->con, pdump_cats, sizeof(pdump_cats) / sizeof(pdump_cats[0]));
	if (!pd)
		return;
	pdump_close(pd);
	free(pd->filename);
	free(pd->rec);
	free(pd->rest);
	free(pd);
	sw->plugins.pdump = NULL;
}

/**
 * pdump_active() - see pdump.h
 */
bool pdump_active(const struct pdump *pd)
{
	return pd->active && (pd->f || pd->pipefd >= 0);
}

/**
 * pdump_frame() - see pdump.h
 */
void pdump_frame(struct sw *sw, const uint8_t *frame, size_t len)
{
	struct pdump *pd = sw->plugins.pdump;
	struct pcapw_pkt p = { .data = frame, .len = len };
	struct timespec ts;
	size_t n;

	if (!pdump_active(pd))
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	p.ts_ns = (uint64_t)ts.tv_sec * 1000000000U + (uint64_t)ts.tv_nsec;
	/* whole frames (caplen = len) even though the header says 96 */
	n = pcapw_record(PCAPW_PCAP, 0, &p, pd->rec, pd->recsize);
	if (n == 0 || n > pd->recsize)
		return;
	if (pd->pipefd >= 0) {
		int r = pdump_pipe_write(pd, pd->rec, n);

		if (r == 0 && pd->dropped++ == 0)
			log_warn("pdump %s: the reader is not keeping up: dropping records",
				 pd->filename);
		if (r == 1 && pd->dropped) {
			log_warn("pdump %s: %llu records dropped while the reader was behind",
				 pd->filename, (unsigned long long)pd->dropped);
			pd->dropped = 0;
		}
		if (r >= 0)
			return;
		log_warn("pdump %s: %s: recording stopped", pd->filename, strerror(errno));
		pdump_close(pd);
		plugins_update(sw);
		return;
	}
	if (fwrite(pd->rec, 1, n, pd->f) != n || (!pd->buffered && fflush(pd->f) != 0)) {
		log_warn("pdump %s: %s: recording stopped", pd->filename, strerror(errno));
		pdump_close(pd);
		plugins_update(sw);
	}
}
