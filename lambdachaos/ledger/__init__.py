"""The ledger: one entry per attempt and one fate per record, in full, stream or summary mode."""
