"""Desk users: bcrypt-hashed passwords, one role each, and the demo accounts.

The demo accounts (username = password) exist so a new colleague can open the desk
after ``make demo``; they are for a laptop only and must never be seeded anywhere real.
"""
from __future__ import annotations

import bcrypt
from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.routing.config import ROLES
from storage import audit
from storage.review_models import User

DEMO_USERS = (  # username, password, role, display name -- DEMO ONLY
    ("reviewer", "reviewer", "reviewer", "Riley Reviewer"),
    ("senior", "senior", "senior_reviewer", "Sam Senior"),
    ("investigator", "investigator", "investigator", "Ivy Investigator"),
    ("ops", "ops", "operations", "Omar Operations"),
)


def hash_password(password: str, rounds: int = 12) -> str:
    raw = password.encode("utf-8")
    if not raw:
        raise ValueError("the password is empty")
    if len(raw) > 72:
        raise ValueError("passwords are limited to 72 bytes (bcrypt)")
    return bcrypt.hashpw(raw, bcrypt.gensalt(rounds)).decode("ascii")


def check_password(password: str, password_hash: str) -> bool:
    raw = password.encode("utf-8")
    if not raw or len(raw) > 72:
        return False
    return bcrypt.checkpw(raw, password_hash.encode("ascii"))


def create_user(session: Session, username: str, password: str, role: str, display_name: str = "",
                rounds: int = 12) -> User:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    if not username.strip():
        raise ValueError("the username is empty")
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise ValueError(f"user {username!r} already exists")
    user = User(username=username, display_name=display_name or username, role=role,
                password_hash=hash_password(password, rounds), active=True)
    session.add(user)
    session.flush()
    audit.record(session, None, "system", "user.created", None, {"username": username, "role": role})
    return user


def seed_users(session: Session, rounds: int = 12) -> list[User]:
    """Create the demo users that are missing (DEMO ONLY: username = password)."""
    users = []
    for username, password, role, name in DEMO_USERS:
        user = session.scalar(select(User).where(User.username == username))
        users.append(user or create_user(session, username, password, role, name, rounds))
    return users


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None or not user.active:
        check_password(password, _DUMMY_HASH)  # same work either way: no user-enumeration by timing
        return None
    return user if check_password(password, user.password_hash) else None


_DUMMY_HASH = bcrypt.hashpw(b"not-a-password", bcrypt.gensalt(12)).decode("ascii")
