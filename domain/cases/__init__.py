"""A case's lifecycle and the rules of named reports."""
