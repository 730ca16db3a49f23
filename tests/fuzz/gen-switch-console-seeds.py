#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/fuzz/gen-switch-console-seeds.py - write the seeds of fuzz_switch_console
#
# Usage: gen-switch-console-seeds.py [VDE_SWITCH]   (default: build/switch/vde_switch)
#
# The command list is the `help` of a running switch with its three built-in
# plugins loaded (so a new command without arguments here still gets a seed);
# each command gets one seed: byte 0 (options: bits 0-1 ports 1/3/8/32, bit 2
# hub, bit 3 FSTP, bit 4 plugins loaded, bit 5 clients attached), a few lines that make ports and
# VLANs, then the command with valid arguments, edge cases (0, the last
# port, one beyond, 4094/4095/4096, -1, 2^31, "4x", 0x10, empty, too many
# words) and its -j form.
import os
import subprocess
import sys
import tempfile

top = os.path.dirname(os.path.abspath(__file__))
outdir = os.path.join(top, "corpus", "switch_console")
root = os.path.dirname(os.path.dirname(top))
binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "build", "switch", "vde_switch")

SETUP = ["port/create 1", "port/create 3", "vlan/create 10", "vlan/create 4093",
         "vlan/addport 10 3", "port/setvlan 1 10"]
NUMS = ["0", "1", "-1", "4x", "0x10", "2147483648", "99999999999", ""]
# arguments by command path; the default comes from the syntax column
ARGS = {
    "hash/setsize": ["1", "3", "1048576", "1048577"] + NUMS,
    "hash/setgcint": ["1", "86400", "86401"] + NUMS,
    "hash/setexpire": ["0", "31536000", "31536001"] + NUMS,
    "hash/setminper": ["0", "5", "31536001"] + NUMS,
    "hash/find": ["00:11:22:33:44:55", "00:11:22:33:44:55 10", "ff:ff:ff:ff:ff:ff 4095",
                  "zz", "00:11:22:33:44:55 1 2", ""],
    "fstp/setfstp": ["1", "0", "2"] + NUMS,
    "fstp/setedge": ["10 3 1", "0 1 0", "10 3 2", "4094 1 1", "10 4 1", "10 3", ""],
    "fstp/bonus": ["10 3 100", "0 1 4294967295", "0 1 4294967296", "10 99 1", ""],
    "fstp/print": ["", "0", "10", "4094", "4095", "x"],
    "port/setnumports": ["1", "2", "4096", "4097", "0"] + NUMS,
    "port/sethub": ["1", "0", "2"] + NUMS,
    "port/setvlan": ["1 10", "1 0", "1 4095", "3 4093", "2 10", "1 4096", "99 0", "1", ""],
    "port/create": ["2", "0", "3", "32", "33", "4096"] + NUMS,
    "port/remove": ["1", "3", "0", "2", "33"] + NUMS,
    "port/allocatable": ["1 1", "1 0", "2 1", "1 2", "1", ""],
    "port/setuser": ["1 root", "1 0", "1 NONE", "1 ANY", "1 nosuchuser", "2 root", ""],
    "port/setgroup": ["1 root", "1 0", "1 NONE", "1 nosuchgroup", "2 root", ""],
    "port/epclose": ["1 0", "1 1073741824", "1 1073741825", "99 1", "1", ""],
    "port/resetcounter": ["", "1", "0", "99", "1 2"],
    "port/print": ["", "1", "0", "99", "1 2"],
    "port/allprint": ["", "1", "0", "99", "x"],
    "port/stats": ["", "1", "0", "4096", "4097", "x"],
    "port/settrunk": ["3 1", "3 0", "2 1", "3 2", "99 1", ""],
    "port/setmirror": ["1", "1 3", "1 vlan=10", "1 vlan=4095", "1 1", "0", "3 vlan=",
                       "99", "1 2", ""],
    "port/delmirror": ["1", "3", "0", "4097", ""],
    "vlan/create": ["20", "0", "1", "4093", "4094", "4095", "4096", "10"] + NUMS,
    "vlan/remove": ["10", "20", "0", "4093", "4095", ""],
    "vlan/addport": ["10 1", "4093 3", "10 2", "11 1", "4095 1", "10", ""],
    "vlan/delport": ["10 3", "10 1", "0 1", "11 1", "10", ""],
    "vlan/print": ["", "0", "10", "4093", "4094", "4095", "x"],
    "vlan/allprint": ["", "0", "1", "10", "4095", "x"],
    "help": ["", "port", "vlan/", "zzz"],
    "load": ["rc", "self", "nosuch", "../../etc/passwd", ""],
    "debug/list": ["", "port", "fstp/"],
    "debug/add": ["port/+", "fstp/status", "nosuch", ""],
    "debug/del": ["port/+", "nosuch", ""],
    "plugin/list": ["", "dump", "x"],
    "plugin/add": ["dump", "pdump", "iplog", "libdump.so", "/usr/lib/vde2/x.so", ""],
    "plugin/del": ["dump", "iplog", "p", "x", ""],
    "vhost/add": ["vh0", "vh0 3", "vh1 0", "vh1 65536", "a/b", "", "a b c"],
    "vhost/del": ["vh0", "nosuch", ""],
    "vhost/print": ["", "x"],
    "dump/active": ["1", "0", "", "x", "2147483648"],
    "pdump/active": ["1", "0", "", "2"],
    "pdump/filename": ["out.cap", "", "/etc/x", "."],
    "pdump/buffered": ["1", "0", "2"],
    "iplog/logfile": ["ip.log", "", "/dev/null", "."],
    "iplog/ipadd": ["10.0.0.0/8", "192.168.1.1/32", "fe80::/10", "::/0", "1.2.3.4/33",
                    "x/1", ""],
    "iplog/ipdel": ["10.0.0.0/8", "fe80::/10", "9.9.9.9/8", ""],
    "iplog/setgcint": ["1", "0", "86400"] + NUMS,
    "iplog/setexpire": ["1", "0", "86400"] + NUMS,
    "iplog/ipport": ["1", "0", "99", ""],
    "iplog/ipuser": ["root", "0", "nosuch", ""],
    "iplog/ipsearch": ["10.0.0.1", "fe80::1", "x", ""],
}
# commands that end the input or have no arguments to vary
PLAIN = {"logout", "shutdown"}


def help_paths():
    with tempfile.TemporaryDirectory() as d:
        cmds = "plugin/add dump\nplugin/add pdump\nplugin/add iplog\nhelp\n"
        out = subprocess.run([binary, "-s", os.path.join(d, "ctl")], input=cmds.encode(),
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             timeout=20, check=True).stdout.decode()
    body = out.split("------------  ------------\n", 1)[1].split("\n.\n", 1)[0]
    return [w[0] for w in (line.split() for line in body.split("\n"))
            if len(w) >= 2 and w[1] != "============"]


def main():
    paths = help_paths()
    if len(paths) < 60:
        sys.exit("help listed only %d commands" % len(paths))
    os.makedirs(outdir, exist_ok=True)
    for old in os.listdir(outdir):
        if old.startswith("cmd-"):
            os.unlink(os.path.join(outdir, old))
    for i, path in enumerate(paths):
        opt = 0x10 | (i % 4)		# plugins loaded, every port count
        if i % 2:
            opt |= 0x20			# and clients on ports 1 and 3
        if path.startswith("fstp/"):
            opt |= 0x08
        args = ARGS.get(path, [""])
        lines = list(SETUP)
        if path not in PLAIN:
            lines += [(path + " " + a).rstrip() for a in args]
            lines.append("-j " + path)
            lines.append(path + " a b c d e")
        lines += ["port/allprint", "vlan/allprint"]
        if path in PLAIN:
            lines.append(path)
        name = "cmd-" + path.replace("/", "-")
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(bytes([opt]) + ("\n".join(lines) + "\n").encode())
    # the options byte alone: hub and FSTP, one port, a line without "\n"
    extra = {
        "opt-hub-fstp": bytes([0x0c]) + b"fstp/setfstp 1\nport/sethub 0\nfstp/setfstp 1\n"
                        b"fstp/print\nport/setnumports 1\nfstp/showinfo",
        "opt-numports": bytes([0x00]) + b"port/create 1\nport/setnumports 40\n"
                        b"port/create 40\nport/setnumports 8\nport/remove 40\n"
                        b"port/setnumports 8\nport/showinfo\n",
        "clients-fstp": bytes([0x2a]) + b"vlan/create 10\nvlan/addport 10 1\nport/setvlan 3 10\n"
                        b"fstp/print\nvlan/print\nport/epclose 1 11\nport/print\n"
                        b"fstp/setedge 10 3 1\nfstp/bonus 0 1 5\nport/setnumports 2\n"
                        b"port/sethub 1\nvlan/allprint\n-j fstp/print\n",
        "crlf-comments": bytes([0x01]) + b"# comment\r\n\r\n   port/showinfo\r\n\t-j vlan/print\n",
    }
    for name, data in extra.items():
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)
    print("%d seeds in %s" % (len(paths) + len(extra), outdir))


if __name__ == "__main__":
    main()
