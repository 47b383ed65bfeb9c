// The verify page's file lookup: the file is hashed here with WebCrypto (it is never uploaded)
// and its SHA-256 looked up with GET /v1/lookup/sha256/{hex}.

import { sha256, toHex } from "./bytes.mjs";
import { bilingual, getJson, troubleWords } from "./page.mjs";
import { text } from "./text.mjs";

const input = document.getElementById("file");
const zone = document.getElementById("drop");
const result = document.getElementById("lookup-result");

function line(tag, text) {
  const element = document.createElement(tag);
  if (Array.isArray(text)) bilingual(element, text);
  else element.textContent = text;
  return element;
}

function recordItem(record) {
  const item = document.createElement("li");
  const link = document.createElement("a");
  link.href = `/records/${record.id}`;
  const kind = text(`kind.${record.entry.kind}`);
  bilingual(link, kind.map((words) => `${words} · ${record.entry.subject}`));
  const where = document.createElement("span");
  bilingual(where, text("lookup.record_line", { index: record.index, status: text(`status.${record.status}`), id: record.id.slice(0, 16) }));
  item.append(link, " ", where);
  return item;
}

async function lookUp(file) {
  result.replaceChildren(line("p", text("lookup.hashing")));
  result.dataset.state = "hashing";
  try {
    const digest = toHex(await sha256(new Uint8Array(await file.arrayBuffer())));
    const answer = await getJson(`/v1/lookup/sha256/${digest}`);
    const heading = line("p", `${file.name}: SHA-256 ${digest}`);
    if (answer.records.length === 0) {
      result.replaceChildren(heading, line("p", text("lookup.not_in_ledger")));
      result.dataset.state = "not-found";
      return;
    }
    const list = document.createElement("ul");
    list.append(...answer.records.map(recordItem));
    result.replaceChildren(heading, line("p", text("lookup.in_ledger", { count: answer.records.length })), list);
    result.dataset.state = "found";
  } catch (error) {
    result.replaceChildren(line("p", troubleWords(error)));
    result.dataset.state = "error";
  }
}

input.addEventListener("change", () => {
  if (input.files.length > 0) lookUp(input.files[0]);
});
zone.addEventListener("dragover", (event) => {
  event.preventDefault();
  zone.classList.add("over");
});
zone.addEventListener("dragleave", () => zone.classList.remove("over"));
zone.addEventListener("drop", (event) => {
  event.preventDefault();
  zone.classList.remove("over");
  if (event.dataTransfer.files.length > 0) lookUp(event.dataTransfer.files[0]);
});
input.disabled = false;
