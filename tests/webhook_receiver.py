"""A webhook receiver for the tests: a real HTTP server on 127.0.0.1 that checks every signature.

Run as ``python tests/webhook_receiver.py --secret S --log FILE [--fail N] [--redirect] [--delay SECONDS]``. It
prints ``PORT <n>`` once listening. Every request is appended to the log as one JSON line (path, headers, body,
whether ``Heroku-Webhook-Hmac-SHA256`` is the base64 HMAC-SHA256 of the exact body with the secret, the answer).
A bad signature is answered 401; the first ``--fail`` good requests 500; then 302 with ``--redirect``, else 200.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--secret", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--fail", type=int, default=0)
    parser.add_argument("--redirect", action="store_true")
    parser.add_argument("--delay", type=float, default=0.0)
    options = parser.parse_args()
    lock = threading.Lock()
    seen = {"good": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            expected = base64.b64encode(
                hmac.new(options.secret.encode(), body, hashlib.sha256).digest()
            ).decode()
            verified = hmac.compare_digest(self.headers.get("Heroku-Webhook-Hmac-SHA256", ""), expected)
            with lock:
                if verified:
                    seen["good"] += 1
                good = seen["good"]
            if options.delay:
                time.sleep(options.delay)
            code = 401 if not verified else 500 if good <= options.fail else 302 if options.redirect else 200
            line = {
                "path": self.path,
                "headers": dict(self.headers.items()),
                "body": body.decode(),
                "verified": verified,
                "answered": code,
                "at": time.time(),
            }
            with lock, open(options.log, "a") as log:
                log.write(json.dumps(line) + "\n")
            self.send_response(code)
            if code == 302:
                self.send_header("Location", "http://127.0.0.1:9/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(f"PORT {server.server_address[1]}", flush=True)
    sys.stdout.close()
    server.serve_forever()


if __name__ == "__main__":
    main()
