"""fieldsolver check: a calculator's claim beside the field solution and the closed forms.

The claims here are the closed forms' own values (physics.formulas), so which formula a check
names, and how far the exact ones sit from the field solution, have independent answers."""

import csv
import json
import math
import re
from pathlib import Path

import pytest

from fieldsolver.cli import main
from fieldsolver.physics import formulas as F
from fieldsolver.studies.check import Claim, check
from fieldsolver.studies.closed_forms import closed_forms

ROOT = Path(__file__).parents[1]

# a 1.6 mil-ish 50 ohm microstrip on FR-4 where IPC-2141 is about 4 % low and the others are
# within 0.1 % of the field solution (HJ with t, Wheeler)
MS = {"w": 0.35, "h": 0.2, "t": 0.035, "er": 4.3}
# zero-thickness centred stripline and pair: Cohn's exact solutions apply
SL = {"w": 0.2, "h1": 0.2, "h2": 0.2, "t": 0.0, "er": 4.0}
PAIR = {"w": 0.2, "s": 0.2, "h1": 0.2, "h2": 0.2, "t": 0.0, "er": 4.0}


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def ipc_claim():
    claim = f"{F.microstrip_ipc2141(**MS):.2f}"
    return claim, check("microstrip", MS, [f"z0={claim}"])


def test_an_ipc2141_claim_names_ipc2141(ipc_claim):
    _, r = ipc_claim
    (c,) = r.claims
    assert c.matches == ("IPC-2141",)
    assert not c.agrees and c.deviation < -0.02  # IPC-2141 reads low here
    ipc = next(f for f in r.formulas if f.form.name == "IPC-2141")
    assert ipc.matches_claim and ipc.form.in_range and ipc.form.stated_accuracy is None
    assert "matches IPC-2141" in c.message and f"{abs(100 * ipc.deviation):.1f} % low" in c.message
    # Hammerstad-Jensen and Wheeler do not reproduce it, and they are right here (within 0.3 %)
    for f in r.formulas:
        if f.form.quantity == "z0" and f.form.name != "IPC-2141":
            assert f.matches_claim is False and abs(f.deviation) < 3e-3, f.form.name
    assert ipc.deviation == pytest.approx(F.microstrip_ipc2141(**MS) / r.values["z0"] - 1, rel=1e-12)


def test_cohn_exact_stripline_is_zero_percent_to_the_error_bar(capsys):
    exact = F.stripline_z0(SL["w"], SL["h1"] + SL["h2"], SL["er"])
    r = check("stripline", SL, {"z0": exact})
    cohn = next(f for f in r.formulas if f.form.exact)
    assert cohn.form.name.startswith("Cohn") and cohn.form.in_range and cohn.form.stated_accuracy == 0.0
    u = r.uncertainty["z0"]
    assert 0 < u <= 1e-3 and abs(cohn.deviation) <= u  # 0 % to the solver's error bar
    (c,) = r.claims
    assert c.agrees and "Cohn 1954 (exact)" in c.matches and cohn.within_accuracy
    # the thick-strip and IPC forms are no exact solutions: marked so
    assert all(not f.form.exact for f in r.formulas if f is not cohn)


def test_mixed_definitions_are_named():
    """A Zdiff that is 2 Z0 of one trace alone, and a Zcommon that is Zeven (Cohn's exact values)."""
    z0_alone = F.stripline_z0(PAIR["w"], 0.4, PAIR["er"])
    z_odd, z_even = F.coupled_stripline_z(PAIR["w"], PAIR["s"], 0.4, PAIR["er"])
    r = check("coupled_stripline", PAIR, {"z_diff": round(2 * z0_alone, 2), "z_common": round(z_even, 2)})
    diff, common = r.claims
    assert r.single_line_z0 == pytest.approx(z0_alone, rel=1e-3)
    assert not diff.agrees and any("2 x Z0 of one trace alone" in t for t in diff.traps)
    assert not common.agrees and any("It is Zeven" in t for t in common.traps)
    assert r.values["z_diff"] == pytest.approx(2 * z_odd, rel=1e-3)
    # a claim that is right has no trap
    ok = check("coupled_stripline", PAIR, {"z_odd": round(z_odd, 2)})
    assert ok.claims[0].agrees and ok.claims[0].traps == ()


def test_claim_resolution_follows_the_digits():
    assert Claim.parse("z0=50").resolution == 0.5
    assert Claim.parse("Zdiff=90.25").resolution == pytest.approx(0.005)
    assert Claim.parse("zdiff=90").quantity == "z_diff"
    assert Claim.of("z0", 50.0).resolution == 0.0


def test_closed_forms_mark_their_range():
    # IPC-2141's microstrip form past w/h = 2, and a mask no formula models
    wide = {f.name: f for f in closed_forms("microstrip", {**MS, "w": 0.6, "w_top": 0.6, "c1": 0, "c2": 0})}
    assert not wide["IPC-2141"].in_range and "w/h < 2" in wide["IPC-2141"].range_note
    masked = closed_forms("microstrip", {**MS, "w_top": 0.35, "c1": 0.02, "c2": 0.02})
    assert all(not f.in_range and "solder mask" in f.range_note for f in masked)
    assert closed_forms(None, {}) == []


def test_json_keys(capsys, ipc_claim):
    claim, _ = ipc_claim
    code, out, _ = run(
        capsys, "check", "microstrip", *(f"{k}={v}" for k, v in MS.items()), "--claim", f"z0={claim}", "--json"
    )
    assert code == 0
    d = json.loads(out)
    (c,) = d["claims"]
    for k in ("quantity", "claimed", "value", "uncertainty", "deviation", "deviation_bars", "verdict", "matches"):
        assert k in c
    assert c["quantity"] == "z0" and c["claimed"] == float(claim) and c["matches"] == ["IPC-2141"]
    for f in d["formulas"]:
        for k in ("name", "quantity", "value", "deviation", "stated_accuracy", "in_range", "matches_claim"):
            assert k in f
    assert math.isclose(c["deviation"], float(claim) / c["value"] - 1, rel_tol=1e-12)


def test_text_output_names_the_formula(capsys, ipc_claim):
    claim, _ = ipc_claim
    code, out, _ = run(capsys, "check", "microstrip", *(f"{k}={v}" for k, v in MS.items()), "--claim", f"z0={claim}")
    assert code == 0
    assert "DISAGREES" in out and "MATCHES" in out and "verdict: Z0" in out and "matches IPC-2141" in out


def test_table_round_trip(capsys, tmp_path):
    table = tmp_path / "calc.csv"
    ipc = f"{F.microstrip_ipc2141(**MS):.2f}"
    cohn = f"{F.stripline_z0(0.2, 0.4, 4.0):.3f}"
    rows = [
        {
            "template": "microstrip",
            "w": "0.35",
            "h": "0.2",
            "t": "0.035",
            "er": "4.3",
            "h1": "",
            "h2": "",
            "quantity": "z0",
            "claimed": ipc,
        },
        {
            "template": "stripline",
            "w": "0.2",
            "h": "",
            "t": "0",
            "er": "4",
            "h1": "0.2",
            "h2": "0.2",
            "quantity": "Z0",
            "claimed": cohn,
        },
    ]
    with table.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    out1 = tmp_path / "checked.csv"
    code, out, _ = run(capsys, "check", "--table", str(table), "-o", str(out1))
    assert code == 0 and "2 claims checked: 1 agree, 1 disagree" in out
    got = list(csv.DictReader(out1.read_text().splitlines()))
    for row, given in zip(got, rows, strict=True):
        assert {k: row[k] for k in given} == given  # the input columns come back as they were
    assert got[0]["verdict"] == "disagrees" and got[0]["matches"] == "IPC-2141"
    assert got[1]["verdict"] == "agrees" and "Cohn 1954 (exact)" in got[1]["matches"]
    # a checked table checks again to the same verdicts
    out2 = tmp_path / "again.csv"
    assert run(capsys, "check", "--table", str(out1), "-o", str(out2))[0] == 0
    assert out2.read_text() == out1.read_text()


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["check", "microstrip", "w=0.3", "h=0.2", "er=4", "--claim", "zzz=5"], "unknown quantity 'zzz'"),
        (["check", "microstrip", "w=0.3", "h=0.2", "er=4", "--claim", "z_diff=90"], "not a value of this structure"),
        (["check", "microstrip", "w=0.3", "h=0.2", "er=4"], "give at least one --claim"),
        (["check", "microstrip", "w=0.3", "h=0.2", "er=4", "--claim", "z0=fifty"], "is not a number"),
        (["check", "microstrip", "w=0.3", "h=0.2", "er=4", "--claim", "z0=-5"], "positive number"),
        (["check", "microstrip", "w=-0.3", "h=0.2", "er=4", "--claim", "z0=50"], "w"),
        (["check", "--table", "no_such.csv"], "cannot read"),
    ],
)
def test_mistakes_are_one_line_exit_2(capsys, argv, words):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and words in err and "Traceback" not in err


def test_table_mistake_names_the_row(capsys, tmp_path):
    table = tmp_path / "calc.csv"
    table.write_text("template,w,h,er,quantity,claimed\nmicrostrip,0.3,0.2,4,z0,50\nmicrostrip,0.3,,4,z0,50\n")
    code, _, err = run(capsys, "check", "--table", str(table))
    assert code == 2 and f"{table}:3:" in err and err.count("\n") == 1


def _numbers_agree(readme: str, fresh: str) -> None:
    """The README's text with its numbers, against a fresh run: the words the same, each value
    within the solver's tolerance (0.1 %), each percentage within 0.15 points, each error bar
    (after +-, and the claims' error-bar column) within a factor of 1.5."""
    num = re.compile(r"[+-]?\d+\.?\d*(?:e[+-]?\d+)?")
    assert num.sub("#", readme).split() == num.sub("#", fresh).split()
    for a, b in zip(readme.splitlines(), fresh.splitlines(), strict=True):
        ms, fs_ = list(num.finditer(a)), list(num.finditer(b))
        claim_row = a.split()[-1:] in (["agrees"], ["DISAGREES"])
        for i, (x, y) in enumerate(zip(ms, fs_, strict=True)):
            u, v = float(x.group()), float(y.group())
            bar = a[: x.start()].rstrip().endswith("+-") or (claim_row and i == len(ms) - 1)
            if bar:
                assert v / 1.5 <= u <= v * 1.5, (a, b)
            elif a[x.end() : x.end() + 1] == "%" or a[x.end() : x.end() + 2] == " %":
                assert abs(u - v) <= 0.15, (a, b)
            else:
                assert abs(u - v) <= 1e-3 * abs(v) + 10 ** -_decimals(x.group()), (a, b)


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text and "e" not in text else 0


def test_readme_check_example(capsys):
    readme = (ROOT / "README.md").read_text()
    command = re.search(r"^    fieldsolver (check coupled_microstrip .*)$", readme, flags=re.M).group(1)
    block = re.search(r"<!-- check-example -->\n```\n(.*?)```", readme, flags=re.S).group(1)
    code, out, _ = run(capsys, *command.split())
    assert code == 0
    _numbers_agree(block.strip(), out.strip())


def test_table_file_beside_the_table(capsys, tmp_path):
    """A row's relative file is found beside the table; the exact stripline's Cohn value agrees."""
    (tmp_path / "sl.yaml").write_text("units: mm\ntemplate: stripline\nparams: {w: 0.2, h1: 0.2, h2: 0.2, er: 4}\n")
    table = tmp_path / "calc.csv"
    table.write_text(f"file,quantity,claimed\nsl.yaml,z0,{F.stripline_z0(0.2, 0.4, 4.0):.3f}\n")
    code, out, _ = run(capsys, "check", "--table", str(table))
    (row,) = list(csv.DictReader(out.splitlines()))
    assert code == 0 and row["verdict"] == "agrees" and "Cohn 1954 (exact)" in row["matches"]


def test_coplanar_strips_in_air_are_exact():
    r = check("cps", {"w": 0.3, "s": 0.2, "h": 0.5, "er": 1.0}, {"z_diff": round(F.cps_z(0.3, 0.2), 2)})
    (cps,) = [f for f in r.formulas if f.form.source == "cps_z"]
    assert cps.form.in_range and abs(cps.deviation) <= r.uncertainty["z_diff"] and r.claims[0].agrees
    on_fr4 = closed_forms("cps", {"w": 0.3, "w_top": 0.3, "s": 0.2, "h": 0.5, "t": 0.0, "er": 4.4})
    assert not on_fr4[0].in_range and "uniform medium" in on_fr4[0].range_note
