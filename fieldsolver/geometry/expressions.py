"""Values written as arithmetic of a file's parameters (``w + 2*s``, ``h/2``): numbers, parameter
names, ``+ - * / **`` and parentheses, nothing else (nothing is called, looked up or imported).
Limited in length and nesting (:mod:`.limits`); the result must be a real number."""

from __future__ import annotations

import ast
import operator

from .limits import MAX_EXPRESSION_CHARS, MAX_EXPRESSION_DEPTH


class ExpressionError(ValueError):
    """What is wrong with an expression (the caller says where it is)."""


_OPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}
ALLOWED = "only numbers, parameter names, + - * / ** and parentheses are allowed"


def evaluate(text: str, names: dict[str, float]) -> float:
    """The value of ``text`` with ``names``; :class:`ExpressionError` for anything else (syntax, an
    unknown name, division by zero, overflow, a complex result, too long or too deeply nested)."""
    if len(text) > MAX_EXPRESSION_CHARS:
        raise ExpressionError(f"an expression of {len(text):,} characters: at most {MAX_EXPRESSION_CHARS:,}")
    try:
        tree = ast.parse(text, mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise ExpressionError("expected a number or an expression of the parameters") from None
    return _value(tree, names, 0)


def _value(node: ast.AST, names: dict[str, float], depth: int) -> float:
    if depth > MAX_EXPRESSION_DEPTH:
        raise ExpressionError(f"nested more than {MAX_EXPRESSION_DEPTH} operators deep")
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
        try:
            return float(node.value)
        except OverflowError:
            raise ExpressionError("a number too large for a float") from None
    if isinstance(node, ast.Name):
        if node.id not in names:
            raise ExpressionError(f"unknown parameter {node.id!r}; parameters: {', '.join(names)}")
        return float(names[node.id])
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        a, b = _value(node.left, names, depth + 1), _value(node.right, names, depth + 1)
        return _real(lambda: _OPS[type(node.op)](a, b))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _OPS:
        a = _value(node.operand, names, depth + 1)
        return _real(lambda: _OPS[type(node.op)](a))
    raise ExpressionError(ALLOWED)


def _real(op) -> float:
    try:
        v = op()
    except ZeroDivisionError:
        raise ExpressionError("division by zero") from None
    except OverflowError:
        raise ExpressionError("the result is too large for a float") from None
    if not isinstance(v, float):  # (-1) ** 0.5 is complex
        raise ExpressionError("the result is not a real number")
    return v
