"""What the matrices mean: inductance, characteristic impedance matrix, modes and the line
parameters with their error estimates, the Result types, and the closed-form formulas with their
sources. May import :mod:`fieldsolver.geometry` and :mod:`fieldsolver.numerics`."""
