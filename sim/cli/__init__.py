"""The ``alliance-sim`` command line: every command and nothing else.

Each module here defines the parsers of its commands and imports the implementation only
when a command runs, so ``alliance-sim --help`` stays fast.
"""
