"""The ledger's rules and deadlines."""
