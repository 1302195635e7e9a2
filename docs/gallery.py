"""Draw every template's cross-section with typical parameters: docs/templates.png.

Run by ``make docs`` (which also renders the README's field map).
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from fieldsolver.geometry.templates import TEMPLATES, build
from fieldsolver.post import plot

ETCHED = {"t": 0.035, "er": 4.3}
MASK = {"c1": 0.02, "c2": 0.015}
# typical values (mm); every template in TEMPLATES must appear here
EXAMPLES: dict[str, dict[str, float | bool]] = {
    "microstrip": {"w": 0.3, "w_top": 0.26, "h": 0.17, **ETCHED, **MASK},
    "coupled_microstrip": {"w": 0.2, "w_top": 0.17, "s": 0.2, "h": 0.17, **ETCHED, **MASK, "c3": 0.025},
    "embedded_microstrip": {"w": 0.2, "h": 0.15, "h2": 0.1, **ETCHED, "er2": 3.8},
    "coupled_embedded_microstrip": {"w": 0.2, "s": 0.2, "h": 0.15, "h2": 0.1, **ETCHED, "er2": 3.8},
    "stripline": {"w": 0.15, "h1": 0.2, "h2": 0.2, **ETCHED},
    "coupled_stripline": {"w": 0.12, "s": 0.15, "h1": 0.2, "h2": 0.2, **ETCHED},
    "offset_stripline": {"w": 0.15, "w_top": 0.12, "h1": 0.15, "h2": 0.25, "t": 0.035, "er1": 4.4, "er2": 3.9},
    "coupled_offset_stripline": {"w": 0.12, "s": 0.15, "h1": 0.15, "h2": 0.25, "t": 0.035, "er1": 4.4, "er2": 3.9},
    "broadside_stripline": {
        "w": 0.15,
        "t": 0.035,
        "h1": 0.2,
        "hs": 0.15,
        "h2": 0.2,
        "offset": 0.1,
        "er": 3.9,
        "er_s": 4.4,
    },
    "cpw": {"w": 0.3, "g": 0.15, "h": 0.2, **ETCHED, "backed": True, **MASK},
    "coupled_cpw": {"w": 0.2, "s": 0.2, "g": 0.15, "h": 0.2, **ETCHED, "backed": True, **MASK},
    "cps": {"w": 0.3, "s": 0.2, "h": 0.5, **ETCHED},
    "coax": {"d": 0.9, "D": 2.95, "er": 2.25},
    "twin_wire": {"d": 1.0, "D": 3.0, "er": 1.0},
    "twisted_pair": {"d": 0.51, "d_ins": 0.95, "er": 2.1},
    "shielded_pair": {"d": 0.51, "d_ins": 0.95, "er": 2.1, "D": 3.2, "er_fill": 1.0},
    "wire_over_ground": {"d": 0.5, "h": 1.0, "er": 1.0},
}


def main(out: str = "docs/templates.png") -> None:
    missing = set(TEMPLATES) - set(EXAMPLES)
    if missing:
        raise SystemExit(f"no example parameters for: {', '.join(sorted(missing))}")
    cols = 4
    rows = -(-len(EXAMPLES) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.0 * cols, 3.0 * rows), layout="constrained")
    for ax, (name, params) in zip(axes.ravel(), EXAMPLES.items(), strict=False):
        sec = build(name, params, "mm").validate()
        clip = plot.section_view(sec, "mm")
        plot.draw_section(ax, sec, "mm", clip, legend=False)
        plot.frame(ax, "mm", clip, name)
    for ax in axes.ravel()[len(EXAMPLES) :]:
        ax.remove()
    fig.suptitle(
        "fieldsolver templates (typical parameters, mm): signals copper, grounds grey, dielectrics tinted by er"
    )
    plot.save(fig, Path(out), dpi=70)


if __name__ == "__main__":
    main(*sys.argv[1:])
