"""The reference data (基础资料, spec §2) as the rules and statistics use it: reps,
products, targets, recipients. Read from the reference workbook by `xlpy.io.reference`."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from xlpy.contract import schema
from xlpy.contract.messages import Coded
from xlpy.core import units, values

_UNIT_COLUMNS = next(s.columns for s in schema.REFERENCE_SHEETS if s.key == "units")


class BadReference(Coded):
    """The reference workbook cannot be used; ``code`` names a message."""


@dataclass
class Reference:
    reps: pd.DataFrame  # name, region, active (bool), hired, email
    products: pd.DataFrame  # product, category, list_price, floor_price, opening_stock
    targets: pd.DataFrame  # period, rep, region, target
    recipients: pd.DataFrame  # name, title, email
    units: pd.DataFrame | None = None  # the 房源表 (spec §4); empty in an office that sells products only

    def __post_init__(self):
        if self.units is None:
            self.units = pd.DataFrame(columns=[c.key for c in _UNIT_COLUMNS])
        self.units = units.prepare(self.units)
        self.unit_index = {u["key"]: u for u in self.units.to_dict("records")}
        self.rep_index = {values.norm(r["name"]): r for r in self.reps.to_dict("records")}
        self.product_index = {values.norm(p["product"]): p for p in self.products.to_dict("records")}
        self.regions = {values.norm(r): r for r in self.reps["region"].dropna()}

    @property
    def sells_units(self) -> bool:
        return bool(self.unit_index)

    def unit(self, text) -> dict | None:
        """The 房源表 record of a unit however it is written (`3-1502`, `3栋1502`), or None."""
        return self.unit_index.get(units.unit_key(text))

    @classmethod
    def empty(cls) -> "Reference":
        frames = {s.key: pd.DataFrame(columns=[c.key for c in s.columns]) for s in schema.REFERENCE_SHEETS}
        return cls(**frames)
