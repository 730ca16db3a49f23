// SPDX-License-Identifier: GPL-2.0-or-later
/* wirefilter/main.c - wirefilter: an impaired Ethernet wire between two VDE ends
 *
 * The I/O shell around the pure model (model.c): options, the two ends of
 * the wire, the event loop, the console. An end is either a byte stream
 * (dpipe: left = stdin/stdout, right = ALTERNATE_STDIN/ALTERNATE_STDOUT;
 * one-way stdin -> stdout when those are absent) or a libvdeplug VNL
 * (wirefilter VNL1 VNL2, or VDE 2's -v L:R with "-" for stdin/stdout).
 * LR is left input -> right output, RL the reverse.
 *
 * Timing: one loop timer (timerfd, CLOCK_MONOTONIC, ns) is kept armed at the
 * model's next event; timer slack is set to 1 ns so wake-ups are on time
 * to a few microseconds. Interface speed is back-pressure: a direction's
 * input is taken out of the poll set until the model's interface is free.
 * Stream output is gathered into one buffer per end and written once per
 * loop callback, so an unimpaired wire costs one read and one write per
 * batch of frames.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "console.h"
#include "daemon.h"
#include "libvdeplug.h"
#include "log.h"
#include "tool.h"
#include "loop.h"
#include "parse.h"
#include "stream.h"
#include "value.h"
#include "wirefilter.h"

#define RBUF_SIZE	(64 * 1024)
#define SPEED_READ	2048		/* read size while speed back-pressure applies */
#define OUT_WAIT_MS	20		/* wait for a full output before polling for it */
#define FINAL_IDLE_MS	5000		/* at exit: give up on a reader idle this long */

enum side_kind { SIDE_NONE, SIDE_STREAM, SIDE_VNL };

struct shell;

struct side {
	struct shell *sh;
	enum side_kind kind;
	int in_fd, out_fd;		/* stream: input / output fds; VNL: data fd */
	VDECONN *conn;
	struct stream_rx *rx;
	struct stream_tx *tx;		/* stream output (lib/stream.h's writer) */
	bool out_poll;			/* out_fd is non-blocking and in the poll set */
	int out_flags;			/* original file status flags, restored at exit */
	bool out_full;			/* output could not be written: wait for POLLOUT */
	bool in_on;			/* input in the poll set */
	const char *name;
};

struct shell {
	struct loop *l;
	struct wf_ctx w;
	struct side side[2];		/* 0 = left, 1 = right */
	long timer;
	uint64_t armed_at;
	uint64_t now;			/* of the callback being run */
	int blink_fd;
	struct sockaddr_un blink_addr;
	char blink_id[64];
	int rc;
	bool signalled;			/* stopped by a signal */
	uint8_t rbuf[RBUF_SIZE];
	uint8_t fbuf[VDE_ETHBUFSIZE];
};

struct dirarg {
	struct shell *sh;
	enum wf_dir dir;
};

static struct dirarg dirargs[WF_NDIRS];

static const char *const short_opts = "hVf:l:L:d:D:b:s:c:n:m:NM:v:";

enum {
	OPT_MGMTMODE = 256, OPT_DAEMON, OPT_PIDFILE, OPT_BLINK, OPT_BLINKID, OPT_SEED,
	OPT_MGMTGROUP, OPT_RTPRIO,
};

static const struct option long_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "rcfile", required_argument, NULL, 'f' },
	{ "loss", required_argument, NULL, 'l' },
	{ "lostburst", required_argument, NULL, 'L' },
	{ "delay", required_argument, NULL, 'd' },
	{ "dup", required_argument, NULL, 'D' },
	{ "band", required_argument, NULL, 'b' },
	{ "bandwidth", required_argument, NULL, 'b' },
	{ "speed", required_argument, NULL, 's' },
	{ "chanbufsize", required_argument, NULL, 'c' },
	{ "capacity", required_argument, NULL, 'c' },
	{ "noise", required_argument, NULL, 'n' },
	{ "mtu", required_argument, NULL, 'm' },
	{ "nofifo", no_argument, NULL, 'N' },
	{ "mgmt", required_argument, NULL, 'M' },
	{ "mgmtmode", required_argument, NULL, OPT_MGMTMODE },
	{ "mgmtgroup", required_argument, NULL, OPT_MGMTGROUP },
	{ "vde-plug", required_argument, NULL, 'v' },
	{ "daemon", no_argument, NULL, OPT_DAEMON },
	{ "pidfile", required_argument, NULL, OPT_PIDFILE },
	{ "blink", required_argument, NULL, OPT_BLINK },
	{ "blinkid", required_argument, NULL, OPT_BLINKID },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "rtprio", required_argument, NULL, OPT_RTPRIO },
	{ NULL, 0, NULL, 0 },
};

static const char usage_text[] =
"usage: wirefilter [-hNV] [-f rcfile] [-l loss] [-L lostburst] [-d delay]\n"
"                  [-D dup] [-b bandwidth] [-s speed] [-c capacity] [-n noise]\n"
"                  [-m mtu] [-M mgmtsock] [--mgmtmode octal] [--mgmtgroup group]\n"
"                  [--daemon] [--pidfile file] [--blink sock] [--blinkid id]\n"
"                  [--seed n] [--rtprio n] [-v VNL1:VNL2 | VNL1 VNL2]\n"
"\n"
"In a dpipe chain (dpipe vde_plug A = wirefilter ... = vde_plug B) the left end\n"
"is stdin/stdout, the right end ALTERNATE_STDIN/ALTERNATE_STDOUT. With two VNLs\n"
"(\"-\" = stdin/stdout) wirefilter is a cable between them.\n"
"Values: [LR|RL]value[+spread][K|M|G][U|N][[node]]\n"
"  -l, --loss          loss percentage\n"
"  -L, --lostburst     mean length of lost bursts (Gilbert model)\n"
"  -d, --delay         delay, ms (fractions allowed)\n"
"  -D, --dup           duplication percentage\n"
"  -b, --bandwidth     bottleneck bandwidth, bytes/s (--band)\n"
"  -s, --speed         interface speed, bytes/s (back-pressure, no drops)\n"
"  -c, --capacity      channel buffer size, bytes (--chanbufsize)\n"
"  -n, --noise         damaged bits per MiB\n"
"  -m, --mtu           largest frame passed, bytes\n"
"  -N, --nofifo        let jitter reorder frames\n"
"  -f, --rcfile        run the console commands of a file at start\n"
"  -M, --mgmt          management console socket\n"
"      --mgmtmode      its permissions (default 0700)\n"
"      --mgmtgroup     its group\n"
"  -v, --vde-plug      VNL1:VNL2, the two ends (VDE 2 syntax)\n"
"      --daemon        run in the background\n"
"      --pidfile       write the pid here once ready\n"
"      --blink         send \"<id> LR|RL <size>\" per frame to this socket\n"
"      --blinkid       id for --blink (default: pid)\n"
"      --seed          RNG seed (reproducible runs)\n"
"      --rtprio        run with SCHED_FIFO priority n (timing under load)\n"
"  -h, --help          this help\n"
"  -V, --version       version\n";

static const struct tool_help help = { "wirefilter", usage_text, TOOL_HELP_WHOLE };

/* --- output ------------------------------------------------------------- */

static void output_closed(struct shell *sh, struct side *s)
{
	log_info("%s: output closed (%s), exiting", s->name, strerror(errno));
	sh->rc = 0;
	loop_stop(sh->l);
	if (s->tx)
		stream_tx_init(s->tx);	/* nobody left to read the backlog */
}

/* Write what the peer accepts (lib/stream.c's writer); keep the rest and
 * wait for POLLOUT in the loop, during which the inputs feeding this end are
 * not read (back-pressure). With @wait_ms > 0 first wait here a little for
 * the reader (see flush_wait()). */
static void side_flush(struct shell *sh, struct side *s, int wait_ms)
{
	int r;

	if (!s->tx || !stream_tx_pending(s->tx))
		return;
	r = stream_tx_flush(s->tx, s->out_fd);	/* a blocking fd: all or an error */
	while (r > 0 && wait_ms > 0) {
		struct pollfd pfd = { .fd = s->out_fd, .events = POLLOUT };

		if (poll(&pfd, 1, wait_ms) <= 0)
			break;
		r = stream_tx_flush(s->tx, s->out_fd);
	}
	if (r < 0) {
		output_closed(sh, s);
		return;
	}
	if (r > 0 && !s->out_full) {
		s->out_full = true;
		loop_mod_fd(sh->l, s->out_fd, EPOLLOUT);
	} else if (r == 0 && s->out_full) {
		s->out_full = false;
		loop_mod_fd(sh->l, s->out_fd, 0);
	}
}

/* How long a flush may wait for a full output's reader. A model that
 * releases frames on its own clock (delay, bandwidth, speed) keeps doing so
 * while the inputs are out of the poll set, so there a full output is
 * waited for a little (the backlog would otherwise overflow into drops).
 * An unimpaired wire only passes on what it reads, and reads nothing while
 * an output is full: it never waits here, so the other direction (a TCP
 * flow's ACKs) keeps moving (a 20 ms wait on each full pipe stalled it). */
static int flush_wait(const struct shell *sh)
{
	return wf_model_active(sh->w.m, WF_DELAY) || wf_model_active(sh->w.m, WF_BAND) ||
	       wf_model_active(sh->w.m, WF_SPEED) ? OUT_WAIT_MS : 0;
}

static bool stop_pending(void)
{
	sigset_t p;

	return sigpending(&p) == 0 && (sigismember(&p, SIGTERM) == 1 ||
				       sigismember(&p, SIGINT) == 1 || sigismember(&p, SIGHUP) == 1);
}

/* At exit (s->out_fd still non-blocking): after an end of input, what is
 * still queued goes out while the reader takes it, so the tail of the data
 * is not lost; after a stop signal, or once one is pending, or when the
 * reader took nothing for FINAL_IDLE_MS, the rest is dropped: a stalled
 * reader never holds the exit. */
static void side_final_flush(struct shell *sh, struct side *s)
{
	uint64_t idle_since = loop_now_ns();

	while (s->tx && stream_tx_pending(s->tx)) {
		struct pollfd pfd = { .fd = s->out_fd, .events = POLLOUT };
		size_t before = s->tx->len - s->tx->off;

		if (stream_tx_flush(s->tx, s->out_fd) <= 0)
			break;
		if (s->tx->len - s->tx->off < before)
			idle_since = loop_now_ns();
		if (sh->signalled || stop_pending() ||
		    loop_now_ns() - idle_since > FINAL_IDLE_MS * 1000000ULL)
			break;
		(void)poll(&pfd, 1, 100);
	}
	if (s->tx && stream_tx_pending(s->tx))
		log_info("%s: the reader stalled, %zu byte(s) not delivered", s->name,
			 s->tx->len - s->tx->off);
}

static void flush_all(struct shell *sh)
{
	int wait_ms = flush_wait(sh);

	side_flush(sh, &sh->side[0], wait_ms);
	side_flush(sh, &sh->side[1], wait_ms);
}

static void blink(struct shell *sh, enum wf_dir dir, size_t len)
{
	char msg[128];
	int n = snprintf(msg, sizeof(msg), "%s %s %zu\n", sh->blink_id,
			 dir == WF_LR ? "LR" : "RL", len);

	if (n > 0 && (size_t)n < sizeof(msg))
		sendto(sh->blink_fd, msg, (size_t)n, MSG_DONTWAIT,
		       (struct sockaddr *)&sh->blink_addr, sizeof(sh->blink_addr));
}

static void on_output(void *arg, enum wf_dir dir, const uint8_t *frame, size_t len)
{
	struct shell *sh = arg;
	struct side *s = &sh->side[dir == WF_LR ? 1 : 0];

	if (sh->blink_fd >= 0)
		blink(sh, dir, len);
	switch (s->kind) {
	case SIDE_STREAM:
		if (s->out_fd < 0)
			break;
		if (STREAM_TX_BUF - s->tx->len < 2 + len)
			side_flush(sh, s, OUT_WAIT_MS);
		if (!stream_tx_queue(s->tx, frame, len))
			sh->w.tx_errors[dir]++;
		break;
	case SIDE_VNL:
		if (vde_send(s->conn, frame, len, 0) < 0)
			sh->w.tx_errors[dir]++;
		break;
	default:
		break;
	}
}

/* --- timing ------------------------------------------------------------- */

static void input_enable(struct shell *sh, struct side *s, bool on)
{
	if (s->in_fd < 0 || s->in_on == on)
		return;
	if (loop_mod_fd(sh->l, s->in_fd, on ? EPOLLIN : 0) == 0)
		s->in_on = on;
}

/* Re-enable inputs whose interface is free; earliest pending wake-up. */
static uint64_t plan(struct shell *sh, uint64_t now)
{
	uint64_t next = wf_next_event(sh->w.m);
	int d;

	for (d = 0; d < WF_NDIRS; d++) {
		struct side *in = &sh->side[d == WF_LR ? 0 : 1];
		uint64_t ready = wf_input_ready_at(sh->w.m, (enum wf_dir)d);

		if (in->in_fd < 0)
			continue;
		if (sh->side[d == WF_LR ? 1 : 0].out_full) {
			input_enable(sh, in, false);	/* re-enabled by on_out_ready() */
		} else if (ready > now) {
			input_enable(sh, in, false);
			if (ready < next)
				next = ready;
		} else {
			input_enable(sh, in, true);
		}
	}
	return next;
}

static void schedule(struct shell *sh, uint64_t now)
{
	uint64_t next = plan(sh, now);

	if (next < sh->armed_at) {
		loop_timer_rearm(sh->l, sh->timer, next > now ? next - now : 1);
		sh->armed_at = next;
	}
}

static void on_out_ready(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct side *s = arg;
	struct shell *sh = s->sh;

	(void)l;
	(void)fd;
	(void)events;
	side_flush(sh, s, flush_wait(sh));
	if (!s->out_full)
		schedule(sh, loop_now_ns());	/* inputs back in the poll set */
}

static uint64_t on_timer(struct loop *l, void *arg)
{
	struct shell *sh = arg;
	uint64_t now = loop_now_ns(), next;

	(void)l;
	sh->now = now;
	wf_run(sh->w.m, now, on_output, sh);
	flush_all(sh);
	next = plan(sh, now);
	if (next == UINT64_MAX) {
		sh->armed_at = UINT64_MAX;
		return 3600ULL * 1000000000ULL;
	}
	sh->armed_at = next;
	return next > now ? next - now : 1;
}

static uint64_t clock_now(void *arg)
{
	(void)arg;
	return loop_now_ns();
}

static void on_changed(void *arg)
{
	struct shell *sh = arg;

	if (sh->timer > 0)
		schedule(sh, loop_now_ns());
}

/* --- input -------------------------------------------------------------- */

static void on_frame(void *arg, const uint8_t *frame, size_t len)
{
	struct dirarg *da = arg;

	wf_input(da->sh->w.m, da->dir, frame, len, da->sh->now, on_output, da->sh);
}

static void input_done(struct shell *sh)
{
	wf_run(sh->w.m, sh->now, on_output, sh);
	flush_all(sh);
	schedule(sh, sh->now);
}

static void input_eof(struct shell *sh, struct side *s)
{
	log_info("%s: end of input, exiting", s->name);
	sh->rc = 0;
	loop_stop(sh->l);
}

/* With an interface speed, read about WF_SPEED_AHEAD_NS worth of bytes at
 * a time (at least SPEED_READ), so back-pressure reaches the sender. */
static size_t read_size(struct shell *sh, enum wf_dir dir)
{
	const struct wf_value *v;
	double bytes;

	if (!wf_model_active(sh->w.m, WF_SPEED))
		return RBUF_SIZE;
	v = wf_model_get(sh->w.m, wf_markov_current(sh->w.m), WF_SPEED, dir);
	bytes = (v->val + v->plus) * (double)WF_SPEED_AHEAD_NS / 1e9;
	if (bytes < SPEED_READ)
		return SPEED_READ;
	return bytes > RBUF_SIZE ? RBUF_SIZE : (size_t)bytes;
}

static void on_stream_in(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct dirarg *da = arg;
	struct shell *sh = da->sh;
	struct side *s = &sh->side[da->dir == WF_LR ? 0 : 1];
	size_t want = read_size(sh, da->dir);
	ssize_t n;

	(void)l;
	(void)events;
	n = read(fd, sh->rbuf, want);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			input_eof(sh, s);
		return;
	}
	if (n == 0) {
		input_eof(sh, s);
		return;
	}
	sh->now = loop_now_ns();
	stream_rx_feed(s->rx, sh->rbuf, (size_t)n, on_frame, da);
	input_done(sh);
}

static void on_vnl_in(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct dirarg *da = arg;
	struct shell *sh = da->sh;
	struct side *s = &sh->side[da->dir == WF_LR ? 0 : 1];
	ssize_t n;

	(void)l;
	(void)fd;
	(void)events;
	n = vde_recv(s->conn, sh->fbuf, sizeof(sh->fbuf), 0);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			input_eof(sh, s);
		return;
	}
	if (n == 0)
		return;
	sh->now = loop_now_ns();
	wf_input(sh->w.m, da->dir, sh->fbuf, (size_t)n, sh->now, on_output, sh);
	input_done(sh);
}

static void on_vnl_ctl(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct side *s = arg;
	char c;

	(void)l;
	if (read(fd, &c, 1) <= 0 || (events & (EPOLLHUP | EPOLLERR))) {
		log_info("%s: switch closed the connection, exiting", s->name);
		loop_stop(l);
	}
}

/* --- setup -------------------------------------------------------------- */

static void side_alloc(struct side *s)
{
	s->rx = malloc(sizeof(*s->rx));
	s->tx = malloc(sizeof(*s->tx));
	if (!s->rx || !s->tx)
		die("out of memory");
	stream_rx_init(s->rx);
	stream_tx_init(s->tx);
}

static void side_stream(struct side *s, int in, int out, const char *name)
{
	s->kind = SIDE_STREAM;
	s->in_fd = in;
	s->out_fd = out;
	s->name = name;
	side_alloc(s);
}

static void side_vnl(struct side *s, const char *vnl)
{
	struct tool_net n = { .vnl = (char *)vnl };

	s->kind = SIDE_VNL;
	s->name = vnl;
	s->conn = tool_open(&n, "vde_crosscable");
	s->in_fd = vde_datafd(s->conn);
	s->out_fd = -1;
}

static void blink_open(struct shell *sh, const char *path, const char *id)
{
	if (strlen(path) >= sizeof(sh->blink_addr.sun_path))
		die("blink socket path too long: %s", path);
	sh->blink_addr.sun_family = AF_UNIX;
	strcpy(sh->blink_addr.sun_path, path);
	sh->blink_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sh->blink_fd < 0)
		die_perror("blink socket");
	if (id)
		snprintf(sh->blink_id, sizeof(sh->blink_id), "%s", id);
	else
		snprintf(sh->blink_id, sizeof(sh->blink_id), "%06d", (int)getpid());
}

static void on_markov(void *arg, int from, int to)
{
	struct shell *sh = arg;

	if (sh->w.con && console_debug_wanted(sh->w.con, WF_DEBUG_MARKOV))
		console_debug(sh->w.con, WF_DEBUG_MARKOV, "Node %d \"%s\" -> %d \"%s\"", from,
			      wf_markov_name(sh->w.m, from), to, wf_markov_name(sh->w.m, to));
}

static void on_shutdown(void *ctx)
{
	struct shell *sh = (struct shell *)((char *)ctx - offsetof(struct shell, w));

	sh->rc = 0;
	loop_stop(sh->l);
}

static void on_stdin_eof(void *ctx)
{
	log_info("EOF on the stdin console, exiting (--daemon runs without it)");
	on_shutdown(ctx);
}

static void on_signal(struct loop *l, int signo, void *arg)
{
	struct shell *sh = arg;

	(void)signo;
	sh->signalled = true;
	loop_stop(l);
}

static uint64_t random_seed(void)
{
	uint64_t s = 0;

	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) != (ssize_t)sizeof(s))
		s = loop_now_ns() ^ ((uint64_t)getpid() << 32);
	return s;
}

struct pending {
	enum wf_feature f;
	const char *val;
	char opt;	/* the short option letter, for messages */
};

int main(int argc, char **argv)
{
	static struct shell shell;
	struct shell *sh = &shell;
	struct pending pend[64];
	size_t npend = 0, i;
	const char *rcfile = NULL, *mgmt = NULL, *pidfile = NULL, *plugs = NULL;
	const char *blink_path = NULL, *blink_id = NULL;
	const char *vnl[2] = { NULL, NULL };
	mode_t mgmtmode = 0700;
	gid_t mgmtgroup = (gid_t)-1;
	bool nofifo = false, daemon_mode = false, have_seed = false, stdin_console = false;
	uint64_t seed = 0;
	unsigned int rtprio = 0;
	struct console_config cc;
	int c, d;
	char *plugbuf = NULL;

	log_init("wirefilter");
	sh->blink_fd = -1;
	sh->side[0].in_fd = sh->side[0].out_fd = -1;
	sh->side[1].in_fd = sh->side[1].out_fd = -1;
	/* long options with one dash too (-delay 10, -mgmt S), as VDE 2 */
	while ((c = getopt_long_only(argc, argv, short_opts, long_opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			tool_usage(&help, EXIT_SUCCESS);
		case 'V':
			tool_version("wirefilter");
		case 'f':
			rcfile = optarg;
			break;
		case 'l': case 'L': case 'd': case 'D': case 'b': case 's': case 'c': case 'n':
		case 'm': {
			static const char opts[] = "lLdDbscnm";
			static const enum wf_feature feats[] = {
				WF_LOSS, WF_LOSTBURST, WF_DELAY, WF_DUP, WF_BAND, WF_SPEED,
				WF_CHANBUF, WF_NOISE, WF_MTU,
			};
			const char *p = strchr(opts, c);

			if (npend >= sizeof(pend) / sizeof(pend[0]))
				die("too many options");
			pend[npend].f = feats[p - opts];
			pend[npend].val = optarg;
			pend[npend].opt = (char)c;
			npend++;
			break;
		}
		case 'N':
			nofifo = true;
			break;
		case 'M':
			mgmt = optarg;
			break;
		case OPT_MGMTMODE:
			if (parse_mode(optarg, &mgmtmode))
				die("mgmtmode %s: invalid", optarg);
			break;
		case OPT_MGMTGROUP:
			mgmtgroup = parse_group_arg("mgmtgroup", optarg);
			break;
		case 'v':
			plugs = optarg;
			break;
		case OPT_DAEMON:
			daemon_mode = true;
			break;
		case OPT_PIDFILE:
			pidfile = optarg;
			break;
		case OPT_BLINK:
			blink_path = optarg;
			break;
		case OPT_BLINKID:
			blink_id = optarg;
			break;
		case OPT_SEED:
			seed = (uint64_t)parse_num_arg("seed", optarg, 0, INT64_MAX);
			have_seed = true;
			break;
		case OPT_RTPRIO:
			rtprio = (unsigned int)parse_num_arg("rtprio", optarg, 1, 99);
			break;
		default:
			tool_usage(&help, EXIT_FAILURE);
		}
	}
	if (plugs) {
		char *colon;

		if (optind != argc)
			die("-v and positional VNLs are exclusive");
		plugbuf = strdup(plugs);
		if (!plugbuf)
			die("out of memory");
		colon = strchr(plugbuf, ':');
		if (!colon || colon == plugbuf || !colon[1])
			die("-v %s: expected VNL1:VNL2", plugs);
		*colon = '\0';
		vnl[0] = plugbuf;
		vnl[1] = colon + 1;
	} else if (argc - optind == 2) {
		vnl[0] = argv[optind];
		vnl[1] = argv[optind + 1];
	} else if (argc != optind) {
		tool_misuse(&help, "expected no VNL or two VNLs");
	}
	if (blink_id && !blink_path)
		die("--blinkid needs --blink");
	if (!have_seed)
		seed = random_seed();

	tool_pidfile_check(pidfile);	/* before anything is created, not after -d */
	sh->l = loop_new();
	if (!sh->l)
		die_perror("loop_new");
	sh->w.m = wf_model_new(seed, loop_now_ns());
	if (!sh->w.m)
		die("out of memory");
	sh->w.seed = seed;
	sh->w.now = clock_now;
	sh->w.changed = on_changed;
	sh->w.arg = sh;
	wf_model_set_fifo(sh->w.m, !nofifo);
	wf_model_set_node_cb(sh->w.m, on_markov, sh);
	for (i = 0; i < npend; i++)
		if (wf_apply(&sh->w, pend[i].f, pend[i].val)) {
			struct wf_parsed p;

			/* which of the two: the syntax, or the impairment's range */
			die("-%c %s: invalid value (%s; see wirefilter(1))", pend[i].opt, pend[i].val,
			    wf_parse_value(pend[i].val, &p)
				    ? "expected [LR|RL]value[+spread][K|M|G][U|N][[node]]"
				    : "out of the range of this impairment, or no such node");
		}

	/* the two ends */
	if (vnl[0]) {
		for (d = 0; d < 2; d++) {
			if (!strcmp(vnl[d], "-"))
				side_stream(&sh->side[d], STDIN_FILENO, STDOUT_FILENO,
					    "stdin/stdout");
			else
				side_vnl(&sh->side[d], vnl[d]);
		}
		if (sh->side[0].kind == SIDE_STREAM && sh->side[1].kind == SIDE_STREAM)
			die("only one end can be stdin/stdout");
		sh->w.ndirs = 2;
		stdin_console = sh->side[0].kind == SIDE_VNL && sh->side[1].kind == SIDE_VNL &&
				!daemon_mode;
	} else {
		int ain = tool_env_fd("ALTERNATE_STDIN"), aout = tool_env_fd("ALTERNATE_STDOUT");

		if ((ain < 0) != (aout < 0))
			die("ALTERNATE_STDIN and ALTERNATE_STDOUT must be both set or both unset");
		side_stream(&sh->side[0], STDIN_FILENO, ain >= 0 ? STDOUT_FILENO : -1, "left");
		side_stream(&sh->side[1], ain, ain >= 0 ? aout : STDOUT_FILENO, "right");
		sh->w.ndirs = ain >= 0 ? 2 : 1;
	}
	for (d = 0; d < 2; d++)		/* side 0 feeds L->R, side 1 R->L */
		sh->w.stream_in[d] = sh->side[d].kind == SIDE_STREAM ? sh->side[d].rx : NULL;
	if (daemon_mode && (sh->side[0].kind == SIDE_STREAM || sh->side[1].kind == SIDE_STREAM))
		die("--daemon needs two VNLs: stdin/stdout are the data path here (detach the "
		    "whole chain with dpipe -d instead)");
	if (blink_path)
		blink_open(sh, blink_path, blink_id);
	sh->w.blink_path = blink_path;
	sh->w.blink_id = blink_path ? sh->blink_id : NULL;

	/* console */
	memset(&cc, 0, sizeof(cc));
	cc.banner = WF_BANNER;
	cc.prompt = WF_PROMPT;
	cc.shutdown_help = "shut the channel down";
	cc.ctx = &sh->w;
	cc.on_shutdown = on_shutdown;
	cc.on_stdin_eof = on_stdin_eof;
	cc.load_framed = true;		/* VDE 2 wirefilter's load echo */
	cc.stdio_prompt_out = true;	/* and its stdin console's prompt */
	sh->w.con = console_new(sh->l, &cc);
	if (!sh->w.con || wf_commands_register(&sh->w, sh->w.con) < 0)
		die_perror("console");
	if (rcfile) {
		int r = console_load_file(sh->w.con, rcfile, NULL);

		if (r)
			die("rcfile %s: %s", rcfile, strerror(r));
	}
	if (mgmt && console_listen(sh->w.con, mgmt, mgmtmode, mgmtgroup) < 0)
		die("mgmt socket %s: %s", mgmt, console_listen_strerror(errno));

	/* event sources */
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	for (d = 0; d < WF_NDIRS; d++) {
		struct side *in = &sh->side[d == WF_LR ? 0 : 1];

		dirargs[d].sh = sh;
		dirargs[d].dir = (enum wf_dir)d;
		if (in->in_fd < 0)
			continue;
		if (loop_add_fd(sh->l, in->in_fd, EPOLLIN,
				in->kind == SIDE_VNL ? on_vnl_in : on_stream_in, &dirargs[d]) < 0) {
			if (errno == EPERM)	/* epoll refuses regular files and /dev/null */
				die("%s: the input is a file, not a pipe or socket: run wirefilter in a "
				    "dpipe chain, or give two VNLs (see --help)", in->name);
			die_perror("%s: cannot poll input", in->name);
		}
		in->in_on = true;
		if (in->kind == SIDE_VNL && vde_ctlfd(in->conn) >= 0 &&
		    loop_add_fd(sh->l, vde_ctlfd(in->conn), EPOLLIN, on_vnl_ctl, in) < 0)
			die_perror("%s: cannot poll control", in->name);
	}
	for (d = 0; d < 2; d++) {
		struct side *s = &sh->side[d];
		int fl;

		s->sh = sh;
		if (s->kind != SIDE_STREAM || s->out_fd < 0)
			continue;
		/* non-blocking and polled when possible (pipes, sockets), so a
		 * stalled peer never blocks the console, signals or the other way */
		fl = fcntl(s->out_fd, F_GETFL);
		if (fl >= 0 && loop_add_fd(sh->l, s->out_fd, 0, on_out_ready, s) == 0) {
			s->out_flags = fl;
			if (fcntl(s->out_fd, F_SETFL, fl | O_NONBLOCK) == 0)
				s->out_poll = true;
			else
				loop_del_fd(sh->l, s->out_fd);
		}
	}
	sh->timer = loop_add_timer(sh->l, 3600ULL * 1000000000ULL, on_timer, sh);
	if (sh->timer < 0)
		die("out of memory");
	sh->armed_at = UINT64_MAX;

	tool_daemonize(daemon_mode);
	/* in the process that serves (its children: the normal policy) */
	if (tool_rtprio(rtprio) < 0)
		exit(EXIT_FAILURE);
	/* after daemonize(): a signalfd polled by epoll only wakes up for the
	 * process that registered it */
	if (tool_add_stop_signals(sh->l, on_signal, sh) < 0)
		die_perror("signals");
	tool_pidfile_write(pidfile);
	{
		char what[600];

		snprintf(what, sizeof(what), "%s <-> %s%s%s", sh->side[0].name ? sh->side[0].name : "-",
			 sh->side[1].name ? sh->side[1].name : "-", mgmt ? ", console " : "",
			 mgmt ? mgmt : "");
		daemon_ready(what);
	}
	if (stdin_console && console_attach_stdio(sh->w.con, STDIN_FILENO, STDOUT_FILENO) < 0)
		die_perror("stdin console");
	log_info("%sdirectional filter starting (seed %" PRIu64 ")",
		 sh->w.ndirs == 2 ? "bi" : "mono", seed);
	schedule(sh, loop_now_ns());

	if (loop_run(sh->l) < 0)
		sh->rc = 1;
	daemon_stopping(sh->rc ? "error" : sh->signalled ? "terminated by signal" : "ended");
	flush_all(sh);
	for (d = 0; d < 2; d++) {
		struct side *s = &sh->side[d];

		if (s->out_poll) {
			/* a last bounded flush, then the flags the fd came with */
			side_final_flush(sh, s);
			fcntl(s->out_fd, F_SETFL, s->out_flags);
		}
	}
	console_free(sh->w.con);
	for (d = 0; d < 2; d++) {
		if (sh->side[d].conn)
			vde_close(sh->side[d].conn);
		free(sh->side[d].rx);
		free(sh->side[d].tx);
	}
	if (sh->blink_fd >= 0)
		close(sh->blink_fd);
	wf_model_free(sh->w.m);
	loop_free(sh->l);
	free(plugbuf);
	if (pidfile)
		pidfile_remove();
	return sh->rc;
}
