"""Timing in rounds: every variant of a case runs once per round, so ratios compare runs of the same round."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext


@dataclass
class Variant:
    """One way of answering a case: ``run`` is timed ``number`` times a round, after an untimed ``setup``."""

    label: str
    run: Callable[[], Any]
    setup: Callable[[], Any] = lambda: None
    number: int = 1
    context: Callable[[], Any] | None = None
    per: int = 1
    """How many operations one ``run`` makes (a loop inside ``run`` keeps the timer's own cost out)."""
    best: int = 1
    """A round's time is the fastest of ``best`` repeats: a loop of microsecond checks lasts about one time
    slice of the scheduler, so on a shared machine a repeat is either clean or preempted, never in between."""


@dataclass
class Result:
    case: str
    label: str
    median_us: float
    queries: int
    ratio: float | None = None
    baseline: str | None = None
    rounds_us: list[float] = field(default_factory=list)


def queries_of(variant: Variant) -> int:
    variant.setup()
    connection.queries_log.clear()  # it keeps 9,000 queries: once full (guardian's ~9,000) every count read 0
    with CaptureQueriesContext(connection) as captured:
        variant.run()
    return round(len(captured.captured_queries) / variant.per)


def _once(variant: Variant) -> float:
    """Microseconds per call, ``number`` calls (each after its setup when ``number`` is 1); the fastest of
    ``best`` such repeats."""
    if variant.context is not None:
        with variant.context():
            return _once(
                Variant(
                    variant.label,
                    variant.run,
                    variant.setup,
                    variant.number,
                    per=variant.per,
                    best=variant.best,
                )
            )
    return min(_repeat(variant) for _ in range(variant.best))


def _repeat(variant: Variant) -> float:
    total = 0.0
    for _ in range(variant.number):
        variant.setup()
        start = time.perf_counter()
        variant.run()
        total += time.perf_counter() - start
    return total / variant.number / variant.per * 1e6


def measure(case: str, variants: list[Variant], rounds: int, baseline: str) -> list[Result]:
    """Median time of each variant and the median of its same-round ratios to ``baseline``."""
    for variant in variants:  # warm-up: imports, query compilation, caches of Django itself
        _once(variant)
    times: dict[str, list[float]] = {v.label: [] for v in variants}
    for _ in range(rounds):
        for variant in variants:
            times[variant.label].append(_once(variant))
    results = []
    for variant in variants:
        ratios = [t / b for t, b in zip(times[variant.label], times[baseline], strict=True)]
        results.append(
            Result(
                case=case,
                label=variant.label,
                median_us=statistics.median(times[variant.label]),
                queries=queries_of(variant),
                ratio=None if variant.label == baseline else statistics.median(ratios),
                baseline=None if variant.label == baseline else baseline,
                rounds_us=[round(t, 2) for t in times[variant.label]],
            )
        )
    return results
