#!/usr/bin/python3
"""The benchmark page from the benchmarks' JSON: one current table and the plots.

  bench-report.py merge OUT APPLY [PARSE] [CONTROLLER]   one run's figures, with machine, date and commit
  bench-report.py soak OUT SOAK                          a soak's samples, the same way
  bench-report.py render                                 BENCHMARKS.md's table and docs/benchmarks/*.svg

Results are kept as dated files in docs/benchmarks/results/; the table shows the newest file of
each size (and the newest soak), so every row names its own date and commit.
"""
import glob, json, os, platform, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from svg_chart import line_chart

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "docs", "benchmarks", "results")
PLOTS = os.path.join(ROOT, "docs", "benchmarks")
PAGE = os.path.join(ROOT, "BENCHMARKS.md")
BEGIN, END = "<!-- table: written by scripts/bench-report.py render -->", "<!-- end of table -->"

# Issue 23's targets, set for 10,000 and 100,000 policies: ratio to the same run's floor, or
# absolute seconds / MiB.
TARGET_SIZES = (10000, 100000)
RATIO_TARGET = {"cold apply": 1.3, "1% moved": 1.0, "no-op re-apply": 1.0}
RSS_TARGET = {10000: 40, 100000: 150}
CONTROLLER_TARGET = {"one_percent_after_last_rename_s": (0.150, "< 150 ms"), "single_pod_s": (0.020, "< 20 ms")}
SOAK_RSS_TARGET_MIB = 250


def machine():
    model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
    ovs = subprocess.run(["ovsdb-server", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    return {"cores": os.cpu_count(), "cpu": model, "arch": platform.machine(), "kernel": platform.release(), "ovsdb-server": ovs}


def commit():
    rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    # The page and the plots are this script's output: changes to them do not make a run's code differ.
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no", "--", ".",
                            ":(exclude)BENCHMARKS.md", ":(exclude)docs/benchmarks"], capture_output=True, text=True).stdout.strip()
    return rev + ("+changes" if dirty else "")


def stamp(figures):
    figures.update({"date": time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime()), "commit": commit(), "machine": machine()})
    return figures


def load(path):
    with open(path) as f:
        return json.load(f)


def write(out, figures):
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w") as f:
        json.dump(figures, f, indent=1, sort_keys=True)
        f.write("\n")


def cmd_merge(out, apply_path, parse_path=None, controller_path=None):
    figures = load(apply_path)
    if parse_path:
        figures["parse"] = load(parse_path)
    if controller_path:
        figures["controller"] = load(controller_path)
    write(out, stamp(figures))


def cmd_soak(out, soak_path):
    figures = load(soak_path)
    figures["kind"] = "soak"
    write(out, stamp(figures))


def newest():
    """The newest apply run of each size, and the newest soak."""
    runs, soak = {}, None
    for path in sorted(glob.glob(os.path.join(RESULTS, "*.json"))):
        r = load(path)
        if r.get("kind") == "soak":
            if soak is None or r["date"] >= soak["date"]:
                soak = r
        elif r["policies"] not in runs or r["date"] >= runs[r["policies"]]["date"]:
            runs[r["policies"]] = r
    return dict(sorted(runs.items())), soak


def verdict(value, target, text=None):
    if target is None or value is None:
        return "-"
    return ("met" if value <= target else "**not met**") + " (%s)" % (text or "<= %gx" % target)


def floor_of(tools):
    return next((t for t in tools if t.startswith("raw floor")), None)


def table(runs, soak):
    lines = []
    for n, r in runs.items():
        m = r["machine"]
        lines.append("- %s policies: %s, commit %s, %d cores (%s), %s; medians of %d"
                     % ("{:,}".format(n), r["date"], r["commit"], m["cores"], m["cpu"], m["ovsdb-server"], r["trials"]))
    lines += ["", "One-shot `ovn-egressctl apply` (each writer on its own fresh ovsdb-server, every result read back):", "",
              "| figure | policies | ovn-egressctl s | floor s | x floor | target | server CPU s (floor's) | x server CPU | peers: s (x floor) | peak RSS MiB |",
              "|---|---:|---:|---:|---:|---|---:|---:|---|---:|"]
    for scenario in ("cold apply", "1% moved", "no-op re-apply", "initial sync", "list policies"):
        for n, r in runs.items():
            tools = r["scenarios"].get(scenario)
            if not tools:
                continue
            ours = next(t for t in tools if t.startswith("ovn-egressctl") or t.startswith("replica"))
            fl = floor_of(tools)
            us, f = tools[ours], tools.get(fl)
            peers = "; ".join("%s %.3f%s" % (t, v["median_s"], " (%.2fx)" % (v["median_s"] / f["median_s"]) if f else "")
                              for t, v in tools.items() if t not in (ours, fl))
            rss = "%.0f" % us["peak_rss_mib"]
            if scenario == "cold apply" and n in RSS_TARGET:
                rss += " (target <= %d)" % RSS_TARGET[n]
            lines.append("| %s | %s | %.3f | %s | %s | %s | %s | %s | %s | %s |" % (
                scenario, "{:,}".format(n), us["median_s"], "%.3f" % f["median_s"] if f else "-",
                "%.2f" % us["x_floor"] if us.get("x_floor") else "-",
                verdict(us.get("x_floor"), RATIO_TARGET.get(scenario) if n in TARGET_SIZES else None),
                "%.2f" % f["server_cpu_s"] if f else "-", "%.2f" % (us["median_s"] / f["server_cpu_s"]) if f and f["server_cpu_s"] else "-",
                peers or "-", rss))
    lines += ["", "The controller (`ovn-egressctl run` on a folder of one file per service; times from the first file renamed into place to the committed reply):", "",
              "| figure | policies | ovn-egressctl run | target | operations sent | ovsdb-server's CPU per trial |", "|---|---:|---:|---|---:|---:|"]
    for n, r in runs.items():
        c = r.get("controller")
        if not c:
            continue
        cold = r["scenarios"]["cold apply"]["ovn-egressctl"]["median_s"]
        targets = n in TARGET_SIZES

        def check(key):
            value, text = CONTROLLER_TARGET[key]
            return verdict(c[key], value if targets else None, text)
        server = c.get("server_cpu_ms", {})

        def cpu(key):
            return "%.1f ms" % server[key] if server.get(key, -1) >= 0 else "-"
        lines.append("| initial sync (read, sync, plan, write) | %s | %.3f s | %s | - | - |" % (
            "{:,}".format(n), c["initial_sync_s"], verdict(c["initial_sync_s"], cold if targets else None, "<= the cold apply's %.3f s" % cold)))
        lines.append("| 1%% endpoint change, from the first of its files renamed | %s | %.1f ms | - | %d | %s |" % ("{:,}".format(n), c["one_percent_s"] * 1000, c["one_percent_operations"], cpu("one_percent")))
        lines.append("| 1%% endpoint change, from the last file landing | %s | %.1f ms | %s | %d | %s |" % (
            "{:,}".format(n), c["one_percent_after_last_rename_s"] * 1000, check("one_percent_after_last_rename_s"), c["one_percent_operations"], cpu("one_percent")))
        lines.append("| one pod's endpoint change | %s | %.1f ms | %s | %d | %s |" % ("{:,}".format(n), c["single_pod_s"] * 1000, check("single_pod_s"), c["single_pod_operations"], cpu("single_pod")))
        lines.append("| owned row deleted by another writer, to repair | %s | %.1f ms | - | - | - |" % ("{:,}".format(n), c["repair_s"] * 1000))
        # The steady-RSS target is the release binary's, checked on the soak below; this
        # process also holds the benchmark's own files and figures.
        lines.append("| resident set after the trials (the in-process harness) | %s | %.0f MiB | - (the soak's) | - | - |" % ("{:,}".format(n), c["rss_steady_mib"]))
    if soak:
        rss, fds = soak["rss_mib"], soak["fds"]
        half = max(1, len(rss) // 2)
        rounds = soak["churn_ticks"]
        lines += ["", "Soak (`scripts/soak-controller.sh`): %s policies, %d s of churn in %s rounds (one per %.0f ms: 10 services' files, 100 endpoints, rewritten, then a 200 ms pause; an owned row deleted by another writer every 5th round), %s, commit %s:"
                  % ("{:,}".format(soak["services"] * 10), soak["seconds"], "{:,}".format(rounds), soak["seconds"] * 1000 / rounds, soak["date"], soak["commit"]), "",
                  "| samples (about every 30 s) | RSS MiB, first half | RSS MiB, second half | steady RSS target | open descriptors, first half | second half | policies at the end |",
                  "|---:|---|---|---|---|---|---:|",
                  "| %d | %.0f-%.0f | %.0f-%.0f | %s | %d-%d | %d-%d | %s |" % (len(rss), min(rss[:half]), max(rss[:half]), min(rss[half:] or rss), max(rss[half:] or rss),
                                                                      verdict(max(rss[half:] or rss), SOAK_RSS_TARGET_MIB, "< %d MiB" % SOAK_RSS_TARGET_MIB),
                                                                      min(fds[:half]), max(fds[:half]), min(fds[half:] or fds), max(fds[half:] or fds), "{:,}".format(soak["policies_at_end"]))]
    parses = [(n, r["parse"]) for n, r in runs.items() if "parse" in r]
    if parses:
        lines += ["", "Reading the manifests (kubectl-style YAML, libyaml's event API; parse and checks, no database):", "",
                  "| policies | MB | all cores ms | MB/s | one core ms | MB/s |", "|---:|---:|---:|---:|---:|---:|"]
        for n, p in parses:
            mb = p["bytes"] / 1e6
            lines.append("| %s | %.1f | %.0f | %.0f | %.0f | %.0f |" % ("{:,}".format(n), mb, p["all_cores_s"] * 1000, mb / p["all_cores_s"], p["one_core_s"] * 1000, mb / p["one_core_s"]))
    lines += ["", "![cold apply against size](docs/benchmarks/cold-apply.svg)", "![updates against size](docs/benchmarks/updates.svg)",
              "![peak RSS against size](docs/benchmarks/rss.svg)", "![controller latency against size](docs/benchmarks/controller.svg)"]
    if soak:
        lines.append("![soak: RSS and descriptors over time](docs/benchmarks/soak.svg)")
    return "\n".join(lines)


def plots(runs, soak):
    sizes = list(runs)

    def series(scenario, tool):
        return [(n, runs[n]["scenarios"].get(scenario, {}).get(tool, {}).get("median_s")) for n in sizes]

    def floor_cpu(scenario):
        out = []
        for n in sizes:
            tools = runs[n]["scenarios"].get(scenario, {})
            fl = floor_of(tools)
            out.append((n, tools[fl]["server_cpu_s"] if fl else None))
        return out

    cold = [("ovn-egressctl", series("cold apply", "ovn-egressctl")), ("raw floor (one pre-built transact)", series("cold apply", "raw floor")),
            ("server CPU of that transact", floor_cpu("cold apply")), ("ovn-nbctl", series("cold apply", "ovn-nbctl")),
            ("python IDL", series("cold apply", "python IDL"))]
    updates = [("1%: ovn-egressctl", series("1% moved", "ovn-egressctl")), ("1%: floor (select+diff+delta)", series("1% moved", "raw floor (select + diff + delta)")),
               ("no-op: ovn-egressctl", series("no-op re-apply", "ovn-egressctl")), ("no-op: floor (select+diff)", series("no-op re-apply", "raw floor (select + diff)")),
               ("no-op: ovn-nbctl find+diff", series("no-op re-apply", "ovn-nbctl find + diff"))]
    floors = {"raw floor (one pre-built transact)", "server CPU of that transact", "1%: floor (select+diff+delta)", "no-op: floor (select+diff)"}

    def rss(scenario, tool):
        return [(n, runs[n]["scenarios"].get(scenario, {}).get(tool, {}).get("peak_rss_mib")) for n in sizes]

    memory = [("cold apply: ovn-egressctl", rss("cold apply", "ovn-egressctl")), ("no-op: ovn-egressctl", rss("no-op re-apply", "ovn-egressctl")),
              ("controller after the trials", [(n, runs[n].get("controller", {}).get("rss_steady_mib")) for n in sizes]),
              ("cold apply: ovn-nbctl", rss("cold apply", "ovn-nbctl")), ("cold apply: python IDL", rss("cold apply", "python IDL"))]
    ctl = [(label, [(n, runs[n].get("controller", {}).get(key)) for n in sizes]) for label, key in
           (("initial sync", "initial_sync_s"), ("1% change, from the last file", "one_percent_after_last_rename_s"), ("one pod's change", "single_pod_s"), ("repair", "repair_s"))]
    ctl.append(("cold apply (one-shot)", series("cold apply", "ovn-egressctl")))
    ctl.append(("target: 1% (150 ms)", [(n, 0.150) for n in sizes]))
    ctl.append(("target: one pod (20 ms)", [(n, 0.020) for n in sizes]))
    charts = {"cold-apply.svg": line_chart("Cold apply: wall time against size", cold, "policies", "seconds", dashed=floors),
              "updates.svg": line_chart("1% change and no-op re-apply", updates, "policies", "seconds", dashed=floors),
              "rss.svg": line_chart("Peak resident set", memory, "policies", "MiB"),
              "controller.svg": line_chart("Controller: file renamed to committed reply", ctl, "policies", "seconds",
                                        dashed={"cold apply (one-shot)", "target: 1% (150 ms)", "target: one pod (20 ms)"})}
    if soak:
        t = soak["sampled_at_s"]
        charts["soak.svg"] = line_chart("Soak at %s policies" % "{:,}".format(soak["services"] * 10),
                                        [("RSS MiB", list(zip(t, soak["rss_mib"]))), ("open descriptors", list(zip(t, soak["fds"])))],
                                        "seconds of churn", "MiB / descriptors", xlog=False, ylog=False)
    for name, svg in charts.items():
        with open(os.path.join(PLOTS, name), "w") as f:
            f.write(svg)


def cmd_render():
    runs, soak = newest()
    if not runs:
        raise SystemExit("no results in %s: run scripts/bench.sh first" % RESULTS)
    with open(PAGE) as f:
        page = f.read()
    if BEGIN not in page or END not in page:
        raise SystemExit("%s has no table markers (%s ... %s)" % (PAGE, BEGIN, END))
    head, rest = page.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    with open(PAGE, "w") as f:
        f.write(head + BEGIN + "\n" + table(runs, soak) + "\n" + END + tail)
    plots(runs, soak)


if __name__ == "__main__":
    cmd, args = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("", [])
    if cmd == "merge": cmd_merge(*args)
    elif cmd == "soak": cmd_soak(*args)
    elif cmd == "render": cmd_render()
    else: raise SystemExit(__doc__)
