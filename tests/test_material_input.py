"""Materials in cross-section files: every key parses into the model, library entries fill in what
is not given, the defaults leave the statics as they were, and each mistake is one line naming
file, line and key (exit code 2 from the command line)."""

import math
import re
from pathlib import Path

import pytest
import yaml

import fieldsolver as fs
from fieldsolver.cli import main
from fieldsolver.geometry import materials as M
from fieldsolver.geometry.loader import parse
from fieldsolver.geometry.materials import FaceRoughness, Groisse, HammerstadJensen, Huray, Medium

GEOMETRIES = Path(__file__).parents[1] / "geometries"

PAIR = """\
units: mm
conductors:
  - {name: sig, role: signal, rect: {x: [-0.15, 0.15], y: [0.2, 0.235]}%s}
  - {name: gnd, rect: {x: [-.inf, .inf], y: [-0.035, 0]}}
dielectrics:
  - {name: core, layer: {y: [0, 0.2]}%s}
"""


def section(conductor: str = "", dielectric: str = ", er: 4.3", extra: str = ""):
    return parse(yaml.safe_load(PAIR % (conductor, dielectric) + extra)).validate()


def test_defaults_are_smooth_copper_and_constant_dielectrics():
    s = section()
    sig = s.conductors[0]
    assert sig.sigma == M.COPPER_SIGMA == 5.8e7 and sig.roughness == FaceRoughness() and sig.roughness.smooth
    core = s.dielectrics[0]
    assert core.medium == Medium(4.3, 0.0, 1e9, "constant", 0.0)
    assert s.background == Medium(1.0)


def test_conductor_material_sigma_and_one_roughness_for_every_face():
    s = section(", material: gold, roughness: {model: Hammerstad, rms: 0.001}")  # mm: 1 um
    sig = s.conductors[0]
    assert sig.sigma == M.METALS["gold"].sigma
    assert sig.roughness == FaceRoughness.uniform(HammerstadJensen(1e-6))
    assert section(", sigma: .inf").conductors[0].sigma == math.inf
    assert section(", material: copper, sigma: 4.0e7").conductors[0].sigma == 4.0e7  # sigma overrides


def test_roughness_per_face_with_units_in_the_text():
    rough = (
        "{top: {model: groisse, rms: 0.4um}, bottom: {model: huray, radius: '0.5 um', surface_ratio: 2.9}, sides: none}"
    )
    sig = section(f", roughness: {rough}").conductors[0]
    assert sig.roughness == FaceRoughness(Groisse(0.4e-6), Huray(0.5e-6, 2.9, 1.0), None)
    partial = section(", roughness: {bottom: {model: hj, rms: 2.0 um}}").conductors[0].roughness
    assert partial == FaceRoughness(bottom=HammerstadJensen(2e-6))
    in_mils = parse(
        yaml.safe_load((PAIR % (", roughness: {model: groisse, rms: 0.04}", ", er: 4")).replace("mm", "mil"))
    )
    assert in_mils.conductors[0].roughness.top == Groisse(0.04 * 25.4e-6)  # a bare number is in the file's units


def test_dielectric_material_fills_in_and_fields_override():
    core = section(dielectric=", material: megtron6").dielectrics[0]
    assert core.medium == M.DIELECTRICS["megtron6"].medium == Medium(3.71, 0.002, 1e9, "djordjevic-sarkar")
    core = section(dielectric=", material: Megtron-6, tand: 0.003, f_ref: 10 GHz").dielectrics[0]
    assert (core.er, core.tand, core.f_ref, core.dispersion) == (3.71, 0.003, 1e10, "djordjevic-sarkar")
    core = section(dielectric=", material: ro4350b, dispersion: constant").dielectrics[0]
    assert core.permittivity(1e6) == pytest.approx(3.66 * (1 - 0.0037j))


def test_dielectric_frequency_dispersion_and_conductivity():
    core = section(dielectric=", er: 4.2, tand: 0.015, f_ref: '2.5e9', dispersion: Djordjevic-Sarkar, sigma: 1e-6")
    d = core.dielectrics[0]
    assert (d.f_ref, d.dispersion, d.sigma) == (2.5e9, "djordjevic-sarkar", 1e-6)
    assert d.permittivity(2.5e9) == pytest.approx(4.2 * (1 - 0.015j) - 1e-6j / (2 * math.pi * 2.5e9 * 8.8541878188e-12))
    assert section(dielectric=", er: 4, f_ref: 1000000").dielectrics[0].f_ref == 1e6


def test_background_takes_a_material_or_loss():
    s = section(extra="background: {material: ptfe}\n")
    assert s.background_er == 2.1 and s.background == M.DIELECTRICS["ptfe"].medium
    s = section(extra="background: {er: 2.2, tand: 0.001, f_ref: 1GHz, dispersion: ds}\n")
    assert s.background_permittivity(1e9) == pytest.approx(2.2 * (1 - 0.001j), rel=1e-13)
    assert s.background_permittivity([1e8, 1e10]).real[0] > 2.2 > s.background_permittivity(1e10).real


STACKUP = """\
units: mm
stackup:
  - {plane: L2, t: 0.035, material: copper, roughness: {top: {model: huray, radius: 0.5um, surface_ratio: 2.1}}}
  - {dielectric: core, h: 0.2, material: fr408}
  - {signal: L1, t: 0.035, sigma: 5.0e7, roughness: {bottom: {model: huray, radius: 0.5um, surface_ratio: 2.9}, top: {model: huray, radius: 0.3um, surface_ratio: 1.2}}}
  - {dielectric: prepreg, h: 0.1, er: 3.6, tand: 0.008, f_ref: 1 GHz, dispersion: djordjevic-sarkar}
  - {plane: L3, t: 0.035, sigma: .inf}
traces:
  - {name: s, layer: L1, x: 0, w: 0.12}
background: {er: 1.0}
"""


def test_stackup_copper_layers_give_their_metal_to_every_conductor_they_make():
    s = parse(yaml.safe_load(STACKUP)).validate()
    by = {c.name: c for c in s.conductors}
    assert by["L2"].roughness == FaceRoughness(top=Huray(0.5e-6, 2.1)) and by["L2"].sigma == 5.8e7
    # the trace sits on the core: its rough (treated) face is the bottom one, bonded to the core
    assert by["s"].sigma == 5.0e7
    assert by["s"].roughness == FaceRoughness(Huray(0.3e-6, 1.2), Huray(0.5e-6, 2.9), None)
    assert by["L3"].sigma == math.inf
    media = {d.name: d.medium for d in s.dielectrics}
    assert media["core"] == M.DIELECTRICS["fr408"].medium
    # the prepreg, and the same prepreg flowed around the L1 traces
    assert [d.medium for d in s.dielectrics if d.name == "prepreg"] == [
        Medium(3.6, 0.008, 1e9, "djordjevic-sarkar")
    ] * 2


def test_the_shipped_examples_are_smooth_copper_and_constant_dielectrics():
    # the static results of every example are held by tests/test_json_contract.py; here the
    # model they load into: nothing new unless a file asks for it
    for path in sorted(GEOMETRIES.glob("*.yaml")):
        s = fs.load(path)
        assert all(c.sigma == 5.8e7 and c.roughness.smooth for c in s.conductors), path.name
        assert all(d.dispersion == "constant" and d.f_ref == 1e9 and d.sigma == 0 for d in s.dielectrics), path.name


def test_materials_leave_the_static_solve_as_it_was():
    # the statics see er only (the value at f_ref): rough, lossy metal and a wideband dielectric of
    # the same er give the very same capacitance on the same grid
    plain = fs.solve(section(dielectric=", er: 3.71"), tol=None)
    lossy = section(", material: gold, roughness: {model: groisse, rms: 1um}", ", material: megtron6")
    assert fs.solve(lossy, tol=None).capacitance.tolist() == plain.capacitance.tolist()


# ------------------------------------------------------------------------------- one-line errors
BAD = {
    # case: (conductor keys, dielectric keys, what the message must say)
    "negative_sigma": (", sigma: -5.8e7", ", er: 4", "conductors[0].sigma: must be > 0 S/m"),
    "zero_sigma": (", sigma: 0", ", er: 4", "must be > 0 S/m (or .inf for a perfect conductor)"),
    "nan_sigma": (", sigma: .nan", ", er: 4", "conductors[0].sigma: expected a finite number"),
    "negative_tand": ("", ", er: 4, tand: -0.01", "dielectrics[0]: tand must be >= 0"),
    "unknown_material": (
        "",
        ", material: fr5",
        "material: 'fr5' is not a dielectric of the library; dielectrics: fr4,",
    ),
    "unknown_metal": (", material: unobtainium", ", er: 4", "metals: copper, aluminium, gold, silver"),
    "metal_as_dielectric": ("", ", material: copper", "'copper' is a metal, not a dielectric"),
    "roughness_missing_parameters": (
        ", roughness: {model: huray, radius: 0.5um}",
        ", er: 4",
        "roughness: huray roughness needs radius, surface_ratio; missing surface_ratio",
    ),
    "roughness_unknown_model": (
        ", roughness: {model: gradient, rms: 1um}",
        ", er: 4",
        "roughness.model: unknown roughness model 'gradient'; choose from hammerstad, huray, groisse",
    ),
    "roughness_without_model": (", roughness: {rms: 1um}", ", er: 4", "missing key 'model'"),
    "roughness_unknown_parameter": (
        ", roughness: {model: groisse, rms: 1um, radius: 2um}",
        ", er: 4",
        "radius: unknown key",
    ),
    "roughness_negative": (
        ", roughness: {model: hammerstad, rms: -1um}",
        ", er: 4",
        "hammerstad rms must be a finite length > 0",
    ),
    "roughness_bad_unit": (
        ", roughness: {model: hammerstad, rms: 1 furlong}",
        ", er: 4",
        "unknown length unit 'furlong'",
    ),
    "roughness_unknown_face": (", roughness: {top: none, left: none}", ", er: 4", "roughness.left: unknown key"),
    "f_ref_zero": ("", ", er: 4, f_ref: 0 Hz", "f_ref: a frequency must be finite and > 0 Hz"),
    "f_ref_nonsense": ("", ", er: 4, f_ref: 1 GHzz", "f_ref: '1 GHzz': unknown frequency unit"),
    "unknown_dispersion": ("", ", er: 4, dispersion: lorentz", "dispersion: unknown dispersion 'lorentz'"),
    "too_lossy_for_ds": ("", ", er: 1.1, tand: 0.5, dispersion: ds", "eps_inf"),
    "no_er": ("", ", tand: 0.01", "missing key 'er' (or a material: fr4,"),
}


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("case", sorted(BAD))
def test_material_mistakes_are_one_line_with_file_line_and_key(case, capsys, tmp_path):
    conductor, dielectric, what = BAD[case]
    f = tmp_path / "bad.yaml"
    f.write_text(PAIR % (conductor, dielectric))
    code, out, err = run(capsys, "solve", str(f))
    line = 3 if conductor else 6
    assert code == 2 and out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"fieldsolver: error: {f}:{line}: ")
    assert what in err, err


@pytest.mark.parametrize(
    ("entry", "line", "what"),
    [
        ("  - {plane: L3, t: 0.035, sigma: -1}\n", 7, "stackup[4].sigma: must be > 0 S/m"),
        ("  - {plane: L3, t: 0.035, roughness: {model: huray}}\n", 7, "needs radius, surface_ratio"),
        ("  - {plane: L3, t: 0.035, material: ptfe}\n", 7, "'ptfe' is a dielectric, not a metal"),
    ],
)
def test_stackup_material_mistakes_name_the_entry(entry, line, what, capsys, tmp_path):
    text = STACKUP.replace("  - {plane: L3, t: 0.035, sigma: .inf}\n", entry)
    f = tmp_path / "bad.yaml"
    f.write_text(text)
    code, _, err = run(capsys, "solve", str(f))
    assert code == 2 and err.count("\n") == 1 and f"{f}:{line}: " in err and what in err, err


def test_background_mistakes_name_the_background(capsys, tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text(PAIR % ("", ", er: 4") + "background: {er: 2, tand: -1}\n")
    code, _, err = run(capsys, "solve", str(f))
    assert code == 2 and f"{f}:7: background: tand must be >= 0" in err, err


def test_the_readme_material_examples_load():
    # the two YAML blocks of README "Materials and loss inputs", as a user would copy them
    text = (Path(__file__).parents[1] / "README.md").read_text()
    part = text[text.index("## Materials and loss inputs") : text.index("## Templates")]
    drawn, board = re.findall(r"```yaml\n(.*?)```", part, flags=re.S)
    s = parse(yaml.safe_load(drawn)).validate()
    assert s.conductors[0].roughness.bottom == Huray(0.5e-6, 2.9) and s.conductors[1].sigma == math.inf
    assert s.dielectrics[0].medium == Medium(3.71, 0.003, 1e9, "djordjevic-sarkar")
    board += "traces:\n  - {name: s, layer: L1, x: 0, w: 0.1}\n"
    s = parse(yaml.safe_load("units: mm\n" + board)).validate()
    trace = next(c for c in s.conductors if c.name == "s")
    assert trace.roughness.bottom == Huray(0.5e-6, 2.9) and trace.roughness.top == Huray(0.5e-6, 1.2)
