"""What a desk user may do with a claim: queues, actions, amount limits, unmasking.

Pure functions of config/authority.yaml, used by the desk to show buttons and, again,
by the actions themselves to refuse what the role may not do.
"""
from __future__ import annotations

from decimal import Decimal

from pipeline.routing.config import RoutingConfig
from pipeline.routing.rules import authority_limit

DECIDING_ACTIONS = ("approve", "deny")


class NotAllowed(PermissionError):
    """The user's role or authority does not cover this action."""


def role_rule(config: RoutingConfig, role: str):
    try:
        return config.authority.roles[role]
    except KeyError:
        raise NotAllowed(f"unknown role {role!r}") from None


def within_authority(config: RoutingConfig, role: str, line_of_business: str, amount: Decimal, currency: str) -> bool:
    limit = authority_limit(config, role, line_of_business)
    return limit is not None and config.to_base(amount, currency) <= limit


def allowed_actions(config: RoutingConfig, role: str, *, queue: str, line_of_business: str,
                    claimed_amount: Decimal, currency: str, item_status: str, holder: str | None,
                    username: str) -> list[str]:
    """The buttons this user gets on this claim, in config order.

    Nothing while the item is closed or held by someone else; nothing but "take" on an
    open item (the queue page offers that); deciding only within the role's limit.
    """
    rule = role_rule(config, role)
    if item_status != "taken" or queue not in rule.queues:
        return []
    if holder != username:
        return ["release"] if rule.release_others and "release" in rule.actions else []
    actions = []
    for action in rule.actions:
        if action in DECIDING_ACTIONS and not within_authority(config, role, line_of_business, claimed_amount, currency):
            continue
        if action == "close_investigation" and queue != "special_investigations":
            continue
        if action == "refer_investigation" and queue == "special_investigations":
            continue
        if action == "send_to_panel" and queue == "panel_review":
            continue
        actions.append(action)
    return actions


def check_action(config: RoutingConfig, role: str, action: str, **claim) -> None:
    """Raise :class:`NotAllowed` with the reason when ``action`` is not among the allowed."""
    if action in allowed_actions(config, role, **claim):
        return
    rule = role_rule(config, role)
    if action not in rule.actions:
        raise NotAllowed(f"a {rule.label.lower()} may not {action.replace('_', ' ')}")
    if claim["item_status"] != "taken" or claim["holder"] != claim["username"]:
        raise NotAllowed("take the claim from the queue before acting on it")
    if claim["queue"] not in rule.queues:
        raise NotAllowed(f"a {rule.label.lower()} does not work the {claim['queue']} queue")
    if action in DECIDING_ACTIONS:
        limit = authority_limit(config, role, claim["line_of_business"])
        raise NotAllowed(f"{claim['currency']} {claim['claimed_amount']} is above a {rule.label.lower()}'s "
                         f"authority ({config.rules.base_currency} {limit})")
    raise NotAllowed(f"{action.replace('_', ' ')} does not apply in the {claim['queue']} queue")


def may_unmask(config: RoutingConfig, role: str, field_name: str) -> bool:
    """Whether ``role`` sees the sensitive field ``field_name`` in full (others see it masked)."""
    for group, names in config.authority.sensitive_fields.items():
        if field_name in names:
            return group in role_rule(config, role).unmask
    return True


def is_sensitive(config: RoutingConfig, field_name: str) -> bool:
    return any(field_name in names for names in config.authority.sensitive_fields.values())


def mask(value: str | None, keep: int = 4) -> str | None:
    if value is None:
        return None
    chars = [c for c in value if not c.isspace()]
    if len(chars) <= keep:
        return "•" * len(chars)
    return "•" * (len(chars) - keep) + "".join(chars[-keep:])
