"""Design studies on many solves: designs with parameters, sweeps, sensitivity, Monte Carlo and
synthesis, run in batches on Dask with a resumable journal. May import everything below it
(geometry, numerics, physics, post and the solve entry point); never the command line."""
