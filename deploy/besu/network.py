#!/usr/bin/env python3
"""Lay out a QBFT network's shared files from the validators' public keys.

    python3 deploy/besu/network.py NETWORK_DIR HOST:PORT HOST:PORT HOST:PORT HOST:PORT

Validator i's public key is read from NETWORK_DIR/node-i/key.pub (what `besu public-key export`
writes: 0x and 128 hex digits); HOST:PORT is where its P2P port is reached. Written into
NETWORK_DIR, from the template qbft-config.json next to this file:

    qbft-config.json          the template with the four public keys filled in, the input of
                              `besu operator generate-blockchain-config` (which adds extraData)
    static-nodes.json         every validator's enode URL: each node connects to all of them
    permissions_config.toml   the same enode URLs as the node allowlist

Only public keys are read; no private key is ever needed here. Standard library only.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

TEMPLATE = Path(__file__).with_name("qbft-config.json")
VALIDATORS = 4
_PUBLIC_KEY = re.compile(r"(?:0x)?([0-9a-fA-F]{128})")
_ENDPOINT = re.compile(r"([0-9A-Za-z.\-]+):([0-9]{1,5})")


class LayoutError(Exception):
    """A public key file or an endpoint is unusable."""


def read_public_key(path: Path) -> str:
    """Return the 64-byte secp256k1 public key in `path` as 128 lowercase hex digits."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise LayoutError(f"cannot read the public key {path}: {exc}") from exc
    match = _PUBLIC_KEY.fullmatch(text)
    if match is None:
        raise LayoutError(f"{path}: want 0x and 128 hex digits (besu public-key export)")
    return match.group(1).lower()


def enode(public_key: str, endpoint: str) -> str:
    """The enode URL of a node: `enode://<public key>@<host>:<port>`."""
    match = _ENDPOINT.fullmatch(endpoint)
    if match is None or not 0 < int(match.group(2)) < 65536:
        raise LayoutError(f"{endpoint!r}: want HOST:PORT")
    return f"enode://{public_key}@{endpoint}"


def lay_out(network: Path, endpoints: list[str]) -> list[str]:
    """Write the three shared files into `network`; return the enode URLs."""
    if len(endpoints) != VALIDATORS:
        raise LayoutError(f"got {len(endpoints)} endpoints, want {VALIDATORS}")
    keys = [read_public_key(network / f"node-{i}" / "key.pub") for i in range(1, VALIDATORS + 1)]
    if len(set(keys)) != VALIDATORS:
        raise LayoutError("two validators have the same public key")
    enodes = [enode(key, endpoint) for key, endpoint in zip(keys, endpoints, strict=True)]
    config = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    config["blockchain"]["nodes"] = {"generate": False, "keys": ["0x" + key for key in keys]}
    (network / "qbft-config.json").write_text(json.dumps(config, indent=2) + "\n")
    (network / "static-nodes.json").write_text(json.dumps(enodes, indent=2) + "\n")
    allowlist = ",\n  ".join(json.dumps(url) for url in enodes)
    (network / "permissions_config.toml").write_text(f"nodes-allowlist=[\n  {allowlist}\n]\n")
    return enodes


def main(argv: list[str]) -> int:
    if len(argv) != 1 + VALIDATORS:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    try:
        for url in lay_out(Path(argv[0]), argv[1:]):
            print(url)
    except LayoutError as exc:
        print(f"network.py: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
