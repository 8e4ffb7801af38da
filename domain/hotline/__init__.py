"""The hotline's rules and its receipts."""
