"""Prometheus metrics of one server (`GET /metrics`), all named `infraledger_*`.

Counters and histograms are updated where things happen (submissions, every HTTP request); the
log's sizes and the anchor lag are read from the store when the metrics are scraped. Each app
has its own registry, so several apps in one process (tests) never collide.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from anchoring.service import anchor_lag
from ledger.errors import LedgerError
from ledger.storage.anchors import AnchorStore
from ledger.storage.records import RecordStore

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class LogCollector(Collector):
    """The log's sizes and the anchor lag, read at scrape time (the store's state, shared by
    every process appending to it)."""

    def __init__(self, records: RecordStore, anchors: AnchorStore,
                 clock: Callable[[], float]) -> None:
        self._records = records
        self._anchors = anchors
        self._clock = clock

    def collect(self) -> Iterator[Metric]:
        try:
            sizes = self._records.sizes()
            lag = anchor_lag(self._anchors, self._clock())
        except LedgerError:
            yield GaugeMetricFamily("infraledger_store_up", "Whether the store answered", 0)
            return
        yield GaugeMetricFamily("infraledger_store_up", "Whether the store answered", 1)
        for name, doc, value in (
            ("tree_size", "Entries in the log", sizes.tree_size),
            ("checkpoint_size", "Size of the latest signed checkpoint", sizes.checkpoint_size),
            ("anchored_size", "Size of the latest anchored checkpoint", sizes.anchored_size),
            ("anchor_lag_entries", "Entries not yet covered by an anchor", lag.entries),
            ("anchor_lag_seconds", "Age of the oldest entry not yet anchored", lag.seconds),
        ):
            yield GaugeMetricFamily(f"infraledger_{name}", doc, value)


class LedgerMetrics:
    """The metrics of one app."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.appended = Counter("infraledger_appended_entries",
                                "Entries appended to the log", registry=r)
        self.duplicates = Counter("infraledger_duplicate_submissions",
                                  "Submissions the log already held (retries)", registry=r)
        self.rejected = Counter("infraledger_rejected_submissions",
                                "Submissions rejected, by error code", ["code"], registry=r)
        self.batch_items = Histogram(
            "infraledger_submission_batch_items", "Submissions per request (one append each)",
            buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000), registry=r,
        )
        self.sequencer_batch = Histogram(
            "infraledger_sequencer_batch_size", "Entries per committed sequencer batch",
            buckets=(1, 10, 50, 100, 250, 500, 1000, 2000, 5000), registry=r,
        )
        self.requests = Counter("infraledger_http_requests",
                                "HTTP requests by method, route template and status",
                                ["method", "route", "status"], registry=r)
        self.latency = Histogram("infraledger_http_request_duration_seconds",
                                 "HTTP request latency by method and route template",
                                 ["method", "route"], registry=r)
        self._collector: LogCollector | None = None

    def watch(self, records: RecordStore, anchors: AnchorStore,
              clock: Callable[[], float] = time.time) -> None:
        """Report the sizes and lag of the log in these stores (once the node is open)."""
        self.unwatch()
        self._collector = LogCollector(records, anchors, clock)
        self.registry.register(self._collector)

    def unwatch(self) -> None:
        if self._collector is not None:
            self.registry.unregister(self._collector)
            self._collector = None

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric."""
        return generate_latest(self.registry)


class RequestMetrics:
    """ASGI middleware: counts and times each HTTP request by its route template.

    The labelled series of each (method, route, status) are looked up once and kept: finding
    them again through `labels` costs more than counting and timing the request.
    """

    def __init__(self, app: ASGIApp, metrics: LedgerMetrics) -> None:
        self.app = app
        self.metrics = metrics
        self._series: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            route: Any = scope.get("route")
            key = (scope["method"], getattr(route, "path", None) or "unmatched", status)
            series = self._series.get(key)
            if series is None:
                method, template, _ = key
                series = self._series[key] = (
                    self.metrics.requests.labels(method, template, str(status)),
                    self.metrics.latency.labels(method, template),
                )
            count, latency = series
            count.inc()
            latency.observe(time.perf_counter() - started)
