"""alliance-sim: an agent-based model of alliance formation."""

__version__ = "0.1.0"
