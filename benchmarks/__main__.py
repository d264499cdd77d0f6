"""Run benchmarks and print a table per benchmark (or JSON with --json)."""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
import time
from pathlib import Path


def discover() -> dict[str, object]:
    mods = {}
    here = Path(__file__).parent
    for info in sorted(pkgutil.iter_modules([str(here)]), key=lambda i: i.name):
        if info.name.startswith("bench_"):
            mod = importlib.import_module(f"benchmarks.{info.name}")
            mods[getattr(mod, "NAME", info.name[6:])] = mod
    return mods


def format_table(headers: list[str], rows: list[list]) -> str:
    cells = [[str(h) for h in headers]] + [[f"{c:.3f}" if isinstance(c, float) else str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    mods = discover()
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default all): {', '.join(mods)}")
    parser.add_argument("--json", action="store_true", help="print machine-readable figures")
    parser.add_argument("--quick", action="store_true", help="smaller runs")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in mods]
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; known: {list(mods)}")
    results = {}
    for name in args.names or list(mods):
        mod = mods[name]
        t0 = time.perf_counter()
        out = mod.run(args)
        out.setdefault("figures", {})["wall_seconds"] = round(time.perf_counter() - t0, 2)
        results[name] = out
        if not args.json:
            print(f"\n== {name}: {getattr(mod, 'DESCRIPTION', '')}")
            if out.get("table"):
                print(format_table(out["headers"], out["table"]))
            for k, v in out["figures"].items():
                print(f"{k}: {v}")
    if args.json:
        json.dump(results, sys.stdout, indent=2, default=str)
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
