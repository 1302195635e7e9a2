"""What the templates' lines are made of: each dielectric's tand, material, f_ref and dispersion,
the conductors' sigma, metal and roughness, the planes' thickness tg (README "Templates").

Each parameter is checked where it lands (the built CrossSection's Dielectric, background and
Conductor fields); none of them changes a static result (the committed example JSON to 1e-9);
a homogeneous lossy line gives G = w C tand exactly; a bad value is one line naming the
parameter, exit code 2.
"""

import dataclasses
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

import fieldsolver as fs
from fieldsolver.cli import main
from fieldsolver.geometry import materials, templates
from fieldsolver.geometry.loader import load
from fieldsolver.geometry.materials import COPPER_SIGMA, FaceRoughness, Groisse, HammerstadJensen, Huray
from fieldsolver.numerics.grid import make_grid
from fieldsolver.numerics.raster import rasterize
from fieldsolver.studies import Design
from fieldsolver.studies.tolerance import typical_spread
from tests.test_json_contract import _compare

ROOT = Path(__file__).parents[1]
MS = {"w": 0.3, "h": 0.2, "t": 0.035, "er": 4.3}  # a microstrip, mm


def _dielectrics(section):
    """name -> (er, tand, f_ref, dispersion) of every painted dielectric, and of the background."""
    out = {d.name: (d.er, d.tand, d.f_ref, d.dispersion) for d in section.dielectrics}
    b = section.background
    out["background"] = (b.er, b.tand, b.f_ref, b.dispersion)
    return out


DS, CONST = "djordjevic-sarkar", "constant"


# ------------------------------------------------------------------------------- dielectrics
@pytest.mark.parametrize(
    ("name", "params", "expected"),
    [
        (  # the substrate and the mask each with their own tand; f_ref and dispersion for both
            "microstrip",
            {
                **MS,
                "tand": 0.02,
                "c1": 0.02,
                "c2": 0.01,
                "mask_er": 3.3,
                "mask_tand": 0.03,
                "f_ref": "2GHz",
                "dispersion": "ds",
            },
            {"substrate": (4.3, 0.02, 2e9, DS), "mask": (3.3, 0.03, 2e9, DS), "mask on sig": (3.3, 0.03, 2e9, DS)},
        ),
        (  # mask_er defaults to 3.5 and mask_tand to 0
            "coupled_microstrip",
            {**MS, "s": 0.2, "c1": 0.02, "c2": 0.0, "c3": 0.03, "tand": 0.01},
            {
                "substrate": (4.3, 0.01, 1e9, CONST),
                "mask": (3.5, 0.0, 1e9, CONST),
                "mask (gap)": (3.5, 0.0, 1e9, CONST),
            },
        ),
        (  # the cover follows the substrate, tand included, unless given
            "embedded_microstrip",
            {**MS, "h2": 0.1, "tand": 0.02},
            {"substrate": (4.3, 0.02, 1e9, CONST), "cover": (4.3, 0.02, 1e9, CONST)},
        ),
        (
            "coupled_embedded_microstrip",
            {**MS, "s": 0.2, "h2": 0.1, "tand": 0.02, "er2": 3.8, "tand2": 0.025},
            {"substrate": (4.3, 0.02, 1e9, CONST), "cover": (3.8, 0.025, 1e9, CONST)},
        ),
        (  # homogeneous: the lossy medium is the background
            "stripline",
            {"w": 0.2, "h1": 0.2, "h2": 0.2, "er": 4.0, "tand": 0.015, "f_ref": 1e10},
            {"background": (4.0, 0.015, 1e10, CONST)},
        ),
        (
            "coupled_stripline",
            {"w": 0.2, "s": 0.2, "h1": 0.2, "h2": 0.2, "er": 4.0, "tand": 0.015},
            {"background": (4.0, 0.015, 1e9, CONST)},
        ),
        (
            "offset_stripline",
            {"w": 0.2, "h1": 0.2, "h2": 0.3, "t": 0.018, "er1": 4.4, "tand1": 0.02, "er2": 4.2, "tand2": 0.018},
            {"core": (4.4, 0.02, 1e9, CONST), "prepreg": (4.2, 0.018, 1e9, CONST)},
        ),
        (  # the same er but not the same loss: two layers, not one medium
            "coupled_offset_stripline",
            {"w": 0.2, "s": 0.2, "h1": 0.2, "h2": 0.3, "t": 0.018, "er1": 4.0, "er2": 4.0, "tand2": 0.01},
            {"core": (4.0, 0.0, 1e9, CONST), "prepreg": (4.0, 0.01, 1e9, CONST)},
        ),
        (
            "broadside_stripline",
            {"w": 0.15, "t": 0.018, "h1": 0.2, "hs": 0.15, "h2": 0.2, "er": 3.9, "tand": 0.02, "tand_s": 0.01},
            {"prepreg_bottom": (3.9, 0.02, 1e9, CONST), "core": (3.9, 0.01, 1e9, CONST)},
        ),
        (
            "cpw",
            {
                "w": 0.3,
                "g": 0.15,
                "h": 0.2,
                "t": 0.035,
                "er": 4.3,
                "tand": 0.02,
                "c1": 0.02,
                "c2": 0.0,
                "mask_tand": 0.025,
            },
            {"substrate": (4.3, 0.02, 1e9, CONST), "mask": (3.5, 0.025, 1e9, CONST)},
        ),
        (
            "coupled_cpw",
            {"w": 0.2, "s": 0.2, "g": 0.15, "h": 0.2, "er": 4.3, "tand": 0.02, "backed": True},
            {"substrate": (4.3, 0.02, 1e9, CONST)},
        ),
        ("cps", {"w": 0.3, "s": 0.2, "h": 0.5, "er": 4.3, "tand": 0.02}, {"substrate": (4.3, 0.02, 1e9, CONST)}),
        ("coax", {"d": 0.9, "D": 2.95, "material": "ptfe"}, {"background": (2.1, 0.00015, 3e9, CONST)}),
        ("twin_wire", {"d": 1.0, "D": 3.0, "er": 2.2, "tand": 3e-4}, {"background": (2.2, 3e-4, 1e9, CONST)}),
        (
            "twisted_pair",
            {"d": 0.51, "d_ins": 0.95, "material": "polyethylene"},
            {"insulation p": (2.26, 0.00031, 3e9, CONST), "background": (1.0, 0.0, 1e9, CONST)},
        ),
        (  # the fill is air unless given
            "shielded_pair",
            {"d": 0.51, "d_ins": 0.95, "er": 2.1, "tand": 2e-4, "D": 3.2, "tand_fill": 1e-3},
            {"insulation n": (2.1, 2e-4, 1e9, CONST), "background": (1.0, 1e-3, 1e9, CONST)},
        ),
        ("wire_over_ground", {"d": 0.5, "h": 1.0, "er": 2.5, "tand": 0.001}, {"background": (2.5, 0.001, 1e9, CONST)}),
    ],
)
def test_each_dielectrics_loss_reaches_the_model(name, params, expected):
    got = _dielectrics(fs.template(name, **params))
    for region, fields in expected.items():
        assert got[region][:3] == pytest.approx(fields[:3], rel=1e-12), region
        assert got[region][3] == fields[3], region


def test_every_dielectric_has_its_tand_and_every_template_its_conductor_keys():
    for name, (_, spec, _, slots) in templates.TEMPLATES.items():
        ers = [k for k, p in spec.items() if p.kind == "er"]
        assert ers == [s.er for s in slots], name
        for s in slots:
            assert spec[s.tand].kind == "tand" and (s.material is None or spec[s.material].kind == "material")
        assert {"f_ref", "dispersion", "sigma", "metal", "rough", "rough_model", "rough_ratio"} <= set(spec), name
    # tg where there are ground planes, the faces' roughness where there are etched traces
    unplaned = {"cps", "coax", "twin_wire", "twisted_pair", "shielded_pair"}
    assert {n for n, t in templates.TEMPLATES.items() if "tg" in t[1]} == set(templates.TEMPLATES) - unplaned
    assert {n for n, t in templates.TEMPLATES.items() if "rough_top" in t[1]} == {
        n for n, t in templates.TEMPLATES.items() if "w_top" in t[1]
    }


def test_a_material_sets_er_tand_f_ref_and_dispersion_unless_each_is_given():
    ro = materials.dielectric("ro4350b").medium
    assert _dielectrics(fs.template("microstrip", w=0.3, h=0.2, material="RO4350B"))["substrate"] == (
        ro.er,
        ro.tand,
        ro.f_ref,
        ro.dispersion,
    )
    s = fs.template("microstrip", w=0.3, h=0.2, material="ro4350b", er=3.48, f_ref="1 GHz", dispersion="constant")
    assert _dielectrics(s)["substrate"] == (3.48, ro.tand, 1e9, CONST)
    # er follows the material in the values a study varies
    assert templates.values("microstrip", {"w": 0.3, "h": 0.2, "material": "megtron6"})["er"] == 3.71


def test_a_dielectric_without_a_material_of_its_own_follows_the_one_it_defaults_to():
    fr4, m6 = materials.dielectric("fr4").medium, materials.dielectric("megtron6").medium
    same = _dielectrics(fs.template("embedded_microstrip", w=0.3, h=0.2, h2=0.1, material="fr4"))
    assert same["cover"] == same["substrate"] == (fr4.er, fr4.tand, fr4.f_ref, fr4.dispersion)
    own = _dielectrics(fs.template("embedded_microstrip", w=0.3, h=0.2, h2=0.1, material="fr4", material2="megtron6"))
    assert own["cover"] == (m6.er, m6.tand, m6.f_ref, m6.dispersion)
    core = _dielectrics(fs.template("broadside_stripline", w=0.15, h1=0.2, hs=0.15, h2=0.2, er=3.9, material_s="fr408"))
    assert core["core"][:2] == (3.67, 0.012) and core["prepreg_top"][:2] == (3.9, 0.0)
    fill = _dielectrics(fs.template("shielded_pair", d=0.5, d_ins=0.9, er=2.1, D=3.0, material_fill="ptfe"))
    assert fill["background"][:2] == (2.1, 0.00015)


@pytest.mark.parametrize(
    ("name", "params", "missing"),
    [
        ("microstrip", {"w": 0.3, "h": 0.2, "tand": 0.02}, "'er' (or material"),
        ("offset_stripline", {"w": 0.2, "h1": 0.2, "h2": 0.2, "material1": "fr4"}, "'er2' (or material2"),
    ],
)
def test_er_is_required_without_a_material(name, params, missing):
    with pytest.raises(fs.InputError, match=f"needs parameter {re.escape(missing)}"):
        fs.template(name, **params)


# -------------------------------------------------------------------------------- conductors
def test_sigma_and_metal_reach_every_conductor():
    def sigmas(**kw):
        return {
            c.sigma for c in fs.template("cpw", w=0.3, g=0.15, h=0.2, t=0.035, er=4.3, backed=True, **kw).conductors
        }

    assert sigmas() == {COPPER_SIGMA}
    assert sigmas(metal="gold") == {materials.metal("gold").sigma}
    assert sigmas(metal="gold", sigma=4e7) == {4e7}  # sigma overrides the metal
    assert sigmas(sigma=math.inf) == {math.inf}
    assert {c.sigma for c in fs.template("coax", d=1, D=3, er=1, metal="aluminum").conductors} == {1 / 2.650e-8}


@pytest.mark.parametrize(
    ("params", "units", "expected"),
    [
        ({"rough": "0.5um"}, "mm", FaceRoughness.uniform(HammerstadJensen(0.5e-6))),
        ({"rough": 0.0005}, "mm", FaceRoughness.uniform(HammerstadJensen(0.5e-6))),
        ({"rough": 0.5}, "um", FaceRoughness.uniform(HammerstadJensen(0.5e-6))),
        ({"rough": 0.02, "rough_model": "groisse"}, "mil", FaceRoughness.uniform(Groisse(0.02 * 25.4e-6))),
        (  # a face's own value wins; 0 is smooth
            {"rough": "0.3um", "rough_bottom": "1.2um", "rough_top": 0},
            "mm",
            FaceRoughness(None, HammerstadJensen(1.2e-6), HammerstadJensen(0.3e-6)),
        ),
        (
            {"rough": "0.5um", "rough_model": "Huray", "rough_ratio": 2.9},
            "mm",
            FaceRoughness.uniform(Huray(0.5e-6, 2.9)),
        ),
        ({}, "mm", FaceRoughness()),
    ],
)
def test_the_roughness_shorthand_reaches_every_face(params, units, expected):
    w = {"mm": 0.3, "um": 300.0, "mil": 12.0}[units]
    s = fs.template("stripline", w=w, h1=w, h2=w, t=w / 10, er=4.0, tg=w / 10, units=units, **params)
    assert len(s.conductors) == 3
    for c in s.conductors:
        for face in materials.FACES:
            got, want = getattr(c.roughness, face), getattr(expected, face)
            assert (got is None) == (want is None), face
            if want is not None:
                assert type(got) is type(want)
                assert [getattr(got, k) for k in want.parameters] == pytest.approx(
                    [getattr(want, k) for k in want.parameters], rel=1e-12
                )


def test_round_wire_templates_take_one_roughness_for_every_face():
    (spec, wire) = templates.TEMPLATES["twin_wire"][1], fs.template("twin_wire", d=1, D=3, er=1, rough="1um")
    assert not {"rough_top", "rough_bottom", "rough_sides"} & set(spec)
    assert all(c.roughness == FaceRoughness.uniform(HammerstadJensen(1e-6)) for c in wire.conductors)


# ------------------------------------------------------------------------------------ planes
def test_tg_makes_the_planes_thick_away_from_the_line():
    h1, t, h2, tg = 0.2e-3, 0.018e-3, 0.3e-3, 0.035e-3
    s = fs.template("offset_stripline", w=0.15, h1=0.2, h2=0.3, t=0.018, er1=4.6, er2=3.5, tg=0.035)
    planes = {c.name: (c.shape.y0, c.shape.y1) for c in s.grounds}
    b = h1 + t + h2
    assert planes["gnd_bottom"] == pytest.approx((-tg, 0.0), rel=1e-12)
    assert planes["gnd_top"] == pytest.approx((b, b + tg), rel=1e-12)
    thin = fs.template("microstrip", **MS)  # default: zero thickness
    assert [(c.shape.y0, c.shape.y1) for c in thin.grounds] == [(0.0, 0.0)]
    wire = fs.template("wire_over_ground", d=0.5, h=1.0, er=1.0, tg=0.1)
    assert [(c.shape.y0, c.shape.y1) for c in wire.grounds] == [pytest.approx((-1e-4, 0.0))]


# typical values (mm) of every template with ground planes
PLANED = {
    "microstrip": {**MS, "w_top": 0.27, "c1": 0.02, "c2": 0.015},
    "coupled_microstrip": {**MS, "s": 0.2, "c1": 0.02, "c2": 0.015, "c3": 0.03},
    "embedded_microstrip": {**MS, "h2": 0.1, "er2": 3.8},
    "coupled_embedded_microstrip": {**MS, "s": 0.2, "h2": 0.1},
    "stripline": {"w": 0.15, "h1": 0.2, "h2": 0.2, "t": 0.035, "er": 4.3},
    "coupled_stripline": {"w": 0.12, "s": 0.15, "h1": 0.2, "h2": 0.2, "t": 0.035, "er": 4.3},
    "offset_stripline": {"w": 0.15, "w_top": 0.12, "h1": 0.15, "h2": 0.25, "t": 0.035, "er1": 4.4, "er2": 3.9},
    "coupled_offset_stripline": {"w": 0.12, "s": 0.15, "h1": 0.15, "h2": 0.25, "t": 0.035, "er1": 4.4, "er2": 3.9},
    "broadside_stripline": {"w": 0.15, "t": 0.035, "h1": 0.2, "hs": 0.15, "h2": 0.2, "offset": 0.1, "er": 3.9},
    "cpw": {"w": 0.3, "g": 0.15, "h": 0.2, "t": 0.035, "er": 4.3, "backed": True, "c1": 0.02, "c2": 0.015},
    "coupled_cpw": {"w": 0.2, "s": 0.2, "g": 0.15, "h": 0.2, "t": 0.035, "er": 4.3, "backed": True},
    "wire_over_ground": {"d": 0.5, "h": 1.0, "er": 1.0},
}


def test_every_template_with_planes_is_listed_here():
    assert set(PLANED) == {n for n, t in templates.TEMPLATES.items() if "tg" in t[1]}


@pytest.mark.parametrize("name", sorted(PLANED))
def test_a_planes_thickness_leaves_the_static_problem_unchanged(name):
    # a plane bounds the electrostatic domain at its surface: the same grid and the same cells
    thin, thick = fs.template(name, **PLANED[name]), fs.template(name, **PLANED[name], tg=0.05)
    assert {c.shape.bbox()[2:] for c in thick.grounds} != {c.shape.bbox()[2:] for c in thin.grounds}
    a, b = make_grid(thin), make_grid(thick)
    assert np.array_equal(a.x, b.x) and np.array_equal(a.y, b.y)
    assert (a.domain, a.open_sides) == (b.domain, b.open_sides)
    ra, rb = rasterize(thin, a), rasterize(thick, b)
    for f in dataclasses.fields(ra):
        assert np.array_equal(getattr(ra, f.name), getattr(rb, f.name)), f.name


# ----------------------------------------------------------------- statics: nothing changes
LOSSY = {"tand": 0.02, "f_ref": "10GHz", "dispersion": "djordjevic-sarkar", "metal": "gold", "rough": "0.5um"}


def _static(result):
    return _untimed(json.loads(result.to_json()))


def _untimed(d):
    """The JSON without the timings (the only values allowed to differ)."""
    d.pop("timings")
    accuracy = d["accuracy"] or {}
    for level in accuracy.get("levels", []) + accuracy.get("boundary_levels", []):
        level.pop("seconds")
    return d


def _same(got, want):
    # the example JSON's own contract: values to 1e-9, round-off zeros to 1e-9 of their siblings
    _compare(got, want)


@pytest.mark.parametrize("example", ["stripline_template", "gcpw_50ohm"])
def test_the_loss_keys_and_tg_leave_the_committed_static_json_unchanged(example):
    data = yaml.safe_load((ROOT / "geometries" / f"{example}.yaml").read_text())
    section = fs.template(data["template"], units=data["units"], **data["params"], **LOSSY, tg=data["params"]["t"])
    want = json.loads((ROOT / "tests" / "data" / "examples" / f"{example}.json").read_text())
    _same(_static(fs.solve(section)), _untimed(want))


def test_a_coated_microstrip_with_every_loss_key_has_the_same_statics():
    coat = {"c1": 0.02, "c2": 0.015}
    plain = fs.solve(fs.template("microstrip", **MS, **coat), tol=None)
    lossy = fs.template("microstrip", **MS, **coat, **LOSSY, mask_tand=0.03, tg=0.035, rough_bottom="1um")
    _same(_static(fs.solve(lossy, tol=None)), _static(plain))


# ------------------------------------------------------------------------ G = w C tand exactly
@pytest.mark.parametrize(
    ("params", "tand"),
    [
        ({"er": 4.0, "tand": 0.02}, 0.02),
        # at its f_ref a Djordjevic-Sarkar material is er (1 - j tand) exactly
        ({"material": "megtron6"}, materials.dielectric("megtron6").medium.tand),
    ],
)
def test_a_homogeneous_stripline_has_g_equal_to_w_c_tand(params, tand):
    # a homogeneous line: G / (w C) = eps'' / eps' = tand (README "Loss and frequency dependence")
    f = 1e9
    section = fs.template("stripline", w=0.2, h1=0.2, h2=0.2, sigma=math.inf, **params)
    r = fs.solve(section, tol=None, freq=[f])
    C, G = r.rlgc.C[0, 0, 0], r.rlgc.G[0, 0, 0]
    assert C == pytest.approx(r.capacitance[0, 0], rel=1e-12)
    assert G == pytest.approx(2 * math.pi * f * C * tand, rel=1e-12)


# ------------------------------------------------------------------------------ bad values
@pytest.mark.parametrize(
    ("template", "extra", "param", "words"),
    [
        ("microstrip", ["tand=-0.01"], "tand", ">= 0"),
        ("microstrip", ["tand=nan"], "tand", "finite"),
        ("microstrip", ["material=unobtainium"], "material", "not a dielectric of the library"),
        ("microstrip", ["material=copper"], "material", "a metal, not a dielectric"),
        ("microstrip", ["metal=fr4"], "metal", "a dielectric, not a metal"),
        ("microstrip", ["metal=kryptonite"], "metal", "not a metal of the library"),
        ("microstrip", ["sigma=-5"], "sigma", "> 0 S/m"),
        ("microstrip", ["sigma=0"], "sigma", "> 0 S/m"),
        ("microstrip", ["dispersion=debye"], "dispersion", "unknown dispersion"),
        ("microstrip", ["f_ref=0"], "f_ref", "> 0 Hz"),
        ("microstrip", ["f_ref=1furlong"], "f_ref", "unknown frequency unit"),
        ("microstrip", ["dispersion=ds", "f_ref=10Hz"], "f_ref", "between its corners"),
        ("microstrip", ["tand=3", "dispersion=ds"], "tand", "eps_inf"),
        ("microstrip", ["c1=0.02", "mask_tand=-1"], "mask_tand", ">= 0"),
        ("microstrip", ["mask_er=0.5"], "mask_er", ">= 1"),
        ("microstrip", ["tg=-0.035"], "tg", ">= 0"),
        ("microstrip", ["rough=-1um"], "rough", ">= 0"),
        ("microstrip", ["rough_top=1parsec"], "rough_top", "unknown length unit"),
        ("microstrip", ["rough_model=wavy"], "rough_model", "unknown roughness model"),
        ("microstrip", ["rough=1um", "rough_model=huray"], "rough_model", "needs rough_ratio"),
        ("microstrip", ["rough_ratio=2"], "rough_ratio", "rough_model=huray"),
        ("microstrip", ["rough=1um", "rough_model=huray", "rough_ratio=-2"], "rough_ratio", "> 0"),
        ("offset_stripline", ["tand2=-1"], "tand2", ">= 0"),
        ("shielded_pair", ["material_fill=gold"], "material_fill", "a metal, not a dielectric"),
        ("coax", ["tg=0.1"], "tg", "unknown parameter"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_parameter(capsys, template, extra, param, words):
    base = {
        "microstrip": ["w=0.3", "h=0.2", "t=0.035", "er=4.3"],
        "offset_stripline": ["w=0.2", "h1=0.2", "h2=0.2", "er1=4.4", "er2=4.2"],
        "shielded_pair": ["d=0.5", "d_ins=0.9", "er=2.1", "D=3"],
        "coax": ["d=1", "D=3", "er=2.1"],
    }[template]
    code = main(["calc", template, *base, *extra])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"fieldsolver: error: calc: {param}: ") and words in err


# -------------------------------------------------------------------- files and the studies
def test_a_template_file_takes_the_numeric_loss_keys(tmp_path):
    f = tmp_path / "lossy.yaml"
    f.write_text(
        "units: mm\ntemplate: microstrip\nparams: {w: 0.3, h: 0.2, t: 0.035, er: 4.3, tand: 0.02, tg: 0.035, sigma: .inf}\n"
    )
    s = load(f)
    assert s.dielectrics[0].tand == 0.02
    assert {c.name: (c.shape.y0, c.sigma) for c in s.conductors} == {
        "gnd": (pytest.approx(-35e-6), math.inf),
        "sig": (pytest.approx(2e-4), math.inf),
    }


def test_the_text_parameters_are_named_for_the_loader():
    assert templates.text_parameters("microstrip") == {
        "material",
        "f_ref",
        "dispersion",
        "metal",
        "rough",
        "rough_top",
        "rough_bottom",
        "rough_sides",
        "rough_model",
    }


def test_a_template_file_takes_the_text_loss_keys(tmp_path):
    f = tmp_path / "lossy.yaml"
    f.write_text("template: microstrip\nparams: {w: 0.3, h: 0.2, t: 0.035, material: fr4, f_ref: 2GHz, rough: 0.5um}\n")
    s = load(f)
    assert s.dielectrics[0].er == materials.dielectric("fr4").medium.er and s.dielectrics[0].f_ref == 2e9


def test_the_studies_default_spreads_do_not_take_the_loss_keys():
    # sensitivity without --spread varies the parameters with a typical tolerance: the same as
    # before the loss keys (tand, sigma, tg, rough ... have none)
    d = Design.of("microstrip", {**MS, "tand": 0.02, "tg": 0.035, "c1": 0.02, "c2": 0.015}, check=False)
    numeric = d.numeric()
    assert {"tand", "tg", "rough", "mask_tand"} <= set(numeric)
    assert {k for k in numeric if typical_spread(k, "mm")} == {"w", "w_top", "h", "t", "er", "c1", "c2", "mask_er"}
