"""Derived indicators: a formula over other indicators' codes (and the unit's population),
parsed into a small tree of Decimal arithmetic and evaluated safely.

Only numbers, indicator codes, 常住人口 (or POP), + - * / and parentheses are allowed: the
formula is parsed with Python's ``ast`` and every node outside that whitelist is refused, so
nothing is ever executed (never ``eval``). A missing input or a zero divisor gives no value
(None), not zero.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation

POPULATION_NAMES = ("常住人口", "POP")
MAX_LENGTH = 300
MAX_DEPTH = 30


class FormulaError(ValueError):
    """A formula that cannot be used; the message is for the office, in Chinese."""


_OPERATORS: dict[type, Callable[[Decimal, Decimal], Decimal | None]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: None if b == 0 else a / b,
}


def parse(text: str) -> ast.expr:
    """The formula's tree, whitelisted; FormulaError for anything else."""
    text = (text or "").strip()
    if not text:
        raise FormulaError("公式为空。")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"公式太长（最多 {MAX_LENGTH} 个字符）。")
    # Full-width operators and brackets, as a Chinese input method types them.
    text = text.translate(str.maketrans("＋－×＊÷／（）", "+-**//()"))
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        raise FormulaError(
            f"公式“{text[:60]}”写法不对：只能用指标编码、数字、+ - * / 和括号。"
        ) from None
    _check(tree.body, 0)
    return tree.body


def _check(node: ast.AST, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise FormulaError("公式嵌套太深。")
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        _check(node.left, depth + 1)
        _check(node.right, depth + 1)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        _check(node.operand, depth + 1)
    elif isinstance(node, ast.Name) or (
        isinstance(node, ast.Constant) and type(node.value) in (int, float)
    ):
        return
    else:
        raise FormulaError(
            f"公式中只能有指标编码、数字、+ - * / 和括号（不能有“{ast.unparse(node)[:30]}”）。"
        )


def names(text: str) -> set[str]:
    """Every name a formula uses (indicator codes and the population)."""
    return {n.id for n in ast.walk(parse(text)) if isinstance(n, ast.Name)}


def inputs(text: str) -> set[str]:
    """The indicator codes a formula reads (the population aside)."""
    return names(text) - set(POPULATION_NAMES)


def validate(code: str, text: str, formulas: Mapping[str, str], known: set[str]) -> None:
    """Checks ``code``'s formula ``text`` against the other indicators: every name is a known
    code (or the population) and no formula reaches back to ``code``. ``formulas`` holds the
    other derived indicators' formulas by code."""
    used = names(text)
    unknown = sorted(used - known - set(POPULATION_NAMES) - {code})
    if unknown:
        raise FormulaError(f"公式中的指标编码不存在：{'、'.join(unknown)}。")
    if code in used:
        raise FormulaError("公式不能引用这个指标自己。")
    # Follow the other formulas: a path back to this code is a cycle.
    seen: set[str] = set()
    stack = [(c, [code, c]) for c in sorted(used - set(POPULATION_NAMES))]
    while stack:
        current, path = stack.pop()
        if current == code:
            raise FormulaError(f"公式循环引用：{' → '.join(path)}。")
        if current in seen or current not in formulas:
            continue
        seen.add(current)
        for nxt in sorted(inputs(formulas[current])):
            stack.append((nxt, [*path, nxt]))


def evaluate(tree: ast.expr, values: Mapping[str, Decimal | None]) -> Decimal | None:
    """The formula's value from ``values`` (codes and the population); None when an input is
    missing or a divisor is zero."""
    try:
        return _eval(tree, values)
    except (InvalidOperation, ArithmeticError):
        return None


def _eval(node: ast.expr, values) -> Decimal | None:
    if isinstance(node, ast.Constant):
        return Decimal(str(node.value))
    if isinstance(node, ast.Name):
        if node.id in POPULATION_NAMES:
            return values.get(POPULATION_NAMES[0])
        return values.get(node.id)
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, values)
        if operand is None:
            return None
        return -operand if isinstance(node.op, ast.USub) else operand
    left, right = _eval(node.left, values), _eval(node.right, values)
    if left is None or right is None:
        return None
    return _OPERATORS[type(node.op)](left, right)


def order(formulas: Mapping[str, str]) -> list[str]:
    """The derived codes in an order where each comes after the derived codes it reads."""
    done: list[str] = []
    visiting: set[str] = set()

    def visit(code: str) -> None:
        if code in done or code not in formulas:
            return
        if code in visiting:
            raise FormulaError(f"公式循环引用：{code}。")
        visiting.add(code)
        for c in sorted(inputs(formulas[code])):
            visit(c)
        visiting.discard(code)
        done.append(code)

    for code in sorted(formulas):
        visit(code)
    return done
