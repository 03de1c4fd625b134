"""Run the benchmarks: ``python -m bench [WORKLOAD]`` (``make bench WORKLOAD=…``).

Each workload prints one JSON line with its own time, its baseline's time measured in the same
process run, and their ratio, so the comparison holds on a noisy machine.
"""

from __future__ import annotations

import importlib
import json
import sys

#: workload name → (module, function returning the JSON dict)
WORKLOADS: dict[str, tuple[str, str]] = {
    "conflicts-100k": ("bench.conflicts_100k", "run"),
    "layout-corridor": ("bench.layout_corridor", "run"),
    "allocate-2000": ("bench.allocate", "run_2000"),
    "allocate-neighbours-200": ("bench.allocate", "run_neighbours"),
    "allocate-multi-1000": ("bench.allocate_multi", "run"),
    "map-5000": ("bench.map_5000", "run"),
    "serve-lookup": ("bench.serve_lookup", "run"),
    "booth-save-5000": ("bench.booth_save", "run"),
    "layout-service-5000": ("bench.layout_service", "run"),
    "print-1351": ("bench.print_1351", "run"),
    "cli-start": ("bench.cli_start", "run"),
    "public-map": ("bench.public_map", "run"),
}


def main(argv: list[str]) -> int:
    names = argv or list(WORKLOADS)
    unknown = [n for n in names if n not in WORKLOADS]
    if unknown:
        print(
            f"unknown workload(s): {', '.join(unknown)}; known: {', '.join(WORKLOADS)}",
            file=sys.stderr,
        )
        return 2
    for name in names:
        module_name, func = WORKLOADS[name]
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            print(f"{name}: not available ({exc})", file=sys.stderr)
            continue
        result = getattr(module, func)()
        print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
