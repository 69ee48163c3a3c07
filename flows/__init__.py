"""Prefect 3 flows that orchestrate the pipeline's stages, and how operations run them."""
import os

# This machine (and many a laptop) has no route to Prefect's telemetry host: without
# this the temporary server logs an error at every start.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
