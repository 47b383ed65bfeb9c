// EIP-712 typed-data signatures over submissions (DESIGN section 2), checked in the browser: the
// digest an operator signs, the address that a 65-byte signature recovers, and EIP-55 addresses.
//
//   domain  = EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)
//             {"InfraLedger", "1", <anchor chain id>, <OperatorRegistry address>}
//   message = Submission(string kind,string schema,string subject,bytes32 content,
//                        bytes32 attachments,bytes32 supersedes,uint64 issuedAt)
//   digest  = keccak256(0x19 0x01 || domainSeparator || hashStruct(message))
//
// hashStruct is keccak256(typeHash || encodeData), a `string` member is encoded as the keccak256
// of its UTF-8 bytes and `supersedes` is 32 zero bytes when absent (EIP-712 "Definition of
// encodeData"). A signature is r || s || v with v 27 or 28 and s in the lower half of the curve
// order (EIP-2): the ledger accepts no other encoding (filings/signing.py), so neither does this.
// keccak-256 and secp256k1 recovery are @noble/hashes' and @noble/curves', bundled in
// vendor/noble.mjs (api/web/build_vendor.mjs).

import { MalformedInput, concat, fromHex, toHex, utf8 } from "./bytes.mjs";
import { keccak_256, secp256k1 } from "./vendor/noble.mjs";

export const DOMAIN_NAME = "InfraLedger";
export const DOMAIN_VERSION = "1";
export const DOMAIN_TYPE = "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)";
export const SUBMISSION_TYPE =
  "Submission(string kind,string schema,string subject,bytes32 content,bytes32 attachments,bytes32 supersedes,uint64 issuedAt)";
/** The order n of the secp256k1 group. */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

const SIGNATURE_SIZE = 65;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const ZERO_WORD = new Uint8Array(32);

/**
 * A signature that is malformed, recovers no key, or recovers another address than claimed
 * (then `recovered` is that address).
 */
export class SubmissionSignatureError extends Error {
  constructor(message, recovered = null) {
    super(message);
    this.name = "SubmissionSignatureError";
    this.recovered = recovered;
  }
}

/** keccak-256 of `bytes` (the Ethereum hash, not FIPS 202 SHA3-256). */
export function keccak256(bytes) {
  return keccak_256(bytes);
}

/** The EIP-55 mixed-case form of a 20-byte address. */
export function checksumAddress(bytes) {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 20) {
    throw new MalformedInput(`address is ${bytes?.length ?? 0} bytes, want 20`);
  }
  const digits = toHex(bytes);
  const hash = keccak256(utf8(digits));
  // Digit i is upper-cased when nibble i of keccak256(the lowercase hex) is 8 or more.
  const cased = [...digits].map((digit, i) => ((hash[i >> 1] >> (i % 2 === 0 ? 4 : 0)) & 0xf) >= 8 ? digit.toUpperCase() : digit);
  return `0x${cased.join("")}`;
}

/**
 * The 20 bytes of an address written in its EIP-55 form (FORMAT.md: one spelling only).
 * Throws MalformedInput naming `what` for anything else, an all-lowercase address included.
 */
export function addressBytes(text, what = "address") {
  if (typeof text !== "string" || !ADDRESS.test(text)) throw new MalformedInput(`${what}: want 0x and 40 hex digits`);
  const bytes = fromHex(text.slice(2).toLowerCase(), { what });
  const checksummed = checksumAddress(bytes);
  if (text !== checksummed) throw new MalformedInput(`${what} ${text} is not in EIP-55 form, want ${checksummed}`);
  return bytes;
}

function word(value, what, limit) {
  const number = BigInt(value);
  if (number < 0n || number >= limit) throw new MalformedInput(`${what} ${value} is out of range`);
  return fromHex(number.toString(16).padStart(64, "0"));
}

function stringHash(text, what) {
  if (typeof text !== "string" || !text.isWellFormed()) {
    throw new MalformedInput(`${what}: want a string of valid Unicode`);
  }
  return keccak256(utf8(text));
}

function hash32(text, what) {
  return fromHex(text, { what, size: 32, prefixed: true });
}

/**
 * The domain separator hashStruct(EIP712Domain) of `{chainId, verifyingContract}`: chainId an
 * integer in 1..2^256-1 (Number or BigInt), verifyingContract the EIP-55 OperatorRegistry address.
 */
export function domainSeparator({ chainId, verifyingContract }) {
  if (!(Number.isSafeInteger(chainId) || typeof chainId === "bigint") || BigInt(chainId) === 0n) {
    throw new MalformedInput(`chain id ${chainId}: want an integer from 1`);
  }
  return keccak256(concat(
    keccak256(utf8(DOMAIN_TYPE)),
    keccak256(utf8(DOMAIN_NAME)),
    keccak256(utf8(DOMAIN_VERSION)),
    word(chainId, "chain id", 2n ** 256n),
    new Uint8Array(12), // an address is a uint160 word: 12 zero bytes, then its 20
    addressBytes(verifyingContract, "verifying contract"),
  ));
}

/**
 * The 32-byte EIP-712 digest of the submission that `entry` (an entry object of the proof bundle)
 * records, in `domain`. Throws MalformedInput on a member of the wrong shape.
 */
export function submissionDigest(entry, domain) {
  if (!Number.isSafeInteger(entry.issued_at)) throw new MalformedInput("entry.issued_at: want an integer");
  const structHash = keccak256(concat(
    keccak256(utf8(SUBMISSION_TYPE)),
    stringHash(entry.kind, "entry.kind"),
    stringHash(entry.schema, "entry.schema"),
    stringHash(entry.subject, "entry.subject"),
    hash32(entry.content, "entry.content"),
    hash32(entry.attachments, "entry.attachments"),
    entry.supersedes === null ? ZERO_WORD : hash32(entry.supersedes, "entry.supersedes"),
    word(entry.issued_at, "entry.issued_at", 2n ** 64n),
  ));
  return keccak256(concat(Uint8Array.of(0x19, 0x01), domainSeparator(domain), structHash));
}

/**
 * The EIP-55 address whose key made the 65-byte r || s || v `signature` over `digest`.
 * Throws SubmissionSignatureError for another length, v other than 27 or 28, r outside
 * [1, n - 1], s outside [1, n / 2] (a high s is the malleable twin of a low one), or no key.
 */
export function recoverSigner(digest, signature) {
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_SIZE) {
    throw new SubmissionSignatureError(`signature is ${signature?.length ?? 0} bytes, want ${SIGNATURE_SIZE}`);
  }
  const r = BigInt(`0x${toHex(signature.slice(0, 32))}`);
  const s = BigInt(`0x${toHex(signature.slice(32, 64))}`);
  const v = signature[64];
  if (v !== 27 && v !== 28) throw new SubmissionSignatureError(`signature v is ${v}, want 27 or 28`);
  if (!(r > 0n && r < SECP256K1_N)) throw new SubmissionSignatureError("signature r is outside [1, n - 1]");
  if (!(s > 0n && s <= SECP256K1_N / 2n)) {
    throw new SubmissionSignatureError("signature s is zero or high (s > n/2): not the one accepted form (EIP-2)");
  }
  let publicKey;
  try {
    publicKey = new secp256k1.Signature(r, s, v - 27).recoverPublicKey(digest).toBytes(false);
  } catch (error) {
    throw new SubmissionSignatureError(`no public key recovers from the signature: ${error.message}`);
  }
  // The address is the last 20 bytes of keccak256 of the 64-byte key (without its 0x04 prefix).
  return checksumAddress(keccak256(publicKey.slice(1)).slice(12));
}

/**
 * Check that `entry.signature` is `entry.operator`'s EIP-712 signature of the entry's submission
 * in `domain`; returns the recovered address. Throws SubmissionSignatureError naming the
 * address recovered when it is another, MalformedInput on a malformed member.
 */
export function verifySubmissionSignature(entry, domain) {
  const operator = addressBytes(entry.operator, "entry.operator");
  const signature = fromHex(entry.signature, { what: "entry.signature", size: SIGNATURE_SIZE, prefixed: true });
  const signer = recoverSigner(submissionDigest(entry, domain), signature);
  if (signer !== checksumAddress(operator)) {
    throw new SubmissionSignatureError(`the signature recovers ${signer}, the entry's operator is ${entry.operator}`, signer);
  }
  return signer;
}
