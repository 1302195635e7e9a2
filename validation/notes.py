"""Known disagreements between the solver and closed forms, with their explanation. Kept in the
report on purpose: they tell a user where a formula can be trusted and where it cannot."""

NOTES: dict[str, str] = {
    "IPC-2141 microstrip": (
        "a logarithmic fit made for FR-4-like boards. Within 0.1 < w/h < 2 it is 1-2 % off at er = 4.3, "
        "4-7 % high at er = 12 and 8-15 % low in air (er = 1 is the edge of its stated 1 < er < 15); "
        "past w/h = 2 its logarithm heads for zero and it fails completely (-14 % at w/h = 3.2, "
        "negative impedance by w/h = 10). With a thick trace (w/h = 1, er = 4.3) it stays within about 2 %. "
        "Use it for a first guess on FR-4, never for a 50 ohm line on a thin laminate (w/h near 2)."
    ),
    "IPC-2141 stripline": (
        "its equivalent-round-wire model holds only for narrow strips (w/(b - t) < 0.35). Here "
        "(w/b = 0.3) it is 3 % low for a very thin strip (t/b = 0.005) and within 1 % for t/b about "
        "0.06-0.11, so part of its usual 1-2 % claim depends on a typical copper thickness."
    ),
    "Empirical Zdiff (stripline)": (
        "`2 Z0 (1 - 0.347 exp(-2.9 s/b))` is within 1.5 % of Cohn's exact result for s/b >= 0.19, "
        "but reads 6 % high at s/b = 0.11 and 30 % high at s/b = 0.02: the exponential cannot follow "
        "the odd-mode impedance of tightly coupled strips, which falls toward zero as the gap closes."
    ),
    "Empirical Zdiff (microstrip)": (
        "`2 Z0 (1 - 0.48 exp(-0.96 s/h))` (w/h = 1, er = 4.3) is 4-6 % low for s/h 0.3-1, the gaps "
        "of real differential pairs, and 5 % high at s/h = 0.1. It ignores w/h and er entirely. "
        "Kirschning-Jansen, which models both modes, stays within 0.3 % over the same sweep."
    ),
    "Ghione-Naldi CPW on a finite substrate": (
        "exact as h -> inf and within 0.2 % for h/w >= 1.4; on thin substrates (h/w = 0.2, gap 0.5) "
        "it is 3.2 % low on eps_eff and 1.6 % high on Z0. The partial-capacitance method assumes the "
        "substrate-air boundary is a field line (magnetic wall) in the transformed plane; with a "
        "substrate thinner than the gap, much of the field runs sideways in the substrate and that "
        "assumption no longer holds."
    ),
    "Conformal-mapping grounded CPW": (
        "within 0.2 % for h/w >= 1 but 2.4 % high on Z0 at h/w = 0.2: it adds the capacitance of "
        "the upper CPW region and of the lower, plane-backed region as if independent, which misses "
        "the fringing between the two when the backing plane is close."
    ),
    "Wheeler 1977 microstrip": (
        "agrees with Hammerstad-Jensen and the solver within 0.3 % for w/h <= 1 but reaches -1.0 % "
        "in air near w/h = 5: the accuracy usually quoted for it (1 %, 2 % worst) is right at its edge."
    ),
    "Hammerstad-Jensen eps_eff": (
        "the largest deviation, -0.22 % at w/h = 5.6 and er = 12, is at the limit of its stated 0.2 % "
        "accuracy; its Z0 in air agrees with the solver to 0.01 %, as stated."
    ),
}
