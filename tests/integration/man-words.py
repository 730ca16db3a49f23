#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""man-words.py PAGE... - find words that the rendering glues together.

A macro such as .BI or .BR joins its arguments without spaces: `.BI a b c d`
prints "abcd". Written by mistake (`.BR vde:// DIR, or a bare DIR`), it
shows the reader "orabareDIR". This renders each page with groff (no
hyphenation, very long lines), takes every word of letters it shows, and
compares with the words of the source with the markup removed (macro names,
font and character escapes): a rendered word the source does not have was
made by gluing. Prints PAGE: word (and the source line that made it) for each
one; exits 1 if there is any.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from examples import roff_args, roff_text  # noqa: E402

WORD = re.compile(r"[A-Za-z]+")


def source_lines(path):
    """(line number, text the reader should see) for each input line."""
    out = []
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    pending = None
    for no, raw in enumerate(lines, 1):
        if raw.startswith('.\\"') or raw.startswith("'\\\"") or raw.strip() in (".", ""):
            continue
        if raw[:1] in ".'":
            m = re.match(r"^[.']\s*(\S+)\s*(.*)$", raw)
            if not m:
                continue
            text = " ".join(roff_args(m.group(2)))
        else:
            text = raw
        text = re.sub(r"\\\*(\(..|\[[^]]*\]|.)", "", text)   # strings
        text = re.sub(r"\\[sS][-+]?\d", "", text)             # size changes
        glue = text.endswith("\\c")
        text = roff_text(text.replace("\\%", ""))
        if pending is not None:
            no0, prev = pending
            text = prev + text
            no = no0
        if glue:
            pending = (no, text)
            continue
        pending = None
        out.append((no, text))
    return out


def rendered(path):
    p = subprocess.run(["groff", "-man", "-Tutf8", "-rLL=400n", "-P-cbou", path],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True)
    text = p.stdout.decode("utf-8", "replace")
    # a word cut by hyphenation at the end of a line is one word
    return re.sub("[\u2010-]\n\\s*", "", text)


def main():
    bad = 0
    for path in sys.argv[1:]:
        src = source_lines(path)
        words = set()
        for _, t in src:
            words.update(WORD.findall(t))
        seen = set()
        for w in WORD.findall(rendered(path)):
            if w in words or w in seen:
                continue
            seen.add(w)
            # show the source line whose words, put together, make w
            where = next((no for no, t in src
                          if w in "".join(WORD.findall(t))), None)
            print("%s: \"%s\" is not a word of the source (glued%s)"
                  % (os.path.basename(path), w,
                     ", line %d" % where if where else ""))
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
