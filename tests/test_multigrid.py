"""The multigrid solver: its parts against dense twins, its answers against the direct solver,
and iteration counts that stay flat as the grid grows (the property that makes the cost O(N))."""

import numpy as np
import pytest
from test_invariants import _asymmetric_pair

import fieldsolver as fs
from fieldsolver.numerics import kernels, reference
from fieldsolver.numerics.grid import MeshOptions, make_grid, resample
from fieldsolver.numerics.multigrid import Hierarchy
from fieldsolver.numerics.raster import rasterize
from fieldsolver.numerics.solver import conductances, field_solve, solve_medium


def _system(section, density):
    grid = make_grid(section, MeshOptions(density=density))
    raster = rasterize(section, grid)
    gh, gv = conductances(grid, raster)
    return grid, raster, gh, gv


def _small_hierarchy():
    section = _asymmetric_pair().validate()
    grid, raster, gh, gv = _system(section, 0.1)
    assert grid.nodes < 2000  # small enough for dense twins
    h = Hierarchy(grid.x, grid.y, gh, gv, raster.net >= 0, coarsest=20)
    assert len(h.levels) >= 4  # 9-point Galerkin products of 9-point operators included
    return h


def _prolongation(h, k):
    """Dense P of level k -> k+1: tensor product of the axes' interpolation, without fixed nodes."""
    f, c = h.levels[k], h.levels[k + 1]
    ypar, yw, yc2f, xpar, xw, xc2f = h.transfers[k]
    P = np.kron(reference.interpolation(ypar, yw, yc2f.size), reference.interpolation(xpar, xw, xc2f.size))
    return P * (~f.fixed.ravel())[:, None] * (~c.fixed.ravel())[None, :]


def test_coarse_operators_are_galerkin_products():
    h = _small_hierarchy()
    for k in range(len(h.levels) - 1):
        P = _prolongation(h, k)
        A = reference.stencil_matrix(h.levels[k].st)
        Ac = P.T @ A @ P + np.diag(h.levels[k + 1].fixed.ravel().astype(float))
        got = reference.stencil_matrix(h.levels[k + 1].st)
        assert np.allclose(got, Ac, rtol=0, atol=1e-12 * np.abs(Ac).max())
        assert np.allclose(got, got.T, rtol=0, atol=1e-12 * np.abs(Ac).max())
        # the threaded build (used on large grids) computes the same operator
        ypar, yw, yc2f, xpar, xw, _ = h.transfers[k]
        stc = np.empty_like(h.levels[k + 1].st)
        f = h.levels[k]
        kernels.galerkin(kernels.THREADED, f.st, f.fixed, ypar, yw, yc2f, xpar, xw, h.levels[k + 1].fixed, stc)
        assert np.array_equal(stc, h.levels[k + 1].st)


@pytest.mark.parametrize("build", [kernels.THREADED, kernels.SERIAL], ids=["threaded", "serial"])
def test_restriction_and_prolongation_match_dense_twins(build):
    h = _small_hierarchy()
    rng = np.random.default_rng(1)
    for k in range(len(h.levels) - 1):
        f, c = h.levels[k], h.levels[k + 1]
        ypar, yw, yc2f, xpar, xw, xc2f = h.transfers[k]
        P = _prolongation(h, k)
        r = np.where(f.fixed, 0.0, rng.random(f.fixed.shape))
        rp, rc = np.zeros(f.shape), np.zeros(c.shape)
        rp[1:-1, 1:-1] = r
        build.restrict(rp, rc, ypar, yw, yc2f, xpar, xw, xc2f, c.fixed)
        assert np.allclose(rc[1:-1, 1:-1].ravel(), P.T @ r.ravel(), rtol=1e-13, atol=1e-13)
        xc = np.where(c.fixed, 0.0, rng.random(c.fixed.shape))
        xcp, xf = np.zeros(c.shape), np.zeros(f.shape)
        xcp[1:-1, 1:-1] = xc
        build.prolong_add(xcp, xf, ypar, yw, xpar, xw, f.fixed)
        assert np.allclose(xf[1:-1, 1:-1].ravel(), P @ xc.ravel(), rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("build", [kernels.THREADED, kernels.SERIAL], ids=["threaded", "serial"])
def test_five_point_kernels_match_the_stencil_kernels_and_the_dense_twin(build):
    # the finest level keeps its links: every kernel on them must do what the 9-point kernels
    # do on the stencil made from the same links, and A x must be the dense matrix's
    section = _asymmetric_pair().validate()
    grid, raster, gh, gv = _system(section, 0.1)
    fixed = raster.net >= 0
    hier = Hierarchy(grid.x, grid.y, gh, gv, fixed, coarsest=20)
    lv = hier.levels[0]
    assert lv.links is not None  # no diagonal links: a 5-point level
    h, v = lv.links
    st = lv.st  # the 9-point stencil made from the links, as the dense twin makes it
    assert np.allclose(st, reference.stencil(gh, gv, fixed), rtol=0, atol=1e-14 * np.abs(st).max())
    ny, nx = fixed.shape
    ivx, ivy, ivx5, ivy5 = (np.empty((ny, nx)) for _ in range(4))
    build.line_factors(st, ivx, ivy)
    build.line_factors5(h, v, fixed, ivx5, ivy5)
    free = ~fixed
    assert np.allclose(ivx5[free], ivx[free], rtol=1e-14, atol=0) and np.all(ivx5[fixed] == 0)
    assert np.allclose(ivy5[free], ivy[free], rtol=1e-14, atol=0) and np.all(ivy5[fixed] == 0)
    rng = np.random.default_rng(2)
    b, x0 = (np.pad(np.where(fixed, 0.0, rng.random((ny, nx))), 1) for _ in range(2))
    for color in (0, 1):
        x, x5 = x0.copy(), x0.copy()
        build.relax_rows(st, ivx, b, x, color)
        build.relax_rows5(h, v, ivx5, b, x5, color)
        assert np.allclose(x5, x, rtol=1e-12, atol=1e-14 * np.abs(x).max())
        x, x5 = x0.copy(), x0.copy()
        build.relax_columns(st, ivy, b, x, color, 3)
        build.relax_columns5(h, v, ivy5, b, x5, color, 3)
        assert np.allclose(x5, x, rtol=1e-12, atol=1e-14 * np.abs(x).max())
    A = reference.stencil_matrix(st)
    y = np.zeros_like(x0)
    build.apply5(h, v, fixed, x0, y)
    assert np.allclose(y[1:-1, 1:-1].ravel(), A @ x0[1:-1, 1:-1].ravel(), rtol=1e-12, atol=1e-12 * np.abs(y).max())
    r = np.zeros_like(x0)
    build.residual5(h, v, fixed, b, x0, r)
    assert np.allclose(r, b - y, rtol=1e-12, atol=1e-12 * np.abs(y).max())
    # the residual restricted as it is made: P^T (b - A x)
    ypar, yw, yc2f, xpar, xw, xc2f = hier.transfers[0]
    c = hier.levels[1]
    rc = np.zeros(c.shape)
    build.residual_restrict5(h, v, fixed, b, x0, rc, ypar, yw, yc2f, xpar, xw, xc2f, c.fixed)
    want = _prolongation(hier, 0).T @ (r[1:-1, 1:-1].ravel())
    assert np.allclose(rc[1:-1, 1:-1].ravel(), want, rtol=1e-12, atol=1e-12 * np.abs(want).max())


def test_vcycle_is_a_symmetric_contraction():
    # conjugate gradients needs a symmetric positive definite preconditioner: check B = V-cycle
    # operator column by column on the finest level
    h = _small_hierarchy()
    lv = h.levels[0]
    free = np.flatnonzero(~lv.fixed.ravel())
    rng = np.random.default_rng(2)
    cols = rng.choice(free, 12, replace=False)
    B = np.empty((free.size, cols.size))
    for n, c in enumerate(cols):
        e = np.zeros(lv.fixed.size)
        e[c] = 1.0
        z = h.padded()
        h.vcycle(h.padded(e.reshape(lv.fixed.shape)), z)
        B[:, n] = z[1:-1, 1:-1].ravel()[free]
    sub = B[np.searchsorted(free, cols)]
    assert np.allclose(sub, sub.T, rtol=1e-9, atol=1e-12 * np.abs(sub).max())
    assert np.all(np.linalg.eigvalsh(0.5 * (sub + sub.T)) > 0)
    # as a stationary iteration, one cycle reduces the energy norm of the error at least 5x
    A = reference.stencil_matrix(lv.st)
    b = np.where(lv.fixed, 0.0, rng.random(lv.fixed.shape))
    exact = np.linalg.solve(A, b.ravel())
    x = h.padded()
    r = h.padded()
    lv.residual(h.padded(b), x, r)
    h.vcycle(r, x)
    e0, e1 = exact, x[1:-1, 1:-1].ravel() - exact
    assert e1 @ A @ e1 < (e0 @ A @ e0) / 25


@pytest.mark.parametrize(
    "section",
    [
        _asymmetric_pair(),  # three signals, a round wire, a dielectric layer
        fs.template("cpw", w=0.3, g=0.1, h=0.4, t=0.035, er=9.8, backed=True),
        fs.template("coupled_stripline", w=0.1, s=0.1, h1=0.1, h2=0.25, t=0.0, er=3.5),
        fs.template("coax", d=0.5, D=2.0, er=2.1),
    ],
    ids=["3-signal", "gcpw", "stripline pair", "coax"],
)
def test_multigrid_matches_direct_solver(section):
    grid, raster, _, _ = _system(section.validate(), 0.7)
    for medium in ("dielectric", "vacuum"):
        mg = solve_medium(grid, raster, medium, method="multigrid")
        ref = solve_medium(grid, raster, medium, method="direct")
        # the default stopping residual (1e-8) leaves C (energy form, error quadratic in the
        # iteration error) exact to rounding, and the potentials (1 V excitations) to about 1e-7
        assert np.allclose(mg.capacitance, ref.capacitance, rtol=1e-9, atol=0)
        assert np.abs(mg.potentials - ref.potentials).max() < 1e-5
        # the first excitation iterates; the second line of a mirror-symmetric pair may start
        # from the first's potential mirrored, already converged (0 iterations)
        assert 0 < mg.iterations[0] <= 15 and all(0 <= it <= 15 for it in mg.iterations)
    # iterated further, the same system's solution to rounding
    gh, gv = conductances(grid, raster)
    fixed = raster.net >= 0
    h = Hierarchy(grid.x, grid.y, gh, gv, fixed)
    ref = solve_medium(grid, raster, method="direct").potentials[0]
    b = -kernels.apply_operator(gh, gv, (raster.net == 1).astype(float))
    x, _ = h.solve(h.padded(np.where(fixed, 0.0, b)), rtol=1e-13)
    assert np.abs(x[1:-1, 1:-1] - np.where(fixed, 0.0, ref)).max() < 1e-10


def test_iterations_stay_flat_as_the_grid_grows():
    # the work per iteration is O(nodes); a flat count makes the solve O(nodes)
    section = fs.template("coupled_microstrip", w=0.1, s=0.1, h=0.1, t=0.035, er=4.3).validate()
    counts = {}
    for density in (0.5, 1.0, 2.0, 4.0):
        grid, raster, _, _ = _system(section, density)
        counts[grid.nodes] = max(solve_medium(grid, raster).iterations)
    nodes = sorted(counts)
    assert nodes[-1] > 30 * nodes[0]
    assert max(counts.values()) <= 12
    assert counts[nodes[-1]] - counts[nodes[0]] <= 3


def test_extreme_cell_aspect_ratio_converges():
    # a thin film under a wide strip: cells 1e-4 as tall as they are wide over most of the grid
    section = fs.template("microstrip", w=10.0, h=0.001, t=0.0, er=3.0).validate()
    grid, raster, _, _ = _system(section, 1.0)
    ratio = np.diff(grid.x).max() / np.diff(grid.y).min()
    assert ratio > 1e4
    assert max(solve_medium(grid, raster).iterations) <= 15


def test_warm_start_from_a_coarser_grid_saves_iterations():
    section = fs.template("coupled_microstrip", w=0.1, s=0.1, h=0.1, t=0.035, er=4.3).validate()
    coarse = field_solve(section, MeshOptions(density=0.7))
    cold = field_solve(section, MeshOptions(density=1.0))
    warm = field_solve(section, MeshOptions(density=1.0), guess=coarse)
    assert sum(warm.dielectric.iterations) < sum(cold.dielectric.iterations)
    assert np.allclose(warm.dielectric.capacitance, cold.dielectric.capacitance, rtol=1e-9, atol=0)


def test_resample_is_exact_for_bilinear_functions():
    section = fs.template("microstrip", w=0.3, h=0.2, er=1.0).validate()
    a = make_grid(section, MeshOptions(density=0.5))
    b = make_grid(section, MeshOptions(density=0.8))

    def f(g):
        X, Y = np.meshgrid(g.x, g.y)
        return 2.0 + 3.0 * X - 5.0 * Y + 7.0 * X * Y

    got = resample(np.stack([f(a), -f(a)]), a, b)
    assert np.allclose(got[0], f(b), rtol=1e-12, atol=1e-12)
    assert np.allclose(got[1], -f(b), rtol=1e-12, atol=1e-12)


def test_iteration_limit_raises():
    h = _small_hierarchy()
    b = np.where(h.fixed, 0.0, 1.0)
    with pytest.raises(RuntimeError, match="did not reach"):
        h.solve(h.padded(b), rtol=1e-300, max_iter=2)


def test_solver_falls_back_to_direct_if_the_iteration_fails(monkeypatch):
    section = fs.template("coupled_microstrip", w=0.1, s=0.1, h=0.1, t=0.035, er=4.3)
    grid, raster, _, _ = _system(section, 0.5)
    ref = solve_medium(grid, raster, method="direct")
    monkeypatch.setattr("fieldsolver.numerics.multigrid.MAX_ITER", 1)
    with pytest.warns(RuntimeWarning, match="solving this grid directly"):
        got = solve_medium(grid, raster)
    assert got.iterations == ()
    assert np.allclose(got.capacitance, ref.capacitance, rtol=1e-12, atol=0)


def test_solves_from_several_threads_give_the_sequential_answers():
    from concurrent.futures import ThreadPoolExecutor

    sections = [fs.template("microstrip", w=w, h=0.2, t=0.035, er=4.3) for w in (0.2, 0.3, 0.4, 0.5)]
    alone = [fs.solve(s, tol=None).z0 for s in sections]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda s: fs.solve(s, tol=None).z0, sections))
    assert together == alone


FORKED = """
import multiprocessing as mp
import fieldsolver as fs

def z0(w):
    return fs.solve(fs.template("microstrip", w=w, h=0.2, er=4.3), tol=None).z0

if __name__ == "__main__":
    parent = [z0(w) for w in (0.2, 0.4)]  # the parallel kernels have run in this process
    with mp.get_context("fork").Pool(2) as pool:
        children = pool.map(z0, (0.2, 0.4))
    print(max(abs(c / p - 1) for p, c in zip(parent, children)))
"""


def test_a_process_forked_after_a_solve_can_solve(tmp_path):
    # GNU OpenMP cannot be used in a child forked after it ran; the work-queue threads can
    import subprocess
    import sys

    script = tmp_path / "forked.py"
    script.write_text(FORKED)
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert float(out.stdout) < 1e-9  # serial builds there: same answers up to summation order


def test_importing_compiles_nothing():
    # compiled lazily on first use (and then loaded from the on-disk cache): an import stays cheap
    import subprocess
    import sys

    code = (
        "import numba, fieldsolver, fieldsolver.cli, fieldsolver.numerics.kernels as k\n"
        "ds = [v for v in vars(k).values() if isinstance(v, numba.core.dispatcher.Dispatcher)]\n"
        "ds += [v for b in (k.THREADED, k.SERIAL) for v in vars(b).values()]\n"
        "print(len(ds), sum(len(d.signatures) for d in ds))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    dispatchers, compiled = map(int, out.stdout.split())
    assert dispatchers >= 20
    assert compiled == 0
