"""`python -m tests.reliability.cache_budget ARGS`: `infraledger ARGS` with the node-run cache
budget of every `LogStore` the process opens set to `$SOAK_NODE_CACHE_BYTES` (the soak's
`--node-cache-mib`), so a soak on a slow machine fills it within its minutes.

The server has no setting for the budget (`LogStore(node_cache_bytes=...)`, default
`NODE_CACHE_BYTES`): this sets the default of that keyword before the command runs, and changes
nothing else.
"""

from __future__ import annotations

import os
import sys

from api.cli import main
from ledger.storage.store import LogStore

if __name__ == "__main__":
    defaults = LogStore.__init__.__kwdefaults__
    assert defaults is not None and "node_cache_bytes" in defaults
    defaults["node_cache_bytes"] = int(os.environ["SOAK_NODE_CACHE_BYTES"])
    sys.exit(main())
