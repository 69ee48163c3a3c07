"""Everything a stage needs to touch the outside world, opened once per flow run."""
from __future__ import annotations

from dataclasses import dataclass

from pipeline.intake.service import Intake
from pipeline.settings import Settings, get_settings
from storage.db import Database, open_database
from storage.objects import ObjectStore, open_store


@dataclass
class Context:
    settings: Settings
    db: Database
    store: ObjectStore

    @property
    def intake(self) -> Intake:
        return Intake(self.db, self.store, self.settings)

    @classmethod
    def open(cls, settings: Settings | None = None) -> "Context":
        settings = settings or get_settings()
        return cls(settings, open_database(settings), open_store(settings))
