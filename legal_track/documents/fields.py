"""Field paths: which context fields a template reads, and which field is missing.

Contexts are plain JSON data. `wrap_context` turns every dict into a `PathDict`
that knows its own dotted path, so a StrictUndefined failure can name the full
field (`claim.total.capitals`, `defendants[1].address`) rather than "'dict object'
has no attribute ...". `referenced_paths` walks a compiled template's AST and
lists the field paths it reads, so an unknown field is found before rendering.
"""

from __future__ import annotations

from typing import Any

from jinja2 import StrictUndefined, UndefinedError, nodes
from jinja2.utils import missing

SPECIAL_NAMES = frozenset({"loop", "range", "namespace", "self", "varargs", "kwargs", "caller"})


class PathDict(dict):
    """A dict that remembers where it sits in the context (for error messages)."""

    __slots__ = ("_lt_path",)


class PathList(list):
    """A list that remembers where it sits in the context (for error messages)."""

    __slots__ = ("_lt_path",)


def wrap_context(value: Any, path: str = "") -> Any:
    if isinstance(value, dict):
        out = PathDict(
            (k, wrap_context(v, f"{path}.{k}" if path else str(k))) for k, v in value.items()
        )
        out._lt_path = path
        return out
    if isinstance(value, list | tuple):
        items = PathList(wrap_context(v, f"{path}[{i}]") for i, v in enumerate(value))
        items._lt_path = path
        return items
    return value


class FieldUndefinedError(UndefinedError):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


class FieldUndefined(StrictUndefined):
    """StrictUndefined whose error carries the full dotted path of the missing field."""

    __slots__ = ()

    def _field(self) -> str:
        name = self._undefined_name
        if self._undefined_obj is missing:
            return str(name)
        parent = getattr(self._undefined_obj, "_lt_path", None)
        if parent is None and isinstance(self._undefined_obj, FieldUndefined):
            parent = self._undefined_obj._field()
        if isinstance(name, int):
            return f"{parent or ''}[{name}]"
        return f"{parent}.{name}" if parent else str(name)

    def _fail_with_undefined_error(self, *args: Any, **kwargs: Any):  # jinja hook
        if not issubclass(self._undefined_exception, UndefinedError):
            # the sandbox's "unsafe attribute" undefined carries SecurityError: keep it
            raise self._undefined_exception(self._undefined_message)
        raise FieldUndefinedError(self._undefined_message, self._field())

    __add__ = __radd__ = __sub__ = __rsub__ = _fail_with_undefined_error
    __mul__ = __rmul__ = __div__ = __rdiv__ = _fail_with_undefined_error
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = _fail_with_undefined_error
    __mod__ = __rmod__ = __pos__ = __neg__ = _fail_with_undefined_error
    __call__ = __getitem__ = __lt__ = __le__ = __gt__ = __ge__ = _fail_with_undefined_error
    __int__ = __float__ = __complex__ = __pow__ = __rpow__ = _fail_with_undefined_error
    __iter__ = __str__ = __len__ = _fail_with_undefined_error
    __eq__ = __ne__ = __bool__ = __hash__ = __contains__ = _fail_with_undefined_error

    def __getattr__(self, name: str) -> Any:
        if name[:2] == "__":
            raise AttributeError(name)
        return self._fail_with_undefined_error()


# -- static analysis ---------------------------------------------------------------------


def _names(target: nodes.Node) -> list[nodes.Name]:
    """The names a target binds (`x`, or `a, b`); `find_all` skips the node itself."""
    if isinstance(target, nodes.Name):
        return [target]
    return list(target.find_all(nodes.Name))


def _locals(ast: nodes.Template) -> set[str]:
    """Names the template binds itself (set, macro, with, import): not context fields."""
    names: set[str] = set()
    for node in ast.find_all((nodes.Assign, nodes.AssignBlock, nodes.With)):
        targets = node.targets if isinstance(node, nodes.With) else [node.target]
        for target in targets:
            names |= {n.name for n in _names(target)}
    for node in ast.find_all(nodes.Macro):
        names.add(node.name)
        names |= {a.name for a in node.args}
    for node in ast.find_all((nodes.Import, nodes.FromImport)):
        if isinstance(node, nodes.Import):
            names.add(node.target)
        else:
            names |= {n if isinstance(n, str) else n[-1] for n in node.names}
    return names


class _Walker:
    def __init__(self, local_names: set[str]) -> None:
        self.local = local_names | SPECIAL_NAMES
        self.paths: set[str] = set()

    def path(self, node: nodes.Node, scope: dict[str, str | None]) -> str | None:
        if isinstance(node, nodes.Name):
            if node.name in scope:
                return scope[node.name]
            return None if node.name in self.local else node.name
        if isinstance(node, nodes.Getattr):
            inner = self.path(node.node, scope)
            return f"{inner}.{node.attr}" if inner else None
        if isinstance(node, nodes.Getitem):
            inner = self.path(node.node, scope)
            if inner is None:
                return None
            arg = node.arg
            if isinstance(arg, nodes.Const) and isinstance(arg.value, str):
                return f"{inner}.{arg.value}"
            self.visit(arg, scope)
            return f"{inner}[]"
        return None

    def visit(self, node: nodes.Node, scope: dict[str, str | None]) -> None:
        if isinstance(node, nodes.Name | nodes.Getattr | nodes.Getitem):
            found = self.path(node, scope)
            if found:
                self.paths.add(found)
                return
            if isinstance(node, nodes.Name):
                return
        if isinstance(node, nodes.For):
            self.visit(node.iter, scope)
            base = self.path(node.iter, scope)
            inner = dict(scope)
            for name in _names(node.target):
                inner[name.name] = (
                    f"{base}[]" if base and isinstance(node.target, nodes.Name) else None
                )
            for child in node.body:
                self.visit(child, inner)
            if node.test is not None:
                self.visit(node.test, inner)
            for child in node.else_:
                self.visit(child, scope)
            return
        for child in node.iter_child_nodes():
            self.visit(child, scope)


def referenced_paths(ast: nodes.Template) -> set[str]:
    """Dotted field paths the template reads, lists as `[]`: {"claim.total.capitals",
    "defendants[].name", ...}. Names the template binds itself are left out."""
    walker = _Walker(_locals(ast))
    walker.visit(ast, {})
    return walker.paths


def unknown_paths(paths: set[str], known: set[str]) -> list[str]:
    """The referenced paths that the context schema does not define (sorted)."""
    return sorted(p for p in paths if p not in known)
