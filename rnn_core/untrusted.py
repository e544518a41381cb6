"""Checks of values read from a file a person sent (a saved model, a run's zip), by type, shape
and size, before any array is built or any row stored from them.

Every check raises `Untrusted` with a fragment that names the value and says what it must be
("the mean must be a list of at most 2,000 finite numbers"); callers put it into their sentence.
Containers are walked with a count of every item visited, shared references counted each time
they are reached, so a small file that nests one list inside itself many times over is refused
after `max_items` steps instead of being expanded into gigabytes. Standard library only.
"""

from __future__ import annotations

import math

MAX_ITEMS = 100_000  # values a settings tree may hold, counted with repeats
MAX_DEPTH = 32  # levels of nesting
MAX_TEXT = 10_000  # characters of one string inside a settings tree
PLAIN = (str, int, float, bool, type(None))


class Untrusted(ValueError):
    """A value from a file that is not what it must be; the message says what it must be."""


def check_tree(value, what: str, max_items: int = MAX_ITEMS, leaves: tuple = PLAIN) -> None:
    """Untrusted unless `value` is dicts (string keys), lists and tuples of `leaves`, with at most
    `max_items` values and MAX_DEPTH levels, each string at most MAX_TEXT characters."""
    stack, seen = [(value, 0)], 0
    while stack:
        item, depth = stack.pop()
        seen += 1
        if seen > max_items:
            raise Untrusted(f"{what} holds more than {max_items:,} values")
        if depth > MAX_DEPTH:
            raise Untrusted(f"{what} is nested more than {MAX_DEPTH} levels deep")
        if isinstance(item, dict):
            if not all(isinstance(key, str) and len(key) <= MAX_TEXT for key in item):
                raise Untrusted(f"{what} has a key that is not a short text")
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list | tuple):
            stack.extend((child, depth + 1) for child in item)
        elif isinstance(item, str) and len(item) > MAX_TEXT:
            raise Untrusted(f"{what} holds a text of more than {MAX_TEXT:,} characters")
        elif not isinstance(item, leaves):
            raise Untrusted(f"{what} holds a {type(item).__name__}, not plain values")


def a_dict(value, what: str) -> dict:
    """`value` when it is a dict, else Untrusted."""
    if not isinstance(value, dict):
        raise Untrusted(f"{what} must be a table of named values, not a {type(value).__name__}")
    return value


def whole(value, what: str, low: int, high: int) -> int:
    """`value` when it is a whole number from `low` to `high` (not a bool), else Untrusted."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Untrusted(f"{what} must be a whole number from {low:,} to {high:,}")
    return value


def finite(value, what: str, low: float = -math.inf, above: bool = False) -> float:
    """`value` as a float when it is a finite number at least `low` (above it, with `above`),
    else Untrusted."""
    number = _as_float(value)
    if not math.isfinite(number) or number < low or (above and number == low):
        bound = "" if low == -math.inf else f" {'above' if above else 'at least'} {low:g}"
        raise Untrusted(f"{what} must be a finite number{bound}")
    return number


def text(value, what: str, max_chars: int) -> str:
    """`value` when it is a string of at most `max_chars` characters, else Untrusted."""
    if not isinstance(value, str) or len(value) > max_chars:
        raise Untrusted(f"{what} must be a text of at most {max_chars:,} characters")
    return value


def texts(value, what: str, max_count: int, max_chars: int = 200) -> tuple[str, ...]:
    """`value` as a tuple when it is a list of at most `max_count` short strings."""
    if not isinstance(value, list | tuple) or len(value) > max_count:
        raise Untrusted(f"{what} must be a list of at most {max_count:,} names")
    return tuple(text(item, f"each of {what}", max_chars) for item in value)


def numbers(value, what: str, max_count: int, length: int | None = None) -> list[float]:
    """`value` as floats when it is a flat list of at most `max_count` finite numbers (exactly
    `length` of them when given), else Untrusted; nothing is built before the check."""
    count = f"{length:,}" if length is not None else f"at most {max_count:,}"
    said = f"{what} must be a flat list of {count} finite numbers"
    if not isinstance(value, list | tuple) or len(value) > max_count:
        raise Untrusted(said)
    if length is not None and len(value) != length:
        raise Untrusted(f"{said}, not {len(value):,}")
    floats = [_as_float(item) for item in value]
    if not all(math.isfinite(item) for item in floats):
        raise Untrusted(said)
    return floats


def _as_float(value) -> float:
    """A number as a float; NaN for anything else (a bool, a text, an int past float's range)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return math.nan
    try:
        return float(value)
    except OverflowError:
        return math.nan
