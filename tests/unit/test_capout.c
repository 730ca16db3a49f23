// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_capout.c - the capture output (ring + writer thread) on
 * real files in a temporary directory: tcpdump's -C rule (a new file before
 * a frame once the file is larger than the limit), -C alone and -C with -W
 * (files reused in turn), every file starting with the header and all
 * interfaces, the exact bytes, and a write error (/dev/full) that stops
 * the output and counts what was lost */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capout.h"
#include "pcapw.h"
#include "tap.h"

static char dir[] = "/tmp/test_capout.XXXXXX";

static long fsize(const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) ? -1 : (long)st.st_size;
}

static int slurp(const char *name, uint8_t *buf, size_t size)
{
	char path[256];
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f)
		return -1;
	n = (int)fread(buf, 1, size, f);
	fclose(f);
	return n;
}

static struct capout *open_out(const char *name, enum pcapw_format fmt, uint64_t size,
			       unsigned nfiles)
{
	char path[256], err[256];
	struct capout_cfg cfg = {
		.path = path, .fmt = fmt, .file_size = size, .nfiles = nfiles,
		.bufsize = 1 << 20, .drain_ms = 2000,
	};
	struct capout *o;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	o = capout_open(&cfg, err, sizeof(err));
	if (!o)
		printf("# capout_open: %s\n", err);
	return o;
}

/* Ten 60-byte frames, frame i filled with byte i. */
static void ten_frames(struct capout *o, uint32_t ifid)
{
	uint8_t f[60];
	unsigned i;

	for (i = 0; i < 10; i++) {
		struct pcapw_pkt p = { .ts_ns = 1000000000ULL * (i + 1), .ifid = ifid,
				       .data = f, .len = sizeof(f) };

		memset(f, (int)i, sizeof(f));
		capout_frame(o, &p);
	}
}

static void test_rotate_pcap(void)
{
	struct capout_stats st;
	struct capout *o = open_out("r.pcap", PCAPW_PCAP, 100, 0);
	uint8_t b[512];
	const char *names[] = { "r.pcap", "r.pcap1", "r.pcap2", "r.pcap3", "r.pcap4" };
	unsigned i;
	int ok_all = 1;

	if (!ok(o != NULL, "open r.pcap"))
		return;
	ten_frames(o, 0);
	capout_close(o, &st);
	ok(st.frames == 10 && st.dropped == 0 && st.lost == 0 && st.files == 5 && !st.error,
	   "-C 100: 10 frames in 5 files (frames %llu files %u)",
	   (unsigned long long)st.frames, st.files);
	/* 24 + 76 = 100 is not larger than 100: a second frame, then a new file */
	for (i = 0; i < 5; i++) {
		int n = slurp(names[i], b, sizeof(b));

		ok_all &= n == 24 + 2 * 76 && b[24 + 16] == 2 * i && b[24 + 76 + 16] == 2 * i + 1 &&
			  b[0] == 0xd4 && b[20] == 1;
	}
	ok(ok_all, "each file: pcap header then frames 2i and 2i+1");
	ok(fsize("r.pcap5") == -1, "no sixth file");
}

static void test_rotate_ring(void)
{
	struct capout_stats st;
	struct capout *o = open_out("w.pcap", PCAPW_PCAP, 100, 3);
	uint8_t b[512];

	if (!ok(o != NULL, "open w.pcap"))
		return;
	ten_frames(o, 0);
	capout_close(o, &st);
	ok(st.files == 5, "-W 3: 5 files opened");
	ok(slurp("w.pcap0", b, sizeof(b)) == 176 && b[40] == 6 && b[116] == 7,
	   "w.pcap0 reused: frames 6, 7");
	ok(slurp("w.pcap1", b, sizeof(b)) == 176 && b[40] == 8 && b[116] == 9,
	   "w.pcap1 reused: frames 8, 9");
	ok(slurp("w.pcap2", b, sizeof(b)) == 176 && b[40] == 4 && b[116] == 5,
	   "w.pcap2: frames 4, 5");
	ok(fsize("w.pcap") == -1 && fsize("w.pcap3") == -1, "no w.pcap, no w.pcap3");
}

static void test_rotate_pcapng(void)
{
	struct capout_stats st;
	struct capout *o = open_out("n.pcapng", PCAPW_PCAPNG, 200, 0);
	uint8_t b[1024], idb[64];
	size_t shb;
	size_t idblen = pcapw_idb(0, "cable", "x", idb, sizeof(idb));
	long id;
	int n;

	if (!ok(o != NULL, "open n.pcapng"))
		return;
	id = capout_add_if(o, "cable", "x");
	ok(id == 0, "first interface is 0");
	ten_frames(o, (uint32_t)id);
	capout_close(o, &st);
	ok(st.files >= 2, "pcapng rotated (%u files)", st.files);
	n = slurp("n.pcapng1", b, sizeof(b));
	/* the SHB carries shb_userappl: find the IDB by its type after it */
	ok(n > 0 && b[0] == 0x0a && b[1] == 0x0d, "second file starts with a section header");
	shb = (size_t)(b[4] | b[5] << 8);
	ok(n > 0 && (size_t)n > shb + idblen && !memcmp(b + shb, idb, idblen) && b[shb + idblen] == 6,
	   "then the interface block again, then frames");
}

static void test_write_error(void)
{
	char err[256];
	struct capout_cfg cfg = { .path = "/dev/full", .fmt = PCAPW_PCAP, .bufsize = 1 << 16,
				  .drain_ms = 2000 };
	struct capout_stats st;
	struct capout *o = capout_open(&cfg, err, sizeof(err));
	unsigned i;

	if (!ok(o != NULL, "open /dev/full"))
		return;
	for (i = 0; i < 200 && !capout_failed(o); i++) {
		ten_frames(o, 0);
		usleep(10000);
	}
	ok(capout_failed(o), "a write error stops the output");
	ten_frames(o, 0);
	capout_close(o, &st);
	ok(st.error == ENOSPC, "the error is ENOSPC (%d)", st.error);
	ok(st.dropped >= 10, "frames offered after the error are dropped (%llu)",
	   (unsigned long long)st.dropped);
}

int main(void)
{
	char cmd[300];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_rotate_pcap();
	test_rotate_ring();
	test_rotate_pcapng();
	test_write_error();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return tap_done();
}
