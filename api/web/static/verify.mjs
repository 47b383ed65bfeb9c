// Verification of one record's proof bundle (verifier/FORMAT.md, `infraledger-proof/1`) in the
// browser or under node: body ▶ content hash, attachment list ▶ attachments hash, entry ▶ leaf
// hash (= record id), the operator's EIP-712 signature ▶ the entry's operator, the operator's
// registry status at the anchor's time, inclusion proof ▶ checkpoint root, checkpoint signature
// by the pinned log key, and the root anchored on chain.
//
// An entry whose `signature` is null is signed with a CA certificate only: a CMS among its
// evidence documents signs its fields for the operator. The page does not check CMS signatures
// (the command-line verifier does), so its signature check is not checked, neither passed nor
// failed; every other check runs as for any record.
//
// `trust` holds what the caller pins: `{origin, vkey, chain_id, anchor_contract,
// operator_registry}`. The chain is read through every endpoint of `rpcUrls`, all at once; each
// endpoint's answers are compared with what the bundle claims, and the endpoint reported as
// `agreed`, `disagreed` or `unreachable`. A chain check passes when at least one endpoint answered
// and none disagreed, fails when one disagreed, and is not checked when none answered. The
// operator's status is dated as the command-line verifier dates it (FORMAT.md, check 7):
// OperatorRegistry.operatorOf must show it registered at or before the anchor's block time and
// not revoked by then; a record not anchored yet needs isActive now. The department's records
// (plans, bindings, and compiled indicator/2 figures whose signer is no active operator) need
// REGISTRAR_ROLE held at the anchor's block (hasRole read at that block), or now.
//
// Each check reports `passed`, `failed` or `not-checked` with a message in Vietnamese and English
// (`[vi, en]`, from the catalogue: text.mjs). The verdict is `passed` only when every check
// passed, `failed` when one failed, and `incomplete` otherwise: a check that could not run is
// never counted as passed.

import { MalformedInput, concat, equalBytes, fromHex, sha256, toHex } from "./bytes.mjs";
import { ChainUnreachable, REGISTRAR_ROLE, WrongChain, activeAt, readHasRole, readIsActive, readOperatorOf, readRootAt, requireChain } from "./chain.mjs";
import { SubmissionSignatureError, addressBytes, verifySubmissionSignature } from "./eip712.mjs";
import { canonicalBytes } from "./jcs.mjs";
import { Ed25519Unavailable, parseTlogProof, parseVerifierKey, verifyNote } from "./note.mjs";
import { leafHash, verifyInclusion } from "./rfc9162.mjs";
import { keyAt } from "./rotation.mjs";
import { text, timeWords } from "./text.mjs";

export const FORMAT = "infraledger-proof/1";

/** The checks, in the order they run (FORMAT.md's order, of the checks the page makes). */
export const CHECKS = [
  "body_content_hash",
  "attachments_hash",
  "leaf_hash",
  "signature",
  "operator_active",
  "inclusion",
  "checkpoint_signature",
  "anchored_root",
];

/** A check found the bundle wrong; `text` is the message `[vi, en]`. */
class CheckFailed extends Error {
  constructor([vi, en]) {
    super(en);
    this.text = [vi, en];
  }
}

/** A check could not run; `text` is the message `[vi, en]`. */
class NotChecked extends Error {
  constructor([vi, en]) {
    super(en);
    this.text = [vi, en];
  }
}

const passed = (message) => ({ status: "passed", message });
const short = (bytes) => `0x${toHex(bytes)}`;

async function bodyContentHash({ bundle, entry }) {
  if (bundle.body === null) {
    throw new NotChecked(text("proof.body_withheld"));
  }
  const salt = bundle.salt === null ? new Uint8Array() : fromHex(bundle.salt, { what: "salt", size: 32, prefixed: true });
  const computed = await sha256(concat(salt, canonicalBytes(bundle.body)));
  const content = fromHex(entry.content, { what: "entry.content", size: 32, prefixed: true });
  if (!equalBytes(computed, content)) {
    throw new CheckFailed(text("proof.body_hash_differs", { computed: short(computed), committed: entry.content }));
  }
  return passed(text("proof.body_hash_passed", { hash: entry.content }));
}

async function attachmentsHash({ bundle, entry }) {
  const list = bundle.attachments;
  if (!Array.isArray(list)) throw new CheckFailed(text("proof.attachments_not_list"));
  for (let i = 1; i < list.length; i += 1) {
    if (list[i].sha256 < list[i - 1].sha256) {
      throw new CheckFailed(text("proof.attachment_out_of_order", { index: i }));
    }
  }
  const computed = await sha256(canonicalBytes(list));
  const committed = fromHex(entry.attachments, { what: "entry.attachments", size: 32, prefixed: true });
  if (!equalBytes(computed, committed)) {
    throw new CheckFailed(text("proof.attachments_hash_differs", { computed: short(computed), committed: entry.attachments }));
  }
  return passed(text("proof.attachments_hash_passed", { count: list.length, hash: entry.attachments }));
}

async function leafHashCheck(state) {
  state.leaf = await leafHash(canonicalBytes(state.entry));
  const computed = toHex(state.leaf);
  const wanted = [
    ["proof.leaf_differs_from_asked", state.recordId],
    ["proof.leaf_differs_from_bundle", state.bundle.record_id],
  ];
  for (const [key, id] of wanted) {
    if (computed !== id) throw new CheckFailed(text(key, { computed, id }));
  }
  return passed(text("proof.leaf_hash_passed", { hash: computed }));
}

function signature({ bundle, entry, trust }) {
  if (!trust.operator_registry) throw new NotChecked(text("proof.no_registry_pinned"));
  const registry = bundle.operator_registry;
  if (registry?.chain_id !== trust.chain_id || registry?.contract !== trust.operator_registry) {
    throw new CheckFailed(text("proof.registry_differs", {
      contract: String(registry?.contract), chain: String(registry?.chain_id), pinned: trust.operator_registry, pinned_chain: String(trust.chain_id),
    }));
  }
  if (entry.signature === null) throw new NotChecked(text("proof.signature_ca_only"));
  let signer;
  try {
    signer = verifySubmissionSignature(entry, { chainId: trust.chain_id, verifyingContract: trust.operator_registry });
  } catch (error) {
    if (!(error instanceof SubmissionSignatureError)) throw error;
    if (error.recovered) {
      throw new CheckFailed(text("proof.signature_recovers_other", { recovered: error.recovered, operator: entry.operator }));
    }
    throw new CheckFailed(text("proof.signature_invalid", { reason: error.message }));
  }
  return passed(text("proof.signature_passed", { registry: trust.operator_registry, signer }));
}

/**
 * Summarise the endpoints' reads `which` ("root" or "registry") into one check: failed when an
 * endpoint disagreed, not checked when none agreed, else passed, naming where it was read.
 */
function fromEndpoints(readings, which) {
  if (readings.length === 0) {
    throw new NotChecked(text("proof.no_endpoint"));
  }
  const reads = readings.map((reading) => ({ url: reading.url, ...reading[which] }));
  const having = (status) => reads.filter((read) => read.status === status);
  // "url (what it said); url (what it said)" as `[vi, en]`.
  const named = (status) => [0, 1].map((lang) => having(status).map((read) => `${read.url} (${read.message[lang]})`).join("; "));
  const agreed = having("agreed");
  const urls = agreed.map((read) => read.url).join(", ");
  const unreachable = having("unreachable").length === 0
    ? ["", ""]
    : text("proof.also_unreachable", { endpoints: named("unreachable") });
  if (having("disagreed").length > 0) {
    throw new CheckFailed(text("proof.endpoints_disagree", { disagreed: named("disagreed"), agreed: urls || "–", unreachable }));
  }
  if (agreed.length === 0) {
    const unasked = having("not-asked")[0];
    if (unasked) throw new NotChecked(unasked.message);
    throw new NotChecked(text("proof.no_endpoint_answered", { endpoints: named("unreachable") }));
  }
  return { agreed, message: text("proof.read_from", { urls, answer: agreed[0].message, unreachable }) };
}

async function operatorActive(state) {
  const { message } = fromEndpoints(await state.readings, "registry");
  return { status: "passed", message };
}

async function inclusion(state) {
  if (state.leaf === undefined) {
    throw new NotChecked(text("proof.no_leaf_hash"));
  }
  const { index, hashes, checkpoint } = state.proof;
  await verifyInclusion(index, checkpoint.size, state.leaf, hashes, checkpoint.root);
  return passed(text("proof.inclusion_passed", { index, count: hashes.length, size: checkpoint.size }));
}

async function checkpointSignature({ bundle, proof, trust }) {
  const pinnedKey = keyAt(trust, proof.checkpoint.size);
  if (bundle.log?.origin !== trust.origin || proof.checkpoint.origin !== trust.origin) {
    throw new CheckFailed(text("proof.checkpoint_other_log", { origin: JSON.stringify(proof.checkpoint.origin), pinned: JSON.stringify(trust.origin) }));
  }
  if (bundle.log?.vkey !== pinnedKey) {
    throw new CheckFailed(text("proof.bundle_key_differs", { key: String(bundle.log?.vkey), pinned: pinnedKey }));
  }
  try {
    await verifyNote(proof.note, await parseVerifierKey(pinnedKey));
  } catch (error) {
    if (error instanceof Ed25519Unavailable) {
      throw new NotChecked(text("proof.no_ed25519"));
    }
    throw error;
  }
  const key = pinnedKey.split("+").slice(0, 2).join("+");
  return passed(text("proof.checkpoint_signature_passed", { key, size: proof.checkpoint.size }));
}

async function anchoredRoot(state) {
  const { bundle, proof, trust } = state;
  const { size, root } = proof.checkpoint;
  const anchor = bundle.anchor;
  if (anchor !== null) {
    if (BigInt(anchor.tree_size) !== size || anchor.root !== short(root)) {
      throw new CheckFailed(text("proof.anchor_size_differs", { anchor_size: anchor.tree_size, anchor_root: anchor.root, size, root: short(root) }));
    }
    if (anchor.chain_id !== trust.chain_id || anchor.contract !== trust.anchor_contract) {
      throw new CheckFailed(text("proof.anchor_elsewhere", {
        chain: String(anchor.chain_id), contract: anchor.contract, pinned_chain: String(trust.chain_id), pinned: trust.anchor_contract,
      }));
    }
  }
  const { agreed, message } = fromEndpoints(await state.readings, "root");
  if (!agreed.some((read) => read.anchored)) {
    throw new NotChecked(text("proof.not_anchored_yet", { size, answer: message }));
  }
  return { status: "passed", message };
}

const RUNNERS = {
  body_content_hash: bodyContentHash,
  attachments_hash: attachmentsHash,
  leaf_hash: leafHashCheck,
  signature,
  operator_active: operatorActive,
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
    return { proofError: text("proof.tlog_unparsed", { reason: error.message }) };
  }
}

// -- the chain, asked through each endpoint ---------------------------------------------------

const agreedRead = (message, extra = {}) => ({ status: "agreed", message, ...extra });
const disagreedRead = (message) => ({ status: "disagreed", message });
const notAsked = (message) => ({ status: "not-asked", message });

/** What an error of a chain read says about the endpoint: unreachable, or a contradicting answer. */
function failedRead(error) {
  if (error instanceof ChainUnreachable) return { status: "unreachable", message: error.text };
  if (error instanceof WrongChain) {
    return disagreedRead(text("proof.wrong_chain", { reported: String(error.reported), wanted: String(error.wanted) }));
  }
  if (error instanceof MalformedInput) return disagreedRead(text("proof.malformed_answer", { reason: error.message }));
  throw error;
}

async function askRoot(url, { bundle, proof, trust }) {
  if (proof === undefined) {
    return notAsked(text("proof.no_size_to_ask"));
  }
  const { size, root } = proof.checkpoint;
  const anchor = bundle.anchor;
  const onChain = await readRootAt(url, trust.anchor_contract, size);
  if (onChain.root.every((byte) => byte === 0)) {
    if (anchor === null) {
      return agreedRead(text("proof.no_root_yet", { size }), { anchored: false });
    }
    return disagreedRead(text("proof.no_root_but_anchored", { size, block: anchor.block_number }));
  }
  if (!equalBytes(onChain.root, root)) {
    return disagreedRead(text("proof.root_differs", { size: String(size), held: short(onChain.root), root: short(root) }));
  }
  if (anchor !== null && onChain.timestamp !== BigInt(anchor.block_time)) {
    return disagreedRead(text("proof.anchor_time_differs", { held: timeWords(onChain.timestamp), claimed: timeWords(anchor.block_time) }));
  }
  return agreedRead(
    text("proof.root_agreed", { size: String(size), chain: String(trust.chain_id), root: short(root), time: timeWords(onChain.timestamp) }),
    { anchored: true },
  );
}

function describeRegistration(registration) {
  if (registration.registeredAt === 0n) return text("proof.never_registered");
  const revoked = registration.revokedAt === 0n
    ? text("proof.not_revoked")
    : text("proof.revoked_at", { time: timeWords(registration.revokedAt) });
  return text("proof.registration", { name: JSON.stringify(registration.name), time: timeWords(registration.registeredAt), revoked });
}

/** The kinds only the department files (verifier/entry.py REGISTRAR_KINDS). */
const REGISTRAR_KINDS = ["plan", "binding"];
/** The kinds and schemas the department may file beside the operators: compiled figures, its yearly report. */
const COMPILED_SCHEMAS = ["indicator indicator/2", "report report/2"];

/**
 * Who may sign `entry`, as the ledger admits it and verifier/entry.py's `signers_of` says:
 * "registrar" (a plan or a binding), "operator_or_registrar" (an indicator/2 figure, a report/2)
 * or "operator".
 */
export function signersOf(entry) {
  if (REGISTRAR_KINDS.includes(entry.kind)) return "registrar";
  if (COMPILED_SCHEMAS.includes(`${entry.kind} ${entry.schema}`)) return "operator_or_registrar";
  return "operator";
}

async function askRegistry(url, { bundle, entry, trust }) {
  if (!trust.operator_registry) return notAsked(text("proof.no_registry_pinned"));
  const signer = entry.operator;
  try {
    addressBytes(signer, "entry.operator");
  } catch (error) {
    return notAsked(text("proof.operator_malformed", { reason: error.message }));
  }
  const who = signersOf(entry);
  if (who !== "registrar") {
    const operator = await askOperator(url, trust.operator_registry, signer, bundle.anchor);
    if (operator.status === "agreed" || who === "operator") return operator;
  }
  return askRegistrar(url, trust.operator_registry, signer, bundle.anchor);
}

async function askOperator(url, registry, operator, anchor) {
  if (anchor === null) {
    // Not anchored yet: nothing dates the record, so its operator must be active now.
    const active = await readIsActive(url, registry, operator);
    const message = text(active ? "proof.active_now" : "proof.inactive_now", { operator, registry });
    return active ? agreedRead(message) : disagreedRead(message);
  }
  // The log takes submissions from active operators only, and the record entered the log before
  // its anchor: the operator must have been active at the anchor's block time.
  const registration = await readOperatorOf(url, registry, operator);
  const time = BigInt(anchor.block_time);
  const active = activeAt(registration, time);
  const message = text(active ? "proof.active_at_anchor" : "proof.inactive_at_anchor", {
    operator, registry, time: timeWords(time), registration: describeRegistration(registration),
  });
  return active ? agreedRead(message) : disagreedRead(message);
}

async function askRegistrar(url, registry, signer, anchor) {
  // The department's records are signed by a holder of REGISTRAR_ROLE: held at the anchor's
  // block (the record entered the log before it), or now for a record not anchored yet.
  const block = anchor === null ? null : anchor.block_number;
  const held = await readHasRole(url, registry, REGISTRAR_ROLE, signer, block);
  const when = block === null ? text("proof.checked_now") : text("proof.at_anchor_block", { block });
  const message = text(held ? "proof.registrar_held" : "proof.registrar_not_held", { when, signer, registry });
  return held ? agreedRead(message) : disagreedRead(message);
}

async function settle(read) {
  try {
    return await read;
  } catch (error) {
    return failedRead(error);
  }
}

/** The overall status of an endpoint: disagreed over unreachable over agreed. */
function endpointStatus(reads) {
  for (const status of ["disagreed", "unreachable", "agreed"]) {
    if (reads.some((read) => read.status === status)) return status;
  }
  return "not-asked";
}

/** Ask the endpoint at `url` for the chain id, then for the root and the registry status at once. */
async function askEndpoint(url, state) {
  try {
    await requireChain(url, state.trust.chain_id);
  } catch (error) {
    const read = failedRead(error);
    return { url, status: read.status, root: read, registry: read };
  }
  const [root, registry] = await Promise.all([settle(askRoot(url, state)), settle(askRegistry(url, state))]);
  return { url, status: endpointStatus([root, registry]), root, registry };
}

/**
 * Run every check on `bundle` (the parsed JSON of GET /v1/records/{id}/proof) for the record
 * `recordId`, against the pinned `trust`, asking the chain at each of `rpcUrls` (absolute URLs).
 * Returns `{verdict, checks: [{name, status, message}], endpoints: [{url, status, root,
 * registry}]}`, messages `[vi, en]`; the verdict is `passed` iff every check passed, `failed`
 * when one failed, else `incomplete`.
 */
export async function verifyBundle(bundle, { recordId, trust, rpcUrls }) {
  const checks = [];
  const report = (name, status, message) => checks.push({ name, status, message });
  if (bundle?.format !== FORMAT || typeof bundle.entry !== "object" || bundle.entry === null) {
    for (const name of CHECKS) report(name, "failed", text("proof.not_a_bundle", { format: FORMAT }));
    return { verdict: "failed", checks, endpoints: [] };
  }
  const state = { bundle, entry: bundle.entry, recordId, trust, ...parseProof(bundle) };
  // The endpoints are asked while the hashes are computed; the chain checks wait for them.
  state.readings = Promise.all(rpcUrls.map((url) => askEndpoint(url, state)));
  state.readings.catch(() => {}); // awaited by the chain checks; only a bug rejects it
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
      const message = error?.text ?? text("proof.check_error", { reason: error?.message ?? String(error) });
      report(name, error instanceof NotChecked ? "not-checked" : "failed", message);
    }
  }
  return { verdict: verdictOf(checks), checks, endpoints: await state.readings };
}

function verdictOf(checks) {
  if (checks.some((check) => check.status === "failed")) return "failed";
  return checks.every((check) => check.status === "passed") ? "passed" : "incomplete";
}
