"""Synthetic Medi-Cal plan generator (demo, tests, benchmarks): `carehub synth`, see plan.generate_plan."""
