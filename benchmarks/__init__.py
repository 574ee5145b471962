"""The performance workload of issue 4: pytest-benchmark suite and ``compare.py``."""
