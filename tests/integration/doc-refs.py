#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""doc-refs.py TOP [DOC...] - the tree's references to its documents, and the
documents' references to the tree, hold.

1. Source comments cite the project's documents as  docs/<name>.md, "Section"
   (several sections may follow, each quoted; a citation may continue on the
   next comment line). Each cited section must be a heading of that document,
   and no file may cite the specifications that used to live outside the
   repository (vde2-compat.md, cable-protocol.md: docs/ replaces them). A
   citation of a docs/ file that does not exist is printed as a note.

2. The documents (README.md, HACKING.md, docs/*.md, bench/README.md and the
   man pages; or the DOC files given) name only things that exist:
   - a relative path whose first part is a file or folder at the top of the
     tree (`switch/fdb.c`, `tests/lib/env.sh`, `lib/common/shmring.[ch]`)
     exists (glob characters allowed; a path with a placeholder part in
     capitals, such as tests/unit/test_NAME.c, is not checked);
   - a bare source file name (`forward.c`, `t-vdecmd.sh`, `gen-lib-seeds.py`)
     is the name of a file of the tree;
   - a unit test or fuzz harness named without its extension (`test_vnl`,
     `fuzz_vnl`) has its source in tests/unit/ or tests/fuzz/;
   - a function written `name()` is a word of the tree's C, shell or Python
     sources (libc's functions are used there too);
   - a constant or environment variable in capitals with an underscore
     (`VDEPLUG_FASTPATH`, `EP_BATCH`) is a word of those sources;
   - a console command `group/name` of a group the tree registers (`port/`,
     `vlan/`...) is registered by the tree (a C string "group/name");
   - `make TARGET` names a target of Makefile.am or a local.am, or one that
     automake provides.
   Names that belong to other projects (VDE 2's functions, a kernel header)
   are listed in FOREIGN below; files that moved, in MOVED (the dated
   history of bench/README.md may name them).

Prints one line per broken reference and exits 1 if there is any.
"""
import glob
import os
import re
import sys

EXTS = (".c", ".h", ".am", ".sh", ".py", ".md", ".ac")
SRC_EXTS = (".c", ".h", ".sh", ".py", ".am", ".ac", ".in")
SKIP_DIRS = {".git", "build", "build-san", "autom4te.cache"}
# a section title follows the name after a comma or a blank: a quote right
# behind the name closes a string ("$top_srcdir/docs/x.md")
CITE = re.compile(r'docs/([A-Za-z0-9_-]+\.md)((?:(?:[,;]\s*|\s+)"[^"]+")*)')
TITLE = re.compile(r'"([^"]+)"')
SELF = os.path.join("tests", "integration", "doc-refs.py")
# documents that once lived outside the repository: never cite them
GONE = re.compile(r"\b(vde2-compat|cable-protocol)\.md\b")

# Names the documents may use that are not the tree's: other projects'
# functions, files and constants (what they are is said where they appear).
FOREIGN = {
    "new_port_v1_v3()",         # VDE 2's request parser (docs/capture.md)
    "virtio_net.h",             # the kernel's header
    "sched_setattr()",          # a Linux system call libc does not wrap
    "io_uring_enter()",         # another (an experiment: docs/fastpath.md 9)
}
# Prefixes of other projects' constants: the kernel's virtio feature bits and
# interface flags, capabilities.
FOREIGN_PREFIXES = ("VIRTIO_", "GUEST_", "HOST_", "CAP_", "IFF_")
# Files that moved, which the dated history of bench/README.md still names
# (its introduction gives the new names).
MOVED = {"plug2tap/vnet.c": "lib/common/vnet.c", "switch/tap.c": "switch/ep_tap.c"}
HISTORY = {"bench/README.md"}
# Targets automake (or the GNU build) provides in every tree.
AUTOMAKE_TARGETS = {
    "all", "check", "install", "uninstall", "clean", "distclean", "dist",
    "distcheck", "installcheck", "maintainer-clean", "install-strip",
    "recheck", "tags", "ctags",
}
# A placeholder part of a name: NAME, FILE, PPP.F, DIR...
PLACEHOLDER = re.compile(r"[A-Z]{2,}")


def walk(top):
    for dirpath, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.startswith(("build", "_build", "."))]
        for name in files:
            yield os.path.join(dirpath, name)


def headings(path):
    with open(path, encoding="utf-8") as f:
        return {m.group(1).strip() for m in re.finditer(r"^#+\s+(.*)$", f.read(), re.M)}


def check_citations(top):
    bad = 0
    cache = {}
    for path in walk(top):
        if not path.endswith(EXTS):
            continue
        rel = os.path.relpath(path, top)
        if rel == SELF:
            continue        # names them to forbid them
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        for m in GONE.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            print("%s:%d: cites %s, which is not in the repository" % (rel, line, m.group(0)))
            bad += 1
        # a citation may go on over the next comment line
        flat = re.sub(r"\n\s*(?:\*|#|//)?\s*", " ", text)
        for m in CITE.finditer(flat):
            doc = os.path.join(top, "docs", m.group(1))
            if doc not in cache:
                cache[doc] = headings(doc) if os.path.exists(doc) else None
            if cache[doc] is None:
                print("note: %s: cites docs/%s, which does not exist" % (rel, m.group(1)))
                continue
            for t in TITLE.findall(m.group(2)):
                if t not in cache[doc]:
                    print('%s: cites docs/%s "%s": no such section' % (rel, m.group(1), t))
                    bad += 1
    return bad


class Tree:
    """What the documents may name: files, words of the sources, commands,
    make targets."""

    def __init__(self, top):
        self.top = top
        self.tops = {e for e in os.listdir(top) if not e.startswith(".") or e == ".ci"}
        self.tops -= {e for e in self.tops if e.startswith(("build", "_build", "autom4te"))}
        self.basenames = set()
        self.words = set()
        self.commands = set()
        self.targets = set(AUTOMAKE_TARGETS)
        self.built = set()      # what the Makefile fragments build or name
        for path in walk(top):
            name = os.path.basename(path)
            self.basenames.add(name)
            if os.path.relpath(path, top) == SELF:
                continue        # its own examples prove nothing
            if not (name.endswith(SRC_EXTS) or name in ("quickstart", "run")):
                continue
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
            self.words.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
            if name.endswith(".c"):
                self.commands.update(re.findall(r'\{\s*"([a-z0-9_]+/[a-z0-9_/-]+)"', text))
            if name.endswith(".am") or name == "Makefile.am":
                self.built.update(re.findall(r"[A-Za-z0-9_][A-Za-z0-9_./-]*", text))
                self.targets.update(re.findall(r"^([a-z][a-z0-9-]*)\s*:(?!=)", text, re.M))
        self.groups = {c.split("/")[0] for c in self.commands}

    def path_exists(self, p):
        return p.rstrip("/") in self.built or bool(glob.glob(os.path.join(self.top, p)))


def doc_text(path):
    """The text of a document; a man page loses its font escapes."""
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    if re.search(r"\.[1-8]$", path):
        text = re.sub(r"\\f(?:[BIRP]|\[[A-Z]*\])", "", text)
        text = text.replace("\\-", "-").replace("\\&", "").replace("\\e", "\\")
        # comments, but for the example markers (examples.py), whose
        # reasons name tests
        text = re.sub(r'^\.\\"(?! example-).*$', "", text, flags=re.M)
        text = re.sub(r"^\.TH.*$", "", text, flags=re.M)      # the title
    return text


PATH_RE = re.compile(r"(?<![\w/.~$:@-])((?:[A-Za-z0-9_.\[\]*-]+/)+[A-Za-z0-9_.\[\]*-]*)")
FILE_RE = re.compile(r"(?<![\w/.~$*<-])([A-Za-z0-9_-][A-Za-z0-9_.-]*\.(?:c|h|sh|py|am|ac))\b")
UNIT_RE = re.compile(r"(?<![\w/.-])((?:test|fuzz)_[a-z0-9_]+)\b(?![./(-])")
FUNC_RE = re.compile(r"(?<![\w.>-])([A-Za-z_][A-Za-z0-9_]*)\(\)")
CONST_RE = re.compile(r"`([A-Z][A-Z0-9]*_[A-Z0-9_]+)")
CMD_RE = re.compile(r"(?<![\w/.~$-])([a-z0-9_]+/[a-z0-9_]+)\b(?![/.])")
MAKE_RE = re.compile(r"(?:^[ \t]*(?:\$ )?|`|&& |; )make((?:\s+(?:-C\s+\S+|-j\d*|-[a-z]+|[A-Z_]+=(?:'[^']*'|\S+)))*)((?:[ \t]+[a-z][a-z0-9-]*)+)(?=[ \t]*(?:$|`|&&|;|#|\)))", re.M)


def check_doc(tree, path):
    rel = os.path.relpath(path, tree.top)
    text = doc_text(path)
    with open(path, encoding="utf-8", errors="replace") as f:
        made = set(re.findall(r"example-file:\s*(\S+)", f.read()))
    bad = []

    def report(pos, what):
        line = text.count("\n", 0, pos) + 1
        bad.append("%s:%d: %s" % (rel, line, what))

    man = bool(re.search(r"\.[1-8]$", path))
    for m in PATH_RE.finditer(text):
        p = m.group(1).rstrip(".,:;")
        first = p.split("/")[0]
        if first not in tree.tops or first in ("build", "build-san"):
            continue
        if tree.path_exists(p) or p in FOREIGN or (rel in HISTORY and p in MOVED):
            continue
        if PLACEHOLDER.search(p.replace("README", "").replace("HACKING", "")):
            continue
        report(m.start(), "names %s, which is not in the tree" % p)
    for m in FILE_RE.finditer(text):
        f = m.group(1)
        if f in tree.basenames or f in FOREIGN or f in made or PLACEHOLDER.search(f):
            continue
        report(m.start(), "names the file %s, which is not in the tree" % f)
    for m in UNIT_RE.finditer(text):
        t = m.group(1)
        d = "unit" if t.startswith("test_") else "fuzz"
        if PLACEHOLDER.search(t) or t.endswith("_"):
            continue
        if not os.path.exists(os.path.join(tree.top, "tests", d, t + ".c")):
            report(m.start(), "names %s, which is not tests/%s/%s.c" % (t, d, t))
    for m in FUNC_RE.finditer(text):
        fn = m.group(1)
        if fn in tree.words or fn + "()" in FOREIGN or PLACEHOLDER.fullmatch(fn):
            continue
        report(m.start(), "names the function %s(), which the sources do not have" % fn)
    consts = CONST_RE.finditer(text) if not man else \
        re.finditer(r"\b([A-Z][A-Z0-9]*_[A-Z0-9_]+)\b", text)
    for m in consts:
        c = m.group(1)
        if c in tree.words or c in FOREIGN or c.startswith(FOREIGN_PREFIXES):
            continue
        report(m.start(), "names %s, which the sources do not have" % c)
    for m in CMD_RE.finditer(text):
        c = m.group(1)
        group = c.split("/")[0]
        if group not in tree.groups or group in tree.tops or c in tree.commands:
            continue
        report(m.start(), "names the console command %s, which no table registers" % c)
    if not man:
        for m in MAKE_RE.finditer(text):
            for t in m.group(2).split():
                if t not in tree.targets:
                    report(m.start(), "runs make %s, a target no Makefile fragment defines" % t)
    return bad


def main():
    top = sys.argv[1]
    bad = check_citations(top)
    tree = Tree(top)
    docs = sys.argv[2:]
    if not docs:
        docs = [os.path.join(top, d) for d in ("README.md", "HACKING.md", "bench/README.md")
                if os.path.exists(os.path.join(top, d))]
        docs += sorted(glob.glob(os.path.join(top, "docs", "*.md")))
        docs += sorted(glob.glob(os.path.join(top, "man", "*.[1-8]")))
    for d in docs:
        for line in check_doc(tree, d):
            print(line)
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
