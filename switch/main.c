// SPDX-License-Identifier: GPL-2.0-or-later
/* switch/main.c - vde_switch: command line, set-up and the event loop
 *
 * Order (house style 13): parse options -> create the ctl directory and
 * sockets and the management socket -> run the rc file -> daemonise (-d)
 * -> write the pidfile -> real-time priority (--rtprio) -> attach the
 * stdin console -> tell the waiting parent of -d it is ready
 * -> loop until SIGTERM/SIGINT/SIGHUP, "shutdown" or stdin EOF -> remove
 * every socket we created, the directory if empty, and the pidfile.
 *
 * Once options are parsed, main() has one exit path: each stage
 * (sw_setup, sw_detach, tool_rtprio, sw_start) logs why it failed and returns -1, and
 * sw_teardown() undoes whatever exists, whether the switch ran or a stage
 * failed half way. daemonize() and pidfile_write() are called only in
 * sw_detach().
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "console.h"
#include "daemon.h"
#include "log.h"
#include "loop.h"
#include "parse.h"
#include "switch.h"
#include "endpoint.h"
#include "ctlserver.h"
#include "ep_tap.h"
#include "ep_vxlan.h"
#include "ep_vhost.h"
#include "swcore.h"
#include "tool.h"

#define SW_MAXTAPS	64

enum {
	OPT_DIRMODE = 0x100, OPT_MGMTMODE, OPT_MGMTGROUP, OPT_MACADDR, OPT_PRIORITY,
	OPT_HASHSIZE, OPT_NOSTDIN, OPT_NOOFFLOAD, OPT_VXLAN, OPT_VHOST, OPT_SHORTCUTS,
	OPT_RTPRIO,
};

static const struct option long_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'v' },
	{ "numports", required_argument, NULL, 'n' },
	{ "hub", no_argument, NULL, 'x' },
	{ "fstp", no_argument, NULL, 'F' },
	{ "macaddr", required_argument, NULL, OPT_MACADDR },
	{ "priority", required_argument, NULL, OPT_PRIORITY },
	{ "hashsize", required_argument, NULL, OPT_HASHSIZE },
	{ "sock", required_argument, NULL, 's' },
	{ "vdesock", required_argument, NULL, 's' },
	{ "unix", required_argument, NULL, 's' },
	{ "mode", required_argument, NULL, 'm' },
	{ "mod", required_argument, NULL, 'm' },
	{ "dirmode", required_argument, NULL, OPT_DIRMODE },
	{ "group", required_argument, NULL, 'g' },
	{ "daemon", no_argument, NULL, 'd' },
	{ "pidfile", required_argument, NULL, 'p' },
	{ "rcfile", required_argument, NULL, 'f' },
	{ "mgmt", required_argument, NULL, 'M' },
	{ "mgmtmode", required_argument, NULL, OPT_MGMTMODE },
	{ "mgmtgroup", required_argument, NULL, OPT_MGMTGROUP },
	{ "debugclients", required_argument, NULL, 'D' },
	{ "tap", required_argument, NULL, 't' },
	{ "nostdin", no_argument, NULL, OPT_NOSTDIN },
	{ "no-offload", no_argument, NULL, OPT_NOOFFLOAD },
	{ "shortcuts", no_argument, NULL, OPT_SHORTCUTS },
	{ "rtprio", required_argument, NULL, OPT_RTPRIO },
	{ "vxlan", required_argument, NULL, OPT_VXLAN },
	{ "vhost-user", required_argument, NULL, OPT_VHOST },
	{ NULL, 0, NULL, 0 },
};

static const char usage_text[] =
"usage: vde_switch [OPTIONS]\n"
"Runs a VDE switch: clients attach through the control socket DIR/ctl.\n"
"\n"
"  -h, --help                 show this help and exit\n"
"  -v, -V, --version          show the version and exit\n"
"  -n, --numports N           number of ports, numbered 1..N (default 32)\n"
"  -x, --hub                  hub mode: every frame to every port\n"
"  -F, --fstp                 fast spanning tree (VDE 2's, per VLAN; not with -x)\n"
"      --macaddr MAC          switch MAC address (default 00:ff:xx:xx:xx:xx random)\n"
"      --priority N           FSTP bridge priority (default 32768)\n"
"      --hashsize N           MAC table buckets, rounded to a power of 2 (default 128)\n"
"  -s, --sock, --vdesock, --unix DIR\n"
"                             control directory (default /var/run/vde.ctl for root,\n"
"                             /tmp/vde.ctl otherwise)\n"
"  -m, --mode, --mod MODE     octal mode of ctl and data sockets (default 0600)\n"
"      --dirmode MODE         octal mode of the control directory (default 02700)\n"
"  -g, --group GROUP          group owner of the directory and sockets\n"
"  -d, --daemon               run in the background, log to syslog, no stdin console\n"
"  -p, --pidfile FILE         write the pid to FILE once ready\n"
"  -f, --rcfile FILE          run console commands from FILE at start-up\n"
"                             (default ~/.vde2/vde_switch.rc, /etc/vde2/vde_switch.rc)\n"
"  -M, --mgmt SOCK            management console socket\n"
"      --mgmtmode MODE        octal mode of the management socket (default 0600)\n"
"      --mgmtgroup GROUP      group owner of the management socket\n"
"      --nostdin              do not use stdin as a console\n"
"  -D, --debugclients N       accepted for compatibility, no effect\n"
"  -t, --tap IF               attach tap interface IF to a free port (repeatable)\n"
"      --no-offload           plain frames on the taps of -t: no TSO/checksum offload;\n"
"                             no super-frames on the shared-memory rings\n"
"      --shortcuts            let clients of one user on the rings send known unicast\n"
"                             to each other directly (see vde_switch(1))\n"
"      --rtprio N             forward at real-time priority N (1-99, SCHED_FIFO):\n"
"                             frames are not kept waiting behind other processes\n"
"      --vxlan VNL            a VXLAN tunnel endpoint vxlan://... on a free port\n"
"                             (repeatable; see vde_vxlan(7))\n"
"      --vhost-user PATH[:PORT]\n"
"                             listen on PATH for a vhost-user guest NIC, on PORT\n"
"                             or a free port (repeatable)\n";

static const struct tool_help help = { "vde_switch", usage_text, TOOL_HELP_WHOLE };

static mode_t opt_mode(const char *what, const char *arg)
{
	mode_t m;

	if (parse_mode(arg, &m) < 0)
		die("%s %s: invalid octal mode", what, arg);
	return m;
}

static long long opt_num(const char *what, const char *arg, long long min, long long max)
{
	const char *err = NULL;
	long long v = parse_num(arg, min, max, &err);

	if (err)
		die("%s %s: %s", what, arg, err);
	return v;
}

/* -m alone: every class with any bit set gets rwx, plus setgid. */
static mode_t dirmode_from_mode(mode_t m)
{
	mode_t d = 02000;

	if (m & 0700)
		d |= 0700;
	if (m & 0070)
		d |= 0070;
	if (m & 0007)
		d |= 0007;
	return d;
}

static void random_mac(uint8_t mac[6])
{
	uint64_t r = loop_now_ns() ^ ((uint64_t)getpid() << 32);
	int i;

	mac[0] = 0x00;
	mac[1] = 0xff;
	for (i = 2; i < 6; i++) {
		r = r * 6364136223846793005ULL + 1442695040888963407ULL;
		mac[i] = (uint8_t)(r >> 56);
	}
}

/* The console's shutdown command: VDE 2's line (a log watcher tells a
 * shutdown from a crash by it). */
static void on_stop(void *ctx)
{
	struct sw *sw = ctx;

	log_warn("Shutdown from mgmt command");
	loop_stop(sw->loop);
}

static void on_stdin_eof(void *ctx)
{
	struct sw *sw = ctx;

	log_info("EOF on stdin, cleaning up and exiting");
	loop_stop(sw->loop);
}

static void on_signal(struct loop *l, int signo, void *arg)
{
	log_info("caught signal %d (%s), cleaning up and exiting", signo, strsignal(signo));
	loop_stop(l);
}

static uint64_t fstp_cb(struct loop *l, void *arg)
{
	struct sw *sw = arg;

	fstp_tick(&sw->fstp, loop_now_ns());
	return FSTP_HELLO_NS;
}

static uint64_t gc_cb(struct loop *l, void *arg)
{
	struct sw *sw = arg;
	uint64_t now = loop_now_ns();

	if (sw->sc_sync)	/* shortcuts keep their senders' addresses learnt */
		sw->sc_sync(sw);
	fdb_expire(&sw->fdb, now);
	ctlsrv_sweep(sw, now);
	ep_trim_queues(sw, now);
	return sw->gcint;
}

/* Two fds per endpoint: use the hard limit of open files. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int run_rcfile(struct sw *sw, const char *rcfile)
{
	char def[4096];
	const char *home = getenv("HOME");
	int r, ret = 0;

	if (!rcfile) {
		if (home && snprintf(def, sizeof(def), "%s/.vde2/vde_switch.rc", home) <
		    (int)sizeof(def) && access(def, R_OK) == 0)
			rcfile = def;
		else if (access("/etc/vde2/vde_switch.rc", R_OK) == 0)
			rcfile = "/etc/vde2/vde_switch.rc";
	}
	if (rcfile) {
		r = console_load_file(sw->con, rcfile, NULL);
		if (r) {
			log_err("rcfile %s: %s", rcfile, strerror(r));
			ret = -1;
		}
	}
	return ret;
}

/* What the command line asks for beyond struct sw. */
struct sw_args {
	const char *rcfile;
	bool hub, daemon_mode, nostdin;
	unsigned numports;
	unsigned rtprio;	/* --rtprio: 0 = the normal policy */
	size_t hashsize;
	const char *taps[SW_MAXTAPS];
	unsigned ntaps;
	const char *vxlans[SW_MAXTAPS];
	unsigned nvxlans;
	const char *vhosts[SW_MAXTAPS];
	unsigned nvhosts;
};

/* What to fix when a -t, --vxlan or --vhost-user port cannot be set up
 * with errno e: the bare strerror()s ("Invalid argument", "No such device
 * or address") said nothing about the option. */
struct port_hint {
	int e;
	const char *hint;
};

static const struct port_hint tap_hints[] = {
	{ ENOENT, " (no /dev/net/tun)" },
	{ EPERM, " (creating a tap needs CAP_NET_ADMIN)" },
	{ EBUSY, " (the tap is in use by another process)" },
	{ EINVAL, " (not a tap interface?)" },
	{ ENXIO, " (no free port)" },
	{ 0, "" },
};

static const struct port_hint vxlan_hints[] = {
	{ EINVAL, " (malformed: vxlan://ADDR[/OPTION]..., see vde_vxlan(7))" },
	{ EPROTONOSUPPORT, " (--vxlan takes a vxlan:// VNL)" },
	{ ENODEV, " (the interface of if= does not exist)" },
	{ EADDRINUSE, " (its UDP port is taken: another VTEP on this host?)" },
	{ ENXIO, " (no free port)" },
	{ 0, "" },
};

static const struct port_hint vhost_hints[] = {
	{ EINVAL, " (PATH[:PORT], PORT a number from 1)" },
	{ ENXIO, " (PORT beyond the number of ports, -n)" },
	{ EADDRINUSE, " (PATH given twice, or a file or a listener is there)" },
	{ 0, "" },
};

static const char *port_hint(const struct port_hint *t, int e)
{
	while (t->e && t->e != e)
		t++;
	return t->hint;
}

/* Build the switch: what every switch has (swcore.c: tables, loop,
 * directory, DIR/ctl, console), then the management socket, taps, VXLAN
 * and vhost-user ports, rc file. 0, or -1 after logging why. */
static int sw_setup(struct sw *sw, const struct sw_args *a)
{
	unsigned i;
	int e, ret = -1;

	/* before the directory and sockets are made with their modes */
	umask(0);
	signal(SIGPIPE, SIG_IGN);
	/* a pdump or iplog file past RLIMIT_FSIZE: a write error, not death */
	signal(SIGXFSZ, SIG_IGN);
	raise_fd_limit();
	if (sw_core_setup(sw, a->numports, a->hashsize, a->hub, on_stop, on_stdin_eof) < 0)
		goto out;
	if (sw->mgmt_path &&
	    console_listen(sw->con, sw->mgmt_path, sw->mgmt_mode, sw->mgmt_group) < 0) {
		log_err("management socket %s: %s", sw->mgmt_path, console_listen_strerror(errno));
		goto out;
	}
	for (i = 0; i < a->ntaps; i++)
		if (ep_tap_add(sw, a->taps[i]) < 0) {
			e = errno;
			log_err("tap %s: %s%s", a->taps[i], strerror(e), port_hint(tap_hints, e));
			goto out;
		}
	for (i = 0; i < a->nvxlans; i++)
		if (ep_vxlan_add(sw, a->vxlans[i]) < 0) {
			e = errno;
			log_err("vxlan %s: %s%s", a->vxlans[i], strerror(e), port_hint(vxlan_hints, e));
			goto out;
		}
	for (i = 0; i < a->nvhosts; i++)
		if (ep_vhost_listen(sw, a->vhosts[i]) < 0) {
			e = errno;
			log_err("vhost-user %s: %s%s", a->vhosts[i], strerror(e), port_hint(vhost_hints, e));
			goto out;
		}
	if (run_rcfile(sw, a->rcfile) < 0)
		goto out;
	ret = 0;
out:
	return ret;
}

/* -d and -p: the one place where the switch becomes a daemon and says it
 * is ready. 0, or -1 after logging why. */
static int sw_detach(struct sw *sw, bool daemon_mode)
{
	int ret = -1;

	if (daemon_mode) {
		if (daemonize() < 0) {
			log_err("daemon: %s", strerror(errno));
			goto out;
		}
		log_to_syslog(true);
	}
	if (sw->pidfile) {
		if (pidfile_write(sw->pidfile, NULL) < 0) {
			log_err("pidfile %s: %s", sw->pidfile, pidfile_strerror(errno));
			goto out;
		}
		sw->pidfile_written = true;
	}
	ret = 0;
out:
	return ret;
}

/* The stdin console, signals and timers: what runs only in the process
 * that serves. 0, or -1 after logging why. */
static int sw_start(struct sw *sw, bool stdin_console)
{
	const char *what = NULL;

	if (stdin_console && console_attach_stdio(sw->con, 0, 1) < 0) {
		what = "stdin console";
		goto out;
	}
	/* A person at a terminal is told the switch is ready for commands: the
	 * prompt, written where every later prompt goes (fd 0, as VDE 2 does).
	 * VDE 2 showed nothing before the first command; a pipe or file as
	 * stdin still gets nothing (isatty), so scripts see VDE 2's bytes. */
	if (stdin_console && isatty(0) && write(0, SW_PROMPT, strlen(SW_PROMPT)) < 0)
		log_debug("stdin prompt: %s", strerror(errno));
	if (tool_add_stop_signals(sw->loop, on_signal, sw) < 0) {
		what = "signals";
		goto out;
	}
	sw->gc_timer = loop_add_timer(sw->loop, sw->gcint, gc_cb, sw);
	sw->fstp_timer = sw->gc_timer < 0 ? -1 :
			 loop_add_timer(sw->loop, FSTP_HELLO_NS, fstp_cb, sw);
	if (sw->fstp_timer < 0) {
		what = "timer";
		goto out;
	}
	log_debug("switch ready: ctl %s", sw->ctl_path);
out:
	if (what)
		log_err("%s: %s", what, strerror(errno));
	return what ? -1 : 0;
}

/* Undo whatever of sw_setup/sw_detach/sw_start exists: endpoints and their
 * sockets, DIR/ctl, the directory if empty, the console and its socket,
 * the pidfile, the loop and the tables. */
static void sw_teardown(struct sw *sw)
{
	/* A stop signal now (stdin closed, then SIGTERM right after) stays
	 * blocked, loop_free() included: the cleanup ends and we exit 0. */
	sw_core_teardown(sw);
	if (sw->pidfile_written)
		pidfile_remove();
}

int main(int argc, char **argv)
{
	struct sw sw_, *sw = &sw_;
	struct sw_args a = { .numports = PORT_DEF_NUMPORTS, .hashsize = FDB_DEF_HASHSIZE };
	const char *dir = NULL, *err;
	bool mode_set = false, dirmode_set = false;
	char mgmt_abs[4200];
	int c;

	/* A fixed threshold keeps glibc from raising it when the first 2 MiB
	 * transmit ring is freed: rings stay mmap()ed, so freeing an idle one
	 * (ep_trim_queues) really returns its pages to the system. */
	(void)mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	sw_defaults(sw);
	random_mac(sw->mac);
	log_init("vde_switch");

	while ((c = getopt_long_only(argc, argv, "hvVn:xFs:m:g:dp:f:M:D:t:", long_opts,
				     NULL)) != -1) {
		switch (c) {
		case 'h':
			tool_usage(&help, EXIT_SUCCESS);
		case 'v':	/* VDE 2's letter */
		case 'V':	/* every vdekit tool's */
			printf("VDE 2.3.2 compatible vde_switch (%s %s)\n", PACKAGE_NAME,
			       PACKAGE_VERSION);
			return EXIT_SUCCESS;
		case 'n':
			a.numports = (unsigned)opt_num("numports", optarg, 1, PORT_MAX_NUMPORTS);
			break;
		case 'x':
			a.hub = true;
			break;
		case 'F':
			sw->fstp_on = true;
			break;
		case OPT_MACADDR:
			if (parse_mac(optarg, sw->mac) < 0)
				die("macaddr %s: invalid MAC address", optarg);
			break;
		case OPT_PRIORITY:
			sw->priority = (unsigned)opt_num("priority", optarg, 0, 0xffff);
			break;
		case OPT_HASHSIZE:
			a.hashsize = (size_t)opt_num("hashsize", optarg, 1, 1 << 20);
			break;
		case 's':
			dir = optarg;
			break;
		case 'm':
			sw->mode = opt_mode("mode", optarg);
			mode_set = true;
			break;
		case OPT_DIRMODE:
			sw->dirmode = opt_mode("dirmode", optarg);
			dirmode_set = true;
			break;
		case 'g':
			sw->group = parse_group_arg("group", optarg);
			break;
		case 'd':
			a.daemon_mode = true;
			break;
		case 'p':
			sw->pidfile = optarg;
			break;
		case 'f':
			a.rcfile = optarg;
			break;
		case 'M':
			sw->mgmt_path = optarg;
			break;
		case OPT_MGMTMODE:
			sw->mgmt_mode = opt_mode("mgmtmode", optarg);
			break;
		case OPT_MGMTGROUP:
			sw->mgmt_group = parse_group_arg("group", optarg);
			break;
		case 'D':
			(void)opt_num("debugclients", optarg, 0, 1 << 20);
			break;
		case 't':
			if (a.ntaps == SW_MAXTAPS)
				die("-t %s: at most %d tap interfaces", optarg, SW_MAXTAPS);
			/* not "Invalid argument (not a tap interface?)" from the kernel */
			if ((err = ifname_error(optarg)))
				die("-t '%s': %s", optarg, err);
			a.taps[a.ntaps++] = optarg;
			break;
		case OPT_VXLAN:
			if (a.nvxlans == SW_MAXTAPS)
				die("--vxlan %s: at most %d VTEPs", optarg, SW_MAXTAPS);
			a.vxlans[a.nvxlans++] = optarg;
			break;
		case OPT_VHOST:
			if (a.nvhosts == SW_MAXTAPS)
				die("--vhost-user %s: at most %d sockets", optarg, SW_MAXTAPS);
			a.vhosts[a.nvhosts++] = optarg;
			break;
		case OPT_NOSTDIN:
			a.nostdin = true;
			break;
		case OPT_SHORTCUTS:
			sw->shortcuts = true;
			break;
		case OPT_RTPRIO:
			a.rtprio = (unsigned)opt_num("rtprio", optarg, 1, 99);
			break;
		case OPT_NOOFFLOAD:
			sw->no_offload = true;
			break;
		default:
			tool_usage(&help, EXIT_FAILURE);
		}
	}
	if (optind < argc)
		tool_misuse(&help, "unexpected argument %s", argv[optind]);
	if (mode_set && !dirmode_set)
		sw->dirmode = dirmode_from_mode(sw->mode);
	else if (dirmode_set && !mode_set)
		sw->mode = sw->dirmode & 0666;
	if (a.hub && sw->fstp_on)
		sw->fstp_on = false;	/* as VDE 2: hub mode excludes FSTP */
	if (!dir)
		dir = geteuid() == 0 ? "/var/run/vde.ctl" : "/tmp/vde.ctl";
	/* daemonising changes directory: keep the mgmt path absolute so
	 * that it can be removed at exit */
	if (sw->mgmt_path && sw->mgmt_path[0] != '/') {
		char cwd[4096];
		int n;

		if (!getcwd(cwd, sizeof(cwd)))
			die_perror("getcwd");
		n = snprintf(mgmt_abs, sizeof(mgmt_abs), "%s/%s", cwd, sw->mgmt_path);
		if (n < 0 || (size_t)n >= sizeof(mgmt_abs))
			die("mgmt %s: path too long", sw->mgmt_path);
		sw->mgmt_path = mgmt_abs;
	}
	sw->ctl_dir = (char *)dir;
	/* a bad pid file is reported here, not after -d detached (exit 0) */
	tool_pidfile_check(sw->pidfile);

	if (sw_setup(sw, &a) < 0 || sw_detach(sw, a.daemon_mode) < 0 ||
	    tool_rtprio(a.rtprio) < 0 || sw_start(sw, !a.daemon_mode && !a.nostdin) < 0) {
		sw->exit_status = EXIT_FAILURE;
	} else {
		daemon_ready(sw->ctl_path);	/* -d: the parent exits 0 only now */
		if (loop_run(sw->loop) < 0)
			sw->exit_status = EXIT_FAILURE;
		daemon_stopping(sw->exit_status ? "error" : "terminated");
	}
	sw_teardown(sw);
	return sw->exit_status;
}
