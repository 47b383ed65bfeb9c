"""What the record page says about a record in plain words, for a citizen rather than an engineer:
a heading that names the thing (the figure, the permit, the report, the plan), who signed it by
name, the body as a short summary, the attachments with their sizes and download links, and
each signature it carries (the signing organisation and its CA for a certificate).

Everything here is derived from the record itself, the plans in force and the area catalogue,
in Vietnamese and English at once (`Words`), in the messages of the catalogue
(`api.web.wording`), which writes numbers and dates too.
A restricted body is never read here: its heading comes from the entry's subject alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from cryptography import x509
from cryptography.x509.oid import NameOID

from api.web import wording
from filings.areas import Area, load_areas
from filings.errors import FilingError
from filings.infrastructure import RouteBody, route_length_m
from filings.kinds import PERMIT_TYPE_LABELS
from filings.periods import Period, issued_day, parse_period
from filings.plans import PlanBook, Target

REGISTRAR_KINDS: Final = frozenset({"plan", "binding", "indicator", "report"})
"""The kinds the department files: a signer of these that is not a registered operator is the
department (`filings.figures`)."""


@dataclass(frozen=True, slots=True)
class Words:
    """One text in Vietnamese and in English."""

    vi: str
    en: str

    @staticmethod
    def same(text: str) -> Words:
        return Words(text, text)

    @staticmethod
    def say(key: str, **values: Words | str | int | float) -> Words:
        """The catalogue's message `key` with `values` filled in, each language its own."""
        filled: dict[str, wording.PageValue] = {
            name: (value.vi, value.en) if isinstance(value, Words) else value
            for name, value in values.items()}
        return Words(*wording.page_text(key, **filled))

    @staticmethod
    def number(value: float, unit: str | None = None) -> Words:
        """`value` as each language writes it, with its unit: "31,5 %" / "31.5 %"."""
        if unit is None:
            return Words(wording.number_vi(value), wording.number_en(value))
        return Words(wording.amount_vi(value, unit), wording.amount_en(value, unit))

    @staticmethod
    def day(value: date) -> Words:
        return Words(wording.vi_date(value), wording.en_date(value))

    @staticmethod
    def period(value: Period) -> Words:
        return Words(wording.period_vi(value), wording.period_en(value))


@dataclass(frozen=True, slots=True)
class Signer:
    """Who signed a record: its registry name (or the department), and its address."""

    name: Words | None
    address: str
    department: bool


@dataclass(frozen=True, slots=True)
class Reading:
    """An `indicator/2` figure, judged by the target in force when it was filed (if any)."""

    value: Words
    counts: Words | None
    target: Words | None
    direction: str
    met: bool | None


@dataclass(frozen=True, slots=True)
class Fact:
    """One line of a body's summary: a label and its value."""

    label: Words
    value: Words


@dataclass(frozen=True, slots=True)
class QuotedFigure:
    """A figure a report quotes."""

    indicator: Words
    area: Words
    value: Words


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file listed by the record, as the page lists it."""

    name: str
    sha256: str
    media_type: str
    size: Words
    downloadable: bool


@dataclass(frozen=True, slots=True)
class SignatureView:
    """One signature the record carries (`signatures` of `GET /v1/records/{id}`), in words:
    what kind it is, who signed (the organisation and its tax code for a certificate, the
    operator for an Ethereum key), the CA that issued the certificate, when, and the result."""

    format: str
    kind: Words
    signer: Words
    tax_code: str | None
    issuer: Words | None
    serial: str | None
    signed_at: Words | None
    valid: bool
    status: Words
    attachment: str | None


@dataclass(frozen=True, slots=True)
class BodyView:
    """What a body says: the heading it gives the record, the figure (`indicator/2`), facts
    (label: value), a report's summary text and the figures it quotes."""

    heading: Words
    reading: Reading | None = None
    facts: tuple[Fact, ...] = ()
    text: str | None = None
    figures: tuple[QuotedFigure, ...] = ()


@dataclass(frozen=True, slots=True)
class RecordView:
    """The record in plain words: kind, signer, attachments, what its body says, and whether it
    is signed with a CA certificate only (`"signature": null`: no EIP-712 signature, a CMS among
    its evidence documents signs its fields for the operator)."""

    kind: Words
    signer: Signer
    attachments: tuple[Attachment, ...]
    body: BodyView
    ca_only: bool

    @property
    def heading(self) -> Words:
        return self.body.heading

    @property
    def reading(self) -> Reading | None:
        return self.body.reading

    @property
    def facts(self) -> tuple[Fact, ...]:
        return self.body.facts

    @property
    def text(self) -> str | None:
        return self.body.text

    @property
    def figures(self) -> tuple[QuotedFigure, ...]:
        return self.body.figures


def signer_of(entry: dict[str, Any], names: dict[str, str]) -> Signer:
    """The record's signer by its registry name; the department when it files this kind and
    is not a registered operator; unnamed otherwise."""
    address = str(entry["operator"])
    name = names.get(address)
    if name is not None:
        return Signer(Words.same(name), address, department=False)
    if entry["kind"] in REGISTRAR_KINDS:
        return Signer(Words.say("summary.department"), address, department=True)
    return Signer(None, address, department=False)


def _name_part(subject: str, oid: x509.ObjectIdentifier) -> str | None:
    """The first `oid` attribute of an RFC 4514 distinguished name, or None."""
    try:
        found = x509.Name.from_rfc4514_string(subject).get_attributes_for_oid(oid)
    except ValueError:
        return None
    return str(found[0].value) if found else None


def organisation_words(subject: str | None) -> Words:
    """Who a certificate names: its organisation (O), else its common name (CN), else the
    whole subject; "unknown" when there is none."""
    if not subject:
        return Words.say("signature.unknown")
    name = _name_part(subject, NameOID.ORGANIZATION_NAME) or \
        _name_part(subject, NameOID.COMMON_NAME)
    return Words.same(name or subject)


def signature_view(item: dict[str, Any], signer: Signer) -> SignatureView:
    """One `signatures` item in words; `signer` names the operator of an EIP-712 signature,
    whose key is the department's when the department signed (a plan, a binding, a compiled
    figure), so the signature is not called an operator's."""
    form = str(item["format"])
    kind_key = f"signature.format_{form}"
    if form == "eip712" and signer.department:
        kind_key = "signature.format_eip712_department"
    kind = Words.say(kind_key) if kind_key in wording.VI else Words.same(form)
    if form == "eip712":
        who = signer.name or Words.say("record.address_not_named_registry")
    else:
        who = organisation_words(item.get("signer"))
    signed_at = None
    if item.get("signed_at"):
        moment = int(datetime.fromisoformat(str(item["signed_at"])).timestamp())
        signed_at = Words(wording.vi_time(moment), wording.en_time(moment))
    status = str(item["status"])
    said = item.get("message")
    if status == "valid":
        words = Words.say("signature.status_valid")
    elif isinstance(said, dict) and said.get("vi") and said.get("en"):
        words = Words(str(said["vi"]), str(said["en"]))
    else:
        words = Words.say("signature.status_code", code=status)
    return SignatureView(
        format=form, kind=kind, signer=who,
        tax_code=None if item.get("tax_code") is None else str(item["tax_code"]),
        issuer=None if not item.get("issuer") else organisation_words(item["issuer"]),
        serial=None if item.get("serial") is None else str(item["serial"]),
        signed_at=signed_at, valid=status == "valid", status=words,
        attachment=None if item.get("attachment") is None else str(item["attachment"]))


def size_words(size: int) -> Words:
    """A file size in kB (1 kB = 1000 bytes), one decimal: "2,1 kB"; a small non-empty file is
    never "0 kB"."""
    kilobytes = round(size / 1000, 1)
    if size > 0 and kilobytes == 0:
        kilobytes = 0.1
    vi, en = wording.number_vi(kilobytes), wording.number_en(kilobytes)
    return Words(f"{vi}\u00a0kB", f"{en}\u00a0kB")


def attachments_of(listed: list[dict[str, Any]], restricted: bool) -> tuple[Attachment, ...]:
    """The attachment list; a restricted record's files are served to inspectors only."""
    return tuple(
        Attachment(str(item["name"]), str(item["sha256"]), str(item["type"]),
                   size_words(int(item["size"])), downloadable=not restricted)
        for item in listed)


def area_words(code: str, day: date) -> Words:
    """The name of the area `code` in force on `day`; the code when the catalogue has none."""
    try:
        area: Area = load_areas().resolve(code, day)
    except FilingError:
        return Words.say("summary.area_code", code=code)
    return Words(area.name_vi, area.name_en)


def indicator_words(book: PlanBook, code: str) -> Words:
    """An indicator's name as the newest plan that targets it writes it; its code otherwise."""
    for plan in reversed(book.plans):
        targets = plan.targets_for(code)
        if targets:
            return Words(targets[0].name_vi, targets[0].name_en)
    return Words.same(code)


def kind_words(kind: str) -> Words:
    """A record kind in words (the catalogue's `kind.*`); its code when the catalogue has none."""
    key = f"kind.{kind}"
    return Words.say(key) if key in wording.VI else Words.same(kind)


def view(book: PlanBook, names: dict[str, str], index: int, entry: dict[str, Any],
         body: Any, attachments: list[dict[str, Any]], restricted: bool) -> RecordView:
    """The record at log `index` with `entry`, its public `body` (None when withheld) and its
    attachment list, in plain words."""
    kind = kind_words(str(entry["kind"]))
    said = BodyView(Words(f"{kind.vi} · {entry['subject']}", f"{kind.en} · {entry['subject']}"))
    body = body if isinstance(body, dict) else None
    schema = entry["schema"]
    try:
        if schema == "indicator/2" and body is not None:
            said = _indicator(book, index, body)
        elif schema == "permit/2":
            said = _permit(names, entry, body)
        elif schema == "report/2":
            said = _report(book, entry, body)
        elif schema == "plan/1" and body is not None:
            said = _plan(body)
        elif schema == "site/1" and body is not None:
            said = _site(names, body)
        elif schema == "route/1" and body is not None:
            said = _route(names, body)
    except (FilingError, KeyError, TypeError, ValueError):
        pass  # a retired or unexpected body: the subject names it, the JSON shows it
    return RecordView(kind, signer_of(entry, names),
                      attachments_of(attachments, restricted), said,
                      ca_only=entry["signature"] is None)


def _indicator(book: PlanBook, index: int, body: dict[str, Any]) -> BodyView:
    period = parse_period(str(body["period"]))
    code, unit = str(body["indicator"]), str(body["unit"])
    value = float(body["value"])
    name = indicator_words(book, code)
    area = area_words(str(body["area"]), period.as_of)
    when = Words.period(period)
    counts = None
    if isinstance(body.get("numerator"), int) and isinstance(body.get("denominator"), int):
        counts = Words(f"{wording.number_vi(body['numerator'])} / "
                       f"{wording.number_vi(body['denominator'])}",
                       f"{wording.number_en(body['numerator'])} / "
                       f"{wording.number_en(body['denominator'])}")
    judged = book.target(code, period.as_of, before=index)
    target: Target | None = None if judged is None else judged.target
    reading = Reading(
        value=Words.number(value, unit), counts=counts,
        target=None if target is None else Words.number(target.value, target.unit),
        direction="at_least" if target is None else target.direction,
        met=None if judged is None else judged.is_met(value),
    )
    return BodyView(Words(f"{name.vi} · {area.vi} · {when.vi}",
                          f"{name.en} · {area.en} · {when.en}"), reading=reading)


def _permit(names: dict[str, str], entry: dict[str, Any],
            body: dict[str, Any] | None) -> BodyView:
    _, commune, number = str(entry["subject"]).split(":", 2)
    if body is None:  # withheld: the subject names the commune and the number
        place = area_words(commune, issued_day(int(entry["issued_at"])))
        return BodyView(Words.say("summary.permit_withheld", number=number, place=place))
    start, end = date.fromisoformat(body["valid_from"]), date.fromisoformat(body["valid_until"])
    place = area_words(str(body["location"]["commune"]), start)
    label = Words(*PERMIT_TYPE_LABELS.get(body["type"], (body["type"], body["type"])))
    operators = [names.get(str(address), str(address)) for address in body["operators"]]
    facts = [
        Fact(Words.say("summary.permit_type"), label),
        Fact(Words.say("summary.commune"), place),
        Fact(Words.say("summary.valid"),
             Words.say("summary.from_to", start=Words.day(start), end=Words.day(end))),
        Fact(Words.say("summary.operators_sharing"), Words.same(", ".join(operators))),
    ]
    if body.get("holder"):
        facts.append(Fact(Words.say("summary.holder"), Words.same(str(body["holder"]))))
    location = body["location"]
    lat, lon = float(location["lat"]), float(location["lon"])
    facts.append(Fact(Words.say("summary.location"), Words.say(
        "summary.latitude_longitude", latitude=Words.number(lat), longitude=Words.number(lon))))
    return BodyView(Words.say("summary.permit", number=number, type=label, place=place),
                    facts=tuple(facts))


def _site(names: dict[str, str], body: dict[str, Any]) -> BodyView:
    """A BTS site as of its day: where, whose, in which state, with what."""
    as_of = date.fromisoformat(body["as_of"])
    place = area_words(str(body["area"]), as_of)
    status = Words.say(f"map.status_{body['status']}")
    facts = [
        Fact(Words.say("map.area"), place),
        Fact(Words.say("map.as_of"), Words.day(as_of)),
        Fact(Words.say("map.status"), status),
    ]
    outage = body.get("out_of_service")
    if outage:
        facts.append(Fact(Words.say("map.out_of_service_since"), Words.say(
            "summary.outage", reason=Words.say(f"map.reason_{outage['reason']}"),
            since=Words.day(date.fromisoformat(outage["since"])))))
    facts += [
        Fact(Words.say("map.technologies"), Words.same(", ".join(body["technologies"]))),
        Fact(Words.say("map.structure"), Words.say(f"map.structure_{body['structure']}")),
        Fact(Words.say("map.height"), Words.number(float(body["height_m"]), "m")),
    ]
    if body["tenants"]:
        facts.append(Fact(Words.say("map.tenants"), Words.same(", ".join(
            names.get(str(address), str(address)) for address in body["tenants"]))))
    if body.get("commissioned"):
        facts.append(Fact(Words.say("map.commissioned"),
                          Words.day(date.fromisoformat(body["commissioned"]))))
    position = body["position"]
    facts.append(Fact(Words.say("summary.location"), Words.say(
        "summary.latitude_longitude", latitude=Words.number(float(position["lat"])),
        longitude=Words.number(float(position["lon"])))))
    return BodyView(Words.say("summary.site", site=str(body["site_id"]), status=status,
                              place=place), facts=tuple(facts))


def _route(names: dict[str, str], body: dict[str, Any]) -> BodyView:
    """A cable route as of its day: how it runs, whose, shared or not, through which areas."""
    as_of = date.fromisoformat(body["as_of"])
    kind = Words.say(f"map.route_{body['placement']}")
    shared = Words.say(f"map.route_shared_{body['shared']}" if body.get("shared")
                       else "map.route_not_shared")
    length = route_length_m(RouteBody.model_validate(body))
    facts = [
        Fact(Words.say("map.as_of"), Words.day(as_of)),
        Fact(Words.say("map.status"), Words.say(f"map.status_{body['status']}")),
        Fact(Words.say("map.route_length"), Words.number(round(length), "m")),
        Fact(Words.say("map.route_shared"), shared),
        Fact(Words.say("map.route_areas"), Words(
            ", ".join(area_words(str(code), as_of).vi for code in body["areas"]),
            ", ".join(area_words(str(code), as_of).en for code in body["areas"]))),
    ]
    if body["tenants"]:
        facts.append(Fact(Words.say("map.route_tenants"), Words.same(", ".join(
            names.get(str(address), str(address)) for address in body["tenants"]))))
    return BodyView(Words.say("summary.route", route=str(body["route_id"]), kind=kind),
                    facts=tuple(facts))


def _report(book: PlanBook, entry: dict[str, Any], body: dict[str, Any] | None) -> BodyView:
    if body is None:  # a restricted draft: the subject names its period
        period = parse_period(str(entry["subject"]).split(":")[1])
        when = Words.period(period)
        return BodyView(Words.say("summary.report_withheld", period=when))
    period = parse_period(str(body["period"]))
    figures = tuple(
        QuotedFigure(indicator_words(book, str(item["indicator"])),
                     area_words(str(item["area"]), period.as_of),
                     Words.number(float(item["value"]), str(item["unit"])))
        for item in body.get("indicators", ()))
    summary = body.get("summary")
    return BodyView(Words.same(str(body["title"])),
                    facts=(Fact(Words.say("summary.report_period"), Words.period(period)),),
                    text=None if summary is None else str(summary), figures=figures)


def _plan(body: dict[str, Any]) -> BodyView:
    document, covered = body["document"], body["period"]
    number = str(document["number"])
    start, end = Words.day(date.fromisoformat(covered["start"])), \
        Words.day(date.fromisoformat(covered["end"]))
    targets = len(body.get("targets", ()))
    facts = (
        Fact(Words.say("summary.issued_by"), Words.same(str(document["issuer"]))),
        Fact(Words.say("summary.issued_on"), Words.day(date.fromisoformat(document["date"]))),
        Fact(Words.say("summary.plan_period"), Words.say("summary.from_to", start=start, end=end)),
        Fact(Words.say("summary.quantified_targets"), Words.number(targets)),
        Fact(Words.say("home.source"), Words.same(str(document["source"]))),
    )
    title = Words(str(document["title_vi"]), str(document["title_en"]))
    return BodyView(Words.say("summary.plan", number=number, title=title), facts=facts)
