"""Pure campaign rules shared by every layer: no I/O, no Telegram, no SQL.

`bot`, `handlers` and `storage` may import from here; this package imports none of them.
"""
