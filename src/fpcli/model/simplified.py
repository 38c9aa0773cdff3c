"""The simplified input (`fpcli generate --simplified`): what an accountant knows, the rest looked up.

number: FA-2026-0100
issue_date: 2026-11-20
seller: { siret: "12345678200010", iban: FR7630006000011234567890189 }
buyer: { siret: "98765432400019" }          # + service_code / engagement for public buyers
lines:
  - { description: Conseil, quantity: 2, unit_price: 500, vat_rate: 20 }
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from fpcli.model.invoice import Amount, Code, Quantity, Rate, Text, UnitCode


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, coerce_numbers_to_str=True)


class SimpleSeller(_Model):
    siret: Code = Field(description="Seller SIRET (14 digits); name, address, VAT id are looked up")
    iban: Code | None = Field(default=None, description="BT-84 IBAN for credit transfers")
    bic: Code | None = Field(default=None, description="BT-86 BIC")


class SimpleBuyer(_Model):
    siret: Code = Field(description="Buyer SIRET (14 digits)")
    service_code: Code | None = Field(default=None, description="Chorus Pro service code (-> BT-10)")
    engagement: Code | None = Field(default=None, description="Chorus Pro engagement number (-> BT-13)")


class SimpleLine(_Model):
    description: Text = Field(description="BT-153 Item name")
    quantity: Quantity = Field(description="BT-129 Quantity")
    unit_price: Amount = Field(ge=0, description="BT-146 Net price per unit")
    vat_rate: Rate = Field(description="BT-152 VAT rate in percent; 0 needs vat_exemption_reason")
    unit: UnitCode = Field(default="C62", description="BT-130 UN/ECE rec 20 unit (C62 = one)")


class SimplifiedInvoice(_Model):
    number: Code = Field(max_length=35, description="BT-1 Invoice number")
    issue_date: dt.date = Field(description="BT-2 Issue date")
    due_date: dt.date | None = Field(default=None, description="BT-9 Due date (default: 30 days later)")
    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$", description="BT-5")
    business_process: str = Field(
        default="M1",
        pattern=r"^[BSM][1-8]$",
        description="BT-23 French billing frame (B1 goods, S1 services…)",
    )
    seller: SimpleSeller
    buyer: SimpleBuyer
    lines: list[SimpleLine] = Field(min_length=1)
    vat_exemption_reason: Text | None = Field(default=None, description="BT-120, for lines at 0 %")
    vat_exemption_code: Code | None = Field(default=None, description="BT-121, e.g. VATEX-FR-FRANCHISE")

    @model_validator(mode="after")
    def _exemption(self) -> SimplifiedInvoice:
        if any(line.vat_rate == Decimal(0) for line in self.lines) and not self.vat_exemption_reason:
            raise ValueError("a line at 0 % VAT needs `vat_exemption_reason` (e.g. the CGI article)")
        return self
