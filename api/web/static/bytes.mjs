// Byte strings for the verification code: hex, base64 (RFC 4648), UTF-8 and SHA-256.
// SHA-256 is WebCrypto's (globalThis.crypto.subtle), present in browsers and in node 20.

/** A malformed input: bad hex, bad base64, a hash of the wrong length. */
export class MalformedInput extends Error {
  constructor(message) {
    super(message);
    this.name = "MalformedInput";
  }
}

const HEX = /^(?:[0-9a-f]{2})*$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** The UTF-8 bytes of a string. */
export function utf8(text) {
  return new TextEncoder().encode(text);
}

/** Lowercase hex of `bytes`, without a prefix. */
export function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Decode lowercase hex (with "0x" when `prefixed`), requiring `size` bytes when given.
 * Throws MalformedInput naming `what`.
 */
export function fromHex(text, { what = "hex", size = null, prefixed = false } = {}) {
  if (typeof text !== "string") throw new MalformedInput(`${what}: want a hex string`);
  let digits = text;
  if (prefixed) {
    if (!text.startsWith("0x")) throw new MalformedInput(`${what}: want 0x and hex digits`);
    digits = text.slice(2);
  }
  if (!HEX.test(digits)) throw new MalformedInput(`${what}: want lowercase hex digits`);
  const bytes = new Uint8Array(digits.length / 2);
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  if (size !== null && bytes.length !== size) {
    throw new MalformedInput(`${what} is ${bytes.length} bytes, want ${size}`);
  }
  return bytes;
}

/** Standard padded base64 of `bytes` (RFC 4648 section 4). */
export function toBase64(bytes) {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const chunk = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const n = Math.min(3, bytes.length - i);
    for (let j = 0; j < 4; j += 1) {
      out += j <= n ? BASE64_ALPHABET[(chunk >> (18 - 6 * j)) & 63] : "=";
    }
  }
  return out;
}

/**
 * Decode canonical standard padded base64 (no stray padding bits), requiring `size` bytes when
 * given. Throws MalformedInput naming `what`.
 */
export function fromBase64(text, { what = "base64", size = null } = {}) {
  if (typeof text !== "string" || !BASE64.test(text)) {
    throw new MalformedInput(`${what}: want standard padded base64`);
  }
  const body = text.replace(/=+$/, "");
  const bytes = new Uint8Array(Math.floor((body.length * 6) / 8));
  let buffer = 0;
  let bits = 0;
  let at = 0;
  for (const char of body) {
    buffer = (buffer << 6) | BASE64_ALPHABET.indexOf(char);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[at] = (buffer >> bits) & 0xff;
      at += 1;
    }
  }
  if (buffer & ((1 << bits) - 1)) throw new MalformedInput(`${what}: non-canonical base64`);
  if (size !== null && bytes.length !== size) {
    throw new MalformedInput(`${what} is ${bytes.length} bytes, want ${size}`);
  }
  return bytes;
}

/** The concatenation of byte arrays. */
export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Whether two byte arrays hold the same bytes. */
export function equalBytes(a, b) {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** SHA-256 of `bytes` (WebCrypto). */
export async function sha256(bytes) {
  return new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", bytes));
}
