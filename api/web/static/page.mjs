// DOM helpers shared by the pages' scripts: text in both languages, JSON from the ledger API.

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

/** GET `path` as JSON; throws an Error with the API's message on an HTTP error. */
export async function getJson(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" } });
  const answer = await response.json().catch(() => null);
  if (!response.ok) throw new Error(answer?.message ?? `${path}: HTTP ${response.status}`);
  return answer;
}
