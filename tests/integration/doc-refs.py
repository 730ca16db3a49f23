#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""doc-refs.py TOP - every reference from the tree to docs/ holds.

Source comments cite the project's documents as  docs/<name>.md, "Section"
(several sections may follow, each quoted; a citation may continue on the
next comment line). This checks that each cited section is a heading of
that document, and that no file cites the specifications that used to live
outside the repository (vde2-compat.md, cable-protocol.md: docs/ replaces
them). Prints one line per broken reference and exits 1 if there is any; a
citation of a docs/ file that does not exist is printed as a note.
"""
import os
import re
import sys

EXTS = (".c", ".h", ".am", ".sh", ".py", ".md", ".ac")
SKIP_DIRS = {".git", "build", "build-san", "autom4te.cache"}
CITE = re.compile(r'docs/([A-Za-z0-9_-]+\.md)((?:[,;]?\s*"[^"]+")*)')
TITLE = re.compile(r'"([^"]+)"')
# documents that once lived outside the repository: never cite them
GONE = re.compile(r"\b(vde2-compat|cable-protocol)\.md\b")


def headings(path):
    with open(path, encoding="utf-8") as f:
        return {m.group(1).strip() for m in re.finditer(r"^#+\s+(.*)$", f.read(), re.M)}


def main():
    top = sys.argv[1]
    bad = 0
    cache = {}
    for dirpath, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.startswith(("build", "_build", "."))]
        for name in files:
            if not name.endswith(EXTS):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, top)
            if os.path.abspath(path) == os.path.abspath(__file__):
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
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
