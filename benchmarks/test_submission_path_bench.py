"""The CPU cost of the stateless checks of a bulk request, this tree against an earlier commit's.

Both run the same request bodies (50 bulks of 100 signed submissions, as operators send them) in
a subprocess of their own tree, from the raw body to the checked items, single-threaded, and
report CPU seconds per record (process time, so another process on the machine changes little):

- earlier (`INFRALEDGER_BENCH_BEFORE`, default `ea00dbb`, before the single submission path):
  `parse_json_body` (orjson) and `_items_of`, then `check_stateless` over the decoded objects;
- this tree: `submission_items` (msgspec.Raw slices), then `prepare_all` over each item's bytes.

    .venv/bin/python -m pytest benchmarks/test_submission_path_bench.py --benchmark-only -q -s
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Final

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from benchmarks.test_http_bench import BULK, bulk_body, signed_submissions
from filings.signing import SubmissionDomain

BODIES: Final = 50
REPEATS: Final = 9
DOMAIN: Final = SubmissionDomain(2542023, "0x" + "ab" * 20)
PROGRAMS: Final = {
    "before": """
import json, sys, time
from api.routes.checking import check_stateless
from api.routes.limits import parse_json_body
from api.routes.submissions import _items_of
from api.submission import SubmissionDomain
bodies = [bytes.fromhex(h) for h in json.load(open(sys.argv[1]))]
domain = SubmissionDomain(2542023, "0x" + "ab" * 20)
def once():
    for body in bodies:
        items, _ = _items_of(parse_json_body(body), 1000)
        assert all(type(c).__name__ == "CheckedItem" for c in check_stateless(domain, items))
""",
    "after": """
import json, sys, time
from api.routes.submissions import submission_items
from filings.admission import prepare_all
from filings.signing import SubmissionDomain
bodies = [bytes.fromhex(h) for h in json.load(open(sys.argv[1]))]
domain = SubmissionDomain(2542023, "0x" + "ab" * 20)
def once():
    for body in bodies:
        items, _ = submission_items(body, 1000)
        assert all(type(c).__name__ == "PreparedSubmission" for c in prepare_all(domain, items))
""",
}
TIMING: Final = """
once()
best = min(
    (lambda start: (once(), time.process_time() - start)[1])(time.process_time())
    for _ in range(int(sys.argv[2]))
)
print(best)
"""


@pytest.fixture(scope="module")
def bodies(tmp_path_factory: pytest.TempPathFactory) -> Path:
    items = signed_submissions(DOMAIN, BODIES * BULK, 0)
    path = tmp_path_factory.mktemp("bodies") / "bodies.json"
    path.write_text(json.dumps([bulk_body(items[i:i + BULK]).hex()
                                for i in range(0, len(items), BULK)]))
    return path


@pytest.mark.benchmark(group="submission-path")
def test_stateless_checks_cpu_per_record(benchmark: BenchmarkFixture, trees: dict[str, Path],
                                         bodies: Path) -> None:
    """CPU microseconds per record of each tree's stateless checks, best of `REPEATS` (9)."""
    costs: dict[str, float] = {}

    def measure() -> None:
        for name, tree in trees.items():
            done = subprocess.run(
                [sys.executable, "-c", PROGRAMS[name] + TIMING, str(bodies), str(REPEATS)],
                cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)},
                capture_output=True, text=True, check=True,
            )
            costs[name] = float(done.stdout.split()[-1]) / (BODIES * BULK) * 1e6

    benchmark.pedantic(measure, rounds=1, iterations=1)
    benchmark.extra_info.update({f"{name}_us_per_record": round(cost, 1)
                                 for name, cost in costs.items()})
    benchmark.extra_info["after_over_before"] = round(costs["after"] / costs["before"], 3)
    print(f"\nstateless checks, CPU per record: before {costs['before']:.1f} us, "
          f"after {costs['after']:.1f} us, after/before {costs['after'] / costs['before']:.3f}")
