"""What the verifier says, in Vietnamese and in English: keyed texts and their two catalogues.

A `Text` is a catalogue key and its parameters; `render(lang)` fills the key's template of that
language (`verifier.messages_vi.VI`, `verifier.messages_en.EN`: the same keys, Vietnamese first)
with the parameters rendered in the same language:

- `str` and `int` as they are (hashes, sizes, addresses and names are never translated);
- `Time` (a unix time) as dd/mm/yyyy hh:mm:ss in Vietnam time, UTC+7 shown, in Vietnamese, and
  as yyyy-mm-dd hh:mm:ss UTC in English;
- a nested `Text` in the same language, and a tuple of parameters joined with "; ".

Nothing here knows what a message means; machine-readable output carries the key (`code`), which
never changes with the language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Final, Literal, TypeAlias, get_args

from verifier.messages_en import EN
from verifier.messages_vi import VI

Lang = Literal["vi", "en"]
LANGUAGES: Final[tuple[Lang, ...]] = get_args(Lang)
CATALOGUES: Final[Mapping[Lang, Mapping[str, str]]] = {"vi": VI, "en": EN}
VIETNAM_TIME: Final = timezone(timedelta(hours=7), "UTC+7")
LOCALE_VARIABLES: Final = ("LC_ALL", "LC_MESSAGES", "LANG")
"""The environment variables that choose the language, the first one set winning (POSIX)."""


@dataclass(frozen=True, slots=True)
class Time:
    """A point in time given as unix seconds, rendered as a date in each language."""

    seconds: int


Param: TypeAlias = "str | int | Time | Text | tuple[Param, ...]"


@dataclass(frozen=True, slots=True)
class Text:
    """A message: the key of a template in every catalogue, and the values it is filled with."""

    key: str
    params: Mapping[str, Param] = field(default_factory=dict)

    def __hash__(self) -> int:
        return hash((self.key, tuple(sorted(self.params.items()))))

    def render(self, lang: Lang) -> str:
        """Return the message in `lang`.

        Raises `KeyError` for a key or a template field that the catalogue of `lang` lacks (a
        test holds both catalogues to the keys the code uses, so this is a bug, not an input).
        """
        values = {name: render_param(value, lang) for name, value in self.params.items()}
        return CATALOGUES[lang][self.key].format_map(values)


def text(key: str, /, **params: Param) -> Text:
    """Return the `Text` of `key` with `params` (the catalogue key must exist in both)."""
    return Text(key, params)


def render_param(value: Param, lang: Lang) -> str:
    """Render one parameter in `lang` (see the module docstring)."""
    if isinstance(value, Text):
        return value.render(lang)
    if isinstance(value, Time):
        return format_time(value.seconds, lang)
    if isinstance(value, tuple):
        return "; ".join(render_param(item, lang) for item in value)
    return str(value)


def format_time(seconds: int, lang: Lang) -> str:
    """Render unix `seconds` as `dd/mm/yyyy hh:mm:ss (UTC+7)` (vi) or
    `yyyy-mm-dd hh:mm:ss UTC` (en); a time outside the calendar is shown as its number."""
    try:
        if lang == "vi":
            return datetime.fromtimestamp(seconds, VIETNAM_TIME).strftime(
                "%d/%m/%Y %H:%M:%S (UTC+7)"
            )
        return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):
        return str(seconds)


def language_from_environment(environ: Mapping[str, str]) -> Lang:
    """Return "vi" when the first of LC_ALL, LC_MESSAGES, LANG that is set (non-empty) starts
    with `vi` (e.g. `vi_VN.UTF-8`), else "en"."""
    for name in LOCALE_VARIABLES:
        value = environ.get(name, "")
        if value:
            return "vi" if value.lower().startswith("vi") else "en"
    return "en"
