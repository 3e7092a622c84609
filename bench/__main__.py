"""``just bench``: every benchmark, one table, ratios against baselines from the same run.

Usage: python -m bench [--quick] [--only small,large,import,build,batch,pytorch,fsspec]
                       [--markdown FILE]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from collections.abc import Callable

from bench._servers import benchmark_cluster

Row = tuple[str, dict[str, float]]
COLUMNS = ["aisclient", "urllib3", "official SDK", "s3fs", "get_reader"]
# Ratios shown against each baseline column, with its short name.
BASELINES = (("urllib3", "u3"), ("official SDK", "sdk"), ("s3fs", "s3fs"), ("get_reader", "gr"))


def _ratio(values: dict[str, float], other: str) -> float | None:
    ours, theirs = values.get("aisclient"), values.get(other)
    return ours / theirs if ours is not None and theirs else None


def _at_least(other: str, bound: float) -> Callable[[dict[str, float]], bool | None]:
    def check(values: dict[str, float]) -> bool | None:
        ratio = _ratio(values, other)
        return None if ratio is None else ratio >= bound

    return check


def _both(*checks: Callable[[dict[str, float]], bool | None]) -> Callable[..., bool | None]:
    def check(values: dict[str, float]) -> bool | None:
        results = [c(values) for c in checks]
        known = [r for r in results if r is not None]
        return all(known) if known else None

    return check


def _ours_at_most(bound: float) -> Callable[[dict[str, float]], bool | None]:
    return lambda values: values["aisclient"] <= bound if "aisclient" in values else None


def _target(label: str) -> tuple[str, Callable[[dict[str, float]], bool | None]] | None:
    """The target a row is held to (text, check), or None for rows that only inform."""
    if label.startswith("DataLoader") and label.endswith("samples/s"):
        return ">=2x sdk", _at_least("official SDK", 2)
    if label.startswith("DataLoader AISBatchIterDataset /"):
        return ">=3x", lambda values: values["aisclient"] >= 3 if "aisclient" in values else None
    if label.startswith("ais:// parquet scan"):
        return ">=1.5x s3fs, >=0.9x gr", _both(_at_least("s3fs", 1.5), _at_least("get_reader", 0.9))
    if label.startswith("ais://"):
        return ">=1.5x s3fs", _at_least("s3fs", 1.5)
    if label.startswith("small") and label.endswith("ops/s"):
        return ">=0.85x u3, >=2x sdk", _both(
            _at_least("urllib3", 0.85), _at_least("official SDK", 2)
        )
    if label.startswith("Get-Batch") and label.endswith("MiB/s"):
        return ">=0.95x u3", _at_least("urllib3", 0.95)
    if "num_workers" in label:
        return None  # reported against one stream, no target (it depends on the cluster)
    if "GET streamed" in label and label.endswith("MiB/s"):
        return ">=0.98x u3", _at_least("urllib3", 0.98)
    if label.endswith("MiB/s"):
        return ">=0.95x u3", _at_least("urllib3", 0.95)
    if "peak RSS" in label:
        limit = 64.0 if label.startswith("Get-Batch") else 32.0
        return f"<={limit:.0f} MiB", _ours_at_most(limit)
    if label.startswith("import + Client(), ms"):
        return (
            "<=1/3 sdk",
            lambda v: None if (r := _ratio(v, "official SDK")) is None else r <= 1 / 3,
        )
    if label.startswith("build"):
        return "<=5 µs", _ours_at_most(5.0)
    return None


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.2f}"


def _ratios(label: str, values: dict[str, float]) -> str:
    if "RSS" in label:
        return ""
    parts = []
    for other, short in BASELINES:
        ratio = _ratio(values, other)
        if ratio is not None:
            parts.append(f"{ratio:.2f}x {short}")
    return ", ".join(parts)


def _verdict(label: str, values: dict[str, float]) -> tuple[str, str]:
    target = _target(label)
    if target is None:
        return "", ""
    text, check = target
    result = check(values)
    return text, "-" if result is None else ("ok" if result else "MISS")


def print_table(rows: list[Row]) -> None:
    print(f"\n{'benchmark':<52}" + "".join(f"{c:>13}" for c in COLUMNS), end="")
    print(f"{'ratio':>21}  {'target':<23}{'met':>4}")
    for label, values in rows:
        cells = "".join(f"{_fmt(values[c]) if c in values else '-':>13}" for c in COLUMNS)
        target, met = _verdict(label, values)
        print(f"{label:<52}{cells}{_ratios(label, values):>21}  {target:<23}{met:>4}")


def markdown_table(rows: list[Row]) -> str:
    lines = [
        "| benchmark | " + " | ".join(COLUMNS) + " | ratio | target | met |",
        "|---|" + "---:|" * len(COLUMNS) + "---|---|---|",
    ]
    for label, values in rows:
        cells = " | ".join(_fmt(values[c]) if c in values else "-" for c in COLUMNS)
        target, met = _verdict(label, values)
        lines.append(f"| {label} | {cells} | {_ratios(label, values)} | {target} | {met} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer runs")
    parser.add_argument("--only", default="small,large,import,build,batch,pytorch,fsspec")
    parser.add_argument("--markdown", metavar="FILE", help="also write the table as Markdown")
    args = parser.parse_args(argv)
    only = set(args.only.split(","))
    machine = (
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {platform.system()} {platform.release()}"
    )
    print(machine)
    rows: list[Row] = []
    if "build" in only:
        from bench.cases_small import build_get_request_us

        label = "build an object GET Request, µs"
        rows.append((label, {"aisclient": build_get_request_us()}))
    server = "-"
    if only & {"small", "large", "batch", "import", "pytorch", "fsspec"}:
        with benchmark_cluster() as (endpoint, server):
            print(f"server: {server}")
            if "import" in only:
                from bench import cases_import

                rows += cases_import.run(3 if args.quick else 9, endpoint)
            if "small" in only:
                from bench import cases_small

                rows += cases_small.run(
                    endpoint, 300 if args.quick else 1500, 1 if args.quick else 5
                )
            if "large" in only:
                from bench import cases_large

                size = (128 if args.quick else 1024) << 20
                rows += cases_large.run(endpoint, size, 2 if args.quick else 10)
            if "batch" in only:
                from bench import cases_batch

                rows += cases_batch.run(endpoint, quick=args.quick)
            if "pytorch" in only:
                from bench import cases_pytorch

                rows += cases_pytorch.run(endpoint, quick=args.quick)
            if "fsspec" in only:
                from bench import cases_fsspec

                rows += cases_fsspec.run(endpoint, quick=args.quick)
    print_table(rows)
    if args.markdown:
        with open(args.markdown, "w") as handle:
            handle.write(f"{machine}; server: {server}\n\n" + markdown_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
