"""Honeycomb calculated-field formulas (formerly derived columns), evaluated per event:
the subset the guide's columns use (genops.integrations.honeycomb_boards).

Formula reference: https://docs.honeycomb.io/reference/calculated-field-formula.
`$name` is an event's column (null when the event lacks it); literals are numbers,
"strings", true, false and null. Functions:

    IF(c1, v1, c2, v2, ..., [else])  the value after the first true condition, else the
                                     else value, else null
    EXISTS(x)  IN(x, a, b, ...)  EQUALS(a, b)  LT  LTE  GT  GTE  (a comparison with
                                     null is false)
    DIV(a, b)  MUL  ADD  SUB         null when an operand is null or not a number, or
                                     when dividing by 0

compile() raises ValueError for anything else, so a formula is either evaluated as
Honeycomb would or refused.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable

Event = dict[str, Any]
Expr = Callable[[Event], Any]

_TOKEN = re.compile(
    r"\s*(?:(?P<fn>[A-Z_]+)\(|\$(?P<col>[A-Za-z0-9_.\-]+)|(?P<num>-?\d+(?:\.\d+)?)"
    r'|(?P<str>"(?:[^"\\]|\\.)*")|(?P<word>true|false|null)|(?P<sep>[,)]))'
)
_WORDS = {"true": True, "false": False, "null": None}


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _arith(op: Callable[[float, float], Any]) -> Callable[[list[Any]], Any]:
    def apply(args: list[Any]) -> Any:
        a, b = args
        return op(a, b) if _number(a) and _number(b) else None

    return apply


def _compare(op: Callable[[Any, Any], bool]) -> Callable[[list[Any]], Any]:
    def apply(args: list[Any]) -> Any:
        a, b = args
        if a is None or b is None or _number(a) != _number(b):
            return False
        return op(a, b)

    return apply


# function -> argument count: exact, or -n for at least n
_ARITY: dict[str, int] = {
    "IF": -2, "DIV": 2, "MUL": 2, "ADD": 2, "SUB": 2, "LT": 2, "LTE": 2, "GT": 2, "GTE": 2,
    "EQUALS": 2, "EXISTS": 1, "IN": -2,
}  # fmt: skip
# every function but IF (whose arguments are evaluated only as far as needed): its values
_EAGER: dict[str, Callable[[list[Any]], Any]] = {
    "DIV": _arith(lambda a, b: a / b if b else None),
    "MUL": _arith(lambda a, b: a * b),
    "ADD": _arith(lambda a, b: a + b),
    "SUB": _arith(lambda a, b: a - b),
    "LT": _compare(lambda a, b: a < b),
    "LTE": _compare(lambda a, b: a <= b),
    "GT": _compare(lambda a, b: a > b),
    "GTE": _compare(lambda a, b: a >= b),
    "EQUALS": lambda args: args[0] is not None and args[0] == args[1],
    "EXISTS": lambda args: args[0] is not None,
    "IN": lambda args: args[0] is not None and args[0] in args[1:],
}


def _call(name: str, args: list[Expr]) -> Expr:
    if name == "IF":

        def choose(e: Event) -> Any:
            for i in range(0, len(args) - 1, 2):
                if args[i](e) is True:
                    return args[i + 1](e)
            return args[-1](e) if len(args) % 2 else None

        return choose
    fn = _EAGER[name]
    return lambda e: fn([a(e) for a in args])


def compile(formula: str) -> Expr:  # noqa: A001 - the module's one entry point
    """formula as a function of an event."""
    tokens, pos = [], 0
    while pos < len(formula):
        m = _TOKEN.match(formula, pos)
        if m is None or m.end() == pos:
            if formula[pos:].strip():
                raise ValueError(f"formula: unexpected {formula[pos:]!r}")
            break
        tokens.append({k: v for k, v in m.groupdict().items() if v is not None})
        pos = m.end()
    at = 0

    def expr() -> Expr:
        nonlocal at
        if at >= len(tokens):
            raise ValueError(f"formula: ends early: {formula!r}")
        t = tokens[at]
        at += 1
        if "col" in t:
            col = t["col"]
            return lambda e: e.get(col)
        if "num" in t or "str" in t or "word" in t:
            value = (
                float(t["num"]) if "num" in t else json.loads(t["str"]) if "str" in t else _WORDS[t["word"]]
            )
            return lambda e: value
        name = t.get("fn")
        if name not in _ARITY:
            raise ValueError(f"formula: {name or t} is not supported here")
        args = []
        while True:
            args.append(expr())
            sep = tokens[at].get("sep") if at < len(tokens) else None
            at += 1
            if sep == ")":
                break
            if sep != ",":
                raise ValueError(f"formula: expected , or ) in {formula!r}")
        want = _ARITY[name]
        if (want >= 0 and len(args) != want) or (want < 0 and len(args) < -want):
            raise ValueError(f"formula: {name} takes {abs(want)}{'+' if want < 0 else ''} arguments")
        return _call(name, args)

    f = expr()
    if at != len(tokens):
        raise ValueError(f"formula: trailing {tokens[at:]} in {formula!r}")
    return f
