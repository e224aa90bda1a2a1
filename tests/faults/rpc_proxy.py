"""A JSON-RPC proxy for tests: forwards each request to a node and, by a seeded draw per request
(in arrival order: one client sends one request at a time), drops or delays a share of them. A
JSON-RPC batch counts as one request of the method "batch".

A dropped request is closed without an answer, before it reaches the node or after the node
carried it out (the answer lost on the way back, the case that matters for a transaction), or
answered with HTTP 502 as a load balancer does; a delayed one waits before it is forwarded."""
from __future__ import annotations

import json
import random
import threading
import time
import urllib.request
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FAULTS = ("drop before", "drop after", "502", "delay")


class RpcProxy:
    """``with RpcProxy(upstream, fault_rate=0.01, seed=7) as proxy: ... proxy.url``."""

    def __init__(self, upstream: str, fault_rate: float = 0.0, seed: int = 0,
                 delay_methods: dict[str, float] | None = None, max_delay_s: float = 0.5,
                 forced: dict[tuple[str, int], str] | None = None):
        self.upstream = upstream
        self.fault_rate = fault_rate
        self.delay_methods = delay_methods or {}
        self.forced = forced or {}  # (method, n) -> the fault of the n-th request of that method (1: the first)
        self.seen: Counter = Counter()  # requests by method
        self.max_delay_s = max_delay_s
        self.random = random.Random(seed)
        self.faults: Counter = Counter()  # (fault, method) -> count
        self.requests = 0
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> "RpcProxy":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _draw(self, method: str) -> tuple[str | None, float]:
        with self._lock:
            self.requests += 1
            self.seen[method] += 1
            fault = self.forced.get((method, self.seen[method]))
            if fault is not None:
                self.faults[(fault, method)] += 1
                return fault, self.max_delay_s
            if self.random.random() >= self.fault_rate:
                return None, 0.0
            fault = self.random.choice(FAULTS)
            self.faults[(fault, method)] += 1
            return fault, self.random.uniform(0.05, self.max_delay_s)

    def _forward(self, body: bytes) -> bytes:
        request = urllib.request.Request(self.upstream, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=120) as answer:
            return answer.read()

    def _handler(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                try:
                    request = json.loads(body)
                    method = "batch" if isinstance(request, list) else request.get("method", "?")
                except (ValueError, AttributeError):
                    method = "?"
                fault, delay = proxy._draw(method)
                time.sleep(proxy.delay_methods.get(method, 0.0) + (delay if fault == "delay" else 0.0))
                if fault == "drop before":
                    self.close_connection = True
                    return
                if fault == "502":
                    self._answer(502, b"bad gateway")
                    return
                try:
                    answer = proxy._forward(body)
                except OSError:
                    self._answer(502, b"upstream unreachable")
                    return
                if fault == "drop after":
                    self.close_connection = True
                    return
                self._answer(200, answer)

            def _answer(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):  # quiet
                pass

        return Handler

    def report(self) -> str:
        by_fault = Counter()
        for (fault, _method), n in self.faults.items():
            by_fault[fault] += n
        sends = sum(n for (fault, method), n in self.faults.items() if method == "eth_sendRawTransaction")
        return (f"{self.requests} requests, {sum(by_fault.values())} faults ("
                + ", ".join(f"{n} {f}" for f, n in sorted(by_fault.items())) + f"; {sends} on eth_sendRawTransaction)")
