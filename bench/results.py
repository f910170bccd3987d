#!/usr/bin/env python3
"""The bookkeeping of make bench (bench/run.sh): wrk results in, the ratio table and the JSON
record out. Standard library only.

  results.py extract WRK_OUTPUT OUT_JSON
      Copies the BENCH_RESULT line that bench/report.lua printed into OUT_JSON and prints
      "requests non2xx socket_errors timeouts statuses" on one line for the shell.
  results.py report --dir RESULTS --out-dir DIR [--setting NAME=VALUE ...]
      Reads what run.sh left in RESULTS, prints the tables and writes DIR/<timestamp>.json and
      DIR/latest.json.

RESULTS holds: ceiling-framework-{before,after}.json (wrk on bench-ceiling's /noop),
ceiling-hashing-{before,after}.json (bench-ceiling bcrypt), and per database (sqlite/,
postgres/): scenario-<name>.json, cold-start.json, login-timing.json, memory.json, or skipped.txt;
then failed-login-timing.json and failures.txt.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys

# Display order; each scenario's ceiling: "framework" (bench-ceiling's /noop through wrk) or
# "hashing" (bcrypt verifies per second on all cores at the bench's cost: one login is one
# verify, one registration one hash of the same cost).
SCENARIOS = [
    ("read", "GET /customers/{ref}", "framework"),
    ("read_include", "GET /customers/{ref}?include=addresses", "framework"),
    ("partner_list", "GET /backend/customers?page[limit]=20", "framework"),
    ("client_credentials", "POST /token client_credentials", "framework"),
    ("introspection", "POST /token/introspect", "framework"),
    ("refresh", "POST /token refresh_token", "framework"),
    ("health", "GET /health (no database)", "framework"),
    ("login", "POST /access-tokens (login)", "hashing"),
    ("register", "POST /customers (registration)", "hashing"),
]
DATABASES = [("sqlite", "SQLite"), ("postgres", "PostgreSQL")]


def load(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def extract(wrk_output, out_json):
    line = None
    with open(wrk_output) as f:
        for text in f:
            if text.startswith("BENCH_RESULT "):
                line = text[len("BENCH_RESULT "):]
    if line is None:
        sys.exit(f"results: no BENCH_RESULT line in {wrk_output}")
    result = json.loads(line)
    with open(out_json, "w") as f:
        json.dump(result, f, indent=2)
    statuses = ",".join(f"{k}:{v}" for k, v in sorted(result["statuses"].items())) or "-"
    print(result["requests"], result["non2xx"], result["socket_errors"], result["timeouts"],
          statuses)


def mean_of(runs, key):
    values = [run[key] for run in runs if run]
    return statistics.mean(values) if values else None


def ceilings(results_dir):
    framework = [load(os.path.join(results_dir, f"ceiling-framework-{p}.json"))
                 for p in ("before", "after")]
    hashing = [load(os.path.join(results_dir, f"ceiling-hashing-{p}.json"))
               for p in ("before", "after")]
    return {
        "framework": {"rps": mean_of(framework, "rps"),
                      "before": framework[0], "after": framework[1]},
        "hashing": {"per_second": mean_of(hashing, "per_second"),
                    "before": hashing[0], "after": hashing[1]},
    }


def database_results(results_dir, name, ceiling):
    directory = os.path.join(results_dir, name)
    skipped = os.path.join(directory, "skipped.txt")
    if os.path.exists(skipped):
        with open(skipped) as f:
            return {"skipped": f.read().strip()}
    if not os.path.isdir(directory):
        return {"skipped": "not run"}
    scenarios = {}
    for key, label, kind in SCENARIOS:
        result = load(os.path.join(directory, f"scenario-{key}.json"))
        if result is None:
            continue
        limit = ceiling["framework"]["rps"] if kind == "framework" \
            else ceiling["hashing"]["per_second"]
        result.update({"label": label, "ceiling": kind,
                       "ratio": round(result["rps"] / limit, 4) if limit else None})
        scenarios[key] = result
    return {
        "scenarios": scenarios,
        "cold_start": load(os.path.join(directory, "cold-start.json")),
        "login_timing": load(os.path.join(directory, "login-timing.json")),
        "memory": load(os.path.join(directory, "memory.json")),
    }


def machine():
    cpu = None
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory_mib = None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    memory_mib = int(line.split()[1]) // 1024
    except OSError:
        pass
    try:
        with open("/proc/loadavg") as f:
            load_end = " ".join(f.read().split()[:3])
    except OSError:
        load_end = None
    return {"cores": len(os.sched_getaffinity(0)), "cpu_model": cpu, "memory_mib": memory_mib,
            "kernel": platform.release(), "loadavg_at_end": load_end}


def git_state(root):
    # GIT_OPTIONAL_LOCKS=0: `git status` must not take the index lock of a tree others edit.
    env = dict(os.environ, GIT_OPTIONAL_LOCKS="0")

    def git(*args):
        return subprocess.run(["git", "-C", root, *args], capture_output=True, text=True,
                              env=env, check=True).stdout.strip()
    try:
        return {"commit": git("rev-parse", "HEAD"),
                "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "dirty": None}


def setting_value(text):
    try:
        return json.loads(text)
    except ValueError:
        return text


def cell(value, fmt):
    return "-" if value is None else format(value, fmt)


def print_report(doc):
    settings = doc["settings"]
    ceiling = doc["ceilings"]
    fw, hs = ceiling["framework"], ceiling["hashing"]
    print(f"\n==> ratio table ({doc['machine']['cores']} cores, {doc['date']}, "
          f"commit {str(doc['git']['commit'])[:12]}{' (dirty)' if doc['git']['dirty'] else ''})")
    print(f"framework ceiling: bench-ceiling GET /noop, {settings.get('workers')} workers, "
          f"wrk {settings.get('threads')} threads/{settings.get('connections')} connections: "
          f"{cell(fw['rps'], ',.0f')} req/s (before {cell((fw['before'] or {}).get('rps'), ',.0f')}"
          f", after {cell((fw['after'] or {}).get('rps'), ',.0f')})")
    print(f"hashing ceiling:   bcrypt verifies at cost {settings.get('bcrypt_cost')} on "
          f"{(hs['before'] or {}).get('threads', '?')} threads: {cell(hs['per_second'], '.1f')}/s "
          f"(before {cell((hs['before'] or {}).get('per_second'), '.1f')}, after "
          f"{cell((hs['after'] or {}).get('per_second'), '.1f')})")
    header = f"{'scenario':41} {'ceiling':9}"
    rule = f"{'':41} {'':9}"
    for _, title in DATABASES:
        header += f" | {title + ' req/s':>17} {'p50 ms':>7} {'p99 ms':>8} {'ratio':>7}"
        rule += " | " + "-" * 42
    print(header)
    for key, label, kind in SCENARIOS:
        row = f"{label:41} {kind:9}"
        for name, _ in DATABASES:
            result = doc["databases"][name].get("scenarios", {}).get(key)
            if result is None:
                row += f" | {'-':>17} {'-':>7} {'-':>8} {'-':>7}"
                continue
            ratio = "-" if result["ratio"] is None else f"{result['ratio'] * 100:.1f}%"
            flag = "" if result["non2xx"] == 0 and result["socket_errors"] == 0 \
                and result["timeouts"] == 0 else " !"
            row += (f" | {result['rps']:>17,.1f} {result['p50_ms']:>7.2f} "
                    f"{result['p99_ms']:>8.2f} {ratio:>7}{flag}")
        print(row)
    for name, title in DATABASES:
        skipped = doc["databases"][name].get("skipped")
        if skipped:
            print(f"{title}: skipped ({skipped})")
    print("ratio: the scenario's req/s over its ceiling's, both measured in this run on these "
          "cores; ! marks a scenario with errors")

    print("\ncold start (fresh database, migrations included, to the first 200 on /ready)")
    for name, title in DATABASES:
        cold = doc["databases"][name].get("cold_start")
        if cold:
            verdict = ""
            if name == "sqlite":
                verdict = ("  target < 1000 ms: met" if cold["median_ms"] < 1000
                           else "  target < 1000 ms: NOT met")
            print(f"  {title:11} median {cold['median_ms']:7.1f} ms over {len(cold['runs_ms'])} "
                  f"runs (min {cold['min_ms']:.0f}, max {cold['max_ms']:.0f}; first start with "
                  f"key generation {cold['with_key_generation_ms']:.0f}){verdict}")
        else:
            print(f"  {title:11} not measured")

    print("\nmedian login time, wrong password: known vs unknown email (ms)")
    print(f"  {'database':11} {'door':15} {'known':>8} {'unknown':>8} {'apart':>14} "
          f"{'right password':>15}")
    for name, title in DATABASES:
        timing = doc["databases"][name].get("login_timing")
        if not timing:
            continue
        for door, t in timing["doors"].items():
            print(f"  {title:11} {door:15} {t['known_email_wrong_password_ms']:8.1f} "
                  f"{t['unknown_email_ms']:8.1f} {t['apart_ms']:6.1f} "
                  f"({t['apart_fraction'] * 100:4.1f} %) {t['right_password_ms']:15.1f}")

    failed = doc.get("failed_login_timing")
    if failed:
        print(f"\nfailed-login timing after cost changes (server at cost {failed['cost']}): "
              f"spread of the medians {failed['spread'] * 100:.1f} % (target <= 10 %)")

    print("\nserver memory (MiB): idle after start / RSS after the load / peak RSS")
    for name, title in DATABASES:
        memory = doc["databases"][name].get("memory")
        if memory:
            print(f"  {title:11} {memory['idle_rss_mib']:6.1f} / {memory['rss_mib']:6.1f} / "
                  f"{memory['peak_rss_mib']:6.1f}")


def report(args):
    settings = {}
    for item in args.setting:
        name, _, value = item.partition("=")
        settings[name] = setting_value(value)
    ceiling = ceilings(args.dir)
    now = datetime.datetime.now(datetime.timezone.utc)
    failures_path = os.path.join(args.dir, "failures.txt")
    failures = []
    if os.path.exists(failures_path):
        with open(failures_path) as f:
            failures = [line.rstrip("\n") for line in f if line.strip()]
    doc = {
        "date": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine(),
        "git": git_state(args.root),
        "settings": settings,
        "ceilings": ceiling,
        "databases": {name: database_results(args.dir, name, ceiling) for name, _ in DATABASES},
        "failed_login_timing": load(os.path.join(args.dir, "failed-login-timing.json")),
        "failures": failures,
    }
    print_report(doc)
    os.makedirs(args.out_dir, exist_ok=True)
    path = os.path.join(args.out_dir, now.strftime("%Y%m%dT%H%M%SZ") + ".json")
    for target in (path, os.path.join(args.out_dir, "latest.json")):
        with open(target, "w") as f:
            json.dump(doc, f, indent=2)
            f.write("\n")
    print(f"\nresults written to {path} and {os.path.join(args.out_dir, 'latest.json')}")


def main():
    parser = argparse.ArgumentParser(description="make bench bookkeeping")
    sub = parser.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("extract")
    ex.add_argument("wrk_output")
    ex.add_argument("out_json")
    rep = sub.add_parser("report")
    rep.add_argument("--dir", required=True)
    rep.add_argument("--out-dir", required=True)
    rep.add_argument("--root", default=".")
    rep.add_argument("--setting", action="append", default=[])
    args = parser.parse_args()
    if args.command == "extract":
        extract(args.wrk_output, args.out_json)
    else:
        report(args)


if __name__ == "__main__":
    main()
