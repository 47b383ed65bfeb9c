"""Every string a page template or script shows comes from the message catalogues
(`api.web.wording` `VI` and `EN`, which hold the scripts' `static/wording/*.json` too): the two
hold the same keys with the same `{values}`; a template holds no words of its own, in its text,
its readable attributes (title, aria-label, alt, placeholder) or the string literals of its
expressions, other than message keys that both catalogues hold; a script holds no Vietnamese
and no `[vi, en]` pair of its own; and every message is used by a template, a page module or
a script.
"""

from __future__ import annotations

import json
import re
import string
from importlib import resources
from pathlib import Path

import pytest

from api.web import wording

TEMPLATES = Path(str(resources.files("api.web") / "templates"))
WEB = Path(str(resources.files("api.web")))
STATIC = WEB / "static"
SCRIPTS = sorted([*STATIC.glob("*.mjs"), *STATIC.glob("*.js")])
"""The page's own scripts (the vendored bundles under `static/vendor` are not ours)."""
CHECKED = sorted(path.name for path in TEMPLATES.glob("*.html"))
NAMES = ("InfraLedger", "English", "Tiếng Việt", "SHA-256", "0x", "https://",
         "2G", "3G", "4G", "5G")
"""Words that are the same in every language: the ledger's and the languages' own names, the
hash's, the mobile generations', and notations."""
JINJA = re.compile(r"\{\{(.*?)\}\}|\{%(.*?)%\}|\{#.*?#\}", re.S)
LITERAL = re.compile(r"""(\w+)?\(\s*(?:"([^"]*)"|'([^']*)')|"([^"]*)"|'([^']*)'""")
READABLE = re.compile(r"""\b(title|aria-label|alt|placeholder)="([^"]*)\"""")
TAG = re.compile(r"<[^>]*>", re.S)
KEY = re.compile(r"""["']([a-z_]+\.[a-z0-9_]+)["']""")
PREFIX = re.compile(r"""["']([a-z_]+\.[a-z0-9_]*)["']\s*~"""
                    r"""|f["']([a-z_]+\.[a-z0-9_]*)\{|`([a-z_]+\.[a-z0-9_]*)\$\{""")
"""A key made from a prefix and a value: `"status." ~ name` in a template, `f"kind.{kind}"` in
Python, `` `kind.${kind}` `` in a script."""
VIETNAMESE = re.compile(r"[À-ỹĐđ]")
"""A letter with a Vietnamese diacritic (Latin-1 Supplement to Latin Extended Additional)."""
PAIR = re.compile(r"\[\s*`([^`]*)`\s*,\s*`([^`]*)`\s*\]")
"""An inline pair of two template literals, `[`${n} trạm`, `${n} sites`]`: a message put together
in each language by hand (a pair of plain strings has Vietnamese in it, `VIETNAMESE` finds it)."""
WORDLESS = re.compile(r"^[a-z0-9_%.:\-/ ·]*$")
"""A literal that is no words: a class name, a value code, a format, a separator."""


def has_words(text: str) -> bool:
    text = re.sub(r"&\w+;", "", text)
    for name in NAMES:
        text = text.replace(name, "")
    return any(char.isalpha() for char in text)


def fields(message: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(message) if name}


def test_both_catalogues_hold_the_same_messages_with_the_same_values() -> None:
    assert set(wording.VI) == set(wording.EN)
    for key in wording.VI:
        assert fields(wording.VI[key]) == fields(wording.EN[key]), key
        assert wording.VI[key].strip() and wording.EN[key].strip(), key
        assert wording.VI[key] != wording.EN[key] or not has_words(wording.VI[key]), key


def test_a_message_is_filled_in_per_language() -> None:
    assert wording.page_text("home.by_deadline", date=("31/12/2025", "2025-12-31")) == (
        "đến 31/12/2025", "by 2025-12-31")
    assert wording.page_text("home.empty_areas", count=40)[0].startswith("40 đơn vị")
    with pytest.raises(KeyError):
        wording.page_text("home.no_such_message")


@pytest.mark.parametrize("name", CHECKED)
def test_a_template_shows_no_words_of_its_own(name: str) -> None:
    source = (TEMPLATES / name).read_text(encoding="utf-8")
    found: list[str] = []
    for match in JINJA.finditer(source):
        expression = match.group(1) or match.group(2) or ""
        for call, *quoted in LITERAL.findall(expression):
            text = next(part for part in quoted if part) if any(quoted) else ""
            if call in ("say", "page_text"):
                prefix = text.endswith((".", "_"))
                if text not in wording.VI and not (
                        prefix and any(key.startswith(text) for key in wording.VI)):
                    found.append(f"no message {text!r}")
            elif has_words(text) and not WORDLESS.match(text):
                found.append(f"literal {text!r}")
    markup = JINJA.sub(" ", source)
    found += [f"{attribute}={text!r}" for attribute, text in READABLE.findall(markup)
              if has_words(text)]
    found += [f"text {text.strip()!r}" for text in TAG.sub("\n", markup).split("\n")
              if has_words(text)]
    assert found == [], found


def test_the_scripts_read_the_same_catalogue_files_as_the_server() -> None:
    for lang, catalogue in (("vi", wording.VI), ("en", wording.EN)):
        scripts = json.loads((STATIC / "wording" / f"{lang}.json").read_text(encoding="utf-8"))
        assert scripts and all(catalogue[key] == message for key, message in scripts.items())
    imports = (STATIC / "text.mjs").read_text(encoding="utf-8")
    assert 'from "./wording/vi.json" with { type: "json" }' in imports
    assert 'from "./wording/en.json" with { type: "json" }' in imports


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda path: path.name)
def test_a_script_holds_no_words_of_its_own(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    found = [f"line {source.count(chr(10), 0, match.start()) + 1}: {match.group()!r}"
             for pattern in (VIETNAMESE, PAIR) for match in pattern.finditer(source)
             if pattern is VIETNAMESE or match.group(1) != match.group(2)]
    assert found == [], found


def test_the_script_check_finds_words_of_its_own() -> None:
    assert VIETNAMESE.search('throw new Error("chưa neo")')
    assert PAIR.search("bilingual(node, [`${vi}: ${statusVi}`, `${en}: ${statusEn}`])")
    assert not PAIR.search('["indicator indicator/2", "report report/2"]')


def test_every_message_is_shown_somewhere() -> None:
    sources = [path.read_text(encoding="utf-8") for path in TEMPLATES.glob("*.html")]
    sources += [path.read_text(encoding="utf-8") for path in WEB.glob("*.py")]
    sources += [path.read_text(encoding="utf-8") for path in SCRIPTS]
    used = {key for source in sources for key in KEY.findall(source)}
    prefixes = {part for source in sources for pair in PREFIX.findall(source)
                for part in pair if part}
    unused = [key for key in wording.VI
              if key not in used and not any(key.startswith(prefix) for prefix in prefixes)]
    assert unused == [], unused
