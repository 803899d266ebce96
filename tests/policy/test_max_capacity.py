"""over_max_capacity: the steps whose busiest instance needs more than MaxCapacity within the SLO."""

import numpy as np

from policy.max_capacity import over_max_capacity
from policy.scaler import ScalerModel

MODEL = ScalerModel(slo_utilisation=0.8)


def test_the_need_is_load_x_share_over_the_slo_utilisation_on_the_busiest_instance() -> None:
    # read_frac 0.75: the reader carries 3/4; at 4 ACU it needs 4 x 0.75 / 0.8 = 3.75 ACU > 3.
    demand = [2.0, 4.0, np.nan, 3.2]
    over = over_max_capacity(demand, shares=(0.25, 0.75), max_acu=3.0, model=MODEL)
    assert (over.n_over, over.n_steps, over.first_over) == (1, 3, 1)
    assert over.peak_need_acu == 3.75 and over.share == 1 / 3
    # 3.2 ACU needs exactly 3.2 x 0.75 / 0.8 = 3.0 ACU: within MaxCapacity, float noise aside.
    assert over_max_capacity([3.2], shares=(0.25, 0.75), max_acu=3.0, model=MODEL).n_over == 0


def test_nothing_over_and_no_demand_count_nothing() -> None:
    assert over_max_capacity([1.0, 1.0], shares=(1.0,), max_acu=2.0, model=MODEL).first_over is None
    empty = over_max_capacity([np.nan], shares=(0.5, 0.5), max_acu=2.0, model=MODEL)
    assert (empty.n_over, empty.n_steps, empty.share, empty.peak_need_acu) == (0, 0, 0.0, 0.0)
