// Reads of the LedgerAnchor contract straight from the chain's JSON-RPC (eth_chainId, eth_call),
// so the anchored root is the chain's word, not the ledger server's.

import { MalformedInput, fromHex } from "./bytes.mjs";

/** keccak256("rootAt(uint64)")[:4]: LedgerAnchor.rootAt(uint64 treeSize) returns (bytes32, uint64). */
export const ROOT_AT_SELECTOR = "0xeaa38b41";

/** The chain could not be asked: a network error, an HTTP error or a JSON-RPC error. */
export class ChainUnreachable extends Error {
  constructor(message) {
    super(message);
    this.name = "ChainUnreachable";
  }
}

/** The call data of rootAt(size), size a BigInt below 2^64. */
export function rootAtCallData(size) {
  if (size < 0n || size >= 2n ** 64n) throw new MalformedInput(`tree size ${size} is not a uint64`);
  return ROOT_AT_SELECTOR + size.toString(16).padStart(64, "0");
}

/** Decode rootAt's ABI return data into `{root: 32 bytes, timestamp: BigInt}`. */
export function decodeRootAt(data) {
  const bytes = fromHex(data, { what: "rootAt result", size: 64, prefixed: true });
  const timestamp = BigInt(`0x${data.slice(66)}`);
  if (timestamp >= 2n ** 64n) throw new MalformedInput("rootAt result: timestamp is not a uint64");
  return { root: bytes.slice(0, 32), timestamp };
}

/** The endpoint answers for another chain than the one pinned. */
export class WrongChain extends Error {
  constructor(message) {
    super(message);
    this.name = "WrongChain";
  }
}

/** One JSON-RPC call; returns its result or throws ChainUnreachable. */
export async function rpc(url, method, params) {
  let response;
  try {
    response = await globalThis.fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    });
  } catch (error) {
    throw new ChainUnreachable(`${url}: ${error.message}`);
  }
  if (!response.ok) throw new ChainUnreachable(`${url}: HTTP ${response.status}`);
  const answer = await response.json();
  if (answer.error) throw new ChainUnreachable(`${url}: ${answer.error.message ?? "JSON-RPC error"}`);
  return answer.result;
}

/**
 * Ask the chain at `url` what LedgerAnchor `contract` holds for `size`: first its chain id, which
 * must be `chainId`, then rootAt(size) at the latest block. Returns `{root, timestamp}`.
 */
export async function readRootAt(url, { chainId, contract, size }) {
  const reported = BigInt(await rpc(url, "eth_chainId", []));
  if (reported !== BigInt(chainId)) {
    throw new WrongChain(`${url} is chain ${reported}, want chain ${chainId}`);
  }
  const data = await rpc(url, "eth_call", [{ to: contract, data: rootAtCallData(size) }, "latest"]);
  return decodeRootAt(data);
}
