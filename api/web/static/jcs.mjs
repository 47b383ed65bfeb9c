// RFC 8785 JSON Canonicalization Scheme (JCS) over values from JSON.parse.
//
// Numbers are written as ECMAScript's Number.prototype.toString writes them (section 3.2.2.3),
// strings as JSON.stringify writes them (section 3.2.2.2: only the mandatory escapes, lowercase
// \u00xx), and object members are sorted by their UTF-16 code units (section 3.2.3), which is
// what Array.prototype.sort does with strings. I-JSON (RFC 7493) values only: no lone
// surrogates, no NaN or infinities; nesting at most 64 deep, as the ledger's verifier allows.

import { utf8 } from "./bytes.mjs";

export const MAX_DEPTH = 64;

/** A value that has no RFC 8785 form. */
export class NotCanonicalizable extends Error {
  constructor(message) {
    super(message);
    this.name = "NotCanonicalizable";
  }
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The RFC 8785 text of `value`; throws NotCanonicalizable. */
export function canonicalize(value) {
  return write(value, 0);
}

/** The UTF-8 bytes of the RFC 8785 text of `value`. */
export function canonicalBytes(value) {
  return utf8(canonicalize(value));
}

function write(value, depth) {
  if (value === null || value === true || value === false) return String(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new NotCanonicalizable(`${value} has no JSON form`);
    return String(value);
  }
  if (typeof value === "string") {
    if (LONE_SURROGATE.test(value)) throw new NotCanonicalizable("string holds a lone surrogate");
    return JSON.stringify(value);
  }
  if (depth >= MAX_DEPTH) throw new NotCanonicalizable(`value is nested deeper than ${MAX_DEPTH}`);
  if (Array.isArray(value)) return `[${value.map((item) => write(item, depth + 1)).join(",")}]`;
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const members = Object.keys(value).sort().map((key) => `${write(key, depth)}:${write(value[key], depth + 1)}`);
    return `{${members.join(",")}}`;
  }
  throw new NotCanonicalizable(`a ${typeof value} is not a JSON value`);
}
