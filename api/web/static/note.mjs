// C2SP signed notes (c2sp.org/signed-note) with Ed25519, checkpoints (c2sp.org/tlog-checkpoint)
// and tlog proofs (c2sp.org/tlog-proof@v1): parsing, and signature checks with WebCrypto.
//
// A verifier key is `name+hex8+base64(0x01 || 32-byte public key)`, its key id
// SHA-256(name || 0x0A || 0x01 || key)[:4]. A note is its text (ending in a newline), a blank
// line, and lines `— name base64(key id || signature)`; signatures by other keys are ignored.

import { MalformedInput, concat, fromBase64, sha256, toHex, utf8 } from "./bytes.mjs";

const ED25519 = 0x01;
const KEY_ID_SIZE = 4;
const MAX_SIGNATURES = 100;
const MAX_PROOF_HASHES = 64;
const MAX_TREE_SIZE = 2n ** 64n - 1n;
const DECIMAL = /^(0|[1-9][0-9]{0,19})$/;
const CONTROL = /[\x00-\x09\x0b-\x1f]/;
const BAD_NAME = /[\s+]/u;
export const TLOG_PROOF_HEADER = "c2sp.org/tlog-proof@v1";

/** A note, key, checkpoint or proof text that does not parse. */
export class MalformedNote extends Error {
  constructor(message) {
    super(message);
    this.name = "MalformedNote";
  }
}

/** A note without a valid signature by the key asked for. */
export class SignatureError extends Error {
  constructor(message) {
    super(message);
    this.name = "SignatureError";
  }
}

/** This JavaScript engine's WebCrypto has no Ed25519. */
export class Ed25519Unavailable extends Error {
  constructor() {
    super("this browser's WebCrypto has no Ed25519");
    this.name = "Ed25519Unavailable";
  }
}

function requireName(name) {
  if (!name || BAD_NAME.test(name)) {
    throw new MalformedNote(`key name ${JSON.stringify(name.slice(0, 40))} must be non-empty, without spaces or '+'`);
  }
}

function decode(text, what, size = null) {
  try {
    return fromBase64(text, { what, size });
  } catch (error) {
    if (error instanceof MalformedInput) throw new MalformedNote(error.message);
    throw error;
  }
}

/** The 4-byte key id of an Ed25519 key named `name`. */
export async function keyId(name, publicKey) {
  return (await sha256(concat(utf8(`${name}\n`), Uint8Array.of(ED25519), publicKey))).slice(0, KEY_ID_SIZE);
}

/** Parse and check a verifier key: `{name, keyId, publicKey}`. Throws MalformedNote. */
export async function parseVerifierKey(text) {
  const parts = typeof text === "string" ? text.split("+") : [];
  if (parts.length < 3) throw new MalformedNote("verifier key: want name+keyid+key");
  const [name, idHex] = parts;
  const encoded = parts.slice(2).join("+");
  requireName(name);
  if (!/^[0-9a-f]{8}$/.test(idHex)) throw new MalformedNote("verifier key id: want 8 hex digits");
  const material = decode(encoded, "verifier key");
  if (material.length !== 33 || material[0] !== ED25519) {
    throw new MalformedNote(`verifier key: got ${material.length} bytes, want 0x01 and a 32-byte Ed25519 key`);
  }
  const publicKey = material.slice(1);
  const computed = toHex(await keyId(name, publicKey));
  if (computed !== idHex) throw new MalformedNote(`verifier key id: got ${idHex}, want ${computed}`);
  return { name, keyId: idHex, publicKey };
}

/** Parse a signed note into `{text, signatures: [{name, keyId, signature}]}`. */
export function parseSignedNote(note) {
  if (CONTROL.test(note)) throw new MalformedNote("note holds control characters other than newline");
  const split = note.lastIndexOf("\n\n");
  if (split < 0) throw new MalformedNote("note has no blank line before its signatures");
  const block = note.slice(split + 2);
  if (!block.endsWith("\n")) throw new MalformedNote("note signatures must end with a newline");
  const lines = block.slice(0, -1).split("\n");
  if (lines.length > MAX_SIGNATURES) throw new MalformedNote(`note has ${lines.length} signatures, limit ${MAX_SIGNATURES}`);
  const signatures = lines.map((line) => {
    if (!line.startsWith("\u2014 ")) throw new MalformedNote("signature line does not start with an em dash");
    const fields = line.slice(2).split(" ");
    if (fields.length !== 2) throw new MalformedNote("signature line: want '— name signature'");
    requireName(fields[0]);
    const blob = decode(fields[1], `signature by ${fields[0]}`);
    if (blob.length <= KEY_ID_SIZE) throw new MalformedNote(`signature by ${fields[0]} is too short`);
    return { name: fields[0], keyId: toHex(blob.slice(0, KEY_ID_SIZE)), signature: blob.slice(KEY_ID_SIZE) };
  });
  return { text: note.slice(0, split + 1), signatures };
}

async function ed25519Verify(publicKey, signature, message) {
  let key;
  try {
    key = await globalThis.crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
  } catch (error) {
    if (error?.name === "NotSupportedError" || error?.name === "SyntaxError") throw new Ed25519Unavailable();
    throw error;
  }
  return globalThis.crypto.subtle.verify({ name: "Ed25519" }, key, signature, message);
}

/**
 * Check that `note` (parsed) carries a valid signature by `key` (parsed). Throws SignatureError,
 * or Ed25519Unavailable when WebCrypto cannot check Ed25519 here.
 */
export async function verifyNote(note, key) {
  const mine = note.signatures.filter((s) => s.name === key.name && s.keyId === key.keyId);
  if (mine.length === 0) {
    const found = note.signatures.map((s) => `${s.name}+${s.keyId}`).join(", ");
    throw new SignatureError(`no signature by ${key.name}+${key.keyId}; signed by ${found}`);
  }
  for (const { signature } of mine) {
    if (signature.length !== 64 || !(await ed25519Verify(key.publicKey, signature, utf8(note.text)))) {
      throw new SignatureError(`signature by ${key.name} does not verify`);
    }
  }
}

/** Parse a checkpoint note text into `{origin, size (BigInt), root, extensions}`. */
export function parseCheckpoint(text) {
  if (!text.endsWith("\n")) throw new MalformedNote("checkpoint text must end with a newline");
  const [origin, sizeText, rootText, ...extensions] = text.slice(0, -1).split("\n");
  if (rootText === undefined) throw new MalformedNote("checkpoint has fewer than 3 lines");
  if (!origin) throw new MalformedNote("checkpoint origin is empty");
  if (!DECIMAL.test(sizeText) || BigInt(sizeText) > MAX_TREE_SIZE) {
    throw new MalformedNote("checkpoint size: want decimal without leading zeros");
  }
  if (extensions.some((line) => !line)) throw new MalformedNote("checkpoint extension lines must be non-empty");
  return { origin, size: BigInt(sizeText), root: decode(rootText, "checkpoint root", 32), extensions };
}

/**
 * Parse a tlog-proof text into `{index (BigInt), hashes, note}`, where `note` is the signed
 * checkpoint note, parsed; the `extra` line is skipped (unauthenticated by the spec).
 */
export function parseTlogProof(text) {
  const lines = text.split("\n");
  if (lines[0] !== TLOG_PROOF_HEADER) throw new MalformedNote(`tlog-proof header: want ${TLOG_PROOF_HEADER}`);
  let at = 1;
  if (lines[at]?.startsWith("extra ")) {
    decode(lines[at].slice(6), "tlog-proof extra data");
    at += 1;
  }
  const index = /^index (0|[1-9][0-9]{0,19})$/.exec(lines[at] ?? "");
  if (!index) throw new MalformedNote("tlog-proof index line: want 'index N' without leading zeros");
  at += 1;
  const hashes = [];
  for (; lines[at] !== ""; at += 1) {
    if (lines[at] === undefined) throw new MalformedNote("tlog-proof has no blank line before its checkpoint");
    if (hashes.length === MAX_PROOF_HASHES) throw new MalformedNote(`tlog-proof has more than ${MAX_PROOF_HASHES} hashes`);
    hashes.push(decode(lines[at], `tlog-proof hash ${hashes.length}`, 32));
  }
  const note = parseSignedNote(lines.slice(at + 1).join("\n"));
  return { index: BigInt(index[1]), hashes, note, checkpoint: parseCheckpoint(note.text) };
}

