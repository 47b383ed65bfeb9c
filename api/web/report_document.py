"""The yearly report (`filings.yearly_report`) as a page and as a PDF document, Vietnamese first.

Both show the same things in the same order: the plans in force and their targets; for each
target the year's result, a bar chart of the latest sub-area figures against the target (inline
SVG on the page, drawn with PDF rectangles in the document) and every figure by area and
declarant, each declared figure with a link to its record page and a QR code of that link;
then what is missing. The QR codes (`segno`) hold the record's address under the public base
URL (`Settings.public_url`), never the address a request came in by, so the document is the
same whoever asks for it.

The PDF (`fpdf2`, with Noto Sans, SIL OFL 1.1: `fonts/README.md`) is one language
(`vi` by default, or `en`) and a pure function of the report, the base URL and the language:
its creation date is the checkpoint's signing time, so the same checkpoint gives the same bytes
and a filed report can be made again and compared byte for byte. Its words come from the
pages' catalogue (`api.web.wording`), as the page's do.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Final, Literal

import segno
from fpdf import FPDF
from markupsafe import Markup

from api.web import wording
from api.web.indicator_table import LEVEL_NAMES
from api.web.templating import environment
from filings.computed import ComputedFigure
from filings.figures import FORMULAS
from filings.plans import FiledPlan, Target
from filings.units import PERCENT
from filings.yearly_report import (
    AreaLine,
    IndicatorReport,
    Missing,
    TargetLine,
    YearlyReport,
)

Language = Literal["vi", "en"]
LANGUAGES: Final = ("vi", "en")
FONT: Final = "NotoSans"
FONTS: Final = Path(str(resources.files("api.web") / "fonts"))
"""Noto Sans regular and bold, with the Vietnamese letters (`fonts/README.md`)."""
JUDGES_MARK: Final = "*"
"""Marks the target that judges the year in the PDF (the font has no star)."""
QR_MASK: Final = 0
QRS_KEPT: Final = 4096
"""QR codes kept in memory: a record's address never changes."""
QR_ERROR: Final = "l"
"""QR error correction level L (7 %): the smallest code for a record address, for screens and
print that are not damaged."""
MISSING_KEYS: Final[Mapping[str, str]] = {
    "no_figure": "report.missing_no_figure",
    "no_city_figure": "report.missing_no_city_figure",
    "not_filed": "report.missing_not_filed",
}
CHART_WIDTH: Final = 340
CHART_LABEL_WIDTH: Final = 120
CHART_BAR: Final = 12
CHART_GAP: Final = 4
CHART_TOP: Final = 18


def record_url(base_url: str, record_id: str) -> str:
    """The record page of `record_id` under the public base URL."""
    return f"{base_url.rstrip('/')}/records/{record_id}"


def qr_code(url: str) -> segno.QRCode:
    """The QR code of `url` (byte mode, level L, mask pattern 0). Any of the eight masks is a
    valid code; choosing the best scores all eight, which is most of segno's time (~11 ms a
    code against ~2 ms)."""
    return segno.make(url, error=QR_ERROR, micro=False, mask=QR_MASK)


@lru_cache(maxsize=QRS_KEPT)
def qr_svg(url: str) -> Markup:
    """The QR code of `url` as inline SVG, hidden from assistive technology (the link beside
    it says the same in words)."""
    svg = qr_code(url).svg_inline(scale=2, border=2, svgclass="qr", lineclass=None)
    return Markup(svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1))


@lru_cache(maxsize=QRS_KEPT)
def qr_png(url: str) -> bytes:
    """The QR code of `url` as a PNG, 4 pixels a module (for the PDF)."""
    png = io.BytesIO()
    qr_code(url).save(png, kind="png", scale=4, border=2)
    return png.getvalue()


# -- charts ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChartBar:
    """One area's bar: its name and figure (None: no figure), as a fraction of the scale."""

    name_vi: str
    name_en: str
    value: float | None
    met: bool | None

    def share(self, scale_max: float) -> float:
        return 0.0 if self.value is None else max(0.0, min(1.0, self.value / scale_max))


@dataclass(frozen=True, slots=True)
class ReportChart:
    """Horizontal bars of one period's area figures with the target as a line; the scale is
    100 for a percentage, else the largest of the target and the figures."""

    line: AreaLine
    bars: tuple[ChartBar, ...]
    target: Target
    scale_max: float

    @property
    def target_share(self) -> float:
        return min(1.0, self.target.value / self.scale_max)

    # the page's geometry, in SVG user units
    @property
    def height(self) -> int:
        return CHART_TOP + len(self.bars) * (CHART_BAR + CHART_GAP) + 4

    @property
    def plot_width(self) -> int:
        return CHART_WIDTH - CHART_LABEL_WIDTH - 44

    def y(self, position: int) -> int:
        return CHART_TOP + position * (CHART_BAR + CHART_GAP)


def chart_of(item: IndicatorReport) -> ReportChart | None:
    """The chart of the indicator's latest area figures; None when no area has a figure."""
    lines = item.latest_lines()
    values = [line.cell.value for line in lines if line.cell.value is not None]
    if not values:
        return None
    scale = 100.0 if item.target.unit == PERCENT else max([item.target.value, *values]) or 1.0
    bars = tuple(ChartBar(line.area.name_vi, line.area.name_en, line.cell.value, line.cell.met)
                 for line in lines)
    return ReportChart(lines[0], bars, item.target, scale)


# -- words -------------------------------------------------------------------------------------


def goal_words(target: Target) -> tuple[str, str]:
    """"tối thiểu 30 %" / "at least 30 %"."""
    key = "report.at_least" if target.direction == "at_least" else "report.at_most"
    return wording.page_text(key, value=(wording.amount_vi(target.value, target.unit),
                                         wording.amount_en(target.value, target.unit)))


def missing_words(report: YearlyReport, item: Missing) -> tuple[str, str]:
    target = item.judging.target
    return wording.page_text(MISSING_KEYS[item.reason], name=(target.name_vi, target.name_en),
                             year=report.year, operator=item.name or "")


def status_words(met: bool | None) -> tuple[str, str]:
    if met is None:
        return wording.page_text("home.not_judged")
    return wording.page_text("home.met" if met else "home.not_yet")


def checkpoint_words(report: YearlyReport) -> tuple[str, str]:
    point = report.checkpoint
    return wording.page_text(
        "report.checkpoint", size=(wording.number_vi(point.size), wording.number_en(point.size)),
        origin=point.origin, root=point.root,
        time=(wording.vi_time(point.signed_at), wording.en_time(point.signed_at)))


def summary_words(report: YearlyReport) -> tuple[str, str]:
    met, missed, unknown = report.outcomes()
    return wording.page_text("report.summary", indicators=len(report.indicators), met=met,
                             missed=missed, unknown=unknown, figures=report.figure_count)


def title_words(report: YearlyReport) -> tuple[str, str]:
    return wording.page_text("report.heading", year=report.year)


# -- the page ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FiledReport:
    """The record a report was filed as: its id and the checkpoint size it was made at (None
    when its file's name does not say, `report_pdf_name`)."""

    record_id: str
    size: int | None


def report_pdf_name(report: YearlyReport, language: Language) -> str:
    """"bao-cao-2025-checkpoint-1234.pdf" ("report-…" in English): the year and the
    checkpoint the document was made at."""
    stem = "bao-cao" if language == "vi" else "report"
    return f"{stem}-{report.year}-checkpoint-{report.checkpoint.size}.pdf"


def report_body(report: YearlyReport) -> dict[str, Any]:
    """The `report/2` body the department files the report as (in Vietnamese): its year, its
    title, what it was made from, and each target's result for the city."""
    figures = [{"indicator": item.indicator, "area": result.area.code,
                "value": result.cell.value, "unit": item.target.unit}
               for item in report.indicators
               if (result := item.result) is not None and result.cell.value is not None]
    return {
        "period": str(report.year),
        "title": title_words(report)[0],
        "summary": " ".join((wording.page_text("report.basis")[0], checkpoint_words(report)[0],
                             summary_words(report)[0])),
        "indicators": figures,
    }


def report_html(report: YearlyReport, base_url: str, filed: FiledReport | None) -> str:
    """The report's page (`templates/yearly_report.html`), both languages at once."""
    charts = {item.indicator: chart_of(item) for item in report.indicators}
    page: Callable[..., str] = environment().get_template("yearly_report.html").render
    return page(
        report=report, filed=filed, charts=charts, level_names=LEVEL_NAMES, formulas=FORMULAS,
        qr=lambda record: qr_svg(record_url(base_url, record)), goal=goal_words,
        missing=lambda item: missing_words(report, item), checkpoint=checkpoint_words(report),
        summary=summary_words(report), chart_width=CHART_WIDTH, label_width=CHART_LABEL_WIDTH,
        bar_height=CHART_BAR, base_url=base_url.rstrip("/"),
    )


# -- the PDF -----------------------------------------------------------------------------------

MARGIN: Final = 15.0
PAGE_WIDTH: Final = 210.0
ROW: Final = 15.0
"""The height of a row with a QR code, in mm (the code is 13 mm wide)."""
QR_SIZE: Final = 13.0
COLUMNS: Final = (46.0, 52.0, 26.0, 18.0, 38.0)
"""Area and period, declarant, figure, assessment, proof (mm): 180 mm between the margins."""
TARGET_COLUMNS: Final = (110.0, 40.0, 30.0)
"""A plan's target, its value, its deadline (mm)."""


class _ReportPdf(FPDF):
    """An A4 page with the report's running footer: its year, checkpoint and page number."""

    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self._footer_text = footer_text

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=7)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, self._footer_text.replace("{page}", str(self.page_no())), align="C")
        self.set_text_color(0, 0, 0)


class _Writer:
    """Lays out one report in one language onto a `_ReportPdf`."""

    def __init__(self, report: YearlyReport, base_url: str, language: Language) -> None:
        self.report = report
        self.base_url = base_url
        self.pick = 0 if language == "vi" else 1
        footer = self.say("report.footer", year=report.year,
                          size=self.number(report.checkpoint.size), page="{page}",
                          pages="{nb}")
        self.pdf = _ReportPdf(footer)
        pdf = self.pdf
        pdf.set_margins(MARGIN, MARGIN, MARGIN)
        pdf.set_auto_page_break(True, margin=18)
        pdf.add_font(FONT, "", str(FONTS / "NotoSans-Regular.ttf"))
        pdf.add_font(FONT, "B", str(FONTS / "NotoSans-Bold.ttf"))
        pdf.set_creation_date(datetime.fromtimestamp(report.checkpoint.signed_at, UTC))
        pdf.set_lang(language)
        pdf.set_title(self.words(title_words(report)))
        pdf.set_author(self.say("report.sender"))
        pdf.set_subject(self.words(checkpoint_words(report)))
        pdf.alias_nb_pages()

    def words(self, pair: tuple[str, str]) -> str:
        return pair[self.pick]

    def say(self, key: str, **values: wording.PageValue) -> str:
        return self.words(wording.page_text(key, **values))

    def number(self, value: float) -> tuple[str, str]:
        return wording.number_vi(value), wording.number_en(value)

    def text(self, value: str, size: float = 9, bold: bool = False, height: float = 5) -> None:
        self.pdf.set_font(FONT, "B" if bold else "", size=size)
        self.pdf.multi_cell(0, height, value, align="L", new_x="LMARGIN", new_y="NEXT")

    def heading(self, value: str, size: float = 12) -> None:
        if self.pdf.get_y() > 250:
            self.pdf.add_page()
        self.pdf.ln(2)
        self.text(value, size=size, bold=True, height=6)
        self.pdf.ln(1)

    def write(self) -> bytes:
        report = self.report
        self.pdf.add_page()
        self.text(self.say("report.sender"), size=9, bold=True)
        self.text(self.say("report.recipient"), size=9)
        self.pdf.ln(3)
        self.text(self.words(title_words(report)).upper(), size=14, bold=True, height=7)
        self.pdf.ln(2)
        for line in (self.say("report.basis"), self.words(checkpoint_words(report)),
                     self.say("report.how_to_verify"),
                     self.say("report.links_under", base=self.base_url.rstrip("/")),
                     self.words(summary_words(report))):
            self.text(line, size=9)
            self.pdf.ln(1)
        self.heading(self.say("report.plans_heading"))
        for in_force in report.plans:
            self._plan(in_force.plan, in_force.targets)
        self.heading(self.say("report.results_heading"))
        for indicator in report.indicators:
            self._indicator(indicator)
        self.heading(self.say("report.missing_heading"))
        if not report.missing:
            self.text(self.say("report.missing_none"))
        for item in report.missing:
            self.text("• " + self.words(missing_words(report, item)))
        return bytes(self.pdf.output())

    def _plan(self, plan: FiledPlan, targets: tuple[TargetLine, ...]) -> None:
        document, period = plan.body.document, plan.body.period
        self.text(self.words((document.title_vi, document.title_en)), size=10, bold=True)
        self.text(self.say(
            "home.plan_line", number=document.number, issuer=document.issuer,
            date=(wording.vi_date(document.date), wording.en_date(document.date)),
            start=(wording.vi_date(period.start), wording.en_date(period.start)),
            end=(wording.vi_date(period.end), wording.en_date(period.end))), size=8)
        self._link_line(plan.record_id, size=8)
        for line in targets:
            target = line.target
            mark = f" {JUDGES_MARK}" if line.judges_year else ""
            deadline = (wording.vi_date(target.deadline) if self.pick == 0
                        else wording.en_date(target.deadline))
            self._cells(TARGET_COLUMNS, [self.words((target.name_vi, target.name_en)) + mark,
                                         self.words(goal_words(target)), deadline],
                        bold=line.judges_year)
        self.text(f"{JUDGES_MARK} " + self.say("report.judges", year=self.report.year), size=7)
        self.pdf.ln(2)

    def _link_line(self, record_id: str, size: float = 8) -> None:
        url = record_url(self.base_url, record_id)
        self.pdf.set_font(FONT, size=size)
        self.pdf.set_text_color(11, 79, 138)
        self.pdf.cell(0, 4.5, url, link=url, new_x="LMARGIN", new_y="NEXT")
        self.pdf.set_text_color(0, 0, 0)

    def _indicator(self, item: IndicatorReport) -> None:
        target = item.target
        self.heading(self.words((target.name_vi, target.name_en)), size=10.5)
        self.text(f"{self.say('home.target')}: {self.words(goal_words(target))} "
                  f"({target.deadline.year}) · {item.judging.plan.number} · "
                  f"{target.formula}: {self.words(FORMULAS[target.formula])}", size=8)
        result = item.result
        if result is None:
            self.text(self.say("report.no_result"), size=9, bold=True)
        else:
            self.text(self.say("report.result", value=self._value(result.cell.value, target),
                               period=self._period(result), status=status_words(item.met)),
                      size=9, bold=True)
        if item.computed_city is not None and item.computed_city.value is not None:
            self.text(self._computed(item.computed_city), size=8)
        chart = chart_of(item)
        if chart is not None:
            self._chart(chart)
        if item.lines:
            self._table(item)

    def _value(self, value: float | None, target: Target) -> tuple[str, str]:
        if value is None:
            return wording.page_text("home.no_data")
        return wording.amount_vi(value, target.unit), wording.amount_en(value, target.unit)

    def _period(self, line: AreaLine) -> tuple[str, str]:
        return wording.period_vi(line.period), wording.period_en(line.period)

    def _computed(self, figure: ComputedFigure) -> str:
        """The computed figure's line; only for a figure with a value."""
        value = round(figure.value or 0.0, 1)
        return self.say("report.computed", formula=figure.formula.key,
                        value=self.number(value), records=len(figure.records))

    def _chart(self, chart: ReportChart) -> None:
        pdf = self.pdf
        bar, gap, label, plot = 2.8, 1.0, 48.0, 110.0
        height = 6 + len(chart.bars) * (bar + gap)
        if pdf.get_y() + height > 275:
            pdf.add_page()
        top = pdf.get_y() + 5
        left = MARGIN + label
        pdf.set_font(FONT, size=6.5)
        for position, item in enumerate(chart.bars):
            y = top + position * (bar + gap)
            pdf.set_xy(MARGIN, y - 0.4)
            pdf.cell(label - 2, bar + 0.8, self.words((item.name_vi, item.name_en)), align="R")
            if item.value is not None:
                pdf.set_fill_color(*((29, 107, 52) if item.met else (11, 79, 138)))
                pdf.rect(left, y, max(0.3, plot * item.share(chart.scale_max)), bar, style="F")
            pdf.set_xy(left + plot * item.share(chart.scale_max) + 1, y - 0.4)
            shown = "–" if item.value is None else self.words(self.number(item.value))
            pdf.cell(20, bar + 0.8, shown)
        x = left + plot * chart.target_share
        pdf.set_draw_color(164, 22, 26)
        pdf.set_dash_pattern(dash=1, gap=0.8)
        pdf.line(x, top - 2, x, top + len(chart.bars) * (bar + gap))
        pdf.set_dash_pattern()
        pdf.set_draw_color(0, 0, 0)
        pdf.set_xy(x - 15, top - 5)
        pdf.cell(30, 3, self.words(goal_words(chart.target)), align="C")
        pdf.set_xy(MARGIN, top + len(chart.bars) * (bar + gap) + 1)
        period = self._period(chart.line)
        caption = self.say("report.chart_caption", period=period)
        self.text(caption, size=7)
        pdf.ln(1)

    def _table(self, item: IndicatorReport) -> None:
        pdf = self.pdf
        headings = [self.say(key) for key in ("report.area_col", "report.declarant_col",
                                              "report.figure_col", "report.assessment_col",
                                              "report.proof_col")]
        self._cells(COLUMNS, headings, bold=True)
        for line in item.lines:
            area = self.words((line.area.name_vi, line.area.name_en))
            where = f"{area} · {self.words(self._period(line))}"
            source = (self.say("home.compiled_department") if line.cell.source == "compiled"
                      else self.say("report.area_figure"))
            computed = "" if line.computed is None or line.computed.value is None \
                else self._computed(line.computed)
            self._cells(COLUMNS, [where, source,
                                  self.words(self._value(line.cell.value, item.target)),
                                  self.words(status_words(line.cell.met)), computed], bold=True)
            for figure in line.figures:
                y, height = self._cells(COLUMNS, [
                    "", figure.name, self.words(self._value(figure.value, item.target)),
                    self.words(status_words(figure.met)), ""], height=ROW)
                url = record_url(self.base_url, figure.record_id)
                x = MARGIN + sum(COLUMNS[:4])
                pdf.image(io.BytesIO(qr_png(url)), x=x, y=y + 1, w=QR_SIZE, h=QR_SIZE,
                          link=url)
                pdf.set_xy(x + QR_SIZE + 1, y + 1)
                pdf.set_font(FONT, size=6.5)
                pdf.set_text_color(11, 79, 138)
                pdf.multi_cell(COLUMNS[4] - QR_SIZE - 1, 3, f"{figure.record_id[:12]}…",
                               link=url, new_x="LMARGIN", new_y="TOP")
                pdf.set_text_color(0, 0, 0)
                pdf.set_xy(MARGIN, y + height)
        pdf.ln(2)

    def _height(self, width: float, value: str) -> float:
        """How high `value` wraps in a cell of `width` (fpdf2's dry run answers a number)."""
        found = self.pdf.multi_cell(width - 1, 3.6, value, align="L", dry_run=True,
                                    output="HEIGHT")
        return float(found) if isinstance(found, int | float) else 0.0

    def _cells(self, widths: tuple[float, ...], values: list[str], bold: bool = False,
               height: float = 4.5) -> tuple[float, float]:
        """One table row of wrapped cells, at least `height` mm high, ruled below; a new page
        first when it would not fit. Returns its top and its height."""
        pdf = self.pdf
        pdf.set_font(FONT, "B" if bold else "", size=7.5)
        needed = max(self._height(width, value)
                     for width, value in zip(widths, values, strict=True))
        row = max(height, needed + 1)
        if pdf.get_y() + row > pdf.h - 18:
            pdf.add_page()
            pdf.set_font(FONT, "B" if bold else "", size=7.5)
        y = pdf.get_y()
        for position, (width, value) in enumerate(zip(widths, values, strict=True)):
            pdf.set_xy(MARGIN + sum(widths[:position]), y + 0.5)
            pdf.multi_cell(width - 1, 3.6, value, align="L", new_x="RIGHT", new_y="TOP")
        pdf.set_draw_color(197, 203, 211)
        pdf.line(MARGIN, y + row, PAGE_WIDTH - MARGIN, y + row)
        pdf.set_draw_color(0, 0, 0)
        pdf.set_xy(MARGIN, y + row)
        return y, row


def report_pdf(report: YearlyReport, base_url: str, language: Language = "vi") -> bytes:
    """The report as a PDF in `language` (module doc): the same bytes for the same report."""
    return _Writer(report, base_url, language).write()
