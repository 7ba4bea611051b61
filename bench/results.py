"""Benchmark figures in one shape, for bench/run's report: each bench records its figures under
its name in the JSON file $BENCH_RESULTS names (nothing is written when it is unset)."""
import json
import os
import statistics


def stats(samples):
    """Median, min and max of a list of samples, and how many there were."""
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples),
            "runs": len(samples)}


def figure(name, unit, ours, peer, peer_name, target, higher_is_better=False):
    """One figure: our samples against the peer's, the ratio of the medians and its target."""
    ours, peer = stats(ours), stats(peer)
    ratio = ours["median"] / peer["median"] if peer["median"] else float("inf")
    met = ratio >= target if higher_is_better else ratio <= target
    return {"name": name, "unit": unit, "ours": ours, "peer": peer, "peer_name": peer_name,
            "ratio": ratio, "target": f"{'>=' if higher_is_better else '<='} {target}x",
            "met": met}


def record(bench, figures, **extra):
    """Adds (or replaces) `bench`'s figures in $BENCH_RESULTS."""
    path = os.environ.get("BENCH_RESULTS")
    if not path:
        return
    data = {}
    if os.path.exists(path):
        with open(path) as existing:
            data = json.load(existing)
    data[bench] = {"figures": figures, **extra}
    with open(path + ".tmp", "w") as out:
        json.dump(data, out, indent=1)
    os.replace(path + ".tmp", path)
