"""The encoder strategies, one module each (or a few sharing code): every module here registers its strategies
with ``@strategy`` (``encoders/catalog.py``), and ``encoders`` imports them all, so a new strategy is one new
module. A strategy is ``fn(obj, budget, count_tokens, title="") -> Encoding`` and works for tables and arrays,
stays within the budget (``budget.fit``), and registers every number it writes (``text.Writer``).
"""
