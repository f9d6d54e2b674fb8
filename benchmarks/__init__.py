"""lambdachaos performance suite: ``python -m benchmarks --json``."""
