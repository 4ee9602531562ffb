"""Reading results against the world: validation metrics and baselines, fitting, sensitivity, structure, explanations.

Analysis reads runs and stored results; the model never imports it.
"""
