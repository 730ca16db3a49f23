// SPDX-License-Identifier: LGPL-2.1-or-later
/* lib/common/log.c - the one logging sink of vdekit daemons and tools
 *
 * logmsg() writes "<ident>: <message>\n" to stderr while the program runs in
 * the foreground and goes to syslog(3) once log_to_syslog(true) was called
 * (daemonize() does that). Messages below the configured level are dropped
 * before they are formatted. die() and die_perror() are for setup errors
 * only: they log and exit(EXIT_FAILURE).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static struct {
	const char *ident;
	bool syslog;
	int level;
	int report_fd;		/* daemon start-up: errors also go to the parent */
} log_ctx = { "vdekit", false, LOG_INFO, -1 };

/**
 * log_init() - set the identity prefixed to every message
 * @ident:	program name (not copied: pass a string that lives forever)
 */
void log_init(const char *ident)
{
	const char *slash;

	if (!ident)
		return;
	slash = strrchr(ident, '/');
	log_ctx.ident = slash ? slash + 1 : ident;
	if (log_ctx.syslog) {
		closelog();
		openlog(log_ctx.ident, LOG_PID, LOG_DAEMON);
	}
}

/**
 * log_to_syslog() - switch between stderr (false) and syslog (true)
 * @on:		true once daemonised
 */
void log_to_syslog(bool on)
{
	if (on == log_ctx.syslog)
		return;
	if (on)
		openlog(log_ctx.ident, LOG_PID, LOG_DAEMON);
	else
		closelog();
	log_ctx.syslog = on;
}

/**
 * log_set_level() - lowest priority still logged
 * @pri:	LOG_ERR .. LOG_DEBUG (clamped)
 */
void log_set_level(int pri)
{
	if (pri < LOG_EMERG)
		pri = LOG_EMERG;
	if (pri > LOG_DEBUG)
		pri = LOG_DEBUG;
	log_ctx.level = pri;
}

/**
 * log_enabled() - would a message of priority @pri be logged?
 * @pri:	syslog priority
 *
 * Return: true if logmsg(@pri, ...) would produce output.
 */
bool log_enabled(int pri)
{
	return pri <= log_ctx.level;
}

static void log_vmsg(int pri, const char *fmt, va_list ap, const char *suffix)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (log_ctx.report_fd >= 0 && pri <= LOG_WARNING) {
		char line[1200];
		int n = snprintf(line, sizeof(line), "%s: %s%s%s\n", log_ctx.ident, buf,
				 suffix ? ": " : "", suffix ? suffix : "");

		if (n > 0 && (size_t)n >= sizeof(line))
			n = (int)sizeof(line) - 1;
		if (n > 0 && write(log_ctx.report_fd, line, (size_t)n) < 0)
			log_ctx.report_fd = -1;
	}
	if (log_ctx.syslog) {
		if (suffix)
			syslog(pri, "%s: %s", buf, suffix);
		else
			syslog(pri, "%s", buf);
	} else if (suffix) {
		fprintf(stderr, "%s: %s: %s\n", log_ctx.ident, buf, suffix);
	} else {
		fprintf(stderr, "%s: %s\n", log_ctx.ident, buf);
	}
}

/**
 * logmsg() - log one message
 * @pri:	syslog priority
 * @fmt:	printf format, without trailing newline
 */
void logmsg(int pri, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	if (!log_enabled(pri))
		goto out;
	va_start(ap, fmt);
	log_vmsg(pri, fmt, ap, NULL);
	va_end(ap);
out:
	errno = saved;
}

/**
 * die() - log an error and exit(1)
 * @fmt:	printf format
 */
void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_ERR, fmt, ap, NULL);
	va_end(ap);
	exit(EXIT_FAILURE);
}

/**
 * die_perror() - log an error with ": strerror(errno)" appended and exit(1)
 * @fmt:	printf format
 */
void die_perror(const char *fmt, ...)
{
	va_list ap;
	const char *err = strerror(errno);

	va_start(ap, fmt);
	log_vmsg(LOG_ERR, fmt, ap, err);
	va_end(ap);
	exit(EXIT_FAILURE);
}

/**
 * log_set_report_fd() - also copy warnings and errors to @fd
 * @fd:	the start-up report pipe of a daemon (lib/common/daemon.c), or -1
 *
 * Between daemonize() and daemon_ready() the parent still waits on the
 * terminal: what goes wrong there reaches the user's stderr, not only syslog.
 */
void log_set_report_fd(int fd)
{
	log_ctx.report_fd = fd;
}
