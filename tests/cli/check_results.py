"""Checks the content of a results file written by `gatesim run` (see docs/results-format.md)."""
import sys

import h5py
import numpy as np

path, agents = sys.argv[1], int(sys.argv[2])
f = h5py.File(path, "r")
assert f.attrs["file_type"] in ("gatesim-results", b"gatesim-results")
assert int(f.attrs["schema_version"]) == 2

p = f["provenance"]
for key in ("gatesim_version", "git_commit", "command_line", "start_time"):
    assert len(p.attrs[key]) > 0, key
scenario = p["scenario"][()]
scenario = scenario.decode() if isinstance(scenario, bytes) else scenario
assert "name: global_shutdown" in scenario and f"agents: {agents}" in scenario

days = f["timeseries/day"][:]
assert days[0] == 0 and days[-1] == len(days) - 1
for name in ("blocked", "waiting", "switched", "returned"):
    d = f["timeseries"][name]
    assert d.shape == days.shape, name
    assert d.attrs["units"] in ("users", b"users"), name
    assert np.all(d[:] >= 0), name
by_model = f["timeseries/users_by_model"]
models = [m.decode() if isinstance(m, bytes) else m for m in f["axes/model"][:]]
assert by_model.shape == (len(days), len(models)) and "a_frontier" in models

# Real-world units: users, not agents; everyone uses some model or waits.
users = float(scenario.split("users: ")[1].split()[0])
total = by_model[:].sum(axis=1) + f["timeseries/waiting"][:]
assert np.allclose(total, users, rtol=1e-9), (total[:3], users)

s = f["summary"]
directive = int(s["directive_day"][()])
blocked = f["timeseries/blocked"][:]
assert blocked[:directive].max() == 0 and blocked[directive] > 0
assert np.isclose(s["peak_blocked"][()], blocked.max())
assert s["peak_blocked"].attrs["units"] in ("users", b"users")
assert np.isclose(s["churn_at_horizon"][()], f["timeseries/switched"][-1])
assert 0 < s["churn_share"][()] <= 1
print("results file OK")
