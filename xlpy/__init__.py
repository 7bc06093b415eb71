"""xlpy: daily sales reports read, validated, consolidated and counted, where the assistant works.

The flow: reader → rules → consolidate → stats → write. The core (schema, values,
rules, consolidate, stats) works on DataFrames and plain values; files are read and
written at the edges.
"""
__version__ = "0.1.0"
