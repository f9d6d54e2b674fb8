"""A mutation check over the modules that hold AWS rules (``python -m tests.mutation``)."""
