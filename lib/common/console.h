/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/common/console.h - the VDE management console server, written once
 *
 * Used by vde_switch, wirefilter, vde_cryptcab and slirpvde. Speaks VDE 2's
 * bytes exactly (docs/protocol.md, "Console protocol"):
 *
 *   on connect:  <banner> ["\n" unless it ends with one] "\n" <prompt>
 *                e.g. "...GPLv2\n" "\nvde$ "
 *   a command with CONSOLE_OUTPUT:
 *                "0000 DATA END WITH '.'\n" <body lines> ".\n"   (even on failure)
 *   then status: "1000 Success\n"  or  "1%03d %s\n" (errno, strerror(errno))
 *   then:        "\n" <prompt>
 *   logout:      "9999 END OF SESSION" and close; shutdown: same, then on_shutdown()
 *   async:       "3%03o %s %s\n" (tag in octal, category path, text) to sessions
 *                that subscribed with debug/add
 *
 * Unlike VDE 2 input is really line-buffered: several commands in one write
 * and one command over several writes both work. Lines end at '\n' ("\r\n"
 * accepted); leading blanks skipped; empty lines and '#' comments only get
 * the prompt. Lines longer than CONSOLE_LINE_MAX are answered with
 * "1007 Argument list too long" and discarded up to the next newline.
 * A line without a newline runs once no further byte arrived for
 * CONSOLE_PARTIAL_RUN_MS if its first word is a command, for
 * CONSOLE_PARTIAL_WAIT_MS otherwise (VDE 2's vdeterm and other clients
 * write each command without "\n", as VDE 2 ran every read as one command);
 * the parts of a command split over several writes must follow each other
 * closer than that, or the command must end with a newline.
 *
 * Command lookup: the first blank-delimited word of the line must be a
 * command path exactly; an abbreviation is never completed ("shu" is "1038
 * Function not implemented", as on VDE 2), nor is "showinfoXYZ" showinfo.
 * Arguments are the rest of the line with leading blanks skipped.
 *
 * JSON: a line "-j CMD ARGS" runs the JSON form of CMD (registered with
 * console_add_json()): "0000 DATA END WITH '.'\n", one JSON document on
 * one line, ".\n", status. A command that prints a table but has no JSON
 * form answers "1095 Operation not supported"; one that prints nothing
 * runs as usual. Without "-j" every byte is VDE 2's.
 *
 * Built-in commands registered first by console_new(): help [prefix],
 * logout, shutdown, load PATH, debug/list [prefix], debug/add PATH,
 * debug/del PATH (help and debug/list have JSON forms). The application
 * adds its tables with console_add_cmds() and console_add_json().
 *
 * Limits: CONSOLE_MAX_SESSIONS socket sessions; when full, the daemon's
 * owner (its euid, by SO_PEERCRED) and root still get in (the session idle
 * the longest is closed for them), others are refused (counted, logged).
 * A socket session without input for the idle timeout (default
 * CONSOLE_IDLE_DEFAULT_S, environment VDEKIT_CONSOLE_IDLE=SECONDS, 0 =
 * never; debug lines sent to it count as activity) gets "9999 END OF
 * SESSION" and is closed. Out of descriptors, accept pauses (accept.h).
 *
 * load PATH opens the file with the client's rights: a client of another
 * uid than the daemon's (and not root) gets it through a child that takes
 * the client's uid, gid and groups (SO_PEERCRED, SO_PEERGROUPS); a daemon
 * that is not root refuses such loads (1013). Only regular files of at most
 * CONSOLE_LOAD_MAX bytes, opened O_NONBLOCK, none from /proc or /sys;
 * lines are read through the line splitter (memory bounded by one line).
 */
#ifndef VDEKIT_CONSOLE_H
#define VDEKIT_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define CONSOLE_LINE_MAX	4096
#define CONSOLE_PARTIAL_RUN_MS	250		/* unterminated command runs after */
#define CONSOLE_PARTIAL_WAIT_MS	2000		/* ... other unterminated text */
#define CONSOLE_LOAD_MAX	(8L << 20)	/* bytes of a load/rc file */
#define CONSOLE_IDLE_DEFAULT_S	600		/* idle socket sessions closed */

struct loop;
struct console;
struct console_session;
struct json;

/* Command handler. Writes its body (if any) to @out; returns 0 for
 * "1000 Success" or a positive errno value for "1<errno> <strerror>". */
typedef int (*console_fn)(void *ctx, FILE *out, const char *args);

enum console_cmd_flags {
	CONSOLE_OUTPUT	= 1U << 0,	/* body framed by 0000 DATA ... '.' */
	CONSOLE_MENU	= 1U << 1,	/* menu header for help ("port", "============") */
};

struct console_cmd {
	const char *path;		/* "port/print" */
	const char *syntax;		/* "[N]" shown by help, "" if none */
	const char *help;		/* one line */
	console_fn fn;			/* NULL for CONSOLE_MENU entries */
	unsigned flags;
};

/* JSON form of a command ("-j CMD ARGS"): writes exactly one document
 * (normally an object) to @j; returns 0 or a positive errno value like
 * console_fn. Field names are an interface: document them, never rename. */
typedef int (*console_json_fn)(void *ctx, struct json *j, const char *args);

struct console_json_cmd {
	const char *path;		/* a registered command: "port/print" */
	console_json_fn fn;
};

/* Debug category for debug/list, debug/add; tag is printed as %03o. */
struct console_debug_cat {
	const char *path;		/* "port/+" */
	unsigned tag;			/* 021 */
	const char *help;		/* "new port" */
};

struct console_config {
	const char *banner;		/* without the trailing "\n" + prompt */
	const char *prompt;		/* "vde$ " */
	const char *shutdown_help;	/* "shutdown of the switch" */
	void *ctx;			/* passed to every console_fn */
	void (*on_shutdown)(void *ctx);		/* shutdown command */
	void (*on_stdin_eof)(void *ctx);	/* EOF on the stdio session */
	/* before each command runs (may be NULL): its path, and whether it
	 * runs in its JSON form (which only reports) */
	void (*on_exec)(void *ctx, const char *path, bool json);
	/* load's echo as VDE 2's wirefilter writes it: the whole run framed as
	 * data ("0000 DATA END WITH '.'" ... "."), each line echoed as "\n"
	 * PROMPT " (FILE) LINE"; else as vde_switch: "vde[FILE]: LINE", unframed */
	bool load_framed;
	/* the stdin console's prompt after each response on stdout, as VDE 2's
	 * wirefilter writes it; else on fd 0, as vde_switch */
	bool stdio_prompt_out;
};

struct console *console_new(struct loop *l, const struct console_config *cfg);
void console_free(struct console *c);		/* closes every session + socket */

int console_add_cmds(struct console *c, const struct console_cmd *cmds, size_t n);
/* Same, inserted before the entry whose path is @before (appended if no
 * such entry): VDE 2 lists "ds" before "help" and "showinfo" before "load". */
int console_add_cmds_before(struct console *c, const char *before,
			    const struct console_cmd *cmds, size_t n);
int console_add_debug(struct console *c, const struct console_debug_cat *cats, size_t n);
/* Unregister by path (a switch plugin unloaded): help, lookup, debug/list
 * no longer see them; sessions subscribed to a removed category are
 * unsubscribed. Safe from inside a command handler. */
void console_del_cmds(struct console *c, const struct console_cmd *cmds, size_t n);
void console_del_debug(struct console *c, const struct console_debug_cat *cats, size_t n);
/* JSON forms of commands registered before; -1/ENOENT for an unknown path. */
int console_add_json(struct console *c, const struct console_json_cmd *tbl, size_t n);
/* Idle timeout of socket sessions in seconds, 0 = never (e.g. an option). */
void console_set_idle(struct console *c, unsigned seconds);

/* Listen on a stream socket at @path (stale socket replaced, live one
 * refused with EADDRINUSE, anything else there with EEXIST). 0 or -1 with
 * errno. Removed by console_free(). */
int console_listen(struct console *c, const char *path, mode_t mode, gid_t group);
/* What console_listen()'s errno @e means for a user: those two said in
 * words ("Address already in use" for a directory sent users astray),
 * strerror() for the rest. */
const char *console_listen_strerror(int e);

/* Use @in/@out as a console session (the switch's stdin console), as VDE 2
 * does: no banner, responses to @out, the prompt written to @in (shows on a
 * terminal, silently fails on a pipe), logout ignored, shutdown silent.
 * @out is made non-blocking if it is a pipe or socket (restored by
 * console_free()). EOF on @in: pending output is drained (10 s at most),
 * then cfg->on_stdin_eof() runs. A regular file or /dev/null as @in works.
 *
 * on_shutdown() and on_stdin_eof() run when the console is done with the
 * session; they may call loop_stop() and even console_free(). */
int console_attach_stdio(struct console *c, int in, int out);

/* Run every line of @path as a command. @echo: NULL = silent (rc files at
 * start-up), else each line is echoed as "<prefix>[PATH]: <line>\n" to it
 * followed by the command's own output. Returns 0 or an errno value. */
int console_load_file(struct console *c, const char *path, FILE *echo);

/* Async debug lines. Cheap check first so the data path formats nothing
 * when nobody listens. */
bool console_debug_wanted(const struct console *c, unsigned tag);
void console_debug(struct console *c, unsigned tag, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same line for category @path with a text of any length (no newline). */
void console_debug_text(struct console *c, const char *path, const char *text, size_t len);

/* --- pure pieces, exposed for unit tests and fuzzing --------------------- */

/* Line splitter: feed arbitrary chunks, get whole lines (without "\n"/"\r\n",
 * NUL-terminated). Overlong lines are reported with @overflow = true once
 * and their bytes dropped up to the next newline. */
struct console_linebuf {
	char buf[CONSOLE_LINE_MAX + 1];
	size_t len;
	bool overflow;
};
typedef void (*console_line_cb)(void *arg, char *line, size_t len, bool overflow);
void console_linebuf_init(struct console_linebuf *lb);
void console_linebuf_feed(struct console_linebuf *lb, const char *buf, size_t len,
			  console_line_cb cb, void *arg);

/* Look a line up in the command tables; *args points into @line. */
const struct console_cmd *console_lookup(const struct console *c, const char *line,
					 const char **args);

/* Execute one line as a session would, writing the full response bytes
 * (framing + status, without the prompt) to @out. Returns the status code
 * (1000 for success, 1000+errno, 9999 for logout/shutdown, 0 for empty). */
int console_exec_line(struct console *c, const char *line, FILE *out);

#endif
