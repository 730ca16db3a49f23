// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_console.c - management console: splitter, lookup, bytes, sessions
 *
 * The pure parts (line splitter, command lookup, console_exec_line()) are
 * checked byte for byte against VDE 2's framing. The session layer is
 * checked against a console server running in a forked child: banner and
 * prompt, several commands per write, one command over several writes,
 * async debug lines, the stdio console, a peer that never reads, stale and
 * live sockets, shutdown.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "console.h"
#include "json.h"
#include "loop.h"
#include "tap.h"

#define BANNER "VDE switch V.2.3.2\n(C) Virtual Square Team (coord. R. Davoli) 2005,2006,2007 - GPLv2"

/* --- a small application table ------------------------------------------- */

struct app {
	struct console *c;
	struct loop *l;
	char last_args[256];
	int shutdowns, eofs;
};

static int cmd_print(void *ctx, FILE *out, const char *args)
{
	struct app *a = ctx;

	snprintf(a->last_args, sizeof(a->last_args), "%s", args);
	fprintf(out, "Port 0001 untagged_vlan=0000 ACTIVE\n");
	return 0;
}

static int cmd_printall(void *ctx, FILE *out, const char *args)
{
	(void)ctx; (void)args;
	fputs("all", out);			/* no trailing newline */
	return 0;
}

static int cmd_fail(void *ctx, FILE *out, const char *args)
{
	(void)ctx; (void)args;
	fputs("partial\n", out);
	return ENXIO;
}

static int cmd_set(void *ctx, FILE *out, const char *args)
{
	struct app *a = ctx;

	(void)out;
	snprintf(a->last_args, sizeof(a->last_args), "%s", args);
	return args[0] ? 0 : EINVAL;
}

static int cmd_emit(void *ctx, FILE *out, const char *args)
{
	struct app *a = ctx;

	(void)out; (void)args;
	if (console_debug_wanted(a->c, 021))
		console_debug(a->c, 021, "%02d", 3);
	return 0;
}

static int cmd_showinfo(void *ctx, FILE *out, const char *args)
{
	(void)ctx; (void)args;
	fputs("VDE switch V.2.3.2\n", out);
	return 0;
}

static const struct console_cmd app_cmds[] = {
	{ "port", "============", "PORT STATUS MENU", NULL, CONSOLE_MENU },
	{ "port/print", "[N]", "print the port/endpoint table", cmd_print, CONSOLE_OUTPUT },
	{ "port/printall", "", "print all", cmd_printall, CONSOLE_OUTPUT },
	{ "port/fail", "", "fails", cmd_fail, CONSOLE_OUTPUT },
	{ "port/sethub", "0/1", "1=HUB 0=switch", cmd_set, 0 },
	{ "port/setnumports", "N", "set the number of ports", cmd_set, 0 },
	{ "showinfo", "", "show switch version and info", cmd_showinfo, CONSOLE_OUTPUT },
	{ "emit", "", "emit a port/+ debug line", cmd_emit, 0 },
};

static int json_print(void *ctx, struct json *j, const char *args)
{
	(void)ctx;
	if (*args)
		return ENXIO;
	json_obj(j, NULL);
	json_arr(j, "ports");
	json_obj(j, NULL);
	json_u64(j, "port", 1);
	json_str(j, "descr", "a \"q\"\n\xff");
	json_obj_end(j);
	json_arr_end(j);
	json_obj_end(j);
	return 0;
}

static const struct console_json_cmd app_json[] = {
	{ "port/print", json_print },
};

static const struct console_debug_cat app_dbg[] = {
	{ "hash/+", 011, "hash: new element" },
	{ "port/+", 021, "new port" },
	{ "port/-", 022, "closed port" },
};

static void on_shutdown(void *ctx)
{
	struct app *a = ctx;

	a->shutdowns++;
	if (a->l)
		loop_stop(a->l);
}

static void on_eof(void *ctx)
{
	struct app *a = ctx;

	a->eofs++;
	if (a->l)
		loop_stop(a->l);
}

static struct console *app_console(struct app *a, struct loop *l)
{
	struct console_config cfg = {
		.banner = BANNER, .prompt = "vde$ ",
		.shutdown_help = "shutdown of the switch", .ctx = a,
		.on_shutdown = on_shutdown, .on_stdin_eof = on_eof,
	};

	memset(a, 0, sizeof(*a));
	a->l = l;
	a->c = console_new(l, &cfg);
	if (!a->c || console_add_cmds(a->c, app_cmds, sizeof(app_cmds) / sizeof(app_cmds[0])) ||
	    console_add_json(a->c, app_json, 1) ||
	    console_add_debug(a->c, app_dbg, sizeof(app_dbg) / sizeof(app_dbg[0]))) {
		fprintf(stderr, "console setup failed\n");
		exit(99);
	}
	return a->c;
}

/* run one line, return the malloc'ed bytes */
static char *exec(struct console *c, const char *line, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	*rc = console_exec_line(c, line, f);
	fclose(f);
	return buf;
}

/* print @s on one "#" line, escaped, when a check failed */
static void diag(const char *what, const char *s)
{
	printf("# %s: \"", what);
	for (; *s; s++) {
		if (*s == '\n')
			fputs("\\n", stdout);
		else if (*s == '\r')
			fputs("\\r", stdout);
		else if ((unsigned char)*s < 32)
			printf("\\x%02x", (unsigned char)*s);
		else
			putchar(*s);
	}
	puts("\"");
}

static int same(const char *got, const char *want)
{
	if (strcmp(got, want) == 0)
		return 1;
	diag("got ", got);
	diag("want", want);
	return 0;
}

static void check_exec(struct console *c, const char *line, int want_rc, const char *want)
{
	int rc;
	char *got = exec(c, line, &rc);

	ok(same(got, want) && rc == want_rc, "exec \"%s\" -> %d", line, rc);
	free(got);
}

/* --- line splitter ------------------------------------------------------- */

struct lines {
	char out[8192];
	size_t len;
	int n, overflows;
};

static void collect(void *arg, char *line, size_t len, bool overflow)
{
	struct lines *ls = arg;

	if (overflow) {
		ls->overflows++;
		len = strlen("<OVERFLOW>");
		line = (char *)"<OVERFLOW>";
	}
	if (ls->len + len + 1 < sizeof(ls->out)) {
		memcpy(ls->out + ls->len, line, len);
		ls->len += len;
		ls->out[ls->len++] = '|';
	}
	ls->n++;
}

static void split_feed(const char *s, size_t len, const size_t *cuts, size_t ncuts,
		       struct lines *ls)
{
	struct console_linebuf lb;
	size_t prev = 0, i;

	memset(ls, 0, sizeof(*ls));
	console_linebuf_init(&lb);
	for (i = 0; i <= ncuts; i++) {
		size_t end = i < ncuts ? cuts[i] : len;

		console_linebuf_feed(&lb, s + prev, end - prev, collect, ls);
		prev = end;
	}
}

static void test_linebuf(void)
{
	static const char in[] = "help\nport/print 1\r\n\n  debug/list\n#c\r\nlast";
	static const char want[] = "help|port/print 1||  debug/list|#c|";
	size_t len = sizeof(in) - 1, i, j;
	struct lines ls;
	int bad = 0;

	split_feed(in, len, NULL, 0, &ls);
	ok(ls.len == strlen(want) && memcmp(ls.out, want, ls.len) == 0 && ls.n == 5,
	   "linebuf: whole input gives %d lines", ls.n);
	for (i = 0; i <= len; i++)
		for (j = i; j <= len; j++) {
			size_t cuts[2] = { i, j };

			split_feed(in, len, cuts, 2, &ls);
			if (ls.len != strlen(want) || memcmp(ls.out, want, ls.len) != 0)
				bad++;
		}
	ok(bad == 0, "linebuf: every 3-way split gives the same lines (%d bad)", bad);
	{
		size_t cuts[sizeof(in)];

		for (i = 0; i < len; i++)
			cuts[i] = i + 1;
		split_feed(in, len, cuts, len - 1, &ls);
		ok(ls.len == strlen(want) && memcmp(ls.out, want, ls.len) == 0,
		   "linebuf: byte by byte");
	}

	/* exactly CONSOLE_LINE_MAX is fine, one more overflows once */
	{
		static char big[3 * CONSOLE_LINE_MAX];
		struct console_linebuf lb;
		size_t n;

		memset(big, 'a', CONSOLE_LINE_MAX);
		big[CONSOLE_LINE_MAX] = '\n';
		memset(&ls, 0, sizeof(ls));
		console_linebuf_init(&lb);
		console_linebuf_feed(&lb, big, CONSOLE_LINE_MAX + 1, collect, &ls);
		ok(ls.n == 1 && ls.overflows == 0 && ls.len == CONSOLE_LINE_MAX + 1,
		   "linebuf: %d-byte line accepted", CONSOLE_LINE_MAX);

		memset(big, 'b', sizeof(big));
		n = 2 * CONSOLE_LINE_MAX + 7;
		big[n] = '\n';
		memcpy(big + n + 1, "ok\n", 3);
		for (i = 1; i < 300; i += 37) {
			size_t cuts[64], k = 0, pos = i;

			while (pos < n + 4 && k < 64) {
				cuts[k++] = pos;
				pos += i * 13;
			}
			split_feed(big, n + 4, cuts, k, &ls);
			if (!(ls.n == 2 && ls.overflows == 1 &&
			      strncmp(ls.out, "<OVERFLOW>|ok|", ls.len) == 0))
				bad++;
		}
		ok(bad == 0, "linebuf: overlong line reported once, next line intact");

		memset(big, 'c', CONSOLE_LINE_MAX);
		big[CONSOLE_LINE_MAX] = '\r';
		big[CONSOLE_LINE_MAX + 1] = '\n';
		split_feed(big, CONSOLE_LINE_MAX + 2, NULL, 0, &ls);
		ok(ls.overflows == 1, "linebuf: the '\\r' counts towards the limit");
	}
	{
		static const char nul[] = "he\0lp\nx\n";

		split_feed(nul, sizeof(nul) - 1, NULL, 0, &ls);
		ok(ls.n == 2 && ls.len == 8 && memcmp(ls.out, "he\0lp|x|", 8) == 0,
		   "linebuf: NUL inside a line is kept with its length");
	}
}

/* --- lookup --------------------------------------------------------------- */

static void test_lookup(void)
{
	struct app a;
	struct loop *l = loop_new();
	struct console *c = app_console(&a, l);
	const struct console_cmd *cmd;
	const char *args = NULL;

	cmd = console_lookup(c, "port/print", &args);
	ok(cmd && strcmp(cmd->path, "port/print") == 0 && args && !*args,
	   "lookup: exact match wins over a longer path");
	cmd = console_lookup(c, "  port/print \t 5  ", &args);
	ok(cmd && strcmp(cmd->path, "port/print") == 0 && strcmp(args, "5  ") == 0,
	   "lookup: leading blanks skipped, args start after blanks");
	ok(console_lookup(c, "port/printa", &args) == NULL,
	   "lookup: a unique abbreviation is not completed");
	ok(console_lookup(c, "port/pr", &args) == NULL, "lookup: ambiguous abbreviation");
	ok(console_lookup(c, "shu", &args) == NULL && console_lookup(c, "shutdow", &args) == NULL,
	   "lookup: shu is not shutdown (VDE 2: 1038)");
	ok(console_lookup(c, "port/setnumportsX 3", &args) == NULL,
	   "lookup: path + junk is not a prefix match (unlike VDE 2)");
	ok(console_lookup(c, "sh", &args) == NULL, "lookup: sh is unknown");
	ok(console_lookup(c, "showi", &args) == NULL, "lookup: showi is unknown");
	ok(console_lookup(c, "showinfoXYZ", &args) == NULL, "lookup: showinfoXYZ is unknown");
	ok(console_lookup(c, "hel", &args) == NULL, "lookup: no builtin abbreviation");
	cmd = console_lookup(c, "help port", &args);
	ok(cmd && strcmp(cmd->path, "help") == 0 && strcmp(args, "port") == 0,
	   "lookup: exact builtin with args");
	ok(console_lookup(c, "port", &args) == NULL, "lookup: a menu is not a command");
	ok(console_lookup(c, "debug", &args) == NULL, "lookup: debug menu is not a command");
	ok(console_lookup(c, "", &args) == NULL && console_lookup(c, "   ", &args) == NULL,
	   "lookup: empty");
	ok(console_lookup(c, "nosuch", &args) == NULL, "lookup: unknown");
	console_free(c);
	loop_free(l);
}

/* --- exec_line bytes ---------------------------------------------------- */

static void test_exec(void)
{
	struct app a;
	struct loop *l = loop_new();
	struct console *c = app_console(&a, l);
	char path[] = "/tmp/test_console.XXXXXX", line[300], want[2048];
	int fd, rc;
	char *got;

	check_exec(c, "port/print", 1000,
		   "0000 DATA END WITH '.'\nPort 0001 untagged_vlan=0000 ACTIVE\n.\n1000 Success\n");
	check_exec(c, "  port/print   7 \t ", 1000,
		   "0000 DATA END WITH '.'\nPort 0001 untagged_vlan=0000 ACTIVE\n.\n1000 Success\n");
	ok(strcmp(a.last_args, "7") == 0, "exec: args trimmed on both sides [%s]", a.last_args);
	check_exec(c, "port/print 7\r", 1000,
		   "0000 DATA END WITH '.'\nPort 0001 untagged_vlan=0000 ACTIVE\n.\n1000 Success\n");
	check_exec(c, "port/printall", 1000, "0000 DATA END WITH '.'\nall\n.\n1000 Success\n");
	check_exec(c, "port/fail", 1006,
		   "0000 DATA END WITH '.'\npartial\n.\n1006 No such device or address\n");
	check_exec(c, "port/sethub", 1022, "1022 Invalid argument\n");
	check_exec(c, "port/sethub 1", 1000, "1000 Success\n");
	a.last_args[0] = '\0';
	check_exec(c, "port/setn 4", 1038, "1038 Function not implemented\n");
	ok(a.last_args[0] == '\0', "exec: an abbreviation runs nothing");
	check_exec(c, "shu", 1038, "1038 Function not implemented\n");
	ok(a.shutdowns == 0, "exec: shu does not shut down");
	check_exec(c, "nosuch 1 2", 1038, "1038 Function not implemented\n");
	/* -j: the JSON form, framed as data; tables without one: 1095 */
	check_exec(c, "-j port/print", 1000, "0000 DATA END WITH '.'\n{\"ports\":[{\"port\":1,"
		   "\"descr\":\"a \\\"q\\\"\\n\\ufffd\"}]}\n.\n1000 Success\n");
	check_exec(c, "  -j \t port/print  ", 1000, "0000 DATA END WITH '.'\n{\"ports\":[{\"port\":1,"
		   "\"descr\":\"a \\\"q\\\"\\n\\ufffd\"}]}\n.\n1000 Success\n");
	check_exec(c, "-j port/print 3", 1006,
		   "0000 DATA END WITH '.'\n.\n1006 No such device or address\n");
	check_exec(c, "-j showinfo", 1095, "1095 Operation not supported\n");
	check_exec(c, "-j port/sethub 1", 1000, "1000 Success\n");
	check_exec(c, "-j", 1022, "1022 Invalid argument\n");
	check_exec(c, "-j nosuch", 1038, "1038 Function not implemented\n");
	check_exec(c, "-jport/print", 1038, "1038 Function not implemented\n");
	check_exec(c, "-j debug/list port/-", 1000, "0000 DATA END WITH '.'\n{\"categories\":"
		   "[{\"category\":\"port/-\",\"tag\":18,\"on\":false,\"help\":\"closed port\"}]}"
		   "\n.\n1000 Success\n");
	check_exec(c, "-j help port/printall", 1000, "0000 DATA END WITH '.'\n{\"commands\":"
		   "[{\"path\":\"port/printall\",\"syntax\":\"\",\"help\":\"print all\","
		   "\"menu\":false,\"json\":false}]}\n.\n1000 Success\n");
	check_exec(c, "port/pr", 1038, "1038 Function not implemented\n");
	check_exec(c, "", 0, "");
	check_exec(c, "   \t ", 0, "");
	check_exec(c, "# comment", 0, "");
	check_exec(c, "  #port/print", 0, "");
	check_exec(c, "logout", 9999, "9999 END OF SESSION");
	ok(a.shutdowns == 0, "exec: logout does not shut down");
	check_exec(c, "shutdown", 9999, "9999 END OF SESSION");
	ok(a.shutdowns == 1, "exec: shutdown calls on_shutdown once");

	check_exec(c, "help port/s", 1000,
		   "0000 DATA END WITH '.'\n"
		   "COMMAND PATH       SYNTAX          HELP\n"
		   "------------       --------------  ------------\n"
		   "port/sethub        0/1             1=HUB 0=switch\n"
		   "port/setnumports   N               set the number of ports\n"
		   ".\n1000 Success\n");
	check_exec(c, "help debug", 1000,
		   "0000 DATA END WITH '.'\n"
		   "COMMAND PATH       SYNTAX          HELP\n"
		   "------------       --------------  ------------\n"
		   "debug              ============    DEBUG MENU\n"
		   "debug/list                         list debug categories\n"
		   "debug/add          dbgpath         enable debug info for a given category\n"
		   "debug/del          dbgpath         disable debug info for a given category\n"
		   ".\n1000 Success\n");
	check_exec(c, "help zzz", 1000,
		   "0000 DATA END WITH '.'\n"
		   "COMMAND PATH       SYNTAX          HELP\n"
		   "------------       --------------  ------------\n"
		   ".\n1000 Success\n");
	got = exec(c, "help", &rc);
	ok(rc == 1000 && strstr(got, "\nhelp               [arg]           Help (limited to arg when specified)\n"
				"logout                             logout from this mgmt terminal\n"
				"shutdown                           shutdown of the switch\n"
				"load               path            load a configuration script\n") &&
	   strstr(got, "\nport               ============    PORT STATUS MENU\n"),
	   "exec: full help has the builtins and menus in VDE 2 format");
	free(got);

	check_exec(c, "debug/list", 1000,
		   "0000 DATA END WITH '.'\n"
		   "CATEGORY               TAG STATUS HELP\n"
		   "------------           --- ------ ----\n"
		   "hash/+                 011 OFF    hash: new element\n"
		   "port/+                 021 OFF    new port\n"
		   "port/-                 022 OFF    closed port\n"
		   ".\n1000 Success\n");
	check_exec(c, "debug/list port", 1000,
		   "0000 DATA END WITH '.'\n"
		   "CATEGORY               TAG STATUS HELP\n"
		   "------------           --- ------ ----\n"
		   "port/+                 021 OFF    new port\n"
		   "port/-                 022 OFF    closed port\n"
		   ".\n1000 Success\n");
	check_exec(c, "debug/add zzz", 1022, "1022 Invalid argument\n");
	check_exec(c, "debug/del zzz", 1022, "1022 Invalid argument\n");
	check_exec(c, "debug/del port", 1002, "1002 No such file or directory\n");
	ok(!console_debug_wanted(c, 021), "debug: nobody wants 021 without a session");

	/* load: echo + response per line, then load's own status */
	fd = mkstemp(path);
	if (fd < 0 || write(fd, "port/sethub 1\n# c\nnosuch\n\nport/printall\n", 40) != 40)
		ok(0, "mkstemp");
	close(fd);
	snprintf(line, sizeof(line), "load %s", path);
	snprintf(want, sizeof(want),
		 "vde[%s]: port/sethub 1\n1000 Success\n"
		 "vde[%s]: # c\n"
		 "vde[%s]: nosuch\n1038 Function not implemented\n"
		 "vde[%s]: \n"
		 "vde[%s]: port/printall\n0000 DATA END WITH '.'\nall\n.\n1000 Success\n"
		 "1000 Success\n", path, path, path, path, path);
	check_exec(c, line, 1000, want);
	ok(console_load_file(c, path, NULL) == 0, "load_file: silent run returns 0");
	/* the daemon's own start-up file may be a character device (-f /dev/null) */
	ok(console_load_file(c, "/dev/null", NULL) == 0, "load_file: /dev/null is an empty rc file");
	check_exec(c, "load /nonexistent/file", 1002, "1002 No such file or directory\n");
	check_exec(c, "load /dev/zero", 1022, "1022 Invalid argument\n");
	check_exec(c, "load /tmp", 1021, "1021 Is a directory\n");
	check_exec(c, "load /proc/self/status", 1013, "1013 Permission denied\n");
	/* a FIFO is refused at once (no writer: open() would block) */
	{
		char fifo[] = "/tmp/test_console_fifo.XXXXXX";
		int tfd = mkstemp(fifo);

		close(tfd);
		unlink(fifo);
		if (mkfifo(fifo, 0600) < 0)
			ok(0, "mkfifo");
		snprintf(line, sizeof(line), "load %s", fifo);
		check_exec(c, line, 1022, "1022 Invalid argument\n");
		unlink(fifo);
	}
	/* larger than CONSOLE_LOAD_MAX: refused before reading */
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0 || ftruncate(fd, CONSOLE_LOAD_MAX + 1) < 0)
		ok(0, "ftruncate");
	close(fd);
	snprintf(line, sizeof(line), "load %s", path);
	check_exec(c, line, 1027, "1027 File too large\n");
	/* an overlong line: E2BIG for it, the next line runs; no newline at the end */
	fd = open(path, O_WRONLY | O_TRUNC);
	{
		static char big[CONSOLE_LINE_MAX + 10];

		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\n';
		if (fd < 0 || write(fd, big, sizeof(big)) != (ssize_t)sizeof(big) ||
		    write(fd, "port/sethub 1", 13) != 13)
			ok(0, "write");
	}
	close(fd);
	got = exec(c, line, &rc);
	ok(rc == 1000 && strstr(got, "1007 Argument list too long\n") &&
	   strstr(got, "]: port/sethub 1\n1000 Success\n1000 Success\n"),
	   "load: an overlong line gets 1007, an unterminated last line runs");
	free(got);

	/* a file that loads itself stops at the nesting limit */
	fd = open(path, O_WRONLY | O_TRUNC);
	snprintf(line, sizeof(line), "load %s\n", path);
	if (fd < 0 || write(fd, line, strlen(line)) != (ssize_t)strlen(line))
		ok(0, "write");
	close(fd);
	got = exec(c, line, &rc);
	ok(rc == 1000 && strstr(got, "1040 Too many levels of symbolic links\n"),
	   "load: recursion bounded (ELOOP)");
	if (rc != 1000)
		diag("got", got);
	free(got);
	unlink(path);

	console_free(c);
	loop_free(l);
}

static void test_order(void)
{
	static const struct console_cmd ds[] = {
		{ "ds", "============", "DATA SOCKET MENU", NULL, CONSOLE_MENU },
		{ "ds/showinfo", "", "show ds info", cmd_showinfo, CONSOLE_OUTPUT },
	};
	static const struct console_cmd si[] = {
		{ "showinfo", "", "show switch version and info", cmd_showinfo, CONSOLE_OUTPUT },
	};
	struct console_config cfg = { .banner = "b", .prompt = "vde$ " };
	struct loop *l = loop_new();
	struct console *c = console_new(l, &cfg);
	int rc;
	char *got;

	ok(console_add_cmds_before(c, "help", ds, 2) == 0 &&
	   console_add_cmds_before(c, "load", si, 1) == 0 &&
	   console_add_cmds_before(c, "nosuch", si, 0) == 0, "order: add before");
	got = exec(c, "help", &rc);
	ok(same(got, "0000 DATA END WITH '.'\n"
		"COMMAND PATH       SYNTAX          HELP\n"
		"------------       --------------  ------------\n"
		"ds                 ============    DATA SOCKET MENU\n"
		"ds/showinfo                        show ds info\n"
		"help               [arg]           Help (limited to arg when specified)\n"
		"logout                             logout from this mgmt terminal\n"
		"shutdown                           shutdown of the switch\n"
		"showinfo                           show switch version and info\n"
		"load               path            load a configuration script\n"
		"debug              ============    DEBUG MENU\n"
		"debug/list                         list debug categories\n"
		"debug/add          dbgpath         enable debug info for a given category\n"
		"debug/del          dbgpath         disable debug info for a given category\n"
		".\n1000 Success\n"), "order: VDE 2 help order reproduced");
	free(got);
	check_exec(c, "ds/showinfo", 1000, "0000 DATA END WITH '.'\nVDE switch V.2.3.2\n.\n1000 Success\n");
	check_exec(c, "load /nonexistent", 1002, "1002 No such file or directory\n");
	console_free(c);
	loop_free(l);
}

/* --- sessions against a forked server ----------------------------------- */

static const char *sock_path(void)
{
	static char p[108];

	if (!p[0])
		snprintf(p, sizeof(p), "/tmp/test_console.%d.sock", (int)getpid());
	return p;
}

/* child: serve the console on @path (and stdio if @stdio) until shutdown */
static pid_t server(bool stdio, int in, int out, int close1, int close2)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct app a;
		struct loop *l = loop_new();
		struct console *c = app_console(&a, l);
		int rc = 0;

		/* never outlive a failed test */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		signal(SIGPIPE, SIG_IGN);
		if (close1 >= 0)
			close(close1);
		if (close2 >= 0)
			close(close2);
		if (stdio) {
			if (console_attach_stdio(c, in, out) < 0)
				rc = 3;
		} else if (console_listen(c, sock_path(), 0600, (gid_t)-1) < 0) {
			rc = 2;
		}
		if (!rc && loop_run(l) < 0)
			rc = 4;
		console_free(c);
		loop_free(l);
		_exit(rc ? rc : (stdio ? (a.eofs == 1 ? 0 : 5) : (a.shutdowns == 1 ? 0 : 6)));
	}
	return pid;
}

/* waitpid() with a 10 s deadline; a child still running then is killed */
static void wait_child(pid_t pid, int *status)
{
	int i;

	for (i = 0; i < 1000; i++) {
		if (waitpid(pid, status, WNOHANG) == pid)
			return;
		poll(NULL, 0, 10);
	}
	kill(pid, SIGKILL);
	waitpid(pid, status, 0);
}

static int connect_to(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static int wait_connect(const char *path)
{
	int i, fd = -1;

	for (i = 0; i < 500 && fd < 0; i++) {
		fd = connect_to(path);
		if (fd < 0)
			poll(NULL, 0, 10);
	}
	return fd;
}

/* read until the bytes received end with @end (5 s deadline) */
static char *read_until(int fd, const char *end, size_t *lenp)
{
	static char buf[1 << 16];
	size_t len = 0, elen = strlen(end);

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (len >= elen && memcmp(buf + len - elen, end, elen) == 0)
			break;
		if (poll(&pfd, 1, 5000) <= 0)
			break;
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;
}

static void writes(int fd, const char *s)
{
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		ok(0, "write failed: %s", strerror(errno));
}

static void test_sessions(void)
{
	const char *p = sock_path();
	int fd, fd2, status = -1;
	struct stat st;
	char *got;
	pid_t pid;

	unlink(p);
	pid = server(false, -1, -1, -1, -1);
	fd = wait_connect(p);
	ok(fd >= 0, "session: connected");
	got = read_until(fd, "vde$ ", NULL);
	ok(same(got, BANNER "\n\nvde$ "), "session: banner then \"\\nvde$ \"");
	ok(stat(p, &st) == 0 && S_ISSOCK(st.st_mode) && (st.st_mode & 07777) == 0600,
	   "session: socket mode 0600");

	/* two commands in one write */
	writes(fd, "port/sethub 1\nnosuch\n");
	got = read_until(fd, "1038 Function not implemented\n\nvde$ ", NULL);
	ok(same(got, "1000 Success\n\nvde$ 1038 Function not implemented\n\nvde$ "),
	   "session: two commands in one write");

	/* one command over three writes */
	writes(fd, "port/pr");
	poll(NULL, 0, 20);
	writes(fd, "int 3");
	poll(NULL, 0, 20);
	writes(fd, "\r\n");
	got = read_until(fd, "\nvde$ ", NULL);
	ok(same(got, "0000 DATA END WITH '.'\nPort 0001 untagged_vlan=0000 ACTIVE\n.\n"
		       "1000 Success\n\nvde$ "), "session: one command over three writes");

	/* VDE 2's vdeterm: one command per write, no newline; it runs once
	 * nothing followed for CONSOLE_PARTIAL_RUN_MS */
	writes(fd, "port/print");
	got = read_until(fd, "\nvde$ ", NULL);
	ok(same(got, "0000 DATA END WITH '.'\nPort 0001 untagged_vlan=0000 ACTIVE\n.\n"
		       "1000 Success\n\nvde$ "), "session: a command without newline runs (vdeterm)");
	writes(fd, "port/sethub");
	poll(NULL, 0, 50);
	writes(fd, " 1");
	got = read_until(fd, "\nvde$ ", NULL);
	ok(same(got, "1000 Success\n\nvde$ "),
	   "session: newline-less command split in two writes 50 ms apart runs once, whole");
	/* not a command (yet): waits longer, then runs all the same */
	writes(fd, "port/pr");
	poll(NULL, 0, CONSOLE_PARTIAL_RUN_MS + 200);
	writes(fd, "int");
	got = read_until(fd, "\nvde$ ", NULL);
	ok(same(got, "0000 DATA END WITH '.'\nPort 0001 untagged_vlan=0000 ACTIVE\n.\n"
		       "1000 Success\n\nvde$ "),
	   "session: an unknown word waits longer than a command for the rest");
	writes(fd, "nosuc");
	got = read_until(fd, "\nvde$ ", NULL);
	ok(same(got, "1038 Function not implemented\n\nvde$ "),
	   "session: a newline-less typo still gets its 1038");

	/* empty line and comment: only the prompt */
	writes(fd, "\n# hello\n");
	got = read_until(fd, "\nvde$ \nvde$ ", NULL);
	ok(same(got, "\nvde$ \nvde$ "), "session: empty line and comment give the prompt");

	/* async debug lines reach subscribers only, before the status */
	fd2 = connect_to(p);
	read_until(fd2, "vde$ ", NULL);
	writes(fd, "debug/add port\n");
	got = read_until(fd, "\nvde$ ", NULL);
	ok(same(got, "1000 Success\n\nvde$ "), "session: debug/add port");
	writes(fd, "debug/add port/+\n");
	got = read_until(fd, "\nvde$ ", NULL);
	ok(same(got, "1017 File exists\n\nvde$ "), "session: debug/add again: EEXIST");
	writes(fd, "debug/list port/+\n");
	got = read_until(fd, "\nvde$ ", NULL);
	ok(strstr(got, "port/+                 021 ON     new port\n") != NULL,
	   "session: debug/list shows ON");
	writes(fd2, "emit\n");
	got = read_until(fd2, "\nvde$ ", NULL);
	ok(same(got, "1000 Success\n\nvde$ "), "session: non-subscriber gets no debug line");
	got = read_until(fd, "3021 port/+ 03\n", NULL);
	ok(same(got, "3021 port/+ 03\n"), "session: subscriber gets \"3021 port/+ 03\"");
	writes(fd, "emit\n");
	got = read_until(fd, "\nvde$ ", NULL);
	ok(same(got, "3021 port/+ 03\n1000 Success\n\nvde$ "),
	   "session: own debug line comes before the status");
	writes(fd, "debug/del port\n");
	got = read_until(fd, "\nvde$ ", NULL);
	ok(same(got, "1000 Success\n\nvde$ "), "session: debug/del port");

	/* overlong line */
	{
		static char big[CONSOLE_LINE_MAX + 100];

		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 2] = '\n';
		writes(fd, big);
		got = read_until(fd, "\nvde$ ", NULL);
		ok(same(got, "1007 Argument list too long\n\nvde$ "),
		   "session: overlong line -> 1007");
	}

	/* half-close: command, then EOF; the response still arrives whole,
	 * an unterminated last line is run too, then the server closes */
	{
		int fd4 = connect_to(p);
		size_t n4;
		char ch;

		read_until(fd4, "vde$ ", NULL);
		writes(fd4, "port/sethub 1\nport/printall");
		shutdown(fd4, SHUT_WR);
		got = read_until(fd4, "\n\n\n", &n4);	/* to EOF */
		ok(same(got, "1000 Success\n\nvde$ 0000 DATA END WITH '.'\nall\n.\n"
			     "1000 Success\n\nvde$ "), "session: half-closed peer gets every response");
		ok(read(fd4, &ch, 1) == 0, "session: then EOF");
		close(fd4);
	}

	/* a load whose response alone exceeds the session buffer still
	 * reaches a peer that reads */
	{
		char lpath[] = "/tmp/test_console_load.XXXXXX", cmd[64], tail[64];
		static char chunk[65536];
		int lfd = mkstemp(lpath), i;
		size_t total = 0, tl = 0;
		FILE *lf = lfd >= 0 ? fdopen(lfd, "w") : NULL;

		for (i = 0; lf && i < 120000; i++)
			fputs("# a comment line that only gets echoed\n", lf);
		if (lf)
			fclose(lf);
		snprintf(cmd, sizeof(cmd), "load %s\n", lpath);
		writes(fd, cmd);
		for (;;) {
			struct pollfd pf = { .fd = fd, .events = POLLIN };
			ssize_t n;

			if (poll(&pf, 1, 10000) <= 0)
				break;
			n = read(fd, chunk, sizeof(chunk));
			if (n <= 0)
				break;
			total += (size_t)n;
			/* keep the last bytes to spot the final status + prompt */
			if ((size_t)n >= sizeof(tail) - 1) {
				memcpy(tail, chunk + n - (sizeof(tail) - 1), sizeof(tail) - 1);
				tl = sizeof(tail) - 1;
			} else {
				size_t keep = tl + (size_t)n > sizeof(tail) - 1 ?
					      sizeof(tail) - 1 - (size_t)n : tl;

				memmove(tail, tail + tl - keep, keep);
				memcpy(tail + keep, chunk, (size_t)n);
				tl = keep + (size_t)n;
			}
			tail[tl] = '\0';
			if (tl >= 19 && strcmp(tail + tl - 19, "1000 Success\n\nvde$ ") == 0)
				break;
		}
		ok(total > (4U << 20) && tl >= 19 && strcmp(tail + tl - 19, "1000 Success\n\nvde$ ") == 0,
		   "session: a %zu-byte load response is delivered whole", total);
		unlink(lpath);
	}

	/* live socket refused, regular file never removed */
	{
		struct loop *l = loop_new();
		struct app a;
		struct console *c = app_console(&a, l);
		char fpath[128];
		int ffd;

		errno = 0;
		ok(console_listen(c, p, 0600, (gid_t)-1) < 0 && errno == EADDRINUSE,
		   "listen: live socket refused with EADDRINUSE");
		snprintf(fpath, sizeof(fpath), "%s.file", p);
		ffd = open(fpath, O_CREAT | O_WRONLY, 0600);
		close(ffd);
		errno = 0;
		ok(console_listen(c, fpath, 0600, (gid_t)-1) < 0 && errno == EEXIST &&
		   access(fpath, F_OK) == 0, "listen: a regular file is not replaced (EEXIST)");
		errno = 0;
		ok(console_listen(c, "/", 0600, (gid_t)-1) < 0 && errno == EEXIST,
		   "listen: a directory is not a socket (EEXIST)");
		ok(!strcmp(console_listen_strerror(EADDRINUSE), "another program is listening there") &&
		   !strncmp(console_listen_strerror(EEXIST), "exists and is not a socket", 26) &&
		   !strcmp(console_listen_strerror(ENOENT), strerror(ENOENT)),
		   "listen: errors in words");
		unlink(fpath);

		/* mode and group applied (chown to another group needs root) */
		snprintf(fpath, sizeof(fpath), "%s.grp", p);
		if (getuid() == 0) {
			struct stat gst;

			ok(console_listen(c, fpath, 0640, 1) == 0 && stat(fpath, &gst) == 0 &&
			   (gst.st_mode & 07777) == 0640 && gst.st_gid == 1,
			   "listen: mode 0640 and group 1 applied");
			errno = 0;
			ok(console_listen(c, fpath, 0640, 1) < 0 && errno == EBUSY,
			   "listen: a second socket on the same console -> EBUSY");
		}
		console_free(c);
		ok(access(fpath, F_OK) < 0, "listen: console_free removes the socket");
		loop_free(l);
	}

	/* a session that never reads is closed; others keep working */
	{
		static char flood[5 * 6000];
		size_t i;
		int fd3 = connect_to(p), flags;
		ssize_t sent = 0;

		read_until(fd3, "vde$ ", NULL);
		for (i = 0; i < sizeof(flood) / 5; i++)
			memcpy(flood + i * 5, "help\n", 5);
		flags = fcntl(fd3, F_GETFL);
		fcntl(fd3, F_SETFL, flags | O_NONBLOCK);
		while ((size_t)sent < sizeof(flood)) {
			struct pollfd pf = { .fd = fd3, .events = POLLOUT };
			ssize_t n;

			if (poll(&pf, 1, 5000) <= 0)
				break;
			n = send(fd3, flood + sent, sizeof(flood) - (size_t)sent, MSG_NOSIGNAL);
			if (n < 0 && errno == EAGAIN)
				continue;
			if (n <= 0)
				break;
			sent += n;
		}
		writes(fd2, "port/sethub 0\n");
		got = read_until(fd2, "\nvde$ ", NULL);
		ok(same(got, "1000 Success\n\nvde$ "),
		   "session: others unaffected by a peer that does not read");
		/* without reading anything: the server must hang up on us */
		{
			struct pollfd pf = { .fd = fd3, .events = POLLRDHUP };
			static char sink[65536];
			size_t total = 0;
			ssize_t n;

			ok(poll(&pf, 1, 20000) == 1 && (pf.revents & (POLLRDHUP | POLLHUP)),
			   "session: a peer that does not read is closed");
			fcntl(fd3, F_SETFL, flags);
			while ((n = read(fd3, sink, sizeof(sink))) > 0)
				total += (size_t)n;
			ok(n <= 0 && total < (4U << 20), "session: it got only %zu bytes, then EOF",
			   total);
		}
		close(fd3);
	}

	writes(fd2, "logout\n");
	got = read_until(fd2, "9999 END OF SESSION", NULL);
	ok(same(got, "9999 END OF SESSION"), "session: logout");
	{
		char ch;

		ok(read(fd2, &ch, 1) == 0, "session: closed after logout");
	}
	close(fd2);

	writes(fd, "shutdown\n");
	got = read_until(fd, "9999 END OF SESSION", NULL);
	ok(same(got, "9999 END OF SESSION"), "session: shutdown");
	close(fd);
	wait_child(pid, &status);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "server: on_shutdown ran once, clean exit (status %d)", status);
	ok(access(p, F_OK) < 0, "server: socket removed by console_free");

	/* stale socket: bound, then abandoned */
	{
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		int s = socket(AF_UNIX, SOCK_STREAM, 0);

		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", p);
		if (s < 0 || bind(s, (struct sockaddr *)&sun, sizeof(sun)) < 0)
			ok(0, "bind stale");
		close(s);
		pid = server(false, -1, -1, -1, -1);
		fd = wait_connect(p);
		got = read_until(fd, "vde$ ", NULL);
		ok(fd >= 0 && strcmp(got, BANNER "\n\nvde$ ") == 0, "listen: stale socket replaced");
		writes(fd, "shutdown\n");
		read_until(fd, "9999 END OF SESSION", NULL);
		close(fd);
		wait_child(pid, &status);
		ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "server 2: clean exit");
	}
}

static void test_stdio(void)
{
	int in[2], out[2], status = -1;
	char *got;
	size_t len;
	pid_t pid;

	if (pipe(in) < 0 || pipe(out) < 0) {
		ok(0, "pipe");
		return;
	}
	pid = server(true, in[0], out[1], in[1], out[0]);
	close(in[0]);
	close(out[1]);
	writes(in[1], "port/sethub 1\nlogout\nnosuch");
	poll(NULL, 0, 20);
	writes(in[1], "\nport/printall\nlast");
	close(in[1]);
	got = read_until(out[0], "\n\n\n", &len);	/* never matches: reads to EOF */
	ok(same(got, "1000 Success\n1038 Function not implemented\n"
		       "0000 DATA END WITH '.'\nall\n.\n1000 Success\n"
		       "1038 Function not implemented\n"),
	   "stdio: responses on out, no prompt on a pipe, logout ignored, last line run at EOF");
	close(out[0]);
	wait_child(pid, &status);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "stdio: on_stdin_eof ran (status %d)", status);

	/* stdin is a regular file (epoll refuses it) */
	{
		char path[] = "/tmp/test_console_in.XXXXXX";
		int fd = mkstemp(path);

		if (pipe(out) < 0 || fd < 0) {
			ok(0, "setup");
			return;
		}
		writes(fd, "port/sethub 0\nshutdown\nport/sethub 1\n");
		lseek(fd, 0, SEEK_SET);
		pid = fork();
		if (pid == 0) {
			struct app a;

			prctl(PR_SET_PDEATHSIG, SIGKILL);
			struct loop *l = loop_new();
			struct console *c = app_console(&a, l);

			close(out[0]);
			if (console_attach_stdio(c, fd, out[1]) < 0)
				_exit(3);
			loop_run(l);
			console_free(c);
			loop_free(l);
			_exit(a.shutdowns == 1 ? 0 : 7);
		}
		close(out[1]);
		close(fd);
		unlink(path);
		got = read_until(out[0], "\n\n\n", &len);
		ok(same(got, "1000 Success\n"), "stdio file: shutdown prints nothing, stops");
		close(out[0]);
		wait_child(pid, &status);
		ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "stdio file: on_shutdown ran");
	}
}

int main(void)
{
	alarm(120);		/* a hang fails the test instead of blocking make check */
	signal(SIGPIPE, SIG_IGN);
	test_linebuf();
	test_lookup();
	test_exec();
	test_order();
	test_sessions();
	test_stdio();
	return tap_done();
}
