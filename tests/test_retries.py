"""Storage hiccups are retried by the flow's tasks; bugs and bad files are not."""
import socket

import pytest
from prefect.states import Failed

from flows.process_claim import is_transient
from storage.objects import ObjectNotFound, ObjectStoreError, S3Store


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_object_store_raises_a_transient_error():
    with pytest.raises(ObjectStoreError, match="unreachable"):
        S3Store(f"127.0.0.1:{_closed_port()}", "k", "s", "claims")


@pytest.mark.parametrize("error,retried", [
    (ObjectStoreError("object store unreachable"), True),
    (ConnectionError("reset by peer"), True),
    (ObjectNotFound("raw/abc"), False),
    (ValueError("a bug"), False),
])
def test_only_transient_errors_are_retried(error, retried):
    state = Failed(data=error)
    assert is_transient(None, None, state) is retried
