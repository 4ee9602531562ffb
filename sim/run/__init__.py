"""One run of a scenario: simulating it, its tables, writing its run folder (atomically,
with :func:`sim.files.atomic_folder`, like every output) and its report."""
