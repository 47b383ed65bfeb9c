"""Every string a page template shows comes from the message catalogues (`api.web.wording` `VI`
and `EN`): the two hold the same keys with the same `{values}`; a template holds no words of its
own, in its text, its readable attributes (title, aria-label, alt, placeholder) or the string
literals of its expressions, other than message keys that both catalogues hold; and every
message is used.

The map page (`map.html`) takes its words from `wording.MAP_WORDS` and is not held to this yet.
"""

from __future__ import annotations

import re
import string
from importlib import resources
from pathlib import Path

import pytest

from api.web import wording

TEMPLATES = Path(str(resources.files("api.web") / "templates"))
WEB = Path(str(resources.files("api.web")))
NOT_YET = frozenset({"map.html"})
CHECKED = sorted(path.name for path in TEMPLATES.glob("*.html") if path.name not in NOT_YET)
NAMES = ("InfraLedger", "English", "Tiếng Việt", "SHA-256", "0x", "https://")
"""Words that are the same in every language: the ledger's and the languages' own names, the
hash's, and notations."""
JINJA = re.compile(r"\{\{(.*?)\}\}|\{%(.*?)%\}|\{#.*?#\}", re.S)
LITERAL = re.compile(r"""(\w+)?\(\s*(?:"([^"]*)"|'([^']*)')|"([^"]*)"|'([^']*)'""")
READABLE = re.compile(r"""\b(title|aria-label|alt|placeholder)="([^"]*)\"""")
TAG = re.compile(r"<[^>]*>", re.S)
KEY = re.compile(r"""["']([a-z_]+\.[a-z0-9_]+)["']""")
PREFIX = re.compile(r"""["']([a-z_]+\.)["']\s*~|f["']([a-z_]+\.)\{""")
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
                if text not in wording.VI and not (
                        text.endswith(".") and any(key.startswith(text) for key in wording.VI)):
                    found.append(f"no message {text!r}")
            elif has_words(text) and not WORDLESS.match(text):
                found.append(f"literal {text!r}")
    markup = JINJA.sub(" ", source)
    found += [f"{attribute}={text!r}" for attribute, text in READABLE.findall(markup)
              if has_words(text)]
    found += [f"text {text.strip()!r}" for text in TAG.sub("\n", markup).split("\n")
              if has_words(text)]
    assert found == [], found


def test_every_message_is_shown_somewhere() -> None:
    sources = [path.read_text(encoding="utf-8") for path in TEMPLATES.glob("*.html")]
    sources += [path.read_text(encoding="utf-8") for path in WEB.glob("*.py")]
    used = {key for source in sources for key in KEY.findall(source)}
    prefixes = {part for source in sources for pair in PREFIX.findall(source)
                for part in pair if part}
    unused = [key for key in wording.VI
              if key not in used and not any(key.startswith(prefix) for prefix in prefixes)]
    assert unused == [], unused
