// RFC 9162 Merkle tree hashing and inclusion proof verification (section 2.1), with SHA-256.
//
// The proof walk is section 2.1.3.2 in the decomposed form of transparency-dev/merkle: the
// "inner" part of the proof lies below the level where the paths to the leaf and to the last
// leaf diverge, the "border" part climbs the right edge of the tree. Indices and sizes are
// BigInt: a tree may hold up to 2^64 - 1 leaves.

import { concat, equalBytes, sha256, toHex } from "./bytes.mjs";

export const HASH_SIZE = 32;

/** A proof that does not prove what it claims, or that breaks a precondition. */
export class ProofError extends Error {
  constructor(message) {
    super(message);
    this.name = "ProofError";
  }
}

/** SHA-256(0x00 || data): the hash of one leaf. */
export function leafHash(data) {
  return sha256(concat(Uint8Array.of(0), data));
}

/** SHA-256(0x01 || left || right): the hash of an interior node. */
export function nodeHash(left, right) {
  return sha256(concat(Uint8Array.of(1), left, right));
}

function bitLength(n) {
  return n === 0n ? 0 : n.toString(2).length;
}

function bitCount(n) {
  return [...n.toString(2)].filter((bit) => bit === "1").length;
}

function decompose(index, size) {
  const inner = bitLength(index ^ (size - 1n));
  return { inner, border: bitCount(index >> BigInt(inner)) };
}

/** How many hashes the proof of leaf `index` in a tree of `size` holds; requires index < size. */
export function inclusionProofLength(index, size) {
  if (!(index >= 0n && index < size)) {
    throw new ProofError(`leaf index ${index} is not below the tree size ${size}`);
  }
  const { inner, border } = decompose(index, size);
  return inner + border;
}

function requireHash(what, value) {
  if (!(value instanceof Uint8Array) || value.length !== HASH_SIZE) {
    throw new ProofError(`${what} is ${value?.length ?? 0} bytes, want ${HASH_SIZE}`);
  }
}

/**
 * The root that `proof` computes for the leaf hash `leaf` at `index` in a tree of `size`.
 * Requires index < size, 32-byte hashes and exactly inclusionProofLength(index, size) of them.
 */
export async function rootFromInclusionProof(index, size, leaf, proof) {
  const want = inclusionProofLength(index, size);
  requireHash("leaf hash", leaf);
  if (proof.length !== want) throw new ProofError(`inclusion proof has ${proof.length} hashes, want ${want}`);
  proof.forEach((item, position) => requireHash(`inclusion proof hash ${position}`, item));
  const { inner } = decompose(index, size);
  let hash = leaf;
  for (let level = 0; level < proof.length; level += 1) {
    // Below `inner`, bit `level` of the index tells whether the path comes from the right child;
    // above it, on the border, every sibling is on the left.
    const fromRight = level >= inner || ((index >> BigInt(level)) & 1n) === 1n;
    hash = fromRight ? await nodeHash(proof[level], hash) : await nodeHash(hash, proof[level]);
  }
  return hash;
}

/** Check that `proof` leads from `leaf` at `index` to `root` in the tree of `size`. */
export async function verifyInclusion(index, size, leaf, proof, root) {
  const computed = await rootFromInclusionProof(index, size, leaf, proof);
  if (!equalBytes(computed, root)) {
    throw new ProofError(`inclusion proof computes root ${toHex(computed)}, want ${toHex(root)}`);
  }
}
