"""Development only: the demo generator and the benchmark. Nothing of the product imports this package."""
