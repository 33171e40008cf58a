"""The review's tables as CSV and XLSX files, each with the filters in force written at the
top, so that a figure reported upward says what it counts."""

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _

from clients import selectors as client_selectors
from reminders import selectors as reminder_selectors

from . import review, selectors
from .models import ClientKind

type Cell = str | int | float | Decimal | None


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    header: list[str]
    rows: list[list[Cell]]


TABLES = (
    "caseloads",
    "work",
    "continuity",
    "outcomes",
    "heard",
    "unmet",
    "partners",
    "trends",
    "coordinator_trends",
    "clients",
    "endings",
)
FORMATS = ("csv", "xlsx")


def _name(user: Any) -> str:
    return str(user.get_full_name() or user.username)


def caseloads(result: review.Review) -> Table:
    kinds = [str(label) for _, label in ClientKind.choices]
    header = [_("Team"), _("Coordinator"), _("Open clients"), _("Weighted load"), _("Threshold"), _("Above")]
    header += [*kinds, _("Away until"), _("Substitute")]
    rows: list[list[Cell]] = [
        [
            row.team.name,
            _name(row.coordinator),
            row.open_clients,
            row.weighted_load,
            row.threshold,
            _("yes") if row.over_threshold else _("no"),
            *row.kind_cells,
            row.away_until.isoformat() if row.away_until else "",
            ", ".join(row.substitutes),
        ]
        for row in result.rows
    ]
    return Table("caseloads", _("Caseloads"), header, rows)


def work(result: review.Review) -> Table:
    labels = reminder_selectors.work_kind_labels()
    header = [_("Team"), _("Coordinator")]
    for kind in review.WORK_KINDS:
        header += [_("%(kind)s: overdue") % {"kind": labels[kind]}, _("%(kind)s: in 30 days") % {"kind": labels[kind]}]
    rows: list[list[Cell]] = []
    for row in result.rows:
        cells: list[Cell] = [row.team.name, _name(row.coordinator)]
        for _kind, overdue, coming in row.work_cells:
            cells += [overdue, coming]
        rows.append(cells)
    for team in result.teams:
        rows.append([team.team.name, _("Without a named worker"), team.without_worker, team.longest_without_worker])
    return Table("work", _("Overdue and coming work"), header, rows)


def continuity(result: review.Review) -> Table:
    reasons = [label for _, label in client_selectors.assignment_end_reasons()]
    header = [
        _("Team"),
        _("Coordinator"),
        _("Worker changes per client-year"),
        _("Days without a named worker"),
        _("Same worker for 12 months (%)"),
        *reasons,
    ]
    rows: list[list[Cell]] = [
        [
            row.team.name,
            _name(row.coordinator),
            row.changes_per_client_year,
            row.days_without_worker,
            row.same_worker_share,
            *row.handover_cells,
        ]
        for row in result.rows
    ]
    rows += [
        [
            team.team.name,
            _("All"),
            team.changes_per_client_year,
            team.days_without_worker,
            team.same_worker_share,
            *team.handover_cells,
        ]
        for team in result.teams
    ]
    return Table("continuity", _("Continuity"), header, rows)


def outcomes(result: review.Review) -> Table:
    header = [
        _("Life domain"),
        _("Goals rated"),
        _("Reached, the client's rating (%)"),
        _("Reached, the professional's rating (%)"),
        _("Average, client"),
        _("Average, professional"),
    ]
    rows: list[list[Cell]] = [
        [r.domain, r.goals, r.client_share, r.professional_share, r.client_average, r.professional_average]
        for r in result.outcomes
    ]
    return Table("outcomes", _("Outcomes"), header, rows)


def heard(result: review.Review) -> Table:
    header = [_("Review held by"), _("Answers"), _("Average")]
    rows: list[list[Cell]] = [[row.reviewer, row.answers, row.average] for row in result.heard]
    return Table("heard", _("How the clients felt heard at their plan reviews"), header, rows)


def unmet(result: review.Review) -> Table:
    times = [label for _, label in result.times_of_day]
    header = [_("Life domain"), *times]
    rows: list[list[Cell]] = [[row.domain, *row.counts] for row in result.uncovered]
    rows.append([_("Services not started within 3 months"), result.services_not_started])
    rows += [
        [_("Unanswered referrals: %(name)s") % {"name": r["counterpart"]}, r["n"]] for r in result.referrals_unanswered
    ]
    return Table("unmet", _("Unmet needs"), header, rows)


def endings(figures: review.Endings) -> Table:
    """Planned and unplanned endings per team, with the clients' views, as the page shows them."""
    header = [_("Team"), _("Planned"), _("Unplanned"), _("Share planned"), *(label for _value, label in figures.views)]
    rows: list[list[Cell]] = [
        [row.team, row.planned, row.unplanned, row.planned_share, *row.views] for row in figures.rows
    ]
    title = _("Endings of coordination %(since)s–%(until)s") % {
        "since": figures.since.isoformat(),
        "until": figures.until.isoformat(),
    }
    return Table("endings", title, header, rows)


def partners(result: review.Review) -> Table:
    """Referrals of the last 12 months per partner, as the page shows them."""
    header = [
        _("Partner"),
        _("Kind"),
        _("Referrals"),
        _("Answered"),
        _("Median days to answer"),
        _("Mean days to answer"),
        _("Bounces"),
        _("Came back unanswered"),
        _("Refused"),
        _("Redirected to another partner"),
        _("Unanswered"),
    ]
    rows: list[list[Cell]] = [
        [
            row.name,
            row.partner.get_kind_display() if row.partner is not None else None,
            row.referrals,
            row.answered,
            row.median_answer_days,
            row.mean_answer_days,
            row.bounces,
            row.returned,
            row.refused,
            row.redirected,
            row.unanswered,
        ]
        for row in result.referral_partners
    ]
    return Table("partners", _("Referrals per partner"), header, rows)


def trends(months: list[dict[str, Any]]) -> Table:
    """The teams' trends as the page shows them: a row per figure, a column per month."""
    header = [_("Figure"), *(m["month"].strftime("%Y-%m") for m in months)]
    rows: list[list[Cell]] = [[row.label, *row.values] for row in selectors.trend_table(months)]
    return Table("trends", _("Trends over 12 months"), header, rows)


def coordinator_trends(months: list[date], coordinators: list[selectors.CoordinatorTrend], trend: str) -> Table:
    """One figure per coordinator month by month, as the page shows it."""
    header = [_("Team"), _("Coordinator"), *(month.strftime("%Y-%m") for month in months)]
    rows: list[list[Cell]] = [
        [row.team.name, _name(row.coordinator), *(selectors.trend_value(m, trend) for m in row.months)]
        for row in coordinators
    ]
    return Table("coordinator_trends", _("Trends per coordinator"), header, rows)


def clients(shown: Sequence[Any]) -> Table:
    header = [_("Client"), _("Municipality"), _("Named worker"), _("Relationship since")]
    rows: list[list[Cell]] = [
        [
            c.full_name,
            c.municipality,
            f"{c.named_worker_first or ''} {c.named_worker_last or ''}".strip(),
            c.relationship_started_on.isoformat(),
        ]
        for c in shown
    ]
    return Table("clients", _("Clients"), header, rows)


BUILDERS = {
    "caseloads": caseloads,
    "work": work,
    "continuity": continuity,
    "outcomes": outcomes,
    "heard": heard,
    "unmet": unmet,
    "partners": partners,
}


def preamble(table: Table, filters: list[tuple[str, str]], by: Any) -> list[list[Cell]]:
    """What the file counts: its title, the filters in force, who made it and when."""
    made = timezone.localtime(timezone.now())
    lines: list[list[Cell]] = [[table.title]]
    lines += [[f"{label}: {value}"] for label, value in filters]
    lines.append([_("Made by %(name)s on %(when)s") % {"name": _name(by), "when": _stamp(made)}])
    lines.append([])
    return lines


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def _safe(value: Cell) -> Cell:
    """A text that a spreadsheet would run as a formula is written as text (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(table: Table, filters: list[tuple[str, str]], by: Any) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    header: list[Cell] = list(table.header)
    lines: list[list[Cell]] = [*preamble(table, filters, by), header, *table.rows]
    for line in lines:
        writer.writerow(["" if cell is None else _safe(cell) for cell in line])
    # A byte-order mark, so that a spreadsheet opens ä and ö right.
    return ("\ufeff" + out.getvalue()).encode()


def to_xlsx(table: Table, filters: list[tuple[str, str]], by: Any) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet(table.name[:31])
    bold = book.add_format({"bold": True})
    row_index = 0
    for line in preamble(table, filters, by):
        for col, cell in enumerate(line):
            sheet.write_string(row_index, col, str(cell), bold if row_index == 0 else None)
        row_index += 1
    for col, title in enumerate(table.header):
        sheet.write_string(row_index, col, title, bold)
    row_index += 1
    for line in table.rows:
        for col, cell in enumerate(line):
            if cell is None:
                continue
            if isinstance(cell, int | float | Decimal):
                sheet.write_number(row_index, col, float(cell))
            else:
                sheet.write_string(row_index, col, str(cell))
        row_index += 1
    sheet.set_column(0, max(len(table.header) - 1, 0), 18)
    book.close()
    return out.getvalue()
