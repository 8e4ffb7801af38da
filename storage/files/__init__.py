"""The bureau's own copies of evidence files: the store (local directory or S3 bucket) and the
rows that name what it holds."""
