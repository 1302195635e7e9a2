"""Sentences about accuracy, computed from the validation data they describe.

Two kinds of text state an accuracy: the README's summary of ``make validate`` and the report's
notes on where closed forms hold. Both are written here from the comparison rows of
``results.json`` (``validation.report.comparisons``), so a number cannot drift from the data:
``make validate`` writes the README block between its markers, and ``tests/test_claims.py``
fails when the committed README or report differs from what the data give.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from fieldsolver.physics.lines import LABELS
from fieldsolver.post.output import write_between

from .cases import FAMILIES
from .report import honesty, judged

BEGIN = "<!-- validation summary: written by make validate from validation/results.json -->"
END = "<!-- end of validation summary -->"


# --- selecting rows -------------------------------------------------------------------------


def select(
    rows: Iterable[dict], family: str, reference: str, quantity: str, where: Callable[[dict], bool] | None = None
):
    """The comparison rows of one family, reference (label prefix) and quantity, where the
    formula applies, optionally filtered on the point's parameters."""
    out = [
        r
        for r in rows
        if r["family"] == family
        and r["reference"].startswith(reference)
        and r["quantity"] == quantity
        and r["applies"]
        and (where is None or where(r["params"]))
    ]
    if not out:
        raise ValueError(f"no rows for {family} / {reference} / {quantity}")
    return out


def pct(x: float, digits: int = 1) -> str:
    """A signed percentage: +2.3 %."""
    return f"{100 * x:+.{digits}f} %"


def span(rows: list[dict], digits: int = 1) -> str:
    """The range of the rows' deviations, as 'a to b %' (or one value)."""
    lo, hi = min(r["dev"] for r in rows), max(r["dev"] for r in rows)
    if round(100 * lo, digits) == round(100 * hi, digits):
        return pct(lo, digits)
    return f"{100 * lo:+.{digits}f} to {100 * hi:+.{digits}f} %"


def within(rows: list[dict], digits: int = 2) -> str:
    """'within x %', x the largest absolute deviation, rounded up."""
    worst = max(abs(r["dev"]) for r in rows)
    step = 10.0**-digits
    return f"within {step * -(-round(100 * worst / step, 6) // 1):.{digits}f} %"


def at(rows: list[dict], key: str, value: float) -> dict:
    """The row whose parameter ``key`` is nearest ``value``."""
    return min(rows, key=lambda r: abs(r["params"][key] - value))


def threshold(rows: list[dict], key: str, bound: float) -> float | None:
    """The smallest swept ``key`` from which every larger point's deviation is within ``bound``."""
    ok = None
    for r in sorted(rows, key=lambda r: -r["params"][key]):
        if abs(r["dev"]) > bound:
            break
        ok = r["params"][key]
    return ok


def verdict(worst: float, stated: float) -> str:
    """How a formula's largest deviation compares with its stated accuracy."""
    if worst <= stated:
        return f"within its stated {100 * stated:g} %"
    if worst <= 1.25 * stated:
        return f"just outside its stated {100 * stated:g} %"
    return f"outside its stated {100 * stated:g} %"


# --- the report's notes on closed forms -------------------------------------------------------


def _ipc_microstrip(rows) -> str:
    def band(er):
        return select(rows, "microstrip", "IPC-2141", "z0", lambda p: p["er"] == er and 0.1 <= p["w"] <= 2)

    wide = select(
        [dict(r, applies=True) for r in rows], "microstrip", "IPC-2141", "z0", lambda p: p["w"] > 2 and p["er"] == 4.3
    )
    w3, w10 = at(wide, "w", 3.2), at(wide, "w", 10.0)
    neg = ", a negative impedance," if w10["dev"] < -1 else ""
    thick = select(rows, "microstrip_thick", "IPC-2141", "z0")
    return (
        "a logarithmic fit made for FR-4-like boards. Within 0.1 < w/h < 2 it is "
        f"{span(band(4.3))} off at er = 4.3, {span(band(12.0))} at er = 12 and {span(band(1.0))} in air "
        "(er = 1 is the edge of its stated 1 < er < 15); past w/h = 2 its logarithm heads for zero "
        f"and it fails completely (at er = 4.3: {pct(w3['dev'], 0)} at w/h = {w3['params']['w']:.1f}, "
        f"{pct(w10['dev'], 0)}{neg} at w/h = {w10['params']['w']:g}). With a thick trace (w/h = 1, er = 4.3) "
        f"it is {span(thick)} off. Use it for a first guess on FR-4, never for a 50 ohm line on a thin "
        "laminate (w/h near 2)."
    )


def _ipc_stripline(rows) -> str:
    sel = select(rows, "stripline_thick", "IPC-2141", "z0")
    thin = min(sel, key=lambda r: r["params"]["t"])
    mid = [r for r in sel if 0.05 <= r["params"]["t"] <= 0.11]
    return (
        "its equivalent-round-wire model holds only for narrow strips (w/(b - t) < 0.35). Here (w/b = 0.3) "
        f"it is {pct(thin['dev'])} for a very thin strip (t/b = {thin['params']['t']:g}) and "
        f"{span(mid)} for t/b {min(r['params']['t'] for r in mid):.2f}-{max(r['params']['t'] for r in mid):.2f}, "
        "so part of its usual 1-2 % claim depends on a typical copper thickness."
    )


def _zdiff_stripline(rows) -> str:
    sel = select(rows, "coupled_stripline", "Zdiff empirical (stripline)", "z_diff")
    s0 = threshold(sel, "s", 0.015)
    near = sorted((r for r in sel if r["params"]["s"] < s0), key=lambda r: -r["params"]["s"])
    return (
        f"`2 Z0 (1 - 0.347 exp(-2.9 s/b))` is {within([r for r in sel if r['params']['s'] >= s0], 1)} of "
        f"Cohn's exact result for s/b >= {s0:.2f}, but reads {pct(near[0]['dev'], 0)} at s/b = "
        f"{near[0]['params']['s']:.2f} and {pct(near[-1]['dev'], 0)} at s/b = {near[-1]['params']['s']:g}: "
        "the exponential cannot follow the odd-mode impedance of tightly coupled strips, which falls toward "
        "zero as the gap closes."
    )


def _zdiff_microstrip(rows) -> str:
    sel = select(rows, "coupled_microstrip", "Zdiff empirical (microstrip)", "z_diff")
    mid = [r for r in sel if 0.3 <= r["params"]["s"] <= 1.0]
    tight = min(sel, key=lambda r: r["params"]["s"])
    kj = [r for q in ("z_odd", "z_even") for r in select(rows, "coupled_microstrip", "Kirschning-Jansen", q)]
    return (
        f"`2 Z0 (1 - 0.48 exp(-0.96 s/h))` (w/h = 1, er = 4.3) is {span(mid)} off for s/h 0.3-1, the gaps "
        f"of real differential pairs, and {pct(tight['dev'])} at s/h = {tight['params']['s']:g}. It ignores "
        "w/h and er entirely. Kirschning-Jansen, which models both modes, is "
        f"{within(kj)} on Zodd and Zeven over the same sweep."
    )


def _both(rows, family: str, reference: str, bound: float = 0.002):
    """Z0 and eps_eff rows of a CPW family, the substrate height from which both are within
    ``bound``, and the rows from there on."""
    z, e = (select(rows, family, reference, q) for q in ("z0", "eps_eff"))
    hs = [threshold(z, "h", bound), threshold(e, "h", bound)]
    if None in hs:
        raise ValueError(f"{family}: {reference} is not within {100 * bound:g} % at any height; rewrite its note")
    h0 = max(hs)
    return z, e, h0, [r for r in z + e if r["params"]["h"] >= h0]


def _ghione_naldi(rows) -> str:
    z, e, h0, far = _both(rows, "cpw_substrate", "Ghione-Naldi")
    thin_z, thin_e = (min(s, key=lambda r: r["params"]["h"]) for s in (z, e))
    return (
        f"exact as h -> inf and {within(far)} (Z0 and eps_eff) for h/w >= {h0:.2g}; on thin substrates "
        f"(h/w = {thin_z['params']['h']:g}, gap 0.5) it is {pct(thin_e['dev'])} on eps_eff and "
        f"{pct(thin_z['dev'])} on Z0. The partial-capacitance method assumes the substrate-air boundary is a "
        "field line (magnetic wall) in the transformed plane; with a substrate thinner than the gap, much of "
        "the field runs sideways in the substrate and that assumption no longer holds."
    )


def _gcpw(rows) -> str:
    z, _, h0, far = _both(rows, "gcpw", "conformal mapping")
    thin = min(z, key=lambda r: r["params"]["h"])
    return (
        f"{within(far)} (Z0 and eps_eff) for h/w >= {h0:.2g} but "
        f"{pct(thin['dev'])} on Z0 at h/w = {thin['params']['h']:g}: it adds the capacitance of the upper CPW "
        "region and of the lower, plane-backed region as if independent, which misses the fringing between "
        "the two when the backing plane is close."
    )


def _wheeler(rows) -> str:
    sel = select(rows, "microstrip", "Wheeler 1977", "z0")
    narrow = [r for r in sel if r["params"]["w"] <= 1.0]
    air = min((r for r in sel if r["params"]["er"] == 1.0), key=lambda r: r["dev"])
    ones = sum(abs(r["dev"]) <= 0.01 for r in sel)
    worst = max(abs(r["dev"]) for r in sel)
    held = "holds here" if worst <= 0.02 else "does not hold here"
    return (
        f"{within(narrow)} of the field solution for w/h <= 1 but reaches {pct(air['dev'])} in air at "
        f"w/h = {air['params']['w']:.1f}: the accuracy usually quoted for it (within 1 % in most cases, 2 % "
        f"worst) {held}, with {ones} of {len(sel)} points within 1 %."
    )


def _hammerstad_jensen(rows) -> str:
    e = select(rows, "microstrip", "Hammerstad-Jensen", "eps_eff")
    worst = max(e, key=lambda r: abs(r["dev"]))
    z_air = select(rows, "microstrip", "Hammerstad-Jensen", "z0", lambda p: p["er"] == 1.0)
    return (
        f"the largest deviation on eps_eff, {pct(worst['dev'], 2)} at w/h = {worst['params']['w']:.1f} and "
        f"er = {worst['params']['er']:g}, is {verdict(abs(worst['dev']), 0.002)} accuracy; its Z0 in air "
        f"is {within(z_air)} of the solver (stated: 0.03 %)."
    )


NOTES: dict[str, Callable[[list[dict]], str]] = {
    "IPC-2141 microstrip": _ipc_microstrip,
    "IPC-2141 stripline": _ipc_stripline,
    "Empirical Zdiff (stripline)": _zdiff_stripline,
    "Empirical Zdiff (microstrip)": _zdiff_microstrip,
    "Ghione-Naldi CPW on a finite substrate": _ghione_naldi,
    "Conformal-mapping grounded CPW": _gcpw,
    "Wheeler 1977 microstrip": _wheeler,
    "Hammerstad-Jensen eps_eff": _hammerstad_jensen,
}


def notes(rows: list[dict]) -> list[str]:
    """The report's bullet list of known disagreements, every figure taken from ``rows``."""
    return [f"* **{k}**: {fn(rows)}" for k, fn in NOTES.items()]


# --- the README's summary -------------------------------------------------------------------


def _range(fam, rows: list[dict]) -> str:
    xs = [r["x"] for r in rows]
    out = f"{fam.axis_label} {min(xs):.3g} - {max(xs):.3g}"
    if fam.series:
        ss = [r["series"] for r in rows]
        if min(ss) != max(ss):
            out += f", {fam.series} {min(ss):.3g} - {max(ss):.3g}"
    return out


def readme_summary(rows: list[dict], points: list[dict]) -> str:
    """The README's block: what ``make validate`` checks, a line per family with its worst error and
    coverage, the closed form users compare with most, and the overall coverage."""
    out = [
        BEGIN,
        f"`make validate` checks all of this on {len(points)} structures and writes",
        "[`validation/REPORT.md`](validation/REPORT.md) with plots: every exact case and its error bar,",
        "and where the closed-form formulas that calculators use hold and where they break. Summary at",
        "the default tolerance:",
        "",
        "| structure | reference | range swept | worst error | error bar covers the true error |",
        "|---|---|---|---|---|",
    ]
    for fam in FAMILIES:
        mine = judged([r for r in rows if r["family"] == fam.name])
        if not mine:
            continue
        refs = ", ".join(dict.fromkeys(r["reference"] for r in mine))
        qs = ", ".join(LABELS.get(q, q) for q in dict.fromkeys(r["quantity"] for r in mine))
        worst = max(abs(r["dev"]) for r in mine)
        covered = sum(r["covered"] for r in mine)
        out.append(
            f"| {fam.title}: {qs} | {refs} | {_range(fam, mine)} | {100 * worst:.3f} % | {covered}/{len(mine)} |"
        )
    hj = [r for r in rows if r["reference"] == "Hammerstad-Jensen" and r["applies"]]
    fam = next(f for f in FAMILIES if f.name == hj[0]["family"])
    out.append(
        f"| {fam.title}: Z0, eps_eff | Hammerstad-Jensen (a formula, stated to 0.2 %) | {_range(fam, hj)} "
        f"| {100 * max(abs(r['dev']) for r in hj):.2f} % | |"
    )
    covered, n, ratio = honesty(rows)
    how = "every time" if covered == n else f"in {covered} ({100 * covered / n:.1f} %)"
    out += [
        "",
        f"Over the {n} impedances with an exact or independent reference the bar covers the true",
        f"error {how}, and is a median {ratio:.1f} times the true error.",
        END,
    ]
    return "\n".join(out)


def write_readme(path: Path, rows: list[dict], points: list[dict]) -> None:
    write_between(path, BEGIN, END, readme_summary(rows, points))
