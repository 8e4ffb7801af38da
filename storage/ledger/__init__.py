"""The rectification ledger's storage: items, their changes, queries and sign-offs."""
