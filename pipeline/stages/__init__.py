"""The stages of ``process_claim`` as plain functions: the Prefect flow is a thin wrapper.

Each stage takes a ``Context`` (database, object store, settings) and a claim number,
does its work idempotently (running it twice leaves one set of rows and objects), and
returns a small summary for the flow's log.
"""
