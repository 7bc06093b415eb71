"""The public Superstore orders, written as ~3,000 daily reports in three layouts, consolidate
to exactly the published figures (sales 2,297,200.86; quantity 37,873; by region)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from xlpy.app import consolidate
from xlpy.contract import config
from xlpy.core import stats
from xlpy.io import store
from xlpy.io.reference import read_reference
from xlpy.io.samples import write_superstore_office

XLS = Path(__file__).resolve().parents[2] / "shared" / "data" / "superstore" / "Sample - Superstore.xls"
CENT = 0.0051  # the published figures are sums of 4-decimal amounts, rounded to cents
REGIONS = {"West": 725_457.82, "East": 678_781.24, "Central": 501_239.89, "South": 391_721.91}

pytestmark = pytest.mark.skipif(not XLS.exists(), reason="../shared/data/superstore is absent")


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    office = tmp_path_factory.mktemp("superstore")
    assert write_superstore_office(XLS, office) > 2900
    outcome = consolidate.run_consolidation(config.load(office), now=pd.Timestamp("2018-01-01"))
    assert outcome.exit_code == 0, consolidate.to_text(outcome)
    return office


def test_every_order_line_is_in_the_record(office):
    ledger, _ = store.read_record(office / "master")
    assert len(ledger) == 9_994
    assert ledger["amount"].sum() == pytest.approx(2_297_200.86, abs=CENT)
    assert ledger["qty"].sum() == 37_873
    assert ledger["contract_no"].nunique() == 5_009


def test_net_sales_by_region_equal_the_published_figures(office):
    ledger, activity = store.read_record(office / "master")
    reference = read_reference(office / "reference.xlsx")
    by_region = stats.group_stats(ledger, activity, reference, "region").set_index("region")["net_amount"]
    assert by_region.to_dict() == pytest.approx(REGIONS, abs=CENT)


def test_a_second_run_adds_nothing(office):
    before = store.read_record(office / "master")[0]
    outcome = consolidate.run_consolidation(config.load(office), now=pd.Timestamp("2018-01-02"))
    assert outcome.written == [] and {f.status for f in outcome.files} == {"unchanged"}
    pd.testing.assert_frame_equal(store.read_record(office / "master")[0], before)
