"""benchlib.py — what the benchmark scripts share: timing by medians."""
import statistics, time


def median_time(fn, reps):
    """Runs fn() reps times; returns (median seconds, all timings)."""
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts), ts
