"""Cases on record: named reports, complaints, their numbers and message threads."""
