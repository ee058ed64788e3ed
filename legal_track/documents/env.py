"""The ONE Jinja environment every document template renders in.

`make_env()` builds a fresh strict, sandboxed environment: ImmutableSandboxedEnvironment
(no attribute or method that reaches Python internals, no mutation of lists or dicts
handed in), StrictUndefined (FieldUndefined: a missing field is an error, never empty text) and
autoescape on (``A&B <公司>`` stays text in the .docx XML). The filters are registered
here, inside the factory, so importing a module never changes an environment.
"""

from __future__ import annotations

import operator
from functools import partial
from zoneinfo import ZoneInfo

from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from legal_track.documents import filters
from legal_track.documents.fields import FieldUndefined

# An uploaded template must not be able to build gigantic strings or numbers.
MAX_REPEAT = 10_000
MAX_POWER_BASE = 10**6


class DocumentSandbox(ImmutableSandboxedEnvironment):
    """The sandbox, plus limits on `*` and `**` (string repetition, huge powers)."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context, operator_name, left, right):  # noqa: ANN001 - jinja API
        if operator_name == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(n, int) and n > MAX_REPEAT:
                    raise SecurityError(f"repeating a sequence {n} times is not allowed")
            return operator.mul(left, right)
        if operator_name == "**":
            if abs(right) > 64 or abs(left) > MAX_POWER_BASE:
                raise SecurityError("large powers are not allowed")
            return operator.pow(left, right)
        return super().call_binop(context, operator_name, left, right)


def make_env(*, timezone: str = "Asia/Shanghai") -> DocumentSandbox:
    """A new strict sandboxed environment with the document filters registered."""
    env = DocumentSandbox(
        undefined=FieldUndefined,
        autoescape=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    tz = ZoneInfo(timezone)
    # Only harmless globals: no lipsum/cycler/joiner (nothing a document needs).
    env.globals = {"range": env.globals["range"], "namespace": env.globals["namespace"]}
    env.filters.update(
        {
            "rmb_upper": filters.rmb_upper,
            "money": filters.money,
            "cn_date": partial(filters.cn_date, tz=tz),
            "cn_num": filters.cn_num,
            "mask_id": filters.mask_id,
            "mask_phone": filters.mask_mobile,
            "mask_name": filters.mask_person,
        }
    )
    return env


FILTER_NAMES = ("rmb_upper", "money", "cn_date", "cn_num", "mask_id", "mask_phone", "mask_name")
