"""The `infraledger` command groups: each module exposes `register(subparsers)`."""
