#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/switch-json.py - checks of vde_switch's JSON forms for
# t-switch-json.sh: each one is parsed with python's json module and its
# documented fields compared with the known topology.
#   switch-json.py topo VDECMD MGMT SWPID      (the topology of the test)
#   switch-json.py rate VDECMD MGMT PORT DONE  (a paced sender on PORT)
import json, os, pwd, subprocess, sys, time


def j(cmd, *args, rc=0):
    p = subprocess.run([VDECMD, "-j", MGMT, cmd, *args], capture_output=True, timeout=20)
    if p.returncode != rc:
        sys.exit("vdecmd -j %s %s: exit %d, expected %d: %s" %
                 (cmd, " ".join(args), p.returncode, rc, p.stderr.decode()))
    if rc:
        return None
    try:
        return json.loads(p.stdout)
    except ValueError as e:
        sys.exit("-j %s: not JSON (%s): %r" % (cmd, e, p.stdout[:300]))


def check(cond, what):
    if not cond:
        sys.exit("FAIL: " + what)


def topo(swpid):
    d = j("showinfo")
    check(d["pid"] == swpid and d["numports"] == 8 and d["hub"] is False and
          d["fstp"] is False and d["mgmt"] == MGMT and d["mgmt_mode"] == 0o600 and
          d["version"] == "2.3.2" and isinstance(d["uptime"], int), "showinfo %r" % d)
    check(len(d["mac"]) == 17 and d["mac"].count(":") == 5, "showinfo mac")

    d = j("port/print")
    ports = {p["port"]: p for p in d["ports"]}
    check(sorted(ports) == [1, 2, 3], "port/print ports %r" % sorted(ports))
    p1, p2, p3 = ports[1], ports[2], ports[3]
    check(p1["in_pkts"] == 5 and p1["in_bytes"] == 500 and p1["out_pkts"] == 3 and
          p1["out_bytes"] == 192, "port 1 counters %r" % p1)
    check(p2["in_pkts"] == 3 and p2["out_pkts"] == 5 and p2["out_bytes"] == 500, "port 2 %r" % p2)
    check(p3["in_pkts"] == 0 and p3["out_pkts"] == 5, "port 3 %r" % p3)
    check(all(p["active"] is True and p["untagged_vlan"] == 0 for p in ports.values()), "active")
    check(p2["endpoints"][0]["descr"] == "bee" and p2["endpoints"][0]["kind"] == "unix prog" and
          isinstance(p2["endpoints"][0]["id"], int), "port 2 endpoint %r" % p2["endpoints"])
    check(p3["acl_user"] == pwd.getpwuid(os.getuid()).pw_name and p1["acl_user"] is None and p1["acl_group"] is None,
          "ACL user")
    check(j("port/print", "2")["ports"][0]["port"] == 2, "port/print 2")
    j("port/print", "5", rc=6)      # exists, inactive: ENXIO
    j("port/print", "x", rc=22)

    d = j("port/allprint")
    check(sorted(p["port"] for p in d["ports"]) == [1, 2, 3, 5], "port/allprint %r" % d)
    p5 = [p for p in d["ports"] if p["port"] == 5][0]
    check(p5["active"] is False and p5["allocatable"] is False and p5["endpoints"] == [],
          "port 5 %r" % p5)

    d = j("port/stats")
    sw = d["switch"]
    check(sw["frames"] == 8 and sw["flooded"] == 5 and sw["unicast"] == 3, "switch %r" % sw)
    check(set(sw["drops"]) >= {"runt", "oversize", "vlan", "loop", "noport", "qfull",
                               "senderr", "fdbfull", "ctlrefused", "empty"} and
          all(v == 0 for v in sw["drops"].values()), "switch drops %r" % sw["drops"])
    ports = {p["port"]: p for p in d["ports"]}
    check(sorted(ports) == [1, 2, 3, 5], "port/stats ports")
    check(ports[1]["in_pkts"] == 5 and ports[2]["out_bytes"] == 500 and
          ports[1]["queued"] == 0 and ports[1]["drops"]["runt"] == 0, "port/stats 1 %r" % ports[1])
    for p in ports.values():
        for w in ("rate_1s", "rate_10s"):
            r = p[w]
            check(r is None or set(r) == {"in_pkts", "in_bytes", "out_pkts", "out_bytes", "drops"},
                  "rate fields %r" % r)
    d = j("port/stats", "2")
    check("switch" not in d and [p["port"] for p in d["ports"]] == [2], "port/stats 2")
    j("port/stats", "99", rc=6)

    d = j("hash/print")
    ent = {(e["mac"], e["vlan"], e["port"]) for e in d["entries"]}
    check(ent == {("02:00:00:00:00:01", 0, 1), ("02:00:00:00:00:02", 0, 2)}, "hash %r" % ent)
    check(all(isinstance(e["bucket"], int) and e["age"] >= 0 for e in d["entries"]), "hash fields")

    d = j("vlan/print")
    v = {x["vlan"]: x for x in d["vlans"]}
    check(sorted(v) == [0, 10], "vlans %r" % sorted(v))
    check([(p["port"], p["tagged"], p["active"]) for p in v[10]["ports"]] == [(3, True, True)],
          "vlan 10 %r" % v[10])
    check([p["port"] for p in v[0]["ports"]] == [1, 2, 3] and
          all(p["tagged"] is False and p["status"] == "Forwarding" for p in v[0]["ports"]),
          "vlan 0 %r" % v[0])
    d = j("vlan/allprint", "0", rc=22)
    d = j("vlan/allprint", "10")
    check([x["vlan"] for x in d["vlans"]] == [10], "vlan/allprint 10")
    j("vlan/print", "11", rc=6)

    d = j("fstp/print")
    check(d["enabled"] is False and [x["vlan"] for x in d["vlans"]] == [0, 10], "fstp %r" % d)
    f10 = d["vlans"][1]
    check(f10["root_switch"] is True and f10["rootport"] == 0 and f10["designated"] is None and
          [(p["port"], p["tagged"], p["role"]) for p in f10["ports"]] == [(3, True, "Designated")],
          "fstp vlan 10 %r" % f10)

    d = j("debug/list")
    c = {x["category"]: x for x in d["categories"]}
    check(c["port/+"]["tag"] == 0o21 and c["port/+"]["on"] is False, "debug/list %r" % c.get("port/+"))
    # a prefix that matches no category: 1002, as the text form (vdecmd exit 2)
    j("debug/list", "nosuchcategory", rc=2)

    d = j("port/capture")
    check(d == {"captures": []}, "port/capture %r" % d)


def rate(port, done):
    def snap():
        d = j("port/stats", str(port))["ports"][0]
        return time.monotonic(), d
    # steady sending: measure the true rate over 3 s from the counters
    t0, a = snap()
    time.sleep(3)
    t1, b = snap()
    measured = (b["in_pkts"] - a["in_pkts"]) / (t1 - t0)
    drops = (b["drops"]["runt"] - a["drops"]["runt"]) / (t1 - t0)
    r1, r10 = b["rate_1s"], b["rate_10s"]
    check(r1 is not None and r10 is not None, "no rates")
    check(20 <= measured <= 110, "the sender's rate %.1f is not near 100/s" % measured)
    for name, r in (("1s", r1), ("10s", r10)):
        check(abs(r["in_pkts"] - measured) <= 0.35 * measured + 5,
              "rate_%s in_pkts %.1f vs measured %.1f" % (name, r["in_pkts"], measured))
        check(abs(r["in_bytes"] - 100 * r["in_pkts"]) <= 1e-6 * r["in_bytes"] + 1,
              "rate_%s in_bytes %.1f != 100 * in_pkts" % (name, r["in_bytes"]))
        check(abs(r["drops"] - drops) <= 0.35 * drops + 5,
              "rate_%s drops %.1f vs %.1f runts/s" % (name, r["drops"], drops))
    print("rates: measured %.1f pkt/s, %.1f runts/s; switch 1s %.1f/%.1f, 10s %.1f/%.1f" %
          (measured, drops, r1["in_pkts"], r1["drops"], r10["in_pkts"], r10["drops"]))
    # after the sender stops, the 1 s rate falls to 0 within two ticks
    end = time.monotonic() + 20
    while not os.path.exists(done):
        check(time.monotonic() < end, "sender did not finish")
        time.sleep(0.05)
    end = time.monotonic() + 5
    while j("port/stats", str(port))["ports"][0]["rate_1s"]["in_pkts"] != 0:
        check(time.monotonic() < end, "rate_1s not back to 0 after the sender stopped")
        time.sleep(0.1)


VDECMD, MGMT = sys.argv[2], sys.argv[3]
if sys.argv[1] == "topo":
    topo(int(sys.argv[4]))
else:
    rate(int(sys.argv[4]), sys.argv[5])
