"""Application services: what the UI, the CLI and the benchmarks call. They never hand out
sessions or ORM objects, only plain dataclasses."""
