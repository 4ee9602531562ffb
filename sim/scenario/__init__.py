"""What a scenario is: the schema of scenario files, how they are loaded, and the per-year inputs built from them.

A maintainer changing the scenario format opens this folder and nothing else.
"""
