"""The load run's concurrent stream of role changes: ``PATCH /teams/{team}/members`` through the API, on
127.0.0.1 only, back to back from a few threads while wrk loads the pages.

Each thread owns its share of the people, so it knows each one's role and every request it sends is a real
change (admin <-> member): after the run, the database must hold exactly the roles the threads last set and
the audit log one ``member.role_change`` per change answered 200, and every team must still have an admin.
The signed-in admin the pages use and the token's owner are never among the people, so the stream never
takes its own right away. Bounded: it stops when told, or after ``limit`` changes per thread.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from typing import Any

ACCEPT = "application/vnd.heroku+json; version=3"


class RoleStream:
    """``streams`` threads changing the roles of ``people`` (admins first) in ``team``; start, stop, report."""

    def __init__(
        self, base: str, token: str, team: str, people: list[str], streams: int, limit: int = 100_000
    ):
        if not base.startswith("http://127.0.0.1:"):
            raise ValueError("The role stream talks to 127.0.0.1 only.")
        self.url, self.token, self.limit = f"{base}/teams/{team}/members", token, limit
        self.roles: dict[str, str] = {}
        self.statuses: Counter[int] = Counter()
        self.latencies: list[float] = []
        self.failures: list[str] = []
        self._shares = [people[n::streams] for n in range(streams)]
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def start(self, roles: dict[str, str]) -> None:
        """Begin changing roles, knowing everyone's current role (``roles``: e-mail -> role)."""
        self._stop.clear()
        self.roles.update({email: roles[email] for share in self._shares for email in share})
        self._threads = [
            threading.Thread(target=self._run, args=(share,), daemon=True) for share in self._shares
        ]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """Stop every thread after its request in flight."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)

    def _change(self, email: str, role: str) -> int:
        body = json.dumps({"email": email, "role": role}).encode()
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Accept": ACCEPT,
            "Content-Type": "application/json",
        }
        request = urllib.request.Request(self.url, data=body, headers=headers, method="PATCH")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            with self._lock:
                self.failures.append(f"{email}: {error}")
            return 0

    def _run(self, share: list[str]) -> None:
        for n in range(self.limit):
            if self._stop.is_set():
                return
            email = share[n % len(share)]
            role = "member" if self.roles[email] == "admin" else "admin"
            start = time.perf_counter()
            status = self._change(email, role)
            with self._lock:
                self.latencies.append((time.perf_counter() - start) * 1000)
                self.statuses[status] += 1
                if status == 200:
                    self.roles[email] = role
                else:
                    self.failures.append(f"{email} -> {role}: {status}")

    def report(self, after: dict[str, Any], events_before: int) -> dict[str, Any]:
        """The stream's numbers and the invariants, given ``load_world check`` after the run."""
        latencies = sorted(self.latencies)

        def pct(q: float) -> float:
            return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))], 2) if latencies else 0.0

        changed = self.statuses.get(200, 0)
        lost = {e: (r, after["roles"].get(e)) for e, r in self.roles.items() if after["roles"].get(e) != r}
        return {
            "changes": changed,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "p50_ms": pct(0.50),
            "p95_ms": pct(0.95),
            "p99_ms": pct(0.99),
            "failures": self.failures[:10],
            "roles_not_as_set": lost,
            "audit_events": after["role_change_events"] - events_before,
            "teams_without_admin": after["teams_without_admin"],
            "ok": not self.failures
            and not lost
            and not after["teams_without_admin"]
            and after["role_change_events"] - events_before == changed,
        }
