"""What statistics and exports read, and the export files."""
