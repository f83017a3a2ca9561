"""Prometheus' text exposition format (version 0.0.4), written from values. Pure."""

import math
from dataclasses import dataclass, field

Labels = tuple[tuple[str, str], ...]
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@dataclass(frozen=True)
class Sample:
    suffix: str  # "", "_bucket", "_sum", "_count"
    labels: Labels
    value: float


@dataclass
class Family:
    name: str
    kind: str  # counter, gauge, histogram
    help: str
    samples: list[Sample] = field(default_factory=list)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


def render(families: list[Family]) -> str:
    lines = []
    for family in families:
        lines.append(f"# HELP {family.name} {_escape(family.help)}")
        lines.append(f"# TYPE {family.name} {family.kind}")
        for sample in family.samples:
            labels = ",".join(f'{key}="{_escape(value)}"' for key, value in sample.labels)
            lines.append(f"{family.name}{sample.suffix}{{{labels}}} {_number(sample.value)}" if labels else f"{family.name}{sample.suffix} {_number(sample.value)}")
    return "\n".join(lines) + "\n"
