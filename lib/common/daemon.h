/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/common/daemon.h - daemon lifecycle helpers
 *
 * Order used by every daemon: parse -> open and bind everything ->
 * daemonize() -> pidfile_write() (the readiness signal) -> loop.
 */
#ifndef VDEKIT_DAEMON_H
#define VDEKIT_DAEMON_H

/* Fork to the background, setsid, stdio to /dev/null, switch logging to
 * syslog. Returns 0 in the child, -1 on failure (parent exits 0). */
int daemonize(void);

/* Write "%ld\n" of getpid() (or of @pid_text when non-NULL, verbatim)
 * to @path. An existing file whose pid is alive is refused (EEXIST); a stale
 * one is replaced. The path is made absolute so pidfile_remove() works after
 * a chdir. 0 or -1 with errno. */
int pidfile_write(const char *path, const char *pid_text);
void pidfile_remove(void);

#endif
