"""Figures and exports: every plot kind renders for one, two and three signals; the surface charge
against Gauss's law and exact densities; VTK and CSV round trips; plotting and meshio stay out
of a plain solve."""

import csv
import subprocess
import sys
import textwrap

import matplotlib
import numpy as np
import pytest

import fieldsolver as fs
from fieldsolver.cli import main
from fieldsolver.constants import EPS0
from fieldsolver.post import export, fields, plot

matplotlib.use("Agg")
import matplotlib.image as mpimg

THREE = """
units: mm
conductors:
  - {name: a, role: signal, rect: {x: [-0.45, -0.25], y: [0.2, 0.235]}}
  - {name: b, role: signal, rect: {x: [-0.1, 0.1], y: [0.2, 0.235]}}
  - {name: c, role: signal, rect: {x: [0.25, 0.45], y: [0.2, 0.235]}}
  - {name: gnd, rect: {x: [-.inf, .inf], y: [-0.035, 0]}}
dielectrics:
  - {name: substrate, er: 4.3, layer: {y: [0, 0.2]}}
"""


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    path = tmp_path_factory.mktemp("three") / "three.yaml"
    path.write_text(THREE)
    return {
        "single": fs.solve(fs.template("microstrip", w=0.3, h=0.2, t=0.035, er=4.3), tol=3e-3),
        "pair": fs.solve(fs.template("coupled_microstrip", w=0.2, s=0.15, h=0.1, t=0.035, er=4.0), tol=3e-3),
        "three": fs.solve(path, tol=3e-3),
    }


def assert_image(path, size=None):
    img = mpimg.imread(path)
    if size is not None:
        assert (img.shape[1], img.shape[0]) == size
    assert img[..., :3].std() > 0.05  # not blank
    return img


@pytest.mark.parametrize("case", ["single", "pair", "three"])
@pytest.mark.parametrize("kind", ["field_map", "charge_plot", "convergence_plot", "grid_plot"])
def test_every_plot_kind_renders(cases, case, kind, tmp_path):
    fig = getattr(plot, kind)(cases[case], size=(8.0, 5.0))
    out = tmp_path / f"{kind}.png"
    plot.save(fig, out, dpi=100, exact_size=True)
    assert_image(out, (800, 500))
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary file left


@pytest.mark.parametrize(("case", "panels"), [("single", 1), ("pair", 2), ("three", 3)])
def test_one_panel_per_excitation_after_the_cross_section(cases, case, panels):
    fig = plot.field_map(cases[case])
    titled = [a for a in fig.axes if a.get_title()]
    assert len(titled) == 1 + panels
    assert titled[0].get_title() == "cross-section"
    one = plot.field_map(cases[case], mode="1")
    assert len([a for a in one.axes if a.get_title()]) == 2
    import matplotlib.pyplot as plt

    plt.close("all")


def test_excitations_pair_and_modes(cases):
    r = cases["pair"]
    odd, even = fields.excitations(r)
    pots = r.solution.dielectric.potentials
    assert np.allclose(odd.potential, pots[0] - pots[1]) and np.allclose(even.potential, pots[0] + pots[1])
    assert [e.key for e in fields.excitations(r, "even")] == ["even"]
    assert [e.key for e in fields.excitations(r, "n")] == ["n"]
    (m,) = fields.excitations(cases["three"], "mode2")
    assert max(abs(v) for v in m.voltages) == pytest.approx(1.0)
    with pytest.raises(fs.InputError, match="choose from odd, even, p, n"):
        fields.excitations(r, "bogus")


# ---------------------------------------------------------------------------------- surface charge
def test_charge_sums_to_the_capacitance_matrix(cases):
    # Gauss's law on the grid: the link fluxes out of conductor j under excitation k are C[j, k]
    # of the grid that was solved
    r = cases["pair"]
    C = r.solution.dielectric.capacitance
    dom = r.solution.grid.domain
    for k, e in enumerate(fields.excitations(r, "p") + fields.excitations(r, "n")):
        charges = {c.name: c.total for c in fields.surface_charge(r, e.potential, dom)}
        assert charges["p"] == pytest.approx(C[0, k], rel=1e-9)
        assert charges["n"] == pytest.approx(C[1, k], rel=1e-9)


def test_charge_on_a_coax_centre_is_uniform():
    # exact: sigma = C V / (pi d) all round the inner conductor
    r = fs.solve(fs.template("coax", d=1.0, D=3.0, er=2.2))
    (e,) = fields.excitations(r)
    inner = fields.surface_charge(r, e.potential, r.solution.grid.domain)[0]
    exact = r.solution.dielectric.capacitance[0, 0] / (np.pi * 1e-3)
    assert inner.sigma.mean() == pytest.approx(exact, rel=0.01)
    # the staircase grid shares flux unevenly between neighbouring links: a few percent locally
    assert np.abs(inner.sigma / exact - 1).max() < 0.15
    assert inner.perimeter == pytest.approx(np.pi * 1e-3, rel=1e-3)
    assert inner.corners.size == 0  # curved: no corners


def test_charge_under_a_wide_strip_is_the_parallel_plate_value():
    # w = 20 h: under the middle of the strip, sigma = eps0 er V / h (the fringing has died out,
    # like exp(-pi x / h)); on any grid (measured 1.7e-7 on the base grid, 8e-11 at tol 1e-3)
    h, er = 1.0e-3, 4.0
    r = fs.solve(fs.template("microstrip", w=20.0, h=1.0, t=0.1, er=er), tol=None)
    (e,) = fields.excitations(r)
    strip = next(c for c in fields.surface_charge(r, e.potential, r.solution.grid.domain) if c.name == "sig")
    below = (np.abs(strip.x) < 2e-3) & (strip.y < 1.05 * h)  # the bottom face (the top is at 1.1 h)
    assert below.sum() > 3
    assert strip.sigma[below] == pytest.approx(EPS0 * er / h, rel=1e-5)
    # rectangle: its four corners, and the charge peaks at them
    assert strip.corners.size == 5
    assert strip.sigma.max() > 3 * EPS0 * er / h


# ----------------------------------------------------------------------------------------- exports
def test_vtk_round_trip(cases, tmp_path):
    import meshio

    r = cases["pair"]
    out = tmp_path / "pair.vtu"
    export.write_vtk(r, out)
    m = meshio.read(out)
    g, raster = r.solution.grid, r.solution.raster
    assert m.points.shape == (g.nodes, 3)
    assert m.cells[0].data.shape == ((g.nx - 1) * (g.ny - 1), 4)
    pd = m.point_data
    assert set(pd) >= {"potential_odd", "potential_even", "E_odd", "E_even", "conductor"}
    assert pd["E_odd"].shape == (g.nodes, 3)
    names = [c.name for c in r.solution.section.conductors]
    # probe: a node of each trace, the ground plane and a free node
    for name, odd in (("p", 1.0), ("n", -1.0)):
        node = int(np.flatnonzero(raster.owner.ravel() == names.index(name))[0])
        assert pd["conductor"][node] == names.index(name) + 1
        assert pd["potential_odd"][node] == pytest.approx(odd)
        assert pd["potential_even"][node] == pytest.approx(1.0)
        xy = m.points[node, :2]
        assert (
            fs.template("coupled_microstrip", w=0.2, s=0.15, h=0.1, t=0.035, er=4.0)
            .conductors[names.index(name)]
            .shape.contains(np.array([xy[0]]), np.array([xy[1]]))[0]
        )
    free = int(np.flatnonzero(raster.owner.ravel() == -1)[len(m.points) // 3 % 100])
    assert pd["conductor"][free] == 0
    assert -1.0 < pd["potential_odd"][free] < 1.0
    # E = -grad(phi): check one free node against its neighbours' difference quotient
    j, i = divmod(free, g.nx)
    phi = pd["potential_odd"].reshape(g.ny, g.nx)
    assert pd["E_odd"][free, 0] == pytest.approx(-np.gradient(phi[j], g.x)[i], rel=1e-9, abs=1e-6)
    er = m.cell_data["er"][0]
    assert er.shape == ((g.nx - 1) * (g.ny - 1),)
    assert set(np.round(np.unique(er), 6)) >= {1.0, 4.0}


def test_csv_table(cases, tmp_path):
    r = cases["pair"]
    out = tmp_path / "pair.csv"
    export.write_csv(r, out)
    with out.open() as f:
        rows = {row["quantity"]: row for row in csv.DictReader(f)}
    assert float(rows["z_diff"]["value"]) == r.z_diff
    assert float(rows["z_diff"]["uncertainty"]) == r.uncertainty["z_diff"]
    assert rows["z_diff"]["unit"] == "ohm" and rows["delay_odd"]["unit"] == "s/m"
    assert float(rows["C[p,n]"]["value"]) == r.capacitance[0, 1]
    assert rows["C[p,n]"]["unit"] == "F/m"


# --------------------------------------------------------------------------------------------- CLI
def test_cli_plot_writes_every_file(capsys, tmp_path):
    base = tmp_path / "usb.png"
    code = main(
        [
            "plot", "coupled_stripline", "w=0.1", "s=0.15", "h1=0.2", "h2=0.2", "er=4",
            "-o", str(base), "--charge", "--convergence", "--grid", "--field-lines", "--size", "900x600",
            "--vtk", str(tmp_path / "f.vtk"), "--csv", str(tmp_path / "r.csv"),
        ]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    for name in ("usb.png", "usb-charge.png", "usb-convergence.png", "usb-grid.png"):
        assert_image(tmp_path / name, (900, 600))
        assert f"{tmp_path / name}" in out
    assert (tmp_path / "f.vtk").stat().st_size > 0 and (tmp_path / "r.csv").stat().st_size > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["usb.png", "usb-charge.png", "usb-convergence.png", "usb-grid.png", "f.vtk", "r.csv"]
    )


def test_cli_plot_default_name_and_svg(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    yaml = tmp_path / "three.yaml"
    yaml.write_text(THREE)
    assert main(["plot", str(yaml), "--tol", "none", "--mode", "b"]) == 0
    assert_image(tmp_path / "three.png")
    assert main(["solve", str(yaml), "--tol", "none", "--plot", "f.svg", "--extent=-0.5,0.5,-0.05,0.4"]) == 0
    assert (tmp_path / "f.svg").read_text().lstrip().startswith("<?xml")
    capsys.readouterr()


def test_failed_export_leaves_no_file(capsys, tmp_path, monkeypatch):
    import meshio

    def broken(path, *a, **k):
        with open(path, "w") as f:
            f.write("half")
        raise OSError("disk full")

    monkeypatch.setattr(meshio, "write", broken)
    with pytest.raises(OSError, match="disk full"):
        main(["calc", "coax", "d=1", "D=3", "er=1", "--vtk", str(tmp_path / "f.vtu")])
    assert list(tmp_path.iterdir()) == []
    capsys.readouterr()


@pytest.mark.parametrize(
    ("argv", "what"),
    [
        (["plot", "coax", "d=1", "D=3", "er=1", "--mode", "odd"], "--mode odd: choose from inner"),
        (["calc", "coax", "d=1", "D=3", "er=1", "--charge"], "give --plot"),
        (["calc", "coax", "d=1", "D=3", "er=1", "--vtk", "f.txt"], ".vtu or .vtk"),
        (["plot", "coax", "d=1", "D=3", "er=1", "-o", "no/such/dir/f.png"], "does not exist"),
        (["plot", "coax", "d=1", "D=3", "er=1", "--extent", "1,0,0,1"], "x0 < x1"),
        (["plot", "coax", "d=1", "D=3", "er=1", "--size", "huge"], "WIDTHxHEIGHT"),
        (["plot", "coax", "d=1", "D=3", "er=1", "--zoom", "-1"], "positive"),
        (["plot", "coax", "d=1", "D=3", "er=1", "--convergence", "--tol", "none"], "--convergence needs"),
        (["plot", "geometries/coax_rg58.yaml", "d=1"], "go with a template"),
    ],
)
def test_bad_plot_options_give_one_line_exit_2(argv, what, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = main(argv)
    _, err = capsys.readouterr()
    assert code == 2
    assert err.count("\n") == 1 and what in err, err
    assert [p for p in tmp_path.iterdir() if p.suffix in (".png", ".vtu")] == []


def test_solving_imports_neither_matplotlib_nor_meshio(tmp_path):
    code = textwrap.dedent(
        f"""
        import sys
        from fieldsolver.cli import main
        assert main(["calc", "coax", "d=1", "D=3", "er=1", "--json", "--csv", {str(tmp_path / "r.csv")!r}]) == 0
        bad = [m for m in ("matplotlib", "meshio") if m in sys.modules]
        assert not bad, bad
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


# ---------------------------------------------------------------------------- loss and networks
LOSSLESS_PAIR = """
units: mm
background: {er: 2.2, tand: 0.002}
conductors:
  - {name: a, role: signal, sigma: .inf, rect: {x: [-0.3, -0.1], y: [0.2, 0.218]}}
  - {name: b, role: signal, sigma: .inf, rect: {x: [0.1, 0.3], y: [0.2, 0.218]}}
  - {name: top, sigma: .inf, rect: {x: [-.inf, .inf], y: [0.418, 0.45]}}
  - {name: bottom, sigma: .inf, rect: {x: [-.inf, .inf], y: [-0.035, 0]}}
"""


ROUGH_MICROSTRIP = """
units: mm
conductors:
  - {name: sig, role: signal, rect: {x: [-0.15, 0.15], y: [0.2, 0.235]}, roughness: {model: hammerstad, rms: 1um}}
  - {name: gnd, sigma: .inf, rect: {x: [-.inf, .inf], y: [-0.035, 0]}}
dielectrics:
  - {name: substrate, er: 4.3, tand: 0.02, layer: {y: [0, 0.2]}}
"""


@pytest.fixture(scope="module")
def lossy_line(tmp_path_factory):
    # a rough copper trace over a perfect plane: R(f) from the magnetic solve (one grid, three
    # frequencies)
    path = tmp_path_factory.mktemp("rough") / "rough.yaml"
    path.write_text(ROUGH_MICROSTRIP)
    return fs.solve(path, tol=None, freq=[1e6, 1e8, 1e10])


def _curves(ax) -> dict:
    return {ln.get_label(): ln for ln in ax.lines}


def test_loss_plot_draws_the_results_rlgc(lossy_line, tmp_path):
    # each curve is the result's own numbers: R and L of the line, |Zc| and the loss in dB/inch;
    # the smooth-copper line dashed beside it: its R is RLGC.R_smooth, its loss that of the line
    # made of R_smooth and the same L, G, C (fieldsolver.physics.transmission)
    from fieldsolver.physics.transmission import propagation

    r = lossy_line
    x = r.rlgc
    fig = plot.loss_plot(r)
    ax_r, ax_l, ax_z, ax_a = fig.axes[:4]
    np.testing.assert_array_equal(_curves(ax_r)["sig"].get_ydata(), x.R[:, 0, 0])
    np.testing.assert_allclose(_curves(ax_l)["sig"].get_ydata(), 1e9 * x.L[:, 0, 0])
    np.testing.assert_allclose(_curves(ax_z)["line"].get_ydata(), np.abs(x.propagation.z_mode[:, 0]))
    np.testing.assert_allclose(_curves(ax_a)["line"].get_ydata(), x.propagation.attenuation.to("dB/in").total[:, 0])
    assert ax_r.get_xscale() == "log" and ax_r.get_yscale() == "log"
    smooth = _curves(ax_r)["sig smooth copper"]
    assert smooth.get_linestyle() == "--" and _curves(ax_r)["sig"].get_linestyle() == "-"
    np.testing.assert_array_equal(smooth.get_ydata(), x.R_smooth[:, 0, 0])
    p = propagation(x.freq, x.R_smooth, x.L, x.G, x.C)
    np.testing.assert_allclose(
        _curves(ax_a)["line smooth copper"].get_ydata(), p.attenuation.to("dB/in").total[:, 0], rtol=1e-12
    )
    # every face of the trace rough (the plane is perfect): in the skin limit R = K R_smooth with
    # Hammerstad and Jensen's K = 1 + (2/pi) atan(1.4 (rms/delta)^2) = 1.81 at 10 GHz (delta =
    # 0.66 um); at 1 MHz (delta = 66 um, K = 1.0002) the current fills the trace and R ~ R_smooth
    delta = 1 / np.sqrt(np.pi * 1e10 * fs.constants.MU0 * 5.8e7)
    k = 1 + 2 / np.pi * np.arctan(1.4 * (1e-6 / delta) ** 2)
    assert x.R[-1, 0, 0] == pytest.approx(k * x.R_smooth[-1, 0, 0], rel=1e-3)
    assert x.R[0, 0, 0] == pytest.approx(x.R_smooth[0, 0, 0], rel=1e-3)
    out = tmp_path / "loss.png"
    plot.save(fig, out)
    assert_image(out)


def test_sparams_plot_of_a_lossless_line_is_the_line_section(tmp_path):
    # perfect conductors in a lossless homogeneous dielectric (er 2.2): beta = w sqrt(er) / c
    # exactly; between 50 ohm ports S21 and S11 are the line section's (Pozar, 4th ed., Tables
    # 4.1 and 4.2), with Zc the solver's Z0
    path = tmp_path / "coax.yaml"
    path.write_text(
        "units: mm\nbackground: {er: 2.2}\nconductors:\n"
        "  - {name: inner, role: signal, sigma: .inf, circle: {center: [0, 0], radius: 0.5}}\n"
        "  - {name: outer, sigma: .inf, ring: {center: [0, 0], inner_radius: 1.5, outer_radius: 1.7}}\n"
    )
    f = np.geomspace(1e8, 2e10, 7)
    r = fs.solve(path, tol=None, freq=f)
    fig = plot.sparams_plot(r, 0.1)
    curves = _curves(fig.axes[0])
    bl = 2 * np.pi * f * np.sqrt(2.2) / fs.constants.C0 * 0.1
    z0, zr = r.z0, 50.0
    a, b, c = np.cos(bl), 1j * z0 * np.sin(bl), 1j * np.sin(bl) / z0
    den = 2 * a + b / zr + c * zr
    np.testing.assert_allclose(curves["S(inner',inner) through"].get_ydata(), 20 * np.log10(np.abs(2 / den)), atol=1e-9)
    s11 = 20 * np.log10(np.abs((b / zr - c * zr) / den))
    np.testing.assert_allclose(curves["S(inner,inner) reflection"].get_ydata(), s11, atol=1e-6)
    assert len(fig.axes) == 1  # one line: no crosstalk panel
    import matplotlib.pyplot as plt

    plt.close("all")


def test_cli_writes_the_loss_and_sparams_plots(capsys, tmp_path):
    # a pair: SDD21 and SDD11, and NEXT and FEXT between its lines; the files named in the output
    path = tmp_path / "pair.yaml"
    path.write_text(LOSSLESS_PAIR)
    loss, sp = tmp_path / "loss.png", tmp_path / "sp.svg"
    argv = ["solve", str(path), "--tol", "none", "--freq", "1GHz:20GHz:5", "--length", "2in"]
    assert main([*argv, "--plot-loss", str(loss), "--plot-sparams", str(sp)]) == 0
    out = capsys.readouterr().out
    assert f"loss plot written to {loss}" in out and f"S-parameter plot written to {sp}" in out
    assert_image(loss)
    assert sp.read_text().lstrip().startswith("<?xml")
    fig = plot.sparams_plot(fs.solve(path, tol=None, freq=[1e9, 2e10]), 0.0508)
    assert set(_curves(fig.axes[0])) == {"SDD21", "SDD11"}
    assert set(_curves(fig.axes[1])) == {"NEXT a,b", "FEXT a>b"}
    # lossless but for tand: |SDD21| <= 1, NEXT well below 0 dB
    assert np.all(_curves(fig.axes[0])["SDD21"].get_ydata() <= 0)
    assert np.all(_curves(fig.axes[1])["NEXT a,b"].get_ydata() < -10)
    import matplotlib.pyplot as plt

    plt.close("all")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loss.png", "pair.yaml", "sp.svg"]
