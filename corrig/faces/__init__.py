"""Faces: what a person sees — the command line, reports, pictures of DAGs and regions, and the hunt for
counterexamples."""
