"""Runtime settings from the environment (prefix ``CLAIMS_``), with laptop-friendly defaults."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CLAIMS_", env_file=".env", extra="ignore")

    data_dir: Path = PROJECT_ROOT / "var"
    database_url: str | None = None  # default: SQLite file under data_dir
    config_dir: Path = PROJECT_ROOT / "config"

    store: Literal["local", "s3"] = "local"
    s3_endpoint: str = "127.0.0.1:9000"
    s3_access_key: str = "minioadmin"
    s3_secret_key: str = "minioadmin"
    s3_bucket: str = "claims"
    s3_secure: bool = False
    s3_region: str | None = None

    max_upload_bytes: int = 25 * 1024 * 1024
    max_pages: int = 50
    max_image_pixels: int = 60_000_000  # decompression-bomb guard
    render_dpi: int = 200
    # "library": tesseract inside the worker (fast); "program": a tesseract process per reading,
    # so that a crash inside tesseract costs one page, not the worker (pipeline/reading/tesseract.py)
    tesseract: Literal["library", "program"] = "library"

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'claims.db'}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
