#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/fuzz/gen-dpipe-seeds.py - seeds for fuzz_dpipe_chain: dpipe command
# lines as NUL-separated words. Run from the top source directory.
import os

SEEDS = {
    'two': 'a = b',
    'three': 'a = b = c',
    'four': 'a -x = b = c = d -y',
    'fwd-ring': 'a =} f }= b',
    'back-ring': 'a ={ g {= b',
    'fwd-two': 'a =} f1 = f2 }= b',
    'back-two': 'a ={ g1 = g2 {= b',
    'mixed-man': 'a =} b }={ c {= d = e',
    'mixed-rev': 'a ={ c {=} b }= d',
    'args-eq': 'a x=1 == = b =x',
    'err-empty': '',
    'err-one': 'a',
    'err-first': '= a',
    'err-last': 'a =',
    'err-double': 'a = = b',
    'err-unclosed': 'a =} b',
    'err-close': 'a }= b',
    'err-mismatch': 'a =} b {= c',
    'err-nested': 'a =} b =} c }= d',
    'err-empty-group': 'a =} }= b',
    'long-chain': ' = '.join('s%d' % i for i in range(20)),
}

d = os.path.join('tests', 'fuzz', 'corpus', 'dpipe_chain')
os.makedirs(d, exist_ok=True)
for name, line in SEEDS.items():
    with open(os.path.join(d, name), 'wb') as f:
        f.write(b'\0'.join(w.encode() for w in line.split()))
