"""Use cases: one function per step, taking plain objects, reporting progress, honouring cancel.

The wizard and the command line are thin shells over these functions.
"""
