"""The same contract holds for the local directory store and the S3 store (moto server)."""
import pytest

from storage.objects import (ImmutableObjectError, ObjectNotFound, put_immutable, quarantine_key, raw_key,
                             sha256_hex)


def test_put_get_stat_roundtrip_keeps_metadata_with_unicode_names(store):
    data = b"%PDF-1.7 fake but bytes are bytes"
    key = raw_key(sha256_hex(data))
    store.put(key, data, {"claim": "CLM-2026-000001", "original_name": "扫描件 发票.pdf", "detected_type": "pdf"},
              "application/pdf")
    assert store.get(key) == data
    info = store.stat(key)
    assert info.size == len(data)
    assert info.metadata["original_name"] == "扫描件 发票.pdf"
    assert info.metadata["claim"] == "CLM-2026-000001"


def test_missing_object_is_reported_by_name(store):
    with pytest.raises(ObjectNotFound):
        store.get("raw/does-not-exist")
    assert not store.exists("raw/does-not-exist")


def test_raw_uploads_are_immutable(store):
    key = raw_key("a" * 64)
    assert put_immutable(store, key, b"first", {"claim": "X"}) is True
    assert put_immutable(store, key, b"first", {"claim": "X"}) is False  # same bytes: no-op
    with pytest.raises(ImmutableObjectError):
        put_immutable(store, key, b"other", {"claim": "X"})
    assert store.get(key) == b"first"


def test_prefixes_keep_raw_derived_and_quarantine_apart(store):
    store.put(raw_key("1" * 64), b"r")
    store.put(quarantine_key("2" * 64), b"q")
    store.put("derived/" + "1" * 64 + "/page-001.png", b"p")
    assert list(store.list("raw/")) == [raw_key("1" * 64)]
    assert list(store.list("quarantine/")) == [quarantine_key("2" * 64)]
    assert len(list(store.list("derived/"))) == 1
    store.delete("derived/" + "1" * 64 + "/page-001.png")
    assert list(store.list("derived/")) == []
