"""Intake: claims in, files checked and stored, nothing trusted before it is checked."""
