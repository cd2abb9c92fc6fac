"""The built-in tests: ``{{ value is name(args) }}`` is the truth of ``TESTS["name"](value, args)``.

Each test behaves as Jinja 3.1's of the same name, documented at
https://jinja.palletsprojects.com/en/3.1.x/templates/#list-of-builtin-tests.
The comparison tests have operator aliases (``is ==``, ``is <``) so ``selectattr("age", ">", 18)``
reads naturally. ``filter`` and ``test`` are marked ``pass_environment``: they check whether a name
is registered in the rendering environment.

Does not: look tests up at compile time (see the Environment).
"""

from __future__ import annotations

import operator
from collections import abc
from numbers import Number
from typing import Any, Callable, Dict

from .runtime import Undefined, pass_environment


# -- Definedness and types -----------------------------------------------------------------------


def is_defined(value: Any) -> bool:
    """True unless the value is undefined: ``{% if user is defined %}``."""
    return not isinstance(value, Undefined)


def is_undefined(value: Any) -> bool:
    return isinstance(value, Undefined)


def is_none(value: Any) -> bool:
    return value is None


def is_boolean(value: Any) -> bool:
    """True for ``True`` and ``False`` only, not for 0 or 1."""
    return value is True or value is False


def is_false(value: Any) -> bool:
    return value is False


def is_true(value: Any) -> bool:
    return value is True


def is_number(value: Any) -> bool:
    """Any number: int, float, Decimal, Fraction, complex (and bool, as in Python)."""
    return isinstance(value, Number)


def is_integer(value: Any) -> bool:
    """An ``int`` that is not a bool."""
    return isinstance(value, int) and value is not True and value is not False


def is_float(value: Any) -> bool:
    return isinstance(value, float)


def is_string(value: Any) -> bool:
    return isinstance(value, str)


def is_mapping(value: Any) -> bool:
    """A dict or other ``Mapping``."""
    return isinstance(value, abc.Mapping)


def is_iterable(value: Any) -> bool:
    """True when ``iter(value)`` works."""
    try:
        iter(value)
    except TypeError:
        return False
    return True


def is_sequence(value: Any) -> bool:
    """True when the value has a length and items (a list, string, dict...)."""
    try:
        len(value)
        value.__getitem__  # noqa: B018 - probing for the method
    except Exception:  # NOTE(tests): any failure means "not a sequence", as in Jinja.
        return False
    return True


# -- Numbers and strings -------------------------------------------------------------------------


def is_odd(value: Any) -> bool:
    return value % 2 == 1


def is_even(value: Any) -> bool:
    return value % 2 == 0


def is_divisibleby(value: Any, num: Any) -> bool:
    """``{{ 9 is divisibleby 3 }}``; dividing by 0 raises ``ZeroDivisionError``."""
    return value % num == 0


def is_lower(value: Any) -> bool:
    """True when the text has cased characters and all are lowercase."""
    return str(value).islower()


def is_upper(value: Any) -> bool:
    return str(value).isupper()


def is_escaped(value: Any) -> bool:
    """True for values that carry their own HTML (``Markup``): they are not escaped again."""
    return hasattr(value, "__html__")


# -- Comparisons and identity --------------------------------------------------------------------


def is_in(value: Any, seq: Any) -> bool:
    """``{{ 1 is in [1, 2] }}``."""
    return value in seq


def is_sameas(value: Any, other: Any) -> bool:
    """Identity, like Python's ``is``: ``{{ x is sameas false }}``."""
    return value is other


# -- Names in the environment --------------------------------------------------------------------


@pass_environment
def is_filter(environment: Any, value: Any) -> bool:
    """True when a filter named ``value`` exists: ``{% if "markdown" is filter %}``."""
    return value in environment.filters


@pass_environment
def is_test(environment: Any, value: Any) -> bool:
    """True when a test named ``value`` exists."""
    return value in environment.tests


TESTS: Dict[str, Callable[..., Any]] = {
    "defined": is_defined, "undefined": is_undefined, "none": is_none, "boolean": is_boolean,
    "false": is_false, "true": is_true, "number": is_number, "integer": is_integer,
    "float": is_float, "string": is_string, "mapping": is_mapping, "iterable": is_iterable,
    "sequence": is_sequence, "callable": callable,
    "odd": is_odd, "even": is_even, "divisibleby": is_divisibleby,
    "lower": is_lower, "upper": is_upper, "escaped": is_escaped,
    "in": is_in, "sameas": is_sameas, "filter": is_filter, "test": is_test,
    "==": operator.eq, "eq": operator.eq, "equalto": operator.eq,
    "!=": operator.ne, "ne": operator.ne,
    "<": operator.lt, "lt": operator.lt, "lessthan": operator.lt,
    "<=": operator.le, "le": operator.le,
    ">": operator.gt, "gt": operator.gt, "greaterthan": operator.gt,
    ">=": operator.ge, "ge": operator.ge,
}

__all__ = ["TESTS"]
