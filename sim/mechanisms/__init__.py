"""The model's sub-models, one module per ODD sub-model: pure numpy on ``(n,)`` and ``(n, n)`` arrays.

Kept apart from the Mesa model so that each mechanism can be read, tested and swapped
against the literature it comes from without running a simulation.
"""
