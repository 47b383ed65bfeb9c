// What the visitor's browser remembers for one ledger (one host): the log's identity, pinned on
// first use from the server's GET /v1/log, and the chain endpoints the visitor added. Both live in
// a Storage (localStorage, or a stand-in when the browser refuses it) as JSON under a key per host.
//
// The pin holds `origin`, `vkey`, `chain_id`, `anchor_contract`, `operator_registry` and
// `rpc_urls` (absolute URLs), and `since`. Once pinned, nothing the server later says changes it:
// a server that changes its key, a contract or its endpoints makes the verification fail or ask
// the pinned endpoints still. A pin saved before a field was pinned gets that field from the
// server's answer of the day it is first needed, and keeps the rest. The one way the pinned key
// changes is `repin`, with a pin that rotation.mjs derived from rotation statements signed by the
// pinned key; the replaced keys stay in the pin's `earlier_keys`.

import { text as message } from "./text.mjs";

/** A URL that is not a usable JSON-RPC endpoint; `text` is `[vi, en]`. */
export class InvalidEndpoint extends Error {
  constructor([vi, en]) {
    super(en);
    this.name = "InvalidEndpoint";
    this.text = [vi, en];
  }
}

export const PINNED_FIELDS = ["origin", "vkey", "chain_id", "anchor_contract", "operator_registry", "rpc_urls"];
/** At most this many endpoints of the visitor's own. */
export const MAX_ADDED_ENDPOINTS = 8;

export const pinKey = (host) => `infraledger.trust:${host}`;
export const endpointsKey = (host) => `infraledger.endpoints:${host}`;

function read(storage, key) {
  try {
    return JSON.parse(storage.getItem(key) ?? "null");
  } catch {
    return null;
  }
}

/** A Storage held in memory, for a browser that refuses localStorage: it lasts one visit. */
export function memoryStorage() {
  const items = new Map();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => items.set(key, String(value)),
    removeItem: (key) => items.delete(key),
  };
}

/** The absolute http(s) URL of an endpoint written `text`, relative to `base`; throws InvalidEndpoint. */
export function endpointUrl(text, base) {
  let url;
  try {
    url = new URL(String(text).trim(), base);
  } catch {
    throw new InvalidEndpoint(message("trust.not_a_url"));
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new InvalidEndpoint(message("trust.endpoint_scheme"));
  }
  if (url.username || url.password) {
    throw new InvalidEndpoint(message("trust.no_credentials"));
  }
  return url.href;
}

/**
 * The trust pinned in `storage` for `host`, pinning `log` (the JSON of GET /v1/log, its relative
 * URLs resolved against `base`) when none is, and filling in the fields an earlier pin lacks.
 */
export function pinTrust(storage, host, log, { base, now }) {
  const fresh = {
    origin: log.origin,
    vkey: log.vkey,
    chain_id: log.chain_id,
    anchor_contract: log.anchor_contract,
    operator_registry: log.operator_registry,
    rpc_urls: (log.rpc_urls ?? []).map((url) => new URL(url, base).href),
    since: now,
  };
  const saved = read(storage, pinKey(host));
  if (!saved?.vkey) {
    storage.setItem(pinKey(host), JSON.stringify(fresh));
    return fresh;
  }
  const missing = PINNED_FIELDS.filter((field) => !(field in saved));
  if (missing.length === 0) return saved;
  const completed = { ...saved, ...Object.fromEntries(missing.map((field) => [field, fresh[field]])) };
  storage.setItem(pinKey(host), JSON.stringify(completed));
  return completed;
}

/** Save `trust` as the pin of `host`: only a pin that rotation.mjs's `settlePin` returned. */
export function repin(storage, host, trust) {
  storage.setItem(pinKey(host), JSON.stringify(trust));
}

/** The pin saved for `host`, or null. */
export function savedTrust(storage, host) {
  const saved = read(storage, pinKey(host));
  return saved?.vkey ? saved : null;
}

/** The endpoints the visitor added for `host`, in the order added. */
export function addedEndpoints(storage, host) {
  const saved = read(storage, endpointsKey(host));
  return Array.isArray(saved) ? saved.filter((url) => typeof url === "string") : [];
}

/**
 * Add the endpoint written `text` (see endpointUrl) to the visitor's list for `host`; returns its
 * URL. Throws InvalidEndpoint when it is malformed, already listed (`known` holds the pinned
 * ones) or the list is full.
 */
export function addEndpoint(storage, host, text, { base, known = [] }) {
  const url = endpointUrl(text, base);
  const added = addedEndpoints(storage, host);
  if (added.includes(url) || known.includes(url)) {
    throw new InvalidEndpoint(message("trust.already_listed"));
  }
  if (added.length >= MAX_ADDED_ENDPOINTS) {
    throw new InvalidEndpoint(message("trust.too_many", { count: MAX_ADDED_ENDPOINTS }));
  }
  storage.setItem(endpointsKey(host), JSON.stringify([...added, url]));
  return url;
}

/** Remove `url` from the visitor's endpoints for `host`. */
export function removeEndpoint(storage, host, url) {
  storage.setItem(endpointsKey(host), JSON.stringify(addedEndpoints(storage, host).filter((item) => item !== url)));
}

/**
 * Every endpoint to ask, `[{url, source}]`: the pinned ones (`source` "pinned"), then the
 * visitor's ("added"), each once.
 */
export function endpointsToAsk(trust, added) {
  const pinned = (trust?.rpc_urls ?? []).map((url) => ({ url, source: "pinned" }));
  const own = added.filter((url) => !pinned.some((item) => item.url === url)).map((url) => ({ url, source: "added" }));
  return [...pinned, ...own];
}
