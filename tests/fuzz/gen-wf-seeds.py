#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/fuzz/gen-wf-seeds.py - (re)generate the seed corpora of fuzz_wf_value
# and fuzz_wf_cmd (tests/fuzz/corpus/wf_value/, tests/fuzz/corpus/wf_cmd/)
# from the inputs testing.md lists for "wirefilter config".
import os, hashlib

top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")

values = [
    "", "]", "[", "[]", "10[-1]", "10[99999]", "LR", "RL10+", "1e308", "-5", "nan", "inf",
    "10K+5N", "10X", "150", "100", "0", "1e20", "20+5N", "LR50+10N", "RL2.5", "128+64KU",
    "1M", "1G", "5[1]", "LR5+1KN[3]", ".5", "5.", "1e3", "1e-3", "0x10", "+5", "10+-5",
    " 10 \n", "10\t", "10 5", "x,y", "9234", "9235", "99", "314.5728", "1e308K",
    "0.0000001", "99999999999999999999", "LR1e308+1e308N", "RL0+0U[0]", "1[1000000]",
    "1[1000001]", "5UN", "5NK", "\x00", "10\x0020",
]

cmds = [
    "showinfo\nshowinfo 0\nshowinfo 1\nshowinfo -1\n",
    "loss 150\nloss 10\nlostburst 5\nloss 100\nloss LR50+10N\n",
    "dup 100\ndup 99\ndup 50\n",
    "bandwidth 0\nband 1000\ncapacity 5000\nchanbufsize -1\nspeed 1M\nspeed 0\n",
    "mtu 0\nmtu 1000\nmtu 9234\nmtu 9235\nmtu LR60\n",
    "delay 1e20\ndelay 10+5N\ndelay RL0.001\nfifo 0\nfifo 1\nfifo 2\nnoise 1000\n",
    "markov-numnodes 0\nmarkov-numnodes -1\nmarkov-numnodes 1025\nmarkov-numnodes 3\n"
    "setedge 0,1,30\nsetedge 1,2\nsetedge x,y\nsetedge 0,0,5\nsetedge 0,2,80\n"
    "loss 100[1]\nloss 5[3]\nmarkov-setnode 1\nmarkov-setnode 5\nmarkov-name 1,bad\n"
    "markov-name 9,x\nmarkov-name 1,\"q\"\nmarkov-time 0\nmarkov-time 0.5\nshowedges\n"
    "showedges 2\nshowcurrent\nmarkov-debug 1\nmarkov-debug 0\nmarkov-numnodes 1\n",
    "help\nhelp mark\nshowinfoXYZ\nlossy 5\nlog\n#comment\n\n   \n",
    "debug/list\ndebug/add markov/node\ndebug/del markov/node\nlogout\n",
    "delay " + "9" * 200 + "\nloss " + "1" * 127 + "\n" + "x" * 5000 + "\n",
    "speed 1\nmtu 61\nbandwidth 1+1\nnoise 8388608\ndup 99+1\n",
    "loss\r\ndelay 10\r\n",
]

def write(name, items):
    d = os.path.join(top, name)
    os.makedirs(d, exist_ok=True)
    for item in items:
        b = item.encode("latin-1")
        h = hashlib.sha1(b).hexdigest()[:16]
        with open(os.path.join(d, h), "wb") as f:
            f.write(b)

write("wf_value", values)
write("wf_cmd", cmds)
