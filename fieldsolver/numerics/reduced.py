"""A reduced model of the magnetoquasistatic system for a band of frequencies.

The system ``(K + j w M) x = B1 + B2 / (j w)`` of :class:`fieldsolver.numerics.magnetic.MagneticProblem`
(``K`` the grid's Laplacian, ``M`` the conductors' diagonal mass, both real and symmetric) is
projected on the span of its solutions at a few frequencies, the shifts: a rational Krylov
space (A. Ruhe, "Rational Krylov: a practical algorithm for large sparse nonsymmetric matrix
pencils", SIAM J. Sci. Comput. 19, 1998; for this kind of diffusion problem, V. Druskin,
C. Lieberman and M. Zaslavsky, "On adaptive choice of shifts in rational Krylov subspace
reduction of evolutionary problems", SIAM J. Sci. Comput. 32, 2010, whose greedy choice of the
next shift where the residual is largest is the one used here). Galerkin projection on a real
basis keeps the reduced system complex symmetric.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..constants import MU0

if TYPE_CHECKING:
    from .magnetic import MagneticProblem

# the residual tolerance: on the USB pair's main grid (88k nodes), the 61-point sweep of 1 MHz-100 GHz
# at 1e-6 is within 6e-6 of full solves at every point in R and w L (relative to R), 4e-6 at 1e-7
# (one moment per shift at 1e-7 was 0.25 % off in R at 38 GHz, 1e-6 worse still)
REDUCED_TOL = 1e-6
MOMENTS = 2  # solutions per factorization: the solution at a shift and its first derivative in w


class ReducedModel:
    """Galerkin projection of a :class:`MagneticProblem` on its solutions at a few frequencies.

    Each shift ``w0`` adds the solution ``x0`` and, from the same factorization, the next
    moment ``A0^-1 M x0`` (the direction of ``dx/dw`` there: a rational Krylov space with two
    moments per shift, which matches twice as much of the frequency response per factorization).
    Shifts start one per decade of the band; then the residual of the reduced solution in the
    full system (a sparse product, no solve) is computed halfway (in log f) between neighbouring
    shifts, where the model is least accurate, and a shift is added where it is largest,
    until it is at most ``tol`` everywhere. The grids are strongly graded, so a small
    residual is not yet a small error: the tests compare the sweep with full solves (R and L
    within 1e-4 of them).

    The basis is kept as blocks of columns (no copy of the whole basis when it grows), and the
    residual's Gram matrices are built from products with each new block only (``K`` and ``M``
    are symmetric), one product of the grid's size at a time, so that the basis is the only
    array of its size held. (Real shifts, with a real factorization and a real basis of half the
    columns, were tried: on the USB pair they needed as many factorizations, and a residual of
    5e-7 at the check points left R 3.4e-4 off between them.)
    """

    def __init__(self, problem: MagneticProblem, freq: np.ndarray, max_shifts: int = 24, tol: float = REDUCED_TOL):
        self.p = problem
        self._m = MU0 * np.asarray(problem.mass_f.sum(axis=0)).ravel()
        self._B = np.hstack([problem.B1, problem.B2])  # (free, 2 groups): b = B1 + B2 / (j w)
        self._KB = problem.K_ff @ self._B
        self._bb = self._B.T @ self._B
        self.blocks: list[np.ndarray] = []
        freq = np.unique(np.asarray(freq, float))
        decades = np.log10(freq[-1] / freq[0])
        shifts = list(np.geomspace(freq[0], freq[-1], max(2, int(np.ceil(decades)) + 1)))
        for f in shifts:
            self._add(problem.shift_solutions(2 * np.pi * f))
        while True:
            order = np.sort(shifts)
            mids = np.sqrt(order[1:] * order[:-1])
            res = np.array([self.residual(2 * np.pi * f) for f in mids])
            self.error = float(res.max())
            if self.error <= tol or len(shifts) >= max_shifts:
                break
            at = float(mids[int(np.argmax(res))])
            shifts.append(at)
            self._add(problem.shift_solutions(2 * np.pi * at))
        self.shifts = tuple(sorted(shifts))

    @property
    def size(self) -> int:
        return sum(b.shape[1] for b in self.blocks)

    def residual(self, w: float) -> float:
        """Relative residual of the reduced solution at ``w`` in the full system, from the
        basis's Gram matrices: ``|(KV + j w MV) c - b|^2`` expanded (no product of full size)."""
        c = self._coefficients(w)
        x = self._KK + 1j * w * (self._KM - self._KM.T) + w * w * self._MM  # (KV + jwMV)^H (KV + jwMV)
        g = self.p.B1.shape[1]
        z = 1.0 / (1j * w)
        kb, mb = self._kb, self._mb  # V^T K B, V^T M B
        # A^H b with A = KV + j w MV, b = B1 + B2 z
        ahb = (kb[:, :g] + z * kb[:, g:]) - 1j * w * (mb[:, :g] + z * mb[:, g:])
        bb = self._bb
        bnorm2 = np.real(np.diag(bb[:g, :g] + abs(z) ** 2 * bb[g:, g:] + 2 * np.real(z) * bb[:g, g:])).sum()
        r2 = np.real(np.sum(c.conj() * (x @ c)) - 2 * np.sum(np.real(c.conj() * ahb))) + bnorm2
        return float(np.sqrt(max(r2, 0.0) / bnorm2))

    def _add(self, sols: list[np.ndarray]) -> None:
        """Extend the orthonormal basis by the solutions not yet in it (the real and imaginary
        parts of each, normalised first: their sizes differ by orders of magnitude over a band),
        and extend the projected system and the residual's Gram matrices by the new block."""
        p, m = self.p, self._m
        new = np.concatenate([np.concatenate([c.real, c.imag], axis=1) for c in sols], axis=1)
        new /= np.maximum(np.linalg.norm(new, axis=0), 1e-300)
        for _ in range(2):  # Gram-Schmidt against the basis, twice for round-off
            for b in self.blocks:
                new -= b @ (b.T @ new)
        u, sv, _ = np.linalg.svd(new, full_matrices=False)
        W = np.ascontiguousarray(u[:, sv > 1e-10])
        del new, u
        V = [*self.blocks, W]

        def against(x: np.ndarray) -> np.ndarray:  # V^T x, one product of full size at a time
            return np.vstack([b.T @ x for b in V])

        KW = p.K_ff @ W
        MW = m[:, None] * W
        # blocks of the projected K and M, and of the Gram matrices of KV and MV, against the
        # new block: (KV)^T KW = V^T K K W, (KV)^T MW = V^T K M W, (MV)^T KW = V^T M K W, ...
        # km[:, j] = V^T K M w_j: the column block of KV^T MV; mk gives its row block (MV^T KV)
        kw, mw = against(KW), against(MW)
        kk, km = against(p.K_ff @ KW), against(p.K_ff @ MW)
        mk, mm = against(m[:, None] * KW), against(m[:, None] * MW)
        del KW
        self.Kr = _grow(getattr(self, "Kr", None), kw)
        self.Mr = _grow(getattr(self, "Mr", None), mw)
        self._KK = _grow(getattr(self, "_KK", None), kk)
        self._MM = _grow(getattr(self, "_MM", None), mm)
        self._KM = _grow(getattr(self, "_KM", None), km, mk)
        self.blocks.append(W)
        self.B1r = np.vstack([getattr(self, "B1r", np.zeros((0, p.B1.shape[1]))), W.T @ p.B1])
        self.B2r = np.vstack([getattr(self, "B2r", np.zeros((0, p.B2.shape[1]))), W.T @ p.B2])
        self._kb = np.vstack([getattr(self, "_kb", np.zeros((0, self._B.shape[1]))), W.T @ self._KB])
        self._mb = np.vstack([getattr(self, "_mb", np.zeros((0, self._B.shape[1]))), MW.T @ self._B])

    def solution(self, w: float) -> np.ndarray:
        """The free nodes' solution (free nodes x groups) of the reduced model at ``w``."""
        return self.expand(self._coefficients(w))

    def expand(self, c: np.ndarray) -> np.ndarray:
        """``V c`` for complex ``c`` (the basis is real: two real products, no complex copy of it)."""
        out = np.zeros((self.blocks[0].shape[0], c.shape[1]), complex)
        i = 0
        for b in self.blocks:
            cb = c[i : i + b.shape[1]]
            out += b @ cb.real + 1j * (b @ cb.imag)
            i += b.shape[1]
        return out

    def rows(self, idx: np.ndarray) -> np.ndarray:
        """The basis's rows ``idx`` (len(idx), size)."""
        return np.hstack([b[idx] for b in self.blocks])

    def _coefficients(self, w: float) -> np.ndarray:
        return np.linalg.solve(self.Kr + 1j * w * self.Mr, self.B1r + self.B2r / (1j * w))


def _grow(a: np.ndarray | None, col: np.ndarray, row: np.ndarray | None = None) -> np.ndarray:
    """The square matrix ``a`` extended by a new column block ``col`` (its old rows above the new
    ones) and the row block ``row`` (transposed: ``col`` itself for a symmetric matrix)."""
    k = col.shape[1]
    n_old = col.shape[0] - k
    row = col if row is None else row
    out = np.zeros((n_old + k, n_old + k))
    if a is not None:
        out[:n_old, :n_old] = a
    out[:, n_old:] = col
    out[n_old:, :] = row.T
    out[n_old:, n_old:] = col[n_old:]
    return out
