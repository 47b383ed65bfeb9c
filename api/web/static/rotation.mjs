// Log key rotations in the browser (verifier/FORMAT.md, "Key rotation"), as the command-line
// verifier's `trust update` follows them: a statement is a signed note of six lines,
//
//   infraledger-key-rotation/1
//   origin <origin>
//   old <verifier key>
//   new <verifier key>
//   from <tree size>
//   time <unix seconds>
//
// valid for a visitor who pinned `old` when it is signed by `old` (only the pinned key may name
// its successor) and by `new` (proof its holder has it). From size `from` on, `new` signs the
// checkpoints. The pin then keeps the replaced keys in `earlier_keys: [{vkey, until_size}]`, so
// that bundles proven to an older checkpoint still verify with the key that signed it. Nothing
// but such a chain of statements, starting at the pinned key, ever changes the pinned key.
//
// Pure functions: the statements come in as text, the pin as a value; messages are `[vi, en]`
// from the page's catalogue (text.mjs), dates dd/mm/yyyy in Vietnam time.

import { parseSignedNote, parseVerifierKey, verifyNote } from "./note.mjs";
import { dayWords, text } from "./text.mjs";

export const HEADER = "infraledger-key-rotation/1";
const LABELS = ["origin", "old", "new", "from", "time"];
const DECIMAL = /^(0|[1-9][0-9]{0,19})$/;
const VIETNAM_OFFSET_SECONDS = 7 * 3600;

/** The statements do not lead from the pinned key; `text` is the reason, `[vi, en]`. */
export class RotationRefused extends Error {
  constructor(reason) {
    super(reason[1]);
    this.name = "RotationRefused";
    this.text = reason;
  }
}

const shortKey = (vkey) => String(vkey).split("+").slice(0, 2).join("+");

function uint(value, what) {
  if (!DECIMAL.test(value) || BigInt(value) >= 2n ** 64n) throw new Error(`key rotation: ${what} is not a decimal uint64`);
  return Number(value);
}

/**
 * Parse a signed statement (signatures not checked): `{origin, oldKey, newKey, fromSize, time,
 * note}`, the keys as verifier key strings (and parsed, `parsedOld`, `parsedNew`), `note`
 * parsed. Throws on any malformation.
 */
export async function parseRotation(statement) {
  const note = parseSignedNote(statement);
  const lines = note.text.slice(0, -1).split("\n");
  if (lines.length !== 6 || lines[0] !== HEADER) throw new Error(`key rotation: want six lines starting with ${HEADER}`);
  const fields = {};
  LABELS.forEach((label, i) => {
    const line = lines[i + 1];
    if (!line.startsWith(`${label} `) || line.length === label.length + 1) throw new Error(`key rotation: want '${label} ...'`);
    fields[label] = line.slice(label.length + 1);
  });
  const [parsedOld, parsedNew] = await Promise.all([parseVerifierKey(fields.old), parseVerifierKey(fields.new)]);
  if (parsedOld.name !== fields.origin || parsedNew.name !== fields.origin) throw new Error("key rotation: keys must be named after the origin");
  if (fields.old === fields.new) throw new Error("key rotation: the new key is the old key");
  return {
    origin: fields.origin, oldKey: fields.old, newKey: fields.new, parsedOld, parsedNew,
    fromSize: uint(fields.from, "from"), time: uint(fields.time, "time"), note,
  };
}

/** The pinned key that signs the checkpoint of tree size `size` (a Number or a BigInt). */
export function keyAt(trust, size) {
  for (const earlier of trust.earlier_keys ?? []) {
    if (size < earlier.until_size) return earlier.vkey;
  }
  return trust.vkey;
}

/**
 * Follow `notes` (GET /v1/log/rotations, in order) from the pinned key of `trust`; returns
 * `{trust, followed}`: the pin that holds the key they lead to (a new object; `trust` is left as
 * it is) and the rotations followed. A statement whose new key is pinned already was followed
 * before (or installed the key pinned on first use) and is passed over; every other one must
 * replace the key pinned at that point, signed by it and by its new key, from a size no lower
 * than the rotation before. Throws RotationRefused naming the statement and the fault.
 */
export async function followRotations(trust, notes) {
  let pin = { ...trust, earlier_keys: [...(trust.earlier_keys ?? [])] };
  const followed = [];
  for (const [index, statement] of notes.entries()) {
    const number = index + 1;
    let rotation;
    try {
      rotation = await parseRotation(statement);
    } catch (error) {
      throw new RotationRefused(text("rotation.malformed", { number, reason: error?.message ?? String(error) }));
    }
    if (rotation.newKey === pin.vkey || pin.earlier_keys.some((earlier) => earlier.vkey === rotation.newKey)) continue;
    if (rotation.origin !== pin.origin) {
      throw new RotationRefused(text("rotation.other_log", { number, origin: rotation.origin, pinned: pin.origin }));
    }
    if (rotation.oldKey !== pin.vkey) {
      throw new RotationRefused(text("rotation.other_key", { number, key: shortKey(rotation.oldKey), pinned: shortKey(pin.vkey) }));
    }
    await requireSignature(rotation.note, rotation.parsedOld, text("rotation.not_signed_by_pinned", { number, key: shortKey(rotation.oldKey) }));
    await requireSignature(rotation.note, rotation.parsedNew, text("rotation.not_signed_by_new", { number, key: shortKey(rotation.newKey) }));
    const floor = pin.earlier_keys.at(-1)?.until_size ?? 0;
    if (rotation.fromSize < floor) {
      throw new RotationRefused(text("rotation.size_back", { number, size: rotation.fromSize, previous: floor }));
    }
    pin = { ...pin, vkey: rotation.newKey, earlier_keys: [...pin.earlier_keys, { vkey: pin.vkey, until_size: rotation.fromSize }] };
    followed.push(rotation);
  }
  return { trust: pin, followed };
}

async function requireSignature(note, key, reason) {
  try {
    await verifyNote(note, key);
  } catch (error) {
    if (error?.name === "Ed25519Unavailable") throw error;
    throw new RotationRefused(reason);
  }
}

/**
 * Compare the key the server serves (`servedKey`, from GET /v1/log) with the pin; when they
 * differ, follow the statements `readNotes()` returns (an async function). Returns `{trust,
 * followed, notice}`: the pin to use from now on (another only when the statements lead to the
 * served key), the rotations followed, and what to tell the visitor (`[vi, en]`; null when the
 * key did not change). Throws only Ed25519Unavailable.
 */
export async function followServerKey(trust, servedKey, readNotes) {
  if (servedKey === trust.vkey) return { trust, followed: [], notice: null };
  let reason;
  try {
    const { trust: next, followed } = await followRotations(trust, await readNotes());
    if (next.vkey === servedKey) return { trust: next, followed, notice: rotationNotice(followed) };
    reason = text("rotation.not_reached", { pinned: shortKey(next.vkey), key: shortKey(servedKey) });
  } catch (error) {
    if (error?.name === "Ed25519Unavailable") throw error;
    reason = error instanceof RotationRefused ? error.text : text("rotation.unreadable", { reason: error?.message ?? String(error) });
  }
  return { trust, followed: [], notice: text("rotation.refused", { reason }) };
}

/**
 * A pin made on first use (`trust`, from GET /v1/log) with the keys the log replaced before it:
 * the statements `notes` must chain from the first one's old key to the pinned key
 * (`followRotations`). Trusted as the pinned key is, on first use. Returns a new pin with
 * `earlier_keys` (or `trust` itself when there is no statement); throws RotationRefused.
 */
export async function withHistory(trust, notes) {
  if (notes.length === 0) return trust;
  let first;
  try {
    first = await parseRotation(notes[0]);
  } catch (error) {
    throw new RotationRefused(text("rotation.malformed", { number: 1, reason: error?.message ?? String(error) }));
  }
  const { trust: followed } = await followRotations({ ...trust, vkey: first.oldKey, earlier_keys: [] }, notes);
  if (followed.vkey !== trust.vkey) {
    throw new RotationRefused(text("rotation.not_reached", { pinned: shortKey(followed.vkey), key: shortKey(trust.vkey) }));
  }
  return { ...trust, earlier_keys: followed.earlier_keys };
}

/**
 * The pin to verify with, after GET /v1/log (`log`): a pin made on this visit (`fresh`) of a
 * log that rotated its key gets the keys it replaced (`withHistory`); an older pin follows a
 * changed key (`followServerKey`). `readNotes` is an async function returning GET
 * /v1/log/rotations' statements. Returns `{trust, changed, notice}`: `changed` when the pin is
 * to be saved again (trust.mjs `repin`), `notice` the `[vi, en]` to show, or null.
 */
export async function settlePin(pinned, { fresh, log, readNotes }) {
  if (!fresh || !(log.key_rotations > 0)) {
    const { trust, followed, notice } = await followServerKey(pinned, log.vkey, readNotes);
    return { trust, changed: followed.length > 0, notice };
  }
  try {
    return { trust: await withHistory(pinned, await readNotes()), changed: true, notice: null };
  } catch (error) {
    if (error?.name === "Ed25519Unavailable") throw error;
    const reason = error instanceof RotationRefused ? error.text : text("rotation.unreadable", { reason: error?.message ?? String(error) });
    return { trust: pinned, changed: false, notice: text("rotation.history_refused", { reason }) };
  }
}

/** The day of unix `seconds` in Vietnam time (UTC+7) as `[vi, en]`: dd/mm/yyyy and yyyy-mm-dd. */
export function vietnamDay(seconds) {
  return dayWords(new Date((seconds + VIETNAM_OFFSET_SECONDS) * 1000).toISOString().slice(0, 10));
}

/** What the visitor is told of the rotations `followed` (at least one), `[vi, en]`. */
export function rotationNotice(followed) {
  const parts = [
    ...followed.map((r) => text("rotation.followed", { day: vietnamDay(r.time), size: r.fromSize, old: shortKey(r.oldKey), new: shortKey(r.newKey) })),
    text("rotation.repinned"),
  ];
  return [parts.map((part) => part[0]).join(" "), parts.map((part) => part[1]).join(" ")];
}
