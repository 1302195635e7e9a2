"""Check a calculator's claim against the field solution and every closed form a calculator
might have used: ``check(source, params, claims) -> CheckResult``.

For each claim (a quantity and the number a calculator, a fab or a data sheet gave) it reports
the field-solver value with its error bar, the claim's deviation from it (in % and in error
bars), each closed form of :mod:`.closed_forms` that applies (inside or outside its stated range)
with its own deviation from the field solution, which formulas reproduce the claim, and the
mixed-definition traps the claim falls into:

* a claimed Zdiff that is 2 Z0 of the same trace alone (no partner: the coupling left out);
* a claimed Zdiff that is Zodd, or a claimed Zodd that is Zdiff (one line's odd-mode impedance
  against the pair's differential impedance, ``Zdiff = 2 Zodd``);
* a claimed Zcommon that is Zeven, or the reverse (``Zcommon = Zeven / 2``).

A formula *reproduces* a claim when their difference is within the claim's own rounding (half a
unit of its last digit as written: "50" is 49.5-50.5, "50.3" is 50.25-50.35) or 0.2 % of the
value, whichever is larger (calculators differ in small constants: 120 pi for eta0 is 0.07 %
off). That tells which formula a calculator used; whether that formula is right here is its
deviation from the field solution against its stated accuracy (``within_accuracy``). The claim
*agrees* with the field solution when their difference is within the solver's error bar plus the
claim's rounding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from .. import api
from ..errors import InputError
from ..geometry.units import DEFAULT_UNITS
from ..numerics.grid import MeshOptions
from ..physics.lines import LABELS
from .closed_forms import ClosedForm, closed_forms
from .design import Design

MATCH_FLOOR = 2e-3  # a formula reproduces a claim within the claim's rounding, at least 0.2 %
UNITS = {"z": "ohm", "eps": "", "delay": "s/m"}

# a pair's template -> the template of one of its traces alone, and the parameters it lacks
SINGLE = {
    "coupled_microstrip": ("microstrip", ("s", "c3")),
    "coupled_embedded_microstrip": ("embedded_microstrip", ("s",)),
    "coupled_stripline": ("stripline", ("s",)),
    "coupled_offset_stripline": ("offset_stripline", ("s",)),
    "coupled_cpw": ("cpw", ("s",)),
}


def unit(quantity: str) -> str:
    return next((u for k, u in UNITS.items() if quantity.startswith(k)), "")


def label(quantity: str) -> str:
    return LABELS.get(quantity, quantity)


# how quantities may be written in a claim: the JSON key or the table's label, any case
_ALIASES = {k.lower().replace(" ", "_"): k for k in LABELS} | {
    v.lower().replace(" ", "_"): k for k, v in LABELS.items()
}
_ALIASES |= {"zcm": "z_common", "zdiff": "z_diff", "zodd": "z_odd", "zeven": "z_even", "er_eff": "eps_eff"}


@dataclass(frozen=True)
class Claim:
    """A claimed value: ``resolution`` is half a unit of its last digit as written (0 when given
    as a number)."""

    quantity: str
    value: float
    resolution: float = 0.0
    text: str = ""  # as written

    @property
    def shown(self) -> str:
        return self.text or _num(self.value)

    @staticmethod
    def parse(text: str, where: str = "claim") -> Claim:
        """``QUANTITY=VALUE``, e.g. ``z_diff=90`` or ``Zdiff=90.5``."""
        q, sep, v = text.partition("=")
        if not sep:
            raise InputError(f"{where} {text!r}: expected QUANTITY=VALUE, e.g. z_diff=90")
        return Claim.of(q, v, where)

    @staticmethod
    def of(quantity: str, value: str | float, where: str = "claim") -> Claim:
        q = _ALIASES.get(quantity.strip().lower().replace(" ", "_"))
        if q is None:
            raise InputError(f"{where}: unknown quantity {quantity.strip()!r}; choose from {', '.join(LABELS)}")
        text = ""
        if isinstance(value, int | float) and not isinstance(value, bool):
            number, res = float(value), 0.0
        else:
            text = str(value).strip().lower().removesuffix("ohm").strip()
            try:
                d = Decimal(text)
            except InvalidOperation:
                raise InputError(f"{where} {quantity}: {value!r} is not a number") from None
            number = float(d)
            exponent = d.as_tuple().exponent
            res = 0.5 * 10.0**exponent if isinstance(exponent, int) else 0.0
        if not (math.isfinite(number) and number > 0):
            raise InputError(f"{where} {quantity}: the claimed value must be a positive number, got {value!r}")
        return Claim(q, number, res, text)


@dataclass(frozen=True)
class FormulaCheck:
    """A closed form beside the field solution (and the claim on its quantity, if any)."""

    form: ClosedForm
    deviation: float  # formula / field - 1
    within_accuracy: bool | None  # |deviation| within its stated accuracy + the solver's bar; None: no figure
    matches_claim: bool | None  # reproduces the claim on its quantity; None: no such claim

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.form.to_dict(),
            "deviation": self.deviation,
            "within_accuracy": self.within_accuracy,
            "matches_claim": self.matches_claim,
        }


@dataclass(frozen=True)
class ClaimCheck:
    claim: Claim
    value: float  # the field solution
    uncertainty: float  # its relative error estimate (0 without one)
    deviation: float  # claimed / value - 1
    agrees: bool
    matches: tuple[str, ...]  # the formulas that reproduce the claim
    traps: tuple[str, ...]  # mixed definitions the claim matches
    message: str

    @property
    def bars(self) -> float | None:
        """The deviation in units of the error bar (None without one)."""
        bar = self.uncertainty * abs(self.value)
        return (self.claim.value - self.value) / bar if bar > 0 else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "quantity": self.claim.quantity,
            "claimed": self.claim.value,
            "value": self.value,
            "uncertainty": self.uncertainty,
            "deviation": self.deviation,
            "deviation_percent": 100 * self.deviation,
            "deviation_bars": self.bars,
            "unit": unit(self.claim.quantity),
            "verdict": "agrees" if self.agrees else "disagrees",
            "matches": list(self.matches),
            "traps": list(self.traps),
            "message": self.message,
        }


@dataclass(frozen=True)
class CheckResult:
    structure: str  # the template or file, as the user named it
    template: str | None
    params: dict[str, Any]  # every parameter's value (a template's defaults included)
    units: str
    values: dict[str, float | None]
    uncertainty: dict[str, float | None]  # relative
    converged: bool | None
    claims: tuple[ClaimCheck, ...]
    formulas: tuple[FormulaCheck, ...]
    single_line_z0: float | None = None  # a pair's trace alone (no partner), for the 2 Z0 trap
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def verdict(self) -> str:
        return " ".join(c.message for c in self.claims) or "no claim to check"

    def to_dict(self) -> dict[str, Any]:
        return {
            "structure": self.structure,
            "template": self.template,
            "params": {k: v for k, v in self.params.items() if isinstance(v, int | float | str | bool)},
            "units": self.units,
            "values": self.values,
            "uncertainty": self.uncertainty,
            "converged": self.converged,
            "claims": [c.to_dict() for c in self.claims],
            "formulas": [f.to_dict() for f in self.formulas],
            "single_line_z0": self.single_line_z0,
            "verdict": self.verdict,
            "notes": list(self.notes),
        }


# ------------------------------------------------------------------------------------- the check
def check(
    source: str,
    params: dict[str, Any] | None = None,
    claims: list[Claim] | list[str] | dict[str, float] | None = None,
    *,
    units: str = DEFAULT_UNITS,
    tol: float | None = api.TOL,
    max_nodes: int = api.MAX_NODES,
    options: MeshOptions | None = None,
) -> CheckResult:
    """Solve ``source`` (a template name with ``params``, or a YAML file) and check each claim
    (:class:`Claim`, ``"z_diff=90"`` or ``{"z_diff": 90}``) against the field solution and the
    closed forms that describe it."""
    cl = _claims(claims)
    design = Design.of(source, params or {}, units)
    template, values = _template_of(design)
    section = design.section()
    keys = design.value_keys()
    for c in cl:
        if c.quantity not in keys:
            raise InputError(
                f"claim {c.quantity}: not a value of this structure ({len(section.signals)} signals); "
                f"choose from {', '.join(keys)}"
            )
    r = api.solve(section, tol=tol, max_nodes=max_nodes, options=options)
    unc = {k: (r.uncertainty or {}).get(k) for k in r.values}
    single = None
    if template in SINGLE and any(c.quantity == "z_diff" for c in cl):
        single = _single_z0(design, template, tol, max_nodes, options)
    forms = closed_forms(template, values)
    by_q = {c.quantity: c for c in cl}
    fchecks = tuple(_formula_check(f, r.values, unc, by_q.get(f.quantity)) for f in forms if r.values.get(f.quantity))
    checks = tuple(_claim_check(c, r.values, unc, fchecks, single) for c in cl)
    return CheckResult(
        structure=_shown(design),
        template=template,
        params=values,
        units=design.units if design.is_template else section.units,
        values=dict(r.values),
        uncertainty=unc,
        converged=None if r.accuracy is None else r.accuracy.converged,
        claims=checks,
        formulas=fchecks,
        single_line_z0=single,
        notes=tuple(r.notes),
    )


def _claims(claims) -> list[Claim]:
    if claims is None:
        return []
    if isinstance(claims, dict):
        return [Claim.of(k, v) for k, v in claims.items()]
    out = [c if isinstance(c, Claim) else Claim.parse(c) for c in claims]
    seen = set()
    for c in out:
        if c.quantity in seen:
            raise InputError(f"claim {c.quantity} given twice")
        seen.add(c.quantity)
    return out


def _template_of(design: Design) -> tuple[str | None, dict[str, Any]]:
    """The template a design is (a template name, or a YAML template file) and its values."""
    if design.is_template:
        return design.name, design.values()
    from ..geometry import loader, templates

    data = loader.yaml_data(design.text, design.name)
    if isinstance(data, dict) and isinstance(data.get("template"), str) and data["template"] in templates.TEMPLATES:
        given = {**(data.get("params") or {}), **design.params}
        return data["template"], templates.values(data["template"], given, where=design.name)
    return None, dict(design.params)


def _shown(design: Design) -> str:
    if not design.is_template:
        return Path(design.name).name
    shown = " ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in design.params.items())
    return f"{design.name} {shown} ({design.units})"


def _single_z0(design: Design, template: str, tol, max_nodes, options) -> float | None:
    """Z0 of one trace of the pair alone, on the same stackup (None where it cannot be built)."""
    if not design.is_template:
        return None
    name, drop = SINGLE[template]
    params = {k: v for k, v in design.params.items() if k not in drop}
    try:
        single = Design.of(name, params, design.units)
        return api.solve(single.section(), tol=tol, max_nodes=max_nodes, options=options).values["z0"]
    except InputError:
        return None


def _reproduces(claim: Claim, value: float) -> bool:
    return abs(claim.value - value) <= max(claim.resolution, MATCH_FLOOR * abs(value))


def _formula_check(form: ClosedForm, values, unc, claim: Claim | None) -> FormulaCheck:
    v = values[form.quantity]
    dev = form.value / v - 1
    bar = unc.get(form.quantity) or 0.0
    within = None if form.stated_accuracy is None else abs(dev) <= form.stated_accuracy + bar
    return FormulaCheck(form, dev, within, None if claim is None else _reproduces(claim, form.value))


def _claim_check(claim: Claim, values, unc, forms: tuple[FormulaCheck, ...], single: float | None) -> ClaimCheck:
    q = claim.quantity
    v = values[q]
    u = unc.get(q) or 0.0
    dev = claim.value / v - 1
    agrees = abs(claim.value - v) <= u * abs(v) + claim.resolution
    matches = tuple(f.form.name for f in forms if f.form.quantity == q and f.matches_claim)
    traps = _traps(claim, values, single) if not agrees else ()
    u_name = unit(q)
    shown = f"{label(q)} {claim.shown} {u_name}".rstrip()
    field = f"{_num(v)} +- {_bar(u * abs(v))} {u_name}".rstrip()
    if agrees:
        msg = f"{shown} agrees with the field solution ({field}, {_pct(dev)})."
    else:
        msg = f"{shown} is {_pct(dev)} from the field solution ({field})."
    for name in matches:
        f = next(f for f in forms if f.form.name == name and f.form.quantity == q)
        if f.form.exact:
            msg += f" It matches {name}, which is exact here."
        else:
            side = "high" if f.deviation > 0 else "low"
            msg += f" It matches {name}, which is {abs(100 * f.deviation):.1f} % {side} here"
            msg += ("" if f.form.in_range else " (outside its range: " + f.form.range_note + ")") + "."
    if not agrees and not matches and not traps:
        msg += " No closed form here reproduces it."
    msg += "".join(f" {t}" for t in traps)
    return ClaimCheck(claim, v, u, dev, agrees, matches, traps, msg)


def _traps(claim: Claim, values, single: float | None) -> tuple[str, ...]:
    """The mixed definitions the claim matches (see the module docstring)."""
    q, out = claim.quantity, []

    def hit(x: float | None) -> bool:
        return x is not None and _reproduces(claim, x)

    zd, zc, zo, ze = (values.get(k) for k in ("z_diff", "z_common", "z_odd", "z_even"))
    if q == "z_diff" and single is not None and hit(2 * single):
        out.append(
            f"It is 2 x Z0 of one trace alone (2 x {_num(single)} = {_num(2 * single)} ohm): "
            f"the coupling of the pair is left out; the pair's Zdiff is {_num(zd)} ohm."
        )
    if q == "z_diff" and hit(zo):
        out.append(f"It is Zodd, one line's odd-mode impedance; Zdiff = 2 Zodd = {_num(zd)} ohm.")
    if q == "z_odd" and hit(zd):
        out.append(f"It is Zdiff, the pair's differential impedance; Zodd = Zdiff / 2 = {_num(zo)} ohm.")
    if q == "z_common" and hit(ze):
        out.append(f"It is Zeven; Zcommon = Zeven / 2 = {_num(zc)} ohm.")
    if q == "z_even" and hit(zc):
        out.append(f"It is Zcommon; Zeven = 2 Zcommon = {_num(ze)} ohm.")
    return tuple(out)


def _num(x: float | None) -> str:
    if x is None:
        return "-"
    if x != 0 and abs(x) < 1e-3:
        return f"{x:.4g}"
    return f"{x:.4g}" if abs(x) < 10 else f"{x:.2f}" if abs(x) < 1000 else f"{x:.6g}"


def _bar(x: float) -> str:
    return f"{x:.2g}"


def _pct(dev: float) -> str:
    return f"{100 * dev:+.2f} %"


# ------------------------------------------------------------------------------ a whole table
STRUCTURE_COLUMNS = ("template", "file", "units")
CLAIM_COLUMNS = ("quantity", "claimed")
RESULT_COLUMNS = (
    "value",
    "uncertainty",
    "deviation_percent",
    "deviation_bars",
    "verdict",
    "matches",
    "traps",
)


def check_table(
    rows: list[dict[str, str]], where: str = "table", base: Path | None = None, **solve
) -> list[dict[str, str]]:
    """Check a calculator's table: one row per structure and claim, with a ``template`` (and
    its parameters, one column each; an empty cell is not given) or a ``file``, optionally
    ``units``, and ``quantity`` and ``claimed``. Returns the rows with :data:`RESULT_COLUMNS`
    filled in (a checked table checks again the same way: those columns are ignored on input).
    Every row is built before any is solved, so a mistake is found first (``where:ROW``; the
    header is row 1). Rows of the same structure share one solve per claimed quantity. A
    relative ``file`` is looked for beside the table (in ``base``), then in the working folder."""
    parsed = []
    for i, row in enumerate(rows, 2):
        at = f"{where}:{i}"
        source, params, units = _row_structure(row, at)
        if base is not None and (row.get("file") or "").strip() and (base / source).is_file():
            source = str(base / source)
        claim = Claim.of(_cell_text(row, "quantity", at), _cell_text(row, "claimed", at), f"{at}: claimed")
        try:
            design = Design.of(source, params, units)
        except InputError as e:
            raise InputError(f"{at}: {e}") from None
        keys = design.value_keys()
        if claim.quantity not in keys:
            raise InputError(f"{at}: {claim.quantity} is not a value of this structure; choose from {', '.join(keys)}")
        parsed.append((source, params, units, claim))
    groups: dict[tuple, list[int]] = {}
    for i, (source, params, units, _) in enumerate(parsed):
        groups.setdefault((source, tuple(sorted(params.items(), key=str)), units), []).append(i)
    out: list[dict[str, str]] = [dict(r) for r in rows]
    for members in groups.values():
        while members:  # one check per set of distinct quantities
            batch, seen, rest = [], set(), []
            for i in members:
                (rest if parsed[i][3].quantity in seen else batch).append(i)
                seen.add(parsed[i][3].quantity)
            source, params, units, _ = parsed[batch[0]]
            result = check(source, params, [parsed[i][3] for i in batch], units=units, **solve)
            for i, c in zip(batch, result.claims, strict=True):
                out[i].update(_result_cells(c))
            members = rest
    return out


def _cell_text(row: dict[str, str], key: str, at: str) -> str:
    text = (row.get(key) or "").strip()
    if not text:
        raise InputError(f"{at}: column {key!r} is empty")
    return text


def _row_structure(row: dict[str, str], at: str) -> tuple[str, dict[str, Any], str]:
    template, file = (row.get("template") or "").strip(), (row.get("file") or "").strip()
    if bool(template) == bool(file):
        raise InputError(f"{at}: give a template or a file (one of the two columns)")
    units = (row.get("units") or "").strip() or DEFAULT_UNITS
    params: dict[str, Any] = {}
    for k, v in row.items():
        if k is None or k in STRUCTURE_COLUMNS + CLAIM_COLUMNS + RESULT_COLUMNS:
            continue
        text = (v or "").strip()
        if text:
            params[k.strip()] = _cell(text)
    return template or file, params, units


def _cell(text: str) -> Any:
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    try:
        return float(text)
    except ValueError:
        return text


def _result_cells(c: ClaimCheck) -> dict[str, str]:
    bars = c.bars
    return {
        "value": f"{c.value:.6g}",
        "uncertainty": f"{c.uncertainty:.2g}",
        "deviation_percent": f"{100 * c.deviation:.3f}",
        "deviation_bars": "" if bars is None else f"{bars:.1f}",
        "verdict": "agrees" if c.agrees else "disagrees",
        "matches": "; ".join(c.matches),
        "traps": " ".join(c.traps),
    }
