"""The staff desk's rules, its inbox filters and follow-up rules."""
