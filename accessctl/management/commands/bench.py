"""``manage.py bench``: the performance benchmark of issue 13 (see docs/performance.md). Not run in CI."""

import os
import platform
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

BENCH_SETTINGS = "accessctl.bench.settings"
STEPS = ("cold", "warm", "my_access", "app_access", "pages", "api_members")


class Command(BaseCommand):
    help = "Seed the benchmark scale into its own database, measure, print a table and write JSON."

    def add_arguments(self, parser):
        parser.add_argument("--out", default="bench.json", help="JSON file to write (default bench.json)")
        parser.add_argument("--rounds", type=int, default=7, help="rounds per case (default 7)")
        parser.add_argument(
            "--only",
            default=",".join(STEPS),
            help=f"comma-separated steps to measure (default all: {','.join(STEPS)})",
        )

    def handle(self, *args, out, rounds, only, **options):
        if settings.SETTINGS_MODULE != BENCH_SETTINGS:  # guardian and the bench database only there
            env = {**os.environ, "DJANGO_SETTINGS_MODULE": BENCH_SETTINGS}
            argv = [
                sys.executable,
                sys.argv[0],
                "bench",
                "--out",
                out,
                "--rounds",
                str(rounds),
                "--only",
                only,
            ]
            raise SystemExit(subprocess.call(argv, env=env))
        from accessctl.bench import cases, database, pages, report, seed

        label = database.recreate()
        start = time.perf_counter()
        world = seed.seed()
        seed.seed_guardian(world)
        seed.analyze()  # the guardian tables too
        seeded = time.perf_counter() - start
        self.stdout.write(f"{label}: seeded in {seeded:.1f}s; {rounds} rounds per case")
        results = []
        steps = {name: getattr(pages if name in ("pages", "api_members") else cases, name) for name in STEPS}
        unknown = set(only.split(",")) - set(steps)
        if unknown:
            raise SystemExit(
                f"--only: unknown step(s) {', '.join(sorted(unknown))}; choose from {', '.join(STEPS)}"
            )
        for step in (steps[name] for name in STEPS if name in only.split(",")):
            results += step(world, rounds)
            self.stdout.write(report.table([r for r in results if r.case == results[-1].case][-8:]))
        self.stdout.write("\n" + report.table(results))
        meta = {
            "database": label,
            "seed_seconds": round(seeded, 1),
            "rounds": rounds,
            "python": platform.python_version(),
            "machine": platform.platform(),
            "cpus": os.cpu_count(),
        }
        report.write(out, meta, results)
        self.stdout.write(f"wrote {out}")
