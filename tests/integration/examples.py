#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""examples.py - extract the examples of README.md and of the man pages'
EXAMPLES sections, and run them (used by t-examples.sh).

  examples.py list FILE...     print every example line and what happens to it
  examples.py run FILE         run FILE's examples; must already be inside the
                               private namespaces t-examples.sh creates (net,
                               mount, pid): it mounts a fresh /tmp and /run

What is an example
  README.md: every code block (indented by 4 spaces, or fenced with ```).
  A man page: every .nf/.fi or .EX/.EE block of its EXAMPLES section (a
  `.B "text"` line inside such a block is its text).
  Each line is a shell command; a line ending in a backslash continues.
  `NAME$ cmd` is cmd typed at the prompt NAME$:
    `$ cmd`                   a shell on this host: run
    `vde$ cmd`, `VDEwf$ cmd`  typed on the console of the program the previous
                              line left running in the foreground: run
    any other `NAME$ cmd`     a shell on another host NAME: not run, reported
  In a block with prompts, the lines without one are output: not run.

Markers, in the file itself, before a block (README: an HTML comment
`<!-- example-X: ... -->`; man page: a roff comment `.\\" example-X: ...`):
  example-skip: TEXT -- WHY    lines of the next block that contain TEXT are
                               not run (TEXT `*`: the whole block); reported
                               with WHY
  example-file: NAME           the next block is the content of file NAME
                               (written in the working directory), not commands
  example-setup: CMD           a shell command run before the file's first
                               example (what the reader is assumed to have)

How a line runs: `bash -c LINE` in its own process group, in $HOME (a fresh
directory), each line with a time bound. A line that starts a program that
stays in the foreground (a switch, a cable, a plug, a capture...) gets a
terminal as stdin/stdout, like a reader's; it passes if it is still running
once ready (its -M sockets and switch directories exist) or if it exits 0,
and it keeps running, as in a reader's other terminal, until the end of the
file's session (so later examples may use it). Any other line must exit 0
within the bound. Daemons (-d) live until the end of the file's session too,
when the pid namespace ends and takes them all.
"""
import ctypes
import os
import pty
import re
import shlex
import signal
import subprocess
import sys
import threading
import time

LINE_BOUND = float(os.environ.get("EXAMPLE_BOUND", "30"))  # s per command
READY_BOUND = 15.0      # s for a foreground program's sockets to appear
SETTLE = 1.5            # s a foreground program must survive to count as up
CONSOLE_PROMPTS = {"vde", "VDEwf"}

# programs that stay in the foreground unless given their daemon option
FOREGROUND = {
    "vde_switch": ("-d", "--daemon"), "dpipe": ("-d", "--daemon"),
    "vde_plug": ("-d", "--daemon"), "wirefilter": ("--daemon",),
    "vde_cryptcab": ("-d", "--daemon"), "slirpvde": ("-d", "--daemon"),
    "vde_plug2tap": ("-d", "--daemon"), "tcpdump": (), "cat": (),
    "socat": (), "vdecapture": ("-c",),
}

MARK_RE = re.compile(r"example-(skip|file|setup):\s*(.*?)\s*$")


class Line:
    def __init__(self, src, lineno, text, kind, why=""):
        self.src, self.lineno, self.text = src, lineno, text
        self.kind, self.why = kind, why   # run, console, host, output, skip, file

    def where(self):
        return "%s:%d" % (os.path.basename(self.src), self.lineno)


class Block:
    def __init__(self, src, lineno, lines, marks):
        self.src, self.lineno, self.raw, self.marks = src, lineno, lines, marks
        self.filename = None
        self.lines = []


# --- extraction -----------------------------------------------------------

def roff_text(s):
    """The text a roff input line shows, without fonts and escapes."""
    out = []
    i = 0
    while i < len(s):
        c = s[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        n = s[i + 1] if i + 1 < len(s) else ""
        if n == "f":
            if s[i + 2:i + 3] == "(":
                i += 5
            elif s[i + 2:i + 3] == "[":
                i = s.index("]", i) + 1
            else:
                i += 3
            continue
        if n == "(":
            name = s[i + 2:i + 4]
            out.append({"aq": "'", "dq": '"', "em": "--", "en": "-",
                        "lq": '"', "rq": '"', "ti": "~", "ha": "^",
                        "rs": "\\", "ga": "`", "ul": "_"}.get(name, ""))
            i += 4
            continue
        out.append({"-": "-", "e": "\\", "\\": "\\", " ": " ", "~": " ",
                    "&": "", ".": ".", "'": "'", "`": "`", "|": "",
                    "^": "", "c": ""}.get(n, n))
        i += 2
    return "".join(out)


def roff_args(s):
    """Arguments of a macro line: quoted strings or words."""
    args = []
    i = 0
    while i < len(s):
        if s[i] in " \t":
            i += 1
            continue
        if s[i] == '"':
            j = i + 1
            buf = []
            while j < len(s):
                if s[j] == '"':
                    if s[j + 1:j + 2] == '"':
                        buf.append('"')
                        j += 2
                        continue
                    break
                buf.append(s[j])
                j += 1
            args.append("".join(buf))
            i = j + 1
        else:
            j = i
            while j < len(s) and s[j] not in " \t":
                j += 1
            args.append(s[i:j])
            i = j
    return args


def man_blocks(path):
    blocks = []
    marks = []
    in_ex = False
    cur = None
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for no, raw in enumerate(lines, 1):
        m = re.match(r'^\.\s*SH\s+"?([^"]*)"?', raw)
        if m:
            in_ex = m.group(1).strip() == "EXAMPLES"
            continue
        if not in_ex:
            continue
        if raw.startswith('.\\"') or raw.startswith("'\\\""):
            mm = MARK_RE.search(raw)
            if mm:
                marks.append((mm.group(1), mm.group(2), no))
            continue
        if re.match(r"^\.(nf|EX)\b", raw):
            cur = Block(path, no + 1, [], marks)
            marks = []
            continue
        if re.match(r"^\.(fi|EE)\b", raw):
            if cur is not None and cur.raw:
                blocks.append(cur)
            cur = None
            continue
        if cur is None:
            continue
        if raw.startswith("."):
            m = re.match(r"^\.(B|I|R)\s+(.*)$", raw)
            if m:
                cur.raw.append((no, roff_text(" ".join(roff_args(m.group(2))))))
            continue     # .RS, .RE, .PP ... are layout
        cur.raw.append((no, roff_text(raw)))
    # markers left after the last block: setup lines for the file
    return blocks, marks


def md_blocks(path):
    blocks = []
    marks = []
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    prev_blank = True
    while i < len(lines):
        raw = lines[i]
        mm = re.match(r"^\s*<!--\s*(.*?)\s*-->\s*$", raw)
        if mm:
            m2 = MARK_RE.search(mm.group(1))
            if m2:
                marks.append((m2.group(1), m2.group(2), i + 1))
            i += 1
            continue
        if raw.startswith("```"):
            j = i + 1
            body = []
            while j < len(lines) and not lines[j].startswith("```"):
                body.append((j + 1, lines[j]))
                j += 1
            blocks.append(Block(path, i + 2, body, marks))
            marks = []
            i = j + 1
            prev_blank = True
            continue
        if prev_blank and raw.startswith("    ") and raw.strip():
            body = []
            j = i
            while j < len(lines) and (lines[j].startswith("    ") or not lines[j].strip()):
                body.append((j + 1, lines[j][4:]))
                j += 1
            while body and not body[-1][1].strip():
                body.pop()
            blocks.append(Block(path, i + 1, body, marks))
            marks = []
            i = j
            prev_blank = False
            continue
        prev_blank = not raw.strip()
        i += 1
    return blocks, marks


def classify(block):
    skips = []
    for kind, arg, no in block.marks:
        if kind == "skip":
            text, _, why = arg.partition(" -- ")
            if not why.strip():
                sys.exit("%s:%d: example-skip needs ' -- WHY'" % (block.src, no))
            skips.append((text.strip(), why.strip()))
        elif kind == "file":
            block.filename = arg
    if block.filename:
        return
    # join continuation lines
    joined = []
    for no, text in block.raw:
        if joined and joined[-1][1].endswith("\\"):
            joined[-1] = (joined[-1][0], joined[-1][1][:-1].rstrip() + " " + text.strip())
        else:
            joined.append((no, text))
    prompt_re = re.compile(r"^([A-Za-z0-9_.-]*)\$\s+(.*)$", re.S)
    has_prompts = any((m := prompt_re.match(t.strip())) and m.group(1) not in CONSOLE_PROMPTS
                      for _, t in joined)
    for no, text in joined:
        s = text.strip()
        if not s or s.startswith("#"):
            continue
        m = prompt_re.match(s)
        if m:
            name, cmd = m.group(1), m.group(2)
            if name == "":
                kind, s = "run", cmd
            elif name in CONSOLE_PROMPTS:
                kind, s = "console", cmd
            else:
                block.lines.append(Line(block.src, no, s, "host",
                                        "runs on another host, %s" % name))
                continue
        elif has_prompts:
            block.lines.append(Line(block.src, no, s, "output"))
            continue
        else:
            kind = "run"
        why = next((w for t, w in skips if t == "*" or t in s), None)
        if why is not None:
            block.lines.append(Line(block.src, no, s, "skip", why))
        else:
            block.lines.append(Line(block.src, no, s, kind))


def extract(path):
    if path.endswith(".md"):
        blocks, tail = md_blocks(path)
    else:
        blocks, tail = man_blocks(path)
    setup = []
    for b in blocks:
        for kind, arg, _ in b.marks:
            if kind == "setup":
                setup.append(arg)
        classify(b)
    setup += [arg for kind, arg, _ in tail if kind == "setup"]
    return blocks, setup


# --- running ----------------------------------------------------------------

def segments(cmd):
    """The simple commands of a shell line, as word lists (roughly)."""
    try:
        lex = shlex.shlex(cmd, posix=True, punctuation_chars=";&|()")
        lex.whitespace_split = True
        words = list(lex)
    except ValueError:
        return []
    segs, cur = [], []
    for w in words:
        if w and all(c in ";&|()" for c in w):
            if cur:
                segs.append(cur)
            cur = []
        else:
            cur.append(w)
    if cur:
        segs.append(cur)
    return segs


DPIPE_SEP = {"=", "={", "=}", "{=", "}="}


def commands(seg):
    """A simple command cut where dpipe (or vde_plug VNL = cmd) joins
    several: [(tool, its own arguments)]."""
    out, cur = [], []
    for w in seg + ["="]:
        if w in DPIPE_SEP:
            while cur and "=" in cur[0] and not cur[0].startswith("="):
                cur = cur[1:]       # VAR=value before the command
            if cur:
                out.append(cur)
            cur = []
        else:
            cur.append(w)
    return out


def foreground(cmd):
    """Does cmd start a program that stays in the foreground? And the
    paths that show it is ready (-M sockets, switch directories)."""
    fg = False
    ready = []
    for seg in segments(cmd):
        cmds = commands(seg)
        if not cmds:
            continue
        first = cmds[0]
        tool = os.path.basename(first[0])
        if tool == "dpipe":     # its options come before the first command
            opts = []
            for a in first[1:]:
                if not a.startswith("-"):
                    break
                opts.append(a)
            cmds = [[tool] + opts]
        else:
            cmds = [first]      # what follows " = " runs under it
        if tool in FOREGROUND and not any(a in FOREGROUND[tool] for a in cmds[0][1:]):
            fg = True
        for k, a in enumerate(seg[:-1]):
            if a in ("-M", "--mgmt"):
                ready.append(seg[k + 1])
            if tool == "vde_switch" and a in ("-s", "--sock") and seg[k + 1] != "-":
                ready.append(os.path.join(seg[k + 1], "ctl"))
    return fg, ready


class Fg:
    """A program left running in the foreground, on a terminal."""

    def __init__(self, line, env):
        self.line = line
        master, slave = pty.openpty()
        self.master = master
        self.out = bytearray()
        self.lock = threading.Lock()
        self.proc = subprocess.Popen(["bash", "-c", line.text], stdin=slave,
                                     stdout=slave, stderr=slave, env=env,
                                     cwd=env["HOME"], start_new_session=True)
        os.close(slave)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        while True:
            try:
                data = os.read(self.master, 4096)
            except OSError:
                return
            if not data:
                return
            with self.lock:
                self.out += data

    def text(self):
        with self.lock:
            return self.out.decode("utf-8", "replace")

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(3)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        try:
            os.close(self.master)
        except OSError:
            pass


class Session:
    def __init__(self, env, known):
        self.env = env
        self.known = known      # [(pattern, why)]
        self.fgs = []
        self.results = []       # (status, line, detail)

    def known_failure(self, line):
        return next((w for p, w in self.known if p in line.text), None)

    def record(self, line, ok, detail):
        why = self.known_failure(line)
        if ok:
            status = "XPASS" if why else "ok"
            if why:
                detail = "listed as a known failure (%s) but passes" % why
        else:
            status = "XFAIL" if why else "FAIL"
            if why:
                detail = "known failure: %s; %s" % (why, detail)
        self.results.append((status, line, detail))
        print("%-5s %s: %s%s" % (status, line.where(), line.text.replace("\n", " "),
                                 (" -- " + detail) if detail else ""), flush=True)

    def run_plain(self, line):
        try:
            p = subprocess.run(["bash", "-c", line.text], stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               env=self.env, cwd=self.env["HOME"],
                               start_new_session=True, timeout=LINE_BOUND)
        except subprocess.TimeoutExpired:
            self.record(line, False, "still running after %gs" % LINE_BOUND)
            return
        out = p.stdout.decode("utf-8", "replace").strip()
        tail = "\n        ".join(out.splitlines()[-6:])
        if p.returncode != 0:
            self.record(line, False, "exit %d\n        %s" % (p.returncode, tail))
        else:
            self.record(line, True, "")

    def run_fg(self, line, ready):
        fg = Fg(line, self.env)
        start = time.monotonic()
        missing = ready
        while True:
            rc = fg.proc.poll()
            missing = [p for p in ready if not os.path.exists(p)]
            el = time.monotonic() - start
            if rc is not None and (rc != 0 or not missing):
                break
            if rc is None and not missing and el >= SETTLE:
                break
            if el > READY_BOUND:
                break
            time.sleep(0.05)
        rc = fg.proc.poll()
        tail = "\n        ".join(fg.text().strip().splitlines()[-6:])
        if rc is not None and rc != 0:
            self.record(line, False, "exit %d\n        %s" % (rc, tail))
        elif missing:
            self.record(line, False, "%s never appeared\n        %s" % (" ".join(missing), tail))
        else:
            self.record(line, True, "" if rc is None else "exited 0")
        self.fgs.append(fg)

    def run_console(self, line):
        fg = next((f for f in reversed(self.fgs) if f.proc.poll() is None), None)
        if fg is None:
            self.record(line, False, "no program in the foreground to type into")
            return
        # the prompt must be there before we type, as a reader waits for it
        end = time.monotonic() + 10
        while not fg.text().rstrip(" ").endswith("$") and time.monotonic() < end:
            time.sleep(0.05)
        before = fg.text()
        prompt = before.rstrip(" ").endswith("$")
        n0 = len(before)
        os.write(fg.master, (line.text + "\n").encode())
        end = time.monotonic() + LINE_BOUND
        status = None
        while time.monotonic() < end:
            m = re.search(r"^(1\d\d\d) ", fg.text()[n0:], re.M)
            if m:
                status = m.group(1)
                break
            time.sleep(0.05)
        reply = fg.text()[n0:].strip()
        if not prompt:
            self.record(line, False, "no prompt before the command (the terminal showed %s);"
                        " after it:\n        %s" % (repr(before[-40:]) if before else "nothing",
                                                    "\n        ".join(reply.splitlines()[-6:])))
        elif status == "1000":
            self.record(line, True, "")
        else:
            self.record(line, False, "answer %s\n        %s" % (status or "none",
                        "\n        ".join(reply.splitlines()[-6:])))

    def run_block(self, block):
        if block.filename:
            with open(os.path.join(self.env["HOME"], block.filename), "w") as f:
                f.write("\n".join(t for _, t in block.raw) + "\n")
            print("file  %s:%d: %s written" % (os.path.basename(block.src),
                                               block.lineno, block.filename), flush=True)
            return
        for line in block.lines:
            if line.kind in ("host", "skip"):
                print("NOTRUN %s: %s -- %s" % (line.where(), line.text.replace("\n", " "),
                                               line.why), flush=True)
                self.results.append(("NOTRUN", line, line.why))
            elif line.kind == "console":
                self.run_console(line)
            elif line.kind == "run":
                t = line.text.rstrip()
                if t.endswith("&") and not t.endswith("&&"):
                    # `cmd &`: the shell would return at once and the test
                    # would never see cmd run; run it as a program left
                    # running instead (it must start and keep running)
                    line = Line(line.src, line.lineno, t[:-1].rstrip(), line.kind, line.why)
                    _, ready = foreground(line.text)
                    self.run_fg(line, ready)
                    continue
                fg, ready = foreground(line.text)
                if fg:
                    self.run_fg(line, ready)
                else:
                    self.run_plain(line)

    def end(self):
        # a program left running that died since with an error failed too,
        # only later than we looked (a slow machine)
        for fg in self.fgs:
            rc = fg.proc.poll()
            if rc is not None and rc != 0:
                tail = "\n        ".join(fg.text().strip().splitlines()[-6:])
                self.record(fg.line, False, "exited %d later, before the end of the session\n"
                            "        %s" % (rc, tail))
            fg.stop()
        self.fgs = []


def fastpath_off_check(sess):
    """With VDEPLUG_FASTPATH=0 (make check-nofastpath), while the session's
    programs still run: no switch directory under /tmp or /run offers rings
    (a .fastpath socket); prints how many switch directories were seen, which
    t-examples.sh adds up."""
    if os.environ.get("VDEPLUG_FASTPATH") != "0":
        return
    seen = 0
    for top in ("/tmp", "/run"):
        for d, _, files in os.walk(top):
            if "ctl" in files:
                seen += 1
            if ".fastpath" in files:
                sess.results.append(("FAIL", None, d))
                print("FAIL %s/.fastpath: a switch offers rings with VDEPLUG_FASTPATH=0" % d,
                      flush=True)
    bad = sum(1 for r in sess.results if r[0] == "FAIL" and r[1] is None)
    print("fastpath-off: %d switch directories, %d with .fastpath" % (seen, bad), flush=True)


def private_world(fixtures):
    """Fresh /tmp and /run; the fixture users/groups over /etc (we are in a
    private mount namespace: nothing outside sees this). The other fixture
    files (pkgconfig/) are copied to /run/examples (the new /run hides the
    test's directory)."""
    for name in ("passwd", "group"):
        src = os.path.join(fixtures, name)
        if os.path.exists(src):
            subprocess.run(["mount", "--bind", src, "/etc/" + name], check=True)
    files = {}
    for dirpath, _, names in os.walk(fixtures):
        for n in names:
            full = os.path.join(dirpath, n)
            with open(full, "rb") as f:
                files[os.path.relpath(full, fixtures)] = f.read()
    # The build and source trees stay visible when they live under /tmp or
    # /run (a clone in /tmp): hold them by fd, then bind them back over
    # the fresh directories at the same paths.
    keep = []
    for var in ("top_builddir", "top_srcdir"):
        d = os.path.realpath(os.environ.get(var, "") or ".")
        if any(d == r or d.startswith(r + "/") for r in ("/tmp", "/run")) and \
                d not in [k for k, _ in keep]:
            keep.append((d, os.open(d, os.O_PATH | os.O_DIRECTORY)))
    subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=1777", "examples-tmp", "/tmp"], check=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=755", "examples-run", "/run"], check=True)
    libc = ctypes.CDLL(None, use_errno=True)
    for d, fd in sorted(keep):
        os.makedirs(d, exist_ok=True)
        if libc.mount(("/proc/self/fd/%d" % fd).encode(), d.encode(), None,
                      0x1000 | 0x4000, None) != 0:      # MS_BIND | MS_REC
            e = ctypes.get_errno()
            sys.exit("examples: cannot keep %s visible: %s" % (d, os.strerror(e)))
        os.close(fd)
    for rel, data in files.items():
        dst = os.path.join("/run/examples", rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        with open(dst, "wb") as f:
            f.write(data)
    home = "/tmp/home"
    os.makedirs(home)
    return home


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("list", "run"):
        sys.exit("usage: examples.py list FILE... | run FILE")
    if sys.argv[1] == "list":
        for path in sys.argv[2:]:
            blocks, setup = extract(path)
            for s in setup:
                print("setup %s: %s" % (os.path.basename(path), s))
            for b in blocks:
                if b.filename:
                    print("file  %s:%d: %s" % (os.path.basename(path), b.lineno, b.filename))
                for l in b.lines:
                    print("%-7s %s: %s%s" % (l.kind, l.where(), l.text.replace("\n", " "),
                                             (" -- " + l.why) if l.why else ""))
        return 0
    path = os.path.abspath(sys.argv[2])
    known = []
    for spec in os.environ.get("EXAMPLES_KNOWN", "").split("\n"):
        parts = spec.split("|")
        if len(parts) == 3 and os.path.basename(path) == parts[0]:
            known.append((parts[1], parts[2]))
    blocks, setup = extract(path)
    if os.getpid() != 1:
        sys.exit("examples.py run: must be the first process of a new pid namespace")
    home = private_world(os.environ["EXAMPLES_FIXTURES"])
    env = dict(os.environ)
    env["HOME"] = home
    env["TMPDIR"] = "/tmp"
    env["PKG_CONFIG_PATH"] = "/run/examples/pkgconfig"
    sess = Session(env, known)
    for s in setup:
        p = subprocess.run(["bash", "-c", s], env=env, cwd=home, timeout=LINE_BOUND,
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        print("setup %s: %s%s" % (os.path.basename(path), s,
                                  "" if p.returncode == 0 else " -- FAILED exit %d: %s"
                                  % (p.returncode, p.stdout.decode(errors="replace"))), flush=True)
        if p.returncode != 0:
            return 1
    for b in blocks:
        sess.run_block(b)
    fastpath_off_check(sess)
    sess.end()
    bad = [r for r in sess.results if r[0] in ("FAIL", "XPASS")]
    n = {k: sum(1 for r in sess.results if r[0] == k)
         for k in ("ok", "FAIL", "XFAIL", "XPASS", "NOTRUN")}
    print("summary %s: %d ran ok, %d failed, %d known failures, %d unexpected passes, %d not run"
          % (os.path.basename(path), n["ok"], n["FAIL"], n["XFAIL"], n["XPASS"], n["NOTRUN"]),
          flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
