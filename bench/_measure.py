"""Timing and memory helpers shared by the benchmark cases."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor


def ops_per_second(op: Callable[[int], object], count: int, threads: int = 1) -> float:
    """Run ``op(i)`` for i in range(count) on ``threads`` threads; return operations per second."""
    start = time.perf_counter()
    if threads == 1:
        for i in range(count):
            op(i)
    else:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(op, range(count)))
    return count / (time.perf_counter() - start)


def median_of(runs: int, measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(runs))


def interleaved(runs: int, cases: dict[str, Callable[[], float]]) -> dict[str, float]:
    """Median per case, alternating cases run by run so drift of the machine hits all alike."""
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, measure in cases.items():
            samples[name].append(measure())
    return {name: statistics.median(values) for name, values in samples.items()}


def reset_peak_rss() -> None:
    """Reset the kernel's peak-RSS mark of this process (Linux >= 4.0)."""
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")


def rss_kib(field: str = "VmRSS") -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def peak_growth_mib(action: Callable[[], object]) -> float:
    """Peak RSS growth in MiB while ``action`` runs, measured from the RSS just before it."""
    reset_peak_rss()
    before = rss_kib("VmRSS")
    action()
    return (rss_kib("VmHWM") - before) / 1024
