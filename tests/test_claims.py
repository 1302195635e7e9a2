"""Sentences that state an accuracy or a speed are computed from the data they describe: the
README's summary of the validation and the report's notes on closed forms (validation/claims.py,
from validation/results.json), and the README's speed figures (bench/summary.py, from
bench/figures.json). The report itself is checked in tests/test_validation.py."""

import json
from pathlib import Path

import pytest

from validation import claims
from validation.report import comparisons, judged

ROOT = Path(__file__).parents[1]
DATA = json.loads((ROOT / "validation" / "results.json").read_text())
ROWS = comparisons(DATA)


def test_readme_summary_is_the_committed_data():
    readme = (ROOT / "README.md").read_text()
    assert claims.readme_summary(ROWS, DATA["points"]) in readme


def test_readme_summary_counts_every_checked_impedance():
    block = claims.readme_summary(ROWS, DATA["points"])
    checked = judged(ROWS)
    assert f"Over the {len(checked)} impedances" in block
    # the sentence follows the data: every point covered, or none
    for covered in (True, False):
        changed = [dict(r, covered=covered) if r in checked else r for r in ROWS]
        text = claims.readme_summary(changed, DATA["points"])
        assert ("every time" in text) == covered
        assert covered or "in 0 (0.0 %)" in text


def _rows(devs):
    return [
        {"family": "f", "reference": "r", "quantity": "z0", "applies": True, "params": {"h": h}, "dev": d}
        for h, d in devs
    ]


def test_threshold_is_where_every_larger_point_is_within_the_bound():
    rows = _rows([(0.2, 0.03), (0.5, 0.001), (1.0, 0.004), (2.0, 0.0015), (4.0, 0.0002)])
    assert claims.threshold(rows, "h", 0.002) == 2.0  # h = 0.5 is within, but h = 1 is not
    assert claims.threshold(rows, "h", 0.05) == 0.2
    assert claims.threshold(rows, "h", 1e-4) is None


def test_within_rounds_up_and_span_keeps_signs():
    rows = _rows([(1.0, -0.00271), (2.0, 0.0011)])
    assert claims.within(rows) == "within 0.28 %"
    assert claims.span(rows) == "-0.3 to +0.1 %"
    assert claims.verdict(0.0022, 0.002) == "just outside its stated 0.2 %"
    assert claims.verdict(0.0019, 0.002) == "within its stated 0.2 %"


def test_a_missing_family_is_an_error_not_an_empty_claim():
    with pytest.raises(ValueError, match="no rows"):
        claims.select(ROWS, "no_such_family", "x", "z0")


def test_readme_speed_figures_are_the_committed_bench_run():
    from bench import summary

    figures = json.loads((ROOT / "bench" / "figures.json").read_text())
    readme = (ROOT / "README.md").read_text()
    assert summary.readme_block(figures) in readme
    # and the block says what the figures say
    block = summary.readme_block(figures)
    assert f"{figures['scaling']['exponent']:.2f}" in block
    assert f"{figures['answer']['pair'][1]:.2f} s for a pair" in block


def test_a_block_is_replaced_between_its_markers_or_nothing_is_written(tmp_path):
    from fieldsolver.post.output import write_between

    f = tmp_path / "r.md"
    f.write_text("a\n<!-- b -->\nold\n<!-- e -->\nz\n")
    write_between(f, "<!-- b -->", "<!-- e -->", "<!-- b -->\nnew\n<!-- e -->")
    assert f.read_text() == "a\n<!-- b -->\nnew\n<!-- e -->\nz\n"
    with pytest.raises(ValueError, match="no block"):
        write_between(f, "<!-- x -->", "<!-- e -->", "")
    assert f.read_text() == "a\n<!-- b -->\nnew\n<!-- e -->\nz\n"
