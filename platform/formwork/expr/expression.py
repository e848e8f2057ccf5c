"""A compiled expression, evaluated on records.

`compiler.compile_expression` has already refused everything that depends on
how the expression is written; what is left to fail here depends on a
record's values (an empty field, a division by zero). `evaluate` turns any
such failure into `ExpressionFailed` with a reason a user can act on, after
logging one line.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import datetime, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import cel

from ..i18n import say
from . import check_texts as says
from .entity import USER
from .errors import ExpressionFailed
from .functions import FunctionFailed, implementations
from .named import NamedValues
from .types import Type, Variable
from .values import BadValue, from_cel, to_cel

log = logging.getLogger("formwork.expr")


class Expression:
    """A compiled expression.

    `names` are the record's fields it reads (not `user`): a formula's inputs, the
    fields whose change re-evaluates a form rule. `paths` are its reads inside
    references, such as "account.name". `result` is the checker's type of its value.
    `named` maps each name and path it reads to the text values it compares it with
    (None: it cannot tell which values matter), `gives` the text values it can give
    (None: it computes them): the choices a definition relies on (expr/named.py).
    """

    def __init__(
        self,
        source: str,
        program: cel.Program,
        variables: dict[str, Variable],
        expect: Variable | None,
        result: Type,
        reads: frozenset[str],
        named: NamedValues,
        gives: frozenset[str] | None,
    ) -> None:
        self.source, self.program, self.variables = source, program, variables
        self.expect, self.result = expect, result
        self.named, self.gives = named, gives
        self.names = frozenset(name for name, var in variables.items() if var is not USER)
        self.paths = frozenset(path for path in reads if path.partition(".")[0] in self.names)
        self._reads = reads

    def __repr__(self) -> str:
        return f"Expression({self.source!r})"

    def evaluate(
        self,
        record: Mapping[str, Any] | object | None = None,
        *,
        user: Mapping[str, Any] | None = None,
        now: datetime | None = None,
        tz: str | tzinfo | None = None,
        where: str = "",
    ) -> Any:
        """The value for `record` (a mapping, or an object such as a model instance), as the declared result type.

        `user` fills the `user` variable; `now` fixes the clock (default: the
        current time; naive means UTC) and `tz` is the tenant's time zone for
        `today()` (default UTC). Raises ExpressionFailed, after logging it with `where`.
        """
        values: dict[str, Any] = {}
        failures: list[FunctionFailed] = []
        try:
            zone = _zone(tz)
            values = self._values(record, user)
            moment = now or datetime.now(timezone.utc)
            moment = moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
            context = cel.Context(variables=values, functions=implementations(moment, zone, failures))
            result = self.program.execute(context)
        except ExpressionFailed as exc:
            raise self._failed(exc.reason, exc, where) from exc
        except Exception as exc:  # noqa: BLE001 - CEL raises many types; all become one clear failure
            raise self._failed(self._reason(exc, values, failures), exc, where) from exc
        try:
            return from_cel(result, self.expect, self.result, zone)
        except BadValue as exc:
            empty = self._empty(values) if result is None else []
            reason = _is_empty(empty) if empty else say(says.RESULT_IS_NOT, wanted=exc.words)
            raise self._failed(reason, exc, where) from exc

    # -- inputs --------------------------------------------------------------------------
    def _values(self, record: Any, user: Mapping[str, Any] | None) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, var in self.variables.items():
            if var is USER:
                raw: Any = _user(user)
            elif isinstance(record, Mapping):
                raw = record.get(name)
            else:
                raw = getattr(record, name, None)
            try:
                values[name] = to_cel(raw, var)
            except BadValue as exc:
                raise ExpressionFailed(say(says.VALUE_IS_NOT, name=name, wanted=exc.words), self.source) from exc
        return values

    # -- failures --------------------------------------------------------------------------
    def _reason(self, exc: Exception, values: dict[str, Any], failures: list[FunctionFailed]) -> str:
        """What went wrong, in words for the person who sees it (ours in their language; CEL's own detail as it is)."""
        failure = failures[-1] if failures else None
        if failure is not None and not failure.empty:
            return failure.message
        empty = self._empty(values)
        if empty and (failure is not None or isinstance(exc, (TypeError, RuntimeError, KeyError))):
            return _is_empty(empty)
        if failure is not None:
            return failure.message
        if isinstance(exc, ZeroDivisionError):
            return says.DIVIDES_BY_ZERO
        if isinstance(exc, OverflowError):
            return says.TOO_LARGE
        if isinstance(exc, IndexError):
            return says.PAST_THE_END
        if isinstance(exc, KeyError):
            return say(says.NO_VALUE_FOR, key=repr(exc.args[0])) if exc.args else says.VALUE_MISSING
        return first_sentence(str(exc)) or type(exc).__name__

    def _empty(self, values: dict[str, Any]) -> list[str]:
        """The names and `ref.field` paths the expression reads that are null for this record."""
        found = [name for name in sorted(self.variables) if name in values and values[name] is None]
        for path in sorted(self._reads):
            name, _, key = path.partition(".")
            holder = values.get(name)
            if isinstance(holder, dict) and holder.get(key) is None:
                found.append(path)
        return found

    def _failed(self, reason: str, exc: BaseException, where: str) -> ExpressionFailed:
        log.warning(
            "expression failed in %s: %r: %s (%s: %s)",
            where or "an unnamed expression",
            self.source,
            reason,
            type(exc).__name__,
            first_sentence(str(exc)),
        )
        return ExpressionFailed(reason, self.source, where)


def _is_empty(names: list[str]) -> str:
    if len(names) == 1:
        return say(says.IS_EMPTY, name=names[0])
    return say(says.ARE_EMPTY, names=", ".join(names[:-1]), last=names[-1])


def first_sentence(text: str) -> str:
    line = " ".join(text.split())
    cut = re.search(r"(?<=[a-z0-9'\)])\. ", line)
    return (line[: cut.start()] if cut else line.rstrip("."))[:300]


def _zone(tz: str | tzinfo | None) -> tzinfo:
    if tz is None:
        return timezone.utc
    if isinstance(tz, tzinfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ExpressionFailed(say(says.UNKNOWN_TIME_ZONE, zone=tz), "") from None


def _user(user: Mapping[str, Any] | None) -> dict[str, Any]:
    """The signed-in user as a map; no user (a background job) has no id, no name, no roles and no employee."""
    user = user or {}
    roles = [r if isinstance(r, str) else getattr(r, "name", str(r)) for r in user.get("roles") or ()]
    return {
        "id": user.get("id"),
        "name": user.get("name"),
        "roles": roles,
        "department": user.get("department"),
        "employee": user.get("employee"),
    }
