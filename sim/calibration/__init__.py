"""Where the agents' numbers come from: calibration rules over data tables and the evidence ledger."""
