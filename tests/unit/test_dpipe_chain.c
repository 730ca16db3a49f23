// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_dpipe_chain.c - dpipe's grammar: which pipes each
 * command line builds, and which command lines are refused */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain.h"
#include "tap.h"

#define MAXW 32

static const char *slot_name[SLOT_N] = { "in", "out", "ain", "aout" };

/* Split @line at blanks into a writable argv. */
static int split(const char *line, char *buf, size_t bufsz, char **argv)
{
	int n = 0;
	char *t;

	snprintf(buf, bufsz, "%s", line);
	for (t = strtok(buf, " "); t && n < MAXW - 1; t = strtok(NULL, " "))
		argv[n++] = t;
	argv[n] = NULL;
	return n;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Render the edges as sorted "w.slot>r.slot" words, stages named by argv[0]. */
static void render(const struct chain *c, char *out, size_t outsz)
{
	char words[MAXW * 2][32], *ptr[MAXW * 2];
	size_t i, off = 0;

	for (i = 0; i < c->nedge && i < MAXW * 2; i++) {
		const struct chain_edge *e = &c->edge[i];

		snprintf(words[i], sizeof(words[i]), "%s.%s>%s.%s", c->st[e->w].argv[0],
			 slot_name[e->ws], c->st[e->r].argv[0], slot_name[e->rs]);
		ptr[i] = words[i];
	}
	qsort(ptr, i, sizeof(ptr[0]), cmp_str);
	out[0] = '\0';
	for (size_t k = 0; k < i; k++)
		off += (size_t)snprintf(out + off, outsz - off, "%s%s", k ? " " : "", ptr[k]);
}

static void check_ok(const char *line, const char *want)
{
	char buf[512], *argv[MAXW], got[1024];
	struct chain c;
	const char *err = NULL;
	int argc = split(line, buf, sizeof(buf), argv);

	if (!ok(chain_parse(&c, argc, argv, &err) == 0, "accepts '%s'", line)) {
		printf("# error: %s\n", err);
		chain_free(&c);
		return;
	}
	render(&c, got, sizeof(got));
	if (!ok(strcmp(got, want) == 0, "pipes of '%s'", line))
		printf("# got:  %s\n# want: %s\n", got, want);
	chain_free(&c);
}

static void check_err(const char *line, const char *msg)
{
	char buf[512], *argv[MAXW];
	struct chain c;
	const char *err = NULL;
	int argc = split(line, buf, sizeof(buf), argv);
	int r = chain_parse(&c, argc, argv, &err);

	ok(r < 0 && err && strstr(err, msg), "refuses '%s' (%s)", line, err ? err : "accepted");
	chain_free(&c);
}

int main(void)
{
	char buf[256], *argv[MAXW];
	struct chain c;
	const char *err = NULL;
	int argc;

	check_ok("a = b", "a.out>b.in b.out>a.in");
	check_ok("a = b = c", "a.out>b.in b.aout>c.in b.out>a.in c.out>b.ain");
	check_ok("a = b = c = d",
		 "a.out>b.in b.aout>c.in b.out>a.in c.aout>d.in c.out>b.ain d.out>c.ain");
	check_ok("a =} f }= b", "a.out>f.in b.out>a.in f.out>b.in");
	check_ok("a ={ g {= b", "a.out>b.in b.out>g.in g.out>a.in");
	check_ok("a =} f1 = f2 }= b", "a.out>f1.in b.out>a.in f1.out>f2.in f2.out>b.in");
	check_ok("a ={ g1 = g2 {= b", "a.out>b.in b.out>g2.in g1.out>a.in g2.out>g1.in");
	/* the example of dpipe(1): a -> b -> d -> c -> a, d's alternates to e */
	check_ok("a =} b }={ c {= d = e",
		 "a.out>b.in b.out>d.in c.out>a.in d.aout>e.in d.out>c.in e.out>d.ain");
	check_ok("a ={ c {=} b }= d", "a.out>b.in b.out>d.in c.out>a.in d.out>c.in");
	/* a word that begins with "=" ("}=", "{=") is a separator, whatever
	 * follows, as in VDE 2's and vdeplug4's dpipe; one that only contains
	 * '=' is an argument */
	check_ok("a x=1 y= == b", "a.out>b.in b.out>a.in");
	check_ok("a =x b", "a.out>b.in b.out>a.in");
	check_ok("a = b == c", "a.out>b.in b.aout>c.in b.out>a.in c.out>b.ain");
	check_ok("a =}x f }=y b", "a.out>f.in b.out>a.in f.out>b.in");
	check_ok("a ={= g {== b", "a.out>b.in b.out>g.in g.out>a.in");
	check_err("a = b =x", "last word");
	check_err("=a b", "first word");

	/* argv of each stage ends where its separator was */
	argc = split("a -x 1 = b -y", buf, sizeof(buf), argv);
	ok(chain_parse(&c, argc, argv, &err) == 0 && c.nst == 2 &&
	   !strcmp(c.st[0].argv[0], "a") && !strcmp(c.st[0].argv[2], "1") && !c.st[0].argv[3] &&
	   !strcmp(c.st[1].argv[0], "b") && !strcmp(c.st[1].argv[1], "-y") && !c.st[1].argv[2],
	   "stage argv split in place");
	chain_free(&c);

	check_err("", "no command");
	check_err("a", "at least two");
	check_err("= a", "first word");
	check_err("a =", "last word");
	check_err("a = = b", "empty command");
	check_err("a =} }= b", "empty command");
	check_err("a =} b", "unclosed group");
	check_err("a ={ b", "unclosed group");
	check_err("a }= b", "closing brace");
	check_err("a {= b", "closing brace");
	check_err("a =} b {= c", "closing brace");
	check_err("a =} b =} c }= d", "nested");
	check_err("a =} b }=", "last word");
	check_err("=} a }= b", "first word");
	return tap_done();
}
