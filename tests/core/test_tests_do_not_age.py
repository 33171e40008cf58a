"""quality.md: "no test holds a calendar date that the code compares with today". A test that
writes 1 December 2026 as a substitution's start passes until that day and fails after it.

So a test writes its dates counted from today (``timezone.localdate() + timedelta(days=…)``),
or pins today where it needs a place in the calendar (a weekend, a holiday, a year's end) with
``@pytest.mark.today(datetime.date(…))`` on the test, its class or its module (``pytestmark``),
which runs it with the clock set to noon of that day in Helsinki (tests/conftest.py). This
test reads every test module and refuses any other fixed calendar date, but for the short
list of pure calculations below, which are handed their day and never read today. Nor may a
test ask for the machine's date (``date.today()``): today is Helsinki's, ``timezone.localdate()``."""

import ast
import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.utils import timezone

TESTS = Path(__file__).resolve().parents[1]
PIN_MARKER = "today"
# The test modules that may hold fixed dates without a pin: each tests calculations handed their
# day, and nothing in it reads today or the database.
ALLOWED = {
    "core/test_calendar.py": "working days, holidays and deadlines counted from the day given",
    "clients/test_identity_code.py": "personal identity codes made from and read back to birth dates",
}
ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:$|[T ])", re.ASCII)
FINNISH_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", re.ASCII)


@dataclass(frozen=True)
class FixedDate:
    path: str
    line: int
    scope: str
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} ({self.scope or 'module'}): {self.text}"


def _is_day(year: int, month: int, day: int) -> bool:
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


def _date_call(node: ast.Call) -> bool:
    """``date(2026, 12, 1)``, ``datetime.date(…)``, ``datetime(2026, 12, 1, 10, …)``, or with
    the year, month and day named. A year counted from today (``date(today.year + 1, 1, 15)``)
    is no fixed date."""
    func = node.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    named = {keyword.arg: keyword.value for keyword in node.keywords}
    parts = [*node.args[:3], *(named[part] for part in ("year", "month", "day") if part in named)]
    return (
        name in {"date", "datetime"}
        and len(parts) == 3
        and all(isinstance(part, ast.Constant) and type(part.value) is int for part in parts)
    )


def _date_string(value: str) -> bool:
    """An ISO date (alone or starting a date-time), or a date as the pages show it (1.12.2026),
    that exists: "2026-02-30" is bad input, not a date."""
    iso = ISO_DATE.match(value)
    if iso is not None:
        return _is_day(*map(int, iso.groups()))
    finnish = FINNISH_DATE.fullmatch(value)
    return finnish is not None and _is_day(int(finnish[3]), int(finnish[2]), int(finnish[1]))


def _pins(decorator: ast.expr, names: frozenset[str] = frozenset()) -> bool:
    """``pytest.mark.today(…)``, alone or in a list of marks, or a module's name for one."""
    if isinstance(decorator, ast.List | ast.Tuple):
        return any(_pins(item, names) for item in decorator.elts)
    if isinstance(decorator, ast.Name):
        return decorator.id in names
    return (
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr == PIN_MARKER
        and isinstance(decorator.func.value, ast.Attribute)
        and decorator.func.value.attr == "mark"
    )


def _pin_names(tree: ast.Module) -> frozenset[str]:
    """The module's names for a pin: ``PINNED = pytest.mark.today(…)``."""
    return frozenset(
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign) and _pins(node.value)
        for target in node.targets
        if isinstance(target, ast.Name)
    )


class _Finder(ast.NodeVisitor):
    """Collects the fixed dates outside a pinned scope, each with the names of its scopes."""

    def __init__(self, path: str, source: str, pin_names: frozenset[str]) -> None:
        self.path, self.source, self.pin_names = path, source, pin_names
        self.scopes: list[str] = []
        self.pinned = ["pytestmark" in pin_names]
        self.found: list[FixedDate] = []

    def _scope(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        # The decorators belong to the test: a date in its parametrize is as pinned as its body.
        pins = any(_pins(decorator, self.pin_names) for decorator in node.decorator_list)
        self.pinned.append(self.pinned[-1] or pins)
        self.scopes.append(node.name)
        self.generic_visit(node)
        self.scopes.pop()
        self.pinned.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._scope(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._scope(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._scope(node)

    def _found(self, node: ast.expr) -> None:
        if not self.pinned[-1]:
            text = ast.get_source_segment(self.source, node) or ""
            self.found.append(FixedDate(self.path, node.lineno, "::".join(self.scopes), text))

    def visit_Call(self, node: ast.Call) -> None:
        if _date_call(node):
            self._found(node)
        elif not _pins(node):  # the day a pin names is the pin itself
            self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and _date_string(node.value):
            self._found(node)


def fixed_dates(path: str, source: str) -> list[FixedDate]:
    """The fixed calendar dates of a test module that neither a pin nor ``ALLOWED`` covers."""
    if path in ALLOWED:
        return []
    tree = ast.parse(source)
    finder = _Finder(path, source, _pin_names(tree))
    finder.visit(tree)
    return finder.found


def _test_modules() -> Iterator[Path]:
    return iter(sorted(TESTS.rglob("*.py")))


def test_no_test_holds_a_fixed_date_without_pinning_today() -> None:
    found = [
        date
        for path in _test_modules()
        for date in fixed_dates(path.relative_to(TESTS).as_posix(), path.read_text(encoding="utf-8"))
    ]
    assert not found, "Count these from today or pin today:\n" + "\n".join(map(str, found))


def machine_dates(source: str) -> list[int]:
    """The lines that ask for ``date.today()`` or ``datetime.today()``: the machine's date, in
    UTC here, which for two hours a night is the day before Helsinki's. The code compares with
    ``timezone.localdate()``, and so must the tests."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "today"
        and not node.args
        and ast.unparse(node.func.value).split(".")[-1] in {"date", "datetime"}
    ]


def test_no_test_reads_the_machines_date() -> None:
    found = [
        f"{path.relative_to(TESTS)}:{line}"
        for path in _test_modules()
        for line in machine_dates(path.read_text(encoding="utf-8"))
    ]
    assert not found, "Use timezone.localdate():\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("source", "lines"),
    [
        ("d = datetime.date.today()\n", [1]),
        ("from datetime import date\nd = date.today()\n", [2]),
        ("d = datetime.datetime.today()\n", [1]),
        ("d = timezone.localdate()\n", []),
        ("pytest.mark.today(datetime.date(2026, 1, 1))\n", []),
    ],
)
def test_the_machines_date_is_found(source: str, lines: list[int]) -> None:
    assert machine_dates(source) == lines


def test_every_allowed_module_exists_and_reads_no_today() -> None:
    """An entry left behind by a moved module would allow its next namesake unseen; a module
    that starts reading today is no longer a pure calculation."""
    for path in ALLOWED:
        source = (TESTS / path).read_text(encoding="utf-8")
        assert not re.search(r"localdate|today|now\(|\bworld\b", source), path


# The checker itself


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("def test_x():\n    assert due() == datetime.date(2026, 12, 1)\n", id="datetime.date"),
        pytest.param("from datetime import date\nSTART = date(2026, 12, 1)\n", id="date at module level"),
        pytest.param("def test_x():\n    d = date(year=2026, month=12, day=1)\n", id="date with named parts"),
        pytest.param("def test_x():\n    at = datetime.datetime(2026, 12, 1, 10, 0)\n", id="datetime"),
        pytest.param('def test_x():\n    post({"starts_on": "2026-12-01"})\n', id="ISO date"),
        pytest.param('def test_x():\n    post({"at": "2026-12-01T10:00:00+02:00"})\n', id="ISO date-time"),
        pytest.param('def test_x():\n    assert "1.12.2026" in page\n', id="date as the page shows it"),
        pytest.param(
            "@pytest.mark.parametrize('day', [date(2026, 12, 1)])\ndef test_x(day):\n    pass\n",
            id="date in a parametrize",
        ),
        pytest.param(
            "@pytest.mark.browser\nclass TestX:\n    def test_x(self):\n        d = date(2026, 12, 1)\n",
            id="another mark is no pin",
        ),
        pytest.param("def test_calendar_helper():\n    d = date(2026, 12, 1)\n", id="a namesake of an allowed module"),
    ],
)
def test_the_checker_finds_a_fixed_date(source: str) -> None:
    assert len(fixed_dates("clients/test_new.py", source)) == 1


@pytest.mark.parametrize(
    ("path", "source"),
    [
        pytest.param(
            "clients/test_new.py",
            "@pytest.mark.today(date(2026, 12, 18))\ndef test_x():\n    contact(on=date(2026, 12, 18))\n",
            id="pinned test",
        ),
        pytest.param(
            "clients/test_new.py",
            "@pytest.mark.today(date(2026, 12, 18))\nclass TestX:\n    def test_x(self):\n        d = '2026-12-18'\n",
            id="pinned class",
        ),
        pytest.param(
            "clients/test_new.py",
            "pytestmark = [pytest.mark.django_db, pytest.mark.today(date(2026, 1, 1))]\nSTART = date(2025, 1, 1)\n",
            id="pinned module",
        ),
        pytest.param(
            "clients/test_new.py",
            "PINNED = pytest.mark.today(date(2026, 1, 1))\n@PINNED\ndef test_x():\n    d = date(2025, 12, 24)\n",
            id="test pinned by the module's name for the pin",
        ),
        pytest.param(
            "clients/test_new.py",
            "def test_x():\n    d = timezone.localdate() + timedelta(days=3)\n    post({'on': d.isoformat()})\n",
            id="counted from today",
        ),
        pytest.param(
            "clients/test_new.py",
            'def test_x():\n    post({"born": "2026-02-30", "at": "1.6.1950 klo", "v": "1.2.3"})\n',
            id="bad input and other strings are no dates",
        ),
        pytest.param(
            "clients/test_new.py",
            "WINTER = datetime.date(timezone.localdate().year + 1, 1, 15)\n",
            id="a day of next year",
        ),
        pytest.param("core/test_calendar.py", "def test_x():\n    d = date(2026, 12, 24)\n", id="allowed module"),
    ],
)
def test_the_checker_lets_pinned_relative_and_allowed_dates_be(path: str, source: str) -> None:
    assert fixed_dates(path, source) == []


@pytest.mark.today(datetime.date(2025, 12, 24))
def test_a_pinned_test_runs_on_its_day_in_helsinki() -> None:
    assert timezone.localdate() == datetime.date(2025, 12, 24)
    assert timezone.localtime().hour == 12
