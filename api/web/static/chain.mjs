// Reads of the LedgerAnchor and OperatorRegistry contracts through a chain's JSON-RPC (eth_chainId,
// eth_call at the latest block), ABI-encoded and decoded by hand as verifier/onchain.py does:
//
//   LedgerAnchor.rootAt(uint64 treeSize) returns (bytes32 root, uint64 timestamp)
//   OperatorRegistry.isActive(address) returns (bool)
//   OperatorRegistry.operatorOf(address) returns (string name, string licence, bool active,
//                                                 uint64 registeredAt, uint64 revokedAt)
//   OperatorRegistry.hasRole(bytes32 role, address account) returns (bool), at a given block
//
// Each answer is that one endpoint's word: the caller asks several and compares. Static words are
// decoded strictly (a uint64 or bool word with stray high bits is refused), and a `string` only in
// the canonical layout the Solidity encoder writes (tails in order, right after the head).

import { MalformedInput, fromHex, toHex } from "./bytes.mjs";
import { text } from "./text.mjs";

/** keccak256("rootAt(uint64)")[:4]. */
export const ROOT_AT_SELECTOR = "0xeaa38b41";
/** keccak256("isActive(address)")[:4]. */
export const IS_ACTIVE_SELECTOR = "0x9f8a13d7";
/** keccak256("operatorOf(address)")[:4]. */
export const OPERATOR_OF_SELECTOR = "0x636f35d3";
/** keccak256("hasRole(bytes32,address)")[:4]. */
export const HAS_ROLE_SELECTOR = "0x91d14854";
/** keccak256("REGISTRAR_ROLE"): the role of the department's key, which files plans, bindings and
 * compiled figures. */
export const REGISTRAR_ROLE = "0xedcc084d3dcd65a1f7f23c65c46722faca6953d28e43150a467cf43e5c309238";
/** How long one JSON-RPC call may take before its endpoint counts as unreachable. */
export const RPC_TIMEOUT_MS = 10_000;

const WORD = 32;
const MAX_UINT64 = 2n ** 64n;

/** The chain could not be asked: a network error, a timeout, an HTTP or a JSON-RPC error; `text` is the reason `[vi, en]`. */
export class ChainUnreachable extends Error {
  constructor([vi, en]) {
    super(en);
    this.name = "ChainUnreachable";
    this.text = [vi, en];
  }
}

/** The endpoint answers for chain `reported`, not the pinned chain `wanted`. */
export class WrongChain extends Error {
  constructor(reported, wanted) {
    super(`the endpoint is chain ${reported}, want chain ${wanted}`);
    this.name = "WrongChain";
    this.reported = reported;
    this.wanted = wanted;
  }
}

/** The call data of rootAt(size), size a BigInt below 2^64. */
export function rootAtCallData(size) {
  if (size < 0n || size >= MAX_UINT64) throw new MalformedInput(`tree size ${size} is not a uint64`);
  return ROOT_AT_SELECTOR + size.toString(16).padStart(64, "0");
}

/** The call data of a view taking one address (`0x` and 40 hex digits, any case). */
export function addressCallData(selector, address) {
  if (typeof address !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(address)) {
    throw new MalformedInput(`${address} is not an address`);
  }
  return selector + address.slice(2).toLowerCase().padStart(64, "0");
}

/** The call data of hasRole(role, account): `role` 0x and 64 hex digits, `account` an address. */
export function hasRoleCallData(role, account) {
  if (typeof role !== "string" || !/^0x[0-9a-f]{64}$/.test(role)) throw new MalformedInput(`${role} is not a role`);
  return HAS_ROLE_SELECTOR + role.slice(2) + addressCallData("", account);
}

function words(data, what) {
  if (typeof data !== "string" || !data.startsWith("0x")) throw new MalformedInput(`${what} result: want 0x and hex digits`);
  const bytes = fromHex(data.slice(2).toLowerCase(), { what: `${what} result` });
  if (bytes.length % WORD !== 0) throw new MalformedInput(`${what} result is ${bytes.length} bytes, not whole words`);
  return bytes;
}

function uint64(bytes, at, what) {
  const word = bytes.subarray(at, at + WORD);
  if (word.subarray(0, 24).some((byte) => byte !== 0)) throw new MalformedInput(`${what}: word 0x${toHex(word)} is not a uint64`);
  return BigInt(`0x${toHex(word)}`);
}

function bool(bytes, at, what) {
  const word = bytes.subarray(at, at + WORD);
  if (word.subarray(0, 31).some((byte) => byte !== 0) || word[31] > 1) {
    throw new MalformedInput(`${what}: word 0x${toHex(word)} is not a bool`);
  }
  return word[31] === 1;
}

/** Decode rootAt's ABI return data into `{root: 32 bytes, timestamp: BigInt}`. */
export function decodeRootAt(data) {
  const bytes = words(data, "rootAt");
  if (bytes.length !== 2 * WORD) throw new MalformedInput(`rootAt result is ${bytes.length} bytes, want 64`);
  return { root: bytes.slice(0, WORD), timestamp: uint64(bytes, WORD, "rootAt timestamp") };
}

/** Decode isActive's ABI return data. */
export function decodeIsActive(data) {
  return decodeBool(data, "isActive");
}

/** Decode hasRole's ABI return data. */
export function decodeHasRole(data) {
  return decodeBool(data, "hasRole");
}

function decodeBool(data, what) {
  const bytes = words(data, what);
  if (bytes.length !== WORD) throw new MalformedInput(`${what} result is ${bytes.length} bytes, want 32`);
  return bool(bytes, 0, what);
}

/**
 * Decode the `string` whose head word is at `head`, which must point at `at` (the canonical place
 * of its tail); returns the text and where the tail ends.
 */
function string(bytes, head, at, what) {
  const offset = uint64(bytes, head, `${what} offset`);
  if (offset !== BigInt(at)) throw new MalformedInput(`${what}: offset ${offset}, want ${at}`);
  if (at + WORD > bytes.length) throw new MalformedInput(`${what}: the length word is past the end of the data`);
  const length = Number(uint64(bytes, at, `${what} length`));
  const start = at + WORD;
  const end = start + Math.ceil(length / WORD) * WORD;
  if (end > bytes.length) throw new MalformedInput(`${what}: ${length} bytes run past the end of the data`);
  if (bytes.subarray(start + length, end).some((byte) => byte !== 0)) throw new MalformedInput(`${what}: the padding after the text is not zero`);
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(start, start + length)), end };
  } catch {
    throw new MalformedInput(`${what} is not UTF-8`);
  }
}

/**
 * Decode operatorOf's ABI return data into `{name, licence, active, registeredAt, revokedAt}`
 * (times BigInt block timestamps; registeredAt 0 for an address never registered, revokedAt 0
 * while not revoked).
 */
export function decodeOperatorOf(data) {
  const bytes = words(data, "operatorOf");
  if (bytes.length < 5 * WORD) throw new MalformedInput(`operatorOf result is ${bytes.length} bytes, want at least ${5 * WORD}`);
  const name = string(bytes, 0, 5 * WORD, "operatorOf name");
  const licence = string(bytes, WORD, name.end, "operatorOf licence");
  if (licence.end !== bytes.length) throw new MalformedInput(`operatorOf result is ${bytes.length} bytes, want ${licence.end}`);
  return {
    name: name.text,
    licence: licence.text,
    active: bool(bytes, 2 * WORD, "operatorOf active"),
    registeredAt: uint64(bytes, 3 * WORD, "operatorOf registeredAt"),
    revokedAt: uint64(bytes, 4 * WORD, "operatorOf revokedAt"),
  };
}

/**
 * Whether a registration (decodeOperatorOf) was active at block time `time` (BigInt):
 * 0 < registeredAt <= time and (revokedAt = 0 or revokedAt > time), verifier/onchain.py's rule.
 */
export function activeAt({ registeredAt, revokedAt }, time) {
  return registeredAt > 0n && registeredAt <= time && (revokedAt === 0n || revokedAt > time);
}

/** One JSON-RPC call; returns its result or throws ChainUnreachable (its message names no URL). */
export async function rpc(url, method, params) {
  let response;
  let answer;
  try {
    response = await globalThis.fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
      signal: AbortSignal.timeout(RPC_TIMEOUT_MS),
    });
    if (!response.ok) throw new ChainUnreachable(text("chain.http_error", { status: String(response.status) }));
    answer = await response.json();
  } catch (error) {
    if (error instanceof ChainUnreachable) throw error;
    if (error?.name === "TimeoutError") throw new ChainUnreachable(text("chain.timeout", { seconds: RPC_TIMEOUT_MS / 1000 }));
    throw new ChainUnreachable(text("chain.network_error", { reason: error.message }));
  }
  if (answer?.error) throw new ChainUnreachable(text("chain.rpc_error", { reason: String(answer.error.message ?? answer.error.code) }));
  return answer?.result;
}

/** Check that the endpoint at `url` serves chain `chainId`; throws WrongChain or ChainUnreachable. */
export async function requireChain(url, chainId) {
  const answer = await rpc(url, "eth_chainId", []);
  let reported;
  try {
    reported = BigInt(answer);
  } catch {
    throw new MalformedInput(`eth_chainId answered ${JSON.stringify(answer)}, not a quantity`);
  }
  if (reported !== BigInt(chainId)) throw new WrongChain(reported, BigInt(chainId));
}

async function call(url, to, data, block = "latest") {
  return rpc(url, "eth_call", [{ to, data }, block]);
}

/** LedgerAnchor `contract`'s rootAt(size) at `url`: `{root, timestamp}` (a zero root: not anchored). */
export async function readRootAt(url, contract, size) {
  return decodeRootAt(await call(url, contract, rootAtCallData(size)));
}

/** OperatorRegistry `registry`'s operatorOf(operator) at `url` (see decodeOperatorOf). */
export async function readOperatorOf(url, registry, operator) {
  return decodeOperatorOf(await call(url, registry, addressCallData(OPERATOR_OF_SELECTOR, operator)));
}

/**
 * Whether `account` held `role` in OperatorRegistry `registry` at block `blockNumber` (a number, or
 * null for the latest block), read at `url`: the state at that block, which a node keeping only
 * recent state cannot give (its error makes the endpoint unreachable, never a pass).
 */
export async function readHasRole(url, registry, role, account, blockNumber) {
  const block = blockNumber === null ? "latest" : "0x" + BigInt(blockNumber).toString(16);
  return decodeHasRole(await call(url, registry, hasRoleCallData(role, account), block));
}

/** OperatorRegistry `registry`'s isActive(operator) at `url`. */
export async function readIsActive(url, registry, operator) {
  return decodeIsActive(await call(url, registry, addressCallData(IS_ACTIVE_SELECTOR, operator)));
}
