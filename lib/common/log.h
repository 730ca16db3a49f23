/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/common/log.h - logging for vdekit daemons and tools
 *
 * One logmsg() sink: stderr while in the foreground, syslog once daemonised.
 * Setup errors use die()/die_perror(); the data path only logs (rate-limited
 * by the caller) and never exits. The library (libvdeplug) never logs.
 */
#ifndef VDEKIT_LOG_H
#define VDEKIT_LOG_H

#include <stdbool.h>
#include <syslog.h>

void log_init(const char *ident);
void log_to_syslog(bool on);
void log_set_level(int pri);		/* LOG_ERR .. LOG_DEBUG; default LOG_INFO */
bool log_enabled(int pri);
void log_set_report_fd(int fd);	/* warnings and errors also to @fd; -1 = off */
void logmsg(int pri, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...)	logmsg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)	logmsg(LOG_WARNING, __VA_ARGS__)
#define log_info(...)	logmsg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	logmsg(LOG_DEBUG, __VA_ARGS__)

/* Print "<ident>: <message>" (and ": strerror(errno)" for die_perror), exit 1. */
__attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...);
__attribute__((noreturn, format(printf, 1, 2))) void die_perror(const char *fmt, ...);

#endif
