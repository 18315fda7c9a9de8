"""The bench's table on stdout and its JSON file."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from accessctl.bench.timing import Result


def table(results: list[Result]) -> str:
    """One line per variant: median time, queries, median same-round ratio to the case's baseline."""
    lines = [f"{'case':34} {'variant':22} {'median':>12} {'queries':>7} {'ratio':>8}  vs"]
    for r in results:
        ratio = f"{r.ratio:7.2f}x" if r.ratio is not None else "        "
        time = f"{r.median_us:10.1f}us" if r.median_us < 10_000 else f"{r.median_us / 1000:10.1f}ms"
        lines.append(f"{r.case:34} {r.label:22} {time:>12} {r.queries:7d} {ratio}  {r.baseline or ''}")
    return "\n".join(lines)


def write(path: str, meta: dict[str, Any], results: list[Result]) -> None:
    Path(path).write_text(json.dumps({**meta, "results": [asdict(r) for r in results]}, indent=2))
