"""Administration commands of `infraledger`: serve, chain, operators, anchors, tokens."""
