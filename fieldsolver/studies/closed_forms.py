"""Which closed-form formulas (:mod:`fieldsolver.physics.formulas`) apply to a template, their
values, and what each formula's source says about its range and accuracy.

A calculator gives a number from one of these formulas; ``fieldsolver check`` puts each beside
the field solution. Every formula here carries:

* ``stated_accuracy``: the relative accuracy its source states (or, for the formulas without one
  of their own, the figure that the quoted source gives, named in ``accuracy_note``); ``None``
  where no figure is published (IPC-2141 microstrip, the AN-905 differential fits, Ghione-Naldi):
  no number is invented for them;
* ``in_range``: whether the structure lies inside the formula's stated validity and inside its
  model (a formula without solder mask, etched trapezoids or thickness does not describe a
  structure that has them), with the reason in ``range_note``;
* ``exact``: a conformal-mapping or image solution of the same 2D problem (deviation 0 to the
  solver's error bar).

The sources of the figures are the docstrings of :mod:`fieldsolver.physics.formulas`; the
measured behaviour of each formula over its range is in ``validation/REPORT.md``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..geometry import materials
from ..physics import formulas as F

EXACT = "exact (conformal mapping or image solution of the same 2D problem)"
HJ_ACC = "Hammerstad and Jensen 1980: eps_eff within 0.2 % (0.01 <= w/h <= 100, er <= 128), Z0 in air 0.03 %"
HJ_T_ACC = "Hammerstad and Jensen 1980 state no figure for the thickness correction (only for t = 0: 0.2 %)"
WHEELER77_ACC = "as usually quoted with Wheeler 1977: below 1 % in most cases, always below 2 %"
WHEELER78_ACC = "Wheeler 1978: 0.5 % for w'/(b - t) < 10"
IPC_MS_ACC = "no accuracy is published with IPC-2141's microstrip formula"
IPC_SL_ACC = "Clemson CVEL notes (IPC-2251 formulas against a 2D field solver, er 4, t/b 0.09)"
KJ_ACC = "Kirschning and Jansen 1984: about 1 %"
AN905_ACC = "no accuracy or range is published with the AN-905 Zdiff fit"
GN_ACC = "no accuracy figure is published with the Ghione-Naldi partial-capacitance forms"
COHN_BS_ACC = "exact while the strips' two edges do not interact: within 2e-5 for w >= 3 s (measured)"


@dataclass(frozen=True)
class ClosedForm:
    """One closed form's value for one quantity of a structure."""

    name: str
    quantity: str  # a key of Result.values: z0, eps_eff, z_diff, z_common, z_odd, z_even, ...
    value: float
    exact: bool
    stated_accuracy: float | None  # relative; None: no figure published
    accuracy_note: str
    in_range: bool
    range_note: str
    source: str  # the formulas.py function

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "quantity": self.quantity,
            "value": self.value,
            "exact": self.exact,
            "stated_accuracy": self.stated_accuracy,
            "accuracy_note": self.accuracy_note,
            "in_range": self.in_range,
            "range_note": self.range_note,
            "source": self.source,
        }


def _er(v: dict[str, Any], key: str) -> float:
    """A dielectric's er: given, or its library material's."""
    if v.get(key) is not None:
        return float(v[key])
    mat = v.get({"er": "material", "er1": "material1", "er2": "material2", "er_s": "material_s"}.get(key, ""))
    return float(materials.dielectric(mat).er) if mat else math.nan


def _model_notes(v: dict[str, Any], *, mask: bool = False) -> list[str]:
    """What the structure has that the closed forms do not model."""
    out = []
    if v.get("w_top") is not None and v.get("w") is not None and v["w_top"] != v["w"]:
        out.append(f"an etched trace (w_top {v['w_top']:g} != w {v['w']:g}): the formula takes one width")
    if mask and max(v.get("c1") or 0.0, v.get("c2") or 0.0, v.get("c3") or 0.0) > 0:
        out.append("solder mask, which the formula leaves out")
    return out


def _range(conditions: list[tuple[bool, str]], model: list[str]) -> tuple[bool, str]:
    """(in range, note): every stated condition met and nothing outside the formula's model."""
    failed = [text for ok, text in conditions if not ok]
    stated = "; ".join(text for _, text in conditions)
    if not failed and not model:
        return True, f"inside the stated range ({stated})" if stated else "no range stated"
    why = [f"outside {text}" for text in failed] + model
    return False, "; ".join(why)


def _form(name, quantity, value, acc, acc_note, rng, source, exact=False) -> ClosedForm:
    return ClosedForm(name, quantity, float(value), exact, acc, acc_note, rng[0], rng[1], source)


def _pair_forms(name, z_odd, z_even, acc, acc_note, rng, source, exact=False) -> list[ClosedForm]:
    """A pair's four impedances from (Zodd, Zeven): Zdiff = 2 Zodd, Zcommon = Zeven / 2."""
    return [
        _form(name, q, z, acc, acc_note, rng, source, exact)
        for q, z in (("z_diff", 2 * z_odd), ("z_common", z_even / 2), ("z_odd", z_odd), ("z_even", z_even))
    ]


# ---------------------------------------------------------------------------------- microstrip
def _microstrip(v: dict[str, Any]) -> list[ClosedForm]:
    w, h, t, er = v["w"], v["h"], v["t"], _er(v, "er")
    u = w / h
    model = _model_notes(v, mask=True)
    hj_rng = _range([(0.01 <= u <= 100, "0.01 <= w/h <= 100"), (er <= 128, "er <= 128")], model)
    z, e = F.microstrip_hammerstad_jensen_thick(w, h, t, er)
    hj_name = "Hammerstad-Jensen 1980" + (" with t" if t > 0 else "")
    hj_acc, hj_note = (0.002, HJ_ACC) if t == 0 else (None, HJ_T_ACC)
    src = "microstrip_hammerstad_jensen_thick" if t > 0 else "microstrip_hammerstad_jensen"
    out = [
        _form(hj_name, "z0", z, hj_acc, hj_note, hj_rng, src),
        _form(hj_name, "eps_eff", e, hj_acc, hj_note, hj_rng, src),
        _form(
            "Wheeler 1977",
            "z0",
            F.microstrip_wheeler(w, h, t, er),
            0.02,
            WHEELER77_ACC,
            _range([], model),
            "microstrip_wheeler",
        ),
    ]
    ipc_rng = _range([(0.1 < u < 2.0, "0.1 < w/h < 2"), (1 < er < 15, "1 < er < 15")], model)
    if 0.8 * w + t < 5.98 * h:  # else its logarithm is <= 0: no impedance at all
        out.append(
            _form("IPC-2141", "z0", F.microstrip_ipc2141(w, h, t, er), None, IPC_MS_ACC, ipc_rng, "microstrip_ipc2141")
        )
    return out


def _coupled_microstrip(v: dict[str, Any]) -> list[ClosedForm]:
    w, s, h, t, er = v["w"], v["s"], v["h"], v["t"], _er(v, "er")
    u, g = w / h, s / h
    model = _model_notes(v, mask=True)
    kj_model = model + ([f"trace thickness t = {t:g} (a zero-thickness formula)"] if t > 0 else [])
    kj_rng = _range(
        [(0.1 <= u <= 10, "0.1 <= w/h <= 10"), (0.1 <= g <= 10, "0.1 <= s/h <= 10"), (1 <= er <= 18, "1 <= er <= 18")],
        kj_model,
    )
    z_o, z_e, _, _ = F.coupled_microstrip_kirschning_jansen(w, s, h, er)
    out = _pair_forms("Kirschning-Jansen 1984", z_o, z_e, 0.01, KJ_ACC, kj_rng, "coupled_microstrip_kirschning_jansen")
    if 0.8 * w + t < 5.98 * h:
        z0 = F.microstrip_ipc2141(w, h, t, er)
        rng = _range([(0.1 < u < 2.0, "IPC-2141's 0.1 < w/h < 2"), (1 < er < 15, "1 < er < 15")], model)
        out.append(
            _form(
                "IPC-2141 Z0 + AN-905 Zdiff",
                "z_diff",
                F.z_diff_microstrip_empirical(z0, s, h),
                None,
                AN905_ACC,
                rng,
                "z_diff_microstrip_empirical(microstrip_ipc2141)",
            )
        )
    return out


# ----------------------------------------------------------------------------------- stripline
def _centred(v: dict[str, Any]) -> tuple[float, list[str]]:
    """Plane spacing b = h1 + t + h2, and the departures from a centred homogeneous stripline."""
    h1, h2, t = v["h1"], v["h2"], v["t"]
    model = _model_notes(v)
    if not math.isclose(h1, h2, rel_tol=1e-9):
        model.append(f"an offset trace (h1 {h1:g} != h2 {h2:g}): the formula is for a centred one")
    if "er1" in v and not math.isclose(_er(v, "er1"), _er(v, "er2"), rel_tol=1e-12):
        model.append("two dielectrics (er1 != er2): the formula takes one")
    return h1 + h2 + t, model


def _stripline(v: dict[str, Any]) -> list[ClosedForm]:
    w, t = v["w"], v["t"]
    er = _er(v, "er") if "er" in v else _er(v, "er1")
    b, model = _centred(v)
    thin = [f"trace thickness t = {t:g} (exact for t = 0 only)"] if t > 0 else []
    out = [
        _form(
            "Cohn 1954 (exact)",
            "z0",
            F.stripline_z0(w, b, er),
            0.0,
            EXACT,
            _range([], model + thin),
            "stripline_z0",
            exact=True,
        )
    ]
    m = w / (b - t)
    out.append(
        _form(
            "Wheeler 1978",
            "z0",
            F.stripline_thick(w, b, t, er),
            0.005,
            WHEELER78_ACC,
            _range([(m < 10, "w/(b - t) < 10")], model),
            "stripline_thick",
        )
    )
    if 0.8 * w + t < 4 * b / (0.67 * math.pi):
        ipc_rng = _range(
            [(m < 0.35, "w/(b - t) < 0.35"), (t / b < 0.25, "t/b < 0.25"), (1 < er < 15, "1 < er < 15")], model
        )
        acc = 0.01 if 0.08 < m < 0.32 else 0.02 if 0.05 < m < 0.35 else None
        note = IPC_SL_ACC + (
            ": within 1 % for 0.08 < w/(b - t) < 0.32, 2 % for 0.05-0.08 and 0.32-0.35"
            if acc is not None
            else ": more than 30 % off below w/(b - t) = 0.05; no figure above 0.35"
        )
        out.append(_form("IPC-2141", "z0", F.stripline_ipc2141(w, b, t, er), acc, note, ipc_rng, "stripline_ipc2141"))
    return out


def _coupled_stripline(v: dict[str, Any]) -> list[ClosedForm]:
    w, s, t = v["w"], v["s"], v["t"]
    er = _er(v, "er") if "er" in v else _er(v, "er1")
    b, model = _centred(v)
    thin = [f"trace thickness t = {t:g} (exact for t = 0 only)"] if t > 0 else []
    z_o, z_e = F.coupled_stripline_z(w, s, b, er)
    out = _pair_forms("Cohn 1955 (exact)", z_o, z_e, 0.0, EXACT, _range([], model + thin), "coupled_stripline_z", True)
    if 0.8 * w + t < 4 * b / (0.67 * math.pi):
        z0 = F.stripline_ipc2141(w, b, t, er)
        m = w / (b - t)
        rng = _range([(m < 0.35, "IPC-2141's w/(b - t) < 0.35"), (1 < er < 15, "1 < er < 15")], model)
        out.append(
            _form(
                "IPC-2141 Z0 + AN-905 Zdiff",
                "z_diff",
                F.z_diff_stripline_empirical(z0, s, b),
                None,
                AN905_ACC,
                rng,
                "z_diff_stripline_empirical(stripline_ipc2141)",
            )
        )
    return out


def _broadside(v: dict[str, Any]) -> list[ClosedForm]:
    w, t, h1, hs, h2 = v["w"], v["t"], v["h1"], v["hs"], v["h2"]
    er, er_s = _er(v, "er"), _er(v, "er_s")
    model = _model_notes(v)
    if t > 0:
        model.append(f"trace thickness t = {t:g} (exact for t = 0 only)")
    if v.get("offset"):
        model.append("a lateral offset (the formula has none)")
    if not math.isclose(h1, h2, rel_tol=1e-9):
        model.append("the pair is not centred between the planes (h1 != h2)")
    if not math.isclose(er, er_s, rel_tol=1e-12):
        model.append("two dielectrics (er != er_s)")
    try:
        z_o, z_e = F.broadside_stripline_z(w, hs, h1 + hs + h2 + 2 * t, er)
    except ValueError:
        return []
    rng = _range([(w >= 3 * hs, "w >= 3 s (the edges do not interact)")], model)
    return _pair_forms("Cohn 1960 (broadside)", z_o, z_e, 0.0, COHN_BS_ACC, rng, "broadside_stripline_z", True)


# --------------------------------------------------------------------------------- coplanar etc.
def _cpw(v: dict[str, Any]) -> list[ClosedForm]:
    w, g, h, t, er = v["w"], v["g"], v["h"], v["t"], _er(v, "er")
    model = _model_notes(v, mask=True)
    if t > 0:
        model.append(f"conductor thickness t = {t:g} (a zero-thickness formula)")
    if math.isfinite(v.get("gw", math.inf)):
        model.append("side grounds of finite width gw (the formula's are semi-infinite)")
    if v.get("backed"):
        z, e = F.gcpw(w, g, h, er)
        name, src = "Ghione-Naldi 1987 (grounded CPW)", "gcpw"
    else:
        z, e = F.cpw_ghione_naldi(w, g, h, er)
        name, src = "Ghione-Naldi 1984 (CPW)", "cpw_ghione_naldi"
    rng = _range([], model)
    out = [_form(name, "z0", z, None, GN_ACC, rng, src), _form(name, "eps_eff", e, None, GN_ACC, rng, src)]
    if not v.get("backed"):  # the limit of a substrate filling the half-space below: exact there only
        z_inf, e_inf = F.cpw_thick_z0(w, g, er)
        half = (False, "; ".join([*model, f"a substrate of height h = {h:g} (exact for h -> infinity only)"]))
        name = "CPW on a half-space (exact)"
        out += [_form(name, "z0", z_inf, 0.0, EXACT, half, "cpw_thick_z0", True)]
        out += [_form(name, "eps_eff", e_inf, 0.0, EXACT, half, "cpw_thick_z0", True)]
    return out


def _cps(v: dict[str, Any]) -> list[ClosedForm]:
    """Coplanar strips: exact in a uniform medium (no substrate of another er), zero thickness."""
    w, s, t, er = v["w"], v["s"], v["t"], _er(v, "er")
    model = _model_notes(v)
    if er != 1.0:
        model.append(f"a substrate of er {er:g} under air (the formula is for one uniform medium)")
    if t > 0:
        model.append(f"conductor thickness t = {t:g} (exact for t = 0 only)")
    z = F.cps_z(w, s, 1.0)
    return [_form("coplanar strips (exact)", "z_diff", z, 0.0, EXACT, _range([], model), "cps_z", True)]


def _coax(v: dict[str, Any]) -> list[ClosedForm]:
    return [
        _form(
            "coax (exact)", "z0", F.coax_z0(v["d"], v["D"], _er(v, "er")), 0.0, EXACT, (True, "exact"), "coax_z0", True
        )
    ]


def _twin_wire(v: dict[str, Any]) -> list[ClosedForm]:
    z = F.twin_wire_z_diff(v["d"], v["D"], _er(v, "er"))
    return [_form("twin wire (exact)", "z_diff", z, 0.0, EXACT, (True, "exact"), "twin_wire_z_diff", True)]


def _wire_over_ground(v: dict[str, Any]) -> list[ClosedForm]:
    z = F.wire_over_ground_z0(v["d"], v["h"], _er(v, "er"))
    return [_form("wire over ground (exact)", "z0", z, 0.0, EXACT, (True, "exact"), "wire_over_ground_z0", True)]


FORMS: dict[str, Callable[[dict[str, Any]], list[ClosedForm]]] = {
    "microstrip": _microstrip,
    "coupled_microstrip": _coupled_microstrip,
    "stripline": _stripline,
    "offset_stripline": _stripline,
    "coupled_stripline": _coupled_stripline,
    "coupled_offset_stripline": _coupled_stripline,
    "broadside_stripline": _broadside,
    "cpw": _cpw,
    "cps": _cps,
    "coax": _coax,
    "twin_wire": _twin_wire,
    "wire_over_ground": _wire_over_ground,
}


def closed_forms(template: str | None, values: dict[str, Any]) -> list[ClosedForm]:
    """Every closed form that describes template ``template`` with the parameter ``values``
    (all of them, defaults included: :func:`fieldsolver.geometry.templates.values`), inside its
    range or not; none for a drawn cross-section (``template`` None) or a template no formula
    describes. A formula that has no value at these parameters (outside its domain) is left out."""
    if template not in FORMS:
        return []
    try:
        forms = FORMS[template](values)
    except (ValueError, ZeroDivisionError, OverflowError):
        return []
    return [f for f in forms if math.isfinite(f.value) and f.value > 0]
