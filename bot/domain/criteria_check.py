"""The arithmetic of a criteria set file: points, sums, thresholds, minimums and bands.

Runs after `criteria_schema` on the same raw TOML document, and skips any check whose inputs
are missing or of the wrong type: those are already reported, and guessing would only add
noise. Every other problem is reported, so a file can be fixed in one pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from bot.domain import criteria_problems as p
from bot.domain.criteria_model import Kind
from bot.domain.criteria_problems import Problem, item, join
from bot.domain.criteria_schema import TABLES, Raw, integer, is_type, number, tables
from bot.domain.facts import FACT_TITLE, MEASURE_TITLE

Located = tuple[str, Raw]
_ENTRIES: dict[str, str] = {Kind.LEVEL: "options", Kind.RATIO: "bands"}


def consistency_problems(document: Raw) -> Iterator[Problem]:
    """Yield every problem of ids, points, sums and thresholds in a parsed document."""
    criteria = [(item("criteria", i), raw) for i, raw in tables(document, "criteria")]
    indicators = [
        (item(join(path, "indicators"), i), raw)
        for path, criterion in criteria
        for i, raw in tables(criterion, "indicators")
    ]
    yield from _duplicates(criteria)
    yield from _duplicates(indicators)
    for path, criterion in criteria:
        yield from _criterion_checks(path, criterion)
    set_table = document.get("set")
    if isinstance(set_table, Mapping):
        yield from _set_checks(set_table, criteria, indicators)
        for path, indicator in indicators:
            yield from _source_checks(path, indicator, set_table.get("title"))


def indicator_max(raw: Raw) -> int | None:
    """Return the most an indicator can give, or None when its points are not all readable."""
    kind = raw.get("kind")
    if kind == Kind.YES_NO:
        return integer(raw, "points")
    entries = _ENTRIES.get(kind) if isinstance(kind, str) else None
    if entries is None or not is_type(TABLES, raw.get(entries)):
        return None
    points = [integer(entry, "points") for _, entry in tables(raw, entries)]
    known = [value for value in points if value is not None]
    return max(known) if known and len(known) == len(points) else None


def _duplicates(located: Iterable[Located]) -> Iterator[Problem]:
    """Report each id already used by an earlier table of the same list."""
    first: dict[str, str] = {}
    for path, raw in located:
        value = raw.get("id")
        if not isinstance(value, str):
            continue
        if value in first:
            params: p.Params = {"id": value, "first": first[value]}
            yield Problem(join(path, "id"), p.MSG_DUPLICATE_ID, params)
        else:
            first[value] = path


def _range(path: str, value: int | None, minimum: int, maximum: int | None) -> Iterator[Problem]:
    """Report `value` outside minimum..maximum; an unknown maximum only checks the minimum."""
    if value is None:
        return
    if maximum is None or maximum < minimum:
        if value < minimum:
            msgid = p.MSG_NEGATIVE if minimum == 0 else p.MSG_NOT_POSITIVE
            yield Problem(path, msgid)
    elif not minimum <= value <= maximum:
        yield Problem(path, p.MSG_OUT_OF_RANGE, {"minimum": minimum, "maximum": maximum})


def _criterion_checks(path: str, raw: Raw) -> Iterator[Problem]:
    """Check a criterion's points, its indicators' points, and that the two agree."""
    maximum = integer(raw, "max_points")
    yield from _range(join(path, "max_points"), maximum, 1, None)
    yield from _range(join(path, "min_points"), integer(raw, "min_points"), 0, maximum)
    located = [(item(join(path, "indicators"), i), ind) for i, ind in tables(raw, "indicators")]
    for at, indicator in located:
        yield from _indicator_checks(at, indicator, maximum)
    maxima = [indicator_max(indicator) for _, indicator in located]
    if maximum is None or None in maxima or not maxima:
        return
    total = sum(value for value in maxima if value is not None)
    if total != maximum:
        params: p.Params = {"total": total, "max_points": maximum}
        yield Problem(join(path, "max_points"), p.MSG_INDICATORS_SUM, params)


def _indicator_checks(path: str, raw: Raw, criterion_max: int | None) -> Iterator[Problem]:
    """Check the points an indicator gives, its minimum, and its options or bands."""
    kind = raw.get("kind")
    if kind == Kind.YES_NO:
        yield from _points(join(path, "points"), integer(raw, "points"), criterion_max)
    elif kind == Kind.LEVEL:
        options = [(item(join(path, "options"), i), o) for i, o in tables(raw, "options")]
        yield from _duplicates(options)
        for at, option in options:
            yield from _points(join(at, "points"), integer(option, "points"), criterion_max)
    elif kind == Kind.RATIO:
        yield from _band_checks(path, raw, criterion_max)
    own_max = indicator_max(raw)
    minimum = integer(raw, "min_points")
    yield from _range(join(path, "min_points"), minimum, 0, None)
    if own_max is not None and minimum is not None and minimum > own_max:
        yield Problem(join(path, "min_points"), p.MSG_ABOVE_INDICATOR, {"maximum": own_max})


def _points(path: str, value: int | None, criterion_max: int | None) -> Iterator[Problem]:
    """Points are never negative and never more than the criterion can hold."""
    yield from _range(path, value, 0, None)
    if value is not None and criterion_max is not None and value > criterion_max:
        yield Problem(path, p.MSG_ABOVE_CRITERION, {"maximum": criterion_max})


def _band_checks(path: str, raw: Raw, criterion_max: int | None) -> Iterator[Problem]:
    """Check each band's fraction and points, their order, and `when_none`."""
    previous: Decimal | None = None
    for index, band in tables(raw, "bands"):
        at = item(join(path, "bands"), index)
        yield from _points(join(at, "points"), integer(band, "points"), criterion_max)
        fraction = number(band, "at_least")
        if fraction is None:
            continue
        # TOML allows nan and inf; Decimal refuses to order a NaN, so test finiteness first.
        if not (fraction.is_finite() and 0 <= fraction <= 1):
            yield Problem(join(at, "at_least"), p.MSG_OUT_OF_RANGE, {"minimum": 0, "maximum": 1})
            continue
        if previous is not None and fraction <= previous:
            order: p.Params = {"value": str(fraction), "previous": str(previous)}
            yield Problem(join(at, "at_least"), p.MSG_BANDS_ORDER, order)
        previous = fraction
    when_none = join(path, "when_none")
    yield from _range(when_none, integer(raw, "when_none"), 0, indicator_max(raw))


def _set_checks(raw: Raw, criteria: list[Located], indicators: list[Located]) -> Iterator[Problem]:
    """Check the set's total against its criteria, its thresholds and its minimum."""
    maximum = integer(raw, "max_points")
    yield from _range("set.max_points", maximum, 1, None)
    maxima = [integer(criterion, "max_points") for _, criterion in criteria]
    known = [value for value in maxima if value is not None]
    if maximum is not None and known and len(known) == len(maxima) and sum(known) != maximum:
        params: p.Params = {"total": sum(known), "max_points": maximum}
        yield Problem("set.max_points", p.MSG_CRITERIA_SUM, params)
    passing = integer(raw, "pass_threshold")
    yield from _range("set.pass_threshold", passing, 1, maximum)
    excellent = integer(raw, "excellent_threshold")
    yield from _range("set.excellent_threshold", excellent, 1, maximum)
    if passing is not None and excellent is not None and excellent < passing:
        below: p.Params = {"pass_threshold": passing}
        yield Problem("set.excellent_threshold", p.MSG_EXCELLENT_BELOW_PASS, below)
    yield from _set_minimum(integer(raw, "min_indicator_points"), indicators)


def _set_minimum(minimum: int | None, indicators: list[Located]) -> Iterator[Problem]:
    """A set-wide minimum that an indicator cannot reach would fail every family."""
    yield from _range("set.min_indicator_points", minimum, 0, None)
    if minimum is None:
        return
    for _, indicator in indicators:
        own_max = indicator_max(indicator)
        if own_max is not None and own_max < minimum:
            params: p.Params = {
                "indicator": str(indicator.get("id")),
                "maximum": own_max,
                "minimum": minimum,
            }
            yield Problem("set.min_indicator_points", p.MSG_MINIMUM_UNREACHABLE, params)


def _as_text(titles: Mapping[Any, Any]) -> dict[str, str]:
    return {str(key): str(title) for key, title in titles.items()}


# key -> (its known values with their titles, unknown msgid, wrong-title msgid)
_SOURCES: dict[str, tuple[Mapping[str, str], str, str]] = {
    "fact": (_as_text(FACT_TITLE), p.MSG_UNKNOWN_FACT, p.MSG_FACT_TITLE),
    "measure": (_as_text(MEASURE_TITLE), p.MSG_UNKNOWN_MEASURE, p.MSG_MEASURE_TITLE),
}


def _source_checks(path: str, raw: Raw, set_title: object) -> Iterator[Problem]:
    """A fact or measure must be a known one, of the set's own title."""
    for key, (titles, unknown, elsewhere) in _SOURCES.items():
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            continue
        if value not in titles:
            allowed = ", ".join(sorted(titles))
            yield Problem(join(path, key), unknown, {"value": value, "allowed": allowed})
        elif isinstance(set_title, str) and titles[value] != set_title:
            yield Problem(join(path, key), elsewhere, {"value": value, "title": titles[value]})
