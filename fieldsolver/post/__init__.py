"""What a Result is shown as: the report table, fields and surface charge, plots (matplotlib is
imported only here) and exports (meshio only here), and atomic file writes. May import the
layers below it (geometry, numerics, physics); never the studies or the command line."""
