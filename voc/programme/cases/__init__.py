"""Complaint cases: each executive handles one real complaint a month, with a buddy."""
