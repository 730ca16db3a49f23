// SPDX-License-Identifier: LGPL-2.1-or-later
/* lib/common/console.c - the VDE management console server
 *
 * One implementation of VDE 2's management console (vde_switch -M, the
 * switch's stdin console, wirefilter, vde_cryptcab) speaking VDE 2's bytes.
 *
 * Theory of operation
 *
 * The pure core is console_exec_line(): one line in, the complete response
 * bytes out (framing and status, not the prompt). It looks the first word
 * up in the command table (exact path only: abbreviations are never
 * completed), runs the handler with an open_memstream() FILE and frames the
 * result; "-j CMD" runs CMD's JSON form (a struct json on the same FILE):
 *
 *   CONSOLE_OUTPUT:  "0000 DATA END WITH '.'\n" body ".\n" status
 *   -j CMD:          "0000 DATA END WITH '.'\n" one JSON line ".\n" status
 *   other commands:  body (raw, as VDE 2's load does) status
 *   status:          "1000 Success\n" or "1%03d %s\n" (errno, strerror)
 *   logout/shutdown: "9999 END OF SESSION" (no newline), session closed
 *
 * Sessions are the I/O shell around it. Bytes read from a session go
 * through a line splitter (console_linebuf), so several commands per read
 * and one command over several reads both work. Each response, followed by
 * "\n" + prompt, is appended to the session's output buffer and written
 * without blocking; what the peer does not take stays in the buffer (the fd
 * then also waits for EPOLLOUT). A session whose buffer grows beyond
 * CONSOLE_OUTBUF_MAX (a peer that never reads) is closed, never waited for.
 *
 * A socket session has one timer: it runs an unterminated line once its
 * writer has been quiet for CONSOLE_PARTIAL_RUN_MS (vdeterm), and closes the
 * session after c->idle_ns without input. Accepting goes through
 * accept_guarded() (accept.h): out of descriptors it pauses, never spins.
 * When CONSOLE_MAX_SESSIONS are open only the daemon's owner and root get
 * in (make_room() closes the longest idle session for them).
 *
 * load opens its file through open_script(): directly for the daemon itself
 * and its own user (or root), else in a child that drops to the client's
 * credentials and passes the descriptor back (open_as_peer()); only regular
 * files outside /proc and /sys, at most CONSOLE_LOAD_MAX bytes, read through
 * the line splitter (load_fd()).
 *
 * Sessions are never freed while a command runs: closing one only marks it
 * dead; dead sessions are reaped when the event handler that is on the stack
 * returns. This makes console_debug() safe from inside command handlers.
 *
 * The stdio session mirrors VDE 2's stdin console: no banner, responses to
 * @out (stdout), the prompt written to @in (fd 0: it shows on a terminal and
 * silently fails on a pipe, exactly like vde_switch; after each response on
 * @out with cfg.stdio_prompt_out, like wirefilter), logout is ignored and
 * shutdown prints nothing.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "accept.h"
#include "console.h"
#include "daemon.h"
#include "json.h"
#include "log.h"
#include "loop.h"
#include "parse.h"

#define CONSOLE_OUTBUF_MAX	(4U << 20)	/* per-session pending output */
#define CONSOLE_OUTBUF_KEEP	(64U << 10)	/* larger buffers freed when drained */
#define CONSOLE_MAX_SESSIONS	64		/* socket sessions (the owner may evict) */
#define CONSOLE_PARTIAL_RUN_NS	(CONSOLE_PARTIAL_RUN_MS * 1000000ULL)
#define CONSOLE_FULL_LOG_NS	(10 * 1000000000ULL)	/* "console full" log rate */
#define CONSOLE_OPEN_AS_MS	3000		/* open_as_peer() child deadline */
#define CONSOLE_PEER_GROUPS	256		/* supplementary groups used by load */
#define CONSOLE_LOAD_DEPTH	16		/* handler + load nesting (8 loads) */
#define CONSOLE_RC_WAIT_MS	10000		/* a start-up file on a pipe: per read */
#define CONSOLE_DEBUG_TAGS	512		/* tags are 3 octal digits */
#define CONSOLE_EOF_FLUSH_MS	10000		/* stdout drain at stdin EOF */

#define CONSOLE_RC_SILENT	(-1)		/* exec_line(): no output, no prompt */

#define DATA_HEADER	"0000 DATA END WITH '.'\n"
#define END_OF_SESSION	"9999 END OF SESSION"

struct console_session;
typedef int (*console_builtin)(struct console *c, struct console_session *s,
			       FILE *out, const char *args);

typedef int (*console_builtin_json)(struct console *c, struct console_session *s,
				    struct json *j, const char *args);

struct console_entry {
	struct console_cmd cmd;		/* first: see entry_of() */
	console_builtin builtin;
	console_builtin_json builtin_json;
	console_json_fn json;		/* console_add_json() */
};

struct console_dbg {
	struct console_debug_cat cat;
	size_t nsubs;
};

struct console_session {
	struct console *c;
	int in, out;			/* the same socket, or stdin/stdout */
	bool stdio;
	bool dead;
	bool eof;			/* peer closed: drain output then close */
	bool out_watched;		/* waiting for EPOLLOUT */
	struct console_linebuf lb;
	char *obuf;			/* unsent output is obuf[ooff, olen) */
	size_t ooff, olen, ocap;
	bool *subs;			/* indexed like c->dbg */
	size_t nsubs_alloc;
	bool peer_known;		/* a socket session: its client's credentials */
	uid_t peer_uid;
	gid_t peer_gid;
	long timer;			/* partial line / idle timeout, 0 = none */
	uint64_t last_active;		/* loop_now_ns() of the last input */
	uint64_t partial_at;		/* run the unterminated line then, 0 = no */
	struct console_session *next;
};

struct console {
	struct loop *l;
	struct console_config cfg;
	char *load_prefix;		/* prompt without "$ " (echo of load) */

	struct console_entry *cmds;
	size_t ncmds;
	struct console_dbg *dbg;
	size_t ndbg;
	unsigned wanted[CONSOLE_DEBUG_TAGS];

	struct console_session *sessions;
	size_t nsessions;
	struct console_session *current;	/* running a command */
	int depth;			/* nesting of handlers / loads */
	bool shutdown_req;
	bool stdin_eof_req;

	int lfd;
	char *lpath;
	char *lname;			/* "console PATH" for the accept log */
	struct accept_guard ag;
	uint64_t idle_ns;		/* idle timeout of socket sessions, 0 = never */
	uint64_t refused_full;		/* connections refused: console full */
	uint64_t next_full_log;

	int stdio_out_flags;		/* to restore at console_free() */
	int stdio_out_fd;
	long stdin_timer;		/* stdin that epoll refuses (file) */
};

/* --- line splitter (pure) ------------------------------------------------ */

/**
 * console_linebuf_init() - reset a line splitter
 * @lb:		splitter
 */
void console_linebuf_init(struct console_linebuf *lb)
{
	lb->len = 0;
	lb->overflow = false;
	lb->buf[0] = '\0';
}

/**
 * console_linebuf_feed() - feed bytes, get complete lines
 * @lb:		splitter
 * @buf:	bytes
 * @len:	number of bytes
 * @cb:		called with each line (without "\n" or "\r\n", NUL-terminated),
 *		or once per overlong line with @overflow set
 * @arg:	callback argument
 */
void console_linebuf_feed(struct console_linebuf *lb, const char *buf, size_t len,
			  console_line_cb cb, void *arg)
{
	size_t i = 0;

	while (i < len) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (buf + i)) : len - i;

		if (!lb->overflow) {
			if (n > CONSOLE_LINE_MAX - lb->len) {
				lb->overflow = true;
				lb->buf[lb->len] = '\0';
				cb(arg, lb->buf, lb->len, true);
				lb->len = 0;
			} else {
				memcpy(lb->buf + lb->len, buf + i, n);
				lb->len += n;
			}
		}
		i += n;
		if (!nl)
			break;
		i++;			/* the newline */
		if (lb->overflow) {
			lb->overflow = false;
		} else {
			size_t l = lb->len;

			if (l && lb->buf[l - 1] == '\r')
				l--;
			lb->buf[l] = '\0';
			lb->len = 0;
			cb(arg, lb->buf, l, false);
		}
	}
}

/* --- command table ------------------------------------------------------- */

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/**
 * console_lookup() - find the command a line names
 * @c:		console
 * @line:	the line, leading blanks allowed
 * @args:	set to the arguments (leading blanks skipped), if found
 *
 * The first blank-delimited word must be a command path exactly: an
 * abbreviation is never completed ("shu" is not "shutdown": VDE 2 answers
 * it with 1038 too) and a path followed by junk ("showinfoXYZ") is unknown.
 *
 * Return: the command, or NULL (unknown, menu, empty).
 */
const struct console_cmd *console_lookup(const struct console *c, const char *line,
					 const char **args)
{
	const struct console_entry *found = NULL;
	size_t i, wlen;

	while (is_blank(*line))
		line++;
	wlen = strcspn(line, " \t");
	if (!wlen)
		return NULL;
	for (i = 0; i < c->ncmds && !found; i++) {
		const struct console_entry *e = &c->cmds[i];

		if ((e->cmd.fn || e->builtin) && strncmp(e->cmd.path, line, wlen) == 0 &&
		    e->cmd.path[wlen] == '\0')
			found = e;
	}
	if (!found)
		return NULL;
	line += wlen;
	while (is_blank(*line))
		line++;
	*args = line;
	return &found->cmd;
}

/* console_lookup() returns &entry->cmd, the first member */
static const struct console_entry *entry_of(const struct console_cmd *cmd)
{
	return (const struct console_entry *)(const void *)cmd;
}

static int add_entries(struct console *c, const struct console_cmd *cmds,
		       const console_builtin *builtins, const console_builtin_json *bjson,
		       size_t n)
{
	struct console_entry *e;
	size_t i;

	if (n > SIZE_MAX / sizeof(*e) - c->ncmds) {
		errno = ENOMEM;
		return -1;
	}
	e = realloc(c->cmds, (c->ncmds + n) * sizeof(*e));
	if (!e)
		return -1;
	c->cmds = e;
	for (i = 0; i < n; i++) {
		e[c->ncmds].cmd = cmds[i];
		e[c->ncmds].builtin = builtins ? builtins[i] : NULL;
		e[c->ncmds].builtin_json = bjson ? bjson[i] : NULL;
		e[c->ncmds].json = NULL;
		c->ncmds++;
	}
	return 0;
}

/**
 * console_add_cmds() - register application commands
 * @c:		console
 * @cmds:	table (the strings must outlive the console; the array is copied)
 * @n:		number of entries
 *
 * Return: 0, or -1 with errno.
 */
int console_add_cmds(struct console *c, const struct console_cmd *cmds, size_t n)
{
	return add_entries(c, cmds, NULL, NULL, n);
}

/**
 * console_set_idle() - idle timeout of socket sessions
 * @c:		console
 * @seconds:	0 = never; applies to sessions from their next input on
 */
void console_set_idle(struct console *c, unsigned seconds)
{
	c->idle_ns = (uint64_t)seconds * 1000000000ULL;
}

/**
 * console_add_json() - give registered commands their JSON form ("-j CMD")
 * @c:		console
 * @tbl:	{ path, fn } pairs; each path must name a registered command
 * @n:		number of entries
 *
 * Return: 0, or -1 with errno ENOENT (a path is not a command).
 */
int console_add_json(struct console *c, const struct console_json_cmd *tbl, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < c->ncmds; k++)
			if (strcmp(c->cmds[k].cmd.path, tbl[i].path) == 0)
				break;
		if (k == c->ncmds) {
			errno = ENOENT;
			return -1;
		}
		c->cmds[k].json = tbl[i].fn;
	}
	return 0;
}

/**
 * console_add_cmds_before() - register commands before an existing one
 * @c:		console
 * @before:	path of the entry to insert before ("help", "load")
 * @cmds:	table (copied; the strings must outlive the console)
 * @n:		number of entries
 *
 * Help lists commands, and ambiguity is resolved, in table order; this lets
 * an application reproduce VDE 2's order exactly. If no entry has the path
 * @before, the commands are appended.
 *
 * Return: 0, or -1 with errno.
 */
int console_add_cmds_before(struct console *c, const char *before,
			    const struct console_cmd *cmds, size_t n)
{
	size_t pos, old = c->ncmds;
	struct console_entry *tmp;

	for (pos = 0; pos < old; pos++)
		if (strcmp(c->cmds[pos].cmd.path, before) == 0)
			break;
	if (add_entries(c, cmds, NULL, NULL, n) < 0)
		return -1;
	if (pos == old || n == 0)
		return 0;
	/* rotate the n new entries from the end to @pos */
	tmp = malloc(n * sizeof(*tmp));
	if (!tmp) {
		c->ncmds = old;
		return -1;
	}
	memcpy(tmp, c->cmds + old, n * sizeof(*tmp));
	memmove(c->cmds + pos + n, c->cmds + pos, (old - pos) * sizeof(*tmp));
	memcpy(c->cmds + pos, tmp, n * sizeof(*tmp));
	free(tmp);
	return 0;
}

/**
 * console_add_debug() - register debug categories
 * @c:		console
 * @cats:	table (strings must outlive the console; the array is copied)
 * @n:		number of entries
 *
 * Return: 0, or -1 with errno.
 */
int console_add_debug(struct console *c, const struct console_debug_cat *cats, size_t n)
{
	struct console_dbg *d;
	size_t i;

	if (n > SIZE_MAX / sizeof(*d) - c->ndbg) {
		errno = ENOMEM;
		return -1;
	}
	d = realloc(c->dbg, (c->ndbg + n) * sizeof(*d));
	if (!d)
		return -1;
	c->dbg = d;
	for (i = 0; i < n; i++) {
		d[c->ndbg].cat = cats[i];
		d[c->ndbg].nsubs = 0;
		c->ndbg++;
	}
	return 0;
}

static void wanted_adjust(struct console *c, size_t i, bool on);

/**
 * console_del_cmds() - unregister commands (a switch plugin unloaded)
 * @c:		console
 * @cmds:	table whose paths are removed (entries not found are ignored)
 * @n:		number of entries
 *
 * Safe from inside a command handler: the running command's flags were
 * read before it ran.
 */
void console_del_cmds(struct console *c, const struct console_cmd *cmds, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < c->ncmds; j++)
			if (strcmp(c->cmds[j].cmd.path, cmds[i].path) == 0) {
				memmove(c->cmds + j, c->cmds + j + 1,
					(c->ncmds - j - 1) * sizeof(*c->cmds));
				c->ncmds--;
				break;
			}
}

/**
 * console_del_debug() - unregister debug categories by path; sessions
 * subscribed to them are unsubscribed
 * @c:		console
 * @cats:	table whose paths are removed (entries not found are ignored)
 * @n:		number of entries
 */
void console_del_debug(struct console *c, const struct console_debug_cat *cats, size_t n)
{
	struct console_session *s;
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < c->ndbg; j++) {
			if (strcmp(c->dbg[j].cat.path, cats[i].path) != 0)
				continue;
			for (s = c->sessions; s; s = s->next) {
				if (j >= s->nsubs_alloc)
					continue;
				if (s->subs[j])
					wanted_adjust(c, j, false);
				memmove(s->subs + j, s->subs + j + 1,
					(s->nsubs_alloc - j - 1) * sizeof(*s->subs));
				s->nsubs_alloc--;
			}
			memmove(c->dbg + j, c->dbg + j + 1, (c->ndbg - j - 1) * sizeof(*c->dbg));
			c->ndbg--;
			break;
		}
}

/* --- execution (pure apart from the handlers) ----------------------------- */

static int exec_line(struct console *c, struct console_session *s, const char *line,
		     FILE *out);

static void put_status(FILE *out, int rc)
{
	if (rc == 0)
		fputs("1000 Success\n", out);
	else
		fprintf(out, "1%03d %s\n", rc, strerror(rc));
}

static int builtin_help(struct console *c, struct console_session *s, FILE *out,
			const char *args)
{
	size_t i, n = strlen(args);

	(void)s;
	fprintf(out, "%-18s %-15s %s\n", "COMMAND PATH", "SYNTAX", "HELP");
	fprintf(out, "%-18s %-15s %s\n", "------------", "--------------", "------------");
	for (i = 0; i < c->ncmds; i++) {
		const struct console_cmd *cmd = &c->cmds[i].cmd;

		if (strncmp(cmd->path, args, n) != 0)
			continue;
		fprintf(out, "%-18s %-15s %s\n", cmd->path,
			cmd->flags & CONSOLE_MENU ? "============" : cmd->syntax ? cmd->syntax : "",
			cmd->help ? cmd->help : "");
	}
	return 0;
}

/* logout and shutdown are recognised by exec_line(); never called */
static int builtin_logout(struct console *c, struct console_session *s, FILE *out,
			  const char *args)
{
	(void)c; (void)s; (void)out; (void)args;
	return 0;
}

static int builtin_shutdown(struct console *c, struct console_session *s, FILE *out,
			    const char *args)
{
	(void)c; (void)s; (void)out; (void)args;
	return 0;
}

/* JSON form of help: {"commands":[{"path","syntax","help","menu"}]} */
static int builtin_help_json(struct console *c, struct console_session *s, struct json *j,
			     const char *args)
{
	size_t i, n = strlen(args);

	(void)s;
	json_obj(j, NULL);
	json_arr(j, "commands");
	for (i = 0; i < c->ncmds; i++) {
		const struct console_cmd *cmd = &c->cmds[i].cmd;

		if (strncmp(cmd->path, args, n) != 0)
			continue;
		json_obj(j, NULL);
		json_str(j, "path", cmd->path);
		json_str(j, "syntax", cmd->flags & CONSOLE_MENU ? "" :
			 cmd->syntax ? cmd->syntax : "");
		json_str(j, "help", cmd->help ? cmd->help : "");
		json_bool(j, "menu", cmd->flags & CONSOLE_MENU);
		json_bool(j, "json", c->cmds[i].json || c->cmds[i].builtin_json);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
	return 0;
}

/* --- load: a script opened with the client's rights ----------------------- */

/* Child side of open_as_peer(): only async-signal-safe system calls. */
static void open_as_child(int sock, const char *path, uid_t uid, gid_t gid,
			  const gid_t *groups, size_t ngroups)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov;
	struct msghdr msg;
	int err = 0, fd = -1;

	if (setgroups(ngroups, groups) < 0 || setresgid(gid, gid, gid) < 0 ||
	    setresuid(uid, uid, uid) < 0)
		err = errno;
	else if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) < 0)
		err = errno;
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = &err;
	iov.iov_len = sizeof(err);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (fd >= 0) {
		struct cmsghdr *cm;

		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	if (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
		_exit(1);
	_exit(0);
}

/* Open @path with the rights of the client of @s (uid, gid, supplementary
 * groups from SO_PEERCRED/SO_PEERGROUPS): a short-lived child drops to
 * them, opens, and passes the descriptor back. The daemon must be root.
 * Bounded: a child that does not answer in CONSOLE_OPEN_AS_MS is killed. */
static int open_as_peer(const struct console_session *s, const char *path, int *fdp)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	gid_t groups[CONSOLE_PEER_GROUPS];
	socklen_t glen = sizeof(groups);
	size_t ngroups = 0;
	struct pollfd pfd;
	struct iovec iov;
	struct msghdr msg;
	struct cmsghdr *cm;
	int sv[2], err = EIO, cerr = 0, ret;
	ssize_t n;
	pid_t pid;

	*fdp = -1;
	/* fewer groups than the client has can only mean fewer rights */
	if (getsockopt(s->in, SOL_SOCKET, SO_PEERGROUPS, groups, &glen) == 0)
		ngroups = glen / sizeof(gid_t);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return errno;
	pid = fork();
	if (pid < 0) {
		err = errno;
		close(sv[0]);
		close(sv[1]);
		return err;
	}
	if (pid == 0) {
		close(sv[0]);
		open_as_child(sv[1], path, s->peer_uid, s->peer_gid, groups, ngroups);
	}
	close(sv[1]);
	pfd.fd = sv[0];
	pfd.events = POLLIN;
	do
		ret = poll(&pfd, 1, CONSOLE_OPEN_AS_MS);
	while (ret < 0 && errno == EINTR);
	if (ret <= 0) {
		err = ret == 0 ? ETIMEDOUT : errno;
		kill(pid, SIGKILL);
		goto out;
	}
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = &cerr;
	iov.iov_len = sizeof(cerr);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof(u.buf);
	n = recvmsg(sv[0], &msg, MSG_CMSG_CLOEXEC);
	if (n != (ssize_t)sizeof(cerr))
		goto out;
	cm = CMSG_FIRSTHDR(&msg);
	if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
	    cm->cmsg_len == CMSG_LEN(sizeof(int))) {
		memcpy(fdp, CMSG_DATA(cm), sizeof(int));
		err = 0;
	} else {
		err = cerr > 0 ? cerr : EIO;
	}
out:
	close(sv[0]);
	/* the child exits right after sendmsg; ECHILD if the daemon reaps
	 * children itself or ignores SIGCHLD */
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return err;
}

/* Is @fd something load may read? Only regular files of a real file
 * system, of at most CONSOLE_LOAD_MAX bytes: no FIFO or device (they
 * block or never end), no /proc or /sys file (a daemon's maps, environ).
 * @stream: the daemon's own start-up file, named by its user (-f): a pipe
 * (-f <(...)) or a character device (/dev/null) is taken as well, read
 * with a bounded wait (load_fd()), as VDE 2 reads it. */
static int check_script(int fd, bool stream)
{
	struct statfs sfs;
	struct stat st;

	if (fstat(fd, &st) < 0)
		return errno;
	if (S_ISDIR(st.st_mode))
		return EISDIR;
	if (stream && (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)))
		return 0;
	if (!S_ISREG(st.st_mode))
		return EINVAL;
	if (fstatfs(fd, &sfs) < 0)
		return errno;
	if (sfs.f_type == PROC_SUPER_MAGIC || sfs.f_type == SYSFS_MAGIC)
		return EACCES;
	if (st.st_size > CONSOLE_LOAD_MAX)
		return EFBIG;
	return 0;
}

/* Open a script for @s (NULL: the daemon itself, e.g. its rc file).
 * Clients of another uid than the daemon's (and not root) get the file
 * with their own rights; that needs a root daemon, else EACCES. @stream:
 * a pipe or character device is accepted (check_script()). */
static int open_script(const struct console_session *s, const char *path, bool stream,
		       int *fdp)
{
	int err = 0, fd = -1;

	if (s && !s->stdio && !s->peer_known)
		return EACCES;		/* whose rights? none then */
	if (s && !s->stdio && s->peer_uid != 0 && s->peer_uid != geteuid()) {
		if (geteuid() != 0)
			return EACCES;
		err = open_as_peer(s, path, &fd);
	} else {
		fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (fd < 0)
			err = errno;
	}
	if (!err)
		err = check_script(fd, stream);
	if (err && fd >= 0)
		close(fd);
	*fdp = err ? -1 : fd;
	return err;
}

static int load_fd(struct console *c, int fd, const char *path, FILE *echo);

static int builtin_load(struct console *c, struct console_session *s, FILE *out,
			const char *args)
{
	int fd, err;

	if (c->depth >= CONSOLE_LOAD_DEPTH)
		return ELOOP;
	err = open_script(s, args, false, &fd);
	if (err)
		return err;
	err = load_fd(c, fd, args, out);
	close(fd);
	return err;
}

static bool session_subscribed(const struct console_session *s, size_t i)
{
	return s && i < s->nsubs_alloc && s->subs[i];
}

static int builtin_debug_list(struct console *c, struct console_session *s, FILE *out,
			      const char *args)
{
	size_t i, n = strlen(args);
	int rv = ENOENT;		/* VDE 2: no category matches the prefix */

	fprintf(out, "%-22s %-3s %-6s %s\n", "CATEGORY", "TAG", "STATUS", "HELP");
	fprintf(out, "%-22s %-3s %-6s %s\n", "------------", "---", "------", "----");
	for (i = 0; i < c->ndbg; i++) {
		const struct console_debug_cat *cat = &c->dbg[i].cat;

		if (!cat->help || strncmp(cat->path, args, n) != 0)
			continue;
		fprintf(out, "%-22s %03o %-6s %s\n", cat->path, cat->tag,
			session_subscribed(s, i) ? "ON" : "OFF", cat->help);
		rv = 0;
	}
	return rv;
}

/* JSON form: {"categories":[{"category","tag","status","help"}]} */
static int builtin_debug_list_json(struct console *c, struct console_session *s,
				   struct json *j, const char *args)
{
	size_t i, n = strlen(args);
	int rv = ENOENT;		/* as the text form: no category matches */

	json_obj(j, NULL);
	json_arr(j, "categories");
	for (i = 0; i < c->ndbg; i++) {
		const struct console_debug_cat *cat = &c->dbg[i].cat;

		if (!cat->help || strncmp(cat->path, args, n) != 0)
			continue;
		rv = 0;
		json_obj(j, NULL);
		json_str(j, "category", cat->path);
		json_u64(j, "tag", cat->tag);
		json_bool(j, "on", session_subscribed(s, i));
		json_str(j, "help", cat->help);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
	return rv;
}

static void wanted_adjust(struct console *c, size_t i, bool on)
{
	unsigned tag = c->dbg[i].cat.tag;

	if (on)
		c->dbg[i].nsubs++;
	else
		c->dbg[i].nsubs--;
	if (tag < CONSOLE_DEBUG_TAGS) {
		if (on)
			c->wanted[tag]++;
		else
			c->wanted[tag]--;
	}
}

/* VDE 2 semantics: EINVAL if no category matches the prefix, EEXIST if all
 * matching ones were already on, else 0. An empty prefix matches all. */
static int builtin_debug_add(struct console *c, struct console_session *s, FILE *out,
			     const char *args)
{
	size_t i, n = strlen(args);
	int rv = EINVAL;

	(void)out;
	for (i = 0; i < c->ndbg; i++) {
		if (strncmp(c->dbg[i].cat.path, args, n) != 0)
			continue;
		if (rv == EINVAL)
			rv = EEXIST;
		if (session_subscribed(s, i))
			continue;
		if (s) {
			if (s->nsubs_alloc < c->ndbg) {
				bool *subs = realloc(s->subs, c->ndbg * sizeof(*subs));

				if (!subs)
					return ENOMEM;
				memset(subs + s->nsubs_alloc, 0,
				       (c->ndbg - s->nsubs_alloc) * sizeof(*subs));
				s->subs = subs;
				s->nsubs_alloc = c->ndbg;
			}
			s->subs[i] = true;
			wanted_adjust(c, i, true);
		}
		rv = 0;
	}
	return rv;
}

/* EINVAL if nothing matches, ENOENT if none of the matching ones was on. */
static int builtin_debug_del(struct console *c, struct console_session *s, FILE *out,
			     const char *args)
{
	size_t i, n = strlen(args);
	int rv = EINVAL;

	(void)out;
	for (i = 0; i < c->ndbg; i++) {
		if (strncmp(c->dbg[i].cat.path, args, n) != 0)
			continue;
		if (rv == EINVAL)
			rv = ENOENT;
		if (!session_subscribed(s, i))
			continue;
		s->subs[i] = false;
		wanted_adjust(c, i, false);
		rv = 0;
	}
	return rv;
}

static void session_unsubscribe_all(struct console_session *s)
{
	size_t i;

	for (i = 0; i < s->nsubs_alloc; i++)
		if (s->subs[i]) {
			s->subs[i] = false;
			wanted_adjust(s->c, i, false);
		}
}

/* Copy a line, without leading and trailing blanks (and stray '\r', '\n'). */
static char *trim_dup(const char *line)
{
	size_t n;
	char *t;

	while (is_blank(*line))
		line++;
	n = strlen(line);
	while (n && (is_blank(line[n - 1]) || line[n - 1] == '\r' || line[n - 1] == '\n'))
		n--;
	t = malloc(n + 1);
	if (t) {
		memcpy(t, line, n);
		t[n] = '\0';
	}
	return t;
}

static int exec_line(struct console *c, struct console_session *s, const char *line,
		     FILE *out)
{
	const struct console_entry *e;
	const struct console_cmd *cmd;
	struct console_session *saved = c->current;
	const char *args = "", *cmdline, *path;
	char *body = NULL, *t;
	bool json = false;
	size_t blen = 0;
	unsigned flags;
	FILE *mem;
	int rc, ret = 0;

	t = trim_dup(line);
	if (!t) {
		put_status(out, ENOMEM);
		return 1000 + ENOMEM;
	}
	if (t[0] == '\0' || t[0] == '#')
		goto out;
	cmdline = t;
	/* "-j CMD ARGS": the JSON form of CMD (no command starts with '-') */
	if (t[0] == '-' && t[1] == 'j' && (t[2] == '\0' || is_blank(t[2]))) {
		json = true;
		cmdline = t + 2;
		while (is_blank(*cmdline))
			cmdline++;
		if (!*cmdline) {
			put_status(out, EINVAL);
			ret = 1000 + EINVAL;
			goto out;
		}
	}
	cmd = console_lookup(c, cmdline, &args);
	if (!cmd) {
		put_status(out, ENOSYS);
		ret = 1000 + ENOSYS;
		goto out;
	}
	e = entry_of(cmd);
	if (json && !e->json && !e->builtin_json) {
		if (cmd->flags & CONSOLE_OUTPUT) {	/* a table without a JSON form */
			put_status(out, EOPNOTSUPP);
			ret = 1000 + EOPNOTSUPP;
			goto out;
		}
		json = false;		/* a setter: runs as usual, no body */
	}
	if (e->builtin == builtin_logout || e->builtin == builtin_shutdown) {
		if (e->builtin == builtin_shutdown)
			c->shutdown_req = true;
		/* inside load and on the stdio console these print nothing */
		if (c->depth > 0 || (s && s->stdio)) {
			ret = CONSOLE_RC_SILENT;
			goto out;
		}
		fputs(END_OF_SESSION, out);
		ret = 9999;
		goto out;
	}
	mem = open_memstream(&body, &blen);
	if (!mem) {
		put_status(out, ENOMEM);
		ret = 1000 + ENOMEM;
		goto out;
	}
	if (c->cfg.on_exec)
		c->cfg.on_exec(c->cfg.ctx, cmd->path, json);
	c->current = s;
	c->depth++;
	flags = cmd->flags;	/* the handler may add or remove commands */
	path = cmd->path;
	if (json) {
		struct json j;

		json_init(&j, mem);
		rc = e->builtin_json ? e->builtin_json(c, s, &j, args) :
				       e->json(c->cfg.ctx, &j, args);
		if (!rc && json_end(&j) < 0) {
			log_warn("console: -j %s wrote an incomplete JSON document", path);
			rc = EIO;
		}
		if (!rc)
			fputc('\n', mem);
	} else if (e->builtin) {
		rc = e->builtin(c, s, mem, args);
	} else {
		rc = cmd->fn(c->cfg.ctx, mem, args);
	}
	c->depth--;
	c->current = saved;
	if (fclose(mem) != 0 && !rc)
		rc = ENOMEM;
	if (rc < 0 || rc > 999)
		rc = EINVAL;
	if (json && rc)
		blen = 0;		/* a failed command's document is not complete */
	if (json || (flags & CONSOLE_OUTPUT)) {
		fputs(DATA_HEADER, out);
		if (blen) {
			fwrite(body, 1, blen, out);
			if (body[blen - 1] != '\n')
				fputc('\n', out);
		}
		fputs(".\n", out);
	} else if (blen) {
		fwrite(body, 1, blen, out);
	}
	put_status(out, rc);
	ret = 1000 + rc;
out:
	free(body);
	free(t);
	return ret;
}

/**
 * console_exec_line() - run one line and write the full response
 * @c:		console
 * @line:	the command line (without newline)
 * @out:	receives exactly the bytes a session gets, minus the prompt
 *
 * Return: 1000 on success, 1000 + errno on failure, 9999 for logout and
 * shutdown, 0 for an empty or comment line.
 */
int console_exec_line(struct console *c, const char *line, FILE *out)
{
	int rc = exec_line(c, c->current, line, out);

	if (c->shutdown_req && !c->current && c->depth == 0) {
		c->shutdown_req = false;
		if (c->cfg.on_shutdown)
			c->cfg.on_shutdown(c->cfg.ctx);
	}
	return rc == CONSOLE_RC_SILENT ? 0 : rc;
}

struct load_state {
	struct console *c;
	const char *path;
	FILE *echo;
	unsigned lineno;
	int err;
};

static void load_line(void *arg, char *line, size_t len, bool overflow)
{
	struct load_state *ls = arg;
	struct console *c = ls->c;
	int rc;

	if (ls->err || c->shutdown_req)
		return;
	ls->lineno++;
	if (ls->echo && c->cfg.load_framed)
		fprintf(ls->echo, "\n%s (%s) %s\n", c->cfg.prompt, ls->path, line);
	else if (ls->echo)
		fprintf(ls->echo, "%s[%s]: %s\n", c->load_prefix, ls->path, line);
	if (overflow || strlen(line) != len) {
		rc = 1000 + E2BIG;
		if (ls->echo)
			put_status(ls->echo, E2BIG);
	} else if (ls->echo) {
		rc = exec_line(c, c->current, line, ls->echo);
	} else {
		char *buf = NULL;
		size_t blen = 0;
		FILE *mem = open_memstream(&buf, &blen);

		if (!mem) {
			ls->err = ENOMEM;
			return;
		}
		rc = exec_line(c, c->current, line, mem);
		fclose(mem);
		free(buf);
	}
	if (!ls->echo && rc > 1000 && rc < 9999)
		log_warn("%s:%u: %.200s: %s", ls->path, ls->lineno, line, strerror(rc - 1000));
}

/* Run the lines of @fd: read in bounded chunks through a line splitter, so
 * memory stays at one line (CONSOLE_LINE_MAX) whatever the file holds, and
 * at most CONSOLE_LOAD_MAX bytes are read (EFBIG beyond). */
static int load_fd(struct console *c, int fd, const char *path, FILE *echo)
{
	struct load_state ls = { .c = c, .path = path, .echo = echo };
	struct console_linebuf *lb = malloc(sizeof(*lb));
	char chunk[4096];
	size_t total = 0;

	if (!lb)
		return ENOMEM;
	console_linebuf_init(lb);
	c->depth++;
	while (!ls.err && !c->shutdown_req) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			/* a pipe (start-up file only): wait, bounded */
			struct pollfd pfd = { .fd = fd, .events = POLLIN };
			int r = poll(&pfd, 1, CONSOLE_RC_WAIT_MS);

			if (r > 0 || (r < 0 && errno == EINTR))
				continue;
			ls.err = r == 0 ? ETIMEDOUT : errno;
			break;
		}
		if (n < 0) {
			ls.err = errno;
			break;
		}
		if (n == 0) {		/* an unterminated last line runs too */
			if (lb->len && !lb->overflow)
				console_linebuf_feed(lb, "\n", 1, load_line, &ls);
			break;
		}
		if ((size_t)n > CONSOLE_LOAD_MAX - total) {
			ls.err = EFBIG;	/* it grew since check_script() */
			break;
		}
		total += (size_t)n;
		console_linebuf_feed(lb, chunk, (size_t)n, load_line, &ls);
	}
	c->depth--;
	free(lb);
	if (c->depth == 0 && !c->current && c->shutdown_req && c->cfg.on_shutdown) {
		c->shutdown_req = false;
		c->cfg.on_shutdown(c->cfg.ctx);
	}
	return ls.err;
}

/**
 * console_load_file() - run every line of a file as a command
 * @c:		console
 * @path:	file name, opened with the daemon's own rights (rc files)
 * @echo:	NULL to run silently (failures are logged), else each line is
 *		echoed as "<prefix>[PATH]: <line>" followed by its response
 *
 * A regular file of at most CONSOLE_LOAD_MAX bytes is read, and, as this
 * is the daemon's own file named by its user, a pipe or a character device
 * too (vde_switch -f <(...), -f /dev/null), at most CONSOLE_LOAD_MAX bytes
 * of it, each read waiting at most CONSOLE_RC_WAIT_MS (then ETIMEDOUT); a
 * directory, a socket or a /proc file is refused. A line longer than
 * CONSOLE_LINE_MAX is answered with E2BIG and skipped.
 *
 * Return: 0, or an errno value (the file could not be opened or read).
 */
int console_load_file(struct console *c, const char *path, FILE *echo)
{
	int fd, err;

	if (c->depth >= CONSOLE_LOAD_DEPTH)
		return ELOOP;
	err = open_script(NULL, path, true, &fd);
	if (err)
		return err;
	err = load_fd(c, fd, path, echo);
	close(fd);
	return err;
}

/* --- debug output -------------------------------------------------------- */

/**
 * console_debug_wanted() - does any session listen to @tag?
 * @c:		console
 * @tag:	debug tag
 *
 * Return: true if console_debug(@tag) would send something.
 */
bool console_debug_wanted(const struct console *c, unsigned tag)
{
	return c && tag < CONSOLE_DEBUG_TAGS && c->wanted[tag] > 0;
}

static void session_send(struct console_session *s, const char *buf, size_t len);

/**
 * console_debug() - send "3<tag> <category> <text>\n" to subscribed sessions
 * @c:		console
 * @tag:	debug tag (the first category registered with it is used)
 * @fmt:	printf format of the text
 */
void console_debug(struct console *c, unsigned tag, const char *fmt, ...)
{
	struct console_session *s;
	char text[1024], line[1200];
	size_t i;
	va_list ap;
	int n;

	if (!console_debug_wanted(c, tag))
		return;
	for (i = 0; i < c->ndbg && c->dbg[i].cat.tag != tag; i++)
		;
	if (i == c->ndbg)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	n = snprintf(line, sizeof(line), "3%03o %s %s\n", tag, c->dbg[i].cat.path, text);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = (int)sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	for (s = c->sessions; s; s = s->next)
		if (!s->dead && session_subscribed(s, i)) {
			s->last_active = loop_now_ns();	/* a listener is not idle */
			session_send(s, line, (size_t)n);
		}
}

/**
 * console_debug_text() - send "3<tag> <path> <text>\n" to the sessions
 * subscribed to category @path, whatever the length of @text (a frame
 * dumped in hex: console_debug() cuts at 1 KiB)
 * @c:		console
 * @path:	category path (registered with console_add_debug())
 * @text:	the text, @len bytes, no newline
 * @len:	its length
 */
void console_debug_text(struct console *c, const char *path, const char *text, size_t len)
{
	struct console_session *s;
	char head[64];
	size_t i;
	int n;

	for (i = 0; i < c->ndbg && strcmp(c->dbg[i].cat.path, path) != 0; i++)
		;
	if (i == c->ndbg || !c->dbg[i].nsubs)
		return;
	n = snprintf(head, sizeof(head), "3%03o %s ", c->dbg[i].cat.tag, path);
	if (n < 0 || (size_t)n >= sizeof(head))
		return;
	for (s = c->sessions; s; s = s->next)
		if (!s->dead && session_subscribed(s, i)) {
			session_send(s, head, (size_t)n);
			session_send(s, text, len);
			session_send(s, "\n", 1);
		}
}

/* --- sessions (I/O shell) ------------------------------------------------ */

static void session_kill(struct console_session *s)
{
	struct console *c = s->c;

	if (s->dead)
		return;
	s->dead = true;
	session_unsubscribe_all(s);
	if (s->timer > 0)
		loop_del_timer(c->l, s->timer);
	s->timer = 0;
	loop_del_fd(c->l, s->in);
	if (s->out_watched && s->stdio)
		loop_del_fd(c->l, s->out);
	s->out_watched = false;
	if (s->stdio) {
		if (c->stdin_timer > 0)
			loop_del_timer(c->l, c->stdin_timer);
		c->stdin_timer = 0;
	} else {
		close(s->in);
	}
}

static void session_free(struct console_session *s)
{
	free(s->obuf);
	free(s->subs);
	free(s);
}

/* Free dead sessions; only when no handler of ours is on the stack. */
static void console_reap(struct console *c)
{
	struct console_session **pp = &c->sessions;

	if (c->depth > 0)
		return;
	while (*pp) {
		struct console_session *s = *pp;

		if (s->dead && s != c->current) {
			*pp = s->next;
			c->nsessions--;
			session_free(s);
		} else {
			pp = &s->next;
		}
	}
}

static void session_out_cb(struct loop *l, int fd, uint32_t events, void *arg);
static void session_sock_cb(struct loop *l, int fd, uint32_t events, void *arg);

static void session_watch_out(struct console_session *s, bool on)
{
	struct console *c = s->c;

	if (!s->stdio) {
		if (on != s->out_watched || s->eof)
			loop_mod_fd(c->l, s->in, (s->eof ? 0 : EPOLLIN) | (on ? EPOLLOUT : 0));
		s->out_watched = on;
		return;
	}
	if (on && !s->out_watched)
		s->out_watched = loop_add_fd(c->l, s->out, EPOLLOUT, session_out_cb, s) == 0;
	else if (!on && s->out_watched) {
		loop_del_fd(c->l, s->out);
		s->out_watched = false;
	}
}

/* Write what the peer takes now. Returns -1 if the session died. */
static int session_flush(struct console_session *s)
{
	while (s->ooff < s->olen) {
		ssize_t n;

		if (s->stdio)
			n = write(s->out, s->obuf + s->ooff, s->olen - s->ooff);
		else
			n = send(s->out, s->obuf + s->ooff, s->olen - s->ooff,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			session_kill(s);
			return -1;
		}
		s->ooff += (size_t)n;
	}
	if (s->ooff == s->olen) {
		s->ooff = s->olen = 0;
		if (s->ocap > CONSOLE_OUTBUF_KEEP) {	/* after a big response */
			free(s->obuf);
			s->obuf = NULL;
			s->ocap = 0;
		}
	}
	session_watch_out(s, s->olen > 0);
	if (s->eof && !s->olen && !s->stdio)
		session_kill(s);
	return s->dead ? -1 : 0;
}

/* Queue bytes for the session (no write yet). Kills a session whose unsent
 * output would exceed CONSOLE_OUTBUF_MAX: its peer is not reading. */
static void session_queue(struct console_session *s, const char *buf, size_t len)
{
	if (s->dead || !len)
		return;
	if (s->ooff) {			/* drop what was sent */
		memmove(s->obuf, s->obuf + s->ooff, s->olen - s->ooff);
		s->olen -= s->ooff;
		s->ooff = 0;
	}
	/* one big response (a long load) is fine for a peer that keeps up */
	if (s->olen && (s->olen > CONSOLE_OUTBUF_MAX || len > CONSOLE_OUTBUF_MAX - s->olen)) {
		log_warn("console: closing a session that does not read its output");
		session_kill(s);
		return;
	}
	if (len > SIZE_MAX / 2 - s->olen) {
		session_kill(s);
		return;
	}
	if (s->olen + len > s->ocap) {
		size_t cap = s->ocap ? s->ocap : 4096;
		char *b;

		while (cap < s->olen + len)
			cap *= 2;
		b = realloc(s->obuf, cap);
		if (!b) {
			session_kill(s);
			return;
		}
		s->obuf = b;
		s->ocap = cap;
	}
	memcpy(s->obuf + s->olen, buf, len);
	s->olen += len;
}

static void session_send(struct console_session *s, const char *buf, size_t len)
{
	session_queue(s, buf, len);
	if (!s->dead && s->c->depth == 0)
		session_flush(s);
}

/* VDE 2 writes the stdin console's prompt to fd 0: visible on a terminal,
 * a harmless EBADF on a pipe or file */
static void stdio_prompt(struct console_session *s)
{
	struct console *c = s->c;
	char p[256];
	int n = snprintf(p, sizeof(p), "\n%s", c->cfg.prompt);

	if (n < 0)
		return;
	if ((size_t)n >= sizeof(p))
		n = (int)sizeof(p) - 1;
	if (write(s->in, p, (size_t)n) < 0)
		errno = 0;
}

/* Flush every session with pending output (after a command: async debug
 * lines may have been queued for other sessions meanwhile). */
static void console_flush_all(struct console *c)
{
	struct console_session *s;

	for (s = c->sessions; s; s = s->next)
		if (!s->dead && s->olen)
			session_flush(s);
}

/* End of an event handler: reap dead sessions, run a requested shutdown. */
static void console_settle(struct console *c)
{
	bool shutdown = c->shutdown_req, eof = c->stdin_eof_req;

	console_flush_all(c);
	console_reap(c);
	c->shutdown_req = c->stdin_eof_req = false;
	/* last: the application may free the console from these */
	if (shutdown && c->cfg.on_shutdown)
		c->cfg.on_shutdown(c->cfg.ctx);
	else if (eof && c->cfg.on_stdin_eof)
		c->cfg.on_stdin_eof(c->cfg.ctx);
}

static void session_line(void *arg, char *line, size_t len, bool overflow)
{
	struct console_session *s = arg;
	struct console *c = s->c;
	char *resp = NULL;
	size_t rlen = 0;
	FILE *mem;
	int rc;

	(void)len;
	if (s->dead || s->eof || c->shutdown_req)
		return;
	mem = open_memstream(&resp, &rlen);
	if (!mem) {
		session_kill(s);
		return;
	}
	if (overflow) {
		put_status(mem, E2BIG);
		rc = 1000 + E2BIG;
	} else {
		c->current = s;
		rc = exec_line(c, s, line, mem);
		c->current = NULL;
	}
	/* response and prompt are queued as one piece: the bound of the
	 * output buffer applies between responses, not inside one */
	if ((!s->stdio || c->cfg.stdio_prompt_out) && rc != CONSOLE_RC_SILENT && rc != 9999 &&
	    !c->shutdown_req)
		fprintf(mem, "\n%s", c->cfg.prompt);
	fclose(mem);
	session_queue(s, resp, rlen);
	free(resp);
	if (s->dead)
		return;
	if (rc == 9999 || (c->shutdown_req && !s->stdio)) {
		/* read nothing more, but deliver everything queued before
		 * closing: a long answer followed by logout in one write must
		 * arrive whole (session_flush() closes once drained) */
		s->eof = true;
		session_unsubscribe_all(s);
		session_flush(s);
		return;
	}
	/* stdio: the prompt goes straight to fd 0, so the response first */
	if (session_flush(s) < 0)
		return;
	if (s->stdio && rc != CONSOLE_RC_SILENT && !c->cfg.stdio_prompt_out)
		stdio_prompt(s);
}

/* How long an unterminated line waits for more bytes before it runs:
 * CONSOLE_PARTIAL_RUN_MS if its first word (after "-j") is a command, else
 * CONSOLE_PARTIAL_WAIT_MS (the start of a command split over writes, or a
 * typo, which then gets its 1038 all the same). */
static uint64_t partial_delay_ns(struct console_session *s)
{
	const char *p = s->lb.buf, *args;

	s->lb.buf[s->lb.len] = '\0';	/* room for it: buf has LINE_MAX + 1 */
	while (is_blank(*p))
		p++;
	if (p[0] == '-' && p[1] == 'j' && is_blank(p[2]))
		p += 2;
	return console_lookup(s->c, p, &args) ? CONSOLE_PARTIAL_RUN_NS :
						CONSOLE_PARTIAL_WAIT_MS * 1000000ULL;
}

/* Feed what was read; at EOF run an unterminated last line too. On a
 * socket, an unterminated line also runs once no byte followed it for a
 * while (partial_delay_ns()): VDE 2's vdeterm writes commands without "\n". */
static void session_input(struct console_session *s, const char *buf, ssize_t n)
{
	struct console *c = s->c;

	if (n > 0) {
		s->last_active = loop_now_ns();
		console_linebuf_feed(&s->lb, buf, (size_t)n, session_line, s);
		if (s->dead || s->stdio || s->timer <= 0)
			return;
		if (s->lb.len && !s->lb.overflow) {
			uint64_t delay = partial_delay_ns(s);

			s->partial_at = s->last_active + delay;
			loop_timer_rearm(c->l, s->timer, delay);
		} else {
			s->partial_at = 0;
		}
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (s->lb.len && !s->lb.overflow)
		console_linebuf_feed(&s->lb, "\n", 1, session_line, s);
	if (s->dead)
		return;
	s->eof = true;
	if (!s->stdio) {
		session_flush(s);
		return;
	}
	/* stdin closed: let stdout drain (bounded), then tell the application */
	if (s->olen) {
		struct pollfd pfd = { .fd = s->out, .events = POLLOUT };
		uint64_t end = loop_now_ns() + CONSOLE_EOF_FLUSH_MS * 1000000ULL;

		while (s->olen && !s->dead) {
			uint64_t now = loop_now_ns();

			if (now >= end || poll(&pfd, 1, (int)((end - now) / 1000000ULL) + 1) < 0)
				break;
			session_flush(s);
		}
	}
	session_kill(s);
	c->stdin_eof_req = true;
}

static void session_sock_cb(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct console_session *s = arg;
	struct console *c = s->c;
	char buf[4096];

	(void)l;
	if ((events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) && s->olen && session_flush(s) < 0)
		goto out;
	if (s->eof && (events & (EPOLLHUP | EPOLLERR))) {
		session_kill(s);	/* peer gone: nobody will read the rest */
		goto out;
	}
	if (!s->eof && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		session_input(s, buf, n);
	}
out:
	console_settle(c);
}

static void session_stdin_cb(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct console_session *s = arg;
	char buf[4096];
	ssize_t n;

	(void)l;
	(void)events;
	/* one read per readiness: stdin stays blocking (it is shared) */
	n = read(fd, buf, sizeof(buf));
	session_input(s, buf, n);
	console_settle(s->c);
}

/* stdin that epoll refuses (a regular file, /dev/null): read it from a
 * zero-delay timer, one chunk per round, until EOF */
static uint64_t session_stdin_timer(struct loop *l, void *arg)
{
	struct console_session *s = arg;
	struct console *c = s->c;
	char buf[4096];
	uint64_t next = 0;
	ssize_t n;

	(void)l;
	n = read(s->in, buf, sizeof(buf));
	if (n <= 0 && !(n < 0 && errno == EINTR)) {
		c->stdin_timer = 0;	/* the timer ends with this callback */
		next = LOOP_NOMORE;
	}
	session_input(s, buf, n);
	console_settle(c);
	return next;
}

/* A socket session's timer: run an unterminated line once its writer went
 * quiet, close the session once idle for c->idle_ns. */
static uint64_t session_timer_cb(struct loop *l, void *arg)
{
	struct console_session *s = arg;
	struct console *c = s->c;
	uint64_t now = loop_now_ns(), next = LOOP_NOMORE;

	(void)l;
	if (s->dead)
		return LOOP_NOMORE;
	if (s->partial_at && now >= s->partial_at) {
		s->partial_at = 0;
		if (s->lb.len && !s->lb.overflow && !s->eof)
			console_linebuf_feed(&s->lb, "\n", 1, session_line, s);
	}
	if (!s->dead && c->idle_ns && now - s->last_active >= c->idle_ns) {
		if (s->eof) {		/* its peer left the rest unread as long */
			session_kill(s);
		} else {
			log_info("console: closing a session idle for %llu s",
				 (unsigned long long)(c->idle_ns / 1000000000ULL));
			session_queue(s, END_OF_SESSION, strlen(END_OF_SESSION));
			s->eof = true;
			s->last_active = now;
			session_unsubscribe_all(s);
			session_flush(s);
		}
	}
	if (!s->dead) {
		if (s->partial_at)
			next = s->partial_at > now ? s->partial_at - now : 0;
		if (c->idle_ns) {
			uint64_t idle_at = s->last_active + c->idle_ns;
			uint64_t d = idle_at > now ? idle_at - now : 0;

			if (d < next)
				next = d;
		}
		if (next == LOOP_NOMORE)
			next = LOOP_NOMORE - 1;	/* keep the timer: rearmed on input */
	}
	/* last: settling may free the session (and the console) */
	console_settle(c);
	return next;
}

static void session_out_cb(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct console_session *s = arg;

	(void)l;
	(void)fd;
	(void)events;
	session_flush(s);
	console_settle(s->c);
}

static struct console_session *session_new(struct console *c, int in, int out, bool stdio)
{
	struct console_session *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->c = c;
	s->in = in;
	s->out = out;
	s->stdio = stdio;
	console_linebuf_init(&s->lb);
	s->next = c->sessions;
	c->sessions = s;
	c->nsessions++;
	return s;
}

/* The console is full: may the client @uid get in? The daemon's owner and
 * root always do: the session that has been idle the longest (another
 * user's first) is closed for them. Anyone else is refused. */
static bool make_room(struct console *c, uid_t uid)
{
	struct console_session *s, *victim = NULL;
	uint64_t now = loop_now_ns();

	if (uid != 0 && uid != geteuid()) {
		c->refused_full++;
		if (now >= c->next_full_log) {
			log_warn("console: %d sessions open, connection of uid %u refused "
				 "(%llu refused in all)", CONSOLE_MAX_SESSIONS, (unsigned)uid,
				 (unsigned long long)c->refused_full);
			c->next_full_log = now + CONSOLE_FULL_LOG_NS;
		}
		return false;
	}
	for (s = c->sessions; s; s = s->next) {
		bool s_owner, v_owner;

		if (s->dead || s->stdio)
			continue;
		s_owner = s->peer_known && (s->peer_uid == 0 || s->peer_uid == geteuid());
		v_owner = victim && victim->peer_known &&
			  (victim->peer_uid == 0 || victim->peer_uid == geteuid());
		if (!victim || (v_owner && !s_owner) ||
		    (v_owner == s_owner && s->last_active < victim->last_active))
			victim = s;
	}
	if (!victim)
		return true;
	log_warn("console: full, closing the longest idle session (uid %u) for uid %u",
		 victim->peer_known ? (unsigned)victim->peer_uid : 0U, (unsigned)uid);
	session_kill(victim);
	return true;
}

static size_t socket_sessions(const struct console *c)
{
	const struct console_session *s;
	size_t n = 0;

	for (s = c->sessions; s; s = s->next)
		n += !s->dead && !s->stdio;
	return n;
}

static void console_accept_cb(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct console *c = arg;
	struct console_session *s;
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	bool known;
	int cfd;

	(void)fd;
	(void)events;
	cfd = accept_guarded(&c->ag, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0)
		return;
	known = getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0;
	if (socket_sessions(c) >= CONSOLE_MAX_SESSIONS &&
	    !make_room(c, known ? cred.uid : (uid_t)-1)) {
		close(cfd);
		return;
	}
	s = session_new(c, cfd, cfd, false);
	if (!s) {
		close(cfd);
		return;
	}
	s->peer_known = known;
	s->peer_uid = known ? cred.uid : (uid_t)-1;
	s->peer_gid = known ? cred.gid : (gid_t)-1;
	s->last_active = loop_now_ns();
	s->timer = loop_add_timer(l, c->idle_ns ? c->idle_ns : LOOP_NOMORE - 1,
				  session_timer_cb, s);
	if (s->timer < 0 || loop_add_fd(l, cfd, EPOLLIN, session_sock_cb, s) < 0) {
		if (s->timer > 0)
			loop_del_timer(l, s->timer);
		close(cfd);
		s->dead = true;
		console_reap(c);
		return;
	}
	if (c->cfg.banner && c->cfg.banner[0]) {
		size_t bl = strlen(c->cfg.banner);

		session_queue(s, c->cfg.banner, bl);
		if (c->cfg.banner[bl - 1] != '\n')
			session_queue(s, "\n", 1);
	}
	session_queue(s, "\n", 1);
	session_queue(s, c->cfg.prompt, strlen(c->cfg.prompt));
	session_flush(s);
	console_reap(c);
}

/**
 * console_listen_strerror() - console_listen()'s errno in a user's words
 * @e:		the errno
 *
 * Return: a static string.
 */
const char *console_listen_strerror(int e)
{
	if (e == EADDRINUSE)
		return "another program is listening there";
	if (e == EEXIST)
		return "exists and is not a socket (give the path of a new socket)";
	return strerror(e);
}

/**
 * console_listen() - accept management sessions on a UNIX stream socket
 * @c:		console
 * @path:	socket path; a stale socket is replaced, a live one refused
 * @mode:	permissions of the socket (e.g. 0600)
 * @group:	group owner, or (gid_t)-1 to leave it
 *
 * Return: 0, or -1 with errno (EADDRINUSE if a server answers at @path,
 * EEXIST if @path exists and is not a socket, EBUSY if already listening).
 */
int console_listen(struct console *c, const char *path, mode_t mode, gid_t group)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	int fd = -1, ret = -1, e;

	if (c->lfd >= 0) {
		errno = EBUSY;
		goto out;
	}
	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		goto out;
	}
	strcpy(sun.sun_path, path);
	if (lstat(path, &st) == 0) {
		int probe;

		if (!S_ISSOCK(st.st_mode)) {
			errno = EEXIST;
			goto out;
		}
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe < 0)
			goto out;
		if (connect(probe, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
			close(probe);
			errno = EADDRINUSE;
			goto out;
		}
		close(probe);
		if (unlink(path) < 0 && errno != ENOENT)
			goto out;
	}
	fd = listen_unix(path, mode, group, 16);
	if (fd < 0)
		goto out;
	if (loop_add_fd(c->l, fd, EPOLLIN, console_accept_cb, c) < 0) {
		e = errno;
		unlink(path);
		errno = e;
		goto out;
	}
	c->lpath = strdup(path);
	if (c->lpath && asprintf(&c->lname, "console %s", path) < 0)
		c->lname = NULL;
	c->lfd = fd;
	accept_guard_init(&c->ag, c->l, fd, c->lname ? c->lname : "console");
	fd = -1;
	ret = 0;
out:
	if (fd >= 0) {
		e = errno;
		close(fd);
		errno = e;
	}
	return ret;
}

/**
 * console_attach_stdio() - use @in/@out as a console session
 * @c:		console
 * @in:		input (stdin); the prompt is written here, as VDE 2 does
 * @out:	responses (stdout); made non-blocking if it is a pipe or socket
 *
 * No banner is sent. EOF on @in calls cfg->on_stdin_eof() once the
 * pending output is written (10 s at most).
 *
 * Return: 0, or -1 with errno.
 */
int console_attach_stdio(struct console *c, int in, int out)
{
	struct console_session *s;
	struct stat st;

	s = session_new(c, in, out, true);
	if (!s)
		return -1;
	if (fstat(out, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) {
		int fl = fcntl(out, F_GETFL);

		if (fl >= 0 && !(fl & O_NONBLOCK) && fcntl(out, F_SETFL, fl | O_NONBLOCK) == 0) {
			c->stdio_out_fd = out;
			c->stdio_out_flags = fl;
		}
	}
	if (loop_add_fd(c->l, in, EPOLLIN, session_stdin_cb, s) == 0)
		return 0;
	if (errno == EPERM) {
		c->stdin_timer = loop_add_timer(c->l, 0, session_stdin_timer, s);
		if (c->stdin_timer > 0)
			return 0;
	}
	s->dead = true;
	console_reap(c);
	return -1;
}

static const struct console_cmd builtin_cmds[] = {
	{ "help", "[arg]", "Help (limited to arg when specified)", NULL, CONSOLE_OUTPUT },
	{ "logout", "", "logout from this mgmt terminal", NULL, 0 },
	{ "shutdown", "", "shutdown of the switch", NULL, 0 },
	{ "load", "path", "load a configuration script", NULL, 0 },
	{ "debug", "============", "DEBUG MENU", NULL, CONSOLE_MENU },
	{ "debug/list", "", "list debug categories", NULL, CONSOLE_OUTPUT },
	{ "debug/add", "dbgpath", "enable debug info for a given category", NULL, 0 },
	{ "debug/del", "dbgpath", "disable debug info for a given category", NULL, 0 },
};

static const console_builtin builtin_fns[] = {
	builtin_help, builtin_logout, builtin_shutdown, builtin_load, NULL,
	builtin_debug_list, builtin_debug_add, builtin_debug_del,
};

static const console_builtin_json builtin_json_fns[] = {
	builtin_help_json, NULL, NULL, NULL, NULL,
	builtin_debug_list_json, NULL, NULL,
};

/* The entry of built-in @fn (console_new() adds every one of them). */
static struct console_entry *builtin_entry(struct console *c, console_builtin fn)
{
	size_t i;

	for (i = 0; i < c->ncmds; i++)
		if (c->cmds[i].builtin == fn)
			return &c->cmds[i];
	abort();		/* not reached: fn is one of builtin_fns[] */
}

/* VDEKIT_CONSOLE_IDLE=SECONDS (0 = never) overrides the idle timeout. */
static uint64_t idle_from_env(void)
{
	const char *v = getenv("VDEKIT_CONSOLE_IDLE"), *err;
	long long n;

	if (!v || !*v)
		return CONSOLE_IDLE_DEFAULT_S * 1000000000ULL;
	n = parse_num(v, 0, 86400 * 366, &err);
	if (err) {
		log_warn("VDEKIT_CONSOLE_IDLE %s: %s (using %d s)", err, v, CONSOLE_IDLE_DEFAULT_S);
		return CONSOLE_IDLE_DEFAULT_S * 1000000000ULL;
	}
	return (uint64_t)n * 1000000000ULL;
}

/**
 * console_new() - create a console with the built-in commands
 * @l:		event loop (sessions and the listening socket are added to it)
 * @cfg:	configuration (copied; its strings must outlive the console)
 *
 * Return: the console, or NULL with errno.
 */
struct console *console_new(struct loop *l, const struct console_config *cfg)
{
	struct console *c = calloc(1, sizeof(*c));
	size_t plen;

	if (!c)
		return NULL;
	c->l = l;
	c->cfg = *cfg;
	c->lfd = -1;
	c->stdio_out_fd = -1;
	if (!c->cfg.prompt)
		c->cfg.prompt = "vde$ ";
	/* "vde$ " -> "vde": the prefix of load's echo lines */
	plen = strcspn(c->cfg.prompt, "$");
	c->load_prefix = strndup(c->cfg.prompt, plen);
	c->idle_ns = idle_from_env();
	if (!c->load_prefix || add_entries(c, builtin_cmds, builtin_fns, builtin_json_fns,
					   sizeof(builtin_cmds) / sizeof(builtin_cmds[0])) < 0) {
		console_free(c);
		return NULL;
	}
	if (c->cfg.shutdown_help)
		builtin_entry(c, builtin_shutdown)->cmd.help = c->cfg.shutdown_help;
	if (c->cfg.load_framed)
		builtin_entry(c, builtin_load)->cmd.flags |= CONSOLE_OUTPUT;
	return c;
}

/**
 * console_free() - close every session and the listening socket
 * @c:		console, may be NULL
 *
 * Must not be called from a console command handler.
 */
void console_free(struct console *c)
{
	struct console_session *s;

	if (!c)
		return;
	for (s = c->sessions; s; s = s->next) {
		if (!s->dead && !s->stdio && s->olen)
			session_flush(s);
		session_kill(s);
	}
	c->depth = 0;
	c->current = NULL;
	console_reap(c);
	if (c->lfd >= 0) {
		accept_guard_fini(&c->ag);
		loop_del_fd(c->l, c->lfd);
		close(c->lfd);
		if (c->lpath)
			unlink(c->lpath);
	}
	if (c->stdio_out_fd >= 0)
		fcntl(c->stdio_out_fd, F_SETFL, c->stdio_out_flags);
	free(c->lpath);
	free(c->lname);
	free(c->load_prefix);
	free(c->cmds);
	free(c->dbg);
	free(c);
}
