"""From a cross-section to capacitance matrices: the grid, the raster (materials and conductors on
the grid), the one finite-volume operator, the numba kernels (the only numba module), multigrid,
the solve of every excitation, and grid refinement with Richardson extrapolation.
May import :mod:`fieldsolver.geometry`."""
