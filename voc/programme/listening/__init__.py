"""Listening to calls: sessions logged against the weekly and yearly commitments."""
