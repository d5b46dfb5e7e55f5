"""Load and fault test: the whole portal under load while its parts are killed and restarted.

Run: .venv/bin/python -m bench.load.run [--seconds N] [--users N] [--short]
(see run.py and the "Load and fault test" section of bench/README.md).
"""
