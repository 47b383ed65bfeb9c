"""A child process that appends to a log, for the concurrency and crash tests.

    python -m tests.ledger.appender URL WORKER COUNT [--forever]

Appends COUNT entries (or batches forever) through a real Sequencer, printing one line
`<index> <leaf hash hex>` per acknowledged entry, flushed as soon as its batch committed.
"""

from __future__ import annotations

import asyncio
import sys

from ledger.entry import Entry, to_checksum_address
from ledger.note import Signer
from ledger.service.sequencer import Sequencer
from ledger.storage.store import LogStore, PendingEntry

ORIGIN = "test.example/log"


def make_entry(worker: int, n: int) -> Entry:
    return Entry(
        kind="indicator", schema="indicator/1", subject=f"indicator:w{worker}:{n}",
        operator=to_checksum_address("0x" + f"{worker:02x}" * 20),
        content="0x" + f"{n:064x}", attachments="0x" + "00" * 32, supersedes=None,
        issued_at=1_700_000_000 + n, signature="0x" + "11" * 65,
    )


async def run(url: str, worker: int, count: int, forever: bool) -> None:
    store = LogStore(url, ORIGIN, now=0)
    sequencer = Sequencer(store, Signer.generate(ORIGIN), max_delay=0.005)
    await sequencer.start()
    n = 0

    async def one_request(first: int, size: int) -> None:
        items = [PendingEntry.of(make_entry(worker, k)) for k in range(first, first + size)]
        appended = await sequencer.append(items)
        sys.stdout.write("".join(f"{r.index} {r.leaf_hash.hex()}\n" for r in appended.results))
        sys.stdout.flush()

    while forever or n < count:
        size = 50 if forever else min(50, count - n)
        requests = []
        for _ in range(8):
            if not forever and n >= count:
                break
            requests.append(one_request(n, size))
            n += size
        await asyncio.gather(*requests)
    await sequencer.close()
    store.close()


if __name__ == "__main__":
    asyncio.run(run(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), "--forever" in sys.argv))
