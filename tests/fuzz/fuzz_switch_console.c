// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/fuzz/fuzz_switch_console.c - fuzz vde_switch's real console commands
 *
 * Each input runs on a real switch made by sw_core_setup() (swcore.c), as
 * main.c makes it (port table, MAC table, loop, topology, FSTP, switch
 * directory with DIR/ctl and DIR/.fastpath, console with every command
 * table: commands.c, cmdjson.c, capture.c, plugins.c with the dump, pdump
 * and iplog plugins, ep_vhost.c), all in libswitchio.la, the objects
 * vde_switch links. Not made (main.c's own): the process's umask, SIGPIPE
 * and fd limit, the taps, VXLAN endpoints and vhost-user listeners of the
 * command line, the management socket and the rc file (start-up options,
 * not console input); the loop never runs, so no frame is received and no
 * client but the harness's own (byte 0, bit 5) attaches (FSTP's BPDUs to
 * those clients are the only frames sent). The private directory
 * ($TMPDIR/fzswcon.PID.XXXXXX) is made once and removed at exit; one that
 * an aborted run left (its PID gone) is removed when the next one starts
 * (a handler of our own for SIGABRT would take libFuzzer's crash report
 * away); each run works in its subdirectory w/ (chdir, then back).
 *
 * Input: byte 0 chooses the switch: bits 0-1 the number of ports (1, 3, 8,
 * 32), bit 2 hub mode, bit 3 FSTP (-F; hub mode wins, as in main.c), bit 4
 * the built-in plugins dump, pdump and iplog loaded first, bit 5 three
 * clients attached as ctlserver.c attaches them (real data sockets in the
 * work directory): two on port 1, one on port 3 (on port 1 too with a
 * single port). The rest is a byte stream cut into lines by the console's
 * own splitter; at most FZ_LINES lines run, each through
 * console_exec_line() as a session's.
 *
 * Skipped or tamed (every other command runs as a user would run it):
 *  - the file and socket arguments of load, pdump/filename, iplog/logfile,
 *    vhost/add and vhost/del get every '/' replaced by '_', so that they
 *    name entries of the harness's work directory, which holds two files
 *    made for load ("rc": a few commands, "self": loads itself) and what
 *    the commands themselves make there (pcap files, logs, sockets);
 *  - shutdown runs (on_shutdown only records it) and ends the input, as
 *    the switch would stop; logout runs (no session to close);
 *  - nothing else: plugin/add only knows the built-in plugins (no file is
 *    loaded), port/epclose finds no endpoint.
 *
 * Invariants (abort() on violation):
 *  - every answer is nothing (empty or comment line), exactly "9999 END OF
 *    SESSION", or ends with one status line "1NNN <strerror(NNN)>\n"
 *    matching the returned code; a "0000 DATA END WITH '.'" block is closed
 *    by a lone "." line before the status and no body line is a lone "."
 *    (that would end the block early); a command without output answers
 *    only its status; with "-j" and success the body is one line that
 *    parses as one JSON value (jsoncheck.c);
 *  - after every command, the switch's state is consistent: 1..4096 ports,
 *    endpoints only the harness's clients, each in the list of its port
 *    (nep counts them, their port exists), an empty MAC table with a power-of-2 bucket count, a port
 *    that does not exist is in its reset state, an existing port's
 *    untagged VLAN exists (or is none) and its tagged bitmap names only
 *    existing VLANs other than the untagged one, VLAN 4095 never exists,
 *    mirror sessions name existing ports and agree with their bitmaps,
 *    FSTP is never on in hub mode and covers every slot, and as no BPDU
 *    ever comes in, no port of an existing VLAN is blocked or a root port;
 *    plugins loaded at most once;
 *  - a table command and its -j form answer the same status code;
 *  - at the end: port/showinfo and vlan/allprint print exactly what an
 *    independent reading of the tables gives, and the -j form of every
 *    table parses;
 *  - the same lines run again on a fresh switch made with the same byte 0
 *    give the same bytes, except showinfo, port/stats, fstp/print and load
 *    (pid, uptime, rates, ages; load may run any of them) whose status
 *    alone is compared.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "console.h"
#include "log.h"
#include "loop.h"
#include "switch.h"
#include "ctlserver.h"
#include "ep_dgram.h"
#include "swcore.h"
#include "vlan.h"
#include "jsoncheck.h"
#include "fzexec.h"

#define FZ_LINES	48		/* lines run per input */
#define DATA_HDR	"0000 DATA END WITH '.'\n"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fz_root[64];		/* private directory */
static char fz_work[96];		/* fz_root/w: the switch's cwd */
static char fz_ctl[96];			/* fz_root/ctl: its DIR */
static int fz_cwd = -1;			/* the caller's directory */
#define FZ_CLIENTS	3
static int fz_cli[FZ_CLIENTS][2];	/* a client's data socket and ctl end */
static bool fz_shutdown;
static bool fz_verbose;			/* FZ_VERBOSE=1: lines and answers to stderr */

/* ---- the private directory ---- */

static void fz_empty_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[512];

	if (!d)
		return;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    snprintf(p, sizeof(p), "%s/%s", dir, e->d_name) < (int)sizeof(p))
			(void)unlink(p);
	closedir(d);
}

static void fz_cleanup(void)
{
	if (!fz_root[0])
		return;
	fz_empty_dir(fz_work);
	fz_empty_dir(fz_ctl);
	(void)rmdir(fz_work);
	(void)rmdir(fz_ctl);
	(void)rmdir(fz_root);
}

/* Remove the private directories of earlier runs that ended without
 * their exit handler (an input that aborted): fzswcon.PID.XXXXXX in @tmp,
 * ours, whose PID no longer exists. */
static void fz_remove_stale(const char *tmp)
{
	DIR *d = opendir(tmp);
	struct dirent *e;
	struct stat st;
	char root[512], sub[560];
	const char *subs[] = { "w", "ctl" };
	unsigned long pid;
	char *end;
	size_t i;

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "fzswcon.", 8))
			continue;
		errno = 0;
		pid = strtoul(e->d_name + 8, &end, 10);
		if (errno || end == e->d_name + 8 || *end != '.' || pid == 0 || pid > INT32_MAX ||
		    strlen(end + 1) != 6 || (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
			continue;
		if (snprintf(root, sizeof(root), "%s/%s", tmp, e->d_name) >= (int)sizeof(root) ||
		    lstat(root, &st) || !S_ISDIR(st.st_mode) || st.st_uid != getuid())
			continue;
		for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
			snprintf(sub, sizeof(sub), "%s/%s", root, subs[i]);
			fz_empty_dir(sub);
			(void)rmdir(sub);
		}
		(void)rmdir(root);
	}
	closedir(d);
}

static void fz_write(const char *name, const char *text)
{
	FILE *f = fopen(name, "w");

	if (!f || fputs(text, f) < 0 || fclose(f))
		abort();
}

static void fz_init(void)
{
	const char *tmp = getenv("TMPDIR");

	if (fz_root[0])
		return;
	if (!tmp || !*tmp || snprintf(fz_root, sizeof(fz_root), "%s/fzswcon.%ld.XXXXXX", tmp,
				      (long)getpid()) >= (int)sizeof(fz_root))
		tmp = "/tmp";
	snprintf(fz_root, sizeof(fz_root), "%s/fzswcon.%ld.XXXXXX", tmp, (long)getpid());
	fz_remove_stale(tmp);
	if (!mkdtemp(fz_root))
		abort();
	snprintf(fz_work, sizeof(fz_work), "%s/w", fz_root);
	snprintf(fz_ctl, sizeof(fz_ctl), "%s/ctl", fz_root);
	fz_cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fz_cwd < 0 || mkdir(fz_work, 0700))
		abort();
	atexit(fz_cleanup);
	fz_verbose = getenv("FZ_VERBOSE") && !strcmp(getenv("FZ_VERBOSE"), "1");
	log_init("fuzz_switch_console");
	log_set_level(LOG_CRIT);
	signal(SIGPIPE, SIG_IGN);
}

/* a fresh work directory, the current one during a run: the same files
 * for every run */
static void fz_reset_work(void)
{
	if (chdir(fz_work))
		abort();
	fz_empty_dir(fz_work);
	fz_write("rc", "vlan/create 10\nport/create 2\nvlan/addport 10 2\nport/setvlan 2 10\n"
		 "port/print\nbogus\n");
	fz_write("self", "load self\n");
}

/* ---- the switch: main.c's core (swcore.c) and clients ---- */

static void fz_on_shutdown(void *ctx)
{
	(void)ctx;
	fz_shutdown = true;
}

static void fz_teardown(struct sw *sw)
{
	unsigned k;

	sw_core_teardown(sw);
	free(sw);
	for (k = 0; k < FZ_CLIENTS; k++) {
		if (fz_cli[k][0] > 0)
			close(fz_cli[k][0]);
		if (fz_cli[k][1] > 0)
			close(fz_cli[k][1]);
		fz_cli[k][0] = fz_cli[k][1] = 0;
	}
}

/* A client asks for @port as ctlserver.c grants it (ep_dgram_peer(),
 * port_select(), ep_dgram_open()): its data socket is bound in the work
 * directory, its end of the ctl stream is kept until the teardown. */
static void fz_client(struct sw *sw, unsigned k, unsigned port)
{
	struct ctl_request req;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *why;
	int sp[2], peer;
	unsigned p;

	memset(&req, 0, sizeof(req));
	req.version = 3;
	req.type = CTL_REQ_NEW_CONTROL;
	req.port = port;
	snprintf(req.path, sizeof(req.path), "%s/client%u", fz_work, k);
	snprintf(req.descr, sizeof(req.descr), "fuzz client %u", k);
	if (strlen(req.path) >= sizeof(sa.sun_path))
		abort();
	memcpy(sa.sun_path, req.path, strlen(req.path) + 1);
	fz_cli[k][0] = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fz_cli[k][0] < 0 || bind(fz_cli[k][0], (struct sockaddr *)&sa, sizeof(sa)) ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp))
		abort();
	fz_cli[k][1] = sp[1];
	peer = ep_dgram_peer(req.path, getuid());
	if (peer < 0 || port_select(&sw->pt, &req, getuid(), ctlsrv_gid_member, &p) ||
	    ep_dgram_open(sw, sp[0], &req, peer, getuid(), p, &why) < 0)
		abort();
	close(peer);
}

static struct sw *fz_switch(uint8_t opt)
{
	static const unsigned nports[4] = { 1, 3, 8, 32 };
	static const uint8_t mac[6] = { 0x00, 0xff, 0x12, 0x34, 0x56, 0x78 };
	struct sw *sw = malloc(sizeof(*sw));

	if (!sw)
		abort();
	sw_defaults(sw);
	memcpy(sw->mac, mac, sizeof(mac));
	sw->fstp_on = (opt & 8) && !(opt & 4);
	sw->ctl_dir = fz_ctl;
	if (sw_core_setup(sw, nports[opt & 3], FDB_DEF_HASHSIZE, opt & 4, fz_on_shutdown,
			  NULL) < 0)
		abort();
	if (opt & 32) {
		fz_client(sw, 0, 1);
		fz_client(sw, 1, 1);
		fz_client(sw, 2, sw->pt.nslots > 3 ? 3 : 1);
	}
	return sw;
}

/* ---- one answer: fz_exec() (fzexec.h) on the switch's console ---- */

/* What a line runs, copied: a command (plugin/add, plugin/del) may change
 * the console's tables, and with them where its entries are. */
struct fz_cmd {
	bool found;
	bool json;			/* "-j CMD" */
	unsigned flags;
	char path[64];
	const char *args;		/* into the line */
};

static void fz_lookup(struct sw *sw, char *line, struct fz_cmd *c)
{
	const char *w = line + strspn(line, " \t");
	const struct console_cmd *cmd;
	size_t n = strlen(line);

	/* the console ignores trailing blanks, '\r' and '\n': so does lookup */
	while (n && strchr(" \t\r\n", line[n - 1]))
		line[--n] = '\0';
	memset(c, 0, sizeof(*c));
	if (w[0] == '-' && w[1] == 'j' && (w[2] == '\0' || w[2] == ' ' || w[2] == '\t')) {
		c->json = true;
		w += 2;
	}
	cmd = console_lookup(sw->con, w, &c->args);
	if (cmd) {
		c->found = true;
		c->flags = cmd->flags;
		snprintf(c->path, sizeof(c->path), "%s", cmd->path);
	}
}

static bool fz_is(const struct fz_cmd *c, const char *path)
{
	return c->found && !strcmp(c->path, path);
}

static void fz_check_answer(const struct fz_cmd *cmd, int rc, const char *out, size_t len)
{
	char status[160];
	const char *body, *end, *l;
	size_t slen;
	bool load = fz_is(cmd, "load");

	if (rc == 0) {
		if (len)
			abort();
		return;
	}
	if (rc == 9999) {
		if (strcmp(out, "9999 END OF SESSION"))
			abort();
		return;
	}
	if (rc < 1000 || rc > 1999)
		abort();
	snprintf(status, sizeof(status), "1%03d %s\n", rc - 1000,
		 rc == 1000 ? "Success" : strerror(rc - 1000));
	slen = strlen(status);
	if (len < slen || memcmp(out + len - slen, status, slen) || strlen(out) != len)
		abort();
	if (load)
		return;		/* the lines it ran answer before its status */
	if (strncmp(out, DATA_HDR, strlen(DATA_HDR))) {
		/* no DATA block: the status alone (a table command fails
		 * before its block only under -j without a JSON form) */
		if (len != slen || (cmd->found && (cmd->flags & CONSOLE_OUTPUT) && !cmd->json))
			abort();
		return;
	}
	if (!cmd->found || !(cmd->flags & CONSOLE_OUTPUT))
		abort();
	body = out + strlen(DATA_HDR);
	end = out + len - slen;		/* ".\n" before it */
	if (end - body < 2 || memcmp(end - 2, ".\n", 2) || (end - 2 > body && end[-3] != '\n'))
		abort();
	end -= 2;
	for (l = body; l < end; l = strchr(l, '\n') + 1) {
		if (!memchr(l, '\n', (size_t)(end - l)))
			abort();	/* each body line ends with '\n' */
		if (l[0] == '.' && l[1] == '\n')
			abort();	/* closes the block early */
	}
	if (cmd->json && rc == 1000) {
		struct jc_parser ps = { 0 };

		if (end == body || memchr(body, '\n', (size_t)(end - body)) != end - 1 ||
		    !jc_valid(&ps, body, (size_t)(end - body - 1)))
			abort();
		free(ps.dec);
	}
}

/* ---- the switch's consistency ---- */

static bool fz_bit(const uint64_t *b, unsigned i)
{
	return (b[i / 64] >> (i % 64)) & 1;
}

static void fz_check_state(struct sw *sw)
{
	const struct port_table *pt = &sw->pt;
	const struct mirror *m = &sw->mirror;
	uint64_t mon[MIRROR_WORDS] = { 0 }, src[MIRROR_WORDS] = { 0 };
	unsigned p, v, i, n = 0;

	if (pt->nslots < 2 || pt->nslots > PORT_MAX_NUMPORTS + 1 || !pt->v)
		abort();
	if (fz_bit(pt->vlans, VLAN_NONE))
		abort();
	for (p = 0; p < pt->nslots; p++) {
		const struct port *pp = &pt->v[p];

		const struct endpoint *ep;

		for (i = 0, ep = pp->eps; ep; ep = ep->next, i++)
			if (ep->port != p || i >= FZ_CLIENTS)
				abort();
		if (i != pp->nep || (pp->nep && !pp->exists))
			abort();
		if (!pp->exists) {
			if (pp->untagged_vlan != 0 || pp->trunk || pp->allocatable ||
			    pp->acl_user != PORT_NOUSER || pp->acl_group != PORT_NOGROUP)
				abort();
			for (i = 0; i < VLAN_WORDS; i++)
				if (pp->tagged[i])
					abort();
			continue;
		}
		if (pp->untagged_vlan != VLAN_NONE &&
		    (pp->untagged_vlan > VLAN_NONE || !vlan_exists(pt, pp->untagged_vlan)))
			abort();
		if (pp->untagged_vlan < VLAN_NONE && fz_bit(pp->tagged, pp->untagged_vlan))
			abort();
		for (i = 0; i < VLAN_WORDS; i++)
			if (pp->tagged[i] & ~pt->vlans[i])
				abort();
	}
	for (i = 0; i < MIRROR_MAX; i++) {
		const struct mirror_session *s = &m->s[i];

		if (!s->used)
			continue;
		n++;
		if (s->monitor == 0 || s->monitor >= pt->nslots || !pt->v[s->monitor].exists ||
		    fz_bit(mon, s->monitor))
			abort();
		mon[s->monitor / 64] |= 1ULL << (s->monitor % 64);
		if (s->filter == MIRROR_PORT) {
			if (s->src >= pt->nslots || s->src == s->monitor || !pt->v[s->src].exists)
				abort();
			src[s->src / 64] |= 1ULL << (s->src % 64);
		} else if (s->filter == MIRROR_VLAN) {
			if (s->vid >= VLAN_NONE)
				abort();
		} else if (s->filter != MIRROR_ALL) {
			abort();
		}
	}
	if (n != m->n || memcmp(mon, m->monitors, sizeof(mon)) || memcmp(src, m->srcs, sizeof(src)))
		abort();
	if (sw->fstp.enabled && (pt->hub || sw->fstp.nports < pt->nslots))
		abort();
	/* no BPDU is ever received here: this switch is the root of every
	 * VLAN, no port is its root port nor blocked */
	if (sw->fstp.st.rx)
		abort();
	for (v = 0; sw->fstp.enabled && v < VLAN_NONE; v++)
		for (p = 0; vlan_exists(pt, v) && p < pt->nslots; p++)
			if (!fstp_forwarding(&sw->fstp, (uint16_t)v, p) ||
			    !strcmp(fstp_role(&sw->fstp, (uint16_t)v, p), "Root"))
				abort();
	if (sw->fdb.count || !sw->fdb.nbuckets || (sw->fdb.nbuckets & (sw->fdb.nbuckets - 1)))
		abort();
	if (sw->plugins.nloaded > PLUGINS_N)
		abort();
	for (i = 0; i < sw->plugins.nloaded; i++)
		for (n = i + 1; n < sw->plugins.nloaded; n++)
			if (sw->plugins.order[i] == sw->plugins.order[n])
				abort();
}

/* What port/showinfo and vlan/allprint must print, read from the tables. */
static void fz_check_prints(struct sw *sw)
{
	static const char *const tables[] = {
		"showinfo", "port/print", "port/allprint", "port/stats", "hash/print",
		"vlan/print", "vlan/allprint", "fstp/print", "port/capture", "help",
		"debug/list",
	};
	char *want = NULL, *out, line[64];
	size_t wlen = 0, len, i;
	FILE *f = open_memstream(&want, &wlen);
	unsigned v, p;
	int rc;

	if (!f)
		abort();
	fprintf(f, DATA_HDR "Numports=%u\nHUB=%s\ncounters=true\n.\n1000 Success\n",
		sw->pt.nslots - 1, sw->pt.hub ? "true" : "false");
	fclose(f);
	out = fz_exec(sw->con, "port/showinfo", &rc, &len);
	if (len != wlen || memcmp(out, want, len))
		abort();
	free(out);
	free(want);

	f = open_memstream(&want, &wlen);
	if (!f)
		abort();
	fputs(DATA_HDR, f);
	for (v = 0; v < VLAN_NONE; v++) {
		if (!fz_bit(sw->pt.vlans, v))
			continue;
		fprintf(f, "VLAN %04u\n", v);
		for (p = 0; p < sw->pt.nslots; p++) {
			const struct port *pp = &sw->pt.v[p];
			bool tagged = pp->trunk || fz_bit(pp->tagged, v);

			if (pp->exists && (pp->untagged_vlan == v || tagged))
				fprintf(f, " -- Port %04u tagged=%d active=%d status=%s\n", p,
					pp->untagged_vlan != v, pp->nep > 0,
					pp->nep ? fstp_status(&sw->fstp, (uint16_t)v, p) :
						  "Learning");
		}
	}
	fputs(".\n1000 Success\n", f);
	fclose(f);
	out = fz_exec(sw->con, "vlan/allprint", &rc, &len);
	if (len != wlen || memcmp(out, want, len))
		abort();
	free(out);
	free(want);

	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		struct fz_cmd cmd;

		snprintf(line, sizeof(line), "-j %s", tables[i]);
		fz_lookup(sw, line, &cmd);
		out = fz_exec(sw->con, line, &rc, &len);
		fz_check_answer(&cmd, rc, out, len);
		if (rc != 1000 && !(rc == 1000 + EOPNOTSUPP && !strcmp(tables[i], "port/capture")))
			abort();
		free(out);
	}
}

/* A table command and its JSON form take the same arguments and fail with
 * the same codes (cmdjson.c): run the other form of @line (answered @rc)
 * and compare, unless the table has no JSON form (1095). Both are
 * read-only: a command with a body and no JSON form is refused under -j
 * without running. */
static void fz_check_twin(struct sw *sw, const char *line, const struct fz_cmd *cmd, int rc)
{
	char *twin, *out;
	const char *w = line + strspn(line, " \t");
	size_t n = strlen(line) + 4, len;
	struct fz_cmd tc;
	int rc2;

	twin = malloc(n);
	if (!twin)
		abort();
	if (cmd->json)
		snprintf(twin, n, "%s", w + 2);
	else
		snprintf(twin, n, "-j %s", line);
	fz_lookup(sw, twin, &tc);
	if (!tc.found || strcmp(tc.path, cmd->path) || tc.json == cmd->json)
		abort();
	out = fz_exec(sw->con, twin, &rc2, &len);
	fz_check_answer(&tc, rc2, out, len);
	if ((cmd->json ? rc : rc2) != 1000 + EOPNOTSUPP && rc2 != rc) {
		fprintf(stderr, "fuzz_switch_console: \"%s\" answered %d, \"%s\" %d\n", line, rc,
			twin, rc2);
		abort();
	}
	free(out);
	free(twin);
}

/* ---- the input ---- */

struct fz_lines {
	char *line[FZ_LINES];
	unsigned n;
};

static void fz_collect(void *arg, char *line, size_t len, bool overflow)
{
	struct fz_lines *fl = arg;

	if (overflow || fl->n == FZ_LINES)
		return;
	fl->line[fl->n] = malloc(len + 1);
	if (!fl->line[fl->n])
		abort();
	memcpy(fl->line[fl->n], line, len + 1);
	fl->n++;
}

/* File and socket arguments name entries of the work directory. */
static void fz_tame(const struct fz_cmd *cmd, char *line)
{
	char *a;

	if (!cmd->args || !(fz_is(cmd, "load") || fz_is(cmd, "pdump/filename") ||
		       fz_is(cmd, "iplog/logfile") || fz_is(cmd, "vhost/add") ||
		       fz_is(cmd, "vhost/del")))
		return;
	for (a = line + (cmd->args - line); *a; a++)
		if (*a == '/')
			*a = '_';
}

struct fz_answer {
	char *out;
	size_t len;
	int rc;
	bool masked;		/* time or pid in it: compare the status only */
};

/* Run the lines on a fresh switch; answers[] keeps each answer. */
static unsigned fz_run(uint8_t opt, struct fz_lines *fl, struct fz_answer *ans)
{
	struct sw *sw;
	unsigned i;

	fz_reset_work();
	fz_shutdown = false;
	sw = fz_switch(opt);
	for (i = 0; opt & 16 && i < 3; i++) {
		static const char *const add[3] = {
			"plugin/add dump", "plugin/add pdump", "plugin/add iplog"
		};
		size_t len;
		int rc;

		free(fz_exec(sw->con, add[i], &rc, &len));
		if (rc != 1000)
			abort();
	}
	fz_check_state(sw);
	for (i = 0; i < fl->n && !fz_shutdown; i++) {
		struct fz_cmd cmd;

		fz_lookup(sw, fl->line[i], &cmd);
		fz_tame(&cmd, fl->line[i]);
		ans[i].out = fz_exec(sw->con, fl->line[i], &ans[i].rc, &ans[i].len);
		ans[i].masked = fz_is(&cmd, "showinfo") || fz_is(&cmd, "port/stats") ||
				fz_is(&cmd, "load") || fz_is(&cmd, "fstp/print");
		if (fz_verbose)
			fprintf(stderr, "%s\n%s", fl->line[i], ans[i].out);
		fz_check_answer(&cmd, ans[i].rc, ans[i].out, ans[i].len);
		if (cmd.found && (cmd.flags & CONSOLE_OUTPUT))
			fz_check_twin(sw, fl->line[i], &cmd, ans[i].rc);
		fz_check_state(sw);
	}
	if (!fz_shutdown)
		fz_check_prints(sw);
	fz_teardown(sw);
	if (fchdir(fz_cwd))
		abort();
	return i;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct console_linebuf *lb = malloc(sizeof(*lb));
	struct fz_lines fl = { .n = 0 };
	struct fz_answer a1[FZ_LINES], a2[FZ_LINES];
	unsigned n1, n2, i;

	if (!lb)
		abort();
	fz_init();
	if (size < 1)
		goto out;
	console_linebuf_init(lb);
	console_linebuf_feed(lb, (const char *)data + 1, size - 1, fz_collect, &fl);
	n1 = fz_run(data[0], &fl, a1);
	n2 = fz_run(data[0], &fl, a2);
	if (n1 != n2)
		abort();
	for (i = 0; i < n1; i++) {
		if (a1[i].rc != a2[i].rc || (!a1[i].masked && (a1[i].len != a2[i].len ||
							      memcmp(a1[i].out, a2[i].out, a1[i].len))))
			abort();
		free(a1[i].out);
		free(a2[i].out);
	}
out:
	for (i = 0; i < fl.n; i++)
		free(fl.line[i]);
	free(lb);
	return 0;
}
