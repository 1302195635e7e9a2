"""The example cross-sections in geometries/: each solves from its file, and its impedances stay at
the values pinned below.

Pinned values: the same file solved to tol 2e-4 (every one converged; bars 0.002-0.016 ohm).
Physical tolerance: 0.1 ohm (0.1-0.3 %), a hundredth of the +-10 % a fab holds; the default solve
sits within 0.045 ohm of these.
"""

from pathlib import Path

import pytest

import fieldsolver as fs

GEOMETRIES = Path(__file__).parents[1] / "geometries"
OHM = 0.1

PINNED = {
    # file: {quantity: ohm}; the design target is in the file's description
    "usb2_diff_microstrip": {"z_diff": 90.336, "z_common": 33.952},  # USB 2.0: 90 ohm +-15 %
    "usb2_stackup": {"z_diff": 90.336, "z_common": 33.952},  # the same board typed as a stackup
    "pcie_stripline_pair": {"z_diff": 85.027, "z_common": 28.602},  # PCIe: 85 ohm
    "hdmi_coated_pair": {"z_diff": 99.979, "z_common": 31.824},  # HDMI: 100 ohm
    "gcpw_50ohm": {"z0": 50.408},
    "coax_rg58": {"z0": 51.670},  # RG-58: 50 ohm nominal
    "twisted_pair_100ohm": {"z_diff": 100.208},
    "six_layer_asymmetric_stripline": {"z0": 49.525},
    "usb_cable": {"z_diff": 95.760, "z_common": 80.668},
    "usb_cable_lifted_ground": {"z_diff": 96.163, "z_common": 83.977},
}


@pytest.fixture(scope="module")
def solved():
    return {}


def _solve(solved, name):
    if name not in solved:
        solved[name] = fs.solve(GEOMETRIES / f"{name}.yaml")
    return solved[name]


@pytest.mark.parametrize("name", sorted(PINNED))
def test_example_keeps_its_pinned_impedances(solved, name):
    r = _solve(solved, name)
    assert r.accuracy["converged"]
    for key, value in PINNED[name].items():
        assert r.values[key] == pytest.approx(value, abs=OHM), key


def test_lifting_the_cable_ground_wire_raises_its_common_mode_impedance(solved):
    # connected, the GND wire is a return path next to the pair; floating, it only carries
    # induced charge of both signs: the common mode loses return capacitance, the odd mode
    # hardly notices (its field stays between D+ and D-)
    grounded, lifted = _solve(solved, "usb_cable"), _solve(solved, "usb_cable_lifted_ground")
    assert lifted.z_common > 1.03 * grounded.z_common
    assert lifted.z_diff == pytest.approx(grounded.z_diff, rel=0.01)
