// DOM helpers shared by the pages' scripts: text in both languages, JSON from the ledger API, and
// what went wrong in the catalogue's words (the API's own `message` is English, for developers).

import { text } from "./text.mjs";

/** Fill `element` with a Vietnamese and an English span; the stylesheet shows one. */
export function bilingual(element, [vi, en]) {
  const make = (lang, text) => {
    const span = document.createElement("span");
    span.className = `l-${lang}`;
    span.lang = lang;
    span.textContent = text;
    return span;
  };
  element.replaceChildren(make("vi", vi), make("en", en));
}

/** The API's refusal codes a page can meet, by the message that tells a visitor what happened. */
const REFUSALS = {
  not_found: "api.not_found",
  not_checkpointed: "api.not_checkpointed",
  invalid_request: "api.invalid_request",
  malformed_request: "api.invalid_request",
  store_unavailable: "api.store_unavailable",
  chain_unavailable: "api.chain_unavailable",
  http_429: "api.rate_limited",
  network: "api.network",
};

/** A request the ledger API refused (`code`: its machine-readable code, or `http_<status>`), or
 * could not answer (`network`); `message` is the API's own English text, for developers. */
class ApiRefusal extends Error {
  constructor(code, message) {
    super(message);
    this.name = "ApiRefusal";
    this.code = code;
  }
}

/** GET `path` as JSON; throws an ApiRefusal on an HTTP error or when the server is unreachable. */
export async function getJson(path) {
  let response;
  try {
    response = await fetch(path, { headers: { Accept: "application/json" } });
  } catch (error) {
    throw new ApiRefusal("network", `${path}: ${error.message}`);
  }
  const answer = await response.json().catch(() => null);
  if (!response.ok) {
    const code = typeof answer?.code === "string" ? answer.code : `http_${response.status}`;
    throw new ApiRefusal(code, answer?.message ?? `${path}: HTTP ${response.status}`);
  }
  return answer;
}

/** What went wrong, as `[vi, en]`: a refusal the catalogue knows in its words, another by its
 * code, anything else (a page's own failure) by its name; never the English text alone. */
export function troubleWords(error) {
  if (error instanceof ApiRefusal) {
    return Object.hasOwn(REFUSALS, error.code) ? text(REFUSALS[error.code]) : text("api.refused", { code: error.code });
  }
  return text("api.unexpected", { code: error?.name ?? String(error) });
}
