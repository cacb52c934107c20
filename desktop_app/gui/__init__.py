"""PySide6 user interface. The only package that imports Qt; it holds no business rules."""
