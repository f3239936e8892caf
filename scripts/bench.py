#!/usr/bin/python3
"""The apply benchmark: ovn-egressctl beside ovn-nbctl, the python IDL and raw floors.

Driven by scripts/bench.sh, which builds the release binaries and generates the manifests.
Every writer gets its own ovsdb-server, started from a copy of a template database; every
result is verified by reading the rows back; each scenario is run `trials` times, interleaved
across tools, and the median is reported with client peak RSS (from /usr/bin/time).

  bench.py run SIZE WORKDIR CTL [JSON]  the whole benchmark, a Markdown table on stdout (and JSON)
  bench.py raw-cold DB REQUEST          send one pre-built transact and wait for its reply
  bench.py raw-sync DB DESIRED [delta]  select + diff against DESIRED (+ the delta transaction)
  bench.py nbctl-sync DB DESIRED        ovn-nbctl find + the same diff, no write
  bench.py raw-one-pod DB [TRIALS]      one pod's change, raw, on a database holding a cold apply
  bench.py idl-cold DB DESIRED          python IDL: every row in one transaction
  bench.py zones SIZE WORKDIR CTL       10 zones (one node each) applied concurrently beside each alone
"""
import json, os, shutil, socket, statistics, subprocess, sys, time

SCHEMA = "schemas/ovn-nb.ovsschema"
SET_NAME = "a13607449821398607916"
NOREROUTE = ("(ip4.src == $a4548040316634674295 || ip4.src == $a13607449821398607916) "
             "&& ip4.dst == $a14918748166599097711")
SET_IDS = {"k8s.ovn.org/owner-controller": "default-network-controller", "k8s.ovn.org/owner-type": "EgressService",
           "k8s.ovn.org/name": "egresssvc-served-pods", "ip-family": "v4",
           "k8s.ovn.org/id": "default-network-controller:EgressService:egresssvc-served-pods:v4"}


# ---------------------------------------------------------------- raw JSON-RPC over a socket

def rpc(db, method, params):
    path = db[len("unix:"):]
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    s.sendall(json.dumps({"id": 0, "method": method, "params": params}).encode())
    chunks = []
    decoder = json.JSONDecoder()
    while True:
        chunk = s.recv(1 << 20)
        if not chunk:
            raise SystemExit("server closed")
        chunks.append(chunk)
        # A message can only end where a chunk ends with "}": decoding only then keeps the
        # reading linear (decoding at every chunk would be quadratic in the reply's size).
        if not chunk.rstrip().endswith(b"}"):
            continue
        try:
            msg, _ = decoder.raw_decode(b"".join(chunks).decode())
        except ValueError:
            continue
        if msg.get("id") == 0:
            s.close()
            return msg
        chunks = []  # an echo or notification: drop it


def transact(db, ops):
    reply = rpc(db, "transact", ["OVN_Northbound"] + ops)
    for r in reply["result"]:
        if r and "error" in r:
            raise SystemExit("transaction failed: %r" % r)
    return reply["result"]


def live(db):
    """The owned policies {(match, nexthop, owner): uuid}, the router, the set and the 102s."""
    res = transact(db, [
        {"op": "select", "table": "Logical_Router_Policy", "where": [["priority", "==", 101]],
         "columns": ["_uuid", "match", "nexthops", "external_ids"]},
        {"op": "select", "table": "Logical_Router", "where": [["name", "==", "ovn_cluster_router"]], "columns": ["_uuid", "policies"]},
        {"op": "select", "table": "Address_Set", "where": [["name", "==", SET_NAME]], "columns": ["_uuid", "addresses"]},
        {"op": "select", "table": "Logical_Router_Policy", "where": [["priority", "==", 102]], "columns": ["match"]},
    ])
    def members(d):
        return set(d[1]) if isinstance(d, list) and d[0] == "set" else {d}
    policies = {}
    for row in res[0]["rows"]:
        ids = dict(row["external_ids"][1])
        hops = members(row["nexthops"])
        key = (row["match"], ",".join(sorted(h for h in hops if not isinstance(h, list))), ids.get("EgressSVC"))
        policies.setdefault(key, []).append(row["_uuid"][1])
    router = res[1]["rows"][0]
    refs = {u[1] for u in (router["policies"][1] if router["policies"][0] == "set" else [router["policies"]])}
    sets = res[2]["rows"]
    return {"policies": policies, "router": router["_uuid"][1], "refs": refs,
            "set": (sets[0]["_uuid"][1], {a for a in members(sets[0]["addresses"])}) if sets else None,
            "noreroute": [r["match"] for r in res[3]["rows"]]}


def load_desired(path):
    with open(path) as f:
        d = json.load(f)
    return {(p[0], p[1], p[2]) for p in d["policies"]}, set(d["addresses"])


def diff(state, desired):
    rows, addresses = desired
    have = state["policies"]
    add = [k for k in rows if k not in have]
    remove = [u for k, us in have.items() if k not in rows for u in us]
    remove += [u for k, us in have.items() if k in rows for u in us[1:]]
    cur = state["set"][1] if state["set"] else set()
    return add, remove, sorted(addresses - cur), sorted(cur - addresses)


def delta_ops(state, add, remove, set_add, set_remove, create_set=False):
    ops = []
    for i, (match, hop, owner) in enumerate(add):
        ops.append({"op": "insert", "table": "Logical_Router_Policy", "uuid-name": "p%d" % i,
                    "row": {"priority": 101, "match": match, "action": "reroute", "nexthops": hop,
                            "external_ids": ["map", [["EgressSVC", owner]]]}})
    for u in remove:
        ops.append({"op": "delete", "table": "Logical_Router_Policy", "where": [["_uuid", "==", ["uuid", u]]]})
    mutations = []
    if add:
        mutations.append(["policies", "insert", ["set", [["named-uuid", "p%d" % i] for i in range(len(add))]]])
    if remove:
        mutations.append(["policies", "delete", ["set", [["uuid", u] for u in remove]]])
    if mutations:
        ops.append({"op": "mutate", "table": "Logical_Router", "where": [["_uuid", "==", ["uuid", state["router"]]]], "mutations": mutations})
    if create_set:
        ops.append({"op": "insert", "table": "Address_Set", "row": {"name": SET_NAME, "addresses": ["set", set_add],
                                                                  "external_ids": ["map", sorted(SET_IDS.items())]}})
    elif set_add or set_remove:
        m = []
        if set_add: m.append(["addresses", "insert", ["set", set_add]])
        if set_remove: m.append(["addresses", "delete", ["set", set_remove]])
        ops.append({"op": "mutate", "table": "Address_Set", "where": [["_uuid", "==", ["uuid", state["set"][0]]]], "mutations": m})
    return ops


def cold_ops(desired, router):
    """Everything a cold apply writes, as one transaction, built before the clock starts."""
    rows, addresses = desired
    state = {"router": router, "set": None}
    ops = delta_ops(state, sorted(rows), [], sorted(addresses), [], create_set=True)
    ops.insert(-2, {"op": "insert", "table": "Logical_Router_Policy", "uuid-name": "noreroute",
                    "row": {"priority": 102, "match": NOREROUTE, "action": "allow", "options": ["map", [["pkt_mark", "1008"]]]}})
    for op in ops:
        if op["op"] == "mutate" and op["table"] == "Logical_Router":
            op["mutations"][0][2][1].append(["named-uuid", "noreroute"])
    return ops


# ---------------------------------------------------------------- the peers' scenarios

def cmd_raw_select(db):
    t0 = time.perf_counter()
    rows = transact(db, [{"op": "select", "table": "Logical_Router_Policy", "where": []}])[0]["rows"]
    assert rows is not None
    print("%.3f" % (time.perf_counter() - t0))


def cmd_raw_cold(db, request):
    with open(request) as f:
        ops = json.load(f)
    t0 = time.perf_counter()
    transact(db, ops)
    print("%.6f" % (time.perf_counter() - t0))


def cmd_raw_sync(db, desired_path, write):
    desired = load_desired(desired_path)
    t0 = time.perf_counter()
    state = live(db)
    add, remove, sa, sr = diff(state, desired)
    if write and (add or remove or sa or sr):
        transact(db, delta_ops(state, add, remove, sa, sr))
    print("%.6f" % (time.perf_counter() - t0))


def cmd_nbctl_sync(db, desired_path):
    rows, _ = load_desired(desired_path)
    t0 = time.perf_counter()
    out = subprocess.run(["ovn-nbctl", "--db=" + db, "--format=csv", "--data=bare", "--no-headings",
                          "--columns=match,nexthops,external_ids", "find", "Logical_Router_Policy", "priority=101"],
                         check=True, capture_output=True, text=True).stdout
    have = set()
    for line in out.splitlines():
        match, hop, ids = line.rsplit(",", 2)
        have.add((match, hop, ids.split("=", 1)[1] if "=" in ids else None))
    pending = len(rows - have) + len(have - rows)
    print("%.6f" % (time.perf_counter() - t0))
    if pending:
        raise SystemExit("nbctl-sync: %d rows differ" % pending)


def cmd_idl_cold(db, desired_path):
    import ovs.db.idl, ovs.poller
    rows, addresses = load_desired(desired_path)
    helper = ovs.db.idl.SchemaHelper(SCHEMA)
    helper.register_table("Logical_Router")
    helper.register_table("Logical_Router_Policy")
    helper.register_table("Address_Set")
    idl = ovs.db.idl.Idl(db, helper)
    while not idl.tables["Logical_Router"].rows:
        idl.run(); p = ovs.poller.Poller(); idl.wait(p); p.timer_wait(100); p.block()
    router = next(iter(idl.tables["Logical_Router"].rows.values()))
    t0 = time.perf_counter()
    txn = ovs.db.idl.Transaction(idl)
    new = []
    for match, hop, owner in sorted(rows):
        p = txn.insert(idl.tables["Logical_Router_Policy"])
        p.priority = 101; p.match = match; p.action = "reroute"; p.nexthops = [hop]; p.external_ids = {"EgressSVC": owner}
        new.append(p)
    n = txn.insert(idl.tables["Logical_Router_Policy"])
    n.priority = 102; n.match = NOREROUTE; n.action = "allow"; n.options = {"pkt_mark": "1008"}
    router.policies = list(router.policies) + new + [n]
    s = txn.insert(idl.tables["Address_Set"])
    s.name = SET_NAME; s.addresses = sorted(addresses); s.external_ids = SET_IDS
    status = txn.commit_block()
    print("%.6f" % (time.perf_counter() - t0))
    if status != ovs.db.idl.Transaction.SUCCESS:
        raise SystemExit("idl commit: %s" % status)


def cmd_raw_one_pod(db, trials="11"):
    """One pod's change as ovn-egressctl sends it (the old reroute deleted, the new inserted, the
    router's policies and the served-pods set mutated), raw, on a database holding a cold
    apply's rows and no monitor: the server's floor under the controller's single-pod pass."""
    state = live(db)
    items = list(state["policies"].items())
    time.sleep(1)  # the select's reply is freed by the server after it is sent
    walls = []
    for i in range(int(trials)):
        (match, hop, owner), uuids = items[i]
        old_ip, new_ip = match.split("== ")[1], "10.250.%d.%d" % (i // 250, i % 250 + 1)
        ops = [{"op": "delete", "table": "Logical_Router_Policy", "where": [["_uuid", "==", ["uuid", uuids[0]]]]},
               {"op": "insert", "table": "Logical_Router_Policy", "uuid-name": "p", "row": {
                   "priority": 101, "match": "ip4.src == " + new_ip, "action": "reroute", "nexthops": hop,
                   "external_ids": ["map", [["EgressSVC", owner]]]}},
               {"op": "mutate", "table": "Logical_Router", "where": [["_uuid", "==", ["uuid", state["router"]]]],
                "mutations": [["policies", "delete", ["uuid", uuids[0]]], ["policies", "insert", ["named-uuid", "p"]]]},
               {"op": "mutate", "table": "Address_Set", "where": [["_uuid", "==", ["uuid", state["set"][0]]]],
                "mutations": [["addresses", "delete", old_ip], ["addresses", "insert", new_ip]]}]
        t0 = time.perf_counter()
        transact(db, ops)
        walls.append(time.perf_counter() - t0)
    print("one pod's change, raw, %d policies: median %.1f ms (min %.1f, max %.1f) over %d" % (
        len(items), statistics.median(walls) * 1000, min(walls) * 1000, max(walls) * 1000, len(walls)))


# ---------------------------------------------------------------- the driver

class Servers:
    def __init__(self, work):
        self.work, self.dirs, self.n = work, [], 0

    def start(self, template=None):
        self.n += 1
        d = os.path.join(self.work, "srv%d" % self.n)
        os.makedirs(d)
        db = os.path.join(d, "nb.db")
        if template:
            shutil.copy(template, db)
        else:
            subprocess.run(["ovsdb-tool", "create", db, SCHEMA], check=True)
        started = subprocess.run(["ovsdb-server", "--detach", "--no-chdir", "--pidfile=%s/pid" % d, "--unixctl=%s/ctl" % d,
                                  "--log-file=%s/log" % d, "--remote=punix:%s/nb.sock" % d, db], capture_output=True, text=True)
        if started.returncode != 0:
            raise SystemExit("ovsdb-server did not start in %s: %s" % (d, started.stderr))
        self.dirs.append(d)
        remote = "unix:%s/nb.sock" % d
        if not template:
            subprocess.run(["ovn-nbctl", "--db=" + remote, "lr-add", "ovn_cluster_router"], check=True)
        return remote, db

    def stop(self, remote):
        d = os.path.dirname(remote[len("unix:"):])
        with open(os.path.join(d, "pid")) as f:
            pid = int(f.read())
        os.kill(pid, 15)
        for _ in range(200):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.01)

    def stop_all(self):
        for d in self.dirs:
            try:
                self.stop("unix:" + d + "/nb.sock")
            except (FileNotFoundError, ProcessLookupError):
                pass


def timed(argv, stdin=None):
    """Wall time and peak RSS (MiB) of one process; stdout returned for self-timed peers."""
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M"] + argv, capture_output=True, text=True, input=stdin)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise SystemExit("%s failed: %s" % (argv[:3], p.stderr[:3000]))
    rss = int(p.stderr.strip().splitlines()[-1]) / 1024
    return wall, rss, p.stdout


def verify(db, desired, label, owners=True):
    """Every policy row, the router's references, the address set and the one 102 policy.
    `owners=False` for ovn-nbctl's lr-policy-add, which cannot set external_ids."""
    state = live(db)
    if not owners:
        state["policies"] = {(m, h, None): us for (m, h, _), us in state["policies"].items()}
        desired = ({(m, h, None) for m, h, _ in desired[0]}, desired[1])
    add, remove, sa, sr = diff(state, desired)
    uuids = {u for us in state["policies"].values() for u in us}
    problems = []
    if add or remove: problems.append("%d missing, %d extra policies" % (len(add), len(remove)))
    if sa or sr: problems.append("address set differs (+%d -%d)" % (len(sa), len(sr)))
    if not uuids <= state["refs"]: problems.append("%d policies not on the router" % len(uuids - state["refs"]))
    if state["noreroute"] != [NOREROUTE]: problems.append("102 policies: %r" % state["noreroute"])
    if problems:
        raise SystemExit("verification failed for %s: %s" % (label, "; ".join(problems)))


def desired_from(ctl, manifest, work, name):
    """The rows ovn-egressctl plans for `manifest` on an empty database, as the peers' input;
    checked against the manifests' own counts by the caller."""
    servers = Servers(os.path.join(work, "plan-" + name))
    os.makedirs(servers.work)
    remote, _ = servers.start()
    try:
        out = subprocess.run([ctl, "--db=" + remote, "apply", "--dry-run", "--json", "-f", manifest],
                             check=True, capture_output=True, text=True).stdout
    finally:
        servers.stop_all()
    plan = json.loads(out)
    rows = [[a["match"], a["nexthop"], owner] for owner, s in plan["services"].items() for a in s["added"]]
    addresses = plan["addressSets"][0]["add"]
    path = os.path.join(work, "desired-%s.json" % name)
    with open(path, "w") as f:
        json.dump({"policies": rows, "addresses": addresses}, f)
    return path


def cmd_run(size, work, ctl, json_out=None):
    n = {"small": 1000, "large": 10000, "xl": 100000}[size]
    trials = int(os.environ.get("BENCH_TRIALS", "3"))
    here = os.path.abspath(__file__)
    base, moved = os.path.join(work, "cluster.yaml"), os.path.join(work, "cluster-moved.yaml")
    desired_path = desired_from(ctl, base, work, "base")
    moved_path = desired_from(ctl, moved, work, "moved")
    desired, desired_moved = load_desired(desired_path), load_desired(moved_path)
    assert len(desired[0]) == n, "expected %d policies, planned %d" % (n, len(desired[0]))
    changed = len(desired[0] - desired_moved[0])
    servers = Servers(work)
    results = {}

    def run(scenario, tool, remote, argv, self_timed=False):
        """One timed process against `remote`, with the server's CPU seconds meanwhile (the
        server is single-threaded: its CPU time is a floor under any client's wall time)."""
        before = server_cpu([remote])
        wall, rss, out = timed(argv)
        cpu = server_cpu([remote]) - before
        results.setdefault(scenario, {}).setdefault(tool, []).append((float(out) if self_timed else wall, rss, cpu))
        return out

    # A template holding the cold state (written by ovn-egressctl, verified), for no-op and 1%.
    remote, dbfile = servers.start()
    subprocess.run([ctl, "--db=" + remote, "apply", "-f", base], check=True, capture_output=True)
    verify(remote, desired, "template")
    servers.stop(remote)
    template = os.path.join(work, "template.db")
    shutil.copy(dbfile, template)

    # The pre-built cold transaction needs the router's UUID, which differs per server: the
    # request is written after the server starts and before the clock starts.
    nbctl_ok = n <= 20000  # beyond that ovn-nbctl's argv exceeds the kernel's limit
    for trial in range(trials):
        # cold apply
        remote, _ = servers.start()
        run("cold apply", "ovn-egressctl", remote, [ctl, "--db=" + remote, "apply", "-f", base])
        verify(remote, desired, "ovn-egressctl cold"); servers.stop(remote)

        remote, _ = servers.start()
        router = live(remote)["router"]
        req = os.path.join(work, "cold-request.json")
        with open(req, "w") as f:
            json.dump(cold_ops(desired, router), f)
        run("cold apply", "raw floor", remote, [sys.executable, here, "raw-cold", remote, req], self_timed=True)
        verify(remote, desired, "raw cold"); servers.stop(remote)

        if nbctl_ok:
            remote, _ = servers.start()
            args = []
            # lr-policy-add, as people script it: create with external_ids would not fit in argv.
            for match, hop, owner in sorted(desired[0]):
                args += ["--", "lr-policy-add", "ovn_cluster_router", "101", match, "reroute", hop]
            args += ["--", "lr-policy-add", "ovn_cluster_router", "102", NOREROUTE, "allow", "pkt_mark=1008"]
            args += ["--", "create", "Address_Set", "name=" + SET_NAME]
            args += ['external_ids:"%s"="%s"' % kv for kv in sorted(SET_IDS.items())]
            before = server_cpu([remote])
            wall, rss, _ = timed(["ovn-nbctl", "--db=" + remote] + args[1:])
            # The members go in a second invocation: a new row cannot be named in `add`, and
            # one `addresses=` argument would pass the kernel's 128 KiB limit per argument.
            wall2, rss2, _ = timed(["ovn-nbctl", "--db=" + remote, "add", "Address_Set", SET_NAME, "addresses"]
                                   + ['"%s"' % a for a in sorted(desired[1])])
            results.setdefault("cold apply", {}).setdefault("ovn-nbctl", []).append(
                (wall + wall2, max(rss, rss2), server_cpu([remote]) - before))
            verify(remote, desired, "ovn-nbctl cold", owners=False); servers.stop(remote)

        remote, _ = servers.start()
        run("cold apply", "python IDL", remote, [sys.executable, here, "idl-cold", remote, desired_path], self_timed=True)
        verify(remote, desired, "python IDL cold"); servers.stop(remote)

        # no-op re-apply: no write may reach the database file
        remote, dbfile = servers.start(template)
        db_size = os.path.getsize(dbfile)
        out = run("no-op re-apply", "ovn-egressctl", remote, [ctl, "--db=" + remote, "apply", "-f", base])
        assert out.rstrip().endswith("0 write operation(s) in 0 transaction(s)"), out[-200:]
        assert os.path.getsize(dbfile) == db_size, "the no-op apply wrote to the database file"
        run("no-op re-apply", "raw floor (select + diff)", remote, [sys.executable, here, "raw-sync", remote, desired_path], self_timed=True)
        run("no-op re-apply", "ovn-nbctl find + diff", remote, [sys.executable, here, "nbctl-sync", remote, desired_path], self_timed=True)
        assert os.path.getsize(dbfile) == db_size
        out = run("list policies", "ovn-egressctl list --policies --format json", remote, [ctl, "--db=" + remote, "list", "--policies", "--format", "json"])
        assert len(json.loads(out)) == n
        run("list policies", "ovn-nbctl lr-policy-list", remote, ["ovn-nbctl", "--db=" + remote, "lr-policy-list", "ovn_cluster_router"])
        # The replica's initial sync beside the C IDL's (ovn-nbctl syncs the whole database
        # before it lists) and a raw python select of the same rows.
        run("initial sync", "replica (monitor_cond_since, all LRP columns)", remote,
            [os.path.join(os.path.dirname(ctl), "egress-bench"), "replica-sync", remote], self_timed=True)
        run("initial sync", "ovn-nbctl lr-policy-list (C IDL, whole db)", remote, ["ovn-nbctl", "--db=" + remote, "lr-policy-list", "ovn_cluster_router"])
        run("initial sync", "raw floor (python select, all LRP columns)", remote, [sys.executable, here, "raw-select", remote], self_timed=True)
        servers.stop(remote)

        # 1% of the endpoints moved
        remote, _ = servers.start(template)
        run("1% moved", "ovn-egressctl", remote, [ctl, "--db=" + remote, "apply", "-f", moved])
        verify(remote, desired_moved, "ovn-egressctl 1%"); servers.stop(remote)
        remote, _ = servers.start(template)
        run("1% moved", "raw floor (select + diff + delta)", remote, [sys.executable, here, "raw-sync", remote, moved_path, "delta"], self_timed=True)
        verify(remote, desired_moved, "raw 1%"); servers.stop(remote)
        if nbctl_ok:
            remote, _ = servers.start(template)
            args = []
            for match, hop, owner in sorted(desired[0] - desired_moved[0]):
                args += ["--", "lr-policy-del", "ovn_cluster_router", "101", match]
            for i, (match, hop, owner) in enumerate(sorted(desired_moved[0] - desired[0])):
                args += ["--", "--id=@p%d" % i, "create", "Logical_Router_Policy", "priority=101", 'match="%s"' % match,
                         "action=reroute", 'nexthops="%s"' % hop, 'external_ids:EgressSVC="%s"' % owner,
                         "--", "add", "Logical_Router", "ovn_cluster_router", "policies", "@p%d" % i]
            # (the delta is small: these carry external_ids, so the result is checked with owners)
            gone, new = sorted(desired[1] - desired_moved[1]), sorted(desired_moved[1] - desired[1])
            args += ["--", "remove", "Address_Set", SET_NAME, "addresses"] + ['"%s"' % a for a in gone]
            args += ["--", "add", "Address_Set", SET_NAME, "addresses"] + ['"%s"' % a for a in new]
            run("1% moved", "ovn-nbctl (delta known in advance)", remote, ["ovn-nbctl", "--db=" + remote] + args[1:])
            verify(remote, desired_moved, "ovn-nbctl 1%")
            servers.stop(remote)
    servers.stop_all()

    figures = {}
    print("| scenario (%d policies, %d changed for 1%%) | tool | median s | x floor | server CPU s | x server CPU of the floor | peak RSS MiB |" % (n, changed))
    print("|---|---|---:|---:|---:|---:|---:|")
    for scenario, tools in results.items():
        floor = next((v for t, v in tools.items() if t.startswith("raw floor")), None)
        floor_wall = statistics.median(w for w, _, _ in floor) if floor else None
        floor_cpu = statistics.median(c for _, _, c in floor) if floor else None
        for tool, v in tools.items():
            med, cpu, rss = statistics.median(w for w, _, _ in v), statistics.median(c for _, _, c in v), max(r for _, r, _ in v)
            ratio = med / floor_wall if floor_wall else None
            server_ratio = med / floor_cpu if floor_cpu else None
            figures.setdefault(scenario, {})[tool] = {"median_s": med, "runs_s": [w for w, _, _ in v], "peak_rss_mib": rss,
                                                      "server_cpu_s": cpu, "x_floor": ratio, "x_server_cpu": server_ratio}
            print("| %s | %s | %.3f | %s | %.2f | %s | %.0f |" % (scenario, tool, med, "%.2f" % ratio if ratio else "-", cpu,
                                                              "%.2f" % server_ratio if server_ratio else "-", rss))
    if json_out:
        with open(json_out, "w") as f:
            json.dump({"size": size, "policies": n, "changed": changed, "trials": trials, "scenarios": figures}, f, indent=1, sort_keys=True)


def zone_templates(servers, work, zones):
    """One database per zone, holding the router and NB_Global.name, to copy for each run."""
    paths = []
    for z in zones:
        remote, dbfile = servers.start()
        subprocess.run(["ovn-nbctl", "--db=" + remote, "set", "NB_Global", ".", "name=" + z], check=True)
        servers.stop(remote)
        path = os.path.join(work, "template-%s.db" % z)
        shutil.copy(dbfile, path)
        paths.append(path)
    return paths


def timed_cpu(argv):
    """Wall time, peak RSS (MiB) and CPU seconds (user + system) of one process, and its stdout."""
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M %U %S"] + argv, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise SystemExit("%s failed: %s" % (argv[:3], p.stderr[:3000]))
    rss, user, system = p.stderr.strip().splitlines()[-1].split()
    return wall, int(rss) / 1024, float(user) + float(system), p.stdout


def server_cpu(remotes):
    """CPU seconds the servers of `remotes` have used so far (utime + stime)."""
    total = 0.0
    for r in remotes:
        with open(os.path.join(os.path.dirname(r[len("unix:"):]), "pid")) as f:
            fields = open("/proc/%d/stat" % int(f.read())).read().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def zone_rows(remote):
    out = subprocess.run(["ovn-nbctl", "--db=" + remote, "--bare", "--columns=match,nexthops,external_ids", "find",
                          "Logical_Router_Policy", "priority=101"], check=True, capture_output=True, text=True).stdout
    return sorted(b.strip() for b in out.split("\n\n") if b.strip())


def cmd_zones(size, work, ctl):
    """Every node its own zone (today's OVN-Kubernetes): the 10 zones' cold apply and no-op
    with one `ovn-egressctl` and ten --db, concurrently, beside each zone applied alone
    (--zone), and beside one database for the whole cluster (no zones). Rows checked: each
    zone written alone holds what the concurrent run wrote to it; the no-op sends nothing."""
    n = {"small": 1000, "large": 10000, "xl": 100000}[size]
    zoned, plain = os.path.join(work, "zoned.yaml"), os.path.join(work, "cluster.yaml")
    zones = ["node-%d" % i for i in range(10)]
    # The nodes' subnets are 10.128-10.137/16: one cluster subnet, so each zone has its route.
    subnet = ["--cluster-subnet", "10.128.0.0/12"]
    servers = Servers(work)
    templates = zone_templates(servers, work, zones)
    results = {}
    cpu = {}  # (scenario, run) -> [(client CPU s, server CPU s)]
    per_zone = None

    def record(scenario, tool, wall, rss):
        results.setdefault(scenario, {}).setdefault(tool, []).append((wall, rss))

    for trial in range(3):
        remotes = [servers.start(t)[0] for t in templates]
        dbs = [a for r in remotes for a in ("--db", r)]
        before = server_cpu(remotes)
        wall, rss, client, out = timed_cpu([ctl] + dbs + subnet + ["apply", "-f", zoned])
        cpu.setdefault(("cold apply", "10 zones"), []).append((client, server_cpu(remotes) - before))
        lines = out.rstrip().split("\n")[-10:]
        assert all(" write operation(s) in 1 transaction(s)" in l for l in lines), lines
        record("cold apply", "10 zones at once (one process, 10 --db)", wall, rss)
        concurrent_rows = [zone_rows(r) for r in remotes] if trial == 0 else None
        if per_zone is None:
            per_zone = [len(zone_rows(r)) for r in remotes]
        sizes = [os.path.getsize(os.path.join(os.path.dirname(r[len("unix:"):]), "nb.db")) for r in remotes]
        before = server_cpu(remotes)
        wall, rss, client, out = timed_cpu([ctl] + dbs + subnet + ["apply", "-f", zoned])
        cpu.setdefault(("no-op re-apply", "10 zones"), []).append((client, server_cpu(remotes) - before))
        assert all(l.endswith("0 write operation(s) in 0 transaction(s)") for l in out.rstrip().split("\n")[-10:]), out[-500:]
        assert sizes == [os.path.getsize(os.path.join(os.path.dirname(r[len("unix:"):]), "nb.db")) for r in remotes]
        record("no-op re-apply", "10 zones at once (one process, 10 --db)", wall, rss)
        for r in remotes: servers.stop(r)

        cold, noop = [], []
        for i, z in enumerate(zones):
            remote, _ = servers.start(templates[i])
            before = server_cpu([remote])
            w, r, c, _ = timed_cpu([ctl, "--db=" + remote] + subnet + ["apply", "-f", zoned])
            cold.append((w, r))
            cpu.setdefault(("cold apply", "one zone"), []).append((c, server_cpu([remote]) - before))
            if concurrent_rows is not None:
                alone = zone_rows(remote)
                assert alone == concurrent_rows[i], "zone %s alone differs from the concurrent run: %r" % (
                    z, (sorted(set(alone) - set(concurrent_rows[i]))[:3], sorted(set(concurrent_rows[i]) - set(alone))[:3]))
            wall, rss, out = timed([ctl, "--db=" + remote] + subnet + ["apply", "-f", zoned])
            assert out.rstrip().endswith("0 write operation(s) in 0 transaction(s)"), out[-200:]
            noop.append((wall, rss))
            servers.stop(remote)
        # The slowest zone of this trial, and the largest peak.
        record("cold apply", "one zone alone (slowest of the 10)", max(w for w, _ in cold), max(r for _, r in cold))
        record("no-op re-apply", "one zone alone (slowest of the 10)", max(w for w, _ in noop), max(r for _, r in noop))

        remote, _ = servers.start()
        wall, rss, _ = timed([ctl, "--db=" + remote, "apply", "-f", plain])
        record("cold apply", "one database, whole cluster (no zones)", wall, rss)
        wall, rss, _ = timed([ctl, "--db=" + remote, "apply", "-f", plain])
        record("no-op re-apply", "one database, whole cluster (no zones)", wall, rss)
        servers.stop(remote)
    servers.stop_all()

    print("| scenario (%d endpoints, 10 zones of one node, %d-%d policies per zone) | run | median s | x one zone | peak RSS MiB | x one zone |"
          % (n, min(per_zone), max(per_zone)))
    print("|---|---|---:|---:|---:|---:|")
    for scenario, tools in results.items():
        base = tools["one zone alone (slowest of the 10)"]
        bw, br = statistics.median(w for w, _ in base), max(r for _, r in base)
        for tool, v in tools.items():
            w, r = statistics.median(x for x, _ in v), max(y for _, y in v)
            print("| %s | %s | %.3f | %.2f | %.0f | %.2f |" % (scenario, tool, w, w / bw, r, r / br))
    cores = os.cpu_count()
    print()
    print("CPU seconds, medians (client = ovn-egressctl, servers = the ovsdb-servers it wrote to);"
          " the floor is max(the servers' CPU / %d cores, one server's CPU):" % cores)
    for (scenario, run), v in cpu.items():
        client, server = statistics.median(c for c, _ in v), statistics.median(s for _, s in v)
        print("- %s, %s: client %.2f s, servers %.2f s; all CPU / %d cores = %.2f s" % (scenario, run, client, server, cores, (client + server) / cores))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd in ("run", "zones"):
        try:
            (cmd_run if cmd == "run" else cmd_zones)(*args)
        finally:
            # A failed check ends the run with SystemExit: stop every server it started.
            for pid in __import__("glob").glob(os.path.join(args[1], "**", "pid"), recursive=True):
                try:
                    os.kill(int(open(pid).read()), 15)
                except (ValueError, ProcessLookupError):
                    pass
    elif cmd == "raw-cold": cmd_raw_cold(*args)
    elif cmd == "raw-select": cmd_raw_select(*args)
    elif cmd == "raw-one-pod": cmd_raw_one_pod(*args)
    elif cmd == "raw-sync": cmd_raw_sync(args[0], args[1], len(args) > 2)
    elif cmd == "nbctl-sync": cmd_nbctl_sync(*args)
    elif cmd == "idl-cold": cmd_idl_cold(*args)
    else: raise SystemExit(__doc__)
