// Verification of one record's proof bundle (verifier/FORMAT.md, `infraledger-proof/1`) in the
// browser or under node: body ▶ content hash, attachment list ▶ attachments hash, entry ▶ leaf
// hash (= record id), inclusion proof ▶ checkpoint root, checkpoint signature by the pinned log
// key, and the root anchored on chain, read from the chain's JSON-RPC.
//
// `trust` holds what the caller pins: `{origin, vkey, chain_id, anchor_contract}`. Each check
// reports `passed`, `failed` or `not-checked` with a message. The EIP-712 operator signature and
// the registry's operator status are not checked here (no secp256k1 in WebCrypto): the
// command-line verifier checks them.

import { concat, equalBytes, fromHex, sha256, toHex } from "./bytes.mjs";
import { ChainUnreachable, readRootAt } from "./chain.mjs";
import { canonicalBytes } from "./jcs.mjs";
import { Ed25519Unavailable, parseTlogProof, parseVerifierKey, verifyNote } from "./note.mjs";
import { leafHash, verifyInclusion } from "./rfc9162.mjs";

export const FORMAT = "infraledger-proof/1";

/** The checks, in the order they run. */
export const CHECKS = [
  "body_content_hash",
  "attachments_hash",
  "leaf_hash",
  "inclusion",
  "checkpoint_signature",
  "anchored_root",
];

/** The checks that must pass for the verdict `passed`; the others may be not checked. */
const REQUIRED = ["attachments_hash", "leaf_hash", "inclusion", "checkpoint_signature", "anchored_root"];

class CheckFailed extends Error {}

class NotChecked extends Error {}

const passed = (message) => ({ status: "passed", message });

async function bodyContentHash({ bundle, entry }) {
  if (bundle.body === null) {
    throw new NotChecked("the body is withheld from the public (a restricted record)");
  }
  const salt = bundle.salt === null ? new Uint8Array() : fromHex(bundle.salt, { what: "salt", size: 32, prefixed: true });
  const computed = await sha256(concat(salt, canonicalBytes(bundle.body)));
  const content = fromHex(entry.content, { what: "entry.content", size: 32, prefixed: true });
  if (!equalBytes(computed, content)) {
    throw new CheckFailed(`the body hashes to 0x${toHex(computed)}, the entry commits to ${entry.content}`);
  }
  return passed(`SHA-256 of the RFC 8785 body is ${entry.content}`);
}

async function attachmentsHash({ bundle, entry }) {
  const list = bundle.attachments;
  if (!Array.isArray(list)) throw new CheckFailed("the attachment list is not a list");
  for (let i = 1; i < list.length; i += 1) {
    if (list[i].sha256 < list[i - 1].sha256) throw new CheckFailed(`attachment ${i} is out of sha256 order`);
  }
  const computed = await sha256(canonicalBytes(list));
  const committed = fromHex(entry.attachments, { what: "entry.attachments", size: 32, prefixed: true });
  if (!equalBytes(computed, committed)) {
    throw new CheckFailed(`the attachment list hashes to 0x${toHex(computed)}, the entry commits to ${entry.attachments}`);
  }
  return passed(`${list.length} attachment(s), list hash ${entry.attachments}`);
}

async function leafHashCheck(state) {
  state.leaf = await leafHash(canonicalBytes(state.entry));
  const computed = toHex(state.leaf);
  for (const [what, id] of [["the record id asked for", state.recordId], ["the bundle's record id", state.bundle.record_id]]) {
    if (computed !== id) throw new CheckFailed(`the entry's leaf hash is ${computed}, ${what} is ${id}`);
  }
  return passed(`SHA-256(0x00 ‖ RFC 8785 entry) = ${computed}`);
}

async function inclusion(state) {
  if (state.leaf === undefined) throw new NotChecked("the entry has no leaf hash (leaf_hash failed)");
  const { index, hashes, checkpoint } = state.proof;
  await verifyInclusion(index, checkpoint.size, state.leaf, hashes, checkpoint.root);
  return passed(`leaf ${index} with ${hashes.length} proof hash(es) gives the root of the tree of ${checkpoint.size}`);
}

async function checkpointSignature({ bundle, proof, trust }) {
  if (bundle.log?.origin !== trust.origin || proof.checkpoint.origin !== trust.origin) {
    throw new CheckFailed(`the checkpoint is from ${JSON.stringify(proof.checkpoint.origin)}, the pinned log is ${JSON.stringify(trust.origin)}`);
  }
  if (bundle.log?.vkey !== trust.vkey) throw new CheckFailed(`the bundle names the log key ${bundle.log?.vkey}, the pinned key is ${trust.vkey}`);
  try {
    await verifyNote(proof.note, await parseVerifierKey(trust.vkey));
  } catch (error) {
    if (error instanceof Ed25519Unavailable) {
      throw new NotChecked("this browser cannot check Ed25519 signatures (no Ed25519 in its WebCrypto): use the command-line verifier");
    }
    throw error;
  }
  return passed(`Ed25519 signature by ${trust.vkey.split("+").slice(0, 2).join("+")} over the checkpoint of size ${proof.checkpoint.size}`);
}

async function anchoredRoot({ bundle, proof, trust, rpcUrls }) {
  const { size, root } = proof.checkpoint;
  const anchor = bundle.anchor;
  if (anchor !== null) {
    if (BigInt(anchor.tree_size) !== size || anchor.root !== `0x${toHex(root)}`) {
      throw new CheckFailed(`the bundle's anchor is of size ${anchor.tree_size} and root ${anchor.root}, the checkpoint's of ${size} and 0x${toHex(root)}`);
    }
    if (anchor.chain_id !== trust.chain_id || anchor.contract !== trust.anchor_contract) {
      throw new CheckFailed(`the anchor is on chain ${anchor.chain_id} at ${anchor.contract}, the pinned LedgerAnchor is on chain ${trust.chain_id} at ${trust.anchor_contract}`);
    }
  }
  if (rpcUrls.length === 0) throw new NotChecked("no JSON-RPC endpoint of the chain to ask");
  for (const url of rpcUrls) {
    let onChain;
    try {
      onChain = await readRootAt(url, { chainId: trust.chain_id, contract: trust.anchor_contract, size });
    } catch (error) {
      if (error instanceof ChainUnreachable) throw new NotChecked(`could not ask the chain: ${error.message}`);
      throw error;
    }
    if (onChain.root.every((byte) => byte === 0)) {
      if (anchor === null) throw new NotChecked(`the tree of ${size} is not anchored yet: try again shortly`);
      throw new CheckFailed(`${url}: LedgerAnchor holds no root for the tree of ${size}`);
    }
    if (!equalBytes(onChain.root, root)) {
      throw new CheckFailed(`${url}: LedgerAnchor holds root 0x${toHex(onChain.root)} for size ${size}, the checkpoint says 0x${toHex(root)}`);
    }
    if (anchor !== null && onChain.timestamp !== BigInt(anchor.block_time)) {
      throw new CheckFailed(`${url}: anchored at time ${onChain.timestamp}, the bundle says ${anchor.block_time}`);
    }
  }
  return passed(`LedgerAnchor.rootAt(${size}) on chain ${trust.chain_id} is the checkpoint root 0x${toHex(root)}`);
}

const RUNNERS = {
  body_content_hash: bodyContentHash,
  attachments_hash: attachmentsHash,
  leaf_hash: leafHashCheck,
  inclusion,
  checkpoint_signature: checkpointSignature,
  anchored_root: anchoredRoot,
};

/** The checks that need the parsed tlog proof; not checked when it does not parse. */
const NEEDS_PROOF = new Set(["inclusion", "checkpoint_signature", "anchored_root"]);

function parseProof(bundle) {
  try {
    return { proof: parseTlogProof(bundle.proof) };
  } catch (error) {
    return { proofError: `the tlog proof does not parse: ${error.message}` };
  }
}

/**
 * Run every check on `bundle` (the parsed JSON of GET /v1/records/{id}/proof) for the record
 * `recordId`, against the pinned `trust`, asking the chain at each of `rpcUrls` (absolute URLs).
 * Returns `{verdict, checks: [{name, status, message}]}`: the verdict is `failed` when a check
 * failed, `passed` when every check passed (the body may be withheld), else `incomplete`.
 */
export async function verifyBundle(bundle, { recordId, trust, rpcUrls }) {
  const checks = [];
  const report = (name, status, message) => checks.push({ name, status, message });
  if (bundle?.format !== FORMAT || typeof bundle.entry !== "object" || bundle.entry === null) {
    for (const name of CHECKS) report(name, "failed", `not a ${FORMAT} bundle`);
    return { verdict: "failed", checks };
  }
  const state = { bundle, entry: bundle.entry, recordId, trust, rpcUrls, ...parseProof(bundle) };
  for (const name of CHECKS) {
    if (NEEDS_PROOF.has(name) && state.proof === undefined) {
      report(name, name === "inclusion" ? "failed" : "not-checked", state.proofError);
      continue;
    }
    try {
      const { status, message } = await RUNNERS[name](state);
      report(name, status, message);
    } catch (error) {
      // Anything else thrown (a malformed member, a failed proof) fails the check.
      report(name, error instanceof NotChecked ? "not-checked" : "failed", error?.message ?? String(error));
    }
  }
  return { verdict: verdictOf(checks), checks };
}

function verdictOf(checks) {
  if (checks.some((check) => check.status === "failed")) return "failed";
  const complete = checks.every((check) => check.status === "passed" || !REQUIRED.includes(check.name));
  return complete ? "passed" : "incomplete";
}
