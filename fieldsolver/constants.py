"""Physical constants (SI, CODATA 2022). Imports nothing: every layer may use it."""

EPS0 = 8.8541878188e-12  # F/m, vacuum permittivity
MU0 = 1.25663706127e-6  # H/m, vacuum permeability
C0 = 299792458.0  # m/s, speed of light in vacuum (exact)
ETA0 = MU0 * C0  # ohm, impedance of free space
