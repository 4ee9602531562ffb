"""One run of a scenario: simulating it, its tables, writing its run folder and its report."""
