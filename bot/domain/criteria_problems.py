"""What can be wrong in a criteria set file, as English msgids with named placeholders.

A problem names where it is with a path such as `criteria[2].indicators[1].points` (0-based
indices, as the Nth `[[criteria]]` table of the file minus one), so that a province official
editing the file can find the line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Values for the named placeholders of a message.
Params = dict[str, str | int]

MSG_TOML_SYNTAX = "The file is not valid TOML, near line {line}: {error}"
MSG_MISSING_KEY = "{key} is missing"
MSG_MISSING_LANGUAGE = "{key} is missing: every text needs Vietnamese (_vi) and English (_en)"
MSG_UNKNOWN_KEY = "Unknown key {key}"
MSG_KEY_NOT_FOR_KIND = "{key} is not used by kind {kind}"
MSG_NOT_TEXT = "Must be text in quotes"
MSG_NOT_INTEGER = "Must be a whole number"
MSG_NOT_NUMBER = "Must be a number"
MSG_NOT_BOOL = "Must be true or false"
MSG_NOT_TABLE = "Must be a table: [{key}]"
MSG_NOT_TABLE_LIST = "Must be a list of tables: [[{key}]]"
MSG_EMPTY_TEXT = "Must not be empty"
MSG_EMPTY_LIST = "Needs at least {minimum} entries"
MSG_BAD_ID = "{value} cannot be an id: use letters A-Z, digits, _ - and ., at most {limit}"
MSG_UNKNOWN_TITLE = "Unknown title {value}: use one of {allowed}"
MSG_UNKNOWN_KIND = "Unknown kind {value}: use one of {allowed}"
MSG_DUPLICATE_ID = "Id {id} is already used at {first}"
MSG_NEGATIVE = "Must be 0 or more"
MSG_NOT_POSITIVE = "Must be 1 or more"
MSG_OUT_OF_RANGE = "Must be from {minimum} to {maximum}"
MSG_ABOVE_CRITERION = "Must be at most {maximum}, the criterion's max_points"
MSG_ABOVE_INDICATOR = "Must be at most {maximum}, the most the indicator can give"
MSG_CRITERIA_SUM = "The criteria add up to {total} points, but max_points is {max_points}"
MSG_INDICATORS_SUM = "The indicators add up to {total} points, but max_points is {max_points}"
MSG_EXCELLENT_BELOW_PASS = "Must not be below pass_threshold ({pass_threshold})"
MSG_MINIMUM_UNREACHABLE = (
    "Indicator {indicator} gives at most {maximum} points, so it can never reach {minimum}"
)
MSG_UNKNOWN_FACT = "Unknown fact {value}: use one of {allowed}"
MSG_FACT_TITLE = "Fact {value} belongs to title {title}, not to this set's"
MSG_UNKNOWN_MEASURE = "Unknown measure {value}: use one of {allowed}"
MSG_MEASURE_TITLE = "Measure {value} belongs to title {title}, not to this set's"
MSG_BANDS_ORDER = "Bands must go up: at_least {value} comes after {previous}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a criteria set file: where, and an English msgid to translate."""

    path: str
    message_id: str
    params: Params = field(default_factory=dict, hash=False)

    def describe(self) -> str:
        """Return `path: message` in English, placeholders filled in."""
        message = self.message_id.format(**self.params)
        return f"{self.path}: {message}" if self.path else message


def join(path: str, key: str) -> str:
    """Return the path of `key` inside the table at `path`."""
    return f"{path}.{key}" if path else key


def item(path: str, index: int) -> str:
    """Return the path of entry `index` (0-based) of the list at `path`."""
    return f"{path}[{index}]"
