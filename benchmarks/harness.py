"""Timing helpers shared by the benchmarks: repeat, percentiles, machine description."""

import os
import platform
import statistics
import time


def measure(func, *, repeat: int = 30, warmup: int = 3) -> dict:
    """Run `func` warmup+repeat times; return p50/p95/mean in milliseconds (warm)."""
    for _ in range(warmup):
        func()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95_index = min(len(samples) - 1, round(0.95 * (len(samples) - 1)))
    return {
        "p50_ms": statistics.median(samples),
        "p95_ms": samples[p95_index],
        "mean_ms": statistics.fmean(samples),
        "n": repeat,
    }


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"
