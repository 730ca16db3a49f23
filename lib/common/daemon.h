/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/common/daemon.h - daemon lifecycle helpers
 *
 * Order used by every daemon: parse -> open and bind everything ->
 * daemonize() -> pidfile_write() -> daemon_ready() -> loop ->
 * daemon_stopping().
 */
#ifndef VDEKIT_DAEMON_H
#define VDEKIT_DAEMON_H

#include <sys/types.h>

/* Fork to the background, setsid, stdio to /dev/null, switch logging to
 * syslog. Returns 0 in the child, -1 on failure. The parent waits: it exits
 * 0 when the child calls daemon_ready(), or with the child's non-zero
 * status if it ends before (the errors it logged meanwhile are copied to
 * the parent's stderr). */
int daemonize(void);

/* The daemon is ready (sockets listening, pid file written): log the start
 * to syslog (@what: what it serves), release the waiting parent, and send
 * READY=1 to $NOTIFY_SOCKET (systemd Type=notify). Call it also without
 * -d: it then only notifies. */
void daemon_ready(const char *what);
/* Log the stop to syslog when detached; STOPPING=1 to $NOTIFY_SOCKET. */
void daemon_stopping(const char *why);
/* One sd_notify(3) datagram to $NOTIFY_SOCKET: 1 sent, 0 unset, -1 errno. */
int sd_notify_send(const char *state);

/* Write "%ld\n" of getpid() (or of @pid_text when non-NULL, verbatim)
 * to @path. An existing file whose pid is alive is refused (EEXIST); a stale
 * one is replaced. The path is made absolute so pidfile_remove() works after
 * a chdir. 0 or -1 with errno. */
int pidfile_write(const char *path, const char *pid_text);
int pidfile_write_at(const char *path, const char *pid_text, char *abs, size_t abslen);
void pidfile_remove(void);
/* Check before daemonize() that pidfile_write(@path) can succeed: -1 with
 * errno if not (EEXIST: it names a live process). */
int pidfile_check(const char *path);
/* Their errno in a user's words (EEXIST: the file names a running process). */
const char *pidfile_strerror(int e);

/* Create a listening UNIX stream socket at @path that accepts connections
 * with its final @mode (and @group unless (gid_t)-1) the moment it exists:
 * bound under "<path>.<pid>", chmod/chown, listen(@backlog), then renamed
 * over @path. The caller decides beforehand what to do with an existing
 * @path (a live server, a stale socket). Returns a non-blocking close-on-exec
 * fd, or -1 with errno (ENAMETOOLONG, or what the syscalls said; the
 * temporary name is removed). */
int listen_unix(const char *path, mode_t mode, gid_t group, int backlog);
/* The same for a listener of @type (SOCK_STREAM, SOCK_SEQPACKET). */
int listen_unix_type(const char *path, int type, mode_t mode, gid_t group, int backlog);

#endif
