"""The README's speed figures, written from one ``make bench`` run.

``make bench`` saves the figures it quotes in ``bench/figures.json`` and rewrites the README's
block between :data:`BEGIN` and :data:`END` from them; ``tests/test_claims.py`` fails when the
committed README and the committed figures disagree.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

BEGIN = "<!-- speed summary: written by make bench from bench/figures.json -->"
END = "<!-- end of speed summary -->"


def _k(n: float) -> str:
    return f"{n / 1e6:.0f}M" if n >= 1e6 else f"{n / 1e3:.0f}k"


def readme_block(fig: dict) -> str:
    """The README's speed bullets from the figures of one bench run."""
    t, s = fig["answer"], fig["scaling"]
    bullets = [
        "time to answer at the default 0.1 % tolerance, every refinement level and the error estimate "
        f"included: {t['single'][0]:.2f}-{t['single'][1]:.2f} s for a single line, "
        f"{t['pair'][0]:.2f}-{t['pair'][1]:.2f} s for a pair; a cold `fieldsolver calc` adds about "
        f"{fig['cold_extra']:.1f} s (imports, and loading the compiled kernels from disk);",
        f"one solve grows linearly with the grid (fitted exponent {s['exponent']:.2f} from {_k(s['range'][0])} "
        f"to {_k(s['range'][1])} nodes): {s['one_m_seconds']:.2f} s at 1M nodes"
        + (
            f", {s['spsolve_ratio']:.0f}x faster than `scipy.sparse.linalg.spsolve` on the same system"
            if s["spsolve_ratio"]
            else ""
        )
        + f", in {s['per_node']:.0f} bytes per node;",
    ]
    a = fig.get("atlc")
    if a:
        bullets.append(
            f"atlc, the classic open finite-difference solver, takes {a['seconds']:.0f} s on a "
            f"{a['pixels'] / 1e6:.1f}M-pixel bitmap of a zero-thickness stripline and is "
            f"{abs(a['error']) * 100:.2f} % off the exact value; fieldsolver answers in {a['fs_seconds']:.2f} s, "
            f"{abs(a['fs_error']) * 100:.3f} % off, with an error bar;"
        )
    if fig.get("loss"):
        bullets.append(
            "loss from 1 MHz to 100 GHz (61 frequencies, roughness and a wideband dielectric): "
            f"{fig['loss']['microstrip']:.1f} s for a microstrip, {fig['loss']['usb']:.1f} s for the USB pair, warm."
        )
    out = [BEGIN, *textwrap.wrap(f"On {fig['machine']}:", 98), ""]
    out += [textwrap.fill(b, 98, initial_indent="* ", subsequent_indent="  ", break_on_hyphens=False) for b in bullets]
    out.append(END)
    return "\n".join(out)


def write_readme(path: Path, fig: dict) -> None:
    from fieldsolver.post.output import write_between

    write_between(path, BEGIN, END, readme_block(fig))
