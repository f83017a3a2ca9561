"""Counters and histograms, kept in memory by the process that counts (the API, the agent), and read
as a snapshot: plain values that cross the agent's pipe (dataplane/agent.py) and render as families."""

import bisect
import threading
from dataclasses import dataclass, field

from elbd.metrics.exposition import Family, Labels, Sample

# seconds: from a member add's millisecond to a reload's seconds
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass(frozen=True)
class Metric:
    name: str
    kind: str  # counter or histogram
    help: str


@dataclass
class Snapshot:
    metrics: dict[str, Metric] = field(default_factory=dict)
    counters: dict[tuple[str, Labels], float] = field(default_factory=dict)
    histograms: dict[tuple[str, Labels], tuple[list[int], float]] = field(default_factory=dict)  # bucket counts (+Inf last), sum

    def families(self) -> list[Family]:
        families = {name: Family(metric.name, metric.kind, metric.help) for name, metric in sorted(self.metrics.items())}
        for (name, labels), value in sorted(self.counters.items()):
            families[name].samples.append(Sample("", labels, value))
        for (name, labels), (counts, total) in sorted(self.histograms.items()):
            samples = families[name].samples
            cumulative = 0
            for bound, count in zip((*BUCKETS, float("inf")), counts, strict=True):
                cumulative += count
                samples.append(Sample("_bucket", (*labels, ("le", "+Inf" if bound == float("inf") else repr(bound))), cumulative))
            samples.append(Sample("_sum", labels, total))
            samples.append(Sample("_count", labels, cumulative))
        return list(families.values())


class Registry:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._snapshot = Snapshot()

    def count(self, metric: Metric, labels: Labels = (), by: float = 1.0) -> None:
        with self._lock:
            self._snapshot.metrics[metric.name] = metric
            key = (metric.name, labels)
            self._snapshot.counters[key] = self._snapshot.counters.get(key, 0.0) + by

    def observe(self, metric: Metric, seconds: float, labels: Labels = ()) -> None:
        with self._lock:
            self._snapshot.metrics[metric.name] = metric
            key = (metric.name, labels)
            counts, total = self._snapshot.histograms.get(key) or ([0] * (len(BUCKETS) + 1), 0.0)
            counts[bisect.bisect_left(BUCKETS, seconds)] += 1
            self._snapshot.histograms[key] = (counts, total + seconds)

    def snapshot(self) -> Snapshot:
        with self._lock:
            return Snapshot(
                dict(self._snapshot.metrics),
                dict(self._snapshot.counters),
                {key: (list(counts), total) for key, (counts, total) in self._snapshot.histograms.items()},
            )
