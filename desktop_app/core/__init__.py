"""Pure-Python heart of Crosslink: no Qt, no network (checked by import-linter)."""
