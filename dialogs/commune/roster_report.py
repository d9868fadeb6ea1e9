"""The report of a roster check in the officer's language: an excerpt that fits one
Telegram message (kept in dialog_data as JSON), and all of it for a .txt file."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import astuple
from typing import Any

from bot.domain.messages import N_
from bot.domain.roster import Duplicate, DuplicateBy, ImportPlan, RosterCounts, RosterError

# Translates a msgid and fills in its params: escaped for HTML, or plain text for a file.
Say = Callable[[str, dict[str, Any]], str]

SHOWN_ERRORS = 15
SHOWN_DUPLICATES = 10
# A message holds 4096 characters: the errors and the duplicates each get a share of it,
# the title, counts and advice around them keep less than 1,000.
ERRORS_BUDGET = 2000
DUPLICATES_BUDGET = 800
SHORT_VALUE = 40  # a cell's text in the message; the file shows up to LONG_VALUE
LONG_VALUE = 200

MSG_ROWS = N_("Rows read: {count}")
MSG_READY = N_("✅ Ready to import: {count}")
MSG_INVALID = N_("❌ Rows with errors: {count}")
MSG_HELD = N_("⚠️ Likely duplicates, held back: {count}")
MSG_ERRORS = N_("Errors:")
MSG_DUPLICATES = N_("Held back, not imported:")
MSG_ROW = N_("Row {row}:")
MSG_ROW_CELL = N_("Row {row}, {column} “{value}”:")
MSG_MORE = N_("…and {count} more")


def excerpt(plan: ImportPlan) -> dict[str, Any]:
    """What the report window shows of `plan`, JSON-safe, long cells cut."""
    return {
        "counts": list(astuple(plan.counts)),
        "errors": [_error_json(error) for error in plan.errors[:SHOWN_ERRORS]],
        "error_total": len(plan.errors),
        "duplicates": [_duplicate_json(d) for d in plan.warnings[:SHOWN_DUPLICATES]],
        "duplicate_total": len(plan.warnings),
    }


def counts_of(saved: dict[str, Any]) -> RosterCounts:
    return RosterCounts(*saved["counts"])


def excerpt_lines(saved: dict[str, Any], say: Say) -> tuple[list[str], bool]:
    """The counts, then as many errors and duplicates as fit, each section saying how many
    more there are; and whether any were left out (the full report has them all)."""
    errors = [_error(*item) for item in saved["errors"]]
    duplicates = [_duplicate(*item) for item in saved["duplicates"]]
    error_lines, errors_left = _section(
        MSG_ERRORS, errors, saved["error_total"], ERRORS_BUDGET, say
    )
    duplicate_lines, duplicates_left = _section(
        MSG_DUPLICATES, duplicates, saved["duplicate_total"], DUPLICATES_BUDGET, say
    )
    lines = [*count_lines(counts_of(saved), say), *error_lines, *duplicate_lines]
    return lines, bool(errors_left or duplicates_left)


def full_lines(plan: ImportPlan, say: Say) -> list[str]:
    """Every count, error and duplicate, for a file."""
    errors = [_cut(error, LONG_VALUE) for error in plan.errors]
    error_lines, _ = _section(MSG_ERRORS, errors, len(errors), None, say)
    duplicate_lines, _ = _section(MSG_DUPLICATES, plan.warnings, len(plan.warnings), None, say)
    return [*count_lines(plan.counts, say), *error_lines, *duplicate_lines]


def count_lines(counts: RosterCounts, say: Say) -> list[str]:
    lines = [say(MSG_ROWS, {"count": counts.rows}), say(MSG_READY, {"count": counts.to_add})]
    if counts.invalid:
        lines.append(say(MSG_INVALID, {"count": counts.invalid}))
    if counts.valid > counts.to_add:
        lines.append(say(MSG_HELD, {"count": counts.valid - counts.to_add}))
    return lines


def line_of(item: RosterError | Duplicate, say: Say) -> str:
    """One error or duplicate, by the spreadsheet's row number (never grouped as 1.234)."""
    row = str(item.row)
    if isinstance(item, RosterError) and item.value and item.value != item.column:
        start = say(MSG_ROW_CELL, {"row": row, "column": item.column, "value": item.value})
    else:
        start = say(MSG_ROW, {"row": row})
    params = {
        key: str(value) if key in ("row", "household") else value
        for key, value in item.params.items()
    }
    return f"• {start} {say(item.message_id, params)}"


def _section(
    title: str,
    items: Sequence[RosterError | Duplicate],
    total: int,
    budget: int | None,
    say: Say,
) -> tuple[list[str], int]:
    """A titled list of as many items as fit `budget` characters, then "…and N more";
    and N."""
    if not total:
        return [], 0
    shown: list[str] = []
    for item in items:
        line = line_of(item, say)
        if budget is not None and sum(map(len, shown)) + len(line) > budget:
            break
        shown.append(line)
    left = total - len(shown)
    more = [say(MSG_MORE, {"count": left})] if left else []
    return ["", say(title, {}), *shown, *more], left


def _cut(error: RosterError, limit: int) -> RosterError:
    params = {key: _short(value, limit) for key, value in error.params.items()}
    return RosterError(
        error.row,
        error.message_id,
        params,
        _short(error.column, limit),
        _short(error.value, limit),
    )


def _short(value: Any, limit: int) -> Any:
    if isinstance(value, str) and len(value) > limit:
        return value[: limit - 1] + "…"
    return value


def _error_json(error: RosterError) -> list[Any]:
    cut = _cut(error, SHORT_VALUE)
    return [cut.row, cut.message_id, cut.params, cut.column, cut.value]


def _error(
    row: int, message_id: str, params: dict[str, Any], column: str, value: str
) -> RosterError:
    return RosterError(row, message_id, params, column, value)


def _duplicate_json(duplicate: Duplicate) -> list[Any]:
    return [duplicate.row, duplicate.by.value, duplicate.of_row, duplicate.of_household]


def _duplicate(row: int, by: str, of_row: int | None, of_household: int | None) -> Duplicate:
    return Duplicate(row, DuplicateBy(by), of_row, of_household)
