"""The rectification ledger (整改台账): /ledger, adding and changing items, sign-off,
verification."""
