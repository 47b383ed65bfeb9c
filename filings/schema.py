"""What every body schema is made of: the strict base model, the text, code and date types, and
the translation of pydantic's errors into the domain's.

Text rules (the same for every kind):
- `Text` (one line, 1-200 characters) and `Name` (one line, 1-500) hold no control character:
  none of C0 (U+0000-U+001F), DEL (U+007F) or C1 (U+0080-U+009F);
- `LongText` (1-16,000 characters) may break lines: newline (U+000A) and tab (U+0009) are its
  only control characters (no carriage return: lines end with a newline).
A control character is refused as `ControlCharacter`; any other fault as `SchemaViolation`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Final, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, StringConstraints
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import PydanticCustomError

from filings.errors import ControlCharacter, FilingError, SubjectMismatch

NO_CONTROLS: Final = r"^[^\x00-\x1f\x7f-\x9f]+$"
"""A one-line text: no C0, DEL or C1 control character."""
CODE_PATTERN: Final = r"^[a-z][a-z0-9_]{0,63}$"
"""An indicator code: lowercase ASCII letters, digits and underscores."""
AREA_CODE_PATTERN: Final = r"^[0-9]{2,5}$"
"""An official area code: 2 digits (province or city), 3 (district), 5 (commune)."""
MAX_REPORTED_ERRORS: Final = 20
CONTROL_CHARACTER: Final = "control_character"
"""The pydantic error type of a text with a control character."""

_LINE_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_LONG_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_Error = TypeVar("_Error", bound=FilingError)


def _one_line(value: str) -> str:
    found = _LINE_CONTROLS.search(value)
    if found is not None:
        raise PydanticCustomError(CONTROL_CHARACTER, "control character U+{code} in one-line "
                                  "text", {"code": f"{ord(found.group()):04X}"})
    return value


def _long(value: str) -> str:
    found = _LONG_CONTROLS.search(value)
    if found is not None:
        raise PydanticCustomError(CONTROL_CHARACTER, "control character U+{code}: long text "
                                  "takes newline and tab only",
                                  {"code": f"{ord(found.group()):04X}"})
    return value


Text = Annotated[str, StringConstraints(min_length=1, max_length=200), AfterValidator(_one_line)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=500), AfterValidator(_one_line)]
LongText = Annotated[str, StringConstraints(min_length=1, max_length=16_000),
                     AfterValidator(_long)]
Code = Annotated[str, StringConstraints(pattern=CODE_PATTERN)]
AreaCode = Annotated[str, StringConstraints(pattern=AREA_CODE_PATTERN)]


def _iso_date(value: Any) -> Any:
    """A `YYYY-MM-DD` string as a date; anything else is left for the strict date check."""
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
"""A calendar date written `YYYY-MM-DD` in the JSON body (bodies are checked from their decoded
JSON value, where a date is still a string)."""

STRICT: Final = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)
"""Every body model: no coercion ("5" is not a number), no unknown member, no NaN."""


@dataclass(frozen=True, slots=True)
class RecordContext:
    """What a body's rules need to know about the submission that carries it."""

    subject: str
    operator: str
    restricted: bool
    attachment_count: int
    issued_at: int


class Part(BaseModel):
    """A strict part of a body (a location, a target, ...)."""

    model_config = STRICT


class KindBody(Part):
    """Base of every record body."""

    def check(self, context: RecordContext) -> None:
        """Check the rules a schema cannot express; raises `SchemaViolation` subclasses or
        `IssuedAtRefused` subclasses."""
        raise NotImplementedError


def validation_error(cls: type[_Error], exc: PydanticValidationError, *,
                     where: str = "") -> _Error | ControlCharacter:
    """Translate a pydantic error: the first fault in the message, up to 20 in `details`;
    `ControlCharacter` when a fault is a control character in a text.

    The offending input values are never echoed back (a body may hold personal data).
    """
    errors = [
        {"loc": ".".join([where, *map(str, error["loc"])]).strip("."),
         "type": error["type"], "msg": error["msg"]}
        for error in exc.errors(include_url=False, include_input=False)
    ]
    controls = [error for error in errors if error["type"] == CONTROL_CHARACTER]
    first = (controls or errors or [{"loc": where, "msg": "invalid"}])[0]
    kind: type[_Error] | type[ControlCharacter] = ControlCharacter if controls else cls
    return kind(f"{first['loc'] or 'value'}: {first['msg']}",
                details={"errors": errors[:MAX_REPORTED_ERRORS]})


def require_subject(context: RecordContext, want: str) -> None:
    """Raise `SubjectMismatch` unless the submission's subject is `want`."""
    if context.subject != want:
        raise SubjectMismatch(
            f"subject: got {context.subject!r}, want {want!r}", details={"want": want}
        )

