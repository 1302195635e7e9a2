"""fieldsolver board: a KiCad board's stackup and net classes to an impedance table, widths that
meet the targets, the fab's report and KiCad's rules.

The stackup read from each board is checked against the numbers written in the file and against
a hand-typed stackup file of the same board (geometries/boards/*.yaml): the same cross-section,
the same answer to 1e-9."""

import contextlib
import csv
import io
import json
import math
import re
import shutil
from pathlib import Path

import pytest

import fieldsolver as fs
from fieldsolver.cli import main
from fieldsolver.errors import InputError
from fieldsolver.geometry import loader
from fieldsolver.geometry.kicad import Copper, Sheet, layer_stack, read_board, routed_pairs
from fieldsolver.studies.board import Target, design

pytest.importorskip("kiutils")

BOARDS = Path(__file__).parents[1] / "geometries" / "boards"
FOUR = BOARDS / "usb_eth_4layer.kicad_pcb"
SIX = BOARDS / "six_layer_stripline.kicad_pcb"


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_stackup_as_written_in_the_file():
    b = read_board(FOUR)
    assert b.version == 20240108
    assert b.stack == (
        Copper("F.Cu", 0.035, "signal"),
        Sheet("dielectric 1", "prepreg", 0.2, 4.4, 0.02, "FR4"),
        Copper("In1.Cu", 0.035, "power"),
        Sheet("dielectric 2", "core", 0.5325, 4.6, 0.02, "FR4"),  # a core of two sub-layers
        Sheet("dielectric 2 (2)", "core", 0.5325, 4.6, 0.02, "FR4"),
        Copper("In2.Cu", 0.035, "power"),
        Sheet("dielectric 3", "prepreg", 0.2, 4.4, 0.02, "FR4"),
        Copper("B.Cu", 0.035, "signal"),
    )
    assert b.masks["top"].t == 0.01 and b.masks["top"].er == 3.8 and b.masks["bottom"].er == 3.8
    usb = b.netclasses["USB"]
    assert (usb.track_width, usb.diff_pair_width, usb.diff_pair_gap) == (0.27, 0.27, 0.15)
    assert b.netclasses["RF50"].diff_pair_width is None
    assert b.net_class["USB_D+"] == "USB" and b.net_class["ETH_RX-"] == "ETH" and b.net_class["LED"] == "Default"
    assert b.routed_layers("ETH") == ["F.Cu", "B.Cu"] and b.routed_layers("HDMI") == []


def test_sub_layers_are_sheets():
    b = read_board(SIX)
    sheets = [s for s in b.stack if isinstance(s, Sheet)]
    assert [(s.name, s.h, s.er) for s in sheets[2:4]] == [
        ("dielectric 3", 0.255, 4.2),
        ("dielectric 3 (2)", 0.255, 4.0),
    ]
    assert b.version == 20241229 and [c.kind for c in b.copper] == [
        "signal",
        "power",
        "signal",
        "signal",
        "power",
        "signal",
    ]


@pytest.mark.parametrize("version", [6, 7, 9])
def test_each_kicad_version_reads_the_same_board(version):
    ref = read_board(FOUR)
    other = BOARDS / "versions" / f"usb_eth_4layer_v{version}.kicad_pcb"
    project = BOARDS / "versions" / "usb_eth_4layer_v6.kicad_pro" if version == 6 else FOUR.with_suffix(".kicad_pro")
    b = read_board(other, project)
    assert b.stack == ref.stack and b.masks == ref.masks and b.tracks == ref.tracks
    # KiCad 6 lists each class's nets in the project; 8 and 9 match patterns: the same classes
    assert {n: c for n, c in b.net_class.items()} == ref.net_class


def test_pairs_are_measured_as_routed():
    """Widths and centre lines as written in the board file: USB at y = 100.21 and 99.79 (0.27
    wide), Ethernet RX at 120.2 and 119.8 (0.2 wide, then 3 mm at 0.15)."""
    b = read_board(FOUR)
    usb = routed_pairs(b, b.nets_of("USB"), "F.Cu")
    assert list(usb) == [("USB_D+/USB_D-", 0.27, 0.15)] and usb["USB_D+/USB_D-", 0.27, 0.15] == pytest.approx(30)
    eth = routed_pairs(b, b.nets_of("ETH"), "B.Cu")
    assert eth == pytest.approx({("ETH_RX+/ETH_RX-", 0.2, 0.2): 25.0, ("ETH_RX+/ETH_RX-", 0.15, 0.25): 3.0})
    assert routed_pairs(b, b.nets_of("RF50"), "F.Cu") == {}  # no partner


def test_planes_are_the_nearest_marked_planes():
    b = read_board(SIX)
    s = layer_stack(b, "In2.Cu")
    assert s.structure == "offset stripline" and s.references == ("In1.Cu", "In4.Cu")  # past the In3.Cu signal layer
    assert layer_stack(b, "In2.Cu", ("In1.Cu", "In3.Cu")).references == ("In1.Cu", "In3.Cu")
    top = layer_stack(b, "F.Cu")
    assert top.structure == "microstrip" and top.references == ("In1.Cu",) and top.masked
    # the bottom layer is turned over: its plane below it, its mask on top
    assert layer_stack(b, "B.Cu").document["stackup"][0] == {"plane": "In4.Cu", "t": 0.035}
    with pytest.raises(InputError, match="one plane above it and one below"):
        layer_stack(b, "In2.Cu", ("In1.Cu", "F.Cu"))


@pytest.mark.parametrize(
    ("board", "layer", "hand"),
    [(FOUR, "F.Cu", "usb_eth_4layer_usb_pair.yaml"), (SIX, "In2.Cu", "six_layer_stripline_pcie.yaml")],
)
def test_board_stackup_equals_a_hand_typed_stackup(board, layer, hand):
    b = read_board(board)
    cls = b.netclasses["USB" if board == FOUR else "PCIE"]
    d = design(b, layer_stack(b, layer), cls.diff_pair_width, cls.diff_pair_gap)
    from_board = d.section()
    typed = loader.load(BOARDS / hand)
    assert [c.shape for c in from_board.conductors] == [c.shape for c in typed.conductors]
    assert [(x.shape, x.er, x.tand) for x in from_board.dielectrics] == [
        (x.shape, x.er, x.tand) for x in typed.dielectrics
    ]
    r1, r2 = fs.solve(from_board), fs.solve(typed)
    for k in ("z_diff", "z_common"):
        assert r1.values[k] == pytest.approx(r2.values[k], rel=1e-9, abs=0)


README = (Path(__file__).parents[1] / "README.md").read_text()


@pytest.fixture(scope="module")
def four_layer(tmp_path_factory):
    """The README's run (its report and rules written to a temporary folder), with --json."""
    tmp = tmp_path_factory.mktemp("board")
    command = re.search(r"^    fieldsolver (board geometries/boards/\S+ .*)$", README, flags=re.M).group(1).split()
    argv = [str(BOARDS.parents[1] / a) if a.startswith("geometries/") else a for a in command]
    argv = [str(tmp / a) if a.endswith((".csv", ".kicad_dru")) else a for a in argv]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([*argv, "--json"])
    return code, tmp, out.getvalue(), err.getvalue()


def test_table_json_report_and_rules(four_layer):
    code, tmp, out, err = four_layer
    assert code == 0 and err == ""
    d = json.loads(out)
    rows = {(r["netclass"], r["layer"]): r for r in d["rows"]}
    assert list(rows) == [("USB", "F.Cu"), ("ETH", "F.Cu"), ("ETH", "B.Cu"), ("RF50", "F.Cu")]
    for r in rows.values():
        for k in ("netclass", "layer", "structure", "references", "width", "gap", "quantity", "value", "uncertainty",
                  "target", "tolerance", "pass", "synthesized_width", "synthesized_gap", "outside"):  # fmt: skip
            assert k in r
    usb, rf = rows["USB", "F.Cu"], rows["RF50", "F.Cu"]
    assert usb["quantity"] == "z_diff" and usb["references"] == ["In1.Cu"] and usb["synthesized_gap"] == 0.15
    assert rows["ETH", "B.Cu"]["references"] == ["In2.Cu"]
    assert rf["quantity"] == "z0" and [(n["net"], n["width"]) for n in rf["outside"]] == [("RF_OUT", 0.25)]
    # the report: one row per (class, layer), the fab's columns
    table = list(csv.DictReader((tmp / "fab.csv").read_text().splitlines()))
    assert [(r["net class"], r["layer"], r["pass"]) for r in table] == [(c, lay, "PASS") for c, lay in rows]
    assert float(table[3]["impedance (ohm)"]) == pytest.approx(rf["value"], abs=0.005)


def test_rules_parse_with_kiutils(four_layer):
    from kiutils.dru import DesignRules

    tmp = four_layer[1]
    rules = DesignRules.from_file(str(tmp / "board.kicad_dru")).rules
    assert [(r.layer, r.condition) for r in rules] == [
        ("F.Cu", "A.NetClass == 'USB'"),
        ("F.Cu", "A.NetClass == 'ETH'"),
        ("B.Cu", "A.NetClass == 'ETH'"),
        ("F.Cu", "A.NetClass == 'RF50'"),
    ]
    width = {c.type: c for c in rules[0].constraints}
    assert set(width) == {"track_width", "diff_pair_gap"} and width["diff_pair_gap"].opt == "0.1500mm"
    lo, opt, hi = (float(getattr(width["track_width"], k).removesuffix("mm")) for k in ("min", "opt", "max"))
    assert lo < opt < hi


def test_synthesized_width_solved_back_meets_the_target(four_layer):
    """Through the hand-typed stackup file, not the board's own design."""
    rows = {r["netclass"]: r for r in json.loads(four_layer[2])["rows"]}
    usb = rows["USB"]
    hand = BOARDS / "usb_eth_4layer_usb_pair.yaml"
    z = fs.solve(loader.load(hand, {"w": usb["synthesized_width"]}))
    assert abs(z.values["z_diff"] / 90 - 1) <= 5e-3 + z.uncertainty["z_diff"]  # synth's 0.5 %, and the bar
    assert math.isclose(usb["value"], fs.solve(loader.load(hand)).values["z_diff"], rel_tol=1e-9)


def test_target_syntax():
    assert Target.parse("USB=90diff+-10%") == Target("USB", 90.0, "diff", 0.10)
    assert Target.parse("RF=50") == Target("RF", 50.0, "se", 0.10)
    assert Target.parse("RF=50se+-2.5ohm").tolerance == pytest.approx(0.05)
    for bad in ("USB", "USB=abc", "USB=90diff+-", "USB=-5"):
        with pytest.raises(InputError):
            Target.parse(bad)


def _copy(tmp_path: Path, edit) -> Path:
    text = edit(FOUR.read_text())
    path = tmp_path / "board.kicad_pcb"
    path.write_text(text)
    shutil.copy(FOUR.with_suffix(".kicad_pro"), tmp_path / "board.kicad_pro")
    return path


def _no_stackup(text: str) -> str:
    start, end = text.index("\t\t(stackup"), text.index("\t\t(pad_to_mask_clearance")
    return text[:start] + text[end:]


def _no_er(text: str) -> str:
    return text.replace("(epsilon_r 4.6)\n", "", 1)  # the core's


@pytest.mark.parametrize(
    ("edit", "argv", "words", "reported"),
    [
        (_no_stackup, [], "the board has no stackup", None),
        # the core's er is needed only where F.Cu is referred to In2.Cu: B.Cu is still reported
        (
            _no_er,
            ["--no-synth", "--target", "ETH=100diff", "--planes", "F.Cu=In2.Cu"],
            "'dielectric 2': no epsilon_r",
            "B.Cu",
        ),
        # the core's thickness is needed only where B.Cu is referred to In1.Cu: F.Cu is still reported
        (
            lambda t: t.replace("(thickness 0.5325)", "(thickness 0)", 1),
            ["--no-synth", "--target", "ETH=100diff", "--planes", "B.Cu=In1.Cu"],
            "'dielectric 2': no thickness",
            "F.Cu",
        ),
        (
            lambda t: t,
            ["--no-synth", "--target", "RF50=50diff", "--target", "USB=90diff"],
            "RF50 has no diff pair",
            "USB",
        ),
        (lambda t: t, ["--no-synth", "--target", "NOPE=50"], "no such net class", None),
        (
            lambda t: t,
            ["--no-synth", "--target", "HDMI=100diff", "--target", "USB=90diff"],
            "HDMI: never routed",
            "USB",
        ),
        (lambda t: t, ["--target", "USB=ninety"], "expected NETCLASS=VALUE", None),
        (lambda t: t, ["--rules", "x.txt", "--target", "USB=90diff"], "use a .kicad_dru file name", None),
    ],
)
def test_mistakes_are_one_line_exit_2(capsys, tmp_path, edit, argv, words, reported):
    path = _copy(tmp_path, edit)
    code, out, err = run(capsys, "board", path, *argv)
    assert code == 2 and words in err and err.count("\n") == 1 and "Traceback" not in err
    # a class's or layer's mistake leaves the rest of the board reported
    assert (reported in out) if reported else "PASS" not in out


def test_missing_board_is_one_line(capsys, tmp_path):
    code, _, err = run(capsys, "board", tmp_path / "none.kicad_pcb")
    assert code == 2 and "no such file" in err and err.count("\n") == 1


ROW = re.compile(
    r"^  (\S+)\s+(\S+)\s+(microstrip|stripline|offset stripline)\s+(\S+)\s+([\d.]+)\s+([\d.]+|-)\s+"
    r"(Zdiff|Z0) ([\d.]+) \+- ([\d.]+)\s+([\d.]+) ps/in\s+(.+?)\s+(PASS|FAIL)\s+w ([\d.]+)(?: s ([\d.]+))? \(([\d.]+) ohm\)$"
)
OUTSIDE = re.compile(
    r"^  (\S+) on (\S+): ([\d.]+) mm at width ([\d.]+) mm(?:, gap ([\d.]+) mm)?: (Zdiff|Z0) ([\d.]+) ohm"
)


def test_readme_board_example(four_layer):
    """The README's run, again: each impedance within the solver's tolerance, each synthesized
    width within 1 % and its impedance within synthesis's 0.5 % of the target."""
    block = re.search(r"<!-- board-example -->\n```\n(.*?)```", README, flags=re.S).group(1)
    out = four_layer[2]
    rows = {(r["netclass"], r["layer"]): r for r in json.loads(out)["rows"]}
    shown = [ROW.match(line) for line in block.splitlines() if ROW.match(line)]
    assert len(shown) == len(rows) == 4
    for m in shown:
        cls, layer, structure, refs, w, s, _, z, bar, delay, _, ok, sw, _, sz = m.groups()
        r = rows[cls, layer]
        assert (r["structure"], "/".join(r["references"]), float(w)) == (structure, refs, r["width"])
        assert (None if s == "-" else float(s)) == r["gap"]
        assert abs(float(z) - r["value"]) <= 1e-3 * r["value"] + 0.005
        assert 1 / 1.5 <= float(bar) / (r["uncertainty"] * r["value"]) <= 1.5
        assert abs(float(delay) - r["delay_per_inch"] * 1e12) <= 1e-3 * float(delay) + 0.05
        assert (ok == "PASS") == r["pass"]
        assert abs(float(sw) / r["synthesized_width"] - 1) <= 0.01
        for v in (float(sz), r["synthesized_value"]):
            assert abs(v / r["target"] - 1) <= 5e-3 + r["uncertainty"]
    outside = [OUTSIDE.match(line) for line in block.splitlines() if OUTSIDE.match(line)]
    listed = [(n["net"], r["layer"], n["width"], n["gap"], n["value"]) for r in rows.values() for n in r["outside"]]
    assert len(outside) == len(listed) == 2
    for m in outside:
        net, layer, _, width, gap, _, z = m.groups()
        key = (net, layer, float(width), None if gap is None else float(gap))
        (value,) = [v for n, lay, wd, g, v in listed if (n, lay, wd, g) == key]
        assert abs(float(z) - value) <= 1e-3 * value + 0.005


def test_readme_report_excerpt(four_layer):
    """The README's rows of fab.csv are the rows written now: text the same, numbers within 1 %
    (the synthesized width moves with the search's last step), the error bar within 1.5x."""
    block = re.search(r"<!-- board-report -->\n```\n(.*?)```", README, flags=re.S).group(1)
    shown = list(csv.reader(block.strip().splitlines()))
    written = {(r[0], r[1]): r for r in csv.reader((four_layer[1] / "fab.csv").read_text().splitlines())}
    assert shown[0] == written["net class", "layer"]
    bar = shown[0].index("error bar (ohm)")
    for row in shown[1:]:
        now = written[row[0], row[1]]
        for i, (a, b) in enumerate(zip(row, now, strict=True)):
            try:
                x, y = float(a), float(b)
            except ValueError:
                assert re.sub(r"[\d.]+", "#", a) == re.sub(r"[\d.]+", "#", b)
                continue
            assert (1 / 1.5 <= x / y <= 1.5) if i == bar else abs(x - y) <= 0.01 * abs(y), (shown[0][i], a, b)


def test_without_targets_every_routed_class_is_listed(capsys):
    code, out, err = run(capsys, "board", SIX, "--json")
    assert code == 0 and err == ""
    rows = [
        (r["netclass"], r["layer"], r["quantity"], r["pass"], r["synthesized_width"]) for r in json.loads(out)["rows"]
    ]
    assert rows == [
        ("Default", "F.Cu", "z0", None, None),
        ("Default", "F.Cu", "z_diff", None, None),
        ("SE50", "In2.Cu", "z0", None, None),
        ("PCIE", "In2.Cu", "z0", None, None),
        ("PCIE", "In2.Cu", "z_diff", None, None),
        ("DDR", "In3.Cu", "z0", None, None),
    ]


def test_etch_factor_makes_trapezoids(capsys, tmp_path):
    """--etch 2 on 35 um copper: w_top = w - 0.035; the same as the hand-typed file with etch: 2."""
    code, out, _ = run(capsys, "board", FOUR, "--target", "USB=90diff", "--no-synth", "--etch", "2", "--json")
    (row,) = json.loads(out)["rows"]
    assert code == 0 and row["w_top"] == pytest.approx(0.27 - 0.035, abs=1e-12)
    hand = (BOARDS / "usb_eth_4layer_usb_pair.yaml").read_text().replace("w: w}", "w: w, etch: 2}")
    (tmp_path / "hand.yaml").write_text(hand)
    typed = fs.solve(loader.load(tmp_path / "hand.yaml")).values["z_diff"]
    assert row["value"] == pytest.approx(typed, rel=1e-9, abs=0)
    rect = fs.solve(loader.load(BOARDS / "usb_eth_4layer_usb_pair.yaml")).values["z_diff"]
    assert row["value"] > rect  # narrower tops: less capacitance, higher impedance


@pytest.mark.parametrize("suffix", [".md", ".html"])
def test_report_formats(capsys, tmp_path, suffix):
    path = tmp_path / f"fab{suffix}"
    code, out, _ = run(capsys, "board", FOUR, "--target", "USB=90diff", "--no-synth", "--report", path, "--json")
    (row,) = json.loads(out)["rows"]
    text = path.read_text()
    assert code == 0 and f"{row['value']:.2f}" in text and "dielectric 1 0.2, 4.4" in text
    if suffix == ".md":
        assert text.count("\n| USB | F.Cu | microstrip | In1.Cu |") == 1
    else:
        assert text.startswith("<!DOCTYPE html>") and text.count("<tr>") == 2 and "<td>USB</td>" in text
