"""Many runs: sweep designs, the runner, executors (local processes and Dask), storage and resume."""
