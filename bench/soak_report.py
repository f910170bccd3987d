#!/usr/bin/env python3
"""The bookkeeping of make soak (bench/soak.sh). Standard library only.

  soak_report.py calibrate DIR --share F --load X --threads N --login-threads M
      Reads DIR/calibration-{storefront,login}.json (wrk at full speed, one class at a time),
      works out the capacity of the mix, writes DIR/calibration.json and prints the per-thread
      rates "STOREFRONT LOGIN" (requests per second) for the shell.
  soak_report.py interval DIR K SECONDS RSS_A RSS_B
      Reads DIR/interval-K-{storefront,login}.json, prints the interval's row (the header first
      when K is 1) and appends it to DIR/intervals.jsonl.
  soak_report.py summary DIR --out-dir D [--setting NAME=VALUE ...]
      Prints the p99-per-interval table, the totals, the RSS verdict and a summary to paste
      into the README; writes D/soak-<timestamp>.json and D/soak-latest.json. Exit status 1
      when any request failed (a non-2xx status, a socket error or a timeout).

Capacity: the storefront mix alone reaches S req/s, logins alone L req/s (both measured on the
two instances at once). With a share f of the requests being logins, a second of mixed load
uses (1-f)/S + f/L of the machine, so the mix's capacity is R = 1 / ((1-f)/S + f/L); the soak
offers load x R, of which (1-f) as storefront requests and f as logins.
"""

import argparse
import datetime
import json
import os
import subprocess
import sys

# RSS growth from the start of the load to its end that still counts as flat: allocator arenas
# and caches settle during the first minutes, and a few MiB either way is noise.
FLAT_MIB = 4.0
FLAT_FRACTION = 0.10


def load(path):
    with open(path) as f:
        return json.load(f)


def errors_of(result):
    return result["non2xx"] + result["socket_errors"] + result["timeouts"]


def calibrate(args):
    storefront = load(os.path.join(args.dir, "calibration-storefront.json"))
    login = load(os.path.join(args.dir, "calibration-login.json"))
    s, l, f = storefront["rps"], login["rps"], args.share
    if s <= 0 or l <= 0:
        sys.exit("soak: the calibration completed no requests")
    capacity = 1 / ((1 - f) / s + f / l)
    target = args.load * capacity
    result = {
        "storefront_alone_rps": s, "logins_alone_rps": l, "login_share": f,
        "mix_capacity_rps": round(capacity, 1), "load": args.load,
        "target_rps": round(target, 1),
        "target_storefront_rps": round(target * (1 - f), 1),
        "target_login_rps": round(target * f, 2),
        "storefront_p99_ms": storefront["p99_ms"], "login_p99_ms": login["p99_ms"],
        "errors": errors_of(storefront) + errors_of(login),
        "failed": {**storefront.get("failed", {}), **login.get("failed", {})},
    }
    with open(os.path.join(args.dir, "calibration.json"), "w") as out:
        json.dump(result, out, indent=2)
    print(f"calibration: storefront mix alone {s:,.0f} req/s, logins alone {l:,.1f} req/s; "
          f"with {f * 100:.1f} % logins the mix's capacity is {capacity:,.0f} req/s", file=sys.stderr)
    print(f"soak load: {args.load * 100:.0f} % = {target:,.0f} req/s "
          f"({target * (1 - f):,.0f} storefront + {target * f:,.1f} logins)", file=sys.stderr)
    if result["errors"]:
        print(f"calibration errors: {result['errors']} {result['failed']}", file=sys.stderr)
    print(f"{target * (1 - f) / args.threads:.3f} {target * f / args.login_threads:.3f}")


HEADER = (f"{'#':>3} {'until':>6} {'store req/s':>11} {'p50 ms':>7} {'p99 ms':>8} "
          f"{'logins/s':>9} {'p99 ms':>8} {'errors':>7} {'RSS A MiB':>10} {'RSS B MiB':>10}")


def row_text(row):
    return (f"{row['interval']:>3} {row['until_s']:>5}s {row['storefront_rps']:>11,.1f} "
            f"{row['storefront_p50_ms']:>7.2f} {row['storefront_p99_ms']:>8.2f} "
            f"{row['login_rps']:>9.1f} {row['login_p99_ms']:>8.1f} {row['errors']:>7} "
            f"{row['rss_a_mib']:>10.1f} {row['rss_b_mib']:>10.1f}")


def interval(args):
    storefront = load(os.path.join(args.dir, f"interval-{args.k}-storefront.json"))
    login = load(os.path.join(args.dir, f"interval-{args.k}-login.json"))
    path = os.path.join(args.dir, "intervals.jsonl")
    previous = 0
    if os.path.exists(path):
        with open(path) as f:
            lines = [json.loads(line) for line in f if line.strip()]
        previous = lines[-1]["until_s"] if lines else 0
    row = {
        "interval": args.k, "seconds": args.seconds, "until_s": previous + args.seconds,
        "storefront_rps": storefront["rps"], "storefront_p50_ms": storefront["p50_ms"],
        "storefront_p99_ms": storefront["p99_ms"], "storefront_max_ms": storefront["max_ms"],
        "login_rps": login["rps"], "login_p50_ms": login["p50_ms"],
        "login_p99_ms": login["p99_ms"],
        "errors": errors_of(storefront) + errors_of(login),
        "failed": {**storefront.get("failed", {}), **login.get("failed", {})},
        "kinds": {**storefront.get("kinds", {}), **login.get("kinds", {})},
        "rss_a_mib": args.rss_a, "rss_b_mib": args.rss_b,
    }
    with open(path, "a") as f:
        f.write(json.dumps(row) + "\n")
    if args.k == 1:
        print(HEADER)
    print(row_text(row) + (f"   failed: {row['failed']}" if row["errors"] else ""))


def rss_verdict(start, end):
    growth = end - start
    allowed = max(FLAT_MIB, FLAT_FRACTION * start)
    return growth, ("flat" if growth <= allowed else "GROWING"), allowed


def git_commit(root):
    env = dict(os.environ, GIT_OPTIONAL_LOCKS="0")
    try:
        return subprocess.run(["git", "-C", root, "rev-parse", "HEAD"], capture_output=True,
                              text=True, env=env, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def summary(args):
    settings = {}
    for item in args.setting:
        name, _, value = item.partition("=")
        try:
            settings[name] = json.loads(value)
        except ValueError:
            settings[name] = value
    calibration = load(os.path.join(args.dir, "calibration.json"))
    rss = load(os.path.join(args.dir, "rss.json"))
    with open(os.path.join(args.dir, "intervals.jsonl")) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    server_errors = settings.get("server_error_lines", 0)
    errors = sum(r["errors"] for r in rows) + calibration["errors"]
    seconds = sum(r["seconds"] for r in rows)
    requests = sum(sum(r["kinds"].values()) for r in rows)
    kinds = {}
    for r in rows:
        for kind, count in r["kinds"].items():
            kinds[kind] = kinds.get(kind, 0) + count
    achieved = requests / seconds if seconds else 0
    verdicts = {}
    for name in ("a", "b"):
        growth, verdict, allowed = rss_verdict(rss[f"start_{name}"], rss[f"end_{name}"])
        verdicts[name] = {"start_mib": rss[f"start_{name}"], "end_mib": rss[f"end_{name}"],
                          "idle_mib": rss[f"idle_{name}"],
                          "peak_mib": rss.get(f"peak_{name}"),
                          "growth_mib": round(growth, 1), "allowed_mib": round(allowed, 1),
                          "verdict": verdict}
    p99s = [r["storefront_p99_ms"] for r in rows]
    login_p99s = [r["login_p99_ms"] for r in rows]
    now = datetime.datetime.now(datetime.timezone.utc)
    doc = {
        "date": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": {"cores": len(os.sched_getaffinity(0))},
        "git_commit": git_commit(args.root),
        "settings": settings,
        "calibration": calibration,
        "intervals": rows,
        "totals": {"seconds": seconds, "requests": requests, "rps": round(achieved, 1),
                   "load_of_capacity": round(achieved / calibration["mix_capacity_rps"], 3),
                   "kinds": kinds, "errors": errors, "server_error_lines": server_errors},
        "rss": verdicts,
    }

    print(f"\n==> soak summary")
    print(HEADER)
    for row in rows:
        print(row_text(row))
    print(f"\n{requests:,} requests in {seconds} s on two instances: {achieved:,.0f} req/s = "
          f"{achieved / calibration['mix_capacity_rps'] * 100:.0f} % of the measured capacity "
          f"({calibration['mix_capacity_rps']:,.0f} req/s); by kind: "
          + ", ".join(f"{k} {v:,}" for k, v in sorted(kinds.items())))
    print(f"errors: {errors} (non-2xx, socket errors, timeouts; calibration included)"
          f"; ERROR lines in the servers' logs: {server_errors}")
    for name, v in verdicts.items():
        print(f"RSS instance {name.upper()}: idle {v['idle_mib']:.1f} MiB, start of load "
              f"{v['start_mib']:.1f} MiB, end {v['end_mib']:.1f} MiB, growth "
              f"{v['growth_mib']:+.1f} MiB (flat up to {v['allowed_mib']:.1f}): {v['verdict']}")

    print("\nREADME summary (paste into the Performance section):\n")
    print(f"`make soak`, {doc['date'][:10]}, {doc['machine']['cores']} cores, "
          f"{seconds // 60} min {seconds % 60} s, two instances on one PostgreSQL database, "
          f"bcrypt cost {settings.get('bcrypt_cost')}: "
          f"{achieved:,.0f} req/s ({achieved / calibration['mix_capacity_rps'] * 100:.0f} % of "
          f"the {calibration['mix_capacity_rps']:,.0f} req/s measured first), "
          f"{settings.get('mix')} with {calibration['login_share'] * 100:.0f} % logins.\n")
    print("| | result |")
    print("|---|---|")
    print(f"| requests | {requests:,}, errors {errors} |")
    print(f"| storefront p99 per {settings.get('interval_seconds')} s interval | "
          f"{min(p99s):.1f} to {max(p99s):.1f} ms |")
    print(f"| login p99 per interval | {min(login_p99s):.0f} to {max(login_p99s):.0f} ms |")
    for name, v in verdicts.items():
        print(f"| RSS instance {name.upper()} start → end | {v['start_mib']:.1f} → "
              f"{v['end_mib']:.1f} MiB ({v['verdict']}) |")

    os.makedirs(args.out_dir, exist_ok=True)
    path = os.path.join(args.out_dir, "soak-" + now.strftime("%Y%m%dT%H%M%SZ") + ".json")
    for target in (path, os.path.join(args.out_dir, "soak-latest.json")):
        with open(target, "w") as f:
            json.dump(doc, f, indent=2)
            f.write("\n")
    print(f"\nresults written to {path}")
    if errors or server_errors:
        print("soak: FAILED: requests failed or the servers logged errors", file=sys.stderr)
        sys.exit(1)


def main():
    parser = argparse.ArgumentParser(description="make soak bookkeeping")
    sub = parser.add_subparsers(dest="command", required=True)
    cal = sub.add_parser("calibrate")
    cal.add_argument("dir")
    cal.add_argument("--share", type=float, required=True)
    cal.add_argument("--load", type=float, required=True)
    cal.add_argument("--threads", type=int, required=True)
    cal.add_argument("--login-threads", type=int, required=True)
    itv = sub.add_parser("interval")
    itv.add_argument("dir")
    itv.add_argument("k", type=int)
    itv.add_argument("seconds", type=int)
    itv.add_argument("rss_a", type=float)
    itv.add_argument("rss_b", type=float)
    summ = sub.add_parser("summary")
    summ.add_argument("dir")
    summ.add_argument("--out-dir", required=True)
    summ.add_argument("--root", default=".")
    summ.add_argument("--setting", action="append", default=[])
    args = parser.parse_args()
    {"calibrate": calibrate, "interval": interval, "summary": summary}[args.command](args)


if __name__ == "__main__":
    main()
