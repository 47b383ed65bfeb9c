"""Chain fixtures (embedded py-evm and anvil) from tests/chain_fixtures.py."""

from tests.chain_fixtures import (
    anvil_env,
    anvil_node,
    chain_env,
    embedded_chain,
    embedded_env,
    fresh_anchor,
)

__all__ = ["anvil_env", "anvil_node", "chain_env", "embedded_chain", "embedded_env",
           "fresh_anchor"]
