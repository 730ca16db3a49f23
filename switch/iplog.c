// SPDX-License-Identifier: GPL-2.0-or-later
/* switch/iplog.c - VDE 2's iplog plugin, built in: the console commands,
 * the log file and the timer around ipseen.c (the pure table)
 *
 * Theory of operation: once loaded, every frame received is classified
 * (ipseen_classify(): IPv4 or IPv6 source address in one of the ranges of
 * iplog/ipadd); an address seen for the first time, or on another port or
 * from another MAC, is logged: to the log file (iplog/logfile PATH, lines
 * "Dec  6 12:15:43 ipv4 10.0.0.1 mac=... port=1 vlan=0 user=root
 * "descr"") or syslog (iplog/logfile -), and to the console sessions that
 * asked for debug category iplog/newip (tag 0301). Addresses not seen for
 * iplog/setexpire seconds are forgotten by a timer every iplog/setgcint
 * seconds; a port that closes forgets its addresses at once. Commands,
 * outputs and codes are VDE 2.3.2's; differences (VDE 2 bugs): the MAC of
 * a tagged frame is its real source MAC, iplog/ipadd takes numeric
 * addresses only (no DNS lookup on the console) and refuses a prefix
 * length that is not a number up to 32 or 128, iplog/ipsearch finds an
 * address whatever is in its bucket before it. A FIFO as log file is
 * written without blocking (a line goes whole or not at all): a reader
 * that falls behind costs lines, counted in the switch's log, never the
 * switch's time; lines that cannot be written (a full disk) are counted
 * too, the first error said with its cause.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "console.h"
#include "log.h"
#include "loop.h"
#include "parse.h"
#include "tool.h"
#include "switch.h"
#include "ipseen.h"
#include "iplog.h"

#define IPLOG_TAG_NEWIP	0301
#define IPLOG_GCINT	10		/* seconds */
#define IPLOG_EXPIRE	360
#define IPLOG_NOLOG	(-1)
#define IPLOG_SYSLOG	(-2)

struct iplog {
	struct ipseen t;
	int logfd;			/* IPLOG_NOLOG, IPLOG_SYSLOG or the file */
	char *logfile;			/* its absolute path */
	uint64_t dropped;		/* FIFO: lines since its reader fell behind */
	uint64_t failed;		/* lines lost to write errors since the last one written */
	unsigned gcint, expire;		/* seconds */
	long timer;
};

static uint64_t iplog_now(const struct sw *sw)
{
	return (loop_now_ns() - sw->start_ns) / 1000000000ULL;
}

static const char *iplog_user(const struct sw *sw, unsigned port)
{
	struct passwd *pw = NULL;

	if (port < sw->pt.nslots && sw->pt.v[port].cur_user != PORT_NOUSER)
		pw = getpwuid(sw->pt.v[port].cur_user);
	return pw ? pw->pw_name : "(none)";
}

static void iplog_addr(const uint8_t *addr, size_t len, char *buf, size_t size)
{
	if (!inet_ntop(len == 4 ? AF_INET : AF_INET6, addr, buf, (socklen_t)size))
		snprintf(buf, size, "?");
}

/* Say how many lines were dropped or lost since the last one written. */
static void iplog_counts(struct iplog *il)
{
	if (il->dropped)
		log_warn("iplog %s: %llu lines dropped while the reader was behind", il->logfile,
			 (unsigned long long)il->dropped);
	if (il->failed)
		log_warn("iplog %s: %llu lines lost to write errors", il->logfile,
			 (unsigned long long)il->failed);
	il->dropped = il->failed = 0;
}

/* The log line of a new or moved address (without time and newline). */
static void iplog_announce(struct sw *sw, struct iplog *il, const struct ipseen_entry *e)
{
	char host[INET6_ADDRSTRLEN], msg[1024], stime[32];
	struct iovec iov[3];
	const struct endpoint *ep;
	size_t n;
	time_t now;
	struct tm tm;
	int k;

	iplog_addr(e->addr, e->len, host, sizeof(host));
	k = snprintf(msg, sizeof(msg), "ipv%d %s mac=%02x:%02x:%02x:%02x:%02x:%02x port=%u "
		     "vlan=%u user=%s", e->len == 4 ? 4 : 6, host, e->mac[0], e->mac[1],
		     e->mac[2], e->mac[3], e->mac[4], e->mac[5], e->port, e->vlan,
		     iplog_user(sw, e->port));
	n = k < 0 ? 0 : (size_t)k < sizeof(msg) ? (size_t)k : sizeof(msg) - 1;
	if (e->port < sw->pt.nslots)
		for (ep = sw->pt.v[e->port].eps; ep && n < sizeof(msg) - 1; ep = ep->next) {
			k = snprintf(msg + n, sizeof(msg) - n, " \"%s\"", ep->descr);
			n = k < 0 ? n : n + (size_t)k < sizeof(msg) ? n + (size_t)k : sizeof(msg) - 1;
		}
	if (il->logfd >= 0) {
		now = time(NULL);
		localtime_r(&now, &tm);
		strftime(stime, sizeof(stime), "%b %e %H:%M:%S ", &tm);
		iov[0].iov_base = stime;
		iov[0].iov_len = strlen(stime);
		iov[1].iov_base = msg;
		iov[1].iov_len = n;
		iov[2].iov_base = "\n";
		iov[2].iov_len = 1;
		/* a FIFO is non-blocking and a line (< PIPE_BUF) goes whole or
		 * not at all: a reader that falls behind costs lines, counted */
		if (writev(il->logfd, iov, 3) >= 0) {
			iplog_counts(il);
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			if (il->dropped++ == 0)
				log_warn("iplog %s: the reader is not keeping up: dropping lines",
					 il->logfile);
		} else if (il->failed++ == 0) {	/* a full disk: said, then counted */
			log_warn("iplog %s: %s: lines lost", il->logfile, strerror(errno));
		}
	} else if (il->logfd == IPLOG_SYSLOG) {
		syslog(LOG_INFO, "%s", msg);
	}
	console_debug(sw->con, IPLOG_TAG_NEWIP, "%s", msg);
}

/**
 * iplog_rx() - see iplog.h
 */
void iplog_rx(struct sw *sw, unsigned port, const uint8_t *frame, size_t len)
{
	struct iplog *il = sw->plugins.iplog;
	const struct ipseen_entry *e;
	struct ipseen_frame f;

	ipseen_classify(&il->t, frame, len, &f);
	if (!f.len)
		return;
	e = ipseen_update(&il->t, &f, port, iplog_now(sw));
	if (e)
		iplog_announce(sw, il, e);
}

/**
 * iplog_port_gone() - see iplog.h
 */
void iplog_port_gone(struct sw *sw, unsigned port)
{
	ipseen_port_gone(&sw->plugins.iplog->t, port);
}

static uint64_t iplog_gc_cb(struct loop *l, void *arg)
{
	struct sw *sw = arg;
	struct iplog *il = sw->plugins.iplog;
	uint64_t now = iplog_now(sw);

	(void)l;
	if (now >= il->expire)
		ipseen_expire(&il->t, now - il->expire);
	return (uint64_t)il->gcint * 1000000000ULL;
}

/* ---- console ---- */

/* VDE 2 reads numbers with atoi(): an empty argument is 0. */
static int iplog_int(const char *args, long long min, long long max, long long *v)
{
	const char *errstr = NULL;

	*v = 0;
	if (*args)
		*v = parse_num(args, min, max, &errstr);
	return errstr || *v < min ? -1 : 0;
}

static int iplog_showinfo(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	struct iplog *il = sw->plugins.iplog;

	(void)args;
	fprintf(out, "iplog: ip/port/user logging plugin\n");
	if (il->logfd == IPLOG_NOLOG)
		fprintf(out, "log disabled\n");
	else if (il->logfd == IPLOG_SYSLOG)
		fprintf(out, "log on syslog\n");
	else
		fprintf(out, "log on file %s\n", il->logfile);
	fprintf(out, "GC interval %u secs\n", il->gcint);
	fprintf(out, "GC expire %u secs\n", il->expire);
	return 0;
}

static void iplog_closelog(struct iplog *il)
{
	iplog_counts(il);
	if (il->logfd >= 0)
		close(il->logfd);
	il->logfd = IPLOG_NOLOG;
	free(il->logfile);
	il->logfile = NULL;
}

static int iplog_logfile(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	struct iplog *il = sw->plugins.iplog;
	char abspath[PATH_MAX], *name;
	struct stat st;
	int fd, fl;

	(void)out;
	if (!*args) {
		iplog_closelog(il);
		return 0;
	}
	if (strcmp(args, "-") == 0) {
		iplog_closelog(il);
		il->logfd = IPLOG_SYSLOG;
		return 0;
	}
	/* a FIFO without a reader: an error now, not a switch stopped in open() */
	fd = tool_open_out(args, O_CREAT | O_APPEND, 0600);
	if (fd < 0)
		return ENOENT;
	if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode) &&
	    ((fl = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)) {
		/* written blocking, it could stop the switch: refused, and why */
		log_warn("iplog %s: cannot write without blocking: %s", args, strerror(errno));
		close(fd);
		return EIO;
	}
	name = strdup(realpath(args, abspath) ? abspath : args);
	if (!name) {
		close(fd);
		return ENOMEM;
	}
	iplog_closelog(il);
	il->logfd = fd;
	il->logfile = name;
	return 0;
}

static int iplog_ipadd(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	struct ipseen_range r;

	(void)out;
	if (ipseen_parse(args, &r) < 0)
		return EINVAL;
	return ipseen_range_add(&sw->plugins.iplog->t, &r);
}

static int iplog_ipdel(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	struct ipseen_range r;

	(void)out;
	if (ipseen_parse(args, &r) < 0)
		return EINVAL;
	return ipseen_range_del(&sw->plugins.iplog->t, &r);
}

static int iplog_list(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	const struct ipseen_range *r;
	char host[INET6_ADDRSTRLEN];
	size_t len;

	(void)args;
	/* IPv4 ranges first, then IPv6, each in the order added */
	for (len = 4; len <= 16; len += 12)
		for (r = sw->plugins.iplog->t.ranges; r; r = r->next) {
			if (r->len != len)
				continue;
			iplog_addr(r->addr, r->len, host, sizeof(host));
			fprintf(out, "  ipv%d: %s/%u\n", len == 4 ? 4 : 6, host, r->bits);
		}
	return 0;
}

static int iplog_setgcint(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	struct iplog *il = sw->plugins.iplog;
	long long v;

	(void)out;
	if (iplog_int(args, 1, 86400 * 365, &v) < 0)
		return EINVAL;
	il->gcint = (unsigned)v;
	if (il->timer > 0)
		loop_timer_rearm(sw->loop, il->timer, (uint64_t)il->gcint * 1000000000ULL);
	return 0;
}

static int iplog_setexpire(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	long long v;

	(void)out;
	if (iplog_int(args, 0, INT_MAX, &v) < 0)
		return EINVAL;
	sw->plugins.iplog->expire = (unsigned)v;
	return 0;
}

/* One line of iplist, ipport, ipuser, ipsearch. */
static void iplog_item(const struct sw *sw, const struct ipseen_entry *e, FILE *out)
{
	char host[INET6_ADDRSTRLEN];

	iplog_addr(e->addr, e->len, host, sizeof(host));
	fprintf(out, "ipv%d %s port=%u user=%s\n", e->len == 4 ? 4 : 6, host, e->port,
		iplog_user(sw, e->port));
}

enum iplog_sel { SEL_ALL, SEL_PORT, SEL_USER };

static void iplog_walk(const struct sw *sw, enum iplog_sel sel, unsigned long long key,
		       FILE *out)
{
	const struct ipseen *t = &sw->plugins.iplog->t;
	const struct ipseen_entry *e;
	size_t i;

	for (i = 0; i < IPSEEN_BUCKETS; i++)
		for (e = t->b[i]; e; e = e->next) {
			if (sel == SEL_PORT && e->port != key)
				continue;
			if (sel == SEL_USER && (e->port >= sw->pt.nslots ||
						sw->pt.v[e->port].cur_user != (uid_t)key))
				continue;
			iplog_item(sw, e, out);
		}
}

static int iplog_iplist(void *ctx, FILE *out, const char *args)
{
	(void)args;
	iplog_walk(ctx, SEL_ALL, 0, out);
	return 0;
}

static int iplog_ipport(void *ctx, FILE *out, const char *args)
{
	long long v;

	if (iplog_int(args, 0, INT_MAX, &v) < 0)
		return EINVAL;
	iplog_walk(ctx, SEL_PORT, (unsigned long long)v, out);
	return 0;
}

static int iplog_ipuser(void *ctx, FILE *out, const char *args)
{
	struct passwd *pw;
	const char *errstr = NULL;
	long long uid;

	if (!*args)
		return EINVAL;
	if (isdigit((unsigned char)*args)) {
		uid = parse_num(args, 0, UINT32_MAX - 1, &errstr);
		pw = errstr ? NULL : getpwuid((uid_t)uid);
	} else {
		pw = getpwnam(args);
	}
	if (!pw)
		return EINVAL;
	iplog_walk(ctx, SEL_USER, pw->pw_uid, out);
	return 0;
}

static int iplog_ipsearch(void *ctx, FILE *out, const char *args)
{
	struct sw *sw = ctx;
	const struct ipseen_entry *e;
	struct ipseen_range r;

	if (!*args || strchr(args, '/') || ipseen_parse(args, &r) < 0)
		return EINVAL;
	e = ipseen_lookup(&sw->plugins.iplog->t, r.addr, r.len);
	if (e)
		iplog_item(sw, e, out);
	return 0;
}

static const struct console_cmd iplog_cmds[] = {
	{ "iplog", "============", "IP/Mac/User Logging", NULL, CONSOLE_MENU },
	{ "iplog/showinfo", "", "Show info on logging", iplog_showinfo, CONSOLE_OUTPUT },
	{ "iplog/logfile", "pathname", "Set the logfile", iplog_logfile, 0 },
	{ "iplog/ipadd", "ipaddr/mask", "add an ipv4/v6 range", iplog_ipadd, 0 },
	{ "iplog/ipdel", "ipaddr/mask", "del an ipv6/v6 range", iplog_ipdel, 0 },
	{ "iplog/list", "", "list ip ranges", iplog_list, CONSOLE_OUTPUT },
	{ "iplog/setgcint", "N", "change garbage collector interval", iplog_setgcint, 0 },
	{ "iplog/setexpire", "N", "change iplog entries expire time", iplog_setexpire, 0 },
	{ "iplog/iplist", "", "list active IP", iplog_iplist, CONSOLE_OUTPUT },
	{ "iplog/ipport", "port", "list active IP on a port", iplog_ipport, CONSOLE_OUTPUT },
	{ "iplog/ipuser", "user", "list active IP of a user", iplog_ipuser, CONSOLE_OUTPUT },
	{ "iplog/ipsearch", "ipaddr", "search an IP address", iplog_ipsearch, CONSOLE_OUTPUT },
};

static const struct console_debug_cat iplog_cats[] = {
	{ "iplog/newip", IPLOG_TAG_NEWIP, "show new ip addresses" },
};

/**
 * iplog_load() - see iplog.h
 */
int iplog_load(struct sw *sw)
{
	struct iplog *il = calloc(1, sizeof(*il));

	if (!il)
		return ENOMEM;
	sw->plugins.iplog = il;
	ipseen_init(&il->t);
	il->logfd = IPLOG_NOLOG;
	il->gcint = IPLOG_GCINT;
	il->expire = IPLOG_EXPIRE;
	il->timer = loop_add_timer(sw->loop, (uint64_t)il->gcint * 1000000000ULL, iplog_gc_cb, sw);
	if (il->timer < 0 ||
	    console_add_cmds(sw->con, iplog_cmds, sizeof(iplog_cmds) / sizeof(iplog_cmds[0])) < 0 ||
	    console_add_debug(sw->con, iplog_cats, sizeof(iplog_cats) / sizeof(iplog_cats[0])) < 0)
		return ENOMEM;
	return 0;
}

/**
 * iplog_unload() - see iplog.h
 */
void iplog_unload(struct sw *sw)
{
	struct iplog *il = sw->plugins.iplog;

	console_del_cmds(sw->con, iplog_cmds, sizeof(iplog_cmds) / sizeof(iplog_cmds[0]));
	console_del_debug(sw->con, iplog_cats, sizeof(iplog_cats) / sizeof(iplog_cats[0]));
	if (!il)
		return;
	if (il->timer > 0)
		loop_del_timer(sw->loop, il->timer);
	iplog_closelog(il);
	ipseen_free(&il->t);
	free(il);
	sw->plugins.iplog = NULL;
}
