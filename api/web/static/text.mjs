// The page's words: one message catalogue per language (wording/vi.json, wording/en.json), the
// same files api/web/wording.py reads into the server's catalogue, so a script and a template
// say a thing with the same message. A message is asked for by key and comes back as the pair
// `[vi, en]` the page shows one of (page.mjs `bilingual`).
//
// `{name}` in a message is a value filled in per language: a string the same in both; a
// `[vi, en]` pair; a number or BigInt grouped as each language writes it (12.345,5 in
// Vietnamese, 12,345.5 in English). Times are pairs made by `timeWords`: dd/mm/yyyy in Vietnam
// time (UTC+7) with the zone named, as api/web/wording.py writes them.

import VI from "./wording/vi.json" with { type: "json" };
import EN from "./wording/en.json" with { type: "json" };

const CATALOGUES = [VI, EN];
const FIELD = /\{([a-z_]+)\}/g;
const VIETNAM_OFFSET_SECONDS = 7 * 3600;
const NUMBERS = [new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 6 }), new Intl.NumberFormat("en-GB", { maximumFractionDigits: 6 })];

/** A message key that is in no catalogue, or a message asked for without one of its values. */
export class MissingMessage extends Error {
  constructor(message) {
    super(message);
    this.name = "MissingMessage";
  }
}

function written(value, lang) {
  if (Array.isArray(value)) return String(value[lang]);
  if (typeof value === "number" || typeof value === "bigint") return NUMBERS[lang].format(value);
  return String(value);
}

/** The message `key` as `[vi, en]`, its `{fields}` filled in from `values`; throws MissingMessage. */
export function text(key, values = {}) {
  if (!Object.hasOwn(VI, key) || !Object.hasOwn(EN, key)) throw new MissingMessage(`no message ${key}`);
  return CATALOGUES.map((catalogue, lang) => catalogue[key].replace(FIELD, (_, name) => {
    if (!Object.hasOwn(values, name)) throw new MissingMessage(`message ${key} needs {${name}}`);
    return written(values[name], lang);
  }));
}

/** `value` (a number or BigInt) as `[vi, en]`: 12.345,5 and 12,345.5. */
export function numberWords(value) {
  return [written(value, 0), written(value, 1)];
}

/** An ISO day (`2025-11-02`) as `[vi, en]`: 02/11/2025 and 2025-11-02. */
export function dayWords(iso) {
  const [year, month, day] = iso.split("-");
  return [`${day}/${month}/${year}`, iso];
}

/**
 * A unix time in seconds (a number or BigInt) in Vietnam time as `[vi, en]`, by the message
 * `time.moment`: the clock, then dd/mm/yyyy, in Vietnamese; the ISO day, then the clock, in English.
 */
export function timeWords(seconds) {
  const local = new Date((Number(seconds) + VIETNAM_OFFSET_SECONDS) * 1000).toISOString();
  return text("time.moment", { day: dayWords(local.slice(0, 10)), clock: local.slice(11, 19) });
}
