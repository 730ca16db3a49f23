// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/fuzz/fuzz_console.c - fuzz the console line splitter and console_exec_line()
 *
 * Input: byte 0 picks the chunk size (1..256) used to feed the rest of the
 * input to the line splitter; the rest is a byte stream as a session would
 * send it. Every complete line is executed against a small fake command
 * table (numbers parsed with parse_num(), like the switch does).
 *
 * Invariants (abort() on violation):
 *  - the lines are the same whatever the chunk size (compared with a
 *    whole-buffer feed); every line is NUL-terminated, has no '\n' and is
 *    at most CONSOLE_LINE_MAX bytes; overflow is reported once per line;
 *  - console_lookup() returns a command whose path starts with the first
 *    word, and the args pointer lies inside the line;
 *  - console_exec_line() returns 0 (no output at all), 9999 (exactly
 *    "9999 END OF SESSION") or 1000..1999 with output that ends with the
 *    matching "1%03d <strerror>\n" status line; a DATA header is closed by
 *    "\n.\n" before the status; the same line gives the same bytes twice.
 * "load" lines are skipped: they would read files.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "fzexec.h"
#include "json.h"
#include "loop.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int numports = 32;

static int fz_setnumports(void *ctx, FILE *out, const char *args)
{
	const char *err;
	long long n = parse_num(args, 1, 4096, &err);

	(void)ctx; (void)out;
	if (err)
		return EINVAL;
	numports = (int)n;
	return 0;
}

static int fz_vlan(void *ctx, FILE *out, const char *args)
{
	const char *err;
	long long n = parse_num(args, 0, 4095, &err);

	(void)ctx;
	if (err)
		return EINVAL;
	if (n == 0 || n == 4095)
		return ENXIO;
	fprintf(out, "VLAN %04lld\n", n);
	return 0;
}

static int fz_remove(void *ctx, FILE *out, const char *args)
{
	const char *err;
	long long n = parse_num(args, 0, numports - 1, &err);

	(void)ctx; (void)out;
	if (err)
		return ENXIO;
	return n == 1 ? EADDRINUSE : 0;	/* port 1 is "in use" */
}

static int fz_echo(void *ctx, FILE *out, const char *args)
{
	(void)ctx;
	fputs(args, out);		/* no newline: the console adds it */
	return 0;
}

static const struct console_cmd fz_cmds[] = {
	{ "port", "============", "PORT MENU", NULL, CONSOLE_MENU },
	{ "port/setnumports", "N", "set the number of ports", fz_setnumports, 0 },
	{ "port/remove", "N", "remove a port", fz_remove, 0 },
	{ "port/print", "[N]", "print", fz_echo, CONSOLE_OUTPUT },
	{ "vlan/print", "[N]", "print vlan", fz_vlan, CONSOLE_OUTPUT },
	{ "showinfo", "", "info", fz_echo, CONSOLE_OUTPUT },
};

/* -j port/print: the arguments as a JSON string (escaping under fuzz) */
static int fz_json(void *ctx, struct json *j, const char *args)
{
	(void)ctx;
	json_obj(j, NULL);
	json_str(j, "args", args);
	json_obj_end(j);
	return 0;
}

static const struct console_json_cmd fz_json_cmds[] = {
	{ "port/print", fz_json },
};

static const struct console_debug_cat fz_dbg[] = {
	{ "port/+", 021, "new port" },
	{ "port/-", 022, "closed port" },
};

struct fz_lines {
	char *buf;		/* lines separated by '\n', overflow as "\x01\n" */
	size_t len, cap;
	size_t count;
};

static void fz_append(struct fz_lines *fl, const char *s, size_t n)
{
	if (fl->len + n + 1 > fl->cap) {
		size_t cap = (fl->len + n + 1) * 2;
		char *b = realloc(fl->buf, cap);

		if (!b)
			abort();
		fl->buf = b;
		fl->cap = cap;
	}
	memcpy(fl->buf + fl->len, s, n);
	fl->len += n;
	fl->buf[fl->len++] = '\n';
}

static void fz_collect(void *arg, char *line, size_t len, bool overflow)
{
	struct fz_lines *fl = arg;

	if (len > CONSOLE_LINE_MAX || line[len] != '\0' || memchr(line, '\n', len))
		abort();
	fl->count++;
	if (overflow)
		fz_append(fl, "\x01", 1);
	else
		fz_append(fl, line, len);
}

static struct console *fz_console(void)
{
	static struct console *c;
	static struct loop *l;
	struct console_config cfg = {
		.banner = "fuzz", .prompt = "vde$ ", .shutdown_help = "shutdown",
	};

	if (c)
		return c;
	l = loop_new();
	if (!l)
		abort();
	c = console_new(l, &cfg);
	if (!c || console_add_cmds(c, fz_cmds, sizeof(fz_cmds) / sizeof(fz_cmds[0])) ||
	    console_add_debug(c, fz_dbg, sizeof(fz_dbg) / sizeof(fz_dbg[0])) ||
	    console_add_json(c, fz_json_cmds, 1))
		abort();
	return c;
}

static void fz_check_line(struct console *c, char *line)
{
	const struct console_cmd *cmd;
	const char *args = NULL, *w = line, *look = line;
	char status[128], *out, *out2;
	size_t len, len2, wlen, slen, n = strlen(line);
	bool json = false;
	int rc, rc2;

	/* exec_line ignores trailing blanks, '\r' and '\n': so does lookup here */
	while (n && strchr(" \t\r\n", line[n - 1]))
		line[--n] = '\0';
	while (*w == ' ' || *w == '\t')
		w++;
	/* "-j CMD": the JSON form of CMD */
	if (w[0] == '-' && w[1] == 'j' && (w[2] == '\0' || w[2] == ' ' || w[2] == '\t')) {
		json = true;
		look = w + 2;
		w = look + strspn(look, " \t");
	}
	wlen = strcspn(w, " \t");
	cmd = console_lookup(c, look, &args);
	if (cmd) {
		if (wlen == 0 || strncmp(cmd->path, w, wlen) != 0 || !args ||
		    args < line || args > line + strlen(line))
			abort();
		if (strcmp(cmd->path, "load") == 0)
			return;
	}
	out = fz_exec(c, line, &rc, &len);
	if (rc == 0) {
		if (len)
			abort();
	} else if (rc == 9999) {
		if (strcmp(out, "9999 END OF SESSION") != 0)
			abort();
	} else {
		if (rc < 1000 || rc > 1999)
			abort();
		snprintf(status, sizeof(status), "1%03d %s\n", rc - 1000,
			 rc == 1000 ? "Success" : strerror(rc - 1000));
		slen = strlen(status);
		if (len < slen || memcmp(out + len - slen, status, slen) != 0)
			abort();
		if (strncmp(out, "0000 DATA END WITH '.'\n", 23) == 0) {
			if (len < 23 + 2 + slen || memcmp(out + len - slen - 2, ".\n", 2) != 0 ||
			    (len - slen - 2 > 23 && out[len - slen - 3] != '\n'))
				abort();
		} else if (cmd && (cmd->flags & CONSOLE_OUTPUT) &&
			   !(json && rc == 1000 + EOPNOTSUPP)) {
			abort();
		}
		if (!cmd && rc != 1000 + ENOSYS && !(json && !*w && rc == 1000 + EINVAL))
			abort();
		if (json && rc == 1000 + EOPNOTSUPP &&
		    (!cmd || !(cmd->flags & CONSOLE_OUTPUT) || !strcmp(cmd->path, "port/print")))
			abort();	/* only tables without a JSON form say so */
	}
	out2 = fz_exec(c, line, &rc2, &len2);
	/* commands with state (setnumports, debug/add) may differ the second
	 * time; the rest must be deterministic */
	if (cmd && cmd->fn != fz_setnumports && strncmp(cmd->path, "debug/", 6) != 0 &&
	    (rc2 != rc || len2 != len || memcmp(out, out2, len) != 0))
		abort();
	free(out);
	free(out2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct console *c = fz_console();
	struct console_linebuf *lb1 = malloc(sizeof(*lb1)), *lb2 = malloc(sizeof(*lb2));
	struct fz_lines whole = { 0 }, split = { 0 };
	const char *stream;
	size_t chunk, i, start;

	if (!lb1 || !lb2)
		abort();
	if (size < 1)
		goto out;
	chunk = (size_t)data[0] + 1;
	stream = (const char *)data + 1;
	size--;

	console_linebuf_init(lb1);
	console_linebuf_feed(lb1, stream, size, fz_collect, &whole);
	console_linebuf_init(lb2);
	for (i = 0; i < size; i += chunk)
		console_linebuf_feed(lb2, stream + i, size - i < chunk ? size - i : chunk,
				     fz_collect, &split);
	if (whole.count != split.count || whole.len != split.len ||
	    (whole.len && memcmp(whole.buf, split.buf, whole.len) != 0))
		abort();
	if (lb1->len != lb2->len || lb1->overflow != lb2->overflow ||
	    memcmp(lb1->buf, lb2->buf, lb1->len) != 0)
		abort();

	/* execute each complete line (NUL-terminated copies) */
	for (start = 0, i = 0; i < whole.len; i++) {
		if (whole.buf[i] != '\n')
			continue;
		whole.buf[i] = '\0';
		if (!(i - start == 1 && whole.buf[start] == '\x01'))
			fz_check_line(c, whole.buf + start);
		start = i + 1;
	}
out:
	free(whole.buf);
	free(split.buf);
	free(lb1);
	free(lb2);
	return 0;
}
