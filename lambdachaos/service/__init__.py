"""lambdachaos package."""
