"""alliance-sim: an agent-based model of alliance formation.

Each folder answers one question a maintainer asks (``sim/ODD.md`` describes the model):

- ``model.py``, ``agents.py``, ``app.py``: the Mesa model (one method per ODD step), the
  states, and the browser page.
- ``mechanisms/``: the sub-models (threat, utility, alignment, treaties, blocs, classify),
  pure numpy, one per ODD sub-model.
- ``scenario/``: what a scenario file may say, its checks, and the per-year inputs built
  from it; the reference timelines it points to.
- ``run/``: one run: simulating, its tables, its run folder and report.
- ``analysis/``: runs against the world: validation and baselines, bloc membership and
  documented patterns, fitting, sensitivity, structure, explanations.
- ``ensembles/``: many runs: sweep designs, runner, executors, storage and resume.
- ``landscape/``: Axelrod and Bennett's landscape theory, its Mesa model and file format.
- ``calibration/``: where the input numbers come from: rules and the evidence ledger.
- ``plots/``: every figure.
- ``cli/``: the ``alliance-sim`` commands and nothing else.
- ``files.py``, ``errors.py``, ``levels.py``: reading user files with errors that name the
  line, writing every output atomically, the level scales.
"""

__version__ = "0.1.0"
