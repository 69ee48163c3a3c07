"""How much to pay on an approved claim, from the policy's deductible, co-payment and limit.

Order (the usual indemnity order): start from the assessed loss (the claimed amount
unless the reviewer assessed less), take off the deductible, then the customer's
co-payment share, then cap at what is left of the sum insured after earlier payments
on the policy. Amounts round half up to the cent at the end only.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from pipeline.schemas import PolicyRecord

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Payable:
    claimed: Decimal
    assessed: Decimal
    deductible: Decimal
    after_deductible: Decimal
    co_payment_pct: Decimal
    co_payment: Decimal
    limit_left: Decimal
    capped: bool
    payable: Decimal

    def breakdown(self) -> dict[str, str | bool]:
        return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in self.__dict__.items()}


def payable_amount(claimed: Decimal, policy: PolicyRecord, assessed: Decimal | None = None,
                   already_paid: Decimal = Decimal("0")) -> Payable:
    claimed = Decimal(claimed)
    assessed = claimed if assessed is None else Decimal(assessed)
    if claimed < 0 or assessed < 0 or already_paid < 0:
        raise ValueError("amounts must not be negative")
    if assessed > claimed:
        raise ValueError(f"assessed loss {assessed} is more than the {claimed} claimed")
    after_deductible = max(assessed - policy.deductible, Decimal("0"))
    co_payment = after_deductible * policy.co_payment_pct / Decimal("100")
    limit_left = max(policy.sum_insured - Decimal(already_paid), Decimal("0"))
    before_cap = after_deductible - co_payment
    payable = min(before_cap, limit_left)
    return Payable(
        claimed=claimed, assessed=assessed, deductible=policy.deductible,
        after_deductible=after_deductible.quantize(CENT, ROUND_HALF_UP),
        co_payment_pct=policy.co_payment_pct, co_payment=co_payment.quantize(CENT, ROUND_HALF_UP),
        limit_left=limit_left.quantize(CENT, ROUND_HALF_UP), capped=before_cap > limit_left,
        payable=payable.quantize(CENT, ROUND_HALF_UP),
    )
