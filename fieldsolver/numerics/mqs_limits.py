"""The magnetoquasistatic problem's two limits, without a complex factorization.

At DC (``w -> 0``) the current density in each conductor is uniform, ``J = sigma u_k``: the
vector potential's term ``j w A`` vanishes from the field ``E = u - j w A`` (the outer boundary
holds ``A = 0``, so ``A`` stays finite), and the admittance of every group is its conductance,
``Y = diag(sum of its node masses)``. A face's DC resistance (:meth:`MagneticProblem.face_losses`
at ``w -> 0``) is then the node masses of the face summed per owning group, weighted by the DC
current division's fields: no solve at all.

At infinite frequency (every conductor perfect, :meth:`MagneticGrid.perfect`) the free nodes
obey the grid's Laplacian with the conductors' nodes fixed: ``A = u_k / (j w)`` on conductor
k, 0 on the outer boundary. That is the statics' vacuum problem on the magnetic grid (link
conductances of permittivity 1), which the multigrid-preconditioned conjugate gradients of
:mod:`fieldsolver.numerics.multigrid` solve; the admittance is ``Y = C / (mu0 j w)`` with ``C``
the grid's vacuum Maxwell matrix (energy form ``x_j . K x_k``, whose error is the square of the
iteration's), so the external inductance is ``Z(C / mu0)`` of :func:`magnetic.reduce`.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..constants import MU0
from . import kernels
from .magnetic import SIDES, MagneticGrid, MagneticProblem, reduce, reduce_fields
from .multigrid import Hierarchy
from .solver import assemble


def dc_face_resistance(problem: MagneticProblem) -> tuple[np.ndarray, np.ndarray] | None:
    """The DC limit of :meth:`MagneticProblem.face_losses`: (labels, (labels, N, N)) ohm/m, or
    None where a conductor is perfect (its current is a surface current there: solve instead)."""
    mg = problem.mg
    if problem.has_pec or mg.node_face is None:
        return None
    _, fields = reduce_fields(np.diag(problem.mass_sum), mg.n_signals, mg.has_ground)
    flat = mg.node_face.ravel()
    labels = np.unique(flat[flat >= 0])
    out = []
    for lab in labels:
        sel = flat == lab
        mass = np.bincount(problem.node_owner[sel], weights=problem.mass_total[sel], minlength=problem.n)
        out.append(np.einsum("k,ki,kj->ij", mass, fields, fields))
    return labels, np.array(out)


def perfect_inductance(mg: MagneticGrid) -> np.ndarray:
    """The signals' inductance (N, N) H/m on the grid of ``mg`` with every conductor perfect."""
    g = mg.grid
    groups = mg.node_conductor
    fixed = groups >= 0
    fixed[:, 0] = fixed[:, -1] = fixed[0, :] = fixed[-1, :] = True  # A = 0 on the outer boundary
    assert SIDES == ("left", "right", "bottom", "top")
    ones_h, ones_v = np.ones((g.ny, g.nx - 1)), np.ones((g.ny - 1, g.nx))
    gh, gv = kernels.link_conductances(g.x, g.y, ones_h, ones_v, ones_h, ones_v)
    K = assemble(gh, gv).tocsr()
    X = np.zeros((mg.n_groups, g.ny * g.nx))
    try:
        h = Hierarchy(g.x, g.y, gh, gv, fixed)
        for k in range(mg.n_groups):
            V = (groups == k).astype(float)
            if not V.any():
                continue
            b = -(K @ V.ravel()).reshape(V.shape)
            b[fixed] = 0.0
            x, _ = h.solve(h.padded(b))
            X[k] = (V + x[1:-1, 1:-1]).ravel()
    except RuntimeError as e:  # not seen on the mesher's grids: the direct solve still answers
        warnings.warn(f"{e}; solving this grid directly instead", RuntimeWarning, stacklevel=2)
        p = MagneticProblem(mg.perfect())
        return p.impedance(np.array([1.0]), reduced=False).z[0].imag / (2 * np.pi)
    C = X @ (K @ X.T)
    return reduce(0.5 * (C + C.T) / MU0, mg.n_signals, mg.has_ground).real
