// Verification of one record's proof bundle (verifier/FORMAT.md, `infraledger-proof/1`) in the
// browser or under node: body ▶ content hash, attachment list ▶ attachments hash, entry ▶ leaf
// hash (= record id), the operator's EIP-712 signature ▶ the entry's operator, the operator's
// registry status at the anchor's time, inclusion proof ▶ checkpoint root, checkpoint signature
// by the pinned log key, and the root anchored on chain.
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
// (`[vi, en]`). The verdict is `passed` only when every check passed, `failed` when one failed,
// and `incomplete` otherwise: a check that could not run is never counted as passed.

import { MalformedInput, concat, equalBytes, fromHex, sha256, toHex } from "./bytes.mjs";
import { ChainUnreachable, REGISTRAR_ROLE, WrongChain, activeAt, readHasRole, readIsActive, readOperatorOf, readRootAt, requireChain } from "./chain.mjs";
import { SubmissionSignatureError, addressBytes, verifySubmissionSignature } from "./eip712.mjs";
import { canonicalBytes } from "./jcs.mjs";
import { Ed25519Unavailable, parseTlogProof, parseVerifierKey, verifyNote } from "./note.mjs";
import { leafHash, verifyInclusion } from "./rfc9162.mjs";

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
  constructor(vi, en) {
    super(en);
    this.text = [vi, en];
  }
}

/** A check could not run; `text` is the message `[vi, en]`. */
class NotChecked extends Error {
  constructor(vi, en) {
    super(en);
    this.text = [vi, en];
  }
}

const passed = (vi, en) => ({ status: "passed", message: [vi, en] });
const short = (bytes) => `0x${toHex(bytes)}`;

async function bodyContentHash({ bundle, entry }) {
  if (bundle.body === null) {
    throw new NotChecked(
      "nội dung không công khai (hồ sơ hạn chế): không thể so với mã băm nội dung",
      "the body is withheld from the public (a restricted record): it cannot be compared with the content hash",
    );
  }
  const salt = bundle.salt === null ? new Uint8Array() : fromHex(bundle.salt, { what: "salt", size: 32, prefixed: true });
  const computed = await sha256(concat(salt, canonicalBytes(bundle.body)));
  const content = fromHex(entry.content, { what: "entry.content", size: 32, prefixed: true });
  if (!equalBytes(computed, content)) {
    throw new CheckFailed(
      `nội dung có mã băm ${short(computed)}, bản ghi cam kết ${entry.content}`,
      `the body hashes to ${short(computed)}, the entry commits to ${entry.content}`,
    );
  }
  return passed(`SHA-256 của nội dung RFC 8785 là ${entry.content}`, `SHA-256 of the RFC 8785 body is ${entry.content}`);
}

async function attachmentsHash({ bundle, entry }) {
  const list = bundle.attachments;
  if (!Array.isArray(list)) throw new CheckFailed("danh sách tệp đính kèm không phải là một danh sách", "the attachment list is not a list");
  for (let i = 1; i < list.length; i += 1) {
    if (list[i].sha256 < list[i - 1].sha256) {
      throw new CheckFailed(`tệp đính kèm ${i} không theo thứ tự sha256`, `attachment ${i} is out of sha256 order`);
    }
  }
  const computed = await sha256(canonicalBytes(list));
  const committed = fromHex(entry.attachments, { what: "entry.attachments", size: 32, prefixed: true });
  if (!equalBytes(computed, committed)) {
    throw new CheckFailed(
      `danh sách tệp đính kèm có mã băm ${short(computed)}, bản ghi cam kết ${entry.attachments}`,
      `the attachment list hashes to ${short(computed)}, the entry commits to ${entry.attachments}`,
    );
  }
  return passed(
    `${list.length} tệp đính kèm, mã băm danh sách ${entry.attachments}`,
    `${list.length} attachment(s), list hash ${entry.attachments}`,
  );
}

async function leafHashCheck(state) {
  state.leaf = await leafHash(canonicalBytes(state.entry));
  const computed = toHex(state.leaf);
  const wanted = [
    ["mã hồ sơ được hỏi", "the record id asked for", state.recordId],
    ["mã hồ sơ của gói bằng chứng", "the bundle's record id", state.bundle.record_id],
  ];
  for (const [vi, en, id] of wanted) {
    if (computed !== id) {
      throw new CheckFailed(`mã băm lá của bản ghi là ${computed}, ${vi} là ${id}`, `the entry's leaf hash is ${computed}, ${en} is ${id}`);
    }
  }
  return passed(`SHA-256(0x00 ‖ bản ghi RFC 8785) = ${computed}`, `SHA-256(0x00 ‖ RFC 8785 entry) = ${computed}`);
}

function signature({ bundle, entry, trust }) {
  if (!trust.operator_registry) {
    throw new NotChecked("chưa ghim OperatorRegistry nào", "no OperatorRegistry is pinned");
  }
  const registry = bundle.operator_registry;
  if (registry?.chain_id !== trust.chain_id || registry?.contract !== trust.operator_registry) {
    throw new CheckFailed(
      `gói bằng chứng nêu OperatorRegistry ${registry?.contract} trên chuỗi ${registry?.chain_id}, cái đã ghim là ${trust.operator_registry} trên chuỗi ${trust.chain_id}`,
      `the bundle names the OperatorRegistry ${registry?.contract} on chain ${registry?.chain_id}, the pinned one is ${trust.operator_registry} on chain ${trust.chain_id}`,
    );
  }
  let signer;
  try {
    signer = verifySubmissionSignature(entry, { chainId: trust.chain_id, verifyingContract: trust.operator_registry });
  } catch (error) {
    if (!(error instanceof SubmissionSignatureError)) throw error;
    if (error.recovered) {
      throw new CheckFailed(`chữ ký khôi phục ra ${error.recovered}, doanh nghiệp của bản ghi là ${entry.operator}`, error.message);
    }
    throw new CheckFailed(`chữ ký không hợp lệ: ${error.message}`, error.message);
  }
  return passed(
    `chữ ký EIP-712 (Submission, miền InfraLedger/1 của OperatorRegistry ${trust.operator_registry}) khôi phục ra ${signer}, đúng doanh nghiệp của bản ghi`,
    `the EIP-712 signature (Submission, domain InfraLedger/1 of OperatorRegistry ${trust.operator_registry}) recovers ${signer}, the entry's operator`,
  );
}

/**
 * Summarise the endpoints' reads `which` ("root" or "registry") into one check: failed when an
 * endpoint disagreed, not checked when none agreed, else passed, naming where it was read.
 */
function fromEndpoints(readings, which) {
  if (readings.length === 0) {
    throw new NotChecked(
      "không có nút JSON-RPC nào của chuỗi khối để hỏi: hãy thêm một nút bên dưới",
      "no JSON-RPC endpoint of the chain to ask: add one below",
    );
  }
  const reads = readings.map((reading) => ({ url: reading.url, ...reading[which] }));
  const having = (status) => reads.filter((read) => read.status === status);
  // "url (what it said); url (what it said)" in language `lang` (0 Vietnamese, 1 English).
  const named = (status, lang) => having(status).map((read) => `${read.url} (${read.message[lang]})`).join("; ");
  const agreed = having("agreed");
  const urls = agreed.map((read) => read.url).join(", ");
  const unreachable = having("unreachable").length === 0
    ? ["", ""]
    : [`; không liên lạc được: ${named("unreachable", 0)}`, `; unreachable: ${named("unreachable", 1)}`];
  if (having("disagreed").length > 0) {
    throw new CheckFailed(
      `các nút không khớp: ${named("disagreed", 0)}; khớp: ${urls || "–"}${unreachable[0]}`,
      `the endpoints disagree: ${named("disagreed", 1)}; agreed: ${urls || "–"}${unreachable[1]}`,
    );
  }
  if (agreed.length === 0) {
    const unasked = having("not-asked")[0];
    if (unasked) throw new NotChecked(...unasked.message);
    throw new NotChecked(`không nút nào trả lời: ${named("unreachable", 0)}`, `no endpoint answered: ${named("unreachable", 1)}`);
  }
  return {
    agreed,
    message: [`đọc từ ${urls}: ${agreed[0].message[0]}${unreachable[0]}`, `read from ${urls}: ${agreed[0].message[1]}${unreachable[1]}`],
  };
}

async function operatorActive(state) {
  const { message } = fromEndpoints(await state.readings, "registry");
  return { status: "passed", message };
}

async function inclusion(state) {
  if (state.leaf === undefined) {
    throw new NotChecked("bản ghi không có mã băm lá (bước mã băm lá không đạt)", "the entry has no leaf hash (leaf_hash failed)");
  }
  const { index, hashes, checkpoint } = state.proof;
  await verifyInclusion(index, checkpoint.size, state.leaf, hashes, checkpoint.root);
  return passed(
    `lá ${index} cùng ${hashes.length} mã băm của bằng chứng cho ra gốc của cây kích thước ${checkpoint.size}`,
    `leaf ${index} with ${hashes.length} proof hash(es) gives the root of the tree of ${checkpoint.size}`,
  );
}

async function checkpointSignature({ bundle, proof, trust }) {
  if (bundle.log?.origin !== trust.origin || proof.checkpoint.origin !== trust.origin) {
    throw new CheckFailed(
      `checkpoint thuộc nhật ký ${JSON.stringify(proof.checkpoint.origin)}, nhật ký đã ghim là ${JSON.stringify(trust.origin)}`,
      `the checkpoint is from ${JSON.stringify(proof.checkpoint.origin)}, the pinned log is ${JSON.stringify(trust.origin)}`,
    );
  }
  if (bundle.log?.vkey !== trust.vkey) {
    throw new CheckFailed(
      `gói bằng chứng nêu khóa nhật ký ${bundle.log?.vkey}, khóa đã ghim là ${trust.vkey}`,
      `the bundle names the log key ${bundle.log?.vkey}, the pinned key is ${trust.vkey}`,
    );
  }
  try {
    await verifyNote(proof.note, await parseVerifierKey(trust.vkey));
  } catch (error) {
    if (error instanceof Ed25519Unavailable) {
      throw new NotChecked(
        "trình duyệt này không kiểm tra được chữ ký Ed25519 (WebCrypto không có Ed25519): hãy dùng công cụ dòng lệnh",
        "this browser cannot check Ed25519 signatures (no Ed25519 in its WebCrypto): use the command-line verifier",
      );
    }
    throw error;
  }
  const key = trust.vkey.split("+").slice(0, 2).join("+");
  return passed(
    `chữ ký Ed25519 của ${key} trên checkpoint kích thước ${proof.checkpoint.size}`,
    `Ed25519 signature by ${key} over the checkpoint of size ${proof.checkpoint.size}`,
  );
}

async function anchoredRoot(state) {
  const { bundle, proof, trust } = state;
  const { size, root } = proof.checkpoint;
  const anchor = bundle.anchor;
  if (anchor !== null) {
    if (BigInt(anchor.tree_size) !== size || anchor.root !== short(root)) {
      throw new CheckFailed(
        `lần neo trong gói bằng chứng có kích thước ${anchor.tree_size} và gốc ${anchor.root}, checkpoint có ${size} và ${short(root)}`,
        `the bundle's anchor is of size ${anchor.tree_size} and root ${anchor.root}, the checkpoint's of ${size} and ${short(root)}`,
      );
    }
    if (anchor.chain_id !== trust.chain_id || anchor.contract !== trust.anchor_contract) {
      throw new CheckFailed(
        `lần neo ở chuỗi ${anchor.chain_id} tại ${anchor.contract}, LedgerAnchor đã ghim ở chuỗi ${trust.chain_id} tại ${trust.anchor_contract}`,
        `the anchor is on chain ${anchor.chain_id} at ${anchor.contract}, the pinned LedgerAnchor is on chain ${trust.chain_id} at ${trust.anchor_contract}`,
      );
    }
  }
  const { agreed, message } = fromEndpoints(await state.readings, "root");
  if (!agreed.some((read) => read.anchored)) {
    throw new NotChecked(
      `cây kích thước ${size} chưa được neo: hãy thử lại sau ít phút (${message[0]})`,
      `the tree of ${size} is not anchored yet: try again shortly (${message[1]})`,
    );
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
    return { proofError: [`bằng chứng tlog không đọc được: ${error.message}`, `the tlog proof does not parse: ${error.message}`] };
  }
}

// -- the chain, asked through each endpoint ---------------------------------------------------

const agreedRead = (vi, en, extra = {}) => ({ status: "agreed", message: [vi, en], ...extra });
const disagreedRead = (vi, en) => ({ status: "disagreed", message: [vi, en] });
const notAsked = (vi, en) => ({ status: "not-asked", message: [vi, en] });

/** What an error of a chain read says about the endpoint: unreachable, or a contradicting answer. */
function failedRead(error) {
  if (error instanceof ChainUnreachable) return { status: "unreachable", message: [error.message, error.message] };
  if (error instanceof WrongChain) return disagreedRead(`sai chuỗi khối: ${error.message}`, `wrong chain: ${error.message}`);
  if (error instanceof MalformedInput) {
    return disagreedRead(`câu trả lời sai định dạng: ${error.message}`, `a malformed answer: ${error.message}`);
  }
  throw error;
}

async function askRoot(url, { bundle, proof, trust }) {
  if (proof === undefined) {
    return notAsked("bằng chứng tlog không đọc được, nên không biết kích thước cây để hỏi", "the tlog proof does not parse, so there is no tree size to ask for");
  }
  const { size, root } = proof.checkpoint;
  const anchor = bundle.anchor;
  const onChain = await readRootAt(url, trust.anchor_contract, size);
  if (onChain.root.every((byte) => byte === 0)) {
    if (anchor === null) {
      return agreedRead(`LedgerAnchor chưa có gốc cho cây kích thước ${size}`, `LedgerAnchor holds no root for the tree of ${size} yet`, { anchored: false });
    }
    return disagreedRead(
      `LedgerAnchor không có gốc cho cây kích thước ${size}, gói bằng chứng nói đã neo ở khối ${anchor.block_number}`,
      `LedgerAnchor holds no root for the tree of ${size}, the bundle says it was anchored in block ${anchor.block_number}`,
    );
  }
  if (!equalBytes(onChain.root, root)) {
    return disagreedRead(
      `LedgerAnchor.rootAt(${size}) là ${short(onChain.root)}, gốc của checkpoint là ${short(root)}`,
      `LedgerAnchor holds root ${short(onChain.root)} for size ${size}, the checkpoint says ${short(root)}`,
    );
  }
  if (anchor !== null && onChain.timestamp !== BigInt(anchor.block_time)) {
    return disagreedRead(
      `neo lúc ${onChain.timestamp}, gói bằng chứng nói ${anchor.block_time}`,
      `anchored at time ${onChain.timestamp}, the bundle says ${anchor.block_time}`,
    );
  }
  return agreedRead(
    `LedgerAnchor.rootAt(${size}) trên chuỗi ${trust.chain_id} là gốc của checkpoint ${short(root)}, neo lúc ${onChain.timestamp}`,
    `LedgerAnchor.rootAt(${size}) on chain ${trust.chain_id} is the checkpoint root ${short(root)}, anchored at time ${onChain.timestamp}`,
    { anchored: true },
  );
}

function describeRegistration(registration) {
  if (registration.registeredAt === 0n) return ["chưa từng đăng ký", "never registered"];
  const revoked = registration.revokedAt === 0n
    ? ["chưa bị thu hồi", "not revoked"]
    : [`bị thu hồi lúc ${registration.revokedAt}`, `revoked at ${registration.revokedAt}`];
  const name = JSON.stringify(registration.name);
  return [`${name} đăng ký lúc ${registration.registeredAt}, ${revoked[0]}`, `${name} registered at ${registration.registeredAt}, ${revoked[1]}`];
}

/** The kinds only the department files (verifier/entry.py REGISTRAR_KINDS). */
const REGISTRAR_KINDS = ["plan", "binding"];
/** The schemas the department may file as compiled figures besides the operators' own. */
const COMPILED_SCHEMAS = ["indicator/2"];

/**
 * Who may sign `entry`, as the ledger admits it and verifier/entry.py's `signers_of` says:
 * "registrar" (a plan or a binding), "operator_or_registrar" (an indicator/2 figure) or "operator".
 */
export function signersOf(entry) {
  if (REGISTRAR_KINDS.includes(entry.kind)) return "registrar";
  if (entry.kind === "indicator" && COMPILED_SCHEMAS.includes(entry.schema)) return "operator_or_registrar";
  return "operator";
}

async function askRegistry(url, { bundle, entry, trust }) {
  if (!trust.operator_registry) return notAsked("chưa ghim OperatorRegistry nào", "no OperatorRegistry is pinned");
  const signer = entry.operator;
  try {
    addressBytes(signer, "entry.operator");
  } catch (error) {
    return notAsked(`địa chỉ doanh nghiệp sai định dạng: ${error.message}`, `the entry's operator is malformed: ${error.message}`);
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
    const [vi, en] = [
      `chưa neo nên kiểm tra ở thời điểm hiện tại: ${operator} ${active ? "đang" : "không"} hoạt động trong ${registry}`,
      `not anchored yet, so checked now: ${operator} is ${active ? "" : "not "}active in ${registry}`,
    ];
    return active ? agreedRead(vi, en) : disagreedRead(vi, en);
  }
  // The log takes submissions from active operators only, and the record entered the log before
  // its anchor: the operator must have been active at the anchor's block time.
  const registration = await readOperatorOf(url, registry, operator);
  const time = BigInt(anchor.block_time);
  const active = activeAt(registration, time);
  const [said, says] = describeRegistration(registration);
  const [vi, en] = [
    `${operator} ${active ? "đang" : "không"} hoạt động trong ${registry} vào thời điểm khối neo ${time}: ${said}`,
    `${operator} was ${active ? "" : "not "}active in ${registry} at the anchor's block time ${time}: ${says}`,
  ];
  return active ? agreedRead(vi, en) : disagreedRead(vi, en);
}

async function askRegistrar(url, registry, signer, anchor) {
  // The department's records are signed by a holder of REGISTRAR_ROLE: held at the anchor's
  // block (the record entered the log before it), or now for a record not anchored yet.
  const block = anchor === null ? null : anchor.block_number;
  const held = await readHasRole(url, registry, REGISTRAR_ROLE, signer, block);
  const [when, whenEn] = block === null
    ? ["chưa neo nên kiểm tra ở thời điểm hiện tại", "not anchored yet, so checked now"]
    : [`tại khối neo ${block}`, `at the anchor's block ${block}`];
  const [vi, en] = [
    `${when}: ${signer} ${held ? "giữ" : "không giữ"} quyền REGISTRAR_ROLE (Sở, bên nộp kế hoạch và số liệu tổng hợp) trong ${registry}`,
    `${whenEn}: ${signer} ${held ? "held" : "did not hold"} REGISTRAR_ROLE (the department, which files plans and compiled figures) in ${registry}`,
  ];
  return held ? agreedRead(vi, en) : disagreedRead(vi, en);
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
    for (const name of CHECKS) report(name, "failed", [`không phải gói bằng chứng ${FORMAT}`, `not a ${FORMAT} bundle`]);
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
      const message = error?.text ?? [error?.message ?? String(error), error?.message ?? String(error)];
      report(name, error instanceof NotChecked ? "not-checked" : "failed", message);
    }
  }
  return { verdict: verdictOf(checks), checks, endpoints: await state.readings };
}

function verdictOf(checks) {
  if (checks.some((check) => check.status === "failed")) return "failed";
  return checks.every((check) => check.status === "passed") ? "passed" : "incomplete";
}
